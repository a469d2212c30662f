"""Deterministic demo data as a Django JSON fixture: the entry point, events, sponsors and their costs.

Everything derives from the seed and the event dates (no wall clock), so one seed always gives the same
bytes. Each section draws from its own generator (:func:`rng_for`), so changing one section leaves the
others' output alone. The other sections live beside this module: ``staff`` (users, staff, ICPs, with
the ICP shapes in ``icps``), ``badges`` (attendees and badge payloads), ``scans`` (scans, leads,
follow-ups) and ``pools`` (the hand-written word pools).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.text import slugify

from tracker.demo.badges import attendee_records
from tracker.demo.pools import (
    CATEGORIES,
    COMPANIES,
    EVENTS,
    NO_BOOTH_DETAILS,
    SPONSORS,
    THEMES,
    Record,
    record,
)
from tracker.demo.questions import answer_criteria, answer_scans, question_records
from tracker.demo.scans import follow_up_records, lead_and_scan_records
from tracker.demo.staff import follow_up_rule_records, icp_records, staff_records

DEFAULT_SEED = 2024
# Sponsors at both editions whatever the draw, so the demo's ROI across events has something to compare.
AT_BOTH_EVENTS = ["Lumatrace", "Sealbright", "Portalith", "Tensorharbor", "Costwise Cloud"]

# List prices in the event currency: (fee, booth build, swag).
TIER_COSTS: dict[str, tuple[int, int, int]] = {
    "diamond": (150_000, 60_000, 25_000), "platinum": (90_000, 35_000, 15_000),
    "gold": (50_000, 18_000, 8_000), "silver": (25_000, 9_000, 4_000), "startup": (8_000, 2_500, 1_500),
    "end_user": (12_000, 4_000, 1_000), "community": (3_000, 500, 300),
}  # fmt: skip
FUNDING: dict[str, list[str]] = {
    "diamond": ["public", "series_c_plus"], "platinum": ["public", "series_c_plus", "series_c_plus"],
    "gold": ["series_b", "series_c_plus", "public"], "silver": ["series_a", "series_b", "series_b"],
    "startup": ["seed", "seed", "series_a", "bootstrapped"], "end_user": ["public", "public", ""],
    "community": ["non_profit"],
}  # fmt: skip
HALLS = {"diamond": "D", "platinum": "P", "gold": "G", "silver": "S", "startup": "SU", "end_user": "E",
         "community": "PP"}  # fmt: skip
SPONSORSHIP_NOTES = ["", "", "", "Renewed at the same tier", "Upgraded after a good 2023",
                     "Speaking slot in the sponsored keynote", "Shares the booth with a partner"]  # fmt: skip
RATES = [(date(2024, 1, 1), "1.1050"), (date(2024, 3, 1), "1.0820"), (date(2024, 6, 1), "1.0850"),
         (date(2024, 9, 1), "1.1050"), (date(2024, 11, 1), "1.0880")]  # fmt: skip
EMPLOYER_DOMAINS = dict(COMPANIES)  # end-user sponsors also employ attendees
CostLine = tuple[str, str, float, str, date | None]


def rng_for(seed: int, section: str) -> random.Random:
    """The generator of one section of the data set (string seeds are stable across Python runs)."""
    return random.Random(f"{seed}:{section}")


def money(value: float) -> Decimal:
    """A non-negative amount with two decimal places."""
    return Decimal(str(round(max(value, 0.0), 2))).quantize(Decimal("0.01"))


def event_records() -> list[Record]:
    """The two KubeCon editions."""
    return [record("event", pk, **fields) for pk, fields in enumerate(EVENTS, 1)]


def theme_records() -> list[Record]:
    """The showcase themes."""
    return [record("theme", pk, name=name, slug=slugify(name)) for pk, name in enumerate(THEMES, 1)]


def sponsor_records(rng: random.Random) -> list[Record]:
    """About 100 fictional sponsors with domain, funding stage, offering and interest chips."""
    records = []
    for pk, (name, category, tier) in enumerate(SPONSORS, 1):
        offering, options, _ = CATEGORIES[category]
        keep = sorted(rng.sample(range(len(options)), rng.randint(min(3, len(options)), len(options))))
        fields = {
            "name": name,
            "slug": slugify(name),
            "domain": EMPLOYER_DOMAINS.get(name) or f"{slugify(name)}.example",
            "funding_stage": rng.choice(FUNDING[tier]),
            "offering": offering,
            "reporting_currency": rng.choice(["EUR", "USD"]),
            "interest_options": [options[i] for i in keep],
        }
        records.append(record("sponsor", pk, **fields))
    return records


def participation(rng: random.Random) -> dict[int, list[tuple[int, str]]]:
    """Per sponsor pk: the (event pk, no-booth reason or "") it sponsors; most sponsor both events."""
    pks = [pk for pk, (name, _, _) in enumerate(SPONSORS, 1) if name not in AT_BOTH_EVENTS]
    rng.shuffle(pks)
    eu_only, na_only, regulars = set(pks[:12]), set(pks[12:24]), pks[24:36]
    plan: dict[int, list[tuple[int, str]]] = {}
    for pk, (_, _, tier) in enumerate(SPONSORS, 1):
        entries = []
        for event_pk in [1] if pk in eu_only else [2] if pk in na_only else [1, 2]:
            logo_only = (
                tier == "end_user" and rng.random() < 0.4 or tier == "community" and rng.random() < 0.25
            )
            entries.append((event_pk, rng.choice(["other", "other", "cost"]) if logo_only else ""))
        plan[pk] = entries
    reasons = ["cost", "not_targeting_region", "not_targeting_region", "past_lead_quality", "other"]
    for pk in regulars:  # sponsor both events but skip the booth at one of them
        skipped, reason = rng.randrange(2), rng.choice(reasons)
        plan[pk] = [(e, reason if i == skipped else "") for i, (e, _) in enumerate(plan[pk])]
    return plan


def sponsorship_records(rng: random.Random, sponsors: list[Record]) -> list[Record]:
    """Each sponsor at each event it sponsors: tier, booth number or the reason for none, themes."""
    plan = participation(rng)
    theme_pk = {name: pk for pk, name in enumerate(THEMES, 1)}
    booths_in_hall: dict[tuple[int, str], int] = {}
    records: list[Record] = []
    for event_pk, event in enumerate(EVENTS, 1):
        for sponsor in sponsors:
            _, category, tier = SPONSORS[sponsor["pk"] - 1]
            for reason in [r for e, r in plan[sponsor["pk"]] if e == event_pk]:
                booth = detail = ""
                if reason:
                    detail = rng.choice(NO_BOOTH_DETAILS[reason]).format(region=event["region"])
                else:
                    hall = HALLS[tier]
                    booths_in_hall[event_pk, hall] = booths_in_hall.get((event_pk, hall), 0) + 1
                    booth = f"{hall}{booths_in_hall[event_pk, hall]}"
                themes = CATEGORIES[category][2]
                chosen = rng.sample(themes, rng.randint(1, min(3, len(themes))))
                fields = {
                    "sponsor": sponsor["pk"],
                    "event": event_pk,
                    "tier": tier,
                    "has_booth": not reason,
                    "booth_number": booth,
                    "no_booth_reason": reason,
                    "no_booth_detail": detail,
                    "themes": sorted(theme_pk[t] for t in chosen),
                    "notes": rng.choice(SPONSORSHIP_NOTES),
                }
                records.append(record("sponsorship", len(records) + 1, **fields))
    return records


def currency_rate_records() -> list[Record]:
    """EUR->USD and USD->EUR rates for a few dates of 2024."""
    records = []
    for valid_on, eur_usd in RATES:
        rate = Decimal(eur_usd)
        for source, target, value in (("EUR", "USD", rate), ("USD", "EUR", Decimal(1) / rate)):
            fields = {"source": source, "target": target, "rate": value.quantize(Decimal("0.00000001"))}
            note = "Demo rate, close to the ECB reference of the day"
            records.append(record("currencyrate", len(records) + 1, valid_on=valid_on, note=note, **fields))
    return records


def booth_costs(rng: random.Random, tier: str, event: dict, own: str, people: int) -> list[CostLine]:
    """Fee, booth build, travel, swag, staff time and sometimes a lead-app licence of one booth."""
    fee, build, swag = TIER_COSTS[tier]
    currency, start = event["currency"], event["start_date"]
    other = "USD" if currency == "EUR" else "EUR"
    discount = rng.choice([1.0, 1.0, 1.0, 0.95, 0.9])
    label = "" if discount == 1.0 else f", early-bird {round((1 - discount) * 100)} %"
    per_head = rng.uniform(1400, 2600) if own == currency else rng.uniform(1900, 3200)
    lines: list[CostLine] = [
        ("fee", f"{tier.replace('_', '-').title()} package{label}", fee * discount, currency,
         fee_day(rng, start)),
        ("booth_build", "Booth build and furniture", build * rng.uniform(0.8, 1.25),
         currency if rng.random() < 0.8 else other, start - timedelta(days=rng.randint(7, 21))),
        ("travel", f"Flights and hotel, {people} people", people * per_head,
         own if rng.random() < 0.8 else currency, start - timedelta(days=rng.randint(10, 40))),
        ("swag", "T-shirts, stickers, socks", swag * rng.uniform(0.6, 1.4), own,
         start - timedelta(days=rng.randint(14, 35))),
        ("staff", f"{people} people x 4 days", people * 4 * rng.uniform(550, 900), own,
         None if rng.random() < 0.3 else event["end_date"]),
    ]  # fmt: skip
    if tier in ("diamond", "platinum", "gold") and rng.random() < 0.35:
        licence = rng.choice([750, 1250, 2000])
        lines.append(("other", "Lead retrieval app licence", licence, currency, start - timedelta(days=5)))
    return lines


def fee_day(rng: random.Random, event_start: date) -> date:
    """When the sponsorship fee was invoiced: a few weeks into the year, or early summer for autumn events."""
    return (date(2024, 1, 8) if event_start.month < 6 else date(2024, 6, 3)) + timedelta(
        days=rng.randrange(45)
    )


def cost_line_records(
    rng: random.Random, sponsors: list[Record], sponsorships: list[Record], staff: list[Record]
) -> list[Record]:
    """Every sponsorship's cost lines, some in the other currency than the event to exercise conversion."""
    records: list[Record] = []
    for sship in sponsorships:
        f = sship["fields"]
        event = EVENTS[f["event"] - 1]
        own = sponsors[f["sponsor"] - 1]["fields"]["reporting_currency"]
        if f["has_booth"]:
            people = sum(1 for s in staff if sship["pk"] in s["fields"]["sponsorships"])
            lines = booth_costs(rng, f["tier"], event, own, people)
        else:
            fee = TIER_COSTS[f["tier"]][0] * 0.35
            lines = [("fee", "Logo-only package", fee, event["currency"], fee_day(rng, event["start_date"]))]
            if rng.random() < 0.5:
                lines.append(("travel", "Speaker travel", rng.uniform(900, 2400), own, None))
        for category, description, amount, currency, incurred_on in lines:
            fields = {
                "sponsorship": sship["pk"],
                "category": category,
                "description": description,
                "amount": money(round(amount, -2) if category in ("fee", "other") else amount),
                "currency": currency,
                "incurred_on": incurred_on,
            }
            records.append(record("costline", len(records) + 1, **fields))
    return records


def build(seed: int = DEFAULT_SEED) -> list[Record]:
    """Every fixture object for ``seed``, in an order that loads (referenced rows first)."""
    events = event_records()
    sponsors = sponsor_records(rng_for(seed, "sponsors"))
    sponsorships = sponsorship_records(rng_for(seed, "sponsorships"), sponsors)
    users, staff = staff_records(rng_for(seed, "staff"), sponsors, sponsorships)
    costs = cost_line_records(rng_for(seed, "costs"), sponsors, sponsorships, staff)
    attendees = attendee_records(rng_for(seed, "attendees"), events, sponsors)
    leads, scans = lead_and_scan_records(
        rng_for(seed, "scans"), events, sponsors, sponsorships, staff, attendees
    )
    follow_ups, changes = follow_up_records(
        rng_for(seed, "follow-ups"), events, sponsors, sponsorships, staff, leads, scans
    )
    icps, criteria = icp_records(rng_for(seed, "icps"), sponsors, sponsorships, staff)
    questions = question_records(sponsors, icps)
    answer_scans(rng_for(seed, "answers"), scans, sponsorships, questions)
    criteria += answer_criteria(icps, questions, len(criteria) + 1)
    policies, rules = follow_up_rule_records(sponsors, staff)
    rates = currency_rate_records()
    return [*users, *events, *theme_records(), *sponsors, *sponsorships, *costs, *rates, *staff,
            *attendees, *leads, *questions, *scans, *follow_ups, *changes, *icps, *criteria, *policies, *rules]  # fmt: skip


def render(records: list[Record]) -> bytes:
    """The fixture as UTF-8 JSON, one object per line, keys sorted, values written as Django writes them."""
    lines = [
        json.dumps(r, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for r in records
    ]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode()
