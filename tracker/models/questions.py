"""A sponsor's own qualifying questions, asked at the booth, and the answers each lead gave.

A scan carries the answers as the phone sent them (``Scan.answers``, by question id). A lead's answer to
a question is the one of its latest scan that answered it, kept as rows (``LeadAnswer``, one per chosen
value) so the lead lists filter on them and the scoring engine reads them in one query.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tracker.models.choices import ConversationType
from tracker.models.events import Sponsor, Sponsorship
from tracker.models.leads import Lead


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    YES_NO = "yes_no", "Yes / no"
    NUMBER = "number", "Number"
    TEXT = "text", "Short text"


# Questions still asked before removed ones (NULL first on every database: PostgreSQL sorts NULL last).
ASKED_FIRST = F("archived_at").asc(nulls_first=True)

# How the kinds with a fixed set of answers are offered.
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
YES, NO = "yes", "no"


class QuestionQuerySet(models.QuerySet):
    def active(self) -> QuestionQuerySet:
        """The questions still asked (a removed question keeps its answers, but is not asked again)."""
        return self.filter(archived_at__isnull=True)

    def for_booth(self, sponsorship: Sponsorship) -> QuestionQuerySet:
        """The questions of one booth: its own and its sponsor's asked at every booth, in order."""
        return self.filter(
            Q(sponsorship=sponsorship) | Q(sponsorship__isnull=True), sponsor_id=sponsorship.sponsor_id
        ).order_by("position", "pk")


class Question(models.Model):
    """One question a sponsor's booth staff ask, at one booth or (no sponsorship) at every booth.

    Answers are kept as the text of the choice given, so renaming or removing a choice later leaves the
    answers already given as they were; a question with answers is removed by archiving it.
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="questions")
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, null=True, blank=True, related_name="questions",
        help_text="Blank: asked at every booth of the sponsor.",
    )  # fmt: skip
    label = models.CharField(max_length=80, help_text='As booth staff read it, e.g. "Timeline".')
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField(default=list, blank=True, help_text="The answers offered (choice kinds only).")
    required = models.BooleanField(default=False, help_text="The booth cannot save a scan without an answer.")
    conversation_types = models.JSONField(
        default=list, blank=True, help_text="Asked only for these conversation types (empty: always)."
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Since when it is required (set when it is made required, cleared when it no longer is): a scan taken
    # before, sent late by a phone that was offline, was not required to answer it.
    required_since = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Removed: no longer asked.")

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ("sponsor", "position", "pk")
        indexes = [models.Index(fields=("sponsor", "position"), name="question_sponsor_order_idx")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        since = self.required_since
        if not self.required:
            self.required_since = None
        elif self.required_since is None or self._asked_of_more_scans():
            self.required_since = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.required_since != since:
            kwargs["update_fields"] = {*update_fields, "required_since"}
        super().save(*args, **kwargs)

    def _asked_of_more_scans(self) -> bool:
        """Whether this save asks it of scans it was not asked of before: asked again after it was removed,
        at every booth or at another booth instead of one, or for more conversation types. A required
        question then becomes required of those scans from now on (a phone offline since did not show it)."""
        if self.pk is None:
            return False
        before = Question.objects.filter(pk=self.pk).values("archived_at", "sponsorship_id", "conversation_types").first()  # fmt: skip
        if before is None:
            return False
        kinds, kinds_before = set(self.conversation_types or ()), set(before["conversation_types"] or ())
        return (
            (before["archived_at"] is not None and self.archived_at is None)
            or (before["sponsorship_id"] is not None and self.sponsorship_id != before["sponsorship_id"])
            or (bool(kinds_before) and (not kinds or bool(kinds - kinds_before)))
        )

    def clean(self) -> None:
        if self.sponsorship_id and self.sponsor_id and self.sponsorship.sponsor_id != self.sponsor_id:
            raise ValidationError({"sponsorship": "This booth is another sponsor's."})

    @property
    def asked_for(self) -> str:
        """The conversation types it is asked for, as read ("Demo, Technical deep-dive"); "" : always."""
        labels = dict(ConversationType.choices)
        return ", ".join(labels.get(kind, kind) for kind in self.conversation_types or ())

    @property
    def key(self) -> str:
        """How the scan API and the scan screen name this question's answer."""
        return str(self.pk)


class LeadAnswer(models.Model):
    """A lead's current answer to one question: one row per value (a multiple choice has several)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="lead_answers")
    value = models.CharField(
        max_length=200, help_text="The answer as shown: a choice, yes/no, the number or text."
    )
    number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ("lead", "question", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("lead", "question", "value"), name="leadanswer_unique_value",
                violation_error_message="This lead already gave this answer.",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=("question", "value"), name="leadanswer_question_value_idx")]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
