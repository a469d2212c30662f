"""How far a lead got after the booth: the follow-up statuses that count as contacted, met, an
opportunity, won. One rule: the lead list's "Got as far as" filter reads it here (``reached``), the
figures' SQL (``funnel_sql.lead_flags``) from the same constants, and a test of the ROI page's funnel
links holds the two to the same leads."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from tracker.models import FollowUpChange
from tracker.models.choices import FollowUpStatus

CONTACTED = ("contacted", "meeting_booked", "opportunity", "won", "lost", "no_response")
MEETING = ("meeting_booked", "opportunity", "won")
OPPORTUNITY = ("opportunity", "won")
STEPS = ("contacted", "met", "opportunity", "won")  # after "qualified", each within the one before
STEP_LABELS = {"contacted": "Contacted", "met": "Met", "opportunity": "Opportunity", "won": "Won"}


def reached(step: str) -> Q:
    """Leads whose follow-up got as far as ``step`` (one of ``STEPS``): is, or once was, contacted, at a
    meeting or with an opportunity; won is what it is now. For a queryset of leads."""
    if step == "won":
        return Q(follow_up__status=FollowUpStatus.WON)
    statuses = {"contacted": CONTACTED, "met": MEETING, "opportunity": OPPORTUNITY}[step]
    history = FollowUpChange.objects.filter(follow_up__lead=OuterRef("pk"), to_status__in=statuses)
    return Q(follow_up__status__in=statuses) | Q(Exists(history))
