"""The sponsor's own questions in the workbooks: one column per question, after the booth's notes.

Answers are qualification, like the notes next to them, so they are in every row whatever the consent;
they are text the person or staff gave, written as text (never a formula) like every other cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from tracker.exports.base import Column
from tracker.models import LeadAnswer, Question, Sponsor
from tracker.models.questions import ASKED_FIRST


@dataclass(frozen=True)
class Asked:
    """A question as a workbook column: its id, its key in a scan's answers, and its header."""

    id: int
    header: str

    @property
    def key(self) -> str:
        return str(self.id)


def export_questions(sponsor_ids: Iterable[int]) -> list[Asked]:
    """The questions of these sponsors that a workbook shows: those asked now, and removed ones that
    were answered. A header names the sponsor too where two sponsors ask the same question."""
    sponsor_ids = list(sponsor_ids)
    if not sponsor_ids:
        return []
    questions = list(
        Question.objects.filter(sponsor_id__in=sponsor_ids)
        .filter(Q(archived_at__isnull=True) | Exists(LeadAnswer.objects.filter(question=OuterRef("pk"))))
        .order_by("sponsor_id", ASKED_FIRST, "position", "pk")
        .values_list("pk", "label", "sponsor_id")
    )
    labels = [label for _, label, _ in questions]
    names = (
        dict(Sponsor.objects.filter(pk__in=sponsor_ids).values_list("pk", "name"))
        if len(sponsor_ids) > 1
        else {}
    )
    return [
        Asked(pk, label if labels.count(label) == 1 or not names else f"{label} ({names[sponsor_id]})")
        for pk, label, sponsor_id in questions
    ]


def question_headers(columns: Sequence[Column], questions: Sequence[Asked]) -> list[str]:
    """Each question's column header, never one the file already has (a question labelled "Email" beside
    the Email column, which a CRM import would map twice): "Email (question)", then numbered."""
    taken = {column.header.casefold() for column in columns}
    headers = []
    for question in questions:
        header = question.header
        if header.casefold() in taken:
            header = f"{question.header} (question)"
            number = 1
            while header.casefold() in taken:
                number += 1
                header = f"{question.header} (question {number})"
        taken.add(header.casefold())
        headers.append(header)
    return headers


def with_answers(columns: Sequence[Column], questions: Sequence[Asked], *, after: str) -> tuple[Column, ...]:
    """``columns`` with a column per question after the one headed ``after``."""
    at = next(i for i, column in enumerate(columns) if column.header == after) + 1
    added = (Column(header, 22, wrap=True) for header in question_headers(columns, questions))
    return (*columns[:at], *added, *columns[at:])


def answer_cells(row: Sequence, texts: dict[int, str], questions: Sequence[Asked], *, at: int) -> tuple:
    """``row`` with each question's answer text (or "") inserted at position ``at``."""
    return (*row[:at], *(texts.get(q.id, "") for q in questions), *row[at:])
