"""Questions as the scan API and screen read them, and leads' answers kept up to date from their scans."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from tracker.drivercursors import among, copy_insert
from tracker.models import LeadAnswer, Question, Scan, Sponsor, Sponsorship
from tracker.models.leads import LATEST_ASKED_FIRST
from tracker.models.questions import QuestionKind
from tracker.questions.answers import QuestionSpec, answer_rows, answer_text, lead_answers


def spec_of(question: Question) -> QuestionSpec:
    return QuestionSpec(
        id=question.pk,
        label=question.label,
        kind=question.kind,
        choices=tuple(str(c) for c in question.choices or ()),
        required=question.required,
        conversation_types=tuple(question.conversation_types or ()),
        archived=question.archived_at is not None,
        required_since=question.required_since,
    )


def booth_questions(sponsorship: Sponsorship) -> list[QuestionSpec]:
    """The questions asked at one booth, in order (removed ones left out): the scan screen's."""
    return [spec_of(q) for q in Question.objects.active().for_booth(sponsorship)]


# A sponsor's questions as last read, by (sponsor id, questions stamp): the scan API checks every scan's
# answers, and a booth rush should not read the same questions for each request. A change of questions
# changes the stamp, so the next request reads them afresh (a device token's cached booth brings its
# stamp with it, and so follows within the token cache's 10 s).
_read: dict[tuple[int, str], tuple[tuple[int | None, QuestionSpec], ...]] = {}


def _sponsor_specs(sponsor_id: int, stamp: str) -> tuple[tuple[int | None, QuestionSpec], ...]:
    if not stamp:  # never had a question
        return ()
    key = (sponsor_id, stamp)
    found = _read.get(key)
    if found is None:
        if len(_read) >= 256:
            _read.clear()
        questions = Question.objects.filter(sponsor_id=sponsor_id).order_by("position", "pk")
        found = _read[key] = tuple((q.sponsorship_id, spec_of(q)) for q in questions)
    return found


def booths_questions(booths: Iterable[Sponsorship]) -> dict[int, dict[str, QuestionSpec]]:
    """The questions each booth (by sponsorship id) may hold answers to, by key, removed ones included
    (a phone may still send them); booths come with their sponsor."""
    return {
        booth.pk: {
            spec.key: spec
            for sponsorship_id, spec in _sponsor_specs(booth.sponsor_id, booth.sponsor.questions_stamp)
            if sponsorship_id in (None, booth.pk)
        }
        for booth in booths
    }


def questions_changed(sponsor_id: int) -> None:
    """Mark a sponsor's questions as changed: every process reads them afresh."""
    Sponsor.objects.filter(pk=sponsor_id).update(questions_stamp=uuid.uuid4().hex)


def lead_answers_refresh(lead_ids: list[int]) -> None:
    """Recompute the answers of these leads from their counted scans: each question's from the latest scan
    that answered it, by when the phone took it (a phone that syncs late brings an older answer; a file's
    row without a time is older than any, however late it was imported). Their
    rows replaced, in the caller's transaction (``leads_recount``); an answer names a question of the
    lead's own sponsor, or is left out."""
    if not lead_ids:
        return
    LeadAnswer.objects.filter(among(LeadAnswer, "lead_id", lead_ids)).delete()
    per_lead: dict[int, list] = {}
    sponsor_of: dict[int, int] = {}
    for lead_id, sponsor_id, answers in (
        Scan.objects.counted()
        .filter(among(Scan, "lead_id", lead_ids), answers__isnull=False)
        .order_by(*LATEST_ASKED_FIRST)
        .values_list("lead_id", "sponsorship__sponsor_id", "answers")
    ):
        per_lead.setdefault(lead_id, []).append(answers)
        sponsor_of[lead_id] = sponsor_id
    if not per_lead:
        return
    keys = {int(k) for scans in per_lead.values() for answers in scans for k in answers or {} if k.isdigit()}
    owner = dict(Question.objects.filter(pk__in=keys).values_list("pk", "sponsor_id"))
    rows = []
    for lead_id, scans in per_lead.items():
        for key, answer in lead_answers(scans).items():
            if not key.isdigit() or owner.get(int(key)) != sponsor_of[lead_id]:
                continue
            for value, number in dict(answer_rows(answer)).items():  # a value once per answer
                rows.append(LeadAnswer(lead_id=lead_id, question_id=int(key), value=value, number=number))
    copy_insert(rows)


def question_saved(sender, instance: Question, **kwargs) -> None:
    """Signal receiver: any change of a question, from the app or the admin, changes the stamp."""
    questions_changed(instance.sponsor_id)


REMOVED = ("Removed question", True)  # the label of a question deleted since it was answered


def question_labels(sponsor_id: int) -> dict[str, tuple[str, bool]]:
    """Every question of a sponsor by key, removed ones included: (label, removed)."""
    return {
        str(pk): (label, archived_at is not None)
        for pk, label, archived_at in Question.objects.filter(sponsor_id=sponsor_id).values_list(
            "pk", "label", "archived_at"
        )
    }


def _leads_answer_values(lead_ids: list[int]) -> tuple[dict[int, dict[int, list[tuple]]], dict[int, str]]:
    """The leads' answer rows, by lead and question id in the order given: [(value, number), ...]; and
    each question's kind."""
    given: dict[int, dict[int, list[tuple]]] = {}
    kinds: dict[int, str] = {}
    for lead_id, question_id, kind, value, number in (
        LeadAnswer.objects.filter(among(LeadAnswer, "lead_id", lead_ids))
        .order_by("pk")
        .values_list("lead_id", "question_id", "question__kind", "value", "number")
    ):
        kinds[question_id] = kind
        given.setdefault(lead_id, {}).setdefault(question_id, []).append((value, number))
    return given, kinds


def leads_answers_shown(lead_ids: list[int]) -> dict[int, dict[int, str]]:
    """The leads' answers as read ("AWS, GCP", "yes", "12"), by lead and question id."""
    given, _ = _leads_answer_values(lead_ids)
    return {
        lead: {q: ", ".join(value for value, _ in values) for q, values in answers.items()}
        for lead, answers in given.items()
    }


def leads_answers_typed(lead_ids: list[int]) -> dict[int, dict[int, object]]:
    """The leads' answers as a CRM's properties take them, by lead and question id: yes/no a boolean, a
    number a number, a multiple choice its choices joined by ";" (HubSpot's and Salesforce's multi-select
    form), text as it is."""
    given, kinds = _leads_answer_values(lead_ids)
    typed: dict[int, dict[int, object]] = {}
    for lead_id, answers in given.items():
        for question_id, rows in answers.items():
            values = [value if number is None else number for value, number in rows]
            kind = kinds[question_id]
            if kind == QuestionKind.YES_NO:
                value = values[0] == "yes"
            elif kind == QuestionKind.NUMBER:
                value = int(values[0]) if values[0] == int(values[0]) else float(values[0])
            else:
                value = ";".join(map(str, values))
            typed.setdefault(lead_id, {})[question_id] = value
    return typed


def lead_answers_shown(lead) -> list[dict]:
    """A lead's answers for its page, in the questions' order: label, answer, and whether the question
    was removed since."""
    given = leads_answers_shown([lead.pk]).get(lead.pk, {})
    if not given:
        return []
    questions = Question.objects.filter(pk__in=given).order_by("position", "pk")
    return [{"label": q.label, "text": given[q.pk], "removed": q.archived_at is not None} for q in questions]


def answers_read(answers: dict | None, labels: dict[str, tuple[str, bool]]) -> list[tuple[str, str]]:
    """A scan's answers as read, in the order given: [(label, answer), ...]; ``labels``:
    ``question_labels``'s (a question deleted since reads "Removed question")."""
    return [(labels.get(key, REMOVED)[0], answer_text(answer)) for key, answer in (answers or {}).items()]


def scans_answers_shown(scans: list[Scan], sponsor_id: int) -> None:
    """Put on each scan (``answers_shown``) what it answered, as read: [(label, answer), ...]."""
    labels = question_labels(sponsor_id) if any(scan.answers for scan in scans) else {}
    for scan in scans:
        scan.answers_shown = answers_read(scan.answers, labels)
