"""Demo users, staff members with their booth rosters, and a few published ICPs (see tracker.demo)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tracker.demo.icps import ICP_SHAPE_OF_CATEGORY, ICP_SHAPES
from tracker.demo.pools import (
    CULTURES,
    EVENTS,
    SPONSORS,
    Record,
    ascii_fold,
    native,
    record,
    same_script,
)

# Django marks an unusable password with a leading "!"; a fixed suffix keeps the output stable.
UNUSABLE_PASSWORD = "!demo-data-no-login"
STAFF_COUNTS: dict[str, tuple[int, int]] = {
    "diamond": (7, 8), "platinum": (6, 8), "gold": (5, 7), "silver": (4, 6), "startup": (3, 4),
    "end_user": (3, 4), "community": (3, 3),
}  # fmt: skip
ROLE_PRIORITY = ["sales", "technical_sdr", "devrel", "solutions_engineer", "marketing", "founder_exec"]
SMALL_ROLE_PRIORITY = ["founder_exec", "devrel", "technical_sdr", "solutions_engineer", "sales", "marketing"]
MANAGER_ROLES = ("marketing", "founder_exec", "sales")
REGION_CULTURES = {
    "EU": ["fr", "de", "pl", "nordic", "gb_ie", "iberia_latam", "it", "tr", "cz_hu", "el"],
    "NA": ["us_ca", "us_ca", "in", "zh", "ko", "iberia_latam", "ng_gh", "ar"],
    "APAC": ["ja", "zh", "ko", "in", "vn", "id"],
}  # fmt: skip
TIME_ZONES = {
    "EU": ["Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Warsaw", "Europe/Amsterdam",
           "Europe/Stockholm", "Europe/Madrid", "Europe/Dublin"],
    "NA": ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto"],
    "APAC": ["Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore"],
}  # fmt: skip


def staff_name(rng: random.Random, region: str) -> tuple[str, str, str]:
    """(first name, last name, ascii login stem) of a staff member living in ``region``."""
    firsts, lasts = CULTURES[rng.choice(REGION_CULTURES[region])]
    first, last = same_script(rng.choice(firsts), rng.choice(lasts))
    stem = ".".join(p for p in (ascii_fold(first), ascii_fold(last)) if p)
    stem = "".join(c for c in stem.lower().replace(" ", "-") if c.isalnum() or c in ".-")
    return native(first), native(last), stem


def staff_roles(rng: random.Random, tier: str, count: int) -> list[str]:
    """Roles for ``count`` staff: the tier's priority roles first, then more sellers and engineers."""
    priority = SMALL_ROLE_PRIORITY if tier in ("startup", "community", "end_user") else ROLE_PRIORITY
    extra = rng.choices(["sales", "technical_sdr", "solutions_engineer", "devrel"], k=max(0, count - 6))
    return priority[:count] + extra


def user_record(rng: random.Random, pk: int, username: str, first: str, last: str) -> Record:
    """A login that cannot sign in until an admin sets a password."""
    joined = datetime(2023, 10, 2, 8, 0, tzinfo=UTC) + timedelta(
        days=rng.randrange(150), minutes=rng.randrange(600)
    )
    fields = {
        "username": username,
        "password": UNUSABLE_PASSWORD,
        "first_name": first,
        "last_name": last,
        "email": username,
        "is_staff": False,
        "is_superuser": False,
        "is_active": True,
        "last_login": None,
        "date_joined": joined,
        "groups": [],
        "user_permissions": [],
    }
    return record("auth.user", pk, **fields)


def roster_at_least_two(rosters: list[list[int]], booths: list[int]) -> None:
    """Put people on any booth that has fewer than two, in place (first come, first rostered)."""
    for booth in booths:
        missing = 2 - sum(booth in roster for roster in rosters)
        for roster in [r for r in rosters if booth not in r][: max(0, missing)]:
            roster.append(booth)
            roster.sort()


def staff_records(
    rng: random.Random, sponsors: list[Record], sponsorships: list[Record]
) -> tuple[list[Record], list[Record]]:
    """(users, staff): 3-8 people per sponsor with a booth, rostered on its booths; else one manager."""
    users: list[Record] = []
    staff: list[Record] = []
    taken: set[str] = set()
    for sponsor in sponsors:
        domain, tier = sponsor["fields"]["domain"], SPONSORS[sponsor["pk"] - 1][2]
        booths = [
            s for s in sponsorships if s["fields"]["sponsor"] == sponsor["pk"] and s["fields"]["has_booth"]
        ]
        count = rng.randint(*STAFF_COUNTS[tier]) if booths else 1
        roles = staff_roles(rng, tier, count) if booths else ["marketing"]
        managers = [i for i, role in enumerate(roles) if role in MANAGER_ROLES][: 2 if count >= 6 else 1]
        hq = "EU" if sponsor["fields"]["reporting_currency"] == "EUR" else "NA"
        rosters: list[list[int]] = []
        for i, role in enumerate(roles):
            region = hq if rng.random() < 0.7 else rng.choice(["EU", "NA", "NA", "APAC"])
            first, last, stem = staff_name(rng, region)
            username, n = f"{stem}@{domain}", 2
            while username in taken:
                username, n = f"{stem}{n}@{domain}", n + 1
            taken.add(username)
            pk = len(users) + 1
            users.append(user_record(rng, pk, username, first, last))
            home = [0.9 if EVENTS[b["fields"]["event"] - 1]["region"] == region else 0.5 for b in booths]
            rosters.append([b["pk"] for b, p in zip(booths, home, strict=True) if rng.random() < p])
            fields = {
                "user": pk,
                "sponsor": sponsor["pk"],
                "role": role,
                "level": "manager" if i in managers else "booth",
                "sponsorships": rosters[-1],
                "home_region": region,
                "time_zone": rng.choice(TIME_ZONES[region]),
                "is_active": rng.random() > 0.03,
            }
            staff.append(record("staffmember", pk, **fields))
        roster_at_least_two(rosters, [b["pk"] for b in booths])
    return users, staff


def icp_shape(sponsor: Record) -> str:
    """The shape of a sponsor's ICP: a security vendor's, a developer-tool start-up's or an enterprise one's."""
    _, category, tier = SPONSORS[sponsor["pk"] - 1]
    return "devtool" if tier == "startup" else ICP_SHAPE_OF_CATEGORY.get(category, "enterprise")


def icp_criteria(icp_pk: int, sponsor: Record, competitors: list[str], first_pk: int) -> list[Record]:
    """The ICP rules of one sponsor, placeholders filled in with its products, domain and competitors."""
    fill = {"{options}": sponsor["fields"]["interest_options"][:2], "{competitors}": competitors,
            "{own_domain}": [sponsor["fields"]["domain"]]}  # fmt: skip
    records = []
    rules = ICP_SHAPES[icp_shape(sponsor)]
    for position, (part, field, kind, label, values, minimum, weight, action) in enumerate(rules):
        fields: dict[str, Any] = {
            "icp": icp_pk,
            "part": part,
            "field": field,
            "kind": kind,
            "label": label,
            "values": [v for value in values for v in fill.get(value, [value])],
            "min_value": Decimal(minimum) if minimum else None,
            "max_value": None,
            "weight": weight,
            "action": action,
            "position": position,
        }
        records.append(record("icpcriterion", first_pk + position, **fields))
    return records


def icp_records(
    rng: random.Random, sponsors: list[Record], sponsorships: list[Record], staff: list[Record]
) -> tuple[list[Record], list[Record]]:
    """(ICPs, criteria): a published v1 for every sponsor with a booth, published by one of its managers,
    so every demo lead has a grade and reasons from the first run."""
    icps: list[Record] = []
    criteria: list[Record] = []
    with_booth = {s["fields"]["sponsor"] for s in sponsorships if s["fields"]["has_booth"]}
    for sponsor in (s for s in sponsors if s["pk"] in with_booth):
        pk, category = len(icps) + 1, SPONSORS[sponsor["pk"] - 1][1]
        manager = next(
            s for s in staff if s["fields"]["sponsor"] == sponsor["pk"] and s["fields"]["level"] == "manager"
        )
        published = datetime(2024, 2, 26, 9, 0, tzinfo=UTC) + timedelta(
            days=rng.randrange(10), minutes=rng.randrange(480)
        )
        grade_a, grade_b, grade_c = rng.choice([(70, 45, 20), (75, 50, 25), (65, 40, 15)])
        fields = {
            "sponsor": sponsor["pk"],
            "version": 1,
            "status": "published",
            "grade_a_min": grade_a,
            "grade_b_min": grade_b,
            "grade_c_min": grade_c,
            "notes": "First ICP, agreed with sales leadership",
            "created_at": published - timedelta(days=3),
            "published_at": published,
            "published_by": manager["fields"]["user"],
        }
        icps.append(record("idealcustomerprofile", pk, **fields))
        competitors = [s["fields"]["domain"] for s in sponsors
                       if s["pk"] != sponsor["pk"] and SPONSORS[s["pk"] - 1][1] == category]  # fmt: skip
        criteria += icp_criteria(pk, sponsor, competitors, len(criteria) + 1)
    return icps, criteria


def follow_up_rule_records(sponsors: list[Record], staff: list[Record]) -> tuple[list[Record], list[Record]]:
    """(policies, rules): every sponsor with a team routes its follow-ups the way the product suggests.

    Existing customers go to their account owner; each region with its own seller goes to that seller;
    technical deep-dives to devrel or solutions engineers; hot leads to sales; the rest round-robin among
    sales and technical SDRs. Start-ups with a small team also take grade C leads.
    """
    policies: list[Record] = []
    rules: list[Record] = []
    for sponsor in sponsors:
        team = [s for s in staff if s["fields"]["sponsor"] == sponsor["pk"] and s["fields"]["is_active"]]
        if len(team) < 3:
            continue
        small = len(team) <= 4
        policies.append(
            record(
                "followuppolicy",
                len(policies) + 1,
                sponsor=sponsor["pk"],
                qualifying_grades=["A", "B", "C"] if small else ["A", "B"],
                require_consent=True,
                sla_days={"A": 1, "B": 2, "C": 5, "D": 10},
                create_when_event_ends=True,
            )
        )
        planned: list[dict] = [{"condition": "account_owner"}]
        sellers = [s for s in team if s["fields"]["role"] == "sales"]
        for region in ("NA", "APAC"):
            local = next((s for s in sellers if s["fields"]["home_region"] == region), None)
            if local and len(sellers) > 1:
                planned.append({"condition": "region", "region": region, "owner": local["pk"]})
        if any(s["fields"]["role"] in ("devrel", "solutions_engineer") for s in team):
            planned.append(
                {
                    "condition": "conversation",
                    "conversation_type": "technical_deep_dive",
                    "roles": ["devrel", "solutions_engineer"],
                }
            )
        if sellers:
            planned.append({"condition": "rating", "rating": "hot", "roles": ["sales"]})
        planned.append({"condition": "anyone", "roles": ["sales", "technical_sdr", "founder_exec"]})
        for position, rule in enumerate(planned, start=1):
            fields = {
                "sponsor": sponsor["pk"],
                "position": position * 10,
                "condition": rule["condition"],
                "region": rule.get("region", ""),
                "conversation_type": rule.get("conversation_type", ""),
                "rating": rule.get("rating", ""),
                "owner": rule.get("owner"),
                "roles": rule.get("roles", []),
            }
            rules.append(record("assignmentrule", len(rules) + 1, **fields))
    return policies, rules
