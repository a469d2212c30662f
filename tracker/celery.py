"""The Celery application.

Without ``REDIS_URL`` tasks run in-process (eager), so a newcomer needs no broker; with it they go
through Redis to real workers (``make worker``, ``make beat``).
"""

import os

from celery import Celery
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside the services they call (as pretix keeps them); workers import these modules.
app.conf.imports = (
    "tracker.health",
    "tracker.scans.processing",
    "tracker.scoring.jobs",
    "tracker.followups.creation",
    "tracker.followups.digest",
    "tracker.exports.service",
)

# Transient database trouble (a failover, a restart) is retried with backoff, below the broker's
# visibility timeout; other errors are bugs and fail loudly. For tasks that may safely run again.
RETRY_TRANSIENT = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}
