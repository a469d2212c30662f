"""Pushing a sponsor's qualified leads into its CRM: queued as rows, claimed and sent in batches by a task.

A lead qualifies for a connection when it is graded at or above the connection's minimum, not
excluded, not erased, and agreed to be contacted. ``push_queue`` marks the qualifying leads among those
asked for as waiting (one ``CrmPush`` row per connection and lead) and, once the transaction commits,
queues the connection's task. ``push_run`` claims the waiting rows a batch at a time (the API's: HubSpot
100, Salesforce 200): in a short transaction, skipping rows another run has locked, they become
``sending`` under a claim of the run's own. It then checks again that each lead still qualifies (consent,
erasure) right before sending, and writes what the CRM said only where its claim still holds. So two runs
at once never send a row twice, and nothing else changes a row being sent: propagation leaves it alone,
and the run itself passes on a consent withdrawn or an erasure that came while it was sending, once the
row holds the CRM's record id. A cache lock keeps a second run of one connection from sending at the same
time (the first one takes its rows). Upserts make it idempotent: HubSpot's by email (by the connection's
external id property for a lead without one), Salesforce's by the external id field holding
``booth-lead-<id>``, so a second push or a retried task updates the record the first push made.

Rate limits and an unavailable CRM (``CrmBusy``) put the batch being sent back to waiting and run the task
again after a doubling countdown (``tracker.crm.outages``); after hours of it the rows fail as an outage,
and the sweep queues them again later. A claim left by a worker that died is released by the sweep.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tracker.crm.clients import CrmBusy
from tracker.crm.facts import qualifying_leads
from tracker.crm.outages import Outage
from tracker.crm.sending import Pushed, Sleep, fail_waiting, send_waiting
from tracker.drivercursors import among
from tracker.models import CrmConnection, CrmPush, Lead
from tracker.models.crm import CrmPushStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.retries import RETRY_TRANSIENT

WAITING, SENDING = CrmPushStatus.WAITING, CrmPushStatus.SENDING
PUSHED, FAILED = CrmPushStatus.PUSHED, CrmPushStatus.FAILED
QUEUE_CHUNK = 1000
# Waiting rows older than this whose task was lost (the broker down when it was queued) are sent again.
STALE_AFTER = timedelta(minutes=10)
TIME_LIMIT = 1900  # the task's hard limit, in seconds: its worker process is killed past it
# A claim older than the task's hard limit belongs to a run that is gone: the sweep releases it.
CLAIM_STALE = timedelta(seconds=TIME_LIMIT + 500)
# Rows failed by an outage are queued again by the sweep this long after, while younger than OUTAGE_KEPT.
OUTAGE_AGAIN_AFTER = timedelta(hours=1)
OUTAGE_KEPT = timedelta(days=3)
GATHER_SECONDS = 5  # pushes after scoring share one task started this long after the first
RUN_ROUNDS = 3  # a run looks again for rows queued while it held the lock, this many times at most


def push_queue(
    connection: CrmConnection, *, lead_ids: Iterable[int] | None = None, by_user=None, gather: bool = False
) -> int:
    """Mark the qualifying leads among ``lead_ids`` (all the sponsor's if None) as waiting and send the
    connection's task once the transaction commits; how many were queued. ``by_user`` (a manager's "Push
    now") is recorded in the audit log; ``gather`` lets the leads of the next seconds share the task."""
    leads = qualifying_leads(connection)
    if lead_ids is not None:
        lead_ids = list(lead_ids)
        if not lead_ids:
            return 0
        leads = leads.filter(among(Lead, "pk", lead_ids))
    ids = list(leads.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), QUEUE_CHUNK):
        chunk = ids[start : start + QUEUE_CHUNK]
        CrmPush.objects.bulk_create(
            [CrmPush(connection=connection, lead_id=pk, status=WAITING, queued_at=now, updated_at=now)
             for pk in chunk],
            ignore_conflicts=True,
        )  # fmt: skip
        # A row being sent stays its run's: that run reads the lead as it is now.
        CrmPush.objects.filter(among(CrmPush, "lead_id", chunk), connection=connection).exclude(
            status=SENDING
        ).update(status=WAITING, message="", outage=False, queued_at=now, updated_at=now)
    if by_user is not None:
        audit(AuditAction.CRM_PUSH, user=by_user, sponsor_id=connection.sponsor_id,
              summary=f"Pushed {len(ids)} qualified lead(s) to {connection.get_kind_display()}",
              connection=connection.pk, leads=len(ids))  # fmt: skip
    if ids:
        transaction.on_commit(lambda: push_enqueue(connection.pk, gather=gather), robust=True)
    return len(ids)


def push_after_scoring(sponsor_id: int, lead_ids: Iterable[int]) -> None:
    """Queue freshly scored leads for the sponsor's connections that push on their own. Without such a
    connection this costs one query on the connections' (sponsor, kind) index."""
    for connection in CrmConnection.objects.filter(sponsor_id=sponsor_id, auto_push=True):
        push_queue(connection, lead_ids=lead_ids, gather=True)


def push_enqueue(connection_id: int, *, gather: bool = False) -> None:
    """Send the connection's push to a worker; with the broker down, say so (the sweep sends it later).

    ``gather`` (pushes after scoring: one lead a scan, in a rush many a second) starts the task a few
    seconds later, once: the leads queued meanwhile find a task already coming and go with it. Their rows
    are committed before this is called, and the task starts after the window closes, so it sees them all.
    """
    countdown = None
    if gather and not crm_push.app.conf.task_always_eager:
        try:
            if not cache.add(f"crm-push-gathering:{connection_id}", 1, timeout=GATHER_SECONDS):
                return
            countdown = GATHER_SECONDS + 1
        except Exception:  # the cache is down: a task of its own, as without gathering
            countdown = None
    try:
        crm_push.apply_async((connection_id,), countdown=countdown)
    except Exception as error:  # kombu raises several kinds when Redis is down
        CrmConnection.objects.filter(pk=connection_id).update(
            last_error=f"Could not start the push: the task queue is unavailable ({type(error).__name__});"
            " it starts within ten minutes."
        )


def push_run(connection_id: int, *, sleep: Sleep = time.sleep) -> Pushed:
    """Send the connection's waiting leads, batch by batch, and record what the CRM said of each.

    Raises ``CrmBusy`` when the CRM stays rate-limited or unavailable: what was sent stays sent, the rest
    waits for the task's retry. Returns at once when another run holds the connection's lock.
    """
    outcome = Pushed()
    connection = CrmConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return outcome
    claim = uuid.uuid4().hex
    for _ in range(RUN_ROUNDS):
        if not _lock(connection.pk, claim):
            outcome.elsewhere = True
            return outcome
        try:
            problem = send_waiting(connection, claim, outcome, sleep)
        finally:
            _unlock(connection.pk, claim)
        if problem:
            return outcome
        # Rows queued while the lock was held: their own task found it held and left them to this run.
        if not CrmPush.objects.filter(connection=connection, status=WAITING).exists():
            break
    CrmConnection.objects.filter(pk=connection.pk).update(
        last_push_at=timezone.now(), last_error="", retry_at=None
    )
    return outcome


def _lock_key(connection_id: int) -> str:
    return f"crm-push-running:{connection_id}"


def _lock(connection_id: int, claim: str) -> bool:
    """The connection's run lock, held for at most the task's hard limit (its worker may die holding it).
    Politeness to the CRM only: the claims keep two runs apart, so a cache that is down lets the run go."""
    try:
        return bool(cache.add(_lock_key(connection_id), claim, timeout=TIME_LIMIT + 60))
    except Exception:
        return True


def _unlock(connection_id: int, claim: str) -> None:
    try:
        if cache.get(_lock_key(connection_id)) == claim:
            cache.delete(_lock_key(connection_id))
    except Exception:  # it expires on its own
        pass


def push_give_up(connection_id: int, reason: str) -> int:
    """After hours of a CRM unavailable: the connection's waiting leads fail with its last answer, as an
    outage (the sweep queues them again later)."""
    connection = CrmConnection.objects.filter(pk=connection_id).first()
    if connection is None:  # disconnected meanwhile: its rows went with it
        return 0
    name = connection.get_kind_display()
    message = f"{name} stayed unavailable ({reason}); tried again within hours, or press Push now."
    CrmConnection.objects.filter(pk=connection_id).update(retry_at=None, last_error=message[:500])
    return fail_waiting(connection, "", message, outage=True)


def push_wait(connection_id: int, busy: CrmBusy, outage: dict | None, *, now: float | None = None) -> dict:
    """The CRM stayed busy or unavailable: the task again after a doubling countdown, or after hours of it
    the waiting leads fail (``tracker.crm.outages``); at once where tasks run in-process (no broker)."""
    now = time.time() if now is None else now
    state = Outage.of(outage, now)
    countdown = state.countdown(busy.wait, now)
    if countdown is None or crm_push.app.conf.task_always_eager:  # in-process tasks have no queue to wait in
        return {"failed": push_give_up(connection_id, str(busy))}
    # The sweep leaves the connection to this retry.
    retry_at = timezone.now() + timedelta(seconds=countdown)
    CrmConnection.objects.filter(pk=connection_id).update(retry_at=retry_at)
    try:
        crm_push.apply_async((connection_id,), {"outage": state.then(countdown)}, countdown=countdown)
    except Exception:  # the broker is down: the sweep sends it later
        CrmConnection.objects.filter(pk=connection_id).update(retry_at=None)
    return {"retry_in": countdown}


def pushes_resume_stale(now=None) -> int:
    """Release the claims of runs that are gone, queue again the leads an outage failed an hour ago (for a
    few days), and send again the connections with leads waiting longer than a push takes (a lost task),
    except those a task is still waiting out an outage for; how many connections were sent again."""
    now = now or timezone.now()
    retrying = CrmConnection.objects.filter(retry_at__gt=now - STALE_AFTER).values("pk")
    stale_claims = CrmPush.objects.filter(status=SENDING, claimed_at__lt=now - CLAIM_STALE)
    outages = CrmPush.objects.filter(
        status=FAILED, outage=True, updated_at__lt=now - OUTAGE_AGAIN_AFTER, queued_at__gte=now - OUTAGE_KEPT
    ).exclude(connection__in=retrying)
    waiting = CrmPush.objects.filter(status=WAITING, updated_at__lt=now - STALE_AFTER).exclude(
        connection__in=retrying
    )
    ids = set()
    for rows in (stale_claims, outages, waiting):
        ids.update(rows.values_list("connection_id", flat=True).distinct())
    stale_claims.update(status=WAITING, claim="", claimed_at=None, updated_at=now)
    outages.update(status=WAITING, outage=False, updated_at=now)
    for connection_id in sorted(ids):
        push_enqueue(connection_id)
    return len(ids)


@shared_task(
    bind=True, name="tracker.crm_push", soft_time_limit=1800, time_limit=TIME_LIMIT, **RETRY_TRANSIENT
)
def crm_push(self, connection_id: int, outage: dict | None = None) -> dict:
    """Send a connection's waiting leads; a busy CRM runs the task again later (``push_wait``)."""
    try:
        return asdict(push_run(connection_id))
    except CrmBusy as busy:
        return push_wait(connection_id, busy, outage)


@shared_task(name="tracker.sweep_crm_pushes")
def sweep_crm_pushes() -> int:
    """Periodic safety net: stale claims released, outages tried again, lost pushes sent again."""
    return pushes_resume_stale()
