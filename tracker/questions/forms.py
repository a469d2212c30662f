"""A manager's form for one qualifying question, and the changes it may make once answers exist."""

from __future__ import annotations

from django import forms
from django.db.models import Max

from tracker.models import LeadAnswer, Question, Scan, Sponsor
from tracker.models.choices import ConversationType
from tracker.models.questions import CHOICE_KINDS, QuestionKind

MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 80  # within MAX_TEXT: a choice is stored as a lead's answer


class QuestionForm(forms.ModelForm):
    """Label, kind, choices (one per line), required, the conversations it is asked in, and the booth."""

    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One answer per line (single and multiple choice only).",
    )
    conversation_types = forms.MultipleChoiceField(
        choices=ConversationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Asked for",
        help_text="Only for these conversation types; none ticked: always.",
    )

    class Meta:
        model = Question
        fields = ("label", "kind", "choices", "required", "conversation_types", "sponsorship")
        labels = {"sponsorship": "Booth", "required": "Required at the booth"}

    def __init__(self, *args, sponsor: Sponsor, **kwargs):
        super().__init__(*args, **kwargs)
        self.sponsor = sponsor
        booths = sponsor.sponsorships.filter(has_booth=True).select_related("event")
        self.fields["sponsorship"].queryset = booths.order_by("-event__start_date", "pk")
        self.fields["sponsorship"].label_from_instance = lambda booth: str(booth.event)
        self.fields["sponsorship"].empty_label = "Every booth"
        self.fields["sponsorship"].help_text = ""
        self.fields["kind"].choices = [("", "Choose how it is answered"), *QuestionKind.choices]
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices or ())

    def clean_label(self) -> str:
        return " ".join(self.cleaned_data["label"].split())

    def clean_choices(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data.get("choices", "").splitlines()]
        choices = list(dict.fromkeys(line for line in lines if line))
        if len(choices) > MAX_CHOICES:
            raise forms.ValidationError(f"At most {MAX_CHOICES} answers to choose from.")
        if any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
            raise forms.ValidationError(f"An answer is at most {MAX_CHOICE_LENGTH} characters.")
        if any("\x00" in choice for choice in choices):
            raise forms.ValidationError("An answer cannot contain a NUL character.")
        return choices

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in CHOICE_KINDS and len(data.get("choices") or ()) < 2:
            self.add_error("choices", "A choice question needs at least two answers, one per line.")
        elif kind and kind not in CHOICE_KINDS:
            data["choices"] = []
        if self.instance.pk and kind and kind != self.instance.kind and question_answered(self.instance):
            self.add_error("kind", "This question has answers: its kind stays. Remove it and add a new one.")
        return data

    def save(self, commit: bool = True) -> Question:
        question = super().save(commit=False)
        question.sponsor = self.sponsor
        if question.pk is None:
            last = Question.objects.filter(sponsor=self.sponsor).aggregate(n=Max("position"))["n"]
            question.position = (last or 0) + 1
        if commit:
            question.save()
        return question


def question_answered(question: Question) -> bool:
    """Whether any lead or scan holds an answer to ``question``."""
    if LeadAnswer.objects.filter(question=question).exists():
        return True
    return Scan.objects.filter(
        sponsorship__sponsor_id=question.sponsor_id, answers__has_key=str(question.pk)
    ).exists()
