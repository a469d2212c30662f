"""Erasing one person from a sponsor's data, found by email or badge id, while its figures stay right.

Each of the sponsor's leads of that person stays, as a lead of a blank attendee ("Erased person"), so
scans, leads, qualified leads, follow-ups and pipeline count as before; what said who they were goes:
the attendee (deleted when no other sponsor's lead is of them), every scan's payload, typed identity,
notes, answers and extra data (unknown badges that carry the email or badge id included), the follow-up's
outcome and its history's notes, and every stored export file that holds the lead. The lead is no
longer scored (it keeps the grade it had). The audit log records who erased how many of what, with a
hash of the identifier, never the identifier itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from tracker.analytics.freshness import figures_changed
from tracker.crm.propagation import ERASURE, crm_propagate_soon
from tracker.models import (
    Attendee,
    ExportLog,
    FollowUp,
    FollowUpChange,
    ImportJob,
    Lead,
    LeadAnswer,
    Scan,
    Sponsor,
)
from tracker.models.exports import ExportStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit

ERASED = "Erased person"


@dataclass
class Erased:
    leads: int = 0
    scans: int = 0
    unknown_scans: int = 0
    follow_ups: int = 0
    attendees_deleted: int = 0
    export_files: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.leads or self.unknown_scans)


def identifier_hash(kind: str, value: str) -> str:
    """A keyed hash of what named the person: the same request gives the same hash (was I erased?), yet
    a list of emails or a run of badge ids cannot be tried against the log without the server's key."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def who(email: str = "", badge_id: str = "", event_id: int | None = None) -> tuple[QuerySet[Attendee], Q]:
    """(attendees, unknown scans) an email (case aside) or a badge id names: a badge id only at its one
    event (ids repeat from event to event), both only as whole identifiers ("ann@x.example" is not
    "joann@x.example")."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    if email:
        whole = rf"(^|[^a-z0-9._%+-]){re.escape(email)}($|[^a-z0-9.-])"
        attendees = Attendee.objects.annotate(key=Lower("email")).filter(key=email)
        return attendees, Q(raw_payload__iregex=whole) | Q(typed__email__iexact=email)
    if not badge_id or event_id is None:
        raise ValueError("An email, or a badge id with its event, names the person.")
    whole = rf"(^|[^A-Za-z0-9]){re.escape(badge_id)}($|[^A-Za-z0-9])"
    scans = Q(sponsorship__event_id=event_id) & (Q(raw_payload__regex=whole) | Q(typed__badge_id=badge_id))
    return Attendee.objects.filter(badge_id=badge_id, event_id=event_id), scans


def person_erase(
    *, sponsor, by_user, email: str = "", badge_id: str = "", event_id: int | None = None
) -> Erased:
    """Erase the person with this email, or this badge id at this event, from ``sponsor``'s data."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    people, mentioned = who(email, badge_id, event_id)
    attendees = list(
        people.filter(leads__sponsorship__sponsor=sponsor).values_list("pk", flat=True).distinct()
    )
    with transaction.atomic():
        leads = Lead.objects.filter(sponsorship__sponsor=sponsor, attendee_id__in=attendees)
        unknown = Scan.objects.filter(sponsorship__sponsor=sponsor, lead__isnull=True).filter(mentioned)
        erased = anonymise(sponsor, leads, unknown)
        kind, value = ("email", email) if email else ("badge id", badge_id)
        audit(
            AuditAction.ERASURE, user=by_user, sponsor_id=sponsor.pk,
            summary=(
                f"Erased a person found by {kind}: {erased.leads} lead(s), {erased.scans + erased.unknown_scans} scan(s), {erased.export_files} export file(s)"
                if erased.anything else f"Looked for a person to erase by {kind}: nobody found"
            ),
            identifier_sha256=identifier_hash(kind, value), **asdict(erased),
        )  # fmt: skip
    return erased


def anonymise(sponsor, leads, unknown_scans) -> Erased:
    """Take who they are out of ``leads`` (a queryset of the sponsor's leads) and ``unknown_scans``, in the
    caller's transaction: each lead moves to a blank attendee and stops being scored; scans, follow-ups
    and their history lose what says who; attendees left without a lead and export files holding the leads
    are deleted (the files once the transaction commits)."""
    erased = Erased()
    # Locked, and read again once locked: a lead erased meanwhile (by another request or retention) is
    # not erased twice.
    leads = list(
        leads.filter(erased_at=None)
        .select_for_update(of=("self",))
        .select_related("sponsorship")
        .order_by("pk")
    )
    attendees = {lead.attendee_id for lead in leads}
    now = timezone.now()
    blanks = Attendee.objects.bulk_create(
        [Attendee(event_id=lead.sponsorship.event_id, display_name=ERASED) for lead in leads]
    )
    for lead, blank in zip(leads, blanks, strict=True):
        lead.attendee, lead.erased_at = blank, now
        # Nobody to contact: out of follow-up creation and the CRM files, as without consent.
        lead.consent, lead.consent_how, lead.consent_by = None, "", None
    Lead.objects.bulk_update(
        leads, ["attendee", "erased_at", "consent", "consent_how", "consent_by"], batch_size=500
    )
    lead_ids = [lead.pk for lead in leads]
    _import_files_delete(sponsor, lead_ids)
    _admin_history_delete({Attendee: attendees, Lead: lead_ids})
    # What the person answered goes with the rest of what they said (a short text answer can name them).
    blank = {"raw_payload": "", "typed": {}, "notes": "", "extra": None, "revisions": None, "answers": None}
    erased.leads = len(leads)
    erased.scans = Scan.objects.filter(lead_id__in=lead_ids).update(**blank)
    LeadAnswer.objects.filter(lead_id__in=lead_ids).delete()
    erased.unknown_scans = unknown_scans.update(**blank)
    erased.follow_ups = FollowUp.objects.filter(lead_id__in=lead_ids).update(outcome="")
    FollowUpChange.objects.filter(follow_up__lead_id__in=lead_ids).update(note="")
    orphans = Attendee.objects.filter(pk__in=attendees, leads__isnull=True)
    erased.attendees_deleted = orphans.delete()[1].get(Attendee._meta.label, 0)
    erased.export_files = _export_files_delete(sponsor, set(lead_ids))
    booths = sorted({lead.sponsorship_id for lead in leads})
    transaction.on_commit(lambda: figures_changed(booths))
    crm_propagate_soon(lead_ids, ERASURE)  # their records in the sponsor's CRMs go too, once committed
    return erased


def _export_files_delete(sponsor, lead_ids: set[int]) -> int:
    """Delete the sponsor's stored export files that hold any of ``lead_ids`` (the file goes once the
    transaction commits; the log says why it is gone)."""
    if not lead_ids:
        return 0
    holding = [
        job for job in ExportLog.objects.filter(Q(sponsor=sponsor) | Q(sponsor__isnull=True)).exclude(file="")
        .only("pk", "file", "lead_ids")
        if lead_ids & set(job.lead_ids or [])
    ]  # fmt: skip
    for job in holding:
        _file_delete_on_commit(job.file)
    ExportLog.objects.filter(pk__in=[job.pk for job in holding]).update(
        file="", params={}, status=ExportStatus.EXPIRED, error="Deleted: it held a person who was erased."
    )
    return len(holding)


def person_erase_everywhere(
    *, by_user, email: str = "", badge_id: str = "", event_id: int | None = None
) -> Erased:
    """An operator's erasure: the person out of every sponsor's data (as ``person_erase`` does for each:
    leads and unknown badges alike), and out of the attendee lists nobody scanned them from."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    attendees, mentioned = who(email, badge_id, event_id)
    total = Erased()
    with transaction.atomic():
        holders = Sponsor.objects.filter(
            Q(sponsorships__leads__attendee__in=attendees)
            | Q(sponsorships__scans__in=Scan.objects.filter(mentioned, lead__isnull=True))
        )
        for sponsor in holders.distinct().order_by("pk"):
            erased = person_erase(
                sponsor=sponsor, by_user=by_user, email=email, badge_id=badge_id, event_id=event_id
            )
            for name, value in asdict(erased).items():
                setattr(total, name, getattr(total, name) + value)
        listed = attendees.filter(leads__isnull=True).delete()[1].get(Attendee._meta.label, 0)
        total.attendees_deleted += listed
        kind, value = ("email", email) if email else ("badge id", badge_id)
        audit(AuditAction.ERASURE, user=by_user, sponsor_id=None,
              summary=f"Erased a person found by {kind} everywhere: {total.leads} lead(s) of every sponsor, {total.attendees_deleted} attendee record(s)",
              identifier_sha256=identifier_hash(kind, value), everywhere=True, **asdict(total))  # fmt: skip
    return total


def _file_delete_on_commit(stored) -> None:
    """Delete a stored file once the transaction commits; a store that fails then is logged, and the
    other deletions still run."""
    name, storage = stored.name, stored.storage
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def _import_files_delete(sponsor, lead_ids: list[int]) -> None:
    """The uploaded files (and rejected-rows files) of the sponsor's imports that brought in any of these
    leads' scans: they hold the person among the other rows. The import's report stays."""
    labels = set(
        Scan.objects.filter(lead_id__in=lead_ids).exclude(source="").values_list("source", flat=True)
    )
    if not labels:
        return
    for job in ImportJob.objects.filter(sponsorship__sponsor=sponsor).exclude(file=""):
        if job.source_label in labels:
            for stored in (job.file, job.rejected_file):
                if stored:
                    _file_delete_on_commit(stored)
            ImportJob.objects.filter(pk=job.pk).update(file="", rejected_file="")


def _admin_history_delete(objects: dict) -> None:
    """The admin's history of these objects: its entries name them (a person's name or email)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for model, ids in objects.items():
        if ids:
            kind = ContentType.objects.get_for_model(model)
            LogEntry.objects.filter(content_type=kind, object_id__in=[str(pk) for pk in ids]).delete()
