"""Telling a sponsor's CRMs what the person told us later: consent withdrawn, or erasure.

Erasure deletes the CRM's record where the API allows it: HubSpot's GDPR delete (the contact and what is
associated with it), Salesforce's sObject Collections delete. Withdrawn consent opts the person out:
HubSpot unsubscribes the email from all email (communication preferences v4), Salesforce sets the
lead's HasOptedOutOfEmail and DoNotCall. Consent given again queues a push where the connection pushes
on its own. Both work from what this tracker kept: the CRM's record id on the push row (an erased
lead's email is gone by then), and the lead's email for HubSpot's opt-out. Each outcome is on the push
row (withdrawn, erased, or failed with the CRM's message) and in the audit log, by connection.

A row a push is sending (``sending``) may be in the CRM a moment later: it is left to that push, which
passes the lead back here once it has written the CRM's record id (``tracker.crm.push``). Every other
row is written only if it is still as it was read, so a push that claimed it meanwhile wins, and again
passes it back. An unavailable CRM is waited out as the push does (``tracker.crm.outages``).

``crm_propagate_soon`` is the one call the consent and erasure code makes: after the transaction
commits, a task does the rest. Without any CRM connection in the installation it costs one query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from tracker.crm.clients import SALESFORCE_BATCH, CrmBusy, CrmError, RecordResult
from tracker.crm.connections import client_for
from tracker.crm.outages import Outage
from tracker.crm.push import push_queue
from tracker.crm.secrets import SecretUnreadable
from tracker.models import CrmConnection, CrmPush, Lead
from tracker.models.crm import CrmKind, CrmPushStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.retries import RETRY_TRANSIENT

CONSENT, ERASURE = "consent", "erasure"
# Rows that may have reached the CRM: anything but what was already withdrawn or erased there.
LIVE = (CrmPushStatus.WAITING, CrmPushStatus.SENDING, CrmPushStatus.PUSHED, CrmPushStatus.FAILED)
OPT_OUT = {"HasOptedOutOfEmail": True, "DoNotCall": True}


def crm_propagate_soon(lead_ids: Iterable[int], reason: str) -> None:
    """Once the transaction commits, tell the CRMs that these leads' consent changed (``CONSENT``) or that
    they were erased (``ERASURE``)."""
    ids = sorted(set(lead_ids))
    if not ids or not CrmConnection.objects.exists():
        return
    transaction.on_commit(lambda: crm_propagate.delay(ids, reason), robust=True)


def propagate_run(lead_ids: list[int], reason: str, *, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Pass withdrawn consent, consent given again, or an erasure of these leads on to every CRM connection
    holding them; {connection id: how many records changed there}. Raises ``CrmBusy`` to be tried again."""
    done: dict[int, int] = {}
    if reason == CONSENT:
        agreed = Lead.objects.filter(pk__in=lead_ids, consent=True, erased_at=None)
        by_sponsor: dict[int, list[int]] = {}
        for pk, sponsor_id in agreed.values_list("pk", "sponsorship__sponsor_id"):
            by_sponsor.setdefault(sponsor_id, []).append(pk)
        for sponsor_id, ids in by_sponsor.items():
            for connection in CrmConnection.objects.filter(sponsor_id=sponsor_id, auto_push=True):
                push_queue(connection, lead_ids=ids)
        withdrawn = Lead.objects.filter(pk__in=lead_ids).exclude(consent=True).values_list("pk", flat=True)
        rows = CrmPush.objects.filter(lead_id__in=list(withdrawn), status__in=LIVE)
    else:
        rows = CrmPush.objects.filter(lead_id__in=lead_ids).exclude(status=CrmPushStatus.ERASED)
    by_connection: dict[int, list[CrmPush]] = {}
    # Rows being sent are the push's until it has written where the record is; it passes them back then.
    for row in rows.exclude(status=CrmPushStatus.SENDING).select_related("lead__attendee").order_by("pk"):
        by_connection.setdefault(row.connection_id, []).append(row)
    for connection in CrmConnection.objects.filter(pk__in=by_connection).order_by("pk"):
        done[connection.pk] = _propagate(connection, by_connection[connection.pk], reason, sleep)
    return done


def _propagate(connection: CrmConnection, rows: list[CrmPush], reason: str, sleep) -> int:
    """One connection's rows: those that never reached the CRM change here only; the others there too."""
    target = CrmPushStatus.ERASED if reason == ERASURE else CrmPushStatus.WITHDRAWN
    local = [row for row in rows if not row.remote_id and row.status != CrmPushStatus.PUSHED]
    remote = [row for row in rows if row not in local]
    results: dict[int, RecordResult] = {row.pk: RecordResult("", True) for row in local}
    try:
        if remote:
            client = client_for(connection, sleep=sleep)
            results |= (
                _erase(connection, client, remote)
                if reason == ERASURE
                else _opt_out(connection, client, remote)
            )
    except (CrmError, SecretUnreadable) as error:
        results |= {row.pk: RecordResult("", False, message=str(error)) for row in remote}
    _record(connection, rows, results, target)
    changed = sum(1 for row in remote if results[row.pk].ok)
    failed = [row for row in rows if not results[row.pk].ok]
    name = connection.get_kind_display()
    what = (
        "Deleted the records of erased people"
        if reason == ERASURE
        else "Opted people who withdrew consent out"
    )
    audit(AuditAction.CRM_PROPAGATION, user=None, sponsor_id=connection.sponsor_id,
          summary=f"{what} in {name}: {changed} record(s) changed, {len(failed)} failed",
          connection=connection.pk, reason=reason, changed=changed, failed=len(failed),
          not_in_crm=len(local))  # fmt: skip
    return changed


def _erase(connection: CrmConnection, client, rows: list[CrmPush]) -> dict[int, RecordResult]:
    unknown = {
        row.pk: RecordResult("", False, message="its record id there is not known: delete it by hand.")
        for row in rows
        if not row.remote_id
    }
    known = [row for row in rows if row.remote_id]
    if connection.kind == CrmKind.HUBSPOT:  # GDPR deletes go one contact at a time
        return unknown | {row.pk: client.gdpr_delete(row.remote_id) for row in known}
    for start in range(0, len(known), SALESFORCE_BATCH):
        chunk = known[start : start + SALESFORCE_BATCH]
        answers = client.delete_leads([row.remote_id for row in chunk])
        unknown |= {row.pk: answer for row, answer in zip(chunk, answers, strict=True)}
    return unknown


def _opt_out(connection: CrmConnection, client, rows: list[CrmPush]) -> dict[int, RecordResult]:
    if connection.kind == CrmKind.HUBSPOT:  # unsubscribed by email address; without one nothing to do
        return {
            row.pk: client.unsubscribe_all(row.lead.attendee.email) if row.lead.attendee.email
            else RecordResult("", True)
            for row in rows
        }  # fmt: skip
    results: dict[int, RecordResult] = {}
    known = [row for row in rows if row.remote_id]
    for start in range(0, len(known), SALESFORCE_BATCH):
        chunk = known[start : start + SALESFORCE_BATCH]
        answers = client.update_leads([(row.remote_id, OPT_OUT) for row in chunk])
        results |= {row.pk: answer for row, answer in zip(chunk, answers, strict=True)}
    return results | {
        row.pk: RecordResult("", False, message="its record id there is not known: opt the lead out by hand.")
        for row in rows
        if not row.remote_id
    }


def _record(
    connection: CrmConnection, rows: list[CrmPush], results: dict[int, RecordResult], target: str
) -> None:
    """Each row's outcome, written only where the row is still as it was read (a push that claimed it
    since then has the last word, and passes the lead back here)."""
    now = timezone.now()
    name = connection.get_kind_display()
    doing = "delete it from" if target == CrmPushStatus.ERASED else "opt the person out in"
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        result = results[row.pk]
        if result.ok:
            outcome = (target, "")
        else:
            outcome = (CrmPushStatus.FAILED, f"Could not {doing} {name}: {result.message}"[:500])
        groups.setdefault((row.status, row.updated_at, *outcome), []).append(row.pk)
    for (was, seen, status, message), pks in groups.items():
        changes = {"status": status, "message": message, "outage": False, "updated_at": now}
        if status == CrmPushStatus.ERASED:
            changes["remote_id"] = ""  # nothing left to point at
        CrmPush.objects.filter(pk__in=pks, status=was, updated_at=seen).update(**changes)


@shared_task(bind=True, name="tracker.crm_propagate", **RETRY_TRANSIENT)
def crm_propagate(self, lead_ids: list[int], reason: str, outage: dict | None = None) -> dict:
    """Withdrawn consent, consent given again, or an erasure, passed on to the CRMs; a busy CRM is waited
    out with a doubling countdown, for hours (``tracker.crm.outages``)."""
    try:
        return propagate_run(lead_ids, reason)
    except CrmBusy as busy:
        now = time.time()
        state = Outage.of(outage, now)
        countdown = state.countdown(busy.wait, now)
        if countdown is None or self.app.conf.task_always_eager:  # in-process: no queue to wait in
            return {"failed": propagate_give_up(lead_ids, reason, str(busy))}
        crm_propagate.apply_async((lead_ids, reason), {"outage": state.then(countdown)}, countdown=countdown)
        return {"retry_in": countdown}


def propagate_give_up(lead_ids: list[int], reason: str, problem: str) -> int:
    """After hours of a CRM unavailable: the rows say the CRM was not told, and why (to be done by hand)."""
    doing = "delete the record" if reason == ERASURE else "opt the person out"
    return CrmPush.objects.filter(lead_id__in=lead_ids, status__in=LIVE).exclude(status=CrmPushStatus.SENDING).update(
        status=CrmPushStatus.FAILED, updated_at=timezone.now(), outage=False,
        message=f"Could not {doing}: the CRM stayed unavailable ({problem})."[:500],
    )  # fmt: skip
