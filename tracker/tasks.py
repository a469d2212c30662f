"""Celery tasks: thin interfaces that take ids, and call one service function."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import OperationalError

from tracker.exports.reader import forked_reading
from tracker.exports.service import export_run, exports_clean_up
from tracker.followups.creation import follow_ups_create, sponsorships_due_for_follow_ups
from tracker.followups.digest import digests_send
from tracker.models import Event
from tracker.scans.processing import release_kick, scans_process, scans_sweep
from tracker.scoring.jobs import rescore_chunk_run, rescore_resume_stalled
from tracker.scoring.service import scores_sweep

# Transient database trouble (a failover, a restart) is retried with backoff, below the broker's
# visibility timeout; other errors are bugs and fail loudly.
RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(name="tracker.health_check")
def health_check(event_slug: str) -> dict:
    """Prove a worker reaches the broker and the database: echo where it ran and what it found."""
    event = Event.objects.filter(slug=event_slug).values("name", "start_date").first()
    return {
        "worker_host": socket.gethostname(),
        "event": event["name"] if event else None,
        "start_date": event["start_date"].isoformat() if event else None,
    }


@shared_task(name="tracker.process_scans", **RETRY)
def process_scans(sponsorship_id: int) -> int:
    """Match a booth's pending scans to leads, and score those leads."""
    release_kick(sponsorship_id)
    return scans_process(sponsorship_id)


@shared_task(name="tracker.sweep_pending_scans")
def sweep_pending_scans() -> int:
    """Periodic safety net: match scans that no task picked up."""
    return scans_sweep()


@shared_task(name="tracker.rescore_chunk", **RETRY)
def rescore_chunk(job_id: int, after_id: int) -> int:
    """One chunk of rescoring after an ICP was published."""
    return rescore_chunk_run(job_id, after_id)


@shared_task(name="tracker.sweep_scores")
def sweep_scores() -> dict:
    """Periodic safety net: resume stalled rescoring jobs, score unscored or outdated leads."""
    return {"resumed_jobs": rescore_resume_stalled(), "scored": scores_sweep()}


@shared_task(name="tracker.create_follow_ups_for_ended_events")
def create_follow_ups_for_ended_events() -> int:
    """Periodic: booths whose event ended get their follow-ups, once."""
    created = 0
    for sponsorship in sponsorships_due_for_follow_ups():
        created += follow_ups_create(sponsorship=sponsorship).created
    return created


@shared_task(name="tracker.send_overdue_digests")
def send_overdue_digests() -> int:
    """Periodic: one overdue digest per owner per day."""
    return digests_send()


@shared_task(name="tracker.run_export", soft_time_limit=1800, time_limit=1900, **RETRY)
def run_export(job_id: int) -> int:
    """Write one export's file, reporting progress on its log entry (its next chunk read ahead by a
    forked reader: a worker's task is the one place that may fork)."""
    with forked_reading():
        return export_run(job_id).row_count


@shared_task(name="tracker.clean_up_exports")
def clean_up_exports() -> int:
    """Periodic: delete expired export files."""
    return exports_clean_up()
