"""The sales review: one row per lead, best first, with everything a rep needs to pick up the phone."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache, partial

from django.db.models import F, QuerySet

from tracker import times
from tracker.drivercursors import among, native_rows
from tracker.exports.answers import Asked, answer_cells, export_questions, with_answers
from tracker.exports.base import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    Column,
    Export,
    Formatted,
    Sheet,
    cell_values,
    currency_format,
)
from tracker.exports.reader import read_ahead
from tracker.models import FollowUp, Lead, Scan
from tracker.models.choices import ConversationType, FollowUpStatus, Rating
from tracker.models.leads import OLDEST_ASKED_FIRST, attendee_name, latest_rating
from tracker.models.staff import person_name
from tracker.questions.service import leads_answers_shown

CHUNK = 2000
TOP_REASONS = 3

SALES_COLUMNS = (
    Column("Grade", 7),
    Column("Score", 7),
    Column("Top reasons", 40, wrap=True),
    Column("Name", 24),
    Column("Title", 28),
    Column("Company", 24),
    Column("Email", 28),
    Column("Phone", 16),
    Column("Country", 8),
    Column("Rating", 8),
    Column("Interests", 28, wrap=True),
    Column("Conversation types", 22),
    Column("Notes", 50, wrap=True),
    Column("Scanned by", 22),
    Column("First scan (event time)", 17, DATETIME_FORMAT),
    Column("Last scan (event time)", 17, DATETIME_FORMAT),
    Column("Follow-up owner", 22),
    Column("Status", 14),
    Column("Due", 11, DATE_FORMAT),
    Column("Opportunity", 14, AMOUNT_FORMAT),
    Column("Currency", 9),
    Column("Event", 24),
    Column("Lead id", 9),
)

_SALES_VALUES = cell_values(SALES_COLUMNS)
ANSWERS_AFTER = "Notes"  # the sponsor's questions follow the booth's notes
_ANSWERS_AT = next(i for i, c in enumerate(SALES_COLUMNS) if c.header == ANSWERS_AFTER) + 1


@lru_cache(maxsize=32)
def _answer_values(questions: tuple[Asked, ...]):
    return cell_values(with_answers(SALES_COLUMNS, questions, after=ANSWERS_AFTER))


_RATINGS = dict(Rating.choices)
_CONVERSATIONS = dict(ConversationType.choices)
_STATUSES = dict(FollowUpStatus.choices)


def sales_order(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Grade then score, best first; unscored leads last."""
    return leads.order_by(
        F("score__grade").asc(nulls_last=True), F("score__score").desc(nulls_last=True), "pk"
    )


class SalesReviewExport(Export):
    """The leads of a queryset (already scoped to the user) as the sales review sheet.

    Leads read in chunks of ids with three queries per chunk (leads with attendee and score, their
    follow-ups with owners, their scans); contact fields stay blank for leads who did not agree to be
    contacted.
    """

    filename = "sales-review"

    def __init__(self, leads: QuerySet[Lead]):
        self.leads = leads
        # The sponsors' own questions, a column each after the notes.
        sponsors = leads.order_by().values_list("sponsorship__sponsor_id", flat=True).distinct()
        self.questions = tuple(export_questions(sponsors))

    def sheets(self) -> Iterator[Sheet]:
        # 8 bytes a lead, streamed from the database: memory stays flat for a booth of any size.
        ids = array("q", sales_order(self.leads).values_list("pk", flat=True).iterator(chunk_size=10_000))
        columns = with_answers(SALES_COLUMNS, self.questions, after=ANSWERS_AFTER)
        yield Sheet("Sales review", columns, self._rows(ids), row_count=len(ids), cell_values=True)

    def _rows(self, ids: Sequence[int]) -> Iterator[tuple]:
        chunks = (ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK))
        read = partial(SalesReviewExport._chunk_rows, questions=self.questions)
        for rows in read_ahead(chunks, read):
            yield from rows

    @staticmethod
    def _chunk_rows(chunk: Sequence[int], questions: tuple[Asked, ...] = ()) -> list[list]:
        """The sheet rows of a chunk of lead ids, in the chunk's order, as their cells hold them
        (``cell_values``: the reader process does that work too)."""
        by_pk, follow_ups, scans = SalesReviewExport._read(chunk)
        row = SalesReviewExport.row
        rows = [row(by_pk[pk], follow_ups.get(pk, _NO_FOLLOW_UP), scans[pk]) for pk in chunk]
        if not questions:
            return [_SALES_VALUES(r) for r in rows]
        answers = leads_answers_shown(list(chunk))
        values = _answer_values(questions)
        return [
            values(answer_cells(r, answers.get(pk, {}), questions, at=_ANSWERS_AT))
            for pk, r in zip(chunk, rows, strict=True)
        ]

    @staticmethod
    def _read(chunk: Sequence[int]) -> tuple[dict, dict, dict]:
        """The chunk's leads, follow-ups and scans (oldest first), each by lead id: three queries."""
        # Plain tuples, not model instances: building eight objects per lead cost more than the rest; and
        # as psycopg makes them (native_rows), without Django's per-value conversions (a quarter less).
        leads = native_rows(
            Lead.objects.filter(among(Lead, "pk", chunk)).order_by().values_list(*LEAD_FIELDS)
        )
        by_pk = {lead[0]: lead for lead in leads}
        # Apart: joined to the leads, PostgreSQL hashed every follow-up of the database for each chunk.
        follow_ups = {
            row[0]: row
            for row in native_rows(
                FollowUp.objects.filter(among(FollowUp, "lead_id", chunk))
                .order_by()
                .values_list(*FOLLOW_UP_FIELDS)
            )
        }
        scans = defaultdict(list)
        for scan in native_rows(
            Scan.objects.filter(among(Scan, "lead_id", chunk))
            .order_by(*OLDEST_ASKED_FIRST)
            .values_list(*SCAN_FIELDS)
        ):
            scans[scan[0]].append(scan)
        return by_pk, follow_ups, scans

    @staticmethod
    def row(lead: tuple, follow_up: tuple, scans: list[tuple]) -> tuple:
        """One sheet row from a lead's LEAD_FIELDS, its FOLLOW_UP_FIELDS (all None without one) and its
        scans' SCAN_FIELDS, oldest scan first."""
        (pk, consent, first_scan_at, last_scan_at, display_name, first_name, last_name, title, company, email,
         phone, country, grade, score, reasons, event_name, time_zone) = lead  # fmt: skip
        _, status, due_on, amount, currency, owner_first, owner_last, owner_username = follow_up
        reasons = sorted(reasons or [], key=lambda r: -abs(r.get("points", 0)))
        who = [_who(scan) for scan in scans]
        rating = latest_rating(s[1] for s in scans)
        interests = list(dict.fromkeys(i for s in scans for i in (s[2] or []) if isinstance(i, str)))
        talks = list(dict.fromkeys(_CONVERSATIONS.get(s[3], s[3]) for s in scans if s[3]))
        notes = [f"{name}: {s[4].strip()}" for name, s in zip(who, scans, strict=True) if s[4].strip()]
        contact = consent is True
        owner = person_name(owner_first, owner_last, owner_username)
        tz = times.zone(time_zone)
        return (
            grade or "",
            score,
            "\n".join(f"{r.get('points', 0):+d} {r.get('reason', '')}" for r in reasons[:TOP_REASONS]),
            attendee_name(display_name, first_name, last_name),
            title,
            company,
            email if contact else "",
            phone if contact else "",
            country,
            _RATINGS.get(rating, ""),
            ", ".join(interests),
            ", ".join(talks),
            "\n".join(notes),
            ", ".join(dict.fromkeys(who)),
            first_scan_at.astimezone(tz) if first_scan_at else None,
            last_scan_at.astimezone(tz) if last_scan_at else None,
            owner,
            _STATUSES.get(status, ""),
            due_on,
            Formatted(amount, currency_format(currency)) if amount is not None else None,
            currency or "",
            event_name,
            pk,
        )


# What row() reads of a lead (the score's fields None where there is none), of its follow-up (the
# owner's None where there is none) and of its scans.
LEAD_FIELDS = (
    "pk", "consent", "first_scan_at", "last_scan_at", "attendee__display_name", "attendee__first_name",
    "attendee__last_name",
    "attendee__title", "attendee__company", "attendee__email", "attendee__phone", "attendee__country",
    "score__grade", "score__score", "score__reasons", "sponsorship__event__name",
    "sponsorship__event__time_zone",
)  # fmt: skip
FOLLOW_UP_FIELDS = (
    "lead_id", "status", "due_on", "opportunity_amount", "opportunity_currency", "owner__user__first_name",
    "owner__user__last_name", "owner__user__username",
)  # fmt: skip
_NO_FOLLOW_UP = (None,) * len(FOLLOW_UP_FIELDS)
SCAN_FIELDS = (
    "lead_id", "rating", "interests", "conversation_type", "notes", "scanned_by__user__first_name",
    "scanned_by__user__last_name", "scanned_by__user__username", "source",
)  # fmt: skip


def _who(scan: tuple) -> str:
    """Who wrote a scan's note: the staff member, else the file it came from (its source), else unknown."""
    return person_name(scan[5], scan[6], scan[7]) or scan[8] or "unknown"
