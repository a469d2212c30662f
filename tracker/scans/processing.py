"""Matching accepted scans to leads, soon after they arrive, in chunks, exactly once.

``scans_process_soon`` is called after an intake commits. Without a broker it matches at once,
in-process. With one, it queues at most one task per booth at a time (a short Redis key debounces a
rush of scans into one task), and a periodic sweep catches anything a lost message or a down broker
left pending. Pending rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``, so several
workers share a booth's backlog without matching a scan twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.models import Scan
from tracker.retries import RETRY_TRANSIENT
from tracker.scans.matching import scans_match
from tracker.scoring.service import leads_score_current

log = logging.getLogger(__name__)
CHUNK = 200
KICK_KEY = "tracker:scan-processing:{sponsorship_id}"
KICK_TTL_SECONDS = 30
SWEEP_AFTER = timedelta(seconds=60)


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def scans_process_soon(sponsorship_ids: list[int]) -> None:
    """Have the booths' pending scans matched: now without a broker, by a worker with one."""
    for sponsorship_id in sponsorship_ids:
        if process_scans.app.conf.task_always_eager:
            scans_process(sponsorship_id)
        elif _redis().set(KICK_KEY.format(sponsorship_id=sponsorship_id), 1, nx=True, ex=KICK_TTL_SECONDS):
            process_scans.delay(sponsorship_id)


def scans_process(sponsorship_id: int, *, limit: int | None = None) -> int:
    """Match the booth's pending scans, oldest first, a chunk per transaction; returns how many."""
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            chunk = list(
                Scan.objects.pending()
                .filter(sponsorship_id=sponsorship_id)
                .select_related("sponsorship")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("received_at", "pk")[:CHUNK]
            )
            scans_match(chunk, timezone.now())
        # Scored once the match is committed: a scoring failure never undoes a match.
        leads_score_current({scan.lead_id for scan in chunk if scan.lead_id})
        done += len(chunk)
        if len(chunk) < CHUNK:
            break
    return done


def release_kick(sponsorship_id: int) -> None:
    """Let the next arriving scan queue a new task (called as a task starts, before it reads)."""
    if settings.REDIS_URL:
        _redis().delete(KICK_KEY.format(sponsorship_id=sponsorship_id))


def scans_sweep() -> int:
    """Match scans left pending for a while (broker down, lost message); returns how many."""
    cutoff = timezone.now() - SWEEP_AFTER
    booths = (
        Scan.objects.pending()
        .filter(received_at__lt=cutoff)
        .values_list("sponsorship_id", flat=True)
        .distinct()
    )
    total = 0
    for sponsorship_id in list(booths):
        total += scans_process(sponsorship_id)
    if total:
        log.warning("Swept %d scans that were left pending.", total)
    return total


@shared_task(name="tracker.process_scans", **RETRY_TRANSIENT)
def process_scans(sponsorship_id: int) -> int:
    """Match a booth's pending scans to leads, and score those leads."""
    release_kick(sponsorship_id)
    return scans_process(sponsorship_id)


@shared_task(name="tracker.sweep_pending_scans")
def sweep_pending_scans() -> int:
    """Periodic safety net: match scans that no task picked up."""
    return scans_sweep()
