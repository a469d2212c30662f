"""One lower-cased search text per attendee, with one trigram index, for the lead lists' search.

The search had been ``icontains`` on five columns with a trigram index on each (0007). A common word
("labs": 61k of 600k attendees) makes PostgreSQL test the candidates one by one, and each test was up to
five ``UPPER(column) LIKE`` calls: counting the first 5,000 matches of a 316k-lead booth took 260 ms.
``search_text`` is a stored generated column (name, email, company and title in lower case), kept by
the database on every write, so one ``LIKE`` on it replaces the five. Adding it rewrites the attendee
table once. On PostgreSQL its trigram index is built CONCURRENTLY, then the five old ones are dropped;
on SQLite there are no trigram indexes either way.
"""

from django.db import migrations, models
from django.db.models.functions import Concat, Lower

OLD_COLUMNS = ("first_name", "last_name", "email", "company", "title")


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def swap_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS attendee_search_trgm_idx ON tracker_attendee"
        " USING gin (search_text gin_trgm_ops)"
    )
    for column in OLD_COLUMNS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS attendee_{column}_trgm_idx")
    schema_editor.execute("ANALYZE tracker_attendee")  # statistics of the new column, for the planner


def restore_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for column in OLD_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS attendee_{column}_trgm_idx ON tracker_attendee "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS attendee_search_trgm_idx")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker", "0009_lead_score_rank_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendee",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=Lower(
                    Concat(
                        "first_name", models.Value(" "), "last_name", models.Value(" "), "email",
                        models.Value(" "), "company", models.Value(" "), "title",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(swap_indexes, restore_indexes, elidable=False),
    ]
