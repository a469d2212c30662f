"""The ICP editor's forms: the grade thresholds and one row per criterion."""

from __future__ import annotations

import re

from django import forms
from django.forms import inlineformset_factory

from tracker.lists.forms import LabelledCells, LabelledFormSet, ListField
from tracker.models import IcpCriterion, IdealCustomerProfile, Question
from tracker.models.choices import CriterionField
from tracker.models.questions import ASKED_FIRST, CHOICE_KINDS, QuestionKind
from tracker.scoring import vocabulary


class IcpForm(forms.ModelForm):
    class Meta:
        model = IdealCustomerProfile
        fields = ("grade_a_min", "grade_b_min", "grade_c_min", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(LabelledCells, forms.ModelForm):
    values = ListField(
        required=False, help_text="Comma-separated; see what each field takes below the table."
    )

    class Meta:
        model = IcpCriterion
        fields = (
            "position",
            "part",
            "field",
            "question",
            "kind",
            "label",
            "values",
            "min_value",
            "max_value",
            "weight",
            "action",
        )

    def __init__(self, *args, sponsor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "question" not in self.fields:  # a published version's criteria: shown, not edited
            return
        if sponsor is not None:  # the editor's: its sponsor's questions only (the admin checks in clean)
            self.fields["question"].queryset = Question.objects.filter(sponsor=sponsor).order_by(ASKED_FIRST, "position", "pk")  # fmt: skip
        self.fields["question"].required = False

    def clean(self):
        data = super().clean()
        field, values = data.get("field"), data.get("values") or []
        if field == CriterionField.ANSWER:
            question = data.get("question")
            if question is None:
                self.add_error("question", "An answer rule reads one of your questions: pick it.")
                return data
            icp = data.get("icp") or (self.instance.icp if self.instance.icp_id else None)
            if icp is not None and question.sponsor_id != icp.sponsor_id:
                self.add_error("question", "This question is another sponsor's.")
                return data
            data["values"], unknown = answer_values(question, values)
            if unknown:
                self.add_error("values", f"{', '.join(unknown)}: not an answer “{question.label}” offers ({', '.join(offered(question))}).")  # fmt: skip
            return data
        data["question"] = None  # only answer rules read a question
        if field:
            keys, unknown = vocabulary.closed_values(field, values)
            if unknown:
                label = dict(self.fields["field"].choices).get(field, field).lower()
                self.add_error(
                    "values",
                    f"{', '.join(unknown)}: not a {label} the scoring knows. {vocabulary.help_for(field)}.",
                )
            else:
                data["values"] = keys
        return data


def offered(question: Question) -> list[str]:
    if question.kind == QuestionKind.YES_NO:
        return ["yes", "no"]
    return list(question.choices or ()) if question.kind in CHOICE_KINDS else []


def answer_values(question: Question, values: list[str]) -> tuple[list[str], list[str]]:
    """(values as the question's answers are written, unknown) for a rule on a choice or yes/no question:
    matched whatever their case; other questions' values (words, numbers) pass through."""
    choices = offered(question)
    if not choices:
        return values, []
    by_fold = {_folded(choice): choice for choice in choices}
    by_fold.update({"true": "yes", "false": "no"} if question.kind == QuestionKind.YES_NO else {})
    values = _rejoined(values, by_fold)
    known = [by_fold.get(_folded(value)) for value in values]
    return [k for k in dict.fromkeys(known) if k], [v for v, k in zip(values, known, strict=True) if not k]


def _folded(text: str) -> str:
    """A choice as compared: case aside, and one ", " at each comma ("AWS,GCP" is "AWS, GCP")."""
    return re.sub(r"\s*,\s*", ", ", text.strip()).casefold()


def _rejoined(parts: list[str], by_fold: dict[str, str]) -> list[str]:
    """Values typed comma-separated, joined back where neighbours make one choice with a comma in it
    ("AWS, GCP" of the choices "AWS, GCP" and "Azure"), the longest such run first."""
    joined, start = [], 0
    while start < len(parts):
        end = next(
            (
                end
                for end in range(len(parts), start + 1, -1)
                if _folded(", ".join(parts[start:end])) in by_fold
            ),
            start + 1,
        )
        joined.append(", ".join(parts[start:end]))
        start = end
    return joined


CriterionFormSet = inlineformset_factory(
    IdealCustomerProfile, IcpCriterion, form=CriterionForm, formset=LabelledFormSet, extra=2, can_delete=True
)
