"""The sponsor landscape of an event, or two compared: who sponsored at which tier, with a booth or not, on which themes.

The sponsor list, tiers, booths and themes are the public face of an event (its sponsor page); why a
sponsor had no booth is its own business, shown only for sponsors the user works for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tracker.exports.base import INTEGER_FORMAT, Column, Export, Sheet
from tracker.models import Event, Sponsorship
from tracker.models.choices import Tier

TIER_ORDER = {value: index for index, value in enumerate(Tier.values)}


def _sponsorships(event: Event) -> list[Sponsorship]:
    rows = Sponsorship.objects.filter(event=event).select_related("sponsor").prefetch_related("themes")
    return sorted(rows, key=lambda s: (TIER_ORDER.get(s.tier, 99), s.sponsor.name.lower()))


def _change(before: Sponsorship | None, after: Sponsorship | None) -> str:
    if before is None:
        return "new"
    if after is None:
        return "dropped"
    parts = []
    rank_before, rank_after = TIER_ORDER.get(before.tier, 99), TIER_ORDER.get(after.tier, 99)
    if rank_after < rank_before:
        parts.append("upgraded")
    elif rank_after > rank_before:
        parts.append("downgraded")
    if before.has_booth and not after.has_booth:
        parts.append("dropped the booth")
    elif after.has_booth and not before.has_booth:
        parts.append("took a booth")
    return ", ".join(parts) or "same"


class SponsorLandscapeExport(Export):
    """One sheet per event (sponsors by tier), plus a comparison and a themes sheet when two are given."""

    filename = "sponsor-landscape"

    def __init__(self, events: list[Event], own_sponsor_ids: set[int] | None):
        self.events = events
        self.own = own_sponsor_ids  # None: the user may see every sponsor's reasons (an operator)

    def _reason(self, sponsorship: Sponsorship) -> str:
        if sponsorship.has_booth:
            return ""
        if self.own is not None and sponsorship.sponsor_id not in self.own:
            return "(not shared)"
        reason = sponsorship.get_no_booth_reason_display()
        return f"{reason}: {sponsorship.no_booth_detail}" if sponsorship.no_booth_detail else reason

    def sheets(self) -> Iterator[Sheet]:
        by_event = {event.pk: _sponsorships(event) for event in self.events}
        for event in self.events:
            yield Sheet(
                event.name,
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
                        s.sponsor.name,
                        s.get_tier_display(),
                        "yes" if s.has_booth else "no",
                        s.booth_number,
                        self._reason(s),
                        ", ".join(t.name for t in s.themes.all()),
                        s.sponsor.get_funding_stage_display(),
                        s.sponsor.offering,
                    )  # fmt: skip
                    for s in by_event[event.pk]
                ],
            )
        if len(self.events) == 2:
            first, second = self.events
            before = {s.sponsor_id: s for s in by_event[first.pk]}
            after = {s.sponsor_id: s for s in by_event[second.pk]}
            names = {s.sponsor_id: s.sponsor.name for s in [*before.values(), *after.values()]}
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
                        names[sid],
                        before[sid].get_tier_display() if sid in before else "",
                        after[sid].get_tier_display() if sid in after else "",
                        ("yes" if before[sid].has_booth else "no") if sid in before else "",
                        ("yes" if after[sid].has_booth else "no") if sid in after else "",
                        _change(before.get(sid), after.get(sid)),
                    )  # fmt: skip
                    for sid in sorted(names, key=lambda sid: names[sid].lower())
                ],
            )
        themes: dict[str, list[int]] = defaultdict(lambda: [0] * len(self.events))
        for index, event in enumerate(self.events):
            for sponsorship in by_event[event.pk]:
                for theme in sponsorship.themes.all():
                    themes[theme.name][index] += 1
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
