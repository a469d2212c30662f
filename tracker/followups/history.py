"""Follow-up changes: every change of status or owner is recorded with who and when.

Time to first touch is derived from that history: the first change away from "to do".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tracker.models import FollowUp, FollowUpChange, StaffMember
from tracker.models.choices import FollowUpStatus


def followup_record(
    *, follow_up: FollowUp, before: dict, by, note: str = "", typed: bool = False, at: datetime | None = None
) -> FollowUpChange | None:
    """Record what changed in status or owner since ``before`` ({"status", "owner_id"}); None if nothing
    did. A ``typed`` note (one a person wrote: "called again, no answer") is a change of its own; a note the
    code gives ("Reassigned by a manager") only goes with a change."""
    status_changed = before.get("status") != follow_up.status
    owner_changed = before.get("owner_id") != follow_up.owner_id
    if not (status_changed or owner_changed or (typed and note.strip())):
        return None
    return FollowUpChange.objects.create(
        follow_up=follow_up,
        changed_at=at or timezone.now(),
        changed_by=by,
        from_status=before.get("status", "") if status_changed else "",
        to_status=follow_up.status if status_changed else "",
        from_owner_id=before.get("owner_id") if owner_changed else None,
        to_owner_id=follow_up.owner_id if owner_changed else None,
        note=note[:300],
    )


def followup_change(
    *,
    follow_up: FollowUp,
    by,
    status: str | None = None,
    owner: StaffMember | None | bool = False,
    note: str = "",
    typed: bool = False,
    opportunity: tuple[Decimal | None, str] | None = None,
) -> FollowUpChange | None:
    """Change a follow-up's status, owner (``owner=False`` leaves it) or opportunity; record the change
    (``typed``: ``note`` is the person's own, recorded even with nothing else changed).

    Raises ``ValidationError`` (nothing saved) if the result is invalid: an owner of another sponsor,
    an amount without its currency.
    """
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        before = {"status": locked.status, "owner_id": locked.owner_id}
        if status is not None:
            locked.status = status
        if owner is not False:
            locked.owner = owner
        if opportunity is not None:
            locked.opportunity_amount, locked.opportunity_currency = opportunity
        locked.full_clean(exclude=["lead"])
        locked.save()
        change = followup_record(follow_up=locked, before=before, by=by, note=note, typed=typed)
    follow_up.refresh_from_db()
    return change


def time_to_first_touch(follow_up: FollowUp) -> timedelta | None:
    """From the follow-up's creation to its first move away from "to do"; None while untouched."""
    first = (
        follow_up.history.exclude(to_status="")
        .filter(from_status=FollowUpStatus.TODO)
        .order_by("changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    return first - follow_up.created_at if first else None


def duration_text(delta: timedelta) -> str:
    """A time to first touch as people say it: "5 hours", "2 days"."""
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(int(hours * 60), 0)} minutes"
    if hours < 48:
        return f"{int(hours)} hour{'s' if int(hours) != 1 else ''}"
    return f"{int(hours // 24)} days"
