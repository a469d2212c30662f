"""Sending a connection's waiting leads: rows claimed a batch at a time, sent, and their outcome written
where the claim still holds (the why is in ``tracker.crm.push``, which runs this).

A claim is taken in a short transaction that skips rows another run has locked, so two runs never take
one row; the leads are checked again right before sending (consent, erasure); an answer is written only
where the row is still ``sending`` under the run's claim; a lead whose consent was withdrawn or who was
erased while its batch was on its way is passed back to propagation once its row says where the record
is. An unavailable CRM puts the rows back to waiting; a connection-wide refusal, or a bug, fails them
with a message (never a secret) instead of leaving them waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tracker.crm.clients import HUBSPOT_BATCH, SALESFORCE_BATCH, CrmBusy, CrmError, RecordResult
from tracker.crm.connections import client_for
from tracker.crm.facts import leads_facts, qualifying_leads
from tracker.crm.mapping import LeadFacts, crm_properties, external_id
from tracker.crm.secrets import SecretUnreadable
from tracker.models import CrmConnection, CrmPush, Lead
from tracker.models.crm import CrmKind, CrmPushStatus

WAITING, SENDING = CrmPushStatus.WAITING, CrmPushStatus.SENDING
PUSHED, FAILED = CrmPushStatus.PUSHED, CrmPushStatus.FAILED
Sleep = Callable[[float], None]


@dataclass
class Pushed:
    pushed: int = 0
    failed: int = 0
    dropped: int = 0  # claimed rows whose lead no longer qualified when their turn came
    elsewhere: bool = False  # another run was sending the connection's leads: it takes these too


def send_waiting(connection: CrmConnection, claim: str, outcome: Pushed, sleep: Sleep) -> str:
    """Claim and send batches until none is left; the problem that stopped the connection ("" if none)."""
    size = HUBSPOT_BATCH if connection.kind == CrmKind.HUBSPOT else SALESFORCE_BATCH
    name = connection.get_kind_display()
    try:
        client = client_for(connection, sleep=sleep)
        while batch := claim_batch(connection, claim, size):
            _push_batch(connection, client, claim, batch, outcome)
    except CrmBusy as busy:
        release(claim)
        message = f"{name} is busy or unavailable ({busy}); trying again shortly."
        CrmConnection.objects.filter(pk=connection.pk).update(last_error=message[:500])
        raise
    except (CrmError, SecretUnreadable) as error:  # nothing will get through: every waiting lead fails
        if isinstance(error, SecretUnreadable):
            message = f"{error} Enter the secret again."
        elif error.credentials:
            message = f"{name} refused the credentials: {error}"
        else:
            message = f"The push to {name} stopped: {error}"
        outcome.failed += fail_waiting(connection, claim, message)
        CrmConnection.objects.filter(pk=connection.pk).update(last_error=message[:500])
        return message
    except (OperationalError, SoftTimeLimitExceeded):  # tried again (the database) or later (the sweep)
        try:
            release(claim)
        except OperationalError:  # the sweep releases it
            pass
        raise
    except Exception as error:  # a bug: say so on the leads and the connection, never leave them waiting
        message = f"The push to {name} stopped on an unexpected error ({type(error).__name__}); press Push now to try again."
        outcome.failed += fail_waiting(connection, claim, message)
        CrmConnection.objects.filter(pk=connection.pk).update(last_error=message[:500])
        raise
    return ""


def claim_batch(connection: CrmConnection, claim: str, size: int) -> list[CrmPush]:
    """Up to ``size`` of the connection's waiting rows, now ``sending`` under ``claim``, in id order."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            CrmPush.objects.select_for_update(skip_locked=True)
            .filter(connection=connection, status=WAITING)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        CrmPush.objects.filter(pk__in=ids, status=WAITING).update(
            status=SENDING, claim=claim, claimed_at=now, updated_at=now, attempts=F("attempts") + 1
        )
    return list(CrmPush.objects.filter(pk__in=ids, status=SENDING, claim=claim).order_by("pk"))


def release(claim: str) -> int:
    """The rows still claimed by ``claim`` wait again (not sent, or their answer unknown)."""
    return CrmPush.objects.filter(status=SENDING, claim=claim).update(
        status=WAITING, claim="", claimed_at=None, updated_at=timezone.now()
    )


def fail_waiting(connection: CrmConnection, claim: str, message: str, *, outage: bool = False) -> int:
    """The connection's waiting rows, and those ``claim`` holds, fail with ``message``."""
    return CrmPush.objects.filter(Q(status=WAITING) | Q(status=SENDING, claim=claim), connection=connection).update(
        status=FAILED, message=message[:500], claim="", claimed_at=None, outage=outage, updated_at=timezone.now()
    )  # fmt: skip


def _push_batch(connection: CrmConnection, client, claim: str, batch: list[CrmPush], outcome: Pushed) -> None:
    mine = CrmPush.objects.filter(status=SENDING, claim=claim)
    # Checked again now that the rows are claimed: consent withdrawn or an erasure since they were queued.
    still = set(
        qualifying_leads(connection)
        .filter(pk__in=[row.lead_id for row in batch])
        .values_list("pk", flat=True)
    )
    dropped = [row for row in batch if row.lead_id not in still]
    if dropped:  # never sent: forgotten; sent before: it stays as the CRM has it
        mine.filter(pk__in=[r.pk for r in dropped if not r.remote_id]).delete()
        mine.filter(pk__in=[r.pk for r in dropped if r.remote_id]).update(
            status=PUSHED, claim="", claimed_at=None, updated_at=timezone.now()
        )
        outcome.dropped += len(dropped)
    rows = {row.lead_id: row for row in batch if row.lead_id in still}
    busy = None
    if rows:
        facts = list(leads_facts(sorted(rows)))
        refused = ""
        try:
            if connection.kind == CrmKind.HUBSPOT:
                by_lead, busy = _hubspot_send(connection, client, facts)
            else:
                records = [
                    (external_id(f.pk), crm_properties(connection.kind, f, connection.mapping)) for f in facts
                ]
                results = client.upsert_leads(connection.external_id_field, records)
                by_lead = {f.pk: result for f, result in zip(facts, results, strict=True)}
        except CrmError as error:
            if error.whole:  # every batch would be refused the same way: push_run fails them all
                raise
            by_lead, refused = {}, f"{connection.get_kind_display()} refused the batch: {error}"
        # Cut short by a busy CRM: what it answered is written, the rest waits (released by push_run).
        answered = [row for row in rows.values() if not busy or row.lead_id in by_lead]
        pushed = _record(claim, answered, by_lead, failed=refused)
        outcome.pushed += pushed
        outcome.failed += len(answered) - pushed
    _pass_on_changes([row.lead_id for row in batch])
    if busy:
        raise busy


def _hubspot_send(connection: CrmConnection, client, facts: list[LeadFacts]):
    """Contacts by email, those without one by the external id property (if the connection names one):
    what HubSpot said of each lead, or why it was not sent; and the ``CrmBusy`` that stopped the second
    call after the first went through (None if none did)."""
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
        except CrmBusy as busy:
            if not answered:
                raise
            return answered, busy
        except CrmError as error:  # this call refused whole; the other one (by email) may have gone through
            if error.whole:
                raise
            answers = [
                RecordResult(value, False, message=f"HubSpot refused the batch: {error}") for value in group
            ]
        for (leads, _), answer in zip(group.values(), answers, strict=True):
            answered.update(dict.fromkeys(leads, answer))
    return answered, None


def _record(claim: str, rows: list[CrmPush], results: dict[int, RecordResult], failed: str = "") -> int:
    """Store what the CRM said of each row (``failed``: why none was taken) where ``claim`` still holds it;
    how many it took."""
    now = timezone.now()
    for row in rows:
        result = results.get(row.lead_id) or RecordResult("", False, message=failed or "No answer for it.")
        row.updated_at, row.claim, row.claimed_at, row.outage = now, "", None, False
        if result.ok:
            row.status, row.message, row.pushed_at = PUSHED, "", now
            row.remote_id = result.remote_id or row.remote_id
        else:
            row.status, row.message = FAILED, result.message[:500]
    CrmPush.objects.filter(status=SENDING, claim=claim).bulk_update(
        rows, ["status", "message", "remote_id", "pushed_at", "updated_at", "claim", "claimed_at", "outage"]
    )
    return sum(1 for row in rows if row.status == PUSHED)


def _pass_on_changes(lead_ids: list[int]) -> None:
    """Consent withdrawn or an erasure that came while these leads were being sent: propagation left their
    rows to this run, which now says where each record is; propagation takes it from here."""
    from tracker.crm.propagation import CONSENT, ERASURE, crm_propagate_soon  # it builds on this module

    changed = list(
        Lead.objects.filter(pk__in=lead_ids)
        .filter(Q(erased_at__isnull=False) | ~Q(consent=True))
        .values_list("pk", "erased_at")
    )
    crm_propagate_soon([pk for pk, erased in changed if erased], ERASURE)
    crm_propagate_soon([pk for pk, erased in changed if not erased], CONSENT)
