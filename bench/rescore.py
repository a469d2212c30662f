"""Rescoring every lead of a sponsor after an ICP publish, against the floor for the same work.

OURS is the real code path, end to end: ``icp_new_draft`` (untimed) with changed weights, then
``icp_publish`` and every ``rescore_chunk_run`` of its job in turn (the task queue is replaced by an
in-process list, so each next chunk starts when the previous one committed, exactly as a worker would
receive it), until the job is done. FLOOR, in the same run on the same rows: one server-side cursor reads
the columns the scorer needs (lead, attendee, scans aggregated per lead, the stored score), the same
normalisers and the same compiled engine score them, and the score of each lead whose score changed is
written back with COPY into a temporary table and one ``UPDATE ... FROM`` (the fastest bulk write
PostgreSQL offers). The floor runs first, so it sees the scores of the previous version
and writes a realistic share of changed leads; ours then rewrites every row (the version changes, and with
it the criterion ids in the reasons). A check (untimed) then compares the score ours stored for every lead
with the floor's, and the facts of a sample of leads as both build them.

Each phase runs in its own process, so peak memory (ru_maxrss) belongs to that phase alone; during
OURS the resident set is also sampled after every chunk (``rss_by_tenth_mb``: after each tenth of the
leads), to show whether memory grows with the number of leads done. Before each measured phase the score
table is vacuumed and a checkpoint taken (untimed), so each starts from the same state: no dead rows
left by the previous phase, and the first write of every page after a checkpoint paying its full-page
image, as after a publish in production. ``--repeat`` runs several rounds (a new draft each) and reports
medians; ``--breakdown`` times the steps of ``leads_score`` inside ours.

The data set (an event, a sponsor with accounts and a published ICP of 15 criteria, N attendees with a few
thousand distinct titles and N/40 companies, N leads, ~1.2 scans per lead, every lead scored) is built
once per size with COPY and reused while its marker row matches. Needs PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_rescore_bench \\
        .venv/bin/python bench/rescore.py --leads 100000

Ends with one line: RESULT rescore ours=<s> floor=<s> ratio=<ours/floor> leads=<N> peak_mb=<MB> ...
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import uuid
from array import array
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"  # no query log: it would grow with every chunk

DATA_VERSION = 1  # bump when the generated data changes shape: older data sets are rebuilt
MARKER_TABLE = "bench_rescore_dataset"
FETCH = 10_000  # rows per FETCH of the floor's server-side cursor


def log(message: str) -> None:
    print(f"[rescore {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def django_setup() -> None:
    import django

    django.setup()


def raw_connection():
    """Django's own psycopg connection (same transaction as the ORM)."""
    from django.db import connection

    return connection.cursor().connection


# --- data generation ---------------------------------------------------------------------------------

SENIORITY_PREFIXES = [
    ("", 40), ("Senior ", 18), ("Sr. ", 6), ("Sr ", 2), ("Staff ", 5), ("Principal ", 4), ("Junior ", 3),
    ("Jr. ", 1), ("Associate ", 2), ("Lead ", 4), ("Distinguished ", 1), ("Intern ", 1),
]  # fmt: skip
AREAS = [
    "Platform", "Infrastructure", "Cloud", "DevOps", "Site Reliability", "SRE", "Security", "Cloud Security",
    "Application Security", "Data", "Machine Learning", "ML", "AI", "Backend", "Frontend", "Full Stack",
    "Software", "Mobile", "Network", "Systems", "QA", "Test Automation", "Build", "Release", "Observability",
    "Kubernetes", "Database", "Analytics", "Solutions", "Developer Relations", "IT", "Research", "Product",
    "Sales", "Marketing", "Customer Success", "Embedded", "Game", "Payments", "Identity",
]  # fmt: skip
NOUNS = [("Engineer", 30), ("Developer", 10), ("Architect", 6), ("Analyst", 3), ("Specialist", 3),
         ("Administrator", 2), ("Consultant", 3), ("Scientist", 2), ("Advocate", 1), ("Programmer", 1)]  # fmt: skip
LEAD_FORMS = [
    "{a} Manager", "Manager, {a}", "Head of {a}", "Director of {a}", "Director, {a}", "VP {a}", "VP of {a}",
    "{a} Team Lead", "{a} Lead", "Senior Director, {a}", "Group Manager {a}", "Engineering Manager, {a}",
    "{a} Engineering Manager", "SVP {a}", "Global Head of {a}", "{a} Practice Lead", "Chapter Lead {a}",
]  # fmt: skip
EXECUTIVES = [
    "CTO", "CIO", "CISO", "CEO", "COO", "Founder", "Co-founder", "Co-founder & CTO", "Founder & CEO",
    "Chief Technology Officer", "Chief Information Security Officer", "Chief Data Officer", "Owner",
    "Managing Director", "Geschäftsführer", "Directeur technique", "Président", "President",
]  # fmt: skip
OTHER_TITLES = [
    "Student", "PhD Student", "PhD Candidate", "Intern", "Working Student", "Werkstudent", "Recruiter",
    "Talent Acquisition Partner", "Journalist", "Editor", "Consultant", "Freelancer", "Account Executive",
    "Sales Engineer", "Product Owner", "Scrum Master", "Project Manager", "Procurement Manager",
    "Office Manager", "Professor", "Researcher", "Teacher", "",
]  # fmt: skip
SUFFIXES = [("", 70), (" II", 5), (" III", 3), (" I", 2), (", EMEA", 3), (" (Contract)", 1),
            (" - Kubernetes", 2), (", Core Services", 2), (", Payments", 1), (" @ HQ", 1), (" / Team Lead", 1)]  # fmt: skip
SYLLABLES_A = ["Zen", "Tri", "Nova", "Blue", "Red", "Alp", "Ver", "Quant", "Hex", "Lum", "Orb", "Ster", "Kin",
               "Bright", "Cloud", "Data", "Grid", "Pix", "Vol", "Ark", "Mer", "Sol", "Tera", "Flux", "Cor",
               "Nord", "Sky", "Iron", "Silver", "Oak"]  # fmt: skip
SYLLABLES_B = ["ix", "ora", "ware", "soft", "labs", "works", "line", "stack", "tech", "io", "ly", "on", "ex",
               "ify", "point", "scale", "base", "gate", "hub", "forge"]  # fmt: skip
SECOND_WORDS = [("", 40), ("Systems", 6), ("Labs", 5), ("Group", 4), ("Technologies", 5), ("Bank", 3),
                ("Insurance", 3), ("Health", 3), ("Logistics", 3), ("Retail", 2), ("Media", 2),
                ("Software", 4), ("Analytics", 3), ("Energy", 2), ("Telecom", 2), ("Consulting", 3),
                ("Games", 1), ("Mobility", 1), ("Solutions", 3), ("Cloud", 2)]  # fmt: skip
TLDS = [(".com", 40), (".io", 15), (".de", 10), (".fr", 8), (".co.uk", 6), (".nl", 4), (".es", 3),
        (".it", 3), (".se", 2), (".pl", 2), (".ch", 2), (".dev", 2), (".ai", 3)]  # fmt: skip
INDUSTRIES = ["software", "financial services", "insurance", "retail", "healthcare", "telecom", "media",
              "manufacturing", "public sector", "logistics", "energy", "education", "automotive", "gaming"]  # fmt: skip
FREE_MAIL = ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "gmx.de", "web.de", "icloud.com",
             "proton.me", "orange.fr", "hotmail.co.uk", "mail.ru", "libero.it", "mail.example"]  # fmt: skip
UNIVERSITIES = [("Northbridge University", "northbridge.edu"), ("TU Nordheim", "tu-nordheim.de"),
                ("Université de Valbonne", "univ-valbonne.fr"), ("ETH Zürich", "ethz.ch"),
                ("University of Eastwick", "eastwick.ac.uk"), ("Uniwersytet Warszawski", "uw.edu.pl"),
                ("KTH Royal Institute of Technology", "kth.se")]  # fmt: skip
COMPETITORS = ["rivaltrace.example", "metricmonger.example", "logzilla.example"]
NOTE_TEMPLATES = [
    "Wants pricing for ~{n} nodes", "Asked about SOC 2 and SSO", "Running a PoC in Q{q}",
    "no budget until Q{q}", "Budget approved for H{h}, send a proposal", "not interested, just swag",
    "Evaluating us against {n} others", "Migrating {n} clusters off a legacy PaaS",
    "Interested in the enterprise plan, pricing call next week", "Send the proposal by Friday",
    "Doesn't have budget this year", "Team of {n} SREs, wants a demo for the lead",
    "Möchte einen PoC im Q{q}", "Veut un devis pour {n} nœuds", "Quiere precios para {n} clusters",
]  # fmt: skip
CHANGED_WEIGHTS = {  # variant 1: what a manager might change after the first event
    "Director or above": 25,
    "Platform, SRE or security": 20,
    "200+ employees": 5,
    "Rated hot at the booth": 30,
    "Pricing or PoC mentioned": 15,
    "Personal email": -5,
    "Target account": 15,
}


def weighted(rng: random.Random, pairs, k: int) -> list:
    values = [v for v, _ in pairs]
    cum = list(accumulate(w for _, w in pairs))
    return rng.choices(values, cum_weights=cum, k=k)


def zipf_cum(n: int, s: float = 0.9) -> list[float]:
    return list(accumulate(1 / (rank + 1) ** s for rank in range(n)))


def typo(rng: random.Random, text: str) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.6 else w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def title_pool(rng: random.Random, size: int) -> list[str]:
    """About ``size`` distinct badge titles, most popular first."""
    from tracker.demo.pools import LOCAL_TITLES, TITLES

    pool = dict.fromkeys(t for t, _ in sorted(TITLES, key=lambda p: -p[1]))
    for titles in LOCAL_TITLES.values():
        pool.update(dict.fromkeys(titles))
    pool.update(dict.fromkeys(EXECUTIVES + OTHER_TITLES))
    attempts = 0
    while len(pool) < size and attempts < size * 20:
        attempts += 1
        roll = rng.random()
        area = rng.choice(AREAS)
        if roll < 0.62:
            title = f"{weighted(rng, SENIORITY_PREFIXES, 1)[0]}{area} {weighted(rng, NOUNS, 1)[0]}"
        elif roll < 0.9:
            title = rng.choice(LEAD_FORMS).format(a=area)
        else:
            title = rng.choice(EXECUTIVES + OTHER_TITLES) or "Engineer"
        title += weighted(rng, SUFFIXES, 1)[0]
        variant = rng.random()
        if variant < 0.04:
            title = typo(rng, title)
        elif variant < 0.06:
            title = title.upper()
        elif variant < 0.08:
            title = title.lower()
        elif variant < 0.10:
            title = title.replace("Senior", "Snr").replace("Manager", "Mgr").replace("Engineering", "Eng")
        pool[title] = None
    return list(pool)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def company_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(name, domain) of ``size`` invented companies, distinct names."""
    from tracker.demo.pools import COMPANIES

    pool = {name: domain for name, domain in COMPANIES if domain}
    while len(pool) < size:
        first = rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
        if rng.random() < 0.3:
            first += rng.choice(SYLLABLES_B)
        second = weighted(rng, SECOND_WORDS, 1)[0]
        name = f"{first} {second}".strip()
        if rng.random() < 0.25:
            name = f"{rng.choice(SYLLABLES_A)}{rng.choice(SYLLABLES_B)} {name}"
        if name in pool:
            continue
        pool[name] = slug(name.split()[0] if rng.random() < 0.5 else name) + weighted(rng, TLDS, 1)[0]
    return list(pool.items())


LEGAL = [
    "",
    "",
    "",
    " Inc.",
    " GmbH",
    " Ltd",
    " SAS",
    " B.V.",
    " AB",
    " S.L.",
    " AG",
    ", Inc.",
    " LLC",
    " Oy",
]


def escape(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Copier:
    """COPY text-format lines into a table; spooled to a temporary file first, because one connection
    runs one COPY at a time and leads and their scans are generated together."""

    def __init__(self, cursor, table: str, columns: list[str]):
        import tempfile

        self.cursor, self.sql = cursor, f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.buffer: list[str] = []

    def row(self, *values) -> None:
        self.buffer.append("\t".join(map(escape, values)))
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.file.write("\n".join(self.buffer) + "\n")
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        self.file.seek(0)
        with self.cursor.copy(self.sql) as copy:
            while block := self.file.read(1 << 20):
                copy.write(block)
        self.file.close()


def reserve_ids(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's identity sequence."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


def icp_criteria(icp, sponsor, variant: int) -> None:
    """The demo's ICP rules (tracker.demo.icps.ICP_SHAPES["enterprise"]) plus an industry and a target-account rule."""
    from decimal import Decimal

    from tracker.demo.icps import ICP_SHAPES
    from tracker.models import IcpCriterion

    fill = {"{options}": sponsor.interest_options[:2], "{competitors}": COMPETITORS,
            "{own_domain}": [sponsor.domain]}  # fmt: skip
    rules = list(ICP_SHAPES["enterprise"]) + [
        ("fit", "industry", "in_set", "Industry we sell to", ["software", "financial services", "telecom"],
         None, 10, ""),
        ("fit", "target_account", "list_match", "Target account", [], None, 10, ""),
    ]  # fmt: skip
    IcpCriterion.objects.bulk_create(
        IcpCriterion(
            icp=icp, part=part, field=field, kind=kind, label=label,
            values=[v for value in values for v in fill.get(value, [value])],
            min_value=Decimal(minimum) if minimum else None,
            weight=(CHANGED_WEIGHTS.get(label, weight) if variant else weight), action=action,
            position=position,
        )
        for position, (part, field, kind, label, values, minimum, weight, action) in enumerate(rules)
    )  # fmt: skip


def build(args) -> dict:
    """Create the data set of ``args.leads`` leads (in one transaction) and score it under v1."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from tracker.demo.pools import CITIES, CULTURES, EVENT_COUNTRIES, SCAN_NOTES, ascii_fold, native
    from tracker.demo.scans import CONVERSATIONS, OTHER_RATINGS, RATINGS_AFTER
    from tracker.models import Account, Event, IdealCustomerProfile, Sponsor, Sponsorship

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    n = args.leads
    tag = dataset_tag(n)
    drop_dataset(tag)
    with transaction.atomic():
        event = Event.objects.create(
            name=f"Bench Rescore Conf {n}", slug=tag, city="Paris", country="FR", region="EU",
            start_date=datetime(2024, 3, 19).date(), end_date=datetime(2024, 3, 22).date(),
            time_zone="Europe/Paris",
        )  # fmt: skip
        sponsor = Sponsor.objects.create(
            name=f"Bench Rescore {n}", slug=tag, domain=f"benchrescore{n}.example",
            interest_options=["OpenTelemetry", "Log pipelines", "Distributed tracing", "SLOs", "Pricing"],
        )  # fmt: skip
        sponsorship = Sponsorship.objects.create(sponsor=sponsor, event=event, tier="gold", booth_number="B1")
        companies = company_pool(rng, args.companies)
        rng.shuffle(companies)
        account_list = companies[: args.accounts]
        Account.objects.bulk_create(
            Account(
                sponsor=sponsor, name=name, domains=[domain] + ([domain.rsplit(".", 1)[0] + ".de"]
                                                                 if rng.random() < 0.2 else []),
                employees=int(rng.lognormvariate(6, 1.6)) if rng.random() < 0.9 else None,
                industry=rng.choice(INDUSTRIES), is_target=rng.random() < 0.35, is_customer=rng.random() < 0.1,
            )
            for name, domain in account_list
        )  # fmt: skip
        icp = IdealCustomerProfile.objects.create(
            sponsor=sponsor, version=1, status="published", published_at=timezone.now()
        )
        icp_criteria(icp, sponsor, variant=0)

        titles = title_pool(rng, args.titles)
        title_cum = zipf_cum(len(titles), 1.0)
        company_cum = zipf_cum(len(companies), 0.8)
        countries = [c for c, _ in EVENT_COUNTRIES["EU"]]
        country_cum = list(accumulate(w for _, w in EVENT_COUNTRIES["EU"]))
        cultures = list(CULTURES)
        interests = sponsor.interest_options + ["Kubernetes", "AI", "FinOps", "eBPF"]
        log(f"pools: {len(titles)} titles, {len(companies)} companies, {len(account_list)} accounts")

        cursor = connection.cursor()
        first_attendee = reserve_ids(cursor, "tracker_attendee", n)
        first_lead = reserve_ids(cursor, "tracker_lead", n)
        t0 = datetime(2024, 3, 20, 9, tzinfo=UTC)
        now = timezone.now()
        attendees = Copier(cursor, "tracker_attendee", ["id", "event_id", "badge_id", "first_name", "last_name",
                                                        "email", "phone", "title", "company", "country", "city",
                                                        "created_at"])  # fmt: skip
        for i in range(n):
            country = countries[bisect(country_cum, rng.random() * country_cum[-1])]
            first_names, last_names = CULTURES[rng.choice(cultures)]
            first, last = rng.choice(first_names), rng.choice(last_names)
            title = titles[bisect(title_cum, rng.random() * title_cum[-1])]
            roll = rng.random()
            if roll < 0.04:
                company, domain = rng.choice(UNIVERSITIES)
            elif roll < 0.05:
                company, domain = (
                    "Competitor " + rng.choice(["Trace", "Monger", "Zilla"]),
                    rng.choice(COMPETITORS),
                )
            elif roll < 0.08:
                company, domain = rng.choice(["Freelance", "Self-employed", "", "Stealth startup"]), ""
            else:
                company, domain = companies[min(bisect(company_cum, rng.random() * company_cum[-1]),
                                                len(companies) - 1)]  # fmt: skip
                variant = rng.random()
                if variant < 0.25:
                    company += rng.choice(LEGAL)
                elif variant < 0.3:
                    company = company.upper()
                elif variant < 0.33:
                    company = typo(rng, company)
            mail = rng.random()
            if mail < 0.2:
                domain = rng.choice(FREE_MAIL)
            elif mail < 0.25 or not domain:
                domain = "" if rng.random() < 0.6 else rng.choice(FREE_MAIL)
            elif mail < 0.252:
                domain = sponsor.domain
            local = f"{slug(ascii_fold(first)) or 'x'}.{slug(ascii_fold(last)) or 'y'}{i}"
            email = f"{local}@{'mail.' if rng.random() < 0.03 else ''}{domain}" if domain else ""
            if email and rng.random() < 0.05:
                email = email.title()
            city = rng.choice(CITIES.get(country, ["Paris"]))
            attendees.row(first_attendee + i, event.pk, f"BR{n}-{i:07d}", native(first), native(last), email,
                          "", title, company, country, city, now)  # fmt: skip
        attendees.close()
        log(f"attendees: {n} copied ({time.perf_counter() - started:.0f}s)")

        leads = Copier(cursor, "tracker_lead", ["id", "sponsorship_id", "attendee_id", "consent",
                                                "first_scan_at", "last_scan_at", "scan_count", "created_at"])  # fmt: skip
        scans = Copier(cursor, "tracker_scan", ["sponsorship_id", "lead_id", "client_uuid", "device_id",
                                                "device_scanned_at", "received_at", "raw_payload",
                                                "payload_format", "rating", "interests", "conversation_type",
                                                "notes", "consent", "typed", "processed_at"])  # fmt: skip
        extra = max(0.0, args.scans_per_lead - 1)
        total_scans = 0
        order = list(range(n))
        rng.shuffle(order)  # attendees become leads in another order than they registered
        for i, a in enumerate(order):
            count = 1
            while rng.random() < extra / (1 + extra) * (1.0 if count == 1 else 0.5) and count < 6:
                count += 1
            times = sorted(t0 + timedelta(seconds=rng.randrange(0, 3 * 86400)) for _ in range(count))
            lead_id = first_lead + i
            consent = rng.choice([True, True, False, None])
            leads.row(
                lead_id, sponsorship.pk, first_attendee + a, consent, times[0], times[-1], count, times[0]
            )
            for when in times:
                kind = weighted(rng, CONVERSATIONS, 1)[0]
                rating = weighted(rng, RATINGS_AFTER.get(kind, OTHER_RATINGS), 1)[0]
                chosen = (
                    []
                    if kind == "swag_only" and rng.random() < 0.8
                    else rng.sample(interests, rng.randint(0, 3))
                )
                roll = rng.random()
                if roll < 0.45:
                    notes = ""
                elif roll < 0.7:
                    notes = rng.choice(SCAN_NOTES)
                else:
                    notes = rng.choice(NOTE_TEMPLATES).format(n=rng.randint(2, 400), q=rng.randint(1, 4),
                                                              h=rng.randint(1, 2))  # fmt: skip
                scans.row(sponsorship.pk, lead_id, uuid.UUID(int=rng.getrandbits(128), version=4), "bench",
                          when, when + timedelta(seconds=2), f"BR{n}-{a:07d}", "badge_id", rating,
                          json.dumps(chosen), kind, notes, consent, "{}", when + timedelta(seconds=3))  # fmt: skip
                total_scans += 1
        leads.close()
        scans.close()
        log(f"leads: {n}, scans: {total_scans} copied ({time.perf_counter() - started:.0f}s)")
    for table in ("tracker_attendee", "tracker_lead", "tracker_scan"):
        cursor = connection.cursor()
        cursor.execute(f"VACUUM ANALYZE {table}")
    scored = score_all_v1(sponsor.pk, icp.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tracker_leadscore")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (tag, leads, scans, data_version, sponsor_id, built_at, build_seconds)"
            " VALUES (%s, %s, %s, %s, %s, now(), %s)",
            [tag, n, total_scans, DATA_VERSION, sponsor.pk, time.perf_counter() - started],
        )
    log(f"built {n} leads, {total_scans} scans, {scored} scores in {time.perf_counter() - started:.0f}s")
    return {"seconds": time.perf_counter() - started, "scans": total_scans}


def dataset_tag(n: int) -> str:
    return f"bench-rescore-{n}"


def ensure_marker_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (tag text PRIMARY KEY, leads int, scans int,"
            " data_version int, sponsor_id bigint, built_at timestamptz, build_seconds float)"
        )


def find_dataset(n: int):
    from django.db import connection

    ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.sponsor_id, m.scans FROM {MARKER_TABLE} m JOIN tracker_sponsor s ON s.id = m.sponsor_id"
            " WHERE m.tag = %s AND m.leads = %s AND m.data_version = %s",
            [dataset_tag(n), n, DATA_VERSION],
        )
        return cursor.fetchone()


def drop_dataset(tag: str) -> None:
    """Remove a data set of this tag (half-built or outdated) with plain SQL, children first."""
    from django.db import connection, transaction

    ensure_marker_table()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE tag = %s", [tag])
        cursor.execute("SELECT id FROM tracker_sponsor WHERE slug = %s", [tag])
        sponsor = cursor.fetchone()
        cursor.execute("SELECT id FROM tracker_event WHERE slug = %s", [tag])
        event = cursor.fetchone()
        if sponsor:
            log(f"dropping the old data set {tag}")
            s = sponsor[0]
            sp = "SELECT id FROM tracker_sponsorship WHERE sponsor_id = %s"
            for sql in (
                f"DELETE FROM tracker_leadscore WHERE lead_id IN (SELECT id FROM tracker_lead WHERE sponsorship_id IN ({sp}))",
                f"DELETE FROM tracker_followup WHERE lead_id IN (SELECT id FROM tracker_lead WHERE sponsorship_id IN ({sp}))",
                f"DELETE FROM tracker_scan WHERE sponsorship_id IN ({sp})",
                f"DELETE FROM tracker_lead WHERE sponsorship_id IN ({sp})",
                "DELETE FROM tracker_rescorejob WHERE icp_id IN (SELECT id FROM tracker_idealcustomerprofile WHERE sponsor_id = %s)",
                "DELETE FROM tracker_icpcriterion WHERE icp_id IN (SELECT id FROM tracker_idealcustomerprofile WHERE sponsor_id = %s)",
                "DELETE FROM tracker_idealcustomerprofile WHERE sponsor_id = %s",
                "DELETE FROM tracker_account WHERE sponsor_id = %s",
                f"DELETE FROM tracker_sponsorship_themes WHERE sponsorship_id IN ({sp})",
                f"DELETE FROM tracker_costline WHERE sponsorship_id IN ({sp})",
                "DELETE FROM tracker_sponsorship WHERE sponsor_id = %s",
                "DELETE FROM tracker_sponsor WHERE id = %s",
            ):  # fmt: skip
                cursor.execute(sql, [s])
        if event:
            cursor.execute("DELETE FROM tracker_attendee WHERE event_id = %s", [event[0]])
            cursor.execute("DELETE FROM tracker_sponsorship WHERE event_id = %s", [event[0]])
            cursor.execute("DELETE FROM tracker_event WHERE id = %s", [event[0]])


# --- the floor: one cursor, the same normalisers and engine, COPY + UPDATE ... FROM ----------------------

FLOOR_QUERY = """
SELECT l.id, a.title, a.company, a.email, a.country, l.scan_count, ls.score,
       sc.ratings, sc.conversations, sc.interests, sc.notes
FROM tracker_lead l
JOIN tracker_attendee a ON a.id = l.attendee_id
LEFT JOIN tracker_leadscore ls ON ls.lead_id = l.id
LEFT JOIN (
    SELECT lead_id,
           array_agg(rating {order}) FILTER (WHERE rating <> '') AS ratings,
           array_agg(conversation_type {order}) FILTER (WHERE conversation_type <> '') AS conversations,
           jsonb_agg(interests {order})::text AS interests,
           string_agg(NULLIF(notes, ''), E'\\n' {order}) AS notes
    FROM tracker_scan
    WHERE sponsorship_id = ANY(%(sponsorships)s) AND lead_id IS NOT NULL
    GROUP BY lead_id
) sc ON sc.lead_id = l.id
WHERE l.sponsorship_id = ANY(%(sponsorships)s)
"""
# leads_facts lists a lead's scans newest first. Only the wording of a reason can depend on that order
# (which of two matching values is named), never the points, so the floor, which writes scores only,
# leaves the order to the database; the build (which stores reasons) and the facts check keep it.
SCAN_ORDER = "ORDER BY received_at DESC, id DESC"
_SIMPLE_EMAIL = re.compile(r"[^@\s<>/:]+@([A-Za-z0-9.-]+)")


class FloorFacts:
    """LeadFacts as tracker.scoring.facts.leads_facts builds them, each distinct value normalised once."""

    def __init__(self, sponsor_id: int):
        from tracker.models import Account
        from tracker.scoring.normalise_companies import CompanyResolver

        accounts = list(
            Account.objects.filter(sponsor_id=sponsor_id).values_list(
                "pk", "name", "domains", "employees", "industry", "is_target", "is_customer"
            )
        )
        self.accounts = {row[0]: row for row in accounts}
        self.resolver = CompanyResolver(
            [(pk, name, tuple(domains or ())) for pk, name, domains, *_ in accounts]
        )
        self.titles: dict = {}
        self.hosts: dict = {}
        self.domains: dict = {}
        self.keys: dict = {}
        self.by_domain: dict = {}
        self.by_key: dict = {}
        self.regions: dict = {}

    def account(self, match) -> tuple:
        row = self.accounts.get(match.account_id) if match else None
        return (
            (row[3], row[4], match.method if row[5] else "", bool(row[6])) if row else (None, "", "", False)
        )

    def domain(self, email: str) -> str:
        from tracker.scoring.normalise_companies import email_domain

        simple = _SIMPLE_EMAIL.fullmatch(email)
        if simple is None:
            return email_domain(email)
        host = simple.group(1)
        domain = self.hosts.get(host)
        if domain is None:
            domain = self.hosts[host] = email_domain(host.lower())
        return domain

    def facts(self, title, company, email, country, scan_count, ratings, conversations, interests, notes):
        from tracker.regions import country_region
        from tracker.scoring.normalise_companies import company_key, is_academic, is_free_mail
        from tracker.scoring.normalise_titles import title_profile
        from tracker.scoring.values import LeadFacts

        profile = self.titles.get(title)
        if profile is None:
            profile = self.titles[title] = title_profile(title)
        domain = self.domain(email) if email else ""
        flags = self.domains.get(domain)
        if flags is None:
            flags = self.domains[domain] = (
                bool(domain) and is_free_mail(domain),
                bool(domain) and is_academic(domain),
            )
        company = company or ""
        key = self.keys.get(company)
        if key is None:
            key = self.keys[company] = company_key(company)
        # CompanyResolver.resolve tries the domain, then the company key: each resolved once.
        account = self.by_domain.get(domain, False) if domain else None
        if account is False:
            match = self.resolver.resolve("", domain)
            account = self.by_domain[domain] = self.account(match) if match else None
        if account is None:
            account = self.by_key.get(key)
            if account is None:
                account = self.by_key[key] = self.account(self.resolver.resolve(key))
        region = self.regions.get(country)
        if region is None:
            region = self.regions[country] = country_region(country)
        if interests:  # jsonb_agg of each scan's list, as text (Django's connection leaves JSON undecoded)
            interests = tuple(dict.fromkeys(i for items in json.loads(interests) for i in (items or ())))
        return LeadFacts(
            seniority=profile.seniority,
            function=profile.function,
            company_size=account[0],
            industry=account[1],
            country=(country or "").upper(),
            region=region,
            company_key=key,
            email_domain=domain,
            is_free_mail=flags[0],
            is_academic=flags[1],
            account_match=account[2],
            is_customer=account[3],
            ratings=tuple(ratings) if ratings else (),
            conversation_types=tuple(conversations) if conversations else (),
            interests=interests or (),
            notes=notes or "",
            scan_count=scan_count or 0,
        )


def floor_rows(cursor_name: str, sponsor_id: int, lead_ids=None, *, ordered: bool = True):
    """Rows of FLOOR_QUERY from a server-side cursor, FETCH rows at a time; needs a transaction."""
    query = FLOOR_QUERY.format(order=SCAN_ORDER if ordered else "")
    if lead_ids is not None:
        query += " AND l.id = ANY(%(ids)s)"
    raw = raw_connection()
    with raw.cursor() as cursor:
        cursor.execute("SELECT array_agg(id) FROM tracker_sponsorship WHERE sponsor_id = %s", [sponsor_id])
        sponsorships = cursor.fetchone()[0] or []
        # Every row is read: plan for all of them, not for the first tenth as cursors are by default.
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    with raw.cursor(name=cursor_name) as cursor:
        cursor.itersize = FETCH
        cursor.execute(query, {"sponsorships": sponsorships, "ids": lead_ids})
        while batch := cursor.fetchmany(FETCH):
            yield batch


def floor(args, sponsor_id: int, icp_id: int, dump: Path | None) -> dict:
    """Score every lead under ``icp_id`` (not yet published) and write changed scores: COPY + UPDATE FROM."""
    from django.db import transaction

    from tracker.models import IdealCustomerProfile
    from tracker.scoring.engine import compile_profile
    from tracker.scoring.service import profile_of

    started = time.perf_counter()
    score = compile_profile(profile_of(IdealCustomerProfile.objects.get(pk=icp_id)))
    builder = FloorFacts(sponsor_id)
    facts_of = builder.facts
    read = changed = 0
    fetching = 0.0
    out = dump.open("wb") if dump else None
    with transaction.atomic():
        raw = raw_connection()
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE floor_scores (lead_id bigint, score int) ON COMMIT DROP")
        rows = floor_rows("floor_read", sponsor_id, ordered=False)
        while True:
            t = time.perf_counter()
            batch = next(rows, None)
            fetching += time.perf_counter() - t
            if batch is None:
                break
            ids, scores, new = array("q"), array("i"), []
            for (
                lead_id,
                title,
                company,
                email,
                country,
                count,
                old,
                ratings,
                convs,
                interests,
                notes,
            ) in batch:
                value = score(
                    facts_of(title, company, email, country, count, ratings, convs, interests, notes)
                ).score
                if out:
                    ids.append(lead_id)
                    scores.append(value)
                if value != old:
                    new.append((lead_id, value))
            read += len(batch)
            if new:
                changed += len(new)
                with (
                    raw.cursor() as cursor,
                    cursor.copy("COPY floor_scores (lead_id, score) FROM STDIN") as copy,
                ):
                    for row in new:
                        copy.write_row(row)
            if out:
                out.write(ids.tobytes())
                out.write(scores.tobytes())
        update_started = time.perf_counter()
        with raw.cursor() as cursor:
            cursor.execute(
                "UPDATE tracker_leadscore ls SET score = f.score FROM floor_scores f WHERE ls.lead_id = f.lead_id"
            )
            updated = cursor.rowcount
    updating = time.perf_counter() - update_started  # with the commit
    if out:
        out.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "read": read,
        "changed": changed,
        "updated": updated,
        "fetch_seconds": fetching,
        "update_seconds": updating,
        "peak_mb": peak_mb(),
    }


def score_all_v1(sponsor_id: int, icp_id: int) -> int:
    """The starting point: every lead scored under v1 (same facts and engine), inserted with COPY."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tracker.models import IdealCustomerProfile
    from tracker.scoring.engine import compile_profile
    from tracker.scoring.service import profile_of

    score = compile_profile(profile_of(IdealCustomerProfile.objects.get(pk=icp_id)))
    builder = FloorFacts(sponsor_id)
    now = timezone.now()
    done = 0
    with transaction.atomic():
        raw = raw_connection()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE v1_scores (lead_id bigint, score int, grade text, reasons jsonb,"
                " excluded bool, existing_customer bool) ON COMMIT DROP"
            )
        for batch in floor_rows("v1_read", sponsor_id):
            with raw.cursor() as cursor, cursor.copy("COPY v1_scores FROM STDIN") as copy:
                for (
                    lead_id,
                    title,
                    company,
                    email,
                    country,
                    count,
                    _,
                    ratings,
                    convs,
                    interests,
                    notes,
                ) in batch:
                    result = score(
                        builder.facts(title, company, email, country, count, ratings, convs, interests, notes)
                    )
                    copy.write_row((lead_id, result.score, result.grade, json.dumps(result.reasons_json()),
                                    result.excluded, result.existing_customer))  # fmt: skip
            done += len(batch)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tracker_leadscore (lead_id, icp_id, score, grade, reasons, excluded, existing_customer,"
                " scored_at) SELECT lead_id, %s, score, grade, reasons, excluded, existing_customer, %s"
                " FROM v1_scores ORDER BY lead_id",
                [icp_id, now],
            )
    return done


# --- ours: the real code path -------------------------------------------------------------------------


def prepare_draft(sponsor_id: int) -> dict:
    """A new draft of the sponsor's ICP whose weights differ from the current version (untimed)."""
    from tracker.models import IcpCriterion, IdealCustomerProfile
    from tracker.scoring.versions import icp_new_draft

    IdealCustomerProfile.objects.filter(sponsor_id=sponsor_id, status="draft").delete()  # an interrupted run
    draft = icp_new_draft(sponsor_id=sponsor_id)
    variant = draft.version % 2 == 0  # alternate between the demo's weights and changed ones
    base = {label: weight for _, _, _, label, _, _, weight, _ in _rules()}
    for criterion in IcpCriterion.objects.filter(icp=draft):
        weight = (
            CHANGED_WEIGHTS.get(criterion.label, base.get(criterion.label))
            if variant
            else base.get(criterion.label)
        )
        if weight is not None and weight != criterion.weight:
            criterion.weight = weight
            criterion.save(update_fields=["weight"])
    return {"icp_id": draft.pk, "version": draft.version}


def _rules():
    from tracker.demo.icps import ICP_SHAPES

    return list(ICP_SHAPES["enterprise"]) + [
        ("fit", "industry", "in_set", "Industry we sell to", [], None, 10, ""),
        ("fit", "target_account", "list_match", "Target account", [], None, 10, ""),
    ]


def ours(args, sponsor_id: int, icp_id: int) -> dict:
    """icp_publish + every chunk of its rescore job, in this process, until the job is done."""
    from django.conf import settings

    from tracker.models import IdealCustomerProfile, RescoreJob
    from tracker.scoring import jobs
    from tracker.scoring.versions import icp_publish

    if args.chunk:
        settings.SCORING_CHUNK = args.chunk
    queue: list[tuple[int, int]] = []
    jobs._enqueue = lambda job_id, after_id: queue.append((job_id, after_id))  # the broker, in-process
    draft = IdealCustomerProfile.objects.get(pk=icp_id)
    spent = {"leads_score": 0.0, "facts": 0.0, "score": 0.0, "store": 0.0}
    if args.breakdown:  # time the steps of leads_score (what is left: the job's queries and commits)
        from tracker.scoring import service

        def timed(name, function):
            def wrapper(*a, **k):
                t = time.perf_counter()
                try:
                    return function(*a, **k)
                finally:
                    spent[name] += time.perf_counter() - t

            return wrapper

        service.leads_facts = timed("facts", service.leads_facts)
        service.scores_store = timed("store", service.scores_store)
        scorer_for = service.scorer_for
        service.scorer_for = lambda icp: timed("score", scorer_for(icp))
        jobs.leads_score = timed("leads_score", jobs.leads_score)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    samples: list[tuple[int, float]] = []
    chunk_times: list[float] = []
    started = time.perf_counter()
    job = icp_publish(icp=draft, by=None)
    done = 0
    while queue:
        job_id, after_id = queue.pop(0)
        t = time.perf_counter()
        done += jobs.rescore_chunk_run(job_id, after_id)
        chunk_times.append(time.perf_counter() - t)
        samples.append((done, rss_mb()))
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    job = RescoreJob.objects.get(pk=job.pk)
    if job.status != "done":
        raise SystemExit(f"the rescore job ended {job.status!r}, not done")
    # Memory over the run: the resident set after each tenth of the leads; growth from the first tenth on.
    curve = [next((rss for d, rss in samples if d >= done * k / 10), samples[-1][1]) for k in range(1, 11)]
    tenth = curve[0]
    chunk_times.sort()
    return {
        "seconds": seconds,
        "scored": done,
        "chunks": len(chunk_times),
        "chunk_p50_ms": 1000 * chunk_times[len(chunk_times) // 2] if chunk_times else 0,
        "chunk_max_ms": 1000 * chunk_times[-1] if chunk_times else 0,
        "rss_by_tenth_mb": [round(rss, 1) for rss in curve],
        "rss_growth_mb": (max(r for _, r in samples) - tenth) if samples else 0.0,
        "peak_mb": peak_mb(),
        **({f"{name}_seconds": value for name, value in spent.items()} if args.breakdown else {}),
    }


def verify(args, sponsor_id: int, icp_id: int, dump: Path) -> dict:
    """Ours stored what the floor computed, under the new version, for every lead; facts agree on a sample."""
    from django.db import connection, transaction

    from tracker.models import Lead
    from tracker.scoring.facts import leads_facts

    expected: dict[int, int] = {}
    data = dump.read_bytes()
    # One (ids, scores) pair of arrays per fetched batch: FETCH rows each, but the last.
    offset = 0
    while offset < len(data):
        n = min(FETCH, (len(data) - offset) // 12)
        ids = array("q")
        ids.frombytes(data[offset : offset + 8 * n])
        scores = array("i")
        scores.frombytes(data[offset + 8 * n : offset + 12 * n])
        expected.update(zip(ids, scores, strict=False))
        offset += 12 * n
    mismatched = wrong_version = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ls.lead_id, ls.score, ls.icp_id FROM tracker_leadscore ls JOIN tracker_lead l ON l.id = ls.lead_id"
            " JOIN tracker_sponsorship sp ON sp.id = l.sponsorship_id WHERE sp.sponsor_id = %s",
            [sponsor_id],
        )
        stored = 0
        for lead_id, score, icp in cursor.fetchall():
            stored += 1
            mismatched += expected.get(lead_id) != score
            wrong_version += icp != icp_id
    # The floor's facts are ours: compare on a sample.
    rng = random.Random(7)
    all_ids = list(Lead.objects.filter(sponsorship__sponsor_id=sponsor_id).values_list("pk", flat=True))
    sample = sorted(rng.sample(all_ids, min(3000, len(all_ids))))
    ours_facts = leads_facts(sample, sponsor_id)
    builder = FloorFacts(sponsor_id)
    differing = 0
    with transaction.atomic():  # a server-side cursor lives in a transaction
        for batch in floor_rows("verify_read", sponsor_id, sample):
            for lead_id, title, company, email, country, count, _, ratings, convs, interests, notes in batch:
                mine = builder.facts(title, company, email, country, count, ratings, convs, interests, notes)
                if mine != ours_facts[lead_id]:
                    differing += 1
                    if differing <= 3:
                        log(
                            f"facts differ for lead {lead_id}:\n  floor {mine}\n  ours  {ours_facts[lead_id]}"
                        )
    return {
        "expected": len(expected),
        "stored": stored,
        "mismatched": mismatched,
        "wrong_version": wrong_version,
        "facts_sample": len(sample),
        "facts_differing": differing,
    }


# --- orchestration -----------------------------------------------------------------------------------


def run_phase(args, phase: str, **extra) -> dict:
    """Run one phase in a fresh process and return its JSON report."""
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--leads", str(args.leads),
               "--scans-per-lead", str(args.scans_per_lead), "--accounts", str(args.accounts),
               "--titles", str(args.titles), "--companies", str(args.companies), "--seed", str(args.seed),
               "--chunk", str(args.chunk or 0)]  # fmt: skip
    if args.profile and phase == "ours":
        command.append("--profile")
    if args.breakdown and phase == "ours":
        command.append("--breakdown")
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        raise SystemExit(f"phase {phase} failed (exit {result.returncode})")
    line = [row for row in result.stdout.splitlines() if row.startswith("PHASE ")][-1]
    return json.loads(line[len("PHASE ") :])


def child(args) -> None:
    django_setup()
    if args.phase == "build":
        report = build(args)
    elif args.phase == "prepare":
        report = prepare_draft(args.sponsor)
    elif args.phase == "floor":
        report = floor(args, args.sponsor, args.icp, Path(args.dump) if args.dump else None)
    elif args.phase == "ours":
        report = ours(args, args.sponsor, args.icp)
    elif args.phase == "verify":
        report = verify(args, args.sponsor, args.icp, Path(args.dump))
    else:
        raise SystemExit(f"unknown phase {args.phase}")
    print("PHASE " + json.dumps(report), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000, help="leads (and attendees) of the sponsor")
    parser.add_argument("--scans-per-lead", type=float, default=1.2, help="average scans per lead")
    parser.add_argument(
        "--accounts", type=int, default=400, help="the sponsor's accounts (targets, customers)"
    )
    parser.add_argument("--titles", type=int, default=4000, help="distinct badge titles, roughly")
    parser.add_argument("--companies", type=int, default=0,
                        help="distinct companies (default: leads/40, between 2,000 and 30,000)")  # fmt: skip
    parser.add_argument("--chunk", type=int, default=0, help="SCORING_CHUNK for ours (default: settings)")
    parser.add_argument("--seed", type=int, default=20240319)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of floor + ours; medians reported")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if it exists")
    parser.add_argument("--no-floor", action="store_true", help="measure ours only")
    parser.add_argument("--profile", action="store_true", help="cProfile ours (slower), stats on stderr")
    parser.add_argument("--breakdown", action="store_true", help="time leads_facts and scores_store in ours")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--sponsor", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--icp", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.companies:
        args.companies = min(30_000, max(2_000, args.leads // 40))
    args.accounts = min(args.accounts, args.companies // 2)
    if args.phase:
        child(args)
        return

    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            "bench/rescore.py needs PostgreSQL (it compares against COPY + UPDATE ... FROM): set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database>; "
            f"the configured database is {connection.vendor} ({settings.DATABASES['default']['NAME']})."
        )
    from database import ensure_database  # bench/database.py: a fresh machine has no such database yet

    ensure_database(log)
    call_command("migrate", verbosity=0)
    found = None if args.rebuild else find_dataset(args.leads)
    if found is None:
        log(f"building the data set of {args.leads} leads (kept for later runs)")
        run_phase(args, "build")
        found = find_dataset(args.leads)
    sponsor_id, scans = found
    log(f"data set: sponsor {sponsor_id}, {args.leads} leads, {scans} scans")
    dump = ROOT / "var" / f"rescore-floor-{os.getpid()}.bin"
    dump.parent.mkdir(exist_ok=True)

    def settle() -> None:
        """Start each measured phase from the same state (untimed): the score table vacuumed, as autovacuum
        leaves it between two publishes (not with the dead rows of the previous phase), and a checkpoint."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) tracker_leadscore")
            cursor.execute("CHECKPOINT")

    rounds = []
    try:
        for round_number in range(args.repeat):
            draft = run_phase(args, "prepare", sponsor=sponsor_id)
            log(f"round {round_number + 1}/{args.repeat}: draft v{draft['version']} (icp {draft['icp_id']})")
            floor_report = None
            if not args.no_floor:
                settle()
                floor_report = run_phase(args, "floor", sponsor=sponsor_id, icp=draft["icp_id"], dump=dump)
                log("floor: " + json.dumps(floor_report))
            settle()
            ours_report = run_phase(args, "ours", sponsor=sponsor_id, icp=draft["icp_id"])
            log("ours: " + json.dumps(ours_report))
            if floor_report:
                check = run_phase(args, "verify", sponsor=sponsor_id, icp=draft["icp_id"], dump=dump)
                log("verify: " + json.dumps(check))
                if check["mismatched"] or check["wrong_version"] or check["facts_differing"]:
                    raise SystemExit("ours and the floor disagree: see verify above")
                if check["stored"] != args.leads:
                    raise SystemExit(f"{check['stored']} scores stored for {args.leads} leads")
            rounds.append((ours_report, floor_report))
    finally:
        dump.unlink(missing_ok=True)

    def median(values):
        values = sorted(values)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    ours_times = [o["seconds"] for o, _ in rounds]
    floor_times = [f["seconds"] for _, f in rounds if f]
    o = median(ours_times)
    fl = median(floor_times) if floor_times else float("nan")
    extra = ""
    if len(rounds) > 1:
        extra = (
            f" rounds={len(rounds)} ours_all={','.join(f'{t:.1f}' for t in ours_times)}"
            f" floor_all={','.join(f'{t:.1f}' for t in floor_times)}"
        )
    last_ours, last_floor = rounds[-1]
    print(
        f"RESULT rescore ours={o:.2f} floor={fl:.2f} ratio={o / fl:.2f} leads={args.leads}"
        f" peak_mb={max(r['peak_mb'] for r, _ in rounds):.0f}"
        f" floor_peak_mb={max((f['peak_mb'] for _, f in rounds if f), default=0):.0f}"
        f" rss_growth_mb={max(r['rss_growth_mb'] for r, _ in rounds):.1f} chunks={last_ours['chunks']}"
        f" changed={last_floor['changed'] if last_floor else 0} scans={scans}{extra}",
        flush=True,
    )


if __name__ == "__main__":
    main()
