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

# The names Django gave the foreign keys' indexes, on SQLite and PostgreSQL.
LEAD_SPONSORSHIP_INDEX = "tracker_lead_sponsorship_id_6e56fdc1"
SCORE_ICP_INDEX = "tracker_leadscore_icp_id_81c2a87f"


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_attendee_search_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lead",
                    name="sponsorship",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="leads",
                        to="tracker.sponsorship",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {LEAD_SPONSORSHIP_INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {LEAD_SPONSORSHIP_INDEX} ON tracker_lead (sponsorship_id)",
                    elidable=False,
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="leadscore",
                    name="icp",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="scores",
                        to="tracker.idealcustomerprofile",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {SCORE_ICP_INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {SCORE_ICP_INDEX} ON tracker_leadscore (icp_id)",
                    elidable=False,
                ),
            ],
        ),
        migrations.RemoveIndex(model_name="leadscore", name="leadscore_grade_score_idx"),
    ]
