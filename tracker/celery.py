"""The Celery application.

Without ``REDIS_URL`` tasks run in-process (eager), so a newcomer needs no broker; with it they go
through Redis to real workers (``make worker``, ``make beat``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# Nothing here imports Django's database layer: the web server's config imports this package before
# gevent patches threading, and connections made thread-local before that are shared by every greenlet.

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
    "tracker.imports.jobs",
    "tracker.privacy.retention",
    "tracker.crm.push",
    "tracker.crm.propagation",
)
