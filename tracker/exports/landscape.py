"""The sponsor landscape workbook: an event, or two compared; the figures are ``tracker.analytics.landscape``'s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tracker.analytics.landscape import changes, landscapes
from tracker.exports.base import INTEGER_FORMAT, Column, Export, Sheet
from tracker.models import Event


class SponsorLandscapeExport(Export):
    """One sheet per event (sponsors by tier), plus a comparison and a themes sheet when two are given."""

    filename = "sponsor-landscape"

    def __init__(self, events: list[Event], own_sponsor_ids: set[int] | None):
        self.events = events
        self.own = own_sponsor_ids  # None: the user may see every sponsor's reasons (an operator)

    def sheets(self) -> Iterator[Sheet]:
        figures = landscapes(self.events, self.own, staff=False)
        for landscape in figures:
            yield Sheet(
                landscape.event.name,
                [
                    Column("Sponsor", 28),
                    Column("Tier", 11),
                    Column("Booth", 7),
                    Column("Booth number", 9),
                    Column("Why no booth", 34, wrap=True),
                    Column("Themes", 40, wrap=True),
                    Column("Funding stage", 14),
                    Column("Sells", 34, wrap=True),
                ],  # fmt: skip
                [
                    (
                        row.sponsorship.sponsor.name,
                        row.sponsorship.get_tier_display(),
                        "yes" if row.sponsorship.has_booth else "no",
                        row.sponsorship.booth_number,
                        row.reason,
                        ", ".join(row.themes),
                        row.sponsorship.sponsor.get_funding_stage_display(),
                        row.sponsorship.sponsor.offering,
                    )  # fmt: skip
                    for row in landscape.rows
                ],
            )
        if len(figures) == 2:
            first, second = self.events
            yield Sheet(
                "Compared",
                [
                    Column("Sponsor", 28),
                    Column(f"Tier at {first.name}"[:60], 16),
                    Column(f"Tier at {second.name}"[:60], 16),
                    Column("Booth then", 8),
                    Column("Booth now", 8),
                    Column("Change", 28),
                ],  # fmt: skip
                [
                    (
                        change.sponsor,
                        change.before.get_tier_display() if change.before else "",
                        change.after.get_tier_display() if change.after else "",
                        ("yes" if change.before.has_booth else "no") if change.before else "",
                        ("yes" if change.after.has_booth else "no") if change.after else "",
                        change.text,
                    )  # fmt: skip
                    for change in changes(*figures)
                ],
            )
        themes: dict[str, list[int]] = defaultdict(lambda: [0] * len(self.events))
        for index, landscape in enumerate(figures):
            for theme, n, _ in landscape.theme_shares():
                themes[theme][index] += n
        yield Sheet(
            "Themes",
            [
                Column("Theme", 26),
                *(Column(f"Sponsors at {e.name}"[:60], 16, INTEGER_FORMAT) for e in self.events),
            ],
            sorted(
                ((name, *counts) for name, counts in themes.items()), key=lambda row: (-sum(row[1:]), row[0])
            ),
        )
