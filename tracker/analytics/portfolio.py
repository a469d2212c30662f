"""A sponsor's sponsorships added up: by region and by year, and the latest booth against the one before.
Pure: it reads the figures ``tracker.analytics.roi`` computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tracker.analytics.roi import Roi
from tracker.models.choices import Region


@dataclass
class Group:
    """Sponsorships added up (a region, a year): cost, qualified leads, pipeline, in one currency."""

    name: str
    booths: int = 0
    cost: Decimal = Decimal("0.00")
    leads: int = 0
    qualified: int = 0
    pipeline: Decimal = Decimal("0.00")
    won: Decimal = Decimal("0.00")
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    def add(self, roi: Roi) -> None:
        self.booths += 1
        self.cost += roi.cost
        self.leads += roi.total.leads
        self.qualified += roi.total.qualified
        self.pipeline += roi.total.pipeline
        self.won += roi.total.won_amount
        for code, amount in roi.unconverted.items():
            self.unconverted[code] = self.unconverted.get(code, Decimal(0)) + amount

    @property
    def cost_per_qualified(self) -> Decimal | None:
        return (self.cost / self.qualified).quantize(Decimal("0.01")) if self.qualified else None


def groups(figures: list[Roi]) -> list[tuple[str, list[Group]]]:
    """The figures added up by region (Europe against North America, ...) and by year of the event."""
    regions: dict[str, Group] = {}
    years: dict[int, Group] = {}
    names = dict(Region.choices)
    for roi in figures:
        event = roi.sponsorship.event
        name = names.get(event.region, event.region or "Elsewhere")
        regions.setdefault(name, Group(name)).add(roi)
        years.setdefault(event.start_date.year, Group(str(event.start_date.year))).add(roi)
    return [("Region", list(regions.values())), ("Year", [years[year] for year in sorted(years)])]


def trend(figures: list[Roi]) -> str:
    """The latest booth's cost per qualified lead against the booth before, in words ("" without two)."""
    booths = sorted(
        (roi for roi in figures if roi.sponsorship.has_booth),
        key=lambda roi: roi.sponsorship.event.start_date,
    )
    if len(booths) < 2:
        return ""
    latest, before = booths[-1], booths[-2]
    now, then = latest.cost_per_qualified_lead, before.cost_per_qualified_lead
    if now is None or then is None:
        return ""
    change = "down" if now < then else "up" if now > then else "unchanged"
    return (
        f"Cost per qualified lead at {latest.sponsorship.event.short_label}: {now:,.2f} {latest.currency}, "
        f"{change} from {then:,.2f} {before.currency} at {before.sponsorship.event.short_label}."
    )
