"""Running an import: the dry run and the import itself share one pass over the file, chunk by chunk.

Lead files become scans of the sponsorship, marked with their source and keeping unmapped columns as
extra data, matched to people and leads by the booth's own rules (``tracker.scans.matching``): a person
scanned at the booth and in the file is one lead (badge id, else email, else name and company among the
booth's leads), with both sources' notes and the earliest first contact, scored like any other and
counted in the figures. Each row's scan id is derived from the sponsorship and the row's mapped values,
so importing the same file again stores nothing new.

Attendee lists add the event's people (by badge id, else email), fill in what a known attendee lacks
(never overwriting), and send the badges that matched nobody before back to matching.

Each row's outcome: new (a person the booth did not have), merged (a person it had, or one met earlier
in the file), unknown (a bare badge id nobody has yet), unchanged (already imported) or rejected (with
its line and reason).
"""

from __future__ import annotations

import gc
import io
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tracker.analytics.freshness import figures_changed
from tracker.badges import ParsedBadge
from tracker.drivercursors import among_texts, copy_insert_values
from tracker.exports.safety import clean_text
from tracker.imports.columns import (
    ATTENDEES,
    LEADS,
    REASON,
    fold,
    header_score,
)
from tracker.imports.mapping import question_specs
from tracker.imports.reading import Table, read_ahead, read_table
from tracker.imports.values import Record, Rejected, labels, record_of, text
from tracker.models import ImportJob, Scan, StaffMember
from tracker.models.choices import PayloadFormat
from tracker.questions.answers import QuestionSpec
from tracker.scans.matching import (
    ATTENDEE_FIELDS,
    attendees_for,
    badge_of,
    blanks_filled,
    booth_leads_of,
    identity,
    known_among,
    lead_ids_for,
    leads_recount,
    people_named,
    says_who,
    typed_badge,
)
from tracker.scoring.service import current_icp, leads_score

CHUNK = 5000  # rows read, matched and written together (a few dozen statements a chunk)
KEPT_IN_REPORT = 500  # rejected rows and warnings listed on the report (all are in the rejected file)
NAMESPACE = uuid.UUID("6f1c9a52-3c55-4a8e-9a56-5b0b8f2f3c11")
# A row's person, as a typed badge carries it (the attendee's fields but the badge's display name).
PERSON = ("badge_id", *(name for name in ATTENDEE_FIELDS if name != "display_name"))


class RejectedRows:
    """The rejected rows in their file's columns plus the reason, as a workbook whose every cell is text
    (a row's "=..." stays the text it was, and comes back as written when the fixed file is imported)."""

    def __init__(self, headers: list[str]):
        self.headers = headers
        self.workbook = None

    def _cells(self, values: list) -> list:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, clean_text(text(value)))
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        return cells

    def add(self, row: Rejected) -> None:
        if self.workbook is None:  # made with the first rejected row (an unsaved one complains when dropped)
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet("Rejected rows")
            self.sheet.append(self._cells([*self.headers, REASON]))
        self.sheet.append(self._cells([*row.cells, row.reason]))

    def content(self) -> ContentFile:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return ContentFile(buffer.getvalue())


@dataclass
class Tally:
    new: int = 0
    merged: int = 0
    unknown: int = 0  # lead files: bare badge ids nobody has (yet)
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"new": self.new, "merged": self.merged, "unknown": self.unknown, "unchanged": self.unchanged,
                "rejected": self.rejected,
                "rows": self.rows, "rejects": self.rejects[:KEPT_IN_REPORT],
                "warnings": self.warnings[:KEPT_IN_REPORT]}  # fmt: skip


@contextmanager
def local_path(stored) -> Iterator[Path]:
    """A path on this machine to a stored file (the storage's own, or a temporary copy)."""
    try:
        yield Path(stored.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(stored.name).suffix) as copy:
        with stored.open("rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def rejected_name(job: ImportJob) -> str:
    return f"rejected-{Path(job.file_name).stem}.xlsx"


def open_table(path: Path, encoding: str = "") -> Table:
    return read_table(path, header_score, encoding=encoding or None)


def records(table: Table, mapping: list[str], kind: str, order: str, zone: ZoneInfo, window=None,
            questions: dict[str, QuestionSpec] | None = None) -> Iterator:  # fmt: skip
    names = labels(table.headers)
    for line, cells in table.rows():
        yield record_of(line, cells, names, mapping, kind, order, zone, window, questions)


def scan_window(job: ImportJob) -> tuple[datetime, datetime]:
    """The times a lead file's scans may have: a year either side of the event (a typo's year 9999, or a
    weekday read as "next Monday", is rejected instead of stored)."""
    event, zone = job.event, job.event.tz
    start = datetime.combine(event.start_date - timedelta(days=366), time(), tzinfo=zone)
    return start, datetime.combine(event.end_date + timedelta(days=367), time(), tzinfo=zone)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def fewer_collections(threshold: int = 200_000) -> Iterator[None]:
    """Python's cycle collector run less often for the block (its first threshold raised; the others and
    the collector itself as they were), restored afterwards.

    A chunk of an import keeps thousands of small containers alive (cells, records, badges, rows), so at
    the default threshold (700 new containers) a collection ran every few rows, each walking the chunk's
    objects again, and an XLSX's shared strings: 15 % of a 100,000-row XLSX import, and 10 % of a
    CSV one (bench/imports.py). An import makes little cyclic garbage; what it makes is still collected.
    """
    before = gc.get_threshold()
    if before[0] == 0:  # the collector switched off: left so
        yield
        return
    raised = max(threshold, before[0])
    gc.set_threshold(raised, *before[1:])
    try:
        yield
    finally:
        if gc.get_threshold()[0] == raised:  # unless another block changed it since
            gc.set_threshold(*before)


def run(job: ImportJob, *, dry_run: bool, progress: Callable[[int], None] = lambda done: None) -> Tally:
    """Read ``job``'s file by its mapping and check (``dry_run``) or import every row; the rejected rows
    are written to ``job``'s rejected file either way."""
    zone = job.event.tz
    tally = Tally()
    with local_path(job.file) as path, fewer_collections():
        table = open_table(path, job.encoding)
        rejected = RejectedRows(table.headers)
        apply = _leads_chunk if job.kind == LEADS else _attendees_chunk
        state = _State(job)
        questions = question_specs(job.sponsorship_id) if job.kind == LEADS else {}
        rows = records(table, job.mapping, job.kind, job.date_order, zone, scan_window(job), questions)
        read = (_read(job, chunk) for chunk in _chunks(rows, CHUNK))
        del rows  # held by ``read`` alone: closing it (a pass left early) closes the file
        with read_ahead(read) as chunks:  # the next chunk read while this one is written
            for chunk, good in chunks:
                for item in chunk:
                    tally.rows += 1
                    if isinstance(item, Rejected):
                        tally.rejected += 1
                        tally.rejects.append((item.line, item.reason))
                        rejected.add(item)
                    else:
                        tally.warnings.extend((item.line, warning) for warning in item.warnings)
                apply(job, state, good, tally, dry_run)
                progress(tally.rows)
        if not dry_run and job.kind == ATTENDEES:
            _rematch_unknown_badges(job, state.badge_ids)
    if job.rejected_file:  # the dry run's, replaced by this pass's
        job.rejected_file.delete(save=False)
    if tally.rejected:
        job.rejected_file.save(rejected_name(job), rejected.content(), save=False)
    return tally


def _read(job: ImportJob, chunk: list) -> tuple[list, list[tuple]]:
    """A chunk as read, and each of its rows read into values with what it says (pure, no database: done
    ahead, while the previous chunk is written): (record, its person as a badge, its scan's id, for a
    lead file)."""
    leads = job.kind == LEADS
    good = [item for item in chunk if not isinstance(item, Rejected)]
    return chunk, [(record, _badge(record), _scan_uuid(job, record) if leads else None) for record in good]


class _State:
    """What one pass remembers across chunks: who was met earlier in the file, the sponsor's staff."""

    def __init__(self, job: ImportJob):
        self.seen: set[tuple] = set()
        self.seen_emails: set[str] = set()
        self.badge_ids: set[str] = set()
        self.staff: dict[str, int] = {}
        if job.sponsorship_id:
            members = StaffMember.objects.filter(sponsor_id=job.sponsorship.sponsor_id).select_related("user")
            for member in members:
                for key in (member.user.email, member.user.get_full_name(), member.user.username):
                    if key:
                        self.staff.setdefault(fold(key), member.pk)


def _badge(record: Record) -> ParsedBadge:
    return typed_badge({name: record.fields[name] for name in PERSON if record.fields.get(name)})


def _scan_uuid(job: ImportJob, record: Record) -> uuid.UUID:
    """The same row of the same sponsorship gets the same id, whichever file or line it comes on: its
    mapped values, not the columns kept as extra data (a re-export with one more column is the same
    rows). Importing it again stores nothing new."""
    values = "\x1f".join(f"{name}={text(value)}" for name, value in sorted(record.fields.items()))
    if record.answers:  # a row's answers are part of it (ids of rows without any stay as they were)
        values += "\x1f" + json.dumps(record.answers, sort_keys=True)
    return uuid.uuid5(NAMESPACE, f"{job.sponsorship_id}\x1f{values}")


def _leads_chunk(job: ImportJob, state: _State, good: list[tuple], tally: Tally, dry_run: bool) -> None:
    """Classify a chunk's rows (``_read``'s); unless a dry run, store them as scans matched to their leads
    (the people added, the leads made, counted and scored as booth scans are: ``tracker.scans.matching``)."""
    ids = {scan_id: (record, badge) for record, badge, scan_id in good}
    tally.unchanged += len(good) - len(ids)  # the same row twice in the file
    with transaction.atomic():  # the people and leads read to classify the rows are the ones written to
        booth_scans = Scan.objects.filter(sponsorship_id=job.sponsorship_id)
        stored = set(
            booth_scans.filter(among_texts(Scan, "client_uuid", map(str, ids), "uuid")).values_list(
                "client_uuid", flat=True
            )
        )
        tally.unchanged += len(stored)
        fresh = [
            (scan_id, record, badge) for scan_id, (record, badge) in ids.items() if scan_id not in stored
        ]
        badges = [badge for _, _, badge in fresh]
        people = people_named(job.event_id, badges, job.sponsorship_id)
        with_lead = booth_leads_of(job.sponsorship_id, {a.pk for a in people.values()})
        for badge in badges:
            who, known = identity(badge), known_among(people, badge)
            email = badge.email.lower()
            # Two badge ids of one email are one person: the second is found by the email the first brought.
            again = who in state.seen or (known is None and email and email in state.seen_emails)
            if email:
                state.seen_emails.add(email)
            if again or (known is not None and known.pk in with_lead):
                tally.merged += 1
            elif known is None and not says_who(badge):
                tally.unknown += 1  # a bare badge id nobody has: kept, resolved when the attendee list comes
            else:
                tally.new += 1
            state.seen.add(who)
        if dry_run or not fresh:
            return
        now = timezone.now()
        attendees = attendees_for(job.event_id, badges, job.sponsorship_id, people)
        leads = lead_ids_for(job.sponsorship_id, {a.pk for a in attendees if a is not None}, with_lead)
        copy_insert_values(
            Scan,
            SCAN_FIELDS,
            [
                _scan(job, state, scan_id, record, leads[attendee.pk] if attendee else None, now)
                for (scan_id, record, _), attendee in zip(fresh, attendees, strict=True)
            ],
        )
        lead_ids = set(leads.values())
        leads_recount(lead_ids, answers=any(record.answers for _, record, _ in fresh))
    figures_changed([job.sponsorship_id])
    if icp := current_icp(job.sponsorship.sponsor_id):
        leads_score(lead_ids, icp)  # once committed, as booth scans are


# A lead file's row as a scan: the columns written (the others take their defaults).
SCAN_FIELDS = [
    "sponsorship_id", "lead_id", "client_uuid", "scanned_by_id", "device_id", "device_scanned_at", "received_at",
    "processed_at", "payload_format", "rating", "interests", "conversation_type", "notes", "consent", "typed",
    "source", "extra", "answers",
]  # fmt: skip


def _scan(
    job: ImportJob, state: _State, scan_id: uuid.UUID, record: Record, lead_id: int | None, now
) -> tuple:
    """The values of ``SCAN_FIELDS`` for a row (no model instance: a chunk makes thousands)."""
    values = record.fields
    scanned_at = values.get("scanned_at")
    return (
        job.sponsorship_id,
        lead_id,
        scan_id,
        state.staff.get(fold(values.get("scanned_by") or "")),
        "import",
        scanned_at,
        scanned_at or now,  # when the server got it; a lead's first and last contact leave such rows out
        now,
        PayloadFormat.MANUAL,
        values.get("rating") or "",
        values.get("interests") or [],
        values.get("conversation_type") or "",
        values.get("notes") or "",
        values.get("consent"),
        {name: values[name] for name in PERSON if values.get(name)},
        job.source_label,
        record.extra or None,
        record.answers or None,
    )


def _attendees_chunk(job: ImportJob, state: _State, good: list[tuple], tally: Tally, dry_run: bool) -> None:
    """Classify a chunk of the list (``_read``'s); unless a dry run, add the new people and fill known
    ones' blanks."""
    badges = [badge for _, badge, _ in good]
    people = people_named(job.event_id, badges)
    for badge in badges:
        if badge.badge_id:
            state.badge_ids.add(badge.badge_id)
        known, who = known_among(people, badge), identity(badge)
        if known is None:
            tally.new += who not in state.seen
            tally.merged += who in state.seen
        elif blanks_filled(known, badge):
            tally.merged += 1
        else:
            tally.unchanged += 1
        state.seen.add(who)
    if not dry_run:
        attendees_for(job.event_id, badges)


def _rematch_unknown_badges(job: ImportJob, badge_ids: set[str]) -> None:
    """Badges scanned before the list came, that matched nobody then, go back to matching."""
    from tracker.scans.processing import scans_process_soon

    unknown = Scan.objects.unknown().filter(sponsorship__event_id=job.event_id)
    again = {
        scan.pk: scan.sponsorship_id
        for scan in unknown.only("pk", "sponsorship_id", "raw_payload", "typed")
        if badge_of(scan.raw_payload, scan.typed).badge_id in badge_ids
    }
    if again:
        booths = sorted(set(again.values()))
        Scan.objects.filter(pk__in=list(again)).update(processed_at=None)
        transaction.on_commit(lambda: scans_process_soon(booths))
