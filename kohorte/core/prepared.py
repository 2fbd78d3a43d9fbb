"""Queries the ORM builds once per process and runs many times with other values.

Building a query is most of what a simple read costs in Django: resolving the filters,
setting up the joins and compiling the SQL take 0.2–1.5 ms, running it in SQLite or
PostgreSQL some 50 µs. On the deadline's hot path (the final submit) a few reads are
built once instead of once a request: ``Prepared`` builds the queryset with marker
values, compiles it with Django's own compiler, notes where the markers ended up among
the parameters, and from then on runs that SQL with the real values and converts the
rows with the same compiler's converters (dates, decimals, JSON). The SQL is the ORM's,
to the letter; a test compares the rows with the ORM's.

Markers are integers or strings (ids, codes): values the ORM passes on unchanged as
parameters. A date or datetime is converted on its way to the database and cannot be
a marker; put such values in the query itself or use the ORM.
"""

import weakref
from itertools import chain

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Expression, Model, Q, sql
from django.db.models.base import DEFERRED

# Marker values no real id or code equals.
INT_MARKER = -7_310_000_000
STR_MARKER = "\x00kohorte-prepared-"


class Prepared:
    """``build(**markers)`` returns a ``values_list()`` queryset; ``rows(**values)`` runs
    it with ``values`` in place of the markers. ``params`` names each marker's type:
    ``int`` or ``str``."""

    def __init__(self, build, **params):
        for name, kind in params.items():
            if kind not in (int, str):
                raise ImproperlyConfigured(f"Prepared: {name} must be int or str, not {kind}.")
        self._build = build
        self._params = params
        # Per database connection (a connection object per process and thread).
        self._compiled = weakref.WeakKeyDictionary()

    def _markers(self):
        return {name: (INT_MARKER - number if kind is int else f"{STR_MARKER}{number}")
                for number, (name, kind) in enumerate(self._params.items())}

    def _compile(self, connection):
        markers = self._markers()
        queryset = self._build(**markers)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = {}
        for name, marker in markers.items():
            positions[name] = [index for index, value in enumerate(params)
                               if type(value) is type(marker) and value == marker]
            if not positions[name]:
                raise ImproperlyConfigured(
                    f"Prepared: {name} is not a parameter of the query ({sql}).")
        # The converters (dates, decimals, JSON) per column, as results_iter finds them.
        columns = [column[0] for column in compiler.select[:compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ImproperlyConfigured("Prepared: composite fields are not supported.")
        converters = compiler.get_converters(columns)
        return compiler, sql, params, positions, converters

    def rows(self, using="default", **values) -> list[tuple]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        compiler, sql, params, positions, converters = compiled
        params = list(params)
        for name, indexes in positions.items():
            value = values[name]
            for index in indexes:
                params[index] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]

    def exists(self, using="default", **values) -> bool:
        return bool(self.rows(using, **values))


def instance(model: type[Model], values: dict, using="default") -> Model:
    """A model instance from a row's ``values`` by attribute name (``call_id``, not
    ``call``), the others deferred: as the ORM makes one for ``only()``."""
    return model.from_db(using, list(values),
                         [values.get(field.attname, DEFERRED)
                          for field in model._meta.concrete_fields])


def columns(model: type[Model]) -> list[str]:
    """The attribute names of a model's columns (``call_id``, not ``call``), in order."""
    return [field.attname for field in model._meta.concrete_fields]


def instances(row, *models, using="default") -> list[Model]:
    """One instance per model from a row that holds each model's whole columns
    (``columns(model)``) in turn, as a ``values_list`` over joined models reads them."""
    objects, start = [], 0
    for model in models:
        names = columns(model)
        objects.append(instance(model, dict(zip(names, row[start:start + len(names)], strict=True)),
                                using))
        start += len(names)
    if start != len(row):
        raise ImproperlyConfigured(f"instances: the row has {len(row)} values, the models {start}.")
    return objects


class PreparedInsert:
    """Inserts rows of one model with the SQL built once per connection and number of
    rows: ``Model.save()`` and ``bulk_create()`` build it anew each time. Each value
    goes through Django's own preparation (``pre_save``: ``auto_now_add`` and the like,
    ``get_db_prep_save``: JSON, dates), the new primary keys are set on the objects.
    No signals are sent (as with ``bulk_create``): use it for models without receivers.
    """

    def __init__(self, model: type[Model]):
        self.model = model
        self.pk = model._meta.pk
        self.fields = [field for field in model._meta.concrete_fields
                       if not field.generated and field is not self.pk]
        self._compiled = weakref.WeakKeyDictionary()

    def _compile(self, connection, objs, keys):
        query = sql.InsertQuery(self.model)
        query.insert_values(self.fields, objs)
        compiler = query.get_compiler(connection=connection)
        features = connection.features
        returning = keys and (features.can_return_rows_from_bulk_insert or (
            len(objs) == 1 and features.can_return_columns_from_insert))
        compiler.returning_fields = [self.pk] if returning else None
        statements = compiler.as_sql()
        query.objs = []  # the compiler is kept: it must not keep the first rows' data
        if len(statements) != 1:
            return None
        return compiler, statements[0][0], returning

    def insert(self, objs: list, using="default", *, batch: "Batch | None" = None) -> list:
        """Inserts ``objs`` and sets their new keys; with a ``batch`` the insert is
        added to it instead, and the keys stay None."""
        if not objs:
            return objs
        if batch is not None:
            using = batch.using
        connection = connections[using]
        compiled = self._compiled.setdefault(connection, {})
        shape = (len(objs), batch is None)
        if shape not in compiled:
            compiled[shape] = self._compile(connection, objs, keys=batch is None)
        if compiled[shape] is None:
            if batch is not None:
                raise ImproperlyConfigured(f"PreparedInsert: {self.model.__name__} cannot be batched.")
            return self.model._base_manager.using(using).bulk_create(objs)
        compiler, statement, returning = compiled[shape]
        value_rows = [[compiler.prepare_value(field, compiler.pre_save_val(field, obj))
                       for field in self.fields] for obj in objs]
        if any(hasattr(value, "as_sql") for row in value_rows for value in row):
            if batch is not None:
                raise ImproperlyConfigured("PreparedInsert: expressions cannot be batched.")
            return self.model._base_manager.using(using).bulk_create(objs)  # expressions
        # The parameters as the backend lays them out (PostgreSQL: an array per column).
        _placeholders, param_rows = compiler.assemble_as_sql(self.fields, value_rows)
        params = list(chain.from_iterable(param_rows))
        if returning:
            params.extend(compiler.returning_params)
        if batch is not None:
            batch.add(statement, params)
            ids = []
        else:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                ids = [row[0] for row in cursor.fetchall()] if returning else []
        for index, obj in enumerate(objs):
            if ids:
                setattr(obj, self.pk.attname, ids[index])
            obj._state.adding = False
            obj._state.db = using
        return objs


_SLOT_MARKER = f"{STR_MARKER}slot"


class _Slot(Expression):
    """A value to come: compiles to one parameter (PreparedUpdate)."""

    def __init__(self, field):
        super().__init__(output_field=field)

    def as_sql(self, compiler, connection):
        return "%s", [_SLOT_MARKER]


class PreparedUpdate:
    """Saves some fields of one row (as ``obj.save(update_fields=...)`` does, with
    ``auto_now`` fields stamped), with the SQL built once per connection. No signals."""

    def __init__(self, model: type[Model], fields: list[str]):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self._compiled = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        # Each value a parameter, whatever the first object holds (the ORM writes a
        # None as a literal NULL, which would then stand for every later value).
        query = sql.UpdateQuery(self.model)
        query.add_update_fields([(field, None, _Slot(field)) for field in self.fields])
        query.add_q(Q(pk=INT_MARKER))
        statement, params = query.get_compiler(connection=connection).as_sql()
        if list(params) != [_SLOT_MARKER] * len(self.fields) + [INT_MARKER]:
            raise ImproperlyConfigured(f"PreparedUpdate: unexpected parameters ({statement}).")
        return statement

    def update(self, obj, using="default", *, batch: "Batch | None" = None) -> int | None:
        """Writes the fields of ``obj``; the number of rows changed (0 or 1). With a
        ``batch`` the update is added to it instead (None)."""
        if batch is not None:
            using = batch.using
        connection = connections[using]
        statement = self._compiled.get(connection)
        if statement is None:
            statement = self._compiled[connection] = self._compile(connection)
        params = [field.get_db_prep_save(field.pre_save(obj, add=False), connection=connection)
                  for field in self.fields]
        params.append(obj.pk)
        if batch is not None:
            batch.add(statement, params)
            return None
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount


class Batch:
    """Writes that need no result, sent together when ``run()`` is called.

    On PostgreSQL they go as one statement: all but the last become data-modifying
    parts of a ``WITH`` (each runs exactly once, whether or not anything refers to
    it), the last is its main statement. One round trip and one statement for the
    database to run instead of one per write. The parts see the database as it was
    before the statement, not each other's rows: batch only writes that do not
    depend on one another (different rows; foreign keys between them are checked
    at the commit, as Django declares them deferrable). Any error fails all of them.
    Elsewhere (SQLite, in the app's process) the writes run one by one, in order.
    """

    def __init__(self, using="default"):
        self.using = using
        self.statements = []

    def add(self, statement: str, params: list):
        self.statements.append((statement, params))

    def replace(self, old: str, new: str):
        """Put ``new`` for ``old`` in every text value not yet written (a stand-in for a
        value known only later, as the submit's reference)."""
        self.statements = [
            (statement, [value.replace(old, new) if isinstance(value, str) else value
                         for value in params])
            for statement, params in self.statements]

    def run(self):
        statements, self.statements = self.statements, []
        if not statements:
            return
        connection = connections[self.using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and len(statements) > 1:
                *parts, (main, main_params) = statements
                sql_text = "WITH " + ", ".join(
                    f"write_{number} AS ({statement})"
                    for number, (statement, _params) in enumerate(parts)) + " " + main
                cursor.execute(sql_text, [*chain.from_iterable(p for _s, p in parts), *main_params])
            else:
                for statement, params in statements:
                    cursor.execute(statement, params)
