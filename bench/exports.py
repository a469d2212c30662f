"""The sales review workbook of a whole booth, against the floor and against django-import-export.

OURS is the real code path: ``write_xlsx(SalesReviewExport(Lead.objects.filter(sponsorship=...)), file)``
(tracker/exports), timed from building the export to the saved file, queries included; the lead
queryset is not scoped to a user (tenancy is not what is measured).

FLOOR, in the same run on the same rows: openpyxl in write-only mode writing the same cells. The rows of
the same export are read and turned into plain values first (untimed: ``list(sheet.rows)``, a
``Styled`` or ``Formatted`` value to the value itself, an aware time to the event's wall time); then only
writing them is
timed: ``ws.append(row)`` of plain values into a write-only workbook saved to a file. No styles, formats,
formula neutralisation or queries: what is left when writing the cells themselves is all the work.

IMPORT_EXPORT: the typical way Django users export a queryset to XLSX with django-import-export: a
``ModelResource`` for Lead with the same columns (``attribute="attendee__title"`` fields and dehydrate
methods), the same ordering, ``select_related`` for the joins and ``prefetch_related`` for the scans,
``resource.export(queryset, force_native_type=True)`` (as its admin does for binary formats) and then
``dataset.export("xlsx")`` through tablib. Its ``chunk_size`` is set to ours (2,000 leads per page)
rather than its default of 100, which would only slow it down. It keeps the whole workbook in memory,
so it runs under a time limit and a memory cap, and can be skipped above a size; any of these is
reported as such.

Each measurement runs in a fresh process; its peak resident memory (VmHWM, sampled by the parent, and
the child's own ru_maxrss) belongs to it alone. During OURS the resident set is also sampled every
10,000 rows (``rss_by_tenth_mb``), to show whether memory grows with the rows written. Before each
measured phase the run waits until no other benchmark of bench/ runs (the machine is shared), and says
so when one started meanwhile. A check (untimed) then compares the first rows of ours with the floor's.

The data set (an event, a sponsor with staff, N attendees and leads, 1-3 scans per lead with ratings,
interests, conversation types and notes, a score per lead, follow-ups for ~30% with owners and some
opportunity amounts) is built once per size with COPY and reused while its marker row matches. The
database is created when missing. Needs PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_exports_bench \\
        .venv/bin/python bench/exports.py --leads 100000

Ends with one line: RESULT exports ours=<s> floor=<s> ratio=<ours/floor> import_export=<s or why not>
peak_mb=<ours' peak MB> floor_peak_mb=<MB> leads=<N> ...
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import random
import resource
import tempfile
import time
import uuid
from array import array
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from database import Markers, copy_rows, prepare_database, reserve_ids, vacuum_analyze
from harness import ROOT, django_setup, logger, peak_mb, phase_main, profiled, rss_mb, run_phase, wait_quiet
from pools import slug

DATA_VERSION = 2  # bump when the generated data changes shape: older data sets are rebuilt
SAMPLE_EVERY = 10_000  # rows between two samples of ours' resident set
CHECK_ROWS = 2_000  # rows of ours compared with the floor's after the run
log = logger("exports")
markers = Markers(
    "bench_exports_dataset", "bench-exports", DATA_VERSION, "sponsorship", ("scans", "follow_ups"), log
)


# --- data generation ---------------------------------------------------------------------------------

INTERESTS = ["OpenTelemetry", "Log pipelines", "Distributed tracing", "SLOs", "Pricing", "Kubernetes",
             "AI", "FinOps", "eBPF", "Self-hosting"]  # fmt: skip
NOTE_TEMPLATES = [
    "Wants pricing for ~{n} nodes", "Asked about SOC 2 and SSO", "Running a PoC in Q{q}",
    "no budget until Q{q}", "Budget approved for H{h}, send a proposal", "not interested, just swag",
    "Evaluating us against {n} others", "Team of {n} SREs, wants a demo for the lead",
    "Möchte einen PoC im Q{q}", "Veut un devis pour {n} nœuds", "Quiere precios para {n} clusters",
]  # fmt: skip
# Text a spreadsheet would read as a formula: what the export must keep as text.
HOSTILE_NOTES = ["=SUM(A1:A9) budget, ask finance", "+1 for the operator, call back",
                 "=HYPERLINK(\"http://evil.example\",\"docs\")", "+33 6 39 98 12 34 after 5pm",
                 "-- follow up in May", "@channel asked for a trial"]  # fmt: skip
HOSTILE_TEXT = ["=1+1", "+Labs", "@Platform", "=cmd|' /C calc'!A0", "-Ops Team"]
SYLLABLES_A = ["Zen", "Tri", "Nova", "Blue", "Red", "Alp", "Ver", "Quant", "Hex", "Lum", "Orb", "Ster",
               "Bright", "Cloud", "Data", "Grid", "Pix", "Vol", "Ark", "Mer", "Sol", "Tera", "Flux", "Nord"]  # fmt: skip
SYLLABLES_B = ["ix", "ora", "ware", "soft", "labs", "works", "line", "stack", "tech", "io", "ly", "scale",
               "base", "gate", "hub", "forge"]  # fmt: skip
SECOND_WORDS = ["", "", "", "Systems", "Labs", "Group", "Technologies", "Bank", "Insurance", "Health",
                "Logistics", "Software", "Analytics", "Energy", "Consulting", "GmbH", "SAS", "Inc."]  # fmt: skip
SENIORITY = ["", "", "", "Senior ", "Staff ", "Principal ", "Lead ", "Junior "]
AREAS = ["Platform", "Infrastructure", "Cloud", "DevOps", "Site Reliability", "Security", "Data",
         "Machine Learning", "Backend", "Frontend", "Full Stack", "Software", "Observability", "Kubernetes"]  # fmt: skip
NOUNS = ["Engineer", "Engineer", "Developer", "Architect", "Manager", "Consultant", "Lead"]
FREE_MAIL = ["gmail.com", "outlook.com", "gmx.de", "web.de", "proton.me", "orange.fr"]
CURRENCY_MIX = ["EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF"]
STAFF = 16


def pools(rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """Badge titles (demo ones first, then made-up ones) and (company, domain) pairs."""
    from tracker.demo.pools import COMPANIES, TITLES

    titles = list(dict.fromkeys(t for t, _ in TITLES if t))
    titles += list(dict.fromkeys(f"{rng.choice(SENIORITY)}{rng.choice(AREAS)} {rng.choice(NOUNS)}"
                                 for _ in range(3000)))  # fmt: skip
    companies = dict(COMPANIES)
    while len(companies) < 5000:
        name = f"{rng.choice(SYLLABLES_A)}{rng.choice(SYLLABLES_B)} {rng.choice(SECOND_WORDS)}".strip()
        companies[name] = slug(name.split()[0]) + rng.choice([".com", ".io", ".de", ".fr", ".co.uk"])
    return titles, [(name, domain) for name, domain in companies.items() if domain]


def build(args) -> dict:
    """Create the data set of ``args.leads`` leads in one transaction, with COPY."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from tracker.demo.pools import CITIES, CULTURES, EVENT_COUNTRIES, PHONE_FORMATS, SCAN_NOTES, native
    from tracker.demo.scans import CONVERSATIONS, OTHER_RATINGS, RATINGS_AFTER, STATUS_WEIGHTS
    from tracker.models import Event, IdealCustomerProfile, Sponsor, Sponsorship, StaffMember

    started = time.perf_counter()
    rng = random.Random(args.seed)
    n = args.leads
    tag = markers.tag(n)
    markers.drop(n)
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            name=f"Bench Exports Conf {n}", slug=tag, city="Paris", country="FR", region="EU",
            start_date=date(2024, 3, 19), end_date=date(2024, 3, 22), time_zone="Europe/Paris",
        )  # fmt: skip
        sponsor = Sponsor.objects.create(
            name=f"Bench Exports {n}", slug=tag, domain=f"benchexports{n}.example", interest_options=INTERESTS
        )
        sponsorship = Sponsorship.objects.create(sponsor=sponsor, event=event, tier="gold", booth_number="B7")
        icp = IdealCustomerProfile.objects.create(
            sponsor=sponsor, version=1, status="published", published_at=now
        )
        User = get_user_model()
        cultures = list(CULTURES)
        users = []
        for i in range(STAFF):
            first, last = (native(rng.choice(part)) for part in CULTURES[rng.choice(cultures)])
            if i == STAFF - 1:
                first = last = ""  # shown by username
            users.append(User(username=f"{tag}-staff-{i}", first_name=first, last_name=last))
        users = User.objects.bulk_create(users)
        staff = StaffMember.objects.bulk_create(
            StaffMember(user=user, sponsor=sponsor, role=rng.choice(["sales", "devrel", "technical_sdr"]))
            for user in users
        )
        staff_ids = [member.pk for member in staff]
        titles, companies = pools(rng)
        countries, weights = zip(*EVENT_COUNTRIES["EU"], strict=True)
        cursor = connection.cursor()
        first_attendee = reserve_ids(cursor, "tracker_attendee", n)
        first_lead = reserve_ids(cursor, "tracker_lead", n)

        def attendees():
            for i in range(n):
                country = rng.choices(countries, weights)[0]
                first, last = (native(rng.choice(part)) for part in CULTURES[rng.choice(cultures)])
                company, domain = companies[min(int(rng.paretovariate(0.9)) - 1, len(companies) - 1)]
                if rng.random() < 0.2:
                    domain = rng.choice(FREE_MAIL)
                title = titles[min(int(rng.paretovariate(0.7)) - 1, len(titles) - 1)]
                if rng.random() < 0.003:
                    company = rng.choice(HOSTILE_TEXT)
                if rng.random() < 0.002:
                    title = rng.choice(HOSTILE_TEXT)
                local = slug(f"{first}.{last}") or "x"
                email = f"{local}{i}@{domain}" if rng.random() < 0.85 else ""
                phone = ""
                if rng.random() < 0.5:
                    phone = PHONE_FORMATS.get(country, "+33 6 39 98 {nn} {mm}").format(
                        area=rng.randint(201, 989), nn=f"{rng.randint(0, 99):02d}",
                        mm=f"{rng.randint(0, 99):02d}", nnn=f"{rng.randint(0, 999):03d}",
                    )  # fmt: skip
                city = rng.choice(CITIES.get(country, ["Paris"]))
                yield (first_attendee + i, event.pk, f"BX{n}-{i:07d}", first, last, email, phone, title,
                       company, country, city, now)  # fmt: skip

        copy_rows(cursor, "tracker_attendee", ["id", "event_id", "badge_id", "first_name", "last_name", "email",
                                            "phone", "title", "company", "country", "city", "created_at"],
                  attendees())  # fmt: skip
        log(f"attendees: {n} ({time.perf_counter() - started:.0f}s)")

        # Scan times of every lead, kept for the scans: (count, then up to 3 epoch seconds).
        counts = bytearray(n)
        times = array("d", bytes(8 * 3 * n))
        opening = datetime(2024, 3, 20, 8, tzinfo=UTC).timestamp()
        order = list(range(n))
        rng.shuffle(order)  # attendees become leads in another order than they registered

        def leads():
            for i, a in enumerate(order):
                count = rng.choices((1, 2, 3), (60, 28, 12))[0]
                moments = sorted(
                    opening + 86400 * rng.randrange(3) + rng.randrange(9 * 3600) for _ in range(count)
                )
                counts[i] = count
                times[3 * i : 3 * i + count] = array("d", moments)
                consent = rng.choices((True, False, None), (60, 15, 25))[0]
                first, last = (
                    datetime.fromtimestamp(moments[0], UTC),
                    datetime.fromtimestamp(moments[-1], UTC),
                )
                recorded = first if consent is not None else None
                yield (
                    first_lead + i,
                    sponsorship.pk,
                    first_attendee + a,
                    consent,
                    recorded,
                    "booth" if consent is not None else "",  # asked at the booth
                    first,
                    last,
                    count,
                    first,
                )

        copy_rows(cursor, "tracker_lead", ["id", "sponsorship_id", "attendee_id", "consent", "consent_recorded_at",
                                        "consent_how", "first_scan_at", "last_scan_at", "scan_count", "created_at"],
                  leads())  # fmt: skip
        log(f"leads: {n} ({time.perf_counter() - started:.0f}s)")

        kinds, kind_weights = zip(*CONVERSATIONS, strict=True)
        rating_choices = {
            kind: tuple(zip(*RATINGS_AFTER.get(kind, OTHER_RATINGS), strict=True)) for kind in kinds
        }

        def scans():
            for i in range(n):
                for k in range(counts[i]):
                    when = datetime.fromtimestamp(times[3 * i + k], UTC)
                    kind = rng.choices(kinds, kind_weights)[0]
                    rating = rng.choices(*rating_choices[kind])[0]
                    chosen = [] if kind == "swag_only" else rng.sample(INTERESTS, rng.randint(0, 3))
                    roll = rng.random()
                    if roll < 0.45:
                        notes = ""
                    elif roll < 0.65:
                        notes = rng.choice(SCAN_NOTES)
                    elif roll < 0.97:
                        notes = rng.choice(NOTE_TEMPLATES).format(
                            n=rng.randint(2, 400), q=rng.randint(1, 4), h=rng.randint(1, 2)
                        )
                    else:
                        notes = rng.choice(HOSTILE_NOTES)
                    scanner = rng.choice(staff_ids) if rng.random() < 0.98 else None
                    yield (sponsorship.pk, first_lead + i, uuid.UUID(int=rng.getrandbits(128), version=4),
                           scanner, "bench", when, when + timedelta(seconds=2), f"BX{n}-{i:07d}", "badge_id",
                           rating, json.dumps(chosen), kind, notes, None, "{}", when + timedelta(seconds=3))  # fmt: skip

        scanned = copy_rows(cursor, "tracker_scan", ["sponsorship_id", "lead_id", "client_uuid", "scanned_by_id",
                                                  "device_id", "device_scanned_at", "received_at", "raw_payload",
                                                  "payload_format", "rating", "interests", "conversation_type",
                                                  "notes", "consent", "typed", "processed_at"], scans())  # fmt: skip
        log(f"scans: {scanned} ({time.perf_counter() - started:.0f}s)")

        grades = bytearray(n)  # 0 = unscored, else the grade letter

        def scores():
            reasons_pool = [(80, "VP-level title"), (40, "Director or above"), (20, "Platform, SRE or security"),
                            (15, "Rated hot at the booth"), (10, "Pricing or PoC mentioned"),
                            (10, "Target account"), (5, "200+ employees"), (-10, "Personal email"),
                            (-20, "Swag only"), (-100, "Competitor")]  # fmt: skip
            for i in range(n):
                if rng.random() < 0.03:
                    continue  # not scored yet: last in the sheet
                reasons = rng.sample(reasons_pool, rng.randint(0, 5))
                score = max(0, min(100, sum(p for p, _ in reasons)))
                grade = "A" if score >= 70 else "B" if score >= 45 else "C" if score >= 20 else "D"
                grades[i] = ord(grade)
                data = [{"points": p, "reason": r, "criterion": 1000 + j} for j, (p, r) in enumerate(reasons)]
                yield first_lead + i, icp.pk, score, grade, json.dumps(data), score == 0, False, now

        copy_rows(cursor, "tracker_leadscore", ["lead_id", "icp_id", "score", "grade", "reasons", "excluded",
                                             "existing_customer", "scored_at"], scores())  # fmt: skip

        def follow_ups():
            chance = {ord("A"): 0.95, ord("B"): 0.8, ord("C"): 0.3, ord("D"): 0.04, 0: 0.0}  # ~30% of leads
            statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
            for i in range(n):
                if rng.random() >= chance[grades[i]]:
                    continue
                status = rng.choices(statuses, status_weights)[0]
                amount = currency = None
                if status in ("opportunity", "won", "lost") or rng.random() < 0.05:
                    amount = Decimal(rng.randrange(500_00, 250_000_00)) / 100
                    currency = rng.choice(CURRENCY_MIX)
                owner = rng.choice(staff_ids) if rng.random() < 0.95 else None
                due = date(2024, 3, 25) + timedelta(days=rng.randrange(20))
                yield (first_lead + i, owner, rng.choice(["email", "phone", "linkedin"]), due, status, "",
                       amount, currency or "", now, now)  # fmt: skip

        followed = copy_rows(cursor, "tracker_followup", ["lead_id", "owner_id", "channel", "due_on", "status",
                                                       "outcome", "opportunity_amount", "opportunity_currency",
                                                       "created_at", "updated_at"], follow_ups())  # fmt: skip
        log(f"scores and {followed} follow-ups ({time.perf_counter() - started:.0f}s)")
    vacuum_analyze(*(f"tracker_{table}" for table in ("attendee", "lead", "scan", "leadscore", "followup",
                                                       "staffmember")), "auth_user")  # fmt: skip
    markers.record(n, sponsorship.pk, time.perf_counter() - started, scans=scanned, follow_ups=followed)
    log(f"built {n} leads, {scanned} scans, {followed} follow-ups in {time.perf_counter() - started:.0f}s")
    return {"seconds": time.perf_counter() - started}


# --- the three measurements ----------------------------------------------------------------------------


def sales_review(sponsorship_id: int):
    from tracker.exports.leads import SalesReviewExport
    from tracker.models import Lead

    return SalesReviewExport(Lead.objects.filter(sponsorship_id=sponsorship_id))


def use_public_cells() -> None:
    """Write cells through openpyxl's public API instead of ``tracker.exports.cells`` (which reaches into
    its internals): each appended row becomes a ``WriteOnlyCell`` per value, its ``data_type`` set
    explicitly so that text stays text, with the same number formats and wrapping."""
    from datetime import date, datetime
    from decimal import Decimal

    from openpyxl.cell import Cell, WriteOnlyCell

    from tracker.exports import base
    from tracker.exports.cells import DATE_FORMAT, DATETIME_FORMAT, MAX_TEXT, Styled

    types = {str: "s", int: "n", float: "n", Decimal: "n", bool: "b", datetime: "d", date: "d"}
    formats = {datetime: DATETIME_FORMAT, date: DATE_FORMAT}

    def public_rows(ws, wrap) -> None:
        append = ws.append

        def cell(value):
            if value is None or isinstance(value, Cell):  # the bold header is written as it is
                return value
            styled = value if isinstance(value, Styled) else None
            value = styled.value if styled else value
            kind = str if isinstance(value, str) else value.__class__
            made = WriteOnlyCell(ws, value=str(value)[:MAX_TEXT] if kind is str else value)
            made.data_type = types.get(kind, made.data_type)
            number_format = (styled.number_format if styled else None) or formats.get(kind)
            if number_format:
                made.number_format = number_format
            if styled and styled.wrapped:
                made.alignment = wrap
            return made

        ws.append = lambda row: append([cell(value) for value in row])

    base.typed_rows = public_rows


def ours(args, out: Path) -> dict:
    """write_xlsx of the sales review, from the first query to the saved file."""
    from django.db import connection

    from tracker.exports.base import write_xlsx
    from tracker.exports.reader import forked_reading

    if args.public_cells:
        use_public_cells()
    export = sales_review(args.sponsorship)  # no query yet; its modules imported, as in a running worker
    connection.ensure_connection()

    samples: list[tuple[int, float]] = []

    def progress(done: int, total: int | None) -> None:
        if done % SAMPLE_EVERY == 0 or done == total:
            samples.append((done, rss_mb()))

    with profiled(args.profile, ("tottime", 30), ("cumulative", 30)):
        started, cpu = time.perf_counter(), cpu_with_children()
        # As the export task writes it; --in-turn reads each chunk in turn instead, to show what the fork buys.
        reading = contextlib.nullcontext() if args.in_turn else forked_reading()
        with out.open("wb") as stream, reading:
            written = write_xlsx(export, stream, progress)
        seconds, cpu = time.perf_counter() - started, cpu_with_children() - cpu
    curve = [next((rss for d, rss in samples if d >= written * k / 10), samples[-1][1]) for k in range(1, 11)]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": written,
        "bytes": out.stat().st_size,
        "rss_by_tenth_mb": [round(rss, 1) for rss in curve],
        "rss_growth_mb": round(max(r for _, r in samples) - curve[0], 1),
        "peak_mb": peak_mb(),
        # The reader process the export forks (tracker.exports.reader.read_ahead), once it has finished.
        "reader_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the export's reader process)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def plain(value):
    """A cell value as the floor writes it: a number for an amount, the wall time for a time."""
    from tracker.exports.base import Formatted, Styled

    if isinstance(value, (Formatted, Styled)):
        value = value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value


def floor(args, out: Path) -> dict:
    """The same cells from a list already in memory, appended as plain values to a write-only workbook."""
    import gc

    from openpyxl import Workbook

    t = time.perf_counter()
    sheet = next(iter(sales_review(args.sponsorship).sheets()))
    header = [column.header for column in sheet.columns]
    rows = [tuple(plain(value) for value in row) for row in sheet.rows]
    gc.collect()
    gc.freeze()  # the list is done: no collection walks it while writing
    prepared = time.perf_counter() - t
    started, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Sales review")
    ws.append(header)
    for row in rows:
        ws.append(row)
    with out.open("wb") as stream:
        workbook.save(stream)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": len(rows), "prepare_seconds": prepared,
            "peak_mb": peak_mb()}  # fmt: skip


# The sales review's columns, as fields of the resource below.
COLUMNS = ("grade", "score", "reasons", "name", "title", "company", "email", "phone", "country", "rating",
           "interests", "talks", "notes", "scanners", "first_scan", "last_scan", "owner", "status", "due",
           "opportunity", "currency", "event", "lead_id")  # fmt: skip


def lead_resource():
    """A django-import-export resource with the sales review's columns."""
    from django.db.models import Prefetch
    from import_export import fields, resources

    from tracker.exports.leads import TOP_REASONS, sales_order
    from tracker.models import Lead, Scan
    from tracker.models.choices import ConversationType, FollowUpStatus, Rating

    ratings, conversations, statuses = (
        dict(Rating.choices),
        dict(ConversationType.choices),
        dict(FollowUpStatus.choices),
    )

    def who(scan) -> str:
        user = scan.scanned_by.user if scan.scanned_by else None
        return (user.get_full_name() or user.username) if user else "unknown"

    def event_time(moment, lead):
        return moment.astimezone(lead.sponsorship.event.tz).replace(tzinfo=None) if moment else None

    class LeadResource(resources.ModelResource):
        grade = fields.Field(attribute="score__grade", column_name="Grade")
        score = fields.Field(attribute="score__score", column_name="Score")
        reasons = fields.Field(column_name="Top reasons")
        name = fields.Field(column_name="Name")
        title = fields.Field(attribute="attendee__title", column_name="Title")
        company = fields.Field(attribute="attendee__company", column_name="Company")
        email = fields.Field(column_name="Email")
        phone = fields.Field(column_name="Phone")
        country = fields.Field(attribute="attendee__country", column_name="Country")
        rating = fields.Field(column_name="Rating")
        interests = fields.Field(column_name="Interests")
        talks = fields.Field(column_name="Conversation types")
        notes = fields.Field(column_name="Notes")
        scanners = fields.Field(column_name="Scanned by")
        first_scan = fields.Field(column_name="First scan (event time)")
        last_scan = fields.Field(column_name="Last scan (event time)")
        owner = fields.Field(column_name="Follow-up owner")
        status = fields.Field(column_name="Status")
        due = fields.Field(attribute="follow_up__due_on", column_name="Due")
        opportunity = fields.Field(attribute="follow_up__opportunity_amount", column_name="Opportunity")
        currency = fields.Field(attribute="follow_up__opportunity_currency", column_name="Currency")
        event = fields.Field(attribute="sponsorship__event__name", column_name="Event")
        lead_id = fields.Field(attribute="id", column_name="Lead id")

        class Meta:
            model = Lead
            fields = export_order = COLUMNS
            chunk_size = 2000  # ours reads 2,000 leads at a time too; its default is 100

        def dehydrate_reasons(self, lead):
            score = getattr(lead, "score", None)
            reasons = sorted(score.reasons or [] if score else [], key=lambda r: -abs(r.get("points", 0)))
            return "\n".join(f"{r.get('points', 0):+d} {r.get('reason', '')}" for r in reasons[:TOP_REASONS])

        def dehydrate_name(self, lead):
            return lead.attendee.full_name

        def dehydrate_email(self, lead):
            return lead.attendee.email if lead.consent is True else ""

        def dehydrate_phone(self, lead):
            return lead.attendee.phone if lead.consent is True else ""

        def dehydrate_rating(self, lead):
            rating = next((s.rating for s in reversed(lead.scans.all()) if s.rating), "")
            return ratings.get(rating, "")

        def dehydrate_interests(self, lead):
            found = (i for s in lead.scans.all() for i in (s.interests or []) if isinstance(i, str))
            return ", ".join(dict.fromkeys(found))

        def dehydrate_talks(self, lead):
            found = (conversations.get(s.conversation_type) for s in lead.scans.all() if s.conversation_type)
            return ", ".join(dict.fromkeys(found))

        def dehydrate_notes(self, lead):
            return "\n".join(f"{who(s)}: {s.notes.strip()}" for s in lead.scans.all() if s.notes.strip())

        def dehydrate_scanners(self, lead):
            return ", ".join(dict.fromkeys(who(s) for s in lead.scans.all()))

        def dehydrate_first_scan(self, lead):
            return event_time(lead.first_scan_at, lead)

        def dehydrate_last_scan(self, lead):
            return event_time(lead.last_scan_at, lead)

        def dehydrate_owner(self, lead):
            follow_up = getattr(lead, "follow_up", None)
            return follow_up.owner.display_name if follow_up and follow_up.owner else ""

        def dehydrate_status(self, lead):
            follow_up = getattr(lead, "follow_up", None)
            return statuses.get(follow_up.status, "") if follow_up else ""

    def queryset(sponsorship_id: int):
        scans = Scan.objects.order_by("received_at", "pk").select_related("scanned_by__user")
        return (
            sales_order(Lead.objects.filter(sponsorship_id=sponsorship_id))
            .select_related("attendee", "score", "follow_up__owner__user", "sponsorship__event")
            .prefetch_related(Prefetch("scans", queryset=scans))
        )

    return LeadResource(), queryset


def import_export(args, out: Path) -> dict:
    """resource.export(queryset) then tablib's XLSX, written to a file."""
    from django.db import connection

    importlib.import_module("openpyxl")  # tablib imports it on first use: not timed, as for ours

    resource_, queryset = lead_resource()
    connection.ensure_connection()
    started = time.perf_counter()
    dataset = resource_.export(queryset(args.sponsorship), force_native_type=True)
    exported = time.perf_counter() - started
    out.write_bytes(dataset.export("xlsx"))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(dataset), "export_seconds": exported, "peak_mb": peak_mb()}


def check(ours_file: Path, floor_file: Path) -> dict:
    """The first rows of ours hold the floor's values (untimed)."""
    from openpyxl import load_workbook

    def head(path: Path) -> list[tuple]:
        ws = load_workbook(path, read_only=True).worksheets[0]
        return [tuple(row) for row in ws.iter_rows(max_row=CHECK_ROWS + 1, values_only=True)]

    mine, theirs = head(ours_file), head(floor_file)
    differing = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b]
    if differing:
        log(f"row {differing[0]} differs:\n  ours  {mine[differing[0]]}\n  floor {theirs[differing[0]]}")
    return {"compared": min(len(mine), len(theirs)), "differing": len(differing)}


# --- orchestration -----------------------------------------------------------------------------------


def phase(args, name: str, out: Path | None = None, **limits) -> dict:
    """Run one phase in a fresh process and return its JSON report, or why it stopped."""
    argv = ["--leads", str(args.leads), "--seed", str(args.seed), "--sponsorship", str(args.sponsorship or 0)]
    if out:
        argv += ["--out", str(out)]
    if args.profile and name == "ours":
        argv.append("--profile")
    if args.in_turn:
        argv.append("--in-turn")
    if args.public_cells:
        argv.append("--public-cells")
    return run_phase(__file__, name, argv, log, watch=not args.no_wait, **limits)


def measured(args, name: str, **kwargs) -> dict:
    if not args.no_wait:
        wait_quiet(log)
    report = phase(args, name, **kwargs)
    log(f"{name}: " + json.dumps(report))
    return report


def child(args) -> None:
    out = Path(args.out) if args.out else None
    phase_main(
        args.phase,
        {
            "build": lambda: build(args),
            "ours": lambda: ours(args, out),
            "floor": lambda: floor(args, out),
            "import_export": lambda: import_export(args, out),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000, help="leads (and attendees) of the booth")
    parser.add_argument("--seed", type=int, default=20240320)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if it exists")
    parser.add_argument("--skip-import-export-above", type=int, default=0, metavar="N",
                        help="do not run django-import-export above N leads (default: always run it)")  # fmt: skip
    parser.add_argument("--import-export-timeout", type=float, default=1800, metavar="S",
                        help="stop django-import-export after S seconds (default 1800)")  # fmt: skip
    parser.add_argument("--import-export-max-mb", type=float, default=8000, metavar="MB",
                        help="stop django-import-export above this resident memory (default 8000)")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile ours (slower), stats on stderr")
    parser.add_argument(
        "--in-turn", action="store_true", help="ours reads its chunks in turn (no forked reader)"
    )
    parser.add_argument(
        "--public-cells", action="store_true", help="ours writes cells through openpyxl's public API"
    )
    parser.add_argument("--no-wait", action="store_true", help="do not wait for other benchmarks")
    parser.add_argument("--keep", action="store_true", help="keep the written workbooks (in var/)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--sponsorship", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return

    django_setup()
    from django.db import connection

    prepare_database(log, "exports", "it builds its data with COPY", "tracker_exports_bench")
    found = None if args.rebuild else markers.find(args.leads)
    if found is None:
        log(f"building the data set of {args.leads} leads (kept for later runs)")
        phase(args, "build")
        found = markers.find(args.leads)
    args.sponsorship, scans, follow_ups = found
    log(
        f"data set: sponsorship {args.sponsorship}, {args.leads} leads, {scans} scans, {follow_ups} follow-ups"
    )
    connection.close()

    folder = Path(tempfile.mkdtemp(prefix="exports-", dir=ROOT / "var" if args.keep else None))
    files = {name: folder / f"{name}-{args.leads}.xlsx" for name in ("ours", "floor", "import_export")}
    try:
        floor_report = measured(args, "floor", out=files["floor"])
        ours_report = measured(args, "ours", out=files["ours"])
        if ours_report["rows"] != args.leads or floor_report["rows"] != args.leads:
            raise SystemExit(
                f"{ours_report['rows']} rows written by ours, {floor_report['rows']} by the floor"
            )
        verdict = check(files["ours"], files["floor"])
        log("check: " + json.dumps(verdict))
        if verdict["differing"]:
            raise SystemExit("ours and the floor disagree: see the check above")
        if args.skip_import_export_above and args.leads > args.skip_import_export_above:
            ie_report = {"stopped": f"skipped>{args.skip_import_export_above}"}
            log(f"import_export: skipped above {args.skip_import_export_above} leads")
        else:
            ie_report = measured(args, "import_export", out=files["import_export"],
                                 timeout=args.import_export_timeout, max_mb=args.import_export_max_mb)  # fmt: skip
    finally:
        if args.keep:
            log(f"workbooks kept in {folder}")
        else:
            for path in files.values():
                path.unlink(missing_ok=True)
            folder.rmdir()

    o, fl = ours_report["seconds"], floor_report["seconds"]
    ie = ie_report.get("stopped") or f"{ie_report['seconds']:.2f}"
    ie_peak = f"{ie_report['peak_mb']:.0f}" if "peak_mb" in ie_report else "na"
    disturbed = [name for name, r in (("floor", floor_report), ("ours", ours_report),
                                      ("import_export", ie_report)) if r.get("disturbed")]  # fmt: skip
    print(
        f"RESULT exports ours={o:.2f} floor={fl:.2f} ratio={o / fl:.2f} import_export={ie}"
        f" peak_mb={ours_report['peak_mb']:.0f} reader_peak_mb={ours_report['reader_peak_mb']:.0f}"
        f" floor_peak_mb={floor_report['peak_mb']:.0f} leads={args.leads}"
        f" import_export_peak_mb={ie_peak} rss_growth_mb={ours_report['rss_growth_mb']:.1f}"
        f" cpu_ratio={ours_report['cpu_seconds'] / floor_report['cpu_seconds']:.2f}"
        f" scans={scans} follow_ups={follow_ups} reader={'in-turn' if args.in_turn else 'forked'}"
        f" cells={'public' if args.public_cells else 'typed'}"
        + (f" disturbed={','.join(disturbed)}" if disturbed else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
