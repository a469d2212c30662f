"""psycopg cursors of a kind Django does not make, wrapped as Django wraps its own.

Two hot paths talk to psycopg more directly than the ORM does: the scan intake's grouped insert (a raw
cursor, PostgreSQL's own ``$n`` placeholders) and the exports' reading (psycopg's own loaders). Their
cursors still go through Django's wrapper, so they are logged with ``DEBUG``, counted by tests' query
assertions, and pass through ``execute_wrapper``s like any other query.
"""

from __future__ import annotations

from django.db import connections


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
