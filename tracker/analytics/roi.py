"""Did the booth pay off? The one source of the figures: funnel, costs, pipeline and their breakdowns.

The pages (event ROI, the sponsor's portfolio) and the ROI workbook read these figures, so they cannot
disagree. Everything is aggregated in the database in a fixed number of queries for any number of
sponsorships and leads: one per-lead row of flags (``funnel_sql.lead_flags``) is grouped by sponsorship, the role
credited with the lead, the opportunity's currency and whether the lead talked about more than swag;
the same rows joined to the lead's themes give the theme breakdown.

Stages are counted from what each follow-up ever reached (its history and its current status), so a
lead that booked a meeting and was later lost still counts as a meeting. The funnel is nested: each
step counts the qualified leads that went that far (qualified, then qualified and contacted, ...), so no
step exceeds the one before; the totals beside it (meetings, opportunities, pipeline) count every lead,
qualified or not. A lead is credited to the role of the staff member who scanned it first. The funnel
"without swag" leaves out leads whose every conversation was swag only. Costs and amounts are converted
at stored rates only (costs at their line's date, else the event's start; opportunities at the event's
end); what has no rate is listed apart, never silently added.
"""

from __future__ import annotations

import statistics
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    Min,
    Q,
    QuerySet,
)

from tracker.analytics.freshness import remembered
from tracker.analytics.funnel_sql import SUMS, lead_flags, scan_themes
from tracker.analytics.stages import CONTACTED
from tracker.models import (
    CostLine,
    FollowUp,
    FollowUpPolicy,
    Scan,
    Sponsorship,
)
from tracker.models.choices import ConversationType, CostCategory, Grade, StaffRole
from tracker.models.money import Converter, to_cents

DEFAULT_QUALIFIED = ("A", "B")


def qualified_label(grades: Sequence[str]) -> str:
    """ "Qualified (A/B)": the qualified step named with the grades it counts."""
    return f"Qualified ({'/'.join(grades)})"


def stages(grades: Sequence[str]) -> tuple[str, ...]:
    """The funnel's steps, as ``Slice.funnel`` counts them."""
    return ("Scans", "Unique leads", qualified_label(grades), "… and contacted", "… and met",
            "… and an opportunity", "… and won")  # fmt: skip


# Time from a lead's first scan to its first contact, in buckets a manager reads at a glance.
TOUCH_BUCKETS = ((1, "within a day"), (3, "1–3 days"), (7, "3–7 days"), (14, "1–2 weeks"), (None, "later"))
UNKNOWN_ROLE = "Unknown"


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

    @property
    def qualified_share(self) -> float | None:
        return self.qualified / self.leads if self.leads else None


@dataclass(frozen=True)
class CostRow:
    """One cost line as entered, and in the reporting currency (None without a stored rate)."""

    category: str
    description: str
    amount: Decimal
    currency: str
    converted: Decimal | None


@dataclass
class Roi:
    """One sponsorship's figures in the sponsor's reporting currency."""

    sponsorship: Sponsorship
    currency: str
    grades: tuple[str, ...] = DEFAULT_QUALIFIED
    cost_rows: list[CostRow] = field(default_factory=list)
    costs_by_category: dict[str, Decimal] = field(default_factory=dict)
    cost: Decimal = Decimal("0.00")
    unconverted: dict[str, Decimal] = field(default_factory=dict)  # costs and amounts without a rate
    swag_only_scans: int = 0
    total: Slice = field(default_factory=Slice)
    without_swag: Slice = field(default_factory=Slice)
    by_role: dict[str, Slice] = field(default_factory=lambda: defaultdict(Slice))
    by_theme: dict[str, Slice] = field(default_factory=lambda: defaultdict(Slice))
    # First scan to first contact, per lead, in order once computed (compact: a big booth has 100,000s).
    touch_days: Sequence[float] = field(default_factory=list)
    converter: Converter | None = field(default=None, repr=False)  # shared by the sponsor's sponsorships

    def cost_per(self, count: int) -> Decimal | None:
        return to_cents(self.cost / count) if count else None

    @property
    def cost_per_qualified_lead(self) -> Decimal | None:
        return self.cost_per(self.total.qualified)

    @property
    def return_on_cost(self) -> Decimal | None:
        """Pipeline sourced per unit of cost (2.5 means 2.5 times the cost in pipeline)."""
        return (self.total.pipeline / self.cost).quantize(Decimal("0.01")) if self.cost else None

    @property
    def won_on_cost(self) -> Decimal | None:
        return (self.total.won_amount / self.cost).quantize(Decimal("0.01")) if self.cost else None

    @property
    def median_touch_days(self) -> float | None:
        return statistics.median(self.touch_days) if self.touch_days else None

    def touch_distribution(self) -> list[tuple[str, int]]:
        """Leads per bucket of days to first contact (``touch_days`` is kept sorted: a bisect per bucket)."""
        counts, below = [], 0
        for limit, label in TOUCH_BUCKETS:
            upto = len(self.touch_days) if limit is None else bisect_right(self.touch_days, limit)
            counts.append((label, upto - below))
            below = upto
        return counts

    @property
    def qualified_never_contacted(self) -> int:
        return self.total.qualified - self.total.nested[0]


def qualified_grades(sponsor_id: int, asked: Iterable[str] | None = None) -> tuple[str, ...]:
    """The grades counted as qualified: those asked for (valid ones, in grade order), else the grades the
    sponsor's follow-up policy qualifies, else A and B."""
    chosen = {grade for grade in asked or () if grade in Grade.values}
    if not chosen:
        policy = FollowUpPolicy.objects.filter(sponsor_id=sponsor_id).values_list(
            "qualifying_grades", flat=True
        )
        chosen = {grade for grade in (policy.first() or DEFAULT_QUALIFIED) if grade in Grade.values}
    return tuple(grade for grade in Grade.values if grade in chosen) or DEFAULT_QUALIFIED


def roi_for(
    sponsorships: QuerySet[Sponsorship] | Sequence[Sponsorship], grades: Sequence[str] | None = None
) -> list[Roi]:
    """The figures of each sponsorship (already scoped to the user), in the order given; served from the
    cache while their inputs are unchanged (``tracker.analytics.freshness``).

    ``grades``: those counted as qualified; by default each sponsor's (``qualified_grades``).
    """
    sponsorships = list(sponsorships)
    by_pk = {sponsorship.pk: sponsorship for sponsorship in sponsorships}
    sponsors: dict[int, tuple[str, ...]] = {}
    counted: dict[int, tuple[str, ...]] = {}
    for sponsorship in by_pk.values():
        if sponsorship.sponsor_id not in sponsors:
            sponsors[sponsorship.sponsor_id] = qualified_grades(sponsorship.sponsor_id, grades)
        counted[sponsorship.pk] = sponsors[sponsorship.sponsor_id]
    figures = remembered(
        {pk: "".join(chosen) for pk, chosen in counted.items()},
        lambda missing: _computed([by_pk[pk] for pk in missing], counted),
    )
    for pk, sponsorship in by_pk.items():
        figures[pk].sponsorship = sponsorship  # the caller's, as it was loaded
    return [figures[sponsorship.pk] for sponsorship in sponsorships]


def _computed(sponsorships: list[Sponsorship], counted: dict[int, tuple[str, ...]]) -> dict[int, Roi]:
    """The figures of these sponsorships, each counting ``counted[pk]`` as qualified: a fixed number of
    queries whatever their number and their leads'."""
    by_grades: dict[tuple[str, ...], list[int]] = defaultdict(list)
    figures: dict[int, Roi] = {}
    converters: dict[str, Converter] = {}
    for sponsorship in sponsorships:
        by_grades[counted[sponsorship.pk]].append(sponsorship.pk)
        currency = sponsorship.sponsor.reporting_currency
        converter = converters.setdefault(currency, Converter(currency))
        figures[sponsorship.pk] = Roi(sponsorship, currency, counted[sponsorship.pk], converter=converter)
    _costs(figures)
    _scans(figures)
    for grades, group in by_grades.items():
        _funnels(figures, group, grades)
    _first_touch(figures)
    return figures


def _costs(figures: dict[int, Roi]) -> None:
    labels = dict(CostCategory.choices)
    lines = CostLine.objects.filter(sponsorship__in=figures).order_by("category", "pk")
    for sponsorship_id, category, description, amount, currency, incurred_on in lines.values_list(
        "sponsorship_id", "category", "description", "amount", "currency", "incurred_on"
    ):
        roi = figures[sponsorship_id]
        converted = roi.converter.convert(amount, currency, incurred_on or roi.sponsorship.event.start_date)
        label = labels.get(category, category)
        roi.cost_rows.append(CostRow(label, description, amount, currency, converted))
        if converted is None:
            roi.unconverted[currency] = roi.unconverted.get(currency, Decimal(0)) + amount
            continue
        roi.costs_by_category[label] = roi.costs_by_category.get(label, Decimal("0.00")) + converted
        roi.cost += converted


def _scans(figures: dict[int, Roi]) -> None:
    """Scans per sponsorship and role, swag-only ones among them; scans per theme."""
    roles = dict(StaffRole.choices)
    swag = Q(conversation_type=ConversationType.SWAG_ONLY)
    rows = (
        Scan.objects.counted()
        .filter(sponsorship__in=figures)
        .values_list("sponsorship_id", "scanned_by__role")
        .annotate(scans=Count("pk"), swag=Count("pk", filter=swag))
        .order_by()
    )
    for sponsorship_id, role, scans, swag_scans in rows:
        roi = figures[sponsorship_id]
        roi.total.scans += scans
        roi.by_role[roles.get(role, UNKNOWN_ROLE)].scans += scans
        roi.swag_only_scans += swag_scans
        roi.without_swag.scans += scans - swag_scans
    themes_sql, params = scan_themes(list(figures))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sponsorship_id, theme, COUNT(*) FROM ({themes_sql}) t GROUP BY sponsorship_id, theme",
            params,
        )
        for sponsorship_id, theme, scans in cursor.fetchall():
            figures[sponsorship_id].by_theme[theme].scans += scans


def _funnels(figures: dict[int, Roi], sponsorship_ids: list[int], grades: Sequence[str]) -> None:
    """Leads, qualified, stages reached and money per sponsorship, role and theme: two queries."""
    flags_sql, flags_params = lead_flags(sponsorship_ids, grades)
    themes_sql, themes_params = scan_themes(sponsorship_ids, per_lead=True)
    roles = dict(StaffRole.choices)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.sponsorship_id, f.credited_role, f.currency, f.talked, {SUMS} FROM ({flags_sql}) f "
            "GROUP BY f.sponsorship_id, f.credited_role, f.currency, f.talked",
            flags_params,
        )
        for sponsorship_id, role, currency, talked, *sums in cursor.fetchall():
            roi = figures[sponsorship_id]
            parts = [roi.total, roi.by_role[roles.get(role, UNKNOWN_ROLE)]] + (
                [roi.without_swag] if talked else []
            )
            _add(roi, parts, currency, sums)
        cursor.execute(
            f"SELECT f.sponsorship_id, t.theme, f.currency, {SUMS} FROM ({flags_sql}) f "
            f"JOIN ({themes_sql}) t ON t.lead_id = f.pk GROUP BY f.sponsorship_id, t.theme, f.currency",
            (*flags_params, *themes_params),
        )
        for sponsorship_id, theme, currency, *sums in cursor.fetchall():
            roi = figures[sponsorship_id]
            _add(roi, [roi.by_theme[theme]], currency, sums)


def _add(roi: Roi, parts: list[Slice], currency: str, sums: list) -> None:
    leads, qualified, contacted, met, opportunities, won, *nested, amount, won_amount = (
        *(int(value or 0) for value in sums[:10]),
        *sums[10:],
    )
    pipeline, won_total = _convert(roi, currency, amount), _convert(roi, currency, won_amount)
    for part in parts:
        part.leads += leads
        part.qualified += qualified
        part.contacted += contacted
        part.meetings += met
        part.opportunities += opportunities
        part.won += won
        part.pipeline += pipeline
        part.won_amount += won_total
        part.nested = [have + more for have, more in zip(part.nested, nested, strict=True)]


def _convert(roi: Roi, currency: str, amount) -> Decimal:
    amount = Decimal(amount or 0)
    if not amount:
        return Decimal("0.00")
    converted = roi.converter.convert(amount, currency, roi.sponsorship.event.end_date)
    if converted is None:
        roi.unconverted[currency] = roi.unconverted.get(currency, Decimal(0)) + amount
        return Decimal("0.00")
    return converted


def _first_touch(figures: dict[int, Roi]) -> None:
    """Days from each lead's first scan to its follow-up's first contact."""
    touched = (
        FollowUp.objects.filter(lead__sponsorship__in=figures)
        .annotate(first_touch=Min("history__changed_at", filter=Q(history__to_status__in=CONTACTED)))
        .filter(first_touch__isnull=False, lead__first_scan_at__isnull=False)
        .values_list("lead__sponsorship_id", "first_touch", "lead__first_scan_at")
    )
    for sponsorship_id, first_touch, first_scan in touched:
        figures[sponsorship_id].touch_days.append(
            max(first_touch - first_scan, timedelta(0)) / timedelta(days=1)
        )
    for roi in figures.values():
        roi.touch_days = array("d", sorted(roi.touch_days))
