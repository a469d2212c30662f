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
import statistics
import time
import uuid
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path

from database import Copier, Markers, prepare_database, raw_connection, reserve_ids, vacuum_analyze
from harness import ROOT, django_setup, logger, peak_mb, phase_main, profiled, rss_mb, run_phase
from pools import FREE_MAIL, LEGAL, NOTE_TEMPLATES, UNIVERSITIES, Pick, company_pool, slug, title_pool, typo

FETCH = 10_000  # rows per FETCH of the floor's server-side cursor
DATA_VERSION = 1  # bump when the generated data changes shape: older data sets are rebuilt
log = logger("rescore")
markers = Markers("bench_rescore_dataset", "bench-rescore", DATA_VERSION, "sponsor", ("scans",), log)


# --- data generation ---------------------------------------------------------------------------------

INDUSTRIES = ["software", "financial services", "insurance", "retail", "healthcare", "telecom", "media",
              "manufacturing", "public sector", "logistics", "energy", "education", "automotive", "gaming"]  # fmt: skip
COMPETITORS = ["rivaltrace.example", "metricmonger.example", "logzilla.example"]
CHANGED_WEIGHTS = {  # variant 1: what a manager might change after the first event
    "Director or above": 25,
    "Platform, SRE or security": 20,
    "200+ employees": 5,
    "Rated hot at the booth": 30,
    "Pricing or PoC mentioned": 15,
    "Personal email": -5,
    "Target account": 15,
}


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
    tag = markers.tag(n)
    markers.drop(n)
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
        title_at, company_at = Pick.zipf(titles, 1.0), Pick.zipf(companies, 0.8)
        country_at = Pick(EVENT_COUNTRIES["EU"])
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
            country = country_at(rng)
            first_names, last_names = CULTURES[rng.choice(cultures)]
            first, last = rng.choice(first_names), rng.choice(last_names)
            title = title_at(rng)
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
                company, domain = company_at(rng)
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

        leads = Copier(cursor, "tracker_lead", ["id", "sponsorship_id", "attendee_id", "consent", "consent_how",
                                                "first_scan_at", "last_scan_at", "scan_count", "created_at"])  # fmt: skip
        scans = Copier(cursor, "tracker_scan", ["sponsorship_id", "lead_id", "client_uuid", "device_id",
                                                "device_scanned_at", "received_at", "raw_payload",
                                                "payload_format", "rating", "interests", "conversation_type",
                                                "notes", "consent", "typed", "processed_at"])  # fmt: skip
        conversation_at = Pick(CONVERSATIONS)
        rating_at = {kind: Pick(RATINGS_AFTER.get(kind, OTHER_RATINGS)) for kind, _ in CONVERSATIONS}
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
                lead_id,
                sponsorship.pk,
                first_attendee + a,
                consent,
                "booth" if consent is not None else "",
                times[0],
                times[-1],
                count,
                times[0],
            )
            for when in times:
                kind = conversation_at(rng)
                rating = rating_at[kind](rng)
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
    vacuum_analyze("tracker_attendee", "tracker_lead", "tracker_scan")
    scored = score_all_v1(sponsor.pk, icp.pk)
    vacuum_analyze("tracker_leadscore")
    markers.record(n, sponsor.pk, time.perf_counter() - started, scans=total_scans)
    log(f"built {n} leads, {total_scans} scans, {scored} scores in {time.perf_counter() - started:.0f}s")
    return {"seconds": time.perf_counter() - started, "scans": total_scans}


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
            for lead_id, title, company, email, country, count, old, ratings, convs, interests, notes in batch:  # fmt: skip
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
                for lead_id, title, company, email, country, count, _, ratings, convs, interests, notes in batch:  # fmt: skip
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
    samples: list[tuple[int, float]] = []
    chunk_times: list[float] = []
    with profiled(args.profile, ("cumulative", 45), ("tottime", 30)):
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


def phase(args, name: str, **extra) -> dict:
    """Run one phase in a fresh process and return its JSON report."""
    argv = ["--leads", str(args.leads), "--scans-per-lead", str(args.scans_per_lead), "--accounts",
            str(args.accounts), "--titles", str(args.titles), "--companies", str(args.companies), "--seed",
            str(args.seed), "--chunk", str(args.chunk or 0)]  # fmt: skip
    if args.profile and name == "ours":
        argv.append("--profile")
    if args.breakdown and name == "ours":
        argv.append("--breakdown")
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    return run_phase(__file__, name, argv, log)


def child(args) -> None:
    dump = Path(args.dump) if args.dump else None
    phase_main(
        args.phase,
        {
            "build": lambda: build(args),
            "prepare": lambda: prepare_draft(args.sponsor),
            "floor": lambda: floor(args, args.sponsor, args.icp, dump),
            "ours": lambda: ours(args, args.sponsor, args.icp),
            "verify": lambda: verify(args, args.sponsor, args.icp, dump),
        },
    )


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
    from django.db import connection

    prepare_database(log, "rescore", "it compares against COPY + UPDATE ... FROM", "<database>")
    found = None if args.rebuild else markers.find(args.leads)
    if found is None:
        log(f"building the data set of {args.leads} leads (kept for later runs)")
        phase(args, "build")
        found = markers.find(args.leads)
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
            draft = phase(args, "prepare", sponsor=sponsor_id)
            log(f"round {round_number + 1}/{args.repeat}: draft v{draft['version']} (icp {draft['icp_id']})")
            floor_report = None
            if not args.no_floor:
                settle()
                floor_report = phase(args, "floor", sponsor=sponsor_id, icp=draft["icp_id"], dump=dump)
                log("floor: " + json.dumps(floor_report))
            settle()
            ours_report = phase(args, "ours", sponsor=sponsor_id, icp=draft["icp_id"])
            log("ours: " + json.dumps(ours_report))
            if floor_report:
                check = phase(args, "verify", sponsor=sponsor_id, icp=draft["icp_id"], dump=dump)
                log("verify: " + json.dumps(check))
                if check["mismatched"] or check["wrong_version"] or check["facts_differing"]:
                    raise SystemExit("ours and the floor disagree: see verify above")
                if check["stored"] != args.leads:
                    raise SystemExit(f"{check['stored']} scores stored for {args.leads} leads")
            rounds.append((ours_report, floor_report))
    finally:
        dump.unlink(missing_ok=True)

    ours_times = [o["seconds"] for o, _ in rounds]
    floor_times = [f["seconds"] for _, f in rounds if f]
    o = statistics.median(ours_times)
    fl = statistics.median(floor_times) if floor_times else float("nan")
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
