"""The lead list page with a big event, filtered and sorted, against the bare SQL of the same page.

OURS is the whole Django request through ``django.test.Client`` (middleware, session, scoping, the filter
form, the table, the template), signed in with ``force_login`` as a manager of the sponsor, for a few
realistic filter and sort combinations (``COMBOS``): the booth's default page, grades A and B by score,
hot leads by last scan, a free-text search by name, and the all-leads page across the sponsor's booths.
Each combination gets ``--warmup`` untimed requests, then ``--requests`` timed ones.

FLOOR, in the same run, on the same connection: the SQL the table itself needs for that page, executed
with a raw psycopg cursor and fetched. One request per combination is recorded with
``connection.execute_wrapper`` (which, unlike ``CaptureQueriesContext``, keeps each query's SQL and
parameters apart, so the floor sends exactly what Django sent), and three queries are kept: the
paginator's (capped) ``COUNT(*)``, the ``LIMIT``-ed query of the page's lead ids and the query of those
leads' rows. The other queries of a request (session, user,
access, the booth, the filter form's choices, the bulk form's staff) are part of what the page costs but
not of the data it shows, so they are left to OURS. Floor and ours alternate, request by request, so both
see the same cache. If the page is slow because its SQL is slow, the floor is slow too: the ratio then
stays low while p95 misses the target, and ``--explain`` prints the plans of those queries.

The data set (``--scans`` scans): sponsor A has a booth at a big event (80% of the scans) and at a smaller
one (10%); sponsor B also exhibits at the big event (10%). Attendees have names from many cultures, a
few thousand titles and Zipf-distributed companies (bench/pools.py, as bench/rescore.py's); a lead gets 1 to 12
scans (``--scans-per-lead`` on average) with ratings, interests, conversation types, notes and the staff
member who scanned; 1.5% of scans match no badge. Every lead but 1% has a LeadScore (score, grade and
reasons from its title, company, email and scans), qualified leads and a few others a FollowUp, most with
an owner. It is loaded with COPY into the database of DATABASE_URL (created if missing; use a dedicated
one: the tables are emptied when the data set is rebuilt), analysed, and reused while its marker row
matches. Needs PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_leadlist_bench \\
        .venv/bin/python bench/lead_list.py --scans 100000

Before timing each combination it waits while another benchmark (``bench/*.py``) runs, and times it again
if one started meanwhile (``--no-wait`` to skip). Ends with one line:
RESULT lead_list ours=<p95 ms> floor=<p95 ms> ratio=<ours/floor> median_ms=<..> floor_median_ms=<..>
scans=<n> leads=<n> ... (p95 and medians over every timed request of every combination).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from database import Copier, prepare_database, reserve_ids, vacuum_analyze
from harness import ROOT, django_setup, logger, other_benchmarks, wait_quiet
from pools import FREE_MAIL, LEGAL, NOTE_TEMPLATES, UNIVERSITIES, Pick, company_pool, slug, title_pool

os.environ.setdefault("CONN_MAX_AGE", "600")  # a persistent connection, as under gunicorn

DATA_VERSION = 1  # bump when the generated data changes shape: older data sets are rebuilt
MARKER_TABLE = "bench_lead_list_dataset"
MANAGER = "bench-leadlist-manager"
SHARES = {"A1": 0.8, "A2": 0.1, "B1": 0.1}  # scans per sponsorship: sponsor A at two events, B at one
EVENT_DAYS = {
    "E1": (date(2024, 3, 19), 3, "Europe/Paris", 8),
    "E2": (date(2024, 6, 11), 2, "Europe/London", 8),
}
COMBOS = [  # (name, URL name, query parameters); SEARCH is replaced by --search
    ("default", "lead-list", {}),
    ("grade_ab_by_score", "lead-list", {"grade": ["A", "B"], "sort": "-score"}),
    ("hot_by_last_scan", "lead-list", {"rating": "hot", "sort": "-last_scan_at"}),
    ("search_by_name", "lead-list", {"q": "SEARCH", "sort": "name"}),
    (
        "all_eu_since_by_score",
        "all-leads",
        {"region": "EU", "last_scan_after": "2024-03-20", "sort": "-score"},
    ),
]
log = logger("lead_list")


# --- the database -------------------------------------------------------------------------------------


def find_dataset(scans: int) -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT info FROM {MARKER_TABLE} WHERE scans = %s AND data_version = %s",
                       [scans, DATA_VERSION])  # fmt: skip
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def empty_tables() -> None:
    """Empty the tracker's tables, refusing a database that holds anything this benchmark did not make."""
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        ours = cursor.fetchone()[0] is not None
        cursor.execute("SELECT (SELECT count(*) FROM tracker_sponsor) + (SELECT count(*) FROM auth_user)")
        if not ours and cursor.fetchone()[0]:
            raise SystemExit(
                f"{connection.settings_dict['NAME']} already holds data this benchmark did not create; "
                "point DATABASE_URL at a dedicated database (e.g. tracker_leadlist_bench)."
            )
        tables = {
            m._meta.db_table for m in apps.get_app_config("tracker").get_models(include_auto_created=True)
        }
        tables |= {"auth_user", "django_session"}
        cursor.execute(f"TRUNCATE {', '.join(sorted(tables))} RESTART IDENTITY CASCADE")
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (scans int, leads int, data_version int, info text,"
                       " built_at timestamptz, build_seconds float)")  # fmt: skip


# --- the data set -------------------------------------------------------------------------------------


SENIOR = re.compile(r"\b(director|vp|head|chief|cto|cio|ciso|ceo|founder|svp|president|owner)\b", re.I)
MIDDLE = re.compile(r"\b(senior|sr\.?|staff|principal|lead|manager|architect)\b", re.I)
FUNCTION = re.compile(r"platform|sre|site reliability|infrastructure|devops|security|cloud|kubernetes", re.I)
REASON_IDS = {}  # criterion ids in the reasons, as the engine stores them


def score_lead(title: str, free_mail: bool, target: bool, ratings: set, kinds: list, count: int):
    """(score, grade, reasons): a plausible score, correlated with the title, account and booth talk."""
    reasons = []
    if SENIOR.search(title):
        reasons.append((25, "Director or above"))
    elif MIDDLE.search(title):
        reasons.append((10, "Senior individual contributor"))
    if FUNCTION.search(title):
        reasons.append((20, "Platform, SRE or security"))
    if target:
        reasons.append((15, "Target account"))
    if "hot" in ratings:
        reasons.append((30, "Rated hot at the booth"))
    elif "warm" in ratings:
        reasons.append((12, "Rated warm at the booth"))
    if "demo" in kinds or "technical_deep_dive" in kinds:
        reasons.append((10, "Demo or deep-dive"))
    if count >= 3:
        reasons.append((5, "Came back to the booth"))
    if free_mail:
        reasons.append((-10, "Personal email"))
    if kinds and all(kind == "swag_only" for kind in kinds):
        reasons.append((-20, "Swag only"))
    score = max(0, min(100, sum(points for points, _ in reasons)))
    grade = "A" if score >= 70 else "B" if score >= 45 else "C" if score >= 20 else "D"
    stored = [{"points": p, "reason": r, "criterion": REASON_IDS.setdefault(r, len(REASON_IDS) + 1)}
              for p, r in reasons]  # fmt: skip
    return score, grade, json.dumps(stored)


def make_people(rng, n: int) -> list[tuple]:
    """``n`` attendees: (first, last, email, title, company, country, city, free_mail, target)."""
    from tracker.demo.pools import CITIES, CULTURES, EVENT_COUNTRIES, ascii_fold, native

    title_at = Pick.zipf(title_pool(rng, 3000), 1.0)
    companies = company_pool(rng, min(30_000, max(2_000, n // 30)))
    company_at = Pick.zipf(companies, 0.8)
    targets = {name for name, _ in rng.sample(companies, len(companies) // 10)}
    country_at = Pick(EVENT_COUNTRIES["EU"])
    cultures = list(CULTURES.values())
    people = []
    for i in range(n):
        first_names, last_names = rng.choice(cultures)
        first, last = rng.choice(first_names), rng.choice(last_names)
        roll = rng.random()
        target = False
        if roll < 0.04:
            company, domain = rng.choice(UNIVERSITIES)
        elif roll < 0.07:
            company, domain = rng.choice(["Freelance", "Self-employed", "", "Stealth startup"]), ""
        else:
            company, domain = company_at(rng)
            target = company in targets
            if rng.random() < 0.25:
                company += rng.choice(LEGAL)
        free_mail = rng.random() < 0.2 or not domain
        if free_mail:
            domain = rng.choice(FREE_MAIL) if rng.random() < 0.7 else ""
        email = (
            f"{slug(ascii_fold(first)) or 'x'}.{slug(ascii_fold(last)) or 'y'}{i}@{domain}" if domain else ""
        )
        country = country_at(rng)
        city = rng.choice(CITIES.get(country, ["Paris"]))
        people.append((native(first), native(last), email, title_at(rng), company, country, city, free_mail,
                       target))  # fmt: skip
    return people


def build(args) -> dict:
    """Create the data set in one transaction, then VACUUM ANALYZE; returns its marker info."""
    import random

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from tracker.demo.pools import SCAN_NOTES
    from tracker.demo.scans import CHANNELS, CONVERSATIONS, OTHER_RATINGS, RATINGS_AFTER, STATUS_WEIGHTS
    from tracker.models import Event, IdealCustomerProfile, Sponsor, Sponsorship, StaffMember

    started = time.perf_counter()
    rng = random.Random(args.seed)
    n = args.scans
    empty_tables()
    now = timezone.now()
    with transaction.atomic():
        events = {
            key: Event.objects.create(name=name, slug=f"bench-leadlist-{key.lower()}", city=city, country=cc,
                                      region="EU", start_date=start, end_date=start + timedelta(days=days - 1),
                                      time_zone=tz)
            for key, name, city, cc in [("E1", "Bench Cloud Native Days", "Paris", "FR"),
                                        ("E2", "Bench DevOps Summit", "London", "GB")]
            for start, days, tz, _ in [EVENT_DAYS[key]]
        }  # fmt: skip
        interests = ["OpenTelemetry", "Log pipelines", "Distributed tracing", "SLOs", "Pricing", "Kubernetes",
                     "AI", "FinOps", "eBPF"]  # fmt: skip
        sponsors = {key: Sponsor.objects.create(name=name, slug=f"bench-leadlist-{key.lower()}",
                                                domain=f"{key.lower()}.bench.example", interest_options=interests[:5])
                    for key, name in [("A", "Bench Lumen"), ("B", "Bench Rival")]}  # fmt: skip
        booths = {key: Sponsorship.objects.create(sponsor=sponsors[key[0]], event=events[f"E{key[1]}"],
                                                  tier="gold", booth_number=f"G{i}")
                  for i, key in enumerate(SHARES)}  # fmt: skip
        icps = {key: IdealCustomerProfile.objects.create(sponsor=s, version=1, status="published", published_at=now)
                for key, s in sponsors.items()}  # fmt: skip
        staff: dict[str, list[int]] = {}
        roles = ["sales", "technical_sdr", "devrel", "solutions_engineer", "marketing", "founder_exec"]
        for key, count in (("A", args.staff), ("B", max(4, args.staff // 4))):
            users = User.objects.bulk_create(
                User(username=MANAGER if key == "A" and i == 0 else f"bench-leadlist-{key.lower()}{i}",
                     first_name=rng.choice(["Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farid", "Greta", "Hugo"]),
                     last_name=f"Staff{i:02d}", password="!")
                for i in range(count)
            )  # fmt: skip
            members = StaffMember.objects.bulk_create(
                StaffMember(user=u, sponsor=sponsors[key], role=rng.choice(roles),
                            level="manager" if i < max(1, count // 10) else "booth")
                for i, u in enumerate(users)
            )  # fmt: skip
            for member in members:
                if member.level == "booth":
                    member.sponsorships.set([b for k, b in booths.items() if k[0] == key])
            staff[key] = [m.pk for m in members]

        cursor = connection.cursor()
        per_lead = args.scans_per_lead
        need = {e: int(sum(s for k, s in SHARES.items() if k[1] == e[1]) * n / per_lead * 1.5) + 200
                for e in events}  # fmt: skip
        people = make_people(rng, sum(need.values()))
        first_attendee = reserve_ids(cursor, "tracker_attendee", len(people))
        attendees = Copier(cursor, "tracker_attendee", ["id", "event_id", "badge_id", "first_name", "last_name",
                                                          "email", "phone", "title", "company", "country", "city",
                                                          "created_at"])  # fmt: skip
        pools, k = {}, 0
        for key, count in need.items():
            pools[key] = range(first_attendee + k, first_attendee + k + count)
            for i in range(count):
                first, last, email, title, company, country, city, *_ = people[k + i]
                attendees.row(first_attendee + k + i, events[key].pk, f"{key}-{i:07d}", first, last, email, "",
                              title, company, country, city, now)  # fmt: skip
            k += count
        attendees.close()
        log(f"attendees: {len(people)} ({time.perf_counter() - started:.0f}s)")

        first_lead = reserve_ids(cursor, "tracker_lead", int(n / per_lead * 1.3) + 100)
        copiers = {
            "lead": Copier(cursor, "tracker_lead", ["id", "sponsorship_id", "attendee_id", "consent",
                                                      "consent_recorded_at", "consent_how", "first_scan_at",
                                                      "last_scan_at", "scan_count", "created_at"]),
            "scan": Copier(cursor, "tracker_scan", ["sponsorship_id", "lead_id", "client_uuid", "scanned_by_id",
                                                      "device_id", "device_scanned_at", "received_at", "raw_payload",
                                                      "payload_format", "rating", "interests", "conversation_type",
                                                      "notes", "consent", "typed", "processed_at"]),
            "score": Copier(cursor, "tracker_leadscore", ["lead_id", "icp_id", "score", "grade", "reasons",
                                                            "excluded", "existing_customer", "scored_at"]),
            "follow_up": Copier(cursor, "tracker_followup", ["lead_id", "owner_id", "channel", "due_on", "status",
                                                               "outcome", "opportunity_amount",
                                                               "opportunity_currency", "created_at", "updated_at"]),
        }  # fmt: skip
        conversation_at = Pick(CONVERSATIONS)
        rating_at = {kind: Pick(RATINGS_AFTER.get(kind, OTHER_RATINGS)) for kind, _ in CONVERSATIONS}
        status_at, channel_at = Pick(STATUS_WEIGHTS), Pick(CHANNELS)
        first_consent = Pick([(True, 55), (False, 15), (None, 30)])
        mean_extra = 1 / math.log(1 + 1 / max(per_lead - 1, 0.01))  # floor(Exp(mean)) has mean per_lead - 1
        lead_id, total_scans, counts = first_lead, 0, {}
        for key, share in SHARES.items():
            booth, event_key = booths[key], f"E{key[1]}"
            start, days, _, utc_open = EVENT_DAYS[event_key]
            opens = datetime(start.year, start.month, start.day, utc_open, tzinfo=UTC)
            order = list(pools[event_key])
            rng.shuffle(order)
            scanners = staff[key[0]]
            scanner_at = Pick([(s, 1 + (i % 5)) for i, s in enumerate(scanners)])
            budget, leads = round(n * share), 0
            unknown = round(budget * 0.015)
            for _ in range(unknown):
                when = opens + timedelta(days=rng.randrange(days), seconds=rng.randrange(9 * 3600))
                copiers["scan"].row(booth.pk, None, uuid.UUID(int=rng.getrandbits(128), version=4),
                                    scanner_at(rng), "bench", when, when + timedelta(seconds=2),
                                    f"UNKNOWN-{rng.getrandbits(40):x}", "badge_id", "", "[]", "", "", None, "{}",
                                    when + timedelta(seconds=3))  # fmt: skip
            budget -= unknown
            for attendee_id in order:
                if budget <= 0:
                    break
                count = min(budget, 12, 1 + int(rng.expovariate(1 / mean_extra)))
                budget -= count
                day = rng.randrange(days)
                first_at = opens + timedelta(days=day, seconds=rng.randrange(9 * 3600))
                times = sorted(
                    [first_at]
                    + [
                        opens + timedelta(days=rng.randrange(day, days), seconds=rng.randrange(9 * 3600))
                        for _ in range(count - 1)
                    ]
                )
                consent = first_consent(rng)
                ratings, kinds = set(), []
                for j, when in enumerate(times):
                    kind = conversation_at(rng)
                    rating = rating_at[kind](rng)
                    ratings.add(rating)
                    kinds.append(kind)
                    chosen = [] if kind == "swag_only" else rng.sample(interests, rng.randint(0, 3))
                    roll = rng.random()
                    notes = (
                        ""
                        if roll < 0.5
                        else rng.choice(SCAN_NOTES)
                        if roll < 0.8
                        else rng.choice(NOTE_TEMPLATES).format(
                            n=rng.randint(2, 400), q=rng.randint(1, 4), h=rng.randint(1, 2)
                        )
                    )
                    copiers["scan"].row(booth.pk, lead_id, uuid.UUID(int=rng.getrandbits(128), version=4),
                                        scanner_at(rng), "bench", when, when + timedelta(seconds=2),
                                        f"{event_key}-{attendee_id - pools[event_key][0]:07d}", "badge_id", rating,
                                        json.dumps(chosen), kind, notes, consent if j == 0 else None, "{}",
                                        when + timedelta(seconds=3))  # fmt: skip
                copiers["lead"].row(lead_id, booth.pk, attendee_id, consent,
                                    times[0] + timedelta(seconds=2) if consent is not None else None,
                                    "booth" if consent is not None else "", times[0] + timedelta(seconds=2), times[-1] + timedelta(seconds=2), count,
                                    times[0] + timedelta(seconds=3))  # fmt: skip
                person = people[attendee_id - first_attendee]
                if rng.random() > 0.01:  # a few leads are not scored yet
                    score, grade, reasons = score_lead(person[3], person[7], person[8], ratings, kinds, count)
                    copiers["score"].row(lead_id, icps[key[0]].pk, score, grade, reasons, False,
                                         rng.random() < 0.03, times[-1] + timedelta(seconds=5))  # fmt: skip
                    qualified = grade in ("A", "B") and consent is not False
                    if (qualified and rng.random() < 0.9) or rng.random() < 0.03:
                        status = status_at(rng)
                        amount = (
                            round(rng.lognormvariate(9, 1), 2) if status in ("opportunity", "won") else None
                        )
                        ends = start + timedelta(days=days - 1)
                        copiers["follow_up"].row(
                            lead_id, scanner_at(rng) if rng.random() < 0.85 else None, channel_at(rng),
                            ends + timedelta(days={"A": 1, "B": 2}.get(grade, 5) + 1), status, "", amount,
                            "EUR" if amount is not None else "", now, now,
                        )  # fmt: skip
                lead_id += 1
                leads += 1
            total_scans += round(n * share) - max(budget, 0)
            counts[key] = leads
        if lead_id - first_lead > int(n / per_lead * 1.3) + 100:
            raise SystemExit("more leads than lead ids reserved: raise the margin")
        for copier in copiers.values():
            copier.close()
        log(f"leads: {sum(counts.values())}, scans: {total_scans} ({time.perf_counter() - started:.0f}s)")
    vacuum_analyze(
        "tracker_attendee", "tracker_lead", "tracker_scan", "tracker_leadscore", "tracker_followup"
    )
    info = {"booth": booths["A1"].pk, "leads": counts["A1"], "leads_sponsor": counts["A1"] + counts["A2"],
            "leads_all": sum(counts.values()), "scans": total_scans}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, now(), %s)",
                       [n, info["leads_all"], DATA_VERSION, json.dumps(info), time.perf_counter() - started])  # fmt: skip
    log(f"built in {time.perf_counter() - started:.0f}s: {info}")
    return info


# --- measuring ----------------------------------------------------------------------------------------


def table_queries(recorded: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The table's queries among those of one request: the paginator's COUNT(*), the ids of the page
    (``LIMIT``) and the rows of those ids (``"tracker_lead"."id" IN (...)``)."""
    count = [q for q in recorded if q[0].startswith("SELECT COUNT(*)") and 'FROM "tracker_lead"' in q[0]]
    leads = [q for q in recorded if re.match(r'SELECT (DISTINCT )?"tracker_lead"\."id"', q[0])]
    ids = [q for q in leads if re.match(r'SELECT (DISTINCT )?"tracker_lead"\."id"( AS "\w+")? FROM ', q[0])]
    rows = [q for q in leads if q not in ids and '"tracker_lead"."id" IN (' in q[0]]
    if len(count) != 1 or len(ids) != 1 or len(rows) != 1:
        raise SystemExit("cannot tell the table's queries apart:\n" + "\n".join(sql for sql, _ in recorded))
    return count + ids + rows


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def use_public_tables():
    """Draw the lead lists through django-tables2's public API instead of ``tracker.lists.engine`` (which
    reaches into its internals): ``RequestConfig`` with Django's paginator (an exact count, one query of
    the page's rows), the table's own ordering (no tie-break, unscored rows sorted by the database), each
    row's cells from ``BoundRow.items()``, and the rows joined to everything a column may read (what a
    table without per-column joins does). Returns what puts the engine back."""
    import django_tables2 as tables
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from tracker.lists.tables import BaseTable
    from tracker.views import lead_list

    def configure_table(request, table):
        return tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)

    def body_rows(self):
        for row in self.paginated_rows:
            cells = mark_safe("".join(format_html("<td>{}</td>", value) for _, value in row.items()))
            yield format_html("<tr {}>{}</tr>", row.attrs.as_html(), cells)

    engine = (lead_list.configure_table, BaseTable.order_by, BaseTable.body_rows, BaseTable.__init__)

    def joined(self, data=None, *args, **kwargs):
        paths = {path for joins in type(self).row_joins.values() for path in joins}
        engine[3](self, data.select_related(*paths) if paths and hasattr(data, "select_related") else data,
                  *args, **kwargs)  # fmt: skip

    lead_list.configure_table = configure_table
    BaseTable.order_by = tables.Table.order_by
    BaseTable.body_rows = body_rows
    BaseTable.__init__ = joined

    def undo() -> None:
        lead_list.configure_table, BaseTable.order_by, BaseTable.body_rows, BaseTable.__init__ = engine

    return undo


def measure(args, info: dict) -> list[dict]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=MANAGER))
    results = []
    for name, url_name, params in COMBOS:
        if args.combos and name not in args.combos:
            continue
        params = {key: (args.search if value == "SEARCH" else value) for key, value in params.items()}
        url = reverse(url_name, args=[info["booth"]] if url_name == "lead-list" else [])
        recorded: list[tuple[str, object]] = []

        def record(execute, sql, sql_params, many, context, recorded=recorded):
            recorded.append((sql, sql_params))
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        shown = response.content.count(b'name="pk"')  # a checkbox per row
        queries = table_queries(recorded)  # the floor: the data the page shows, as the engine reads it
        undo = use_public_tables() if args.public_tables else None
        raw = connection.connection

        def floor(queries=queries, raw=raw) -> None:
            with raw.cursor() as cursor:
                for sql, sql_params in queries:
                    cursor.execute(sql, sql_params)
                    cursor.fetchall()

        for attempt in range(3):
            if not args.no_wait:
                wait_quiet(log, busy_only=True)
            ours_ms, floor_ms = [], []
            for i in range(args.warmup + args.requests):
                t = time.perf_counter()
                response = client.get(url, params)
                spent = time.perf_counter() - t
                assert response.status_code == 200
                t = time.perf_counter()
                floor()
                floor_spent = time.perf_counter() - t
                if i >= args.warmup:
                    ours_ms.append(spent * 1000)
                    floor_ms.append(floor_spent * 1000)
            if args.no_wait or not other_benchmarks(busy_only=True):
                break
            log(f"{name}: another benchmark started while timing; timing again ({attempt + 1})")
        with connection.cursor() as cursor:
            cursor.execute(queries[0][0], queries[0][1])
            matching = cursor.fetchone()[0]
        result = {"combo": name, "url": f"{url}?{urlencode(params, doseq=True)}",
                  "median_ms": statistics.median(ours_ms), "p95_ms": p95(ours_ms),
                  "floor_median_ms": statistics.median(floor_ms), "floor_p95_ms": p95(floor_ms),
                  "queries": len(recorded), "rows": shown, "matching": matching,
                  "ours_ms": ours_ms, "floor_ms": floor_ms}  # fmt: skip
        results.append(result)
        if undo:
            undo()
        log(f"{name}: ours median {result['median_ms']:.1f} p95 {result['p95_ms']:.1f} ms, floor median "
            f"{result['floor_median_ms']:.1f} p95 {result['floor_p95_ms']:.1f} ms; {len(recorded)} queries, "
            f"{shown} rows shown of {matching}")  # fmt: skip
        if args.explain:
            for sql, sql_params in queries:
                with raw.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                log(f"{name}: EXPLAIN ANALYZE {sql} {sql_params}\n{plan}")
    return results


def dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the data set (shared with bench/analytics.py, which measures on it too)."""
    parser.add_argument("--scans", type=int, default=100_000, help="scans in the data set (all booths)")
    parser.add_argument("--scans-per-lead", type=float, default=2.5, help="average scans per lead")
    parser.add_argument("--staff", type=int, default=40, help="staff members of the measured sponsor")
    parser.add_argument("--seed", type=int, default=20240319)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if it exists")
    parser.add_argument("--no-wait", action="store_true", help="time even while another benchmark runs")


def open_dataset(args, script: str, example: str, log=log) -> dict:
    """Set Django up on the benchmark's database and find the data set, or build it; its marker info."""
    django_setup()
    from django.conf import settings

    # As the tests do: the manifest storage needs collectstatic; a static URL costs the same either way.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    prepare_database(log, script, "COPY, and the sizes it measures", example)
    info = None if args.rebuild else find_dataset(args.scans)
    if info is None:
        log(f"building the data set of {args.scans} scans (kept for later runs)")
        info = build(args)
    log(f"data set: {info}")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    dataset_arguments(parser)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per combination")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per combination first")
    parser.add_argument("--search", default="labs", help="the free-text search (a common company word)")
    parser.add_argument("--combos", type=lambda v: v.split(","), default=None,
                        help=f"only these combinations: {','.join(c[0] for c in COMBOS)}")  # fmt: skip
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the floor's queries (stderr)")
    parser.add_argument(
        "--public-tables", action="store_true", help="draw the lists through django-tables2's public API only"
    )
    args = parser.parse_args()
    info = open_dataset(args, "lead_list", "tracker_leadlist_bench")
    results = measure(args, info)
    for r in results:
        print(f"combo {r['combo']} median_ms={r['median_ms']:.1f} p95_ms={r['p95_ms']:.1f} "
              f"floor_median_ms={r['floor_median_ms']:.1f} floor_p95_ms={r['floor_p95_ms']:.1f} "
              f"queries={r['queries']} rows={r['rows']} matching={r['matching']} url={r['url']}")  # fmt: skip
    ours = [t for r in results for t in r["ours_ms"]]
    floor = [t for r in results for t in r["floor_ms"]]
    worst = max(results, key=lambda r: r["p95_ms"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(
        f"RESULT lead_list ours={p95(ours):.1f} floor={p95(floor):.1f} ratio={p95(ours) / p95(floor):.2f} "
        f"median_ms={statistics.median(ours):.1f} floor_median_ms={statistics.median(floor):.1f} "
        f"scans={info['scans']} leads={info['leads']} leads_all={info['leads_all']} combos={len(results)} "
        f"requests={len(ours)} worst={worst['combo']} worst_p95_ms={worst['p95_ms']:.1f} db=postgresql "
        f"commit={commit.stdout.strip() or 'unknown'} tables={'public' if args.public_tables else 'engine'}",
        flush=True,
    )


if __name__ == "__main__":
    main()
