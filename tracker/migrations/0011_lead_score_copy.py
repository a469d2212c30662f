"""Each lead keeps a copy of its score and grade, and PostgreSQL an index to list leads best first.

The lists sorted by the score of a LEFT-joined table, with unscored leads last; no index can give that
order, so "all leads of a sponsor, best first" joined and sorted every matching lead (440 ms at 1M scans,
bench/lead_list.py). With ``Lead.score_value`` and ``Lead.grade`` (kept by tracker.scoring.store and
``LeadScore.save``/``delete``) and ``lead_score_rank_idx (score_value DESC NULLS LAST, id DESC)``, the
first page is read from the index. The index on the score table that served the old sort
(``leadscore_rank_idx``, 0009) is dropped: nothing sorts by it any more, and every rescore paid for it.
Adding nullable columns does not rewrite the table; the copy is filled from the stored scores in one
statement; the index is built CONCURRENTLY. On SQLite there are neither of these indexes.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS lead_score_rank_idx"
    " ON tracker_lead (score_value DESC NULLS LAST, id DESC)"
)
OLD = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS leadscore_rank_idx"
    " ON tracker_leadscore (score DESC NULLS LAST, lead_id DESC)"
)


def copy_scores(apps, schema_editor):
    Lead, LeadScore = apps.get_model("tracker", "Lead"), apps.get_model("tracker", "LeadScore")
    scores = LeadScore.objects.filter(lead_id=OuterRef("pk"))
    Lead.objects.using(schema_editor.connection.alias).filter(score__isnull=False).update(
        score_value=Subquery(scores.values("score")[:1]), grade=Subquery(scores.values("grade")[:1])
    )


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS leadscore_rank_idx")
        schema_editor.execute("ANALYZE tracker_lead")


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD)
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS lead_score_rank_idx")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction; leads keep arriving

    dependencies = [
        ("tracker", "0010_attendee_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="score_value",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="grade",
            field=models.CharField(
                blank=True,
                choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
                editable=False,
                max_length=1,
                null=True,
            ),
        ),
        migrations.RunPython(copy_scores, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(swap_indexes, restore_indexes, elidable=False),
    ]
