"""The sponsor's questions in the lead lists: a filter and an optional column per question.

A list shows them when its leads are one sponsor's (a booth's list, or the lists of someone working for
one sponsor): questions are a sponsor's own, and columns of several sponsors' questions would mean
nothing side by side.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Exists, OuterRef, QuerySet

from tracker.models import LeadAnswer, Question, Sponsorship
from tracker.models.questions import ASKED_FIRST, QuestionKind
from tracker.questions.service import leads_answers_shown
from tracker.tenancy import access_for

COLUMN_PREFIX = "answer_"


def list_questions(user, sponsorship: Sponsorship | None) -> list[Question]:
    """The questions whose answers a lead list offers as filters and columns, removed ones included."""
    if sponsorship is not None:
        sponsor_id, booths = sponsorship.sponsor_id, [sponsorship.pk]
    else:
        access = access_for(user)
        sponsors = access.managed_sponsor_ids | access.member_sponsor_ids
        if len(sponsors) != 1:
            return []
        sponsor_id, booths = next(iter(sponsors)), None
    questions = Question.objects.filter(sponsor_id=sponsor_id)
    if booths is not None:
        questions = questions.filter(sponsorship__isnull=True) | questions.filter(sponsorship_id__in=booths)
    return list(questions.order_by(ASKED_FIRST, "position", "pk"))


def _answered(question_id: int, **condition) -> Exists:
    return Exists(LeadAnswer.objects.filter(lead=OuterRef("pk"), question_id=question_id, **condition))


def answer_filters(questions: list[Question]) -> dict[str, django_filters.Filter]:
    """A filter per question: the choices given (choice and yes/no questions), a range (numbers), or
    words in the answer (text). Each is an EXISTS on the lead's answers."""
    given: dict[int, set[str]] = {}
    choice_ids = [q.pk for q in questions if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)]
    if choice_ids:  # answers given under choices renamed or removed since stay findable
        for question_id, value in (
            LeadAnswer.objects.filter(question_id__in=choice_ids)
            .values_list("question_id", "value")
            .distinct()[:2000]
        ):
            given.setdefault(question_id, set()).add(value)
    filters: dict[str, django_filters.Filter] = {}
    for question in questions:
        name = f"{COLUMN_PREFIX}{question.pk}"
        label = question.label
        if question.kind == QuestionKind.NUMBER:
            filters[name] = django_filters.RangeFilter(
                label=f"{label} (between)", method=_number_method(question.pk)
            )
        elif question.kind == QuestionKind.TEXT:
            filters[name] = django_filters.CharFilter(label=label, method=_text_method(question.pk))
        else:
            if question.kind == QuestionKind.YES_NO:
                choices = [("yes", "Yes"), ("no", "No")]
            else:
                offered = list(question.choices or ())
                choices = [(c, c) for c in offered + sorted(given.get(question.pk, set()) - set(offered))]
            filters[name] = django_filters.ChoiceFilter(
                label=label, choices=choices, empty_label="Any", method=_value_method(question.pk)
            )
    return filters


def _value_method(question_id: int):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_answered(question_id, value=value)) if value else queryset

    return method


def _text_method(question_id: int):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(_answered(question_id, value__icontains=word))
        return queryset

    return method


def _number_method(question_id: int):
    def method(queryset: QuerySet, name: str, value) -> QuerySet:
        condition = {}
        if value is not None and value.start is not None:
            condition["number__gte"] = value.start
        if value is not None and value.stop is not None:
            condition["number__lte"] = value.stop
        return queryset.filter(_answered(question_id, **condition)) if condition else queryset

    return method


class AnswerColumn(tables.Column):
    """A lead's answer to one question; the page's answers are read in one query, when first needed."""

    def __init__(self, question: Question, **kwargs):
        label = question.label + (" (removed)" if question.archived_at else "")
        super().__init__(verbose_name=label, accessor="pk", orderable=False, empty_values=(), **kwargs)
        self.question_id = question.pk

    def _answers(self, table) -> dict[int, dict[int, str]]:
        found = getattr(table, "_page_answers", None)
        if found is None:
            ids = [row.record.pk for row in table.paginated_rows] if hasattr(table, "page") else []
            found = table._page_answers = leads_answers_shown(ids)
        return found

    def render(self, record, table) -> str:
        return self._answers(table).get(record.pk, {}).get(self.question_id, "—")

    def value(self, record, table) -> str:
        return self._answers(table).get(record.pk, {}).get(self.question_id, "")


def answer_columns(questions: list[Question]) -> list[tuple[str, AnswerColumn]]:
    """The optional columns of the questions (shown when chosen in the column chooser)."""
    return [(f"{COLUMN_PREFIX}{q.pk}", AnswerColumn(q)) for q in questions]
