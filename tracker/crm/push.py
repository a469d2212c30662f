"""Pushing a sponsor's qualified leads into its CRM: queued as rows, sent in batches by a task.

A lead qualifies for a connection when it is graded at or above the connection's minimum, not
excluded, not erased, and agreed to be contacted. ``push_queue`` marks the qualifying leads among those
asked for as waiting (one ``CrmPush`` row per connection and lead) and, once the transaction commits,
queues the connection's task; ``push_run`` sends the waiting rows in batches the API takes (HubSpot
100, Salesforce 200) and records what the CRM said of each. Upserts make it idempotent: HubSpot's by
email (by the connection's external id property for a lead without one), Salesforce's by the external
id field holding ``booth-lead-<id>``, so a second push, a retried task or two runs at once update the
record the first push made. Rate limits and an unavailable CRM leave the rows waiting and retry the task
after the wait the CRM asked for (``tracker.crm.clients``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tracker.crm.clients import HUBSPOT_BATCH, SALESFORCE_BATCH, CrmBusy, CrmError, RecordResult
from tracker.crm.connections import client_for
from tracker.crm.facts import leads_facts
from tracker.crm.mapping import LeadFacts, crm_properties, external_id
from tracker.crm.secrets import SecretUnreadable
from tracker.drivercursors import among
from tracker.models import CrmConnection, CrmPush, Lead, Sponsorship
from tracker.models.crm import CrmKind, CrmPushStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.retries import RETRY_TRANSIENT

WAITING, PUSHED, FAILED = CrmPushStatus.WAITING, CrmPushStatus.PUSHED, CrmPushStatus.FAILED
QUEUE_CHUNK = 1000
# Waiting rows older than this whose task was lost (the broker down when it was queued) are sent again.
STALE_AFTER = timedelta(minutes=10)
GATHER_SECONDS = 5  # pushes after scoring share one task started this long after the first
Sleep = Callable[[float], None]


@dataclass
class Pushed:
    pushed: int = 0
    failed: int = 0
    dropped: int = 0  # waiting rows whose lead no longer qualified when their turn came


def qualifying_leads(connection: CrmConnection) -> QuerySet[Lead]:
    """The sponsor's leads this connection pushes (graded high enough, with consent, not excluded or erased)."""
    booths = list(Sponsorship.objects.filter(sponsor_id=connection.sponsor_id).values_list("pk", flat=True))
    return Lead.objects.filter(
        among(Lead, "sponsorship_id", booths), consent=True, erased_at=None,
        score__excluded=False, score__grade__in=connection.grades,
    )  # fmt: skip


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
        CrmPush.objects.bulk_create(
            [CrmPush(connection=connection, lead_id=pk, status=WAITING, queued_at=now, updated_at=now)
             for pk in ids[start : start + QUEUE_CHUNK]],
            update_conflicts=True, unique_fields=["connection", "lead"],
            update_fields=["status", "message", "queued_at", "updated_at"],
        )  # fmt: skip
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
    waits for the task's retry.
    """
    outcome = Pushed()
    connection = CrmConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return outcome
    size = HUBSPOT_BATCH if connection.kind == CrmKind.HUBSPOT else SALESFORCE_BATCH
    try:
        client = client_for(connection, sleep=sleep)
        after = 0
        while batch := list(
            CrmPush.objects.filter(connection=connection, status=WAITING, pk__gt=after).order_by("pk")[:size]
        ):
            after = batch[-1].pk
            _push_batch(connection, client, batch, outcome)
    except (CrmError, SecretUnreadable) as error:  # nothing will get through: every waiting lead fails
        message = (
            f"{connection.get_kind_display()} refused the credentials: {error}"
            if isinstance(error, CrmError) else f"{error} Enter the secret again."
        )  # fmt: skip
        outcome.failed += CrmPush.objects.filter(connection=connection, status=WAITING).update(
            status=FAILED, message=message[:500], updated_at=timezone.now()
        )
        CrmConnection.objects.filter(pk=connection.pk).update(last_error=message[:500])
        return outcome
    except CrmBusy as busy:
        message = f"{connection.get_kind_display()} is busy or unavailable ({busy}); trying again shortly."
        CrmConnection.objects.filter(pk=connection.pk).update(last_error=message[:500])
        raise
    CrmConnection.objects.filter(pk=connection.pk).update(last_push_at=timezone.now(), last_error="")
    return outcome


def _push_batch(connection: CrmConnection, client, batch: list[CrmPush], outcome: Pushed) -> None:
    still = set(
        qualifying_leads(connection)
        .filter(pk__in=[row.lead_id for row in batch])
        .values_list("pk", flat=True)
    )
    dropped = [row for row in batch if row.lead_id not in still]
    if dropped:  # never sent: forgotten; sent before: it stays as the CRM has it
        CrmPush.objects.filter(pk__in=[r.pk for r in dropped if not r.remote_id]).delete()
        CrmPush.objects.filter(pk__in=[r.pk for r in dropped if r.remote_id]).update(status=PUSHED)
        outcome.dropped += len(dropped)
    rows = {row.lead_id: row for row in batch if row.lead_id in still}
    if not rows:
        return
    facts = list(leads_facts(sorted(rows)))
    refused = ""
    try:
        if connection.kind == CrmKind.HUBSPOT:
            by_lead = _hubspot_send(connection, client, facts)
        else:
            records = [
                (external_id(f.pk), crm_properties(connection.kind, f, connection.mapping)) for f in facts
            ]
            results = client.upsert_leads(connection.external_id_field, records)
            by_lead = {f.pk: result for f, result in zip(facts, results, strict=True)}
    except CrmError as error:
        if error.credentials:  # every batch would be refused the same way: push_run fails them all
            raise
        by_lead, refused = {}, f"{connection.get_kind_display()} refused the batch: {error}"
    pushed = _record(list(rows.values()), by_lead, failed=refused)
    outcome.pushed += pushed
    outcome.failed += len(rows) - pushed


def _hubspot_send(connection: CrmConnection, client, facts: list[LeadFacts]):
    """Contacts by email, those without one by the external id property (if the connection names one):
    what HubSpot said of each lead, or why it was not sent."""
    by_email: dict[str, tuple[list[int], dict]] = {}
    by_external: dict[str, tuple[list[int], dict]] = {}
    answered: dict[int, RecordResult] = {}
    for f in facts:  # in lead id order
        properties = crm_properties(CrmKind.HUBSPOT, f, connection.mapping)
        if connection.external_id_field:
            properties[connection.external_id_field] = external_id(f.pk)
        if f.email:
            # One person, one contact: their leads at several events go as one input (HubSpot refuses a
            # batch naming a contact twice), with the latest lead's properties.
            leads = by_email.get(f.email.strip().lower(), ([], {}))[0]
            by_email[f.email.strip().lower()] = ([*leads, f.pk], properties)
        elif connection.external_id_field:
            by_external[external_id(f.pk)] = ([f.pk], properties)
        else:
            answered[f.pk] = RecordResult(
                external_id(f.pk), False,
                message="No email: HubSpot finds contacts by email. Name an external id property to push leads without one.",
            )  # fmt: skip
    for id_property, group in (("email", by_email), (connection.external_id_field, by_external)):
        if not group:
            continue
        try:
            answers = client.upsert_contacts(
                id_property, [(value, props) for value, (_, props) in group.items()]
            )
        except CrmError as error:  # this call refused whole; the other one (by email) may have gone through
            if error.credentials:
                raise
            answers = [
                RecordResult(value, False, message=f"HubSpot refused the batch: {error}") for value in group
            ]
        for (leads, _), answer in zip(group.values(), answers, strict=True):
            answered.update(dict.fromkeys(leads, answer))
    return answered


def _record(rows: list[CrmPush], results: dict[int, RecordResult], failed: str = "") -> int:
    """Store what the CRM said of each row (``failed``: why none was taken); how many it took."""
    now = timezone.now()
    for row in rows:
        result = results.get(row.lead_id) or RecordResult("", False, message=failed or "No answer for it.")
        row.attempts += 1
        row.updated_at = now
        if result.ok:
            row.status, row.message, row.pushed_at = PUSHED, "", now
            row.remote_id = result.remote_id or row.remote_id
        else:
            row.status, row.message = FAILED, result.message[:500]
    CrmPush.objects.bulk_update(
        rows, ["status", "message", "remote_id", "pushed_at", "attempts", "updated_at"]
    )
    return sum(1 for row in rows if row.status == PUSHED)


def push_give_up(connection_id: int, reason: str) -> int:
    """After the task's last retry: the connection's waiting leads fail with the CRM's last answer."""
    connection = CrmConnection.objects.filter(pk=connection_id).first()
    if connection is None:  # disconnected meanwhile: its rows went with it
        return 0
    message = f"{connection.get_kind_display()} stayed unavailable ({reason}); press Push now to try again."
    return CrmPush.objects.filter(connection_id=connection_id, status=WAITING).update(
        status=FAILED, message=message[:500], updated_at=timezone.now()
    )


def pushes_resume_stale(now=None) -> int:
    """Send again the connections with leads waiting longer than a push takes (a lost task)."""
    now = now or timezone.now()
    ids = list(
        CrmPush.objects.filter(status=WAITING, updated_at__lt=now - STALE_AFTER)
        .values_list("connection_id", flat=True)
        .distinct()
    )
    for connection_id in ids:
        push_enqueue(connection_id)
    return len(ids)


@shared_task(bind=True, name="tracker.crm_push", soft_time_limit=1800, time_limit=1900, **RETRY_TRANSIENT)
def crm_push(self, connection_id: int) -> dict:
    """Send a connection's waiting leads; a busy CRM retries the task after the wait it asked for."""
    try:
        return asdict(push_run(connection_id))
    except CrmBusy as busy:
        if self.request.retries >= self.max_retries:
            return {"failed": push_give_up(connection_id, str(busy))}
        raise self.retry(countdown=busy.wait, exc=busy) from busy


@shared_task(name="tracker.sweep_crm_pushes")
def sweep_crm_pushes() -> int:
    """Periodic safety net: connections with leads left waiting get their push again."""
    return pushes_resume_stale()
