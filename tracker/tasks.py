"""Celery tasks: thin interfaces that take ids, and call one service function."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import OperationalError

from tracker.models import Event
from tracker.scans.processing import release_kick, scans_process, scans_sweep


@shared_task(name="tracker.health_check")
def health_check(event_slug: str) -> dict:
    """Prove a worker reaches the broker and the database: echo where it ran and what it found."""
    event = Event.objects.filter(slug=event_slug).values("name", "start_date").first()
    return {
        "worker_host": socket.gethostname(),
        "event": event["name"] if event else None,
        "start_date": event["start_date"].isoformat() if event else None,
    }


@shared_task(
    name="tracker.process_scans",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def process_scans(sponsorship_id: int) -> int:
    """Match a booth's pending scans to leads."""
    release_kick(sponsorship_id)
    return scans_process(sponsorship_id)


@shared_task(name="tracker.sweep_pending_scans")
def sweep_pending_scans() -> int:
    """Periodic safety net: match scans that no task picked up."""
    return scans_sweep()
