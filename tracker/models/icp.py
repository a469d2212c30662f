"""The Ideal Customer Profile a sponsor scores leads against, and the scores it produced."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tracker.models.choices import (
    CriterionField,
    CriterionKind,
    CriterionPart,
    Grade,
    IcpStatus,
    NegativeAction,
)
from tracker.models.events import Sponsor
from tracker.models.leads import Lead


class IdealCustomerProfile(models.Model):
    """One version of a sponsor's ICP: weighted criteria and grade thresholds.

    Editing happens on a draft; publishing makes it the one current version and supersedes the
    previous one. Scores remember the version that produced them.
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="icps")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=IcpStatus.choices, default=IcpStatus.DRAFT)
    grade_a_min = models.IntegerField(default=70, help_text="Lowest score graded A.")
    grade_b_min = models.IntegerField(default=45, help_text="Lowest score graded B.")
    grade_c_min = models.IntegerField(default=20, help_text="Lowest score graded C; below is D.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("sponsor__name", "-version")
        verbose_name = "ideal customer profile"
        constraints = [
            models.UniqueConstraint(
                fields=("sponsor", "version"),
                name="icp_version_unique_per_sponsor",
                violation_error_message="This sponsor already has an ICP with this version number.",
            ),
            models.UniqueConstraint(
                fields=("sponsor",),
                condition=Q(status=IcpStatus.PUBLISHED),
                name="icp_one_published_per_sponsor",
                violation_error_message="A sponsor has one current (published) ICP at a time.",
            ),
            models.CheckConstraint(
                condition=Q(grade_a_min__gt=F("grade_b_min")) & Q(grade_b_min__gt=F("grade_c_min")),
                name="icp_grade_thresholds_descending",
                violation_error_message="Thresholds must descend: A above B above C.",
            ),
            models.CheckConstraint(
                condition=Q(status=IcpStatus.DRAFT) | Q(published_at__isnull=False),
                name="icp_published_has_date",
                violation_error_message="A published ICP records when it was published.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} ICP v{self.version} ({self.get_status_display()})"


class IcpCriterion(models.Model):
    """One typed, weighted rule of an ICP.

    ``kind`` says how ``values``/``min_value``/``max_value`` are read: a set of accepted values, a
    numeric range, keywords in the notes (a negated mention such as "not interested" does not count),
    or a list to match (target accounts, competitors' domains).
    """

    icp = models.ForeignKey(IdealCustomerProfile, on_delete=models.CASCADE, related_name="criteria")
    part = models.CharField(max_length=12, choices=CriterionPart.choices)
    field = models.CharField(max_length=20, choices=CriterionField.choices)
    kind = models.CharField(max_length=12, choices=CriterionKind.choices)
    label = models.CharField(max_length=120, help_text="Shown in the score reasons, e.g. 'VP-level title'.")
    question = models.ForeignKey(
        "tracker.Question", on_delete=models.RESTRICT, null=True, blank=True, related_name="criteria",
        help_text="The sponsor's question whose answer this criterion reads (field: answer).",
    )  # fmt: skip
    values = models.JSONField(default=list, blank=True)
    min_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    weight = models.IntegerField(help_text="Points added when the rule matches (negative to subtract).")
    action = models.CharField(
        max_length=16, choices=NegativeAction.choices, blank=True, help_text="Negative rules only."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("icp", "position", "pk")
        verbose_name = "ICP criterion"
        verbose_name_plural = "ICP criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=-1000, weight__lte=1000),
                name="icpcriterion_weight_bounded",
                violation_error_message="A weight lies between -1000 and 1000.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CriterionKind.RANGE)
                | Q(min_value__isnull=False)
                | Q(max_value__isnull=False),
                name="icpcriterion_range_has_bound",
                violation_error_message="A range criterion needs a minimum or a maximum.",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=F("min_value")),
                name="icpcriterion_range_ordered",
                violation_error_message="The maximum cannot be below the minimum.",
            ),
            models.CheckConstraint(
                condition=Q(field=CriterionField.ANSWER, question__isnull=False)
                | (~Q(field=CriterionField.ANSWER) & Q(question__isnull=True)),
                name="icpcriterion_answer_has_question",
                violation_error_message="An answer criterion reads one question; other criteria none.",
            ),
            models.CheckConstraint(
                condition=Q(part=CriterionPart.NEGATIVE, action__in=NegativeAction.values)
                | (~Q(part=CriterionPart.NEGATIVE) & Q(action="")),
                name="icpcriterion_action_iff_negative",
                violation_error_message="Negative rules need an action; other criteria take none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight:+d})"


class LeadScore(models.Model):
    """A lead's current score and grade, with the reasons that add up to it and the ICP version."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="score")
    # No index on icp: a publish changes every row's icp, and with an index on it PostgreSQL cannot
    # update a score in place (a HOT update), and rescoring slows down severalfold. Nothing reads
    # scores by version but an ICP's deletion check.
    icp = models.ForeignKey(
        IdealCustomerProfile, on_delete=models.PROTECT, related_name="scores", db_index=False
    )
    score = models.IntegerField()
    grade = models.CharField(max_length=1, choices=Grade.choices)
    reasons = models.JSONField(default=list, help_text='[{"points": 20, "reason": "VP-level title"}, ...]')
    excluded = models.BooleanField(
        default=False, help_text="Excluded by a negative rule (competitor, own staff)."
    )
    existing_customer = models.BooleanField(default=False)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-score",)
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values),
                name="leadscore_grade_known",
                violation_error_message="A grade is A, B, C or D.",
            ),
        ]
        # One index besides the lead's: leadscore_rank_idx (score DESC NULLS LAST, lead_id DESC),
        # PostgreSQL only (migration 0009), from which the lists read their best-first pages. A rescore
        # writes every index of this table for every changed score: no other one pays for itself.

    def __str__(self) -> str:
        return f"{self.grade} ({self.score})"

    def clean(self) -> None:
        if self.icp_id and self.lead_id and self.icp.sponsor_id != self.lead.sponsorship.sponsor_id:
            raise ValidationError({"icp": "This ICP belongs to another sponsor than the lead's."})


class RescoreJob(models.Model):
    """Rescoring a sponsor's leads under one ICP version, chunk by chunk, with visible progress."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SUPERSEDED = "superseded", "Stopped: a newer version was published"

    icp = models.ForeignKey(IdealCustomerProfile, on_delete=models.CASCADE, related_name="rescore_jobs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    cursor = models.PositiveBigIntegerField(
        default=0, help_text="The last lead id scored: chunks go in id order."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")) | Q(status="superseded"),
                name="rescorejob_done_within_total",
                violation_error_message="More leads done than there are.",
            ),
        ]

    def __str__(self) -> str:
        return f"Rescore {self.icp}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
