"""An organiser's lead file of N rows (CSV and XLSX) through the dry run and the import, against reading
the same file and COPYing its rows into a table.

OURS is the real code path of ``manage.py import_leads`` and of the web import's task: ``job_run(job,
dry_run=True)``, then ``job_run(job, dry_run=False)`` (tracker/imports), on an ImportJob whose mapping was
guessed from the header as the mapping screen does. The import reads every row into values, tells new,
merged and unchanged people apart, adds the new attendees, makes the leads, stores the scans, recounts
and scores the leads under a published ICP: everything the booth's figures need.

FLOOR, in the same run on the same file: the same reader (``csv`` in the file's encoding and delimiter;
openpyxl in read-only mode for XLSX) reading every row, and COPY of every row's cells as text into a
temporary table of as many text columns, in one transaction.

WRITES, for scale (not the target): the rows any import of the file must write and nothing else, in SQL
from the COPYed CSV (``write_floor``): the new attendees, the leads, the scans and the scores, into the
real tables with their indexes and constraints. ``writes_ratio`` is the slower import against it.

The file: N people, half of them already on the event's attendee list, a tenth of those already leads of
the booth (scanned at the booth), names with accents, US dates with AM/PM in the event's zone, ratings,
notes (some with line breaks and commas), two qualifying questions kept as extra data, and one row in a
thousand without anyone's name, email or badge (rejected). Each format imports into a booth of its own
at an event of its own, in a database made anew each run (earlier runs' rows would slow it down).
Memory: the resident set is sampled as the import goes; ``rss_growth_mb`` is how much it grew from the
first chunk to the last (flat memory keeps it near 0).
Needs PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_imports_bench \\
        .venv/bin/python bench/imports.py --rows 100000

Ends with one line: RESULT imports ours=<s, the slower format's import> floor=<s, its floor>
ratio=<ours/floor> csv_check_s=.. csv_import_s=.. csv_floor_s=.. xlsx_check_s=.. ... writes_s=..
writes_ratio=.. writes_<step>_s=.. (copy, attendees, leads, scans, scores, commit) rows=<N>
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from database import copy_rows, prepare_database, vacuum_analyze
from harness import django_setup, logger, profiled, rss_mb, wait_quiet

log = logger("imports")
PROFILE = False
HEADER = ["Registration ID", "First Name", "Last Name", "Email", "Company", "Job Title", "Country",
          "Scan Time", "Lead Rating", "Notes", "Q: Timeline?", "Q: How many clusters?"]  # fmt: skip
FIRST = ["Zoë", "José", "Ada", "Łukasz", "Søren", "Amélie", "Jürgen", "Noor", "Kenji", "Grace", "Li", "Ana"]
LAST = ["Ångström", "Muñoz", "Lovelace", "Nowak", "Kierkegaard", "Dupré", "Müller", "Haddad", "Sato"]
COMPANIES = ["Crème Cloud", "Niño Labs", "Acme Platform", "Kraków Systems", "Nordic Mesh", "Initech"]
TITLES = ["VP Engineering", "Platform Engineer", "SRE", "CTO", "Head of Infrastructure", "Developer"]
NOTES = ["Wants a demo", "Asked about pricing, SSO", "Line one\nline two", "", "", "Follow up in Q3"]


def person(i: int, rng: random.Random) -> list[str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return [f"KC-{i:07d}", first, f"{last}{i}", f"p{i}@{rng.choice(['corp', 'labs', 'mesh'])}.example",
            rng.choice(COMPANIES), rng.choice(TITLES), rng.choice(["DE", "FR", "United States", "JP"])]  # fmt: skip


def rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    start = datetime(2024, 11, 12, 9, 0)
    for i in range(n):
        cells = person(i, rng)
        if i % 1000 == 999:
            cells[:4] = ["", "", "", ""]  # nobody: rejected with its reason
        when = start + timedelta(minutes=rng.randrange(0, 3 * 24 * 60))
        cells += [when.strftime("%m/%d/%Y %I:%M %p"), rng.choice(["Hot", "Warm", "Cold", ""]), rng.choice(NOTES),
                  rng.choice(["This quarter", "Next year", ""]), str(rng.randrange(1, 400))]  # fmt: skip
        yield cells


def write_files(n: int, folder: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    paths = {"csv": folder / "leads.csv", "xlsx": folder / "leads.xlsx"}
    with open(paths["csv"], "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(n))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(HEADER)
    for cells in rows(n):
        sheet.append(cells)
    workbook.save(paths["xlsx"])
    return paths


def booth_for(fmt: str, n: int):
    """A fresh booth at a fresh event whose attendee list has every other person of the file, a tenth of
    them already leads of the booth; a published ICP to score the leads."""
    from django.utils import timezone

    from tracker.models import Attendee, Event, IcpCriterion, IdealCustomerProfile, Lead, Sponsor, Sponsorship

    tag = f"imports-bench-{fmt}-{uuid.uuid4().hex[:8]}"
    event = Event.objects.create(name=tag, slug=tag, city="Salt Lake City", country="US", region="NA",
                                 start_date=date(2024, 11, 12), end_date=date(2024, 11, 15),
                                 time_zone="America/Denver", currency="USD")  # fmt: skip
    sponsor = Sponsor.objects.create(name=tag, slug=tag, domain=f"{tag}.example")
    sponsorship = Sponsorship.objects.create(sponsor=sponsor, event=event, tier="gold", has_booth=True)
    icp = IdealCustomerProfile.objects.create(sponsor=sponsor, version=1, status="published",
                                              published_at=timezone.now(), grade_a_min=60, grade_b_min=30,
                                              grade_c_min=10)  # fmt: skip
    IcpCriterion.objects.create(icp=icp, part="fit", field="seniority", kind="in_set", values=["vp", "c_level", "head"], weight=40,
                                label="Senior")  # fmt: skip
    rng = random.Random(7)
    listed = [Attendee(event=event, badge_id=cells[0], first_name=cells[1], last_name=cells[2], email=cells[3],
                       company=cells[4], title=cells[5])
              for i in range(n) if i % 2 == 0 and (cells := person(i, rng)) and i % 1000 != 999]  # fmt: skip
    Attendee.objects.bulk_create(listed, batch_size=5000)
    Lead.objects.bulk_create(
        [Lead(sponsorship=sponsorship, attendee=a) for a in listed[::10]], batch_size=5000
    )
    return sponsorship


def settle() -> None:
    """Vacuum and analyze the tables an import writes, after the booth was set up (and the previous
    format imported): the measured import does not meet autovacuum working through their rows, as an
    import in use seldom follows another of 100,000 rows by seconds."""
    vacuum_analyze("tracker_attendee", "tracker_lead", "tracker_scan", "tracker_leadscore")


def floor(path: Path, fmt: str) -> float:
    """Read every row with the same reader and COPY its cells as text into a temporary table."""
    from django.db import connection, transaction
    from openpyxl import load_workbook

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = [f"c{i}" for i in range(len(HEADER))]
        cursor.execute(
            f"CREATE TEMP TABLE import_floor ({', '.join(c + ' text' for c in columns)}) ON COMMIT DROP"
        )
        if fmt == "csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                copy_rows(cursor.connection.cursor(), "import_floor", columns, (tuple(r) for r in reader))
        else:
            workbook = load_workbook(path, read_only=True, data_only=True)
            cells = workbook.worksheets[0].iter_rows(values_only=True, min_row=2)
            copy_rows(cursor.connection.cursor(), "import_floor", columns,
                      (tuple("" if v is None else str(v) for v in row) for row in cells))  # fmt: skip
            workbook.close()
    return time.perf_counter() - started


def write_floor(path: Path, n: int) -> tuple[float, dict[str, float]]:
    """The writes any import of the file must make, and nothing else, into a booth set up as ``ours``'s
    is: the CSV's rows COPYed as text into a temporary table, then in four SQL statements the people not
    on the list added as attendees, a lead for each person the booth lacks, a scan per row and a score
    per lead, with the tables' own indexes and constraints. No value read, checked or matched in Python,
    no counters or answers recomputed, nothing scored. Also returns each step's seconds (the COPY, the
    four statements, and the commit, where the deferred foreign keys are checked)."""
    from django.db import connection, transaction

    from tracker.models import IdealCustomerProfile

    sponsorship = booth_for("writes", n)
    event_id, booth_id = sponsorship.event_id, sponsorship.pk
    icp_id = IdealCustomerProfile.objects.get(sponsor_id=sponsorship.sponsor_id).pk
    columns = [f"c{i}" for i in range(len(HEADER))]
    settle()
    steps: dict[str, float] = {}
    started = mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        steps[name], mark = time.perf_counter() - mark, time.perf_counter()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE write_floor ({', '.join(c + ' text' for c in columns)}) ON COMMIT DROP"
        )
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            copy_rows(cursor.connection.cursor(), "write_floor", columns, (tuple(r) for r in reader))
        step("copy")
        cursor.execute(
            "INSERT INTO tracker_attendee (event_id, badge_id, first_name, last_name, email, phone, title, company,"
            " country, city, created_at, display_name) SELECT %s, c0, c1, c2, c3, '', c5, c4, '', '', now(), ''"
            " FROM write_floor w WHERE c0 <> '' AND NOT EXISTS"
            " (SELECT FROM tracker_attendee a WHERE a.event_id = %s AND a.badge_id = w.c0)",
            [event_id, event_id],
        )
        step("attendees")
        cursor.execute(
            "INSERT INTO tracker_lead (sponsorship_id, attendee_id, scan_count, created_at, consent_how)"
            " SELECT %s, a.id, 1, now(), '' FROM tracker_attendee a WHERE a.event_id = %s AND NOT EXISTS"
            " (SELECT FROM tracker_lead l WHERE l.sponsorship_id = %s AND l.attendee_id = a.id)",
            [booth_id, event_id, booth_id],
        )
        step("leads")
        cursor.execute(
            "INSERT INTO tracker_scan (sponsorship_id, lead_id, client_uuid, device_id, received_at, raw_payload,"
            " payload_format, rating, interests, conversation_type, notes, typed, source, processed_at)"
            " SELECT %s, l.id, gen_random_uuid(), 'import', now(), '', 'manual', '', '[]', '', w.c9, '{}', 'floor',"
            " now() FROM write_floor w JOIN tracker_attendee a ON a.event_id = %s AND a.badge_id = w.c0"
            " JOIN tracker_lead l ON l.sponsorship_id = %s AND l.attendee_id = a.id",
            [booth_id, event_id, booth_id],
        )
        step("scans")
        cursor.execute(
            "INSERT INTO tracker_leadscore (lead_id, icp_id, score, grade, reasons, excluded, existing_customer,"
            " scored_at) SELECT id, %s, 0, 'D', '[]', false, false, now() FROM tracker_lead WHERE sponsorship_id = %s",
            [icp_id, booth_id],
        )
        step("scores")
    step("commit")
    return time.perf_counter() - started, steps


def ours(path: Path, fmt: str, n: int) -> dict:
    from django.core.files import File

    from tracker.imports import service
    from tracker.imports.jobs import job_map, job_run
    from tracker.imports.mapping import suggested
    from tracker.models import ImportJob, Scan

    sponsorship = booth_for(fmt, n)
    job = ImportJob(kind="leads", sponsorship=sponsorship, event=sponsorship.event, file_name=path.name)
    with path.open("rb") as handle:
        job.file.save(path.name, File(handle), save=False)
    with service.local_path(job.file) as stored:
        table = service.open_table(stored)
    mapping, order, _ = suggested(table, "leads", sponsorship.sponsor_id)
    job.encoding = table.encoding
    job.save()
    job_map(job, mapping=mapping, date_order=order, headers=table.headers)
    settle()
    wait_quiet(log, busy_only=True)
    started = time.perf_counter()
    checked = job_run(job, dry_run=True)
    check_s = time.perf_counter() - started
    samples: list[float] = []

    def sampling_progress(done: int) -> None:
        samples.append(rss_mb())

    started = time.perf_counter()
    with profiled(PROFILE, ("cumulative", 45), ("tottime", 30)):
        tally = service.run(job, dry_run=False, progress=sampling_progress)
    import_s = time.perf_counter() - started
    stored_scans = Scan.objects.filter(sponsorship=sponsorship).count()
    log(f"{fmt}: checked {checked.checked['rows']} rows in {check_s:.1f}s, imported in {import_s:.1f}s: "
        f"{tally.new} new, {tally.merged} merged, {tally.rejected} rejected; {stored_scans} scans stored")  # fmt: skip
    return {"check_s": check_s, "import_s": import_s, "rss_growth_mb": samples[-1] - samples[0] if samples else 0.0,
            "peak_rss_mb": max(samples) if samples else 0.0, "new": tally.new, "merged": tally.merged,
            "rejected": tally.rejected}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--profile", action="store_true", help="cProfile each import (stats on stderr)")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    django_setup()
    prepare_database(log, "imports", "COPY, and the sizes it measures", "tracker_imports_bench", fresh=True)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        log(f"writing {args.rows} rows as CSV and XLSX")
        paths = write_files(args.rows, Path(folder))
        for fmt in args.formats.split(","):
            wait_quiet(log, busy_only=True)
            floor_s = floor(paths[fmt], fmt)
            log(f"{fmt}: floor {floor_s:.2f}s")
            results[fmt] = {"floor_s": floor_s, **ours(paths[fmt], fmt, args.rows)}
        wait_quiet(log, busy_only=True)
        writes_s, steps = write_floor(paths["csv"], args.rows)
        log(f"the writes alone: {writes_s:.2f}s (" + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()) + ")")  # fmt: skip
    worst = max(results, key=lambda fmt: results[fmt]["import_s"] / results[fmt]["floor_s"])
    extra = " ".join(
        f"{fmt}_{key}={value:.2f}" for fmt, r in results.items() for key, value in r.items()
        if key.endswith(("_s", "_mb"))
    )  # fmt: skip
    w = results[worst]
    writes = " ".join(f"writes_{name}_s={seconds:.2f}" for name, seconds in steps.items())
    print(f"RESULT imports ours={w['import_s']:.2f} floor={w['floor_s']:.2f} ratio={w['import_s'] / w['floor_s']:.2f} "
          f"worst={worst} check_ratio={w['check_s'] / w['floor_s']:.2f} {extra} writes_s={writes_s:.2f} "
          f"writes_ratio={w['import_s'] / writes_s:.2f} {writes} rows={args.rows} db=postgresql",
          flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
