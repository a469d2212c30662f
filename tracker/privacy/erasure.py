"""Erasing one person from a sponsor's data, found by email or badge id, while its figures stay right.

Each of the sponsor's leads of that person stays, as a lead of a blank attendee ("Erased person"), so
scans, leads, qualified leads, follow-ups and pipeline count as before; what said who they were goes:
the attendee (deleted when no other sponsor's lead is of them), every scan's payload, typed identity,
notes and extra data (unknown badges that carry the email or badge id included), the follow-up's
outcome and its history's notes, and every stored export file that holds the lead. The lead is no
longer scored (it keeps the grade it had). The audit log records who erased how many of what, with a
hash of the identifier, never the identifier itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from tracker.analytics.freshness import figures_changed
from tracker.models import Attendee, ExportLog, FollowUp, FollowUpChange, Lead, Scan, Sponsor
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
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def person_erase(*, sponsor, by_user, email: str = "", badge_id: str = "") -> Erased:
    """Erase the person with this email (case aside) or badge id from ``sponsor``'s data."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    if not email and not badge_id:
        raise ValueError("An email or a badge id names the person.")
    found = Q(key=email) if email else Q(badge_id=badge_id)
    attendees = list(
        Attendee.objects.annotate(key=Lower("email"))
        .filter(found, leads__sponsorship__sponsor=sponsor)
        .values_list("pk", flat=True)
        .distinct()
    )
    mentioned = Q(raw_payload__icontains=email) | Q(typed__email__iexact=email) if email else (
        Q(raw_payload__contains=badge_id) | Q(typed__badge_id=badge_id)
    )  # fmt: skip
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
    leads = list(leads.select_for_update(of=("self",)).select_related("sponsorship").order_by("pk"))
    attendees = {lead.attendee_id for lead in leads}
    now = timezone.now()
    for lead in leads:
        lead.attendee = Attendee.objects.create(event_id=lead.sponsorship.event_id, display_name=ERASED)
        lead.erased_at = now
        lead.save(update_fields=["attendee", "erased_at"])
    lead_ids = [lead.pk for lead in leads]
    blank = {"raw_payload": "", "typed": {}, "notes": "", "extra": None, "revisions": None}
    erased.leads = len(leads)
    erased.scans = Scan.objects.filter(lead_id__in=lead_ids).update(**blank)
    erased.unknown_scans = unknown_scans.update(**blank)
    erased.follow_ups = FollowUp.objects.filter(lead_id__in=lead_ids).update(outcome="")
    FollowUpChange.objects.filter(follow_up__lead_id__in=lead_ids).update(note="")
    orphans = Attendee.objects.filter(pk__in=attendees, leads__isnull=True)
    erased.attendees_deleted = orphans.delete()[1].get(Attendee._meta.label, 0)
    erased.export_files = _export_files_delete(sponsor, set(lead_ids))
    booths = sorted({lead.sponsorship_id for lead in leads})
    transaction.on_commit(lambda: figures_changed(booths))
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
        name, storage = job.file.name, job.file.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    ExportLog.objects.filter(pk__in=[job.pk for job in holding]).update(
        file="", status=ExportStatus.EXPIRED, error="Deleted: it held a person who was erased."
    )
    return len(holding)


def person_erase_everywhere(*, by_user, email: str = "", badge_id: str = "") -> Erased:
    """An operator's erasure: the person out of every sponsor's data (as ``person_erase`` does for each),
    and out of the attendee lists nobody scanned them from."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    if not email and not badge_id:
        raise ValueError("An email or a badge id names the person.")
    found = Q(key=email) if email else Q(badge_id=badge_id)
    attendees = Attendee.objects.annotate(key=Lower("email")).filter(found)
    total = Erased()
    with transaction.atomic():
        for sponsor in (
            Sponsor.objects.filter(sponsorships__leads__attendee__in=attendees).distinct().order_by("pk")
        ):
            erased = person_erase(sponsor=sponsor, by_user=by_user, email=email, badge_id=badge_id)
            for name, value in asdict(erased).items():
                setattr(total, name, getattr(total, name) + value)
        listed = attendees.filter(leads__isnull=True).delete()[1].get(Attendee._meta.label, 0)
        total.attendees_deleted += listed
        kind, value = ("email", email) if email else ("badge id", badge_id)
        audit(AuditAction.ERASURE, user=by_user, sponsor_id=None,
              summary=f"Erased a person found by {kind} everywhere: {total.leads} lead(s) of every sponsor, {total.attendees_deleted} attendee record(s)",
              identifier_sha256=identifier_hash(kind, value), everywhere=True, **asdict(total))  # fmt: skip
    return total
