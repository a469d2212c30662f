"""Demo booth scans, the leads they add up to, and follow-ups with their history (see tracker.demo)."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from tracker.demo.badges import badge_code, unknown_code
from tracker.demo.pools import FOLLOW_UP_OUTCOMES, SCAN_NOTES, THEMES, Record, at_local, pick, record

TARGET_SCANS = 3600
SCAN_WEIGHT = {
    "diamond": 60,
    "platinum": 40,
    "gold": 25,
    "silver": 16,
    "startup": 10,
    "end_user": 8,
    "community": 5,
}
ROLE_SCAN_WEIGHT = {"sales": 3, "technical_sdr": 3, "solutions_engineer": 2, "devrel": 2, "founder_exec": 1.5,
                    "marketing": 1}  # fmt: skip
CONVERSATIONS = [("demo", 24), ("technical_deep_dive", 16), ("swag_only", 22), ("hiring", 4), ("partner", 5),
                 ("press", 1), ("", 28)]  # fmt: skip
RATINGS_AFTER = {
    "swag_only": [("cold", 50), ("", 45), ("warm", 5)],
    "demo": [("hot", 30), ("warm", 40), ("cold", 15), ("", 15)],
    "technical_deep_dive": [("hot", 30), ("warm", 40), ("cold", 15), ("", 15)],
    "": [("hot", 8), ("warm", 25), ("cold", 30), ("", 37)],
}  # fmt: skip
OTHER_RATINGS = [("warm", 30), ("cold", 40), ("", 30)]
FIRST_CONSENT = [(True, 55), (False, 15), (None, 30)]
REPEAT_CONSENT = [(True, 25), (False, 5), (None, 70)]  # rarely asked again
STATUS_WEIGHTS = [("todo", 22), ("contacted", 14), ("meeting_booked", 10), ("opportunity", 9), ("won", 6),
                  ("lost", 7), ("disqualified", 12), ("no_response", 20)]  # fmt: skip
STATUS_PATHS = {
    "todo": ["todo"], "contacted": ["todo", "contacted"],
    "meeting_booked": ["todo", "contacted", "meeting_booked"],
    "opportunity": ["todo", "contacted", "meeting_booked", "opportunity"],
    "won": ["todo", "contacted", "meeting_booked", "opportunity", "won"],
    "lost": ["todo", "contacted", "meeting_booked", "opportunity", "lost"],
    "disqualified": ["todo", "contacted", "disqualified"],
    "no_response": ["todo", "contacted", "no_response"],
}  # fmt: skip
CHANNELS = [("email", 50), ("linkedin", 15), ("phone", 15), ("meeting", 15), ("other", 5)]


def days_between(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def scan_time(rng: random.Random, event: dict[str, Any]) -> datetime:
    """A device time on an event day between 09:00 and 18:00 local time, whole seconds, in UTC."""
    days = days_between(event["start_date"], event["end_date"])
    day = rng.choices(days, weights=[1, 4, 4, 2][: len(days)])[0]  # day one is co-located events
    return at_local(day, rng.randrange(9 * 3600, 18 * 3600), event["time_zone"])


def received_after(rng: random.Random, scanned: datetime) -> datetime:
    """When the server got a scan: seconds later, or minutes to hours later from the offline queue."""
    roll = rng.random()
    if roll < 0.93:
        seconds = rng.uniform(1, 25)
    else:
        seconds = rng.uniform(120, 5400) if roll < 0.99 else rng.uniform(7200, 21600)
    return scanned + timedelta(milliseconds=round(seconds * 1000))


def conversation(rng: random.Random, interest_pool: list[str], repeat: bool) -> dict[str, Any]:
    """Rating, conversation type, interests, notes and consent of one booth interaction."""
    kind = pick(rng, CONVERSATIONS)
    rating = pick(rng, RATINGS_AFTER.get(kind, OTHER_RATINGS))
    swag = kind == "swag_only"
    interests = [] if swag and rng.random() < 0.8 else rng.sample(interest_pool, rng.randint(0, 3))
    notes = "" if rng.random() < 0.45 else rng.choice(SCAN_NOTES)
    if swag:
        notes = rng.choice(["", "", "Came for the socks", "Only wanted the T-shirt", notes])
    consent = pick(rng, REPEAT_CONSENT if repeat else FIRST_CONSENT)
    return {
        "rating": rating,
        "conversation_type": kind,
        "interests": interests,
        "notes": notes,
        "consent": consent,
    }


def scan_share(member: Record) -> float:
    """How much of a booth's scanning a staff member does: sellers most, managers a bit less."""
    return ROLE_SCAN_WEIGHT[member["fields"]["role"]] * (0.7 if member["fields"]["level"] == "manager" else 1)


def booth_visits(
    rng: random.Random, people: list[Record], cum_weights: list[int], known: int, unknown: int
) -> list[tuple[Record | None, int]]:
    """(attendee or None for an unknown badge, number of scans) per visitor, ``known + unknown`` scans."""
    visits: list[tuple[Record | None, int]] = []
    seen: set[int] = set()
    while known > 0:
        person = rng.choices(people, cum_weights=cum_weights)[0]
        if person["pk"] in seen:
            continue
        seen.add(person["pk"])
        times = min(known, pick(rng, [(1, 85), (2, 11), (3, 4)]))
        visits.append((person, times))
        known -= times
    visits += [(None, 1)] * unknown
    rng.shuffle(visits)
    return visits


def scanned_code(
    rng: random.Random, person: Record | None, event: dict, event_pk: int, handheld: bool
) -> tuple[str, str]:
    """(raw payload, format) read at the booth: the badge QR, the bare id, a typed entry or junk."""
    if person is None:
        return unknown_code(rng, event_pk)
    f = person["fields"]
    if rng.random() < 0.01:
        return f"{f['first_name']} {f['last_name']}, {f['company']}", "manual"
    if handheld:
        return f["badge_id"], "badge_id"
    return badge_code(person, event)


def lead_and_scan_records(
    rng: random.Random,
    events: list[Record],
    sponsors: list[Record],
    sponsorships: list[Record],
    staff: list[Record],
    attendees: list[Record],
) -> tuple[list[Record], list[Record]]:
    """(leads, scans): scans at every booth by its rostered staff, a few percent of unknown badges."""
    event_by_pk = {e["pk"]: e["fields"] for e in events}
    booths = [s for s in sponsorships if s["fields"]["has_booth"]]
    event_size = {1: 1.0, 2: 0.8}  # Paris expected 12,000 attendees, Salt Lake City 9,000
    weights = [
        SCAN_WEIGHT[b["fields"]["tier"]] * event_size[b["fields"]["event"]] * rng.uniform(0.7, 1.3)
        for b in booths
    ]
    scale = TARGET_SCANS / sum(weights)
    pool = {pk: [a for a in attendees if a["fields"]["event"] == pk] for pk in event_by_pk}
    # a quarter of the attendees are booth crawlers, four times as likely to be scanned anywhere
    crawl = {
        pk: list(accumulate(4 if rng.random() < 0.25 else 1 for _ in people)) for pk, people in pool.items()
    }
    leads: list[Record] = []
    scans: list[Record] = []
    for booth, weight in zip(booths, weights, strict=True):
        bf = booth["fields"]
        event = event_by_pk[bf["event"]]
        roster = [s for s in staff if booth["pk"] in s["fields"]["sponsorships"]]
        roster_weights = [scan_share(s) for s in roster]
        handheld = rng.random() < 0.15  # a rented handheld scanner reading the Code 128 badge id
        devices = {
            s["pk"]: f"{rng.choice(['iphone', 'android', 'ipad'])}-{rng.getrandbits(32):08x}" for s in roster
        }
        own_topics = sponsors[bf["sponsor"] - 1]["fields"]["interest_options"]
        interest_pool = [THEMES[t - 1] for t in bf["themes"]] + own_topics
        total = max(3, round(weight * scale))
        unknown = round(total * rng.uniform(0.015, 0.045))
        visits = booth_visits(rng, pool[bf["event"]], crawl[bf["event"]], total - unknown, unknown)
        for person, times in visits:
            visit: list[Record] = []
            for i, moment in enumerate(sorted(scan_time(rng, event) for _ in range(times))):
                member = rng.choices(roster, weights=roster_weights)[0]
                details = conversation(rng, interest_pool, repeat=i > 0)
                if person is None:
                    note = rng.choice(["", "", "Badge would not scan, wrote the name on paper"])
                    details.update(consent=None, rating=rng.choice(["", "", "warm", "cold"]), notes=note)
                payload, fmt = scanned_code(rng, person, event, bf["event"], handheld)
                received = received_after(rng, moment)
                fields = {
                    "sponsorship": booth["pk"],
                    "lead": None,
                    "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "scanned_by": member["pk"],
                    "device_id": "zebra-tc52" if handheld else devices[member["pk"]],
                    "device_scanned_at": moment,
                    "received_at": received,
                    "raw_payload": payload,
                    "payload_format": fmt,
                    "typed": {},
                    "processed_at": received + timedelta(seconds=1),
                    **details,
                }
                visit.append(record("scan", len(scans) + len(visit) + 1, **fields))
            scans += visit
            if person is not None:
                leads.append(lead_from_scans(len(leads) + 1, booth["pk"], person["pk"], visit))
    return leads, scans


def lead_from_scans(pk: int, sponsorship: int, attendee: int, scans: list[Record]) -> Record:
    """A lead whose counters, times and consent follow from its scans (which get linked to it)."""
    for scan in scans:
        scan["fields"]["lead"] = pk
    # Server time orders scans (device clocks drift), as in tracker.scans.
    moments = [s["fields"]["received_at"] for s in scans]
    asked = [s["fields"] for s in scans if s["fields"]["consent"] is not None]
    latest = max(asked, key=lambda f: f["received_at"]) if asked else None
    fields = {
        "sponsorship": sponsorship,
        "attendee": attendee,
        "consent": latest["consent"] if latest else None,
        "consent_recorded_at": latest["received_at"] if latest else None,
        "first_scan_at": min(moments),
        "last_scan_at": max(moments),
        "scan_count": len(scans),
        "created_at": min(s["fields"]["received_at"] for s in scans),
    }
    return record("lead", pk, **fields)


def status_history(
    rng: random.Random,
    path: list[str],
    created: datetime,
    owner: Record,
    sellers: list[Record],
    manager: Record,
) -> list[tuple[datetime, str, str, Record | None, Record | None, Record, str]]:
    """(when, from status, to status, from owner, to owner, changed by, note) along ``path``."""
    history = [(created, "", "todo", None, owner, manager, "Created from booth lead")]
    moment = created
    reassign_at = rng.randrange(1, len(path)) if len(path) > 1 and rng.random() < 0.1 else None
    for step in range(1, len(path)):
        closing = path[step] in ("won", "lost")
        moment += timedelta(
            days=rng.randint(14, 60) if closing else rng.randint(1, 10), minutes=rng.randrange(600)
        )
        if step == reassign_at:
            new_owner = rng.choice(sellers)
            history.append((moment, "", "", owner, new_owner, manager, "Reassigned"))
            owner, moment = new_owner, moment + timedelta(hours=rng.randint(2, 30))
        history.append((moment, path[step - 1], path[step], None, None, owner, ""))
    return history


def follow_up_records(
    rng: random.Random,
    events: list[Record],
    sponsors: list[Record],
    sponsorships: list[Record],
    staff: list[Record],
    leads: list[Record],
    scans: list[Record],
) -> tuple[list[Record], list[Record]]:
    """(follow-ups, changes) for consenting warm and hot leads (and a few cold ones), every status."""
    event_by_pk = {e["pk"]: e["fields"] for e in events}
    latest_rating: dict[int, str] = {}
    for scan in sorted(scans, key=lambda s: s["fields"]["device_scanned_at"]):
        if scan["fields"]["lead"] and scan["fields"]["rating"]:
            latest_rating[scan["fields"]["lead"]] = scan["fields"]["rating"]
    follow_ups: list[Record] = []
    changes: list[Record] = []
    for lead in leads:
        rating = latest_rating.get(lead["pk"], "")
        if lead["fields"]["consent"] is not True or rng.random() >= {
            "hot": 0.75,
            "warm": 0.6,
            "cold": 0.08,
        }.get(rating, 0):
            continue
        sship = sponsorships[lead["fields"]["sponsorship"] - 1]["fields"]
        event, currency = (
            event_by_pk[sship["event"]],
            sponsors[sship["sponsor"] - 1]["fields"]["reporting_currency"],
        )
        team = [m for m in staff if m["fields"]["sponsor"] == sship["sponsor"]]
        sellers = [
            m for m in team if m["fields"]["role"] in ("sales", "technical_sdr", "founder_exec")
        ] or team
        manager = next((m for m in team if m["fields"]["level"] == "manager"), team[0])
        status = (
            pick(rng, STATUS_WEIGHTS)
            if rating != "cold"
            else rng.choice(["disqualified", "no_response", "todo"])
        )
        path = (
            ["todo", "disqualified"]
            if status == "disqualified" and rng.random() < 0.5
            else STATUS_PATHS[status]
        )
        created = at_local(
            event["end_date"] + timedelta(days=1), rng.randrange(8 * 3600, 11 * 3600), event["time_zone"]
        )
        history = status_history(rng, path, created, rng.choice(sellers), sellers, manager)
        amount = None
        if status in ("opportunity", "won", "lost"):
            amount = Decimal(rng.randrange(50, 2500) * 100).quantize(Decimal("0.01"))
            currency = currency if rng.random() < 0.85 else {"EUR": "USD", "USD": "EUR"}[currency]
        pk = len(follow_ups) + 1
        fields = {
            "lead": lead["pk"],
            "owner": [to_owner for _, _, _, _, to_owner, _, _ in history if to_owner][-1]["pk"],
            "channel": pick(rng, CHANNELS),
            "due_on": event["end_date"]
            + timedelta(days=rng.randint(1, 2) if rating == "hot" else rng.randint(2, 5)),
            "status": status,
            "outcome": rng.choice(FOLLOW_UP_OUTCOMES.get(status, [""])),
            "opportunity_amount": amount,
            "opportunity_currency": currency if amount is not None else "",
            "created_at": created,
            "updated_at": history[-1][0],
        }
        follow_ups.append(record("followup", pk, **fields))
        for at, from_status, to_status, from_owner, to_owner, by, note in history:
            change = {
                "follow_up": pk,
                "changed_at": at,
                "changed_by": by["fields"]["user"],
                "from_status": from_status,
                "to_status": to_status,
                "from_owner": from_owner["pk"] if from_owner else None,
                "to_owner": to_owner["pk"] if to_owner else None,
                "note": note,
            }
            changes.append(record("followupchange", len(changes) + 1, **change))
    return follow_ups, changes
