"""Reading and writing below the ORM, in one place: psycopg cursors of a kind Django does not make
(wrapped as Django wraps its own), rows as the driver gives them, and id lists as one array parameter.

Hot paths talk to the database more directly than the ORM does: the scan intake's grouped insert (a raw
cursor, PostgreSQL's own ``$n`` placeholders), the exports' reading (psycopg's own loaders), rescoring's
reading (the driver's rows) and every chunk of ids (``among``). Their cursors still go through Django's
wrapper, so they are logged with ``DEBUG``, counted by tests' query assertions, and pass through
``execute_wrapper``s like any other query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import BooleanField, Expression, F, Q


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
    """``field = ANY(%s)`` with the ids as one array parameter (PostgreSQL).

    ``field IN (%s, %s, ...)`` with a chunk of 2,000 ids spent more time turning the ids into parameters
    and the query text into a statement (in Django and psycopg) than the database spent running it.
    """

    output_field = BooleanField()

    def __init__(self, field: str, ids: list[int]):
        super().__init__()
        self.column, self.ids = F(field), list(ids)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s::bigint[])", (*params, int_array(self.ids))


def int_array(ids: Iterable[int]) -> str:
    """Integer ids as one PostgreSQL array literal, a text parameter for ``= ANY(%s::bigint[])``.

    Django binds parameters on the client, and psycopg spells a list of thousands of ints out into the
    statement far more slowly than this join (three such lists a rescoring chunk).
    """
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def among(model, field: str, ids: list[int]) -> Q | _AnyOf:
    """The condition "``field`` is one of ``ids``", in the cheapest form the model's database takes."""
    if connections[router.db_for_read(model)].vendor == "postgresql":
        return _AnyOf(field, ids)
    return Q(**{f"{field}__in": ids})


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
