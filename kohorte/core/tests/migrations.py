"""Moving the test database to a migration state, for the tests of data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(target):
    """Migrate to ``target`` (a list of (app, migration)); the apps as of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_latest():
    """Back to the latest migrations (a test's ``finally``)."""
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
