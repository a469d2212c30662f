"""The devrel review: what people asked about, the technical conversations, requests, and who talked to whom."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from tracker.exports.answers import Asked, export_questions, question_headers
from tracker.exports.base import DATETIME_FORMAT, INTEGER_FORMAT, Column, Export, Sheet
from tracker.models import Lead, LeadAnswer, Scan, Sponsorship
from tracker.models.choices import ConversationType, Rating, StaffRole
from tracker.models.leads import attendee_name
from tracker.models.staff import person_name
from tracker.questions.answers import answer_text

TECHNICAL = (ConversationType.TECHNICAL_DEEP_DIVE, ConversationType.DEMO)
FEATURE_REQUEST = re.compile(
    r"\b(feature|support for|supports?\b.*\?|would (like|love)|wish|request|integrat\w*|roadmap|missing|"
    r"could you add|plugin|api for|provider for|operator for)",
    re.IGNORECASE,
)
CONTENT_REQUEST = re.compile(
    r"\b(docs?|documentation|tutorial|blog|talk|workshop|example|guide|webinar|video|case study|sample|"
    r"reference architecture|how-?to)\b",
    re.IGNORECASE,
)
CHUNK = 5000


def request_kinds(note: str) -> list[str]:
    """Which kinds of request a booth note carries: "feature", "content", both or none (pure)."""
    kinds = []
    if FEATURE_REQUEST.search(note):
        kinds.append("Feature")
    if CONTENT_REQUEST.search(note):
        kinds.append("Content")
    return kinds


def _who(row: dict) -> str:
    """Who talked: the staff member, else the file the row came from, else unknown."""
    first, last = row["scanned_by__user__first_name"], row["scanned_by__user__last_name"]
    return person_name(first, last, row["scanned_by__user__username"]) or row["source"] or "unknown"


def _met_at(row: dict):
    """When they talked: none for a file's row without a time (``Scan.untimed``, for a row of values)."""
    return row["received_at"] if not row["source"] or row["device_scanned_at"] else None


class DevrelReviewExport(Export):
    """Topics with counts, technical conversations with notes, requests, and a per-staff breakdown."""

    filename = "devrel-review"

    def __init__(self, sponsorship: Sponsorship):
        self.sponsorship = sponsorship
        self.tz = sponsorship.event.tz
        self.questions = export_questions([sponsorship.sponsor_id])

    def _scans(self) -> Iterator[dict]:
        rows = (
            Scan.objects.filter(sponsorship=self.sponsorship, lead__isnull=False)
            .order_by("received_at", "pk")
            .values(
                "lead_id",
                "received_at",
                "device_scanned_at",
                "source",
                "rating",
                "conversation_type",
                "interests",
                "notes",
                "scanned_by_id",
                "scanned_by__role",
                "scanned_by__user__first_name",
                "scanned_by__user__last_name",
                "scanned_by__user__username",
                "lead__attendee__display_name",
                "lead__attendee__first_name",
                "lead__attendee__last_name",
                "lead__attendee__title",
                "lead__attendee__company",
                "lead__score__grade",
                "answers",
            )  # fmt: skip
        )
        yield from rows.iterator(chunk_size=CHUNK)

    def sheets(self) -> Iterator[Sheet]:
        talks = dict(ConversationType.choices)
        ratings = dict(Rating.choices)
        roles = dict(StaffRole.choices)
        topics: dict[str, dict] = defaultdict(
            lambda: {"leads": set(), "scans": 0, "hot": 0, "deep": 0, "qualified": set()}
        )
        staff: dict[str, dict] = defaultdict(
            lambda: {
                "role": "",
                "scans": 0,
                "leads": set(),
                "deep": 0,
                "demo": 0,
                "hot": 0,
                "notes": 0,
                "qualified": set(),
            }
        )
        conversations, requests = [], []
        for row in self._scans():
            name = attendee_name(
                row["lead__attendee__display_name"],
                row["lead__attendee__first_name"],
                row["lead__attendee__last_name"],
            )
            who = _who(row)
            qualified = row["lead__score__grade"] in ("A", "B")
            person = staff[who]
            person["role"] = roles.get(row["scanned_by__role"], "")
            person["scans"] += 1
            person["leads"].add(row["lead_id"])
            person["deep"] += row["conversation_type"] == ConversationType.TECHNICAL_DEEP_DIVE
            person["demo"] += row["conversation_type"] == ConversationType.DEMO
            person["hot"] += row["rating"] == Rating.HOT
            person["notes"] += bool(row["notes"].strip())
            if qualified:
                person["qualified"].add(row["lead_id"])
            items = [i.strip() for i in row["interests"] or () if isinstance(i, str) and i.strip()]
            for item in dict.fromkeys(items):
                topic = topics[item]
                topic["leads"].add(row["lead_id"])
                topic["scans"] += 1
                topic["hot"] += row["rating"] == Rating.HOT
                topic["deep"] += row["conversation_type"] == ConversationType.TECHNICAL_DEEP_DIVE
                if qualified:
                    topic["qualified"].add(row["lead_id"])
            given = row["answers"] or {}
            if row["conversation_type"] in TECHNICAL:
                conversations.append((
                    met.astimezone(self.tz) if (met := _met_at(row)) else None, name, row["lead__attendee__title"], row["lead__attendee__company"],
                    talks.get(row["conversation_type"], ""), ", ".join(items), row["notes"], who,
                    ratings.get(row["rating"], ""), row["lead__score__grade"] or "",
                    *(answer_text(given[q.key]) if q.key in given else "" for q in self.questions),
                ))  # fmt: skip
            for kind in request_kinds(row["notes"]):
                requests.append((_met_at(row), kind, name, row["lead__attendee__company"], row["notes"], who))
        count = lambda header: Column(header, 11, INTEGER_FORMAT)  # noqa: E731
        yield Sheet(
            "Topics",
            [
                Column("Topic or interest", 28),
                count("Leads"),
                count("Scans"),
                count("Hot"),
                count("Deep-dives"),
                count("Qualified (A/B)"),
            ],  # fmt: skip
            sorted(
                (
                    (name, len(t["leads"]), t["scans"], t["hot"], t["deep"], len(t["qualified"]))
                    for name, t in topics.items()
                ),
                key=lambda row: (-row[1], row[0]),
            ),
        )
        talk_columns = [
            Column("When", 17, DATETIME_FORMAT),
            Column("Lead", 24),
            Column("Title", 28),
            Column("Company", 24),
            Column("Conversation", 18),
            Column("Interests", 28, wrap=True),
            Column("Notes", 60, wrap=True),
            Column("Staff", 22),
            Column("Rating", 8),
            Column("Grade", 7),
        ]  # fmt: skip
        yield Sheet(
            "Technical conversations",
            [
                *talk_columns,
                *(Column(h, 22, wrap=True) for h in question_headers(talk_columns, self.questions)),
            ],
            conversations,
        )
        if self.questions:
            yield Sheet(
                "Answers",
                [Column("Question", 28), Column("Answer", 28), count("Leads"), count("Qualified (A/B)")],
                answer_counts(self.sponsorship, self.questions),
            )
        yield Sheet(
            "Requests",
            [
                Column("When", 17, DATETIME_FORMAT),
                Column("Kind", 9),
                Column("Lead", 24),
                Column("Company", 24),
                Column("Note", 70, wrap=True),
                Column("Staff", 22),
            ],  # fmt: skip
            requests,
        )
        yield Sheet(
            "By staff",
            [
                Column("Staff", 24),
                Column("Role", 20),
                count("Scans"),
                count("Leads"),
                count("Deep-dives"),
                count("Demos"),
                count("Hot"),
                count("Notes written"),
                count("Qualified (A/B)"),
            ],  # fmt: skip
            sorted(
                (
                    (
                        who,
                        p["role"],
                        p["scans"],
                        len(p["leads"]),
                        p["deep"],
                        p["demo"],
                        p["hot"],
                        p["notes"],
                        len(p["qualified"]),
                    )
                    for who, p in staff.items()
                ),
                key=lambda row: (-row[2], row[0]),
            ),
        )


def answer_counts(sponsorship: Sponsorship, questions: list[Asked]) -> list[tuple]:
    """Per question and answer, in the questions' order: the booth's leads who gave it, and how many of
    them are qualified (A or B): which answers went with good leads."""
    counts: dict[tuple[int, str], list[int]] = {}
    for question_id, value, grade in LeadAnswer.objects.filter(
        lead__sponsorship=sponsorship, question_id__in=[q.id for q in questions]
    ).values_list("question_id", "value", "lead__score__grade"):
        found = counts.setdefault((question_id, value), [0, 0])
        found[0] += 1
        found[1] += grade in ("A", "B")
    order = {q.id: i for i, q in enumerate(questions)}
    headers = {q.id: q.header for q in questions}
    return [
        (headers[question_id], value, leads, qualified)
        for (question_id, value), (leads, qualified) in sorted(
            counts.items(), key=lambda item: (order[item[0][0]], -item[1][0], item[0][1])
        )
    ]


def devrel_leads(sponsorship: Sponsorship) -> list[int]:
    """The leads whose data the devrel review holds (for the export log)."""
    return list(Lead.objects.filter(sponsorship=sponsorship).values_list("pk", flat=True))
