"""The Celery application.

Without ``REDIS_URL`` tasks run in-process (eager), so a newcomer needs no broker; with it they go
through Redis to real workers (``make worker``, ``make beat``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
