"""The worker health check: proves a worker reaches the broker and the database."""

from __future__ import annotations

import socket

from celery import shared_task

from tracker.models import Event


@shared_task(name="tracker.health_check")
def health_check(event_slug: str) -> dict:
    """Echo where the task ran and what it found of the event."""
    event = Event.objects.filter(slug=event_slug).values("name", "start_date").first()
    return {
        "worker_host": socket.gethostname(),
        "event": event["name"] if event else None,
        "start_date": event["start_date"].isoformat() if event else None,
    }
