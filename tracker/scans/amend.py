"""Booth staff correct or take back a scan from their phone, for a while after taking it.

A correction changes how the conversation went (rating, interests, conversation type, note, consent);
taking a scan back sets it aside like junk. Either way the scan keeps what it was: each change is
written into its ``revisions``, with who made it and when, and nothing is deleted but a lead that the
scan alone had made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.models import Lead, Scan
from tracker.scans.matching import leads_recount
from tracker.scoring.service import leads_score_current

# How long after it reached the server a scan can still be corrected or taken back from the phone.
EDIT_WINDOW = timedelta(hours=2)
AMENDABLE = ("rating", "interests", "conversation_type", "notes", "consent", "answers")


def _check(scan: Scan, staff_id: int | None, now: datetime) -> None:
    if scan.discarded_at is not None:
        raise ValidationError("This scan was already taken back.")
    if staff_id is None or scan.scanned_by_id != staff_id:
        raise PermissionDenied("Only who took a scan can correct it from the booth.")
    if now - scan.received_at > EDIT_WINDOW:
        hours = int(EDIT_WINDOW.total_seconds() // 3600)
        raise ValidationError(f"Scans can be changed from the booth for {hours} hours; ask a manager.")


def _revision(scan: Scan, by_user, now: datetime, **change) -> None:
    scan.revisions = [*(scan.revisions or []), {"at": now.isoformat(), "by": by_user.pk, **change}]


def scan_amend(*, scan: Scan, data: dict, staff_id: int | None, by_user, now: datetime | None = None) -> Scan:
    """Apply corrected qualification fields (clean values, see ``cleaning``) to a scan, keeping the old."""
    now = now or timezone.now()
    _check(scan, staff_id, now)
    was = {
        name: getattr(scan, name) for name in AMENDABLE if name in data and data[name] != getattr(scan, name)
    }
    if not was:
        return scan
    with transaction.atomic():
        for name in was:
            setattr(scan, name, data[name])
        _revision(scan, by_user, now, was=was)
        scan.save(update_fields=[*was, "revisions"])
        if scan.lead_id:
            leads_recount([scan.lead_id])
    if scan.lead_id:
        transaction.on_commit(lambda: leads_score_current([scan.lead_id]))
    return scan


def scan_undo(*, scan: Scan, staff_id: int | None, by_user, now: datetime | None = None) -> None:
    """Take a scan back: set aside (out of every count, listed with the discarded badges), its lead
    recounted, and removed if this scan alone had made it."""
    now = now or timezone.now()
    _check(scan, staff_id, now)
    lead_id = scan.lead_id
    with transaction.atomic():
        _revision(scan, by_user, now, undone=True, lead=lead_id)
        scan.lead, scan.discarded_at, scan.discarded_by = None, now, by_user
        scan.save(update_fields=["lead", "discarded_at", "discarded_by", "revisions"])
        if lead_id:
            lonely = Lead.objects.filter(pk=lead_id, scans__isnull=True, follow_up__isnull=True)
            if not lonely.delete()[0]:
                leads_recount([lead_id])
