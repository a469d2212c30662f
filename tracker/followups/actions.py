"""What managers and owners do to follow-ups, one or many at a time: assign, and move along the life cycle."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.followups.creation import policy_for
from tracker.followups.history import followup_change
from tracker.followups.sla import due_date
from tracker.models import FollowUp, FollowUpChange, Lead, StaffMember
from tracker.models.choices import FollowUpStatus


@dataclass(frozen=True)
class BulkResult:
    changed: int = 0
    created: int = 0
    unchanged: int = 0
    # Rows the action cannot apply to, by the reason people are told ("no follow-up yet": 2).
    refusals: Counter[str] = field(default_factory=Counter)

    @property
    def refused(self) -> int:
        return sum(self.refusals.values())

    def refusing(self, reasons: Counter[str]) -> BulkResult:
        """This result with more refused rows."""
        return BulkResult(self.changed, self.created, self.unchanged, self.refusals + reasons)


def follow_ups_assign(*, leads: list[Lead], owner: StaffMember, by) -> BulkResult:
    """Give ``owner`` the follow-ups of ``leads``, creating those that do not exist yet (due by the SLA).

    A manager's assignment overrides the policy: a lead that did not qualify gets a follow-up when a
    manager hands it to someone. Leads of another sponsor than the owner's are refused, not moved.
    """
    changed = created = unchanged = 0
    refusals: Counter[str] = Counter()
    now = timezone.now()
    policy = policy_for(owner.sponsor_id)
    for lead in leads:
        if lead.sponsorship.sponsor_id != owner.sponsor_id:
            refusals[f"{owner.display_name} works for another sponsor"] += 1
            continue
        follow_up = FollowUp.objects.filter(lead=lead).first()
        if follow_up is None:
            with transaction.atomic():
                grade = getattr(getattr(lead, "score", None), "grade", "D")
                follow_up, made = FollowUp.objects.get_or_create(
                    lead=lead,
                    defaults={
                        "owner": owner,
                        "created_at": now,
                        "due_on": due_date(
                            now,
                            policy.days_for(grade),
                            time_zone=owner.time_zone,
                            working_days=owner.working_days,
                        ),
                    },
                )
                if made:
                    FollowUpChange.objects.create(
                        follow_up=follow_up,
                        changed_at=now,
                        changed_by=by,
                        to_status=FollowUpStatus.TODO,
                        to_owner=owner,
                        note="Assigned by a manager",
                    )
                    created += 1
                    continue
        if followup_change(follow_up=follow_up, by=by, owner=owner, note="Reassigned by a manager"):
            changed += 1
        else:
            unchanged += 1
    return BulkResult(changed=changed, created=created, unchanged=unchanged, refusals=refusals)


def follow_ups_set_status(*, follow_ups: list[FollowUp], status: str, by) -> BulkResult:
    """Move each follow-up to ``status``, recording every change; invalid moves are refused one by one."""
    changed = unchanged = 0
    refusals: Counter[str] = Counter()
    for follow_up in follow_ups:
        try:
            change = followup_change(follow_up=follow_up, by=by, status=status)
        except ValidationError as error:
            refusals[" ".join(error.messages).rstrip(".")] += 1
            continue
        if change:
            changed += 1
        else:
            unchanged += 1
    return BulkResult(changed=changed, unchanged=unchanged, refusals=refusals)
