"""Trigram indexes for searching leads by name, email, company or title (PostgreSQL only).

The lead lists' search (``tracker.lists.filters.search_attendee``) is ``icontains`` on five attendee columns,
i.e. ``UPPER(column::text) LIKE UPPER('%word%')``, which no B-tree can serve: without these indexes every
search reads every attendee of the leads listed. A GIN trigram index on each expression lets PostgreSQL
combine them in a BitmapOr: with 1M scans (316k leads at one booth, bench/lead_list.py) the rows of a
search for a common word take 0.1 s instead of 1.8 s, and a search for one person's email is answered
from the index. They are built CONCURRENTLY (so outside a transaction), since attendees keep arriving during
an event; the migration state is unchanged (the models declare no such index), and on SQLite both ways
do nothing. Going back drops the indexes but keeps the pg_trgm extension, which something else may use
(``django.contrib.postgres``' TrigramExtension would drop it, and its reverse fails on SQLite).
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "company", "title")


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # trusted: no superuser needed
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS attendee_{column}_trgm_idx ON tracker_attendee "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )
    # Statistics on the indexed expressions, so that the planner knows how rare a searched word is
    # (without them it may walk a whole booth in page order looking for one email).
    schema_editor.execute("ANALYZE tracker_attendee")


def drop_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS attendee_{column}_trgm_idx")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker", "0006_export_jobs"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
