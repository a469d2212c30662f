"""Did the booth pay off? The funnel, costs and pipeline of sponsorships, in the sponsor's currency.

Stages are counted from what each follow-up ever reached (its history and its current status), so a
lead that booked a meeting and was later lost still counts as a meeting. The funnel is nested: each
step counts the leads of the step before that went further (qualified, then qualified and contacted,
...), so no step exceeds the one before; the totals beside it (meetings, opportunities, pipeline) count
every lead, qualified or not. Costs and amounts are converted at stored rates only; what has no rate
is listed apart, never silently added.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from tracker.models import CostLine, FollowUp, FollowUpChange, Lead, Scan, Sponsorship
from tracker.models.choices import ConversationType, CostCategory, FollowUpStatus, StaffRole
from tracker.models.money import Converter, to_cents

QUALIFIED_GRADES = ("A", "B")
CONTACTED = {"contacted", "meeting_booked", "opportunity", "won", "lost", "no_response"}
MEETING = {"meeting_booked", "opportunity", "won"}
OPPORTUNITY = {"opportunity", "won"}
STAGES = (
    "Scans",
    "Unique leads",
    "Qualified (A/B)",
    "… and contacted",
    "… and met",
    "… and an opportunity",
    "… and won",
)


@dataclass
class Slice:
    """Funnel counts and money for a part of the leads (a role, a theme) or for all of them."""

    scans: int = 0
    leads: int = 0
    qualified: int = 0
    contacted: int = 0
    meetings: int = 0
    opportunities: int = 0
    won: int = 0
    pipeline: Decimal = Decimal("0.00")
    won_amount: Decimal = Decimal("0.00")
    # Qualified leads that were then contacted, met, had an opportunity, won: each within the one before.
    nested: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def funnel(self) -> list[int]:
        """Scans, unique leads, qualified, and the nested steps after it (see the module's docstring)."""
        return [self.scans, self.leads, self.qualified, *self.nested]


@dataclass
class Roi:
    """One sponsorship's figures in the sponsor's reporting currency."""

    sponsorship: Sponsorship
    currency: str
    costs_by_category: dict[str, Decimal] = field(default_factory=dict)
    cost: Decimal = Decimal("0.00")
    unconverted: dict[str, Decimal] = field(default_factory=dict)  # costs and amounts without a rate
    swag_only_scans: int = 0
    total: Slice = field(default_factory=Slice)
    by_role: dict[str, Slice] = field(default_factory=lambda: defaultdict(Slice))
    by_theme: dict[str, Slice] = field(default_factory=lambda: defaultdict(Slice))

    def cost_per(self, count: int) -> Decimal | None:
        return to_cents(self.cost / count) if count else None


def roi_for(sponsorships: QuerySet[Sponsorship] | list[Sponsorship]) -> list[Roi]:
    """The figures of each sponsorship (already scoped to the user), in a fixed number of queries each."""
    results = []
    for sponsorship in sponsorships:
        results.append(_one(sponsorship))
    return results


def _one(sponsorship: Sponsorship) -> Roi:
    currency = sponsorship.sponsor.reporting_currency
    roi = Roi(sponsorship, currency)
    converter = Converter(currency)
    labels = dict(CostCategory.choices)
    for category, amount, line_currency, incurred_on in CostLine.objects.filter(
        sponsorship=sponsorship
    ).values_list("category", "amount", "currency", "incurred_on"):
        # Per line, as tracker.analytics.costs totals them: the rate of the line's date, else the event's start.
        converted = converter.convert(amount, line_currency, incurred_on or sponsorship.event.start_date)
        if converted is None:
            roi.unconverted[line_currency] = roi.unconverted.get(line_currency, Decimal(0)) + amount
            continue
        key = labels.get(category, category)
        roi.costs_by_category[key] = roi.costs_by_category.get(key, Decimal("0.00")) + converted
        roi.cost += converted

    # Who scanned each lead first (the role credited with it), scans per role, interests per lead.
    first_role: dict[int, str] = {}
    interests: dict[int, set[str]] = defaultdict(set)
    roles = dict(StaffRole.choices)
    for lead_id, role, conversation, items in (
        Scan.objects.counted()
        .filter(sponsorship=sponsorship)
        .order_by("received_at", "pk")
        .values_list("lead_id", "scanned_by__role", "conversation_type", "interests")
    ):
        role_label = roles.get(role, "Unknown")
        roi.total.scans += 1
        roi.by_role[role_label].scans += 1
        if conversation == ConversationType.SWAG_ONLY:
            roi.swag_only_scans += 1
        themes = {item.strip() for item in items or () if isinstance(item, str) and item.strip()}
        for theme in themes:
            roi.by_theme[theme].scans += 1
        if lead_id is None:
            continue
        first_role.setdefault(lead_id, role_label)
        interests[lead_id] |= themes

    reached: dict[int, set[str]] = defaultdict(set)
    for follow_up_id, status in (
        FollowUpChange.objects.filter(follow_up__lead__sponsorship=sponsorship)
        .exclude(to_status="")
        .values_list("follow_up_id", "to_status")
    ):
        reached[follow_up_id].add(status)
    follow_ups = {
        row["lead_id"]: row
        for row in FollowUp.objects.filter(lead__sponsorship=sponsorship).values(
            "pk", "lead_id", "status", "opportunity_amount", "opportunity_currency"
        )
    }
    on = sponsorship.event.end_date
    for lead_id, grade in Lead.objects.filter(sponsorship=sponsorship).values_list("pk", "score__grade"):
        slices = [roi.total, roi.by_role[first_role.get(lead_id, "Unknown")]]
        slices += [roi.by_theme[theme] for theme in sorted(interests.get(lead_id, ()))]
        follow_up = follow_ups.get(lead_id)
        stages = (reached.get(follow_up["pk"], set()) | {follow_up["status"]}) if follow_up else set()
        amount = Decimal("0.00")
        if follow_up and follow_up["opportunity_amount"] is not None and stages & OPPORTUNITY:
            code = follow_up["opportunity_currency"]
            converted = converter.convert(follow_up["opportunity_amount"], code, on)
            if converted is None:
                roi.unconverted[code] = (
                    roi.unconverted.get(code, Decimal(0)) + follow_up["opportunity_amount"]
                )
            else:
                amount = converted
        won = follow_up is not None and follow_up["status"] == FollowUpStatus.WON
        reached_steps = [bool(stages & CONTACTED), bool(stages & MEETING), bool(stages & OPPORTUNITY), won]
        qualified = grade in QUALIFIED_GRADES
        for part in slices:
            part.leads += 1
            part.qualified += qualified
            part.contacted += reached_steps[0]
            part.meetings += reached_steps[1]
            part.opportunities += reached_steps[2]
            part.won += won
            part.pipeline += amount
            if won:
                part.won_amount += amount
            going = qualified
            for step, got in enumerate(reached_steps):
                going = going and got
                part.nested[step] += going
    return roi
