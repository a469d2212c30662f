"""psycopg cursors of a kind Django does not make, wrapped as Django wraps its own.

Two hot paths talk to psycopg more directly than the ORM does: the scan intake's grouped insert (a raw
cursor, PostgreSQL's own ``$n`` placeholders) and the exports' reading (psycopg's own loaders). Their
cursors still go through Django's wrapper, so they are logged with ``DEBUG``, counted by tests' query
assertions, and pass through ``execute_wrapper``s like any other query.
"""

from __future__ import annotations


def driver_cursor(db, cursor_class):
    """A ``cursor_class`` (a psycopg cursor class) on ``db``'s connection, in Django's cursor wrapper.

    ``db`` is a PostgreSQL connection (``connections[alias]``); the raw cursor's own attributes, such as
    ``adapters``, are reached through the wrapper.
    """
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = cursor_class(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
