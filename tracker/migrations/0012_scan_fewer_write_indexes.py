"""Two indexes of the scan table that every stored scan paid for and no query needed.

Scan.sponsorship's and Scan.lead's own indexes: the unique (sponsorship, client_uuid) index and
scan_sponsorship_recent_idx start with the sponsorship, scan_lead_time_idx with the lead, and serve every
lookup by either key (the foreign keys' own checks and cascades included). A booth rush inserts scans
into eight indexes; six now. Only the indexes are dropped, as in 0011.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

without_own_index = import_module("tracker.migrations.0011_fewer_write_indexes").without_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0011_fewer_write_indexes"),
    ]

    operations = [
        without_own_index(
            "scan",
            "sponsorship",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scans",
                to="tracker.sponsorship",
            ),
            index="tracker_scan_sponsorship_id_f1edc13e",
            column="sponsorship_id",
        ),
        without_own_index(
            "scan",
            "lead",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scans",
                to="tracker.lead",
            ),
            index="tracker_scan_lead_id_7128a485",
            column="lead_id",
        ),
    ]
