"""Celery tasks: thin interfaces that load by id and call one service function."""

from __future__ import annotations

import socket

from celery import shared_task

from tracker.models import Event


@shared_task(name="tracker.health_check")
def health_check(event_slug: str) -> dict:
    """Prove a worker reaches the broker and the database: echo where it ran and what it found."""
    event = Event.objects.filter(slug=event_slug).values("name", "start_date").first()
    return {
        "worker_host": socket.gethostname(),
        "event": event["name"] if event else None,
        "start_date": event["start_date"].isoformat() if event else None,
    }
