"""Reading and writing below the ORM, in one place: psycopg cursors of a kind Django does not make
(wrapped as Django wraps its own), rows as the driver gives them, and id lists as one array parameter.

Hot paths talk to the database more directly than the ORM does: the scan intake's grouped insert (a raw
cursor, PostgreSQL's own ``$n`` placeholders), the exports' reading (psycopg's own loaders), rescoring's
reading (the driver's rows), every chunk of ids or texts (``among``, ``among_texts``) and the writing of
thousands of rows at once (``copy_insert``, ``copy_update`` and their ``_values`` forms: COPY, for imports
and matching). Their cursors still go through Django's wrapper, so they are logged with ``DEBUG``,
counted by tests' query assertions, and pass through ``execute_wrapper``s like any other query; only the
COPY itself (psycopg's own ``copy()``, which Django's wrapper does not have) is not.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import BooleanField, Expression, F, Field, JSONField, Model, Q


def driver_cursor(db, cursor_class):
    """A ``cursor_class`` (a psycopg cursor class) on ``db``'s connection, in Django's cursor wrapper.

    ``db`` is a PostgreSQL connection (``connections[alias]``); the raw cursor's own attributes, such as
    ``adapters``, are reached through the wrapper.
    """
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = cursor_class(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def native_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as psycopg's own loaders make them, on PostgreSQL.

    For the exports' reading of whole booths: Django's connection reads ``timestamptz`` through a loader
    written in Python (to set the time zone it already has) and JSON as text for ``JSONField`` to decode
    in Python, row by row; psycopg's own loaders (in C for times) make the same values, aware times in
    UTC and decoded JSON, at a fraction of the cost. Elsewhere, the queryset's rows as Django makes them.
    """
    db = connections[queryset.db]
    if db.vendor != "postgresql":
        return list(queryset)
    import psycopg
    from psycopg.types.datetime import TimestamptzLoader
    from psycopg.types.json import JsonbLoader

    sql, params = queryset.query.sql_with_params()
    with driver_cursor(db, psycopg.Cursor) as cursor:
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)  # psycopg's C one where built
        cursor.adapters.register_loader("jsonb", JsonbLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


class _AnyOf(Expression):
    """``field = ANY(%s)`` with the values as one array parameter (PostgreSQL).

    ``field IN (%s, %s, ...)`` with a chunk of 2,000 ids spent more time turning the ids into parameters
    and the query text into a statement (in Django and psycopg) than the database spent running it.
    """

    output_field = BooleanField()

    def __init__(self, field: str, literal: str, kind: str):
        super().__init__()
        self.column, self.literal, self.kind = F(field), literal, kind

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s::{self.kind}[])", (*params, self.literal)


def int_array(ids: Iterable[int]) -> str:
    """Integer ids as one PostgreSQL array literal, a text parameter for ``= ANY(%s::bigint[])``.

    Django binds parameters on the client, and psycopg spells a list of thousands of ints out into the
    statement far more slowly than this join (three such lists a rescoring chunk).
    """
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def text_array(values: Iterable[str]) -> str:
    """Texts as one PostgreSQL array literal, a text parameter for ``= ANY(%s::text[])``: each element
    quoted, its backslashes and double quotes escaped."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _on_postgresql(model) -> bool:
    return connections[router.db_for_read(model)].vendor == "postgresql"


def among(model, field: str, ids: Iterable[int]) -> Q | _AnyOf:
    """The condition "``field`` is one of ``ids``", in the cheapest form the model's database takes."""
    if _on_postgresql(model):
        return _AnyOf(field, int_array(ids), "bigint")
    return Q(**{f"{field}__in": list(ids)})


def among_texts(model, field: str, values: Iterable[str], kind: str = "text") -> Q | _AnyOf:
    """The condition "``field`` is one of ``values``" (texts, or the text forms of ``kind``: "uuid"), in
    the cheapest form the model's database takes."""
    if _on_postgresql(model):
        return _AnyOf(field, text_array(values), kind)
    return Q(**{f"{field}__in": list(values)})


def driver_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database driver returns them.

    For rescoring's reading: Django's per-row conversions (a JSON column decoded for every scan) cost more
    than the query at 2,000 leads a chunk; the SQL is still Django's. JSON columns come back as the driver
    gives them (text on PostgreSQL, decoded by the caller only when needed; see ``native_rows`` for
    psycopg's own decoding, which the exports use).
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_WRITTEN_AS_IS = frozenset({str, int, bool, type(None), uuid.UUID})


def _aware(value) -> bool:
    """An aware datetime, which psycopg writes as it is (the field would return it unchanged)."""
    return value.__class__ is datetime and value.tzinfo is not None


def _stage(db, cursor, model: type[Model], fields: list, rows: Iterable[tuple]) -> str:
    """A temporary table of the model table's columns holding ``rows`` (values of ``fields``, the other
    columns left empty), sent with COPY. One per model and session, emptied at every commit (and here,
    for a second call in one transaction): a table made and dropped for every chunk would churn the
    catalog at the pace of the booths' scans, and one per set of columns would multiply."""
    quote = db.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    stage = quote(f"stage_{model._meta.db_table}")
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT *"
        f" FROM {quote(model._meta.db_table)} WITH NO DATA"
    )
    cursor.execute(f"DELETE FROM {stage}")
    # Each value as the field prepares it for the database, except those psycopg writes as they are (a
    # text, a number, a boolean, a UUID, None, an aware datetime): half the time of a chunk of scans went
    # into preparing values that came out unchanged. JSON is always prepared (a text in a JSON field is a
    # JSON string).
    prepared = [
        (functools.partial(field.get_db_prep_save, connection=db), isinstance(field, JSONField))
        for field in fields
    ]
    with cursor.connection.cursor() as raw, raw.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    value
                    if not always and (value.__class__ in _WRITTEN_AS_IS or _aware(value))
                    else prepare(value)
                    for value, (prepare, always) in zip(row, prepared, strict=True)
                ]
            )
    return stage


def _writable(model: type[Model], names: list[str] | None) -> list:
    meta = model._meta
    if names is not None:
        return [meta.get_field(name) for name in names]
    return [f for f in meta.local_concrete_fields if not f.primary_key and not f.generated]


def _instance_rows(objects: list[Model], fields: list, add: bool) -> list[tuple]:
    """Instances' values of ``fields``, each first set as saving sets it (``auto_now``)."""
    for field in fields:
        if type(field).pre_save is not Field.pre_save:
            for obj in objects:
                field.pre_save(obj, add)
    names = [field.attname for field in fields]
    return [tuple(getattr(obj, name) for name in names) for obj in objects]


def _writing(model: type[Model]) -> tuple[str, object]:
    """The database alias ``model`` writes to, and its connection."""
    alias = router.db_for_write(model)
    return alias, connections[alias]


def copy_insert(objects: list[Model], fields: list[str] | None = None) -> None:
    """Insert unsaved instances of one model (their ``fields``, else every column but the id and generated
    ones), leaving out any that a unique constraint refuses (one a concurrent writer added): bulk_create
    with ``ignore_conflicts``, without the instances' ids. ``copy_insert_values`` takes values instead
    of instances."""
    if not objects:
        return
    model = type(objects[0])
    written = _writable(model, fields)
    alias, db = _writing(model)
    if db.vendor != "postgresql":
        model.objects.using(alias).bulk_create(objects, ignore_conflicts=True, batch_size=500)
        return
    copy_insert_values(model, [f.name for f in written], _instance_rows(objects, written, add=True))


def copy_insert_values(model: type[Model], fields: list[str], rows: list[tuple]) -> None:
    """Insert ``rows``, values of ``fields`` of ``model`` in that order, as new rows of its table: the
    other columns take their fields' defaults (a callable one called for each row). Rows a unique
    constraint refuses (one a concurrent writer added) are left out, as ``bulk_create`` with
    ``ignore_conflicts`` does.

    On PostgreSQL through COPY into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT DO
    NOTHING``: ``bulk_create`` binds every value as a parameter of one statement, and Django and psycopg
    spent several times longer building the statement than the database spent running it (an import's
    chunk of scans, bench/imports.py); making a model instance of each row cost as much again.
    """
    if not rows:
        return
    given = _writable(model, fields)
    alias, db = _writing(model)
    if db.vendor != "postgresql":
        names = [f.attname for f in given]
        model.objects.using(alias).bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows],
            ignore_conflicts=True,
            batch_size=500,
        )
        return
    missing = [  # a database default applies by itself
        f
        for f in _writable(model, None)
        if f.name not in fields and f.attname not in fields and not f.has_db_default()
    ]
    called = [f for f in missing if f.has_default() and callable(f.default)]  # uuid4, now: one per row
    constant = [f for f in missing if f not in called]
    if constant:
        defaults = tuple(f.get_default() for f in constant)
        rows = [row + defaults for row in rows]
    if called:
        rows = [row + tuple(f.default() for f in called) for row in rows]
    every = [*given, *constant, *called]
    columns = ", ".join(db.ops.quote_name(field.column) for field in every)
    with transaction.atomic(using=alias, savepoint=False), db.cursor() as cursor:
        stage = _stage(db, cursor, model, every, rows)
        cursor.execute(
            f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) SELECT {columns} FROM {stage}"
            " ON CONFLICT DO NOTHING"
        )


def copy_update(objects: list[Model], fields: list[str]) -> None:
    """Write ``fields`` of saved instances of one model (``copy_update_values`` with their values)."""
    if not objects:
        return
    model = type(objects[0])
    alias, db = _writing(model)
    if db.vendor != "postgresql":
        model.objects.using(alias).bulk_update(objects, fields, batch_size=500)
        return
    written = _writable(model, fields)
    copy_update_values(
        model, [f.name for f in written], _instance_rows(objects, [model._meta.pk, *written], add=False)
    )


def copy_update_values(model: type[Model], fields: list[str], rows: list[tuple]) -> None:
    """Write ``fields`` of existing rows of ``model``: each row is (pk, *values of ``fields``).
    ``bulk_update``, in one ``UPDATE ... FROM`` a COPYed temporary table on PostgreSQL (``bulk_update``
    writes a ``CASE`` of every row per column)."""
    if not rows:
        return
    alias, db = _writing(model)
    written = _writable(model, fields)
    if db.vendor != "postgresql":
        names = [f.attname for f in written]
        objects = [model(pk=row[0], **dict(zip(names, row[1:], strict=True))) for row in rows]
        model.objects.using(alias).bulk_update(objects, [f.name for f in written], batch_size=500)
        return
    quote, pk = db.ops.quote_name, model._meta.pk
    with transaction.atomic(using=alias, savepoint=False), db.cursor() as cursor:
        stage = _stage(db, cursor, model, [pk, *written], rows)
        assignments = ", ".join(f"{quote(f.column)} = new.{quote(f.column)}" for f in written)
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} AS old SET {assignments} FROM {stage} AS new"
            f" WHERE old.{quote(pk.column)} = new.{quote(pk.column)}"
        )
