"""What a file's columns are taken to be: the preset that knows its header shape, the booth's questions as
a lead file's fields, and the mapping and date order suggested for a file (the mapping screen's and the
commands' starting point)."""

from __future__ import annotations

from itertools import islice

from tracker.imports.columns import ANSWER, LEADS, guess_mapping, header_key
from tracker.imports.reading import Table
from tracker.imports.values import date_order
from tracker.models import ImportPreset, Question, Sponsorship
from tracker.models.questions import ASKED_FIRST
from tracker.questions.answers import QuestionSpec
from tracker.questions.service import spec_of


def preset_for(table: Table, kind: str, sponsor_id: int | None) -> ImportPreset | None:
    """The sponsor's (else an operator's) preset for this header shape, most recent first."""
    presets = ImportPreset.objects.filter(kind=kind, header_key=header_key(table.headers))
    return (
        presets.filter(sponsor_id=sponsor_id).order_by("-created_at").first()
        or presets.filter(sponsor__isnull=True).order_by("-created_at").first()
    )


def question_specs(sponsorship_id: int | None) -> dict[str, QuestionSpec]:
    """The questions of a booth (its own and its sponsor's for every booth) by import field
    ("answer:<id>"): those asked now first, then removed ones (a file may bring answers given before)."""
    if sponsorship_id is None:
        return {}
    sponsorship = Sponsorship.objects.get(pk=sponsorship_id)
    questions = Question.objects.for_booth(sponsorship).order_by(ASKED_FIRST, "position", "pk")
    return {f"{ANSWER}{q.pk}": spec_of(q) for q in questions}


def question_fields(sponsorship_id: int | None) -> dict[str, str]:
    """A booth's questions as a lead file's fields: {"answer:<id>": "Answer: <label>"}."""
    return {
        key: f"Answer: {spec.label}" + (" (no longer asked)" if spec.archived else "")
        for key, spec in question_specs(sponsorship_id).items()
    }


def suggested(
    table: Table, kind: str, sponsor_id: int | None, sponsorship_id: int | None = None
) -> tuple[list[str], str, ImportPreset | None]:
    """(mapping, date order, preset): the preset's when one knows this header, else guessed (a column
    headed with one of the booth's questions holds its answers). A preset's answer to a question this
    booth does not ask (a shared preset, a question deleted since) is left to the extra data."""
    questions = question_fields(sponsorship_id) if kind == LEADS else {}
    preset = preset_for(table, kind, sponsor_id)
    if preset is not None and len(preset.mapping) == len(table.headers):
        mapping = [
            "" if field.startswith(ANSWER) and field not in questions else field for field in preset.mapping
        ]
        return mapping, preset.date_order, preset
    mapping = guess_mapping(table.headers, table.samples, kind, questions)
    return mapping, _date_order(table, mapping), None


def _date_order(table: Table, mapping: list[str]) -> str:
    if "scanned_at" not in mapping:
        return ""
    index = mapping.index("scanned_at")
    values = [cells[index] for _, cells in islice(table.rows(), 2000) if index < len(cells)]
    return date_order(values)
