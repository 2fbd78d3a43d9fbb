"""The rows every submit writes keep only indexes that some query uses."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the LIKE indexes of db_index are PostgreSQL's")
def test_the_submits_tables_have_no_like_indexes_nobody_asks_for():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN "
                       "('applications_application', 'core_auditentry', 'notifications_outboxmail')")
        indexes = cursor.fetchall()
    like = {(table, definition.split("(", 1)[1].split()[0].strip('"'))
            for table, definition in indexes if "varchar_pattern_ops" in definition}
    # reference and idempotency_key are searched by their beginning (startswith).
    assert like == {("applications_application", "reference"),
                    ("notifications_outboxmail", "idempotency_key")}
    columns = {(table, definition.split("(", 1)[1].rstrip(")")) for table, definition in indexes}
    assert ("applications_application", "call_id") not in columns  # (call_id, …) serve
    for wanted in [("applications_application", "state"), ("core_auditentry", "action"),
                   ("core_auditentry", "object_id"), ("notifications_outboxmail", "about_id")]:
        assert wanted in columns
