"""Three indexes that every write paid for and no query needed.

- Lead.sponsorship's own index: two others start with it (the unique (sponsorship, attendee) and
  lead_sponsorship_recent_idx), and every lead write (a scan updates its lead's counters) paid for a
  third. Only the index is dropped: AlterField would also drop and re-check the foreign key over every
  lead.
- leadscore_grade_score_idx and LeadScore.icp's index: a rescore writes every index of the score table
  for every changed score (a publish changes every score's icp, and while an index covers a changed
  column PostgreSQL cannot update the row in place). The lists read best-first pages from
  leadscore_rank_idx (0009); nothing reads scores by grade through this index, nor by version but an
  ICP's deletion check.
"""

import django.db.models.deletion
from django.db import migrations, models

def without_own_index(model_name: str, name: str, field: models.ForeignKey, index: str, column: str):
    """The foreign key ``field`` declared without an index, and only its index dropped (by the name
    Django gave it, on SQLite and PostgreSQL): AlterField would also drop and re-check the key."""
    table = f"tracker_{model_name}"
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[
            migrations.RunSQL(
                f"DROP INDEX IF EXISTS {index}",
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})",
                elidable=False,
            ),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_attendee_search_text"),
    ]

    operations = [
        without_own_index(
            "lead",
            "sponsorship",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="leads",
                to="tracker.sponsorship",
            ),
            index="tracker_lead_sponsorship_id_6e56fdc1",
            column="sponsorship_id",
        ),
        without_own_index(
            "leadscore",
            "icp",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="tracker.idealcustomerprofile",
            ),
            index="tracker_leadscore_icp_id_81c2a87f",
            column="icp_id",
        ),
        migrations.RemoveIndex(model_name="leadscore", name="leadscore_grade_score_idx"),
    ]
