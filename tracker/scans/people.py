"""Who a scan says a person is, and what a booth knows of them (pure: no database).

A badge read or typed as attendee fields (``typed_badge``, ``badge_of``, ``attendee_values``), and what a
booth's own scans add to the attendee every sponsor at the event shares (``booth_additions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy

from tracker.badges import ParsedBadge, parse_badge
from tracker.models.choices import PayloadFormat

ATTENDEE_FIELDS = {
    "display_name": 240, "first_name": 120, "last_name": 120, "email": 254, "phone": 40, "title": 200, "company": 200, "country": 2, "city": 100,
}  # fmt: skip


def typed_badge(data: dict) -> ParsedBadge:
    """A badge from what staff typed in (name, company, email, badge id)."""
    email = (data.get("email") or "").strip()
    return ParsedBadge(
        format=PayloadFormat.MANUAL,
        badge_id=(data.get("badge_id") or "").strip(),
        first_name=(data.get("first_name") or "").strip(),
        last_name=(data.get("last_name") or "").strip(),
        emails=(email,) if email else (),
        title=(data.get("title") or "").strip(),
        company=(data.get("company") or "").strip(),
        phone=(data.get("phone") or "").strip(),  # an imported row's; booth staff type no phone
        country=(data.get("country") or "").strip(),
        city=(data.get("city") or "").strip(),
    )


def badge_of(raw_payload: str, typed: dict) -> ParsedBadge:
    """The identity a scan carries: the parsed payload, or what staff typed when there is none."""
    if raw_payload.strip():
        return parse_badge(raw_payload)
    return typed_badge(typed)


def attendee_values(badge: ParsedBadge) -> dict[str, str]:
    return {name: (getattr(badge, name) or "")[:limit] for name, limit in ATTENDEE_FIELDS.items()}


def booth_additions(
    attendee: dict[str, str],
    scans: Iterable[tuple[str, dict]],
    fields: Iterable[str] = tuple(ATTENDEE_FIELDS),
) -> dict[str, str]:
    """What one booth's own scans add to an attendee's blank fields (pure): for each blank field, the value
    the latest scan that has one gives (its badge as read, else what staff typed or the booth's file gave).

    ``attendee``: the attendee's ``ATTENDEE_FIELDS`` values; ``scans``: (raw payload, typed) of the booth's
    scans of the lead, latest first. The attendee is shared by every sponsor at the event, so a booth's
    input never writes to it (another sponsor would see what this one was told, or planted); each booth
    sees the organiser's data completed with its own. ``fields``: the ones wanted (all by default)."""
    blank = [name for name in fields if not attendee.get(name)]
    if not blank:
        return {}
    added: dict[str, str] = {}
    for raw_payload, typed in scans:
        if len(added) == len(blank):
            break
        said = [attendee_values(typed_badge(typed or {}))]
        if raw_payload.strip():
            said.insert(0, attendee_values(parse_badge(raw_payload)))
        for values in said:
            for name in blank:
                if name not in added and values[name]:
                    added[name] = values[name]
    return added


def booth_people(
    lead_ids: Iterable[int], fields: Iterable[str] = tuple(ATTENDEE_FIELDS)
) -> dict[int, dict[str, str]]:
    """{lead id: the person as the lead's booth knows them}: the attendee's ``ATTENDEE_FIELDS`` (the
    organiser's data, shared by every sponsor at the event), the blank ones filled from that booth's own
    scans of the lead by ``booth_additions``, latest asked first (``LATEST_ASKED_FIRST``: the order a lead's
    consent, answers and rating follow). Two queries, whatever the number of leads; every page, file and
    CRM that shows a lead's person reads it here. ``fields``: the ones wanted (all by default)."""
    from tracker.drivercursors import among
    from tracker.models import Lead, Scan
    from tracker.models.leads import LATEST_ASKED_FIRST

    lead_ids = list(lead_ids)
    if not lead_ids:
        return {}
    names = list(fields)
    people = {
        pk: dict(zip(names, (value or "" for value in values), strict=True))
        for pk, *values in Lead.objects.filter(among(Lead, "pk", lead_ids))
        .order_by()
        .values_list("pk", *(f"attendee__{name}" for name in names))
    }
    lacking = [pk for pk, person in people.items() if not all(person.values())]
    if lacking:
        said: dict[int, list[tuple[str, dict]]] = {}
        for lead_id, raw_payload, typed in (
            Scan.objects.filter(among(Scan, "lead_id", lacking))
            .order_by("lead_id", *LATEST_ASKED_FIRST)
            .values_list("lead_id", "raw_payload", "typed")
        ):
            said.setdefault(lead_id, []).append((raw_payload, typed or {}))
        for pk in lacking:
            people[pk] |= booth_additions(people[pk], said.get(pk, ()), names)
    return people


def attendee_as_known(attendee, person: dict[str, str]):
    """A copy of ``attendee`` with ``person``'s values (``booth_people``), for a page that reads its fields
    and properties (``full_name``); never saved."""
    known = copy(attendee)
    for name, value in person.items():
        setattr(known, name, value)
    return known
