"""The sponsor landscape of an event, or of two compared: who sponsored at which tier, with a booth or not,
on which themes, and the staff mix of the booths. One source for the landscape page and workbook.

The sponsor list, tiers, booths and themes are the public face of an event (its sponsor page). Why a
sponsor had no booth, and who staffed its booth, are its own business: shown for the sponsors in
``own`` only (``None``: every sponsor's, for an operator).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from tracker.models import Event, Sponsorship, StaffMember
from tracker.models.choices import StaffRole, Tier

TIER_ORDER = {value: index for index, value in enumerate(Tier.values)}
# Roles that talk tech at a booth, against those that sell.
TECHNICAL_ROLES = {StaffRole.TECHNICAL_SDR, StaffRole.DEVREL, StaffRole.SOLUTIONS_ENGINEER}


@dataclass(frozen=True)
class Row:
    """One sponsor at one event, as the user may see it."""

    sponsorship: Sponsorship
    reason: str  # why no booth: "" with a booth, "(not shared)" for another sponsor's

    @property
    def themes(self) -> list[str]:
        return [theme.name for theme in self.sponsorship.themes.all()]


@dataclass
class EventLandscape:
    event: Event
    rows: list[Row] = field(default_factory=list)
    staff_roles: Counter = field(default_factory=Counter)  # the booths' staff by role (own booths only)
    staff_booths: int = 0  # how many booths those staff counts come from

    @property
    def sponsors(self) -> int:
        return len(self.rows)

    def by_tier(self) -> list[tuple[str, int]]:
        counts = Counter(row.sponsorship.tier for row in self.rows)
        return [(label, counts[value]) for value, label in Tier.choices if counts[value]]

    def booths(self) -> list[tuple[str, int]]:
        with_booth = sum(1 for row in self.rows if row.sponsorship.has_booth)
        return [("With a booth", with_booth), ("Without a booth", self.sponsors - with_booth)]

    def theme_shares(self) -> list[tuple[str, int, float]]:
        """(theme, sponsors pushing it, share of the event's sponsors), most pushed first."""
        counts = Counter(theme for row in self.rows for theme in row.themes)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [(theme, n, n / self.sponsors) for theme, n in ordered]

    def staff_mix(self) -> list[tuple[str, int]]:
        labels = dict(StaffRole.choices)
        return [(labels.get(role, role), n) for role, n in self.staff_roles.most_common()]

    @property
    def technical_share(self) -> float | None:
        total = sum(self.staff_roles.values())
        technical = sum(n for role, n in self.staff_roles.items() if role in TECHNICAL_ROLES)
        return technical / total if total else None


@dataclass(frozen=True)
class Change:
    sponsor: str
    before: Sponsorship | None
    after: Sponsorship | None

    @property
    def text(self) -> str:
        before, after = self.before, self.after
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

    @property
    def booth_then_not(self) -> bool:
        """Ran a booth at the earlier event but not at the later one (there without, or not there)."""
        return self.before is not None and self.before.has_booth and not (self.after and self.after.has_booth)


def _reason(sponsorship: Sponsorship, own: set[int] | None) -> str:
    if sponsorship.has_booth:
        return ""
    if own is not None and sponsorship.sponsor_id not in own:
        return "(not shared)"
    reason = sponsorship.get_no_booth_reason_display()
    return f"{reason}: {sponsorship.no_booth_detail}" if sponsorship.no_booth_detail else reason


def landscapes(events: list[Event], own: set[int] | None, staff: bool = True) -> list[EventLandscape]:
    """Each event's sponsors by tier (then name), with what ``own`` may see, and the staff mix of the
    booths unless ``staff`` is off (the workbook has no use for it); two or four queries an event."""
    result = []
    for event in events:
        sponsorships = (
            Sponsorship.objects.filter(event=event).select_related("sponsor").prefetch_related("themes")
        )
        ordered = sorted(sponsorships, key=lambda s: (TIER_ORDER.get(s.tier, 99), s.sponsor.name.lower()))
        landscape = EventLandscape(event, [Row(s, _reason(s, own)) for s in ordered])
        result.append(landscape)
        if not staff:
            continue
        staffed = StaffMember.objects.filter(sponsorships__event=event, sponsorships__has_booth=True)
        booths = Sponsorship.objects.filter(event=event, has_booth=True, roster__isnull=False)
        if own is not None:
            staffed, booths = staffed.filter(sponsor_id__in=own), booths.filter(sponsor_id__in=own)
        for role, n in staffed.values_list("role").annotate(n=Count("pk", distinct=True)).order_by():
            landscape.staff_roles[role] += n
        landscape.staff_booths = booths.distinct().count()
    return result


def changes(before: EventLandscape, after: EventLandscape) -> list[Change]:
    """Every sponsor of either event, by name: new, dropped, up- or downgraded, booth taken or dropped."""
    then = {row.sponsorship.sponsor_id: row.sponsorship for row in before.rows}
    now = {row.sponsorship.sponsor_id: row.sponsorship for row in after.rows}
    names = {s.sponsor_id: s.sponsor.name for s in [*then.values(), *now.values()]}
    return [
        Change(names[sid], then.get(sid), now.get(sid))
        for sid in sorted(names, key=lambda sid: names[sid].lower())
    ]
