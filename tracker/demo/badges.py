"""Demo attendee lists and what their badges' codes hold (see tracker.demo)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from typing import Any

from tracker.demo.pools import (
    CITIES,
    COMPANIES,
    COUNTRY_CULTURES,
    CULTURES,
    EVENT_COUNTRIES,
    FREE_MAIL_DOMAINS,
    LEGAL_SUFFIXES,
    LOCAL_TITLES,
    PHONE_FORMATS,
    TITLES,
    UNIVERSITIES,
    Record,
    ascii_fold,
    at_local,
    native,
    pick,
    record,
    same_script,
)

ATTENDEES_PER_EVENT = {1: 2600, 2: 2000}
BADGE_PREFIX = {1: "KCEU24", 2: "KCNA24"}
# What each organiser printed in the badge QR code (reprints differ): (format, weight).
QR_FORMATS = {
    1: [("vcard3", 55), ("vcard4", 15), ("url", 15), ("mecard", 10), ("json", 5)],
    2: [("json", 45), ("url", 20), ("vcard4", 20), ("mecard", 10), ("vcard3", 5)],
}  # fmt: skip
PAYLOAD_FORMATS = {"vcard3": "vcard", "vcard4": "vcard"}
TICKETS = [("All-Access Pass", 5), ("Expo Hall Only", 2), ("Student", 1), ("Speaker", 1), ("Press", 1)]


def company_spelling(rng: random.Random, name: str, country: str) -> str:
    """How a company name ends up on a badge: as is, with a legal suffix, shouted, or lower-cased."""
    roll = rng.random()
    if roll < 0.25 and country in LEGAL_SUFFIXES:
        return f"{name} {LEGAL_SUFFIXES[country]}"
    if roll < 0.3:
        return name.upper()
    if roll < 0.34:
        return name.lower()
    return name


def phone_number(rng: random.Random, country: str) -> str:
    """A number in a range reserved for fiction, or "" where none is known."""
    pattern = PHONE_FORMATS.get(country)
    if not pattern:
        return ""
    area, nn, mm, nnn = (
        rng.choice([201, 303, 415, 512, 801, 917]),
        rng.randrange(100),
        rng.randrange(100),
        rng.randrange(1000),
    )
    return pattern.format(area=area, nn=f"{nn:02d}", mm=f"{mm:02d}", nnn=f"{nnn:03d}")


def email_address(rng: random.Random, first: str, last: str, domain: str) -> str:
    """A work or free-mail address, or "" when the organiser withheld it."""
    local = ".".join(p for p in (ascii_fold(first), ascii_fold(last)) if p).lower().replace(" ", "")
    local = "".join(c for c in local if c.isalnum() or c in ".-")
    roll = rng.random()
    if roll < 0.18:
        return ""
    if roll < 0.38 or not domain:
        return f"{local}{rng.randrange(10, 99)}@{rng.choice(FREE_MAIL_DOMAINS)}"
    return f"{local}@{domain}"


def attendee_fields(rng: random.Random, region: str, sponsors: list[Record]) -> dict[str, Any]:
    """Name, title, employer and contact details of one attendee of an event in ``region``."""
    country = pick(rng, EVENT_COUNTRIES[region])
    culture = rng.choice(COUNTRY_CULTURES[country]) if rng.random() < 0.75 else rng.choice(list(CULTURES))
    firsts, lasts = CULTURES[culture]
    first, last = same_script(rng.choice(firsts), rng.choice(lasts))
    last_name = native(last)
    if isinstance(last, str) and rng.random() < 0.04:
        last_name = last_name.upper()  # badge systems that print surnames in capitals
    title = pick(rng, TITLES)
    if country in LOCAL_TITLES and rng.random() < 0.2:
        title = rng.choice(LOCAL_TITLES[country])
    if rng.random() < 0.04:
        sponsor = rng.choice(sponsors)["fields"]  # a competitor's, or the sponsor's own, employee
        company, domain = sponsor["name"], sponsor["domain"]
    elif "Student" in title or title == "Intern":
        company, domain = rng.choice(UNIVERSITIES)
    else:
        base, domain = rng.choice(COMPANIES)
        company = company_spelling(rng, base, country)
    return {
        "first_name": native(first),
        "last_name": last_name,
        "email": email_address(rng, first, last, domain),
        "phone": phone_number(rng, country) if rng.random() < 0.35 else "",
        "title": title,
        "company": company,
        "country": country if rng.random() > 0.02 else "",
        "city": rng.choice(CITIES[country]) if rng.random() > 0.05 else "",
    }


def attendee_records(rng: random.Random, events: list[Record], sponsors: list[Record]) -> list[Record]:
    """The organisers' attendee lists: unique badge ids, diverse names, some without email or phone."""
    records: list[Record] = []
    for event in events:
        start, tz = event["fields"]["start_date"], event["fields"]["time_zone"]
        imports = [  # the organiser's list arrives in batches; late registrations on the first morning
            (at_local(start - timedelta(days=14), 7 * 3600, tz), 70),
            (at_local(start - timedelta(days=3), 7 * 3600, tz), 25),
            (at_local(start, 7 * 3600 + 1800, tz), 5),
        ]
        for number in rng.sample(range(100_000, 1_000_000), ATTENDEES_PER_EVENT[event["pk"]]):
            fields = attendee_fields(rng, event["fields"]["region"], sponsors)
            badge_id = f"{BADGE_PREFIX[event['pk']]}-{number}"
            created_at = pick(rng, imports)
            records.append(
                record(
                    "attendee",
                    len(records) + 1,
                    event=event["pk"],
                    badge_id=badge_id,
                    created_at=created_at,
                    **fields,
                )
            )
    return records


def vcard_text(value: str) -> str:
    """A vCard text value with backslashes, commas, semicolons and newlines escaped."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets, continuation lines starting with a space (RFC 6350)."""
    parts, current, limit = [], "", 75
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current, limit = "", 74
        current += char
    return "\r\n ".join([*parts, current])


def vcard(f: dict[str, Any], version4: bool, event: dict[str, Any], ticket: str) -> str:
    """A vCard 3.0 or 4.0 of an attendee, CRLF line ends, long lines folded, text values escaped."""
    first, last = f["first_name"], f["last_name"]
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{'4.0' if version4 else '3.0'}",
        f"N:{vcard_text(last)};{vcard_text(first)};;;",
        f"FN:{vcard_text(f'{first} {last}'.strip())}",
        f"ORG:{vcard_text(f['company'])}",
        f"TITLE:{vcard_text(f['title'])}",
    ]
    if f["email"]:
        lines.append(
            f"EMAIL;TYPE=work:{f['email']}" if version4 else f"EMAIL;TYPE=INTERNET,WORK:{f['email']}"
        )
    if f["phone"]:
        tel = "".join(c for c in f["phone"] if c.isdigit() or c == "+")
        lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:{tel}" if version4 else f"TEL;TYPE=CELL:{f['phone']}")
    if f["city"] or f["country"]:
        lines.append(f"ADR;TYPE={'work' if version4 else 'WORK'}:;;;{vcard_text(f['city'])};;;{f['country']}")
    dates = f"{event['start_date'].isoformat()} to {event['end_date'].isoformat()}"
    note = f"{event['name']}, {event['city']}, {dates}; {ticket}"
    lines.append(f"NOTE:{vcard_text(note)}")
    if version4:  # RFC 6350 wants a URN as UID; the organiser adds its id as an extension property
        lines.append(f"UID:urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f['badge_id'])}")
        lines.append(f"X-REGISTRATION-ID:{f['badge_id']}")
    else:
        lines.append(f"UID:{f['badge_id']}")
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def mecard(f: dict[str, Any]) -> str:
    """A MECARD of an attendee, reserved characters backslash-escaped, the badge id in NOTE."""

    def esc(value: str) -> str:
        return "".join("\\" + c if c in "\\;:," else c for c in value)

    parts = [f"N:{esc(f['last_name'])},{esc(f['first_name'])}", f"ORG:{esc(f['company'])}"]
    parts += [f"TEL:{esc(f['phone'])}"] if f["phone"] else []
    parts += [f"EMAIL:{esc(f['email'])}"] if f["email"] else []
    return "MECARD:" + ";".join([*parts, f"NOTE:{f['badge_id']}"]) + ";;"


def badge_code(attendee: Record, event: dict[str, Any]) -> tuple[str, str]:
    """(payload, payload format) of the QR code on an attendee's badge; the same on every scan."""
    f = attendee["fields"]
    rng = random.Random(f["badge_id"])  # a property of the printed badge, not of the scan
    fmt, ticket = pick(rng, QR_FORMATS[f["event"]]), pick(rng, TICKETS)
    ticket = "Student" if "Student" in f["title"] else ticket
    if fmt == "url":
        if event["region"] == "EU":
            return f"https://badge.kceu24.example/v/{f['badge_id']}", fmt
        return f"https://lead.kcna24.example/scan?reg={f['badge_id']}&src=qr", fmt
    if fmt == "json":
        data = {"v": 1, "regId": f["badge_id"], "firstName": f["first_name"], "lastName": f["last_name"],
                "company": f["company"], "jobTitle": f["title"], "email": f["email"] or None,
                "country": f["country"], "ticket": ticket}  # fmt: skip
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")), fmt
    if fmt == "mecard":
        return mecard(f), fmt
    return vcard(f, fmt == "vcard4", event, ticket), PAYLOAD_FORMATS[fmt]


def unknown_code(rng: random.Random, event_pk: int) -> tuple[str, str]:
    """(payload, payload format) of a code that matches nobody on the attendee list."""
    prefix = BADGE_PREFIX[event_pk]
    return rng.choice([
        (f"{prefix}-0{rng.randrange(10_000, 100_000)}", "badge_id"),  # real ids never start with 0
        (f"{prefix[:-2]}23-{rng.randrange(100_000, 1_000_000)}", "badge_id"),  # last year's badge
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Sch", "vcard"),  # read cut short
        (f"]d2\x1d01040123456789{rng.randrange(1000, 10_000)}\x1d17250101", "unknown"),  # a GS1 product code
        ("WIFI:T:WPA;S:KubeCon-Guest;P:cloudnative;;", "unknown"),
        (f"https://badge.{prefix.lower()}.example/v/{prefix}-X{rng.randrange(10_000, 100_000)}", "url"),
        (f"{rng.getrandbits(40):010X}", "unknown"),
    ])  # fmt: skip
