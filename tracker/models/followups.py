"""Follow-ups: who owns a qualified lead after the event, by when, and how far it got."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker import times
from tracker.models.choices import (
    AssignmentCondition,
    Channel,
    ConversationType,
    FollowUpStatus,
    Grade,
    Rating,
    Region,
    StaffRole,
)
from tracker.models.events import Sponsor
from tracker.models.leads import Lead
from tracker.models.money import CURRENCIES, currency_field
from tracker.models.staff import StaffMember

DEFAULT_SLA_DAYS = {"A": 1, "B": 2, "C": 5, "D": 10}


def default_qualifying_grades() -> list[str]:
    return ["A", "B"]


def default_sla_days() -> dict[str, int]:
    return dict(DEFAULT_SLA_DAYS)


class FollowUpPolicy(models.Model):
    """A sponsor's rules for turning leads into follow-ups: which grades qualify, and the SLA per grade."""

    sponsor = models.OneToOneField(Sponsor, on_delete=models.CASCADE, related_name="follow_up_policy")
    qualifying_grades = models.JSONField(
        default=default_qualifying_grades, help_text='Grades that get a follow-up, e.g. ["A", "B"].'
    )
    require_consent = models.BooleanField(
        default=True, help_text="Only leads who agreed to be contacted get a follow-up."
    )
    sla_days = models.JSONField(
        default=default_sla_days,
        help_text='Working days to the first touch per grade, e.g. {"A": 1, "B": 2}.',
    )
    create_when_event_ends = models.BooleanField(
        default=True, help_text="Create follow-ups on their own the day after each event ends."
    )

    class Meta:
        verbose_name = "follow-up policy"
        verbose_name_plural = "follow-up policies"

    def __str__(self) -> str:
        return f"Follow-up policy of {self.sponsor}"

    def clean(self) -> None:
        grades = self.qualifying_grades
        if not isinstance(grades, list) or not set(grades) <= set(Grade.values):
            raise ValidationError({"qualifying_grades": "A list of grades among A, B, C and D."})
        sla = self.sla_days
        if not isinstance(sla, dict) or any(
            key not in Grade.values or not isinstance(days, int) or not 0 <= days <= 90
            for key, days in sla.items()
        ):
            raise ValidationError({"sla_days": 'Grades to working days from 0 to 90, e.g. {"A": 1, "B": 2}.'})

    def days_for(self, grade: str) -> int:
        """Working days to the first touch for a lead of ``grade`` (the default SLA where none is set)."""
        return int(self.sla_days.get(grade, DEFAULT_SLA_DAYS.get(grade, DEFAULT_SLA_DAYS["D"])))


class AssignmentRule(models.Model):
    """One rule of a sponsor's follow-up routing; rules apply in ``position`` order, the first match wins.

    A rule matches on its condition and names its target: one owner, or a round-robin among the active
    staff of the given roles (the least loaded first). "Account owner" routes to the owner of the
    lead's account and needs no target.
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="assignment_rules")
    position = models.PositiveSmallIntegerField(default=0)
    condition = models.CharField(max_length=20, choices=AssignmentCondition.choices)
    region = models.CharField(max_length=8, choices=Region.choices, blank=True)
    conversation_type = models.CharField(max_length=24, choices=ConversationType.choices, blank=True)
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    owner = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="assignment_rules"
    )
    roles = models.JSONField(
        default=list,
        blank=True,
        help_text='Round-robin among these roles, e.g. ["devrel", "solutions_engineer"].',
    )

    class Meta:
        ordering = ("sponsor", "position", "pk")
        verbose_name = "assignment rule"

    def __str__(self) -> str:
        return f"{self.position}. {self.describe()}"

    def describe(self) -> str:
        """The rule in words, as shown in a follow-up's history."""
        condition = {
            AssignmentCondition.ACCOUNT_OWNER: "existing account",
            AssignmentCondition.REGION: f"region {self.region}",
            AssignmentCondition.CONVERSATION: f"{self.get_conversation_type_display().lower()}",
            AssignmentCondition.RATING: f"{self.rating} rating",
            AssignmentCondition.ANYONE: "everyone else",
        }[self.condition]
        if self.condition == AssignmentCondition.ACCOUNT_OWNER:
            return f"{condition} → its owner"
        if self.owner_id:
            return f"{condition} → {self.owner.display_name}"
        labels = dict(StaffRole.choices)
        return f"{condition} → round-robin among {', '.join(labels.get(r, r) for r in self.roles)}"

    def clean(self) -> None:
        needs = {
            AssignmentCondition.REGION: "region",
            AssignmentCondition.CONVERSATION: "conversation_type",
            AssignmentCondition.RATING: "rating",
        }.get(self.condition)
        if needs and not getattr(self, needs):
            raise ValidationError({needs: "This condition needs a value."})
        if not isinstance(self.roles, list) or not set(self.roles) <= set(StaffRole.values):
            raise ValidationError({"roles": "A list of staff roles."})
        if self.condition != AssignmentCondition.ACCOUNT_OWNER and not (self.owner_id or self.roles):
            raise ValidationError("Name an owner or the roles to round-robin among.")
        if self.owner_id and self.sponsor_id and self.owner.sponsor_id != self.sponsor_id:
            raise ValidationError({"owner": "The owner works for another sponsor."})


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, now=None) -> FollowUpQuerySet:
        """Still to do and past the due date as it is where the owner works (UTC for a follow-up
        nobody owns yet): the one meaning of "overdue", for lists, filters, counts and the digest."""
        return self.filter(overdue_condition(now))


def overdue_condition(now=None) -> Q:
    """The condition of :meth:`FollowUpQuerySet.overdue`, for annotations (a work list sorts it first).

    Owners' zones are few: one condition per zone in use, each with that zone's date.
    """
    zones = StaffMember.objects.order_by().values_list("time_zone", flat=True).distinct()
    late = Q(owner__isnull=True, due_on__lt=times.today_in(times.UTC, now))
    for name in zones:
        late |= Q(owner__time_zone=name, due_on__lt=times.today_in(times.zone(name), now))
    return Q(status=FollowUpStatus.TODO) & late


class FollowUp(models.Model):
    """The one follow-up of a lead: owner, channel, due date, status and any opportunity amount."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="follow_up")
    owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.TODO)
    outcome = models.TextField(blank=True)
    opportunity_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    opportunity_currency = currency_field(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ("due_on", "pk")
        verbose_name = "follow-up"
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunity_amount__isnull=True) | Q(opportunity_amount__gte=0),
                name="followup_amount_not_negative",
                violation_error_message="An opportunity amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(opportunity_amount__isnull=True, opportunity_currency="")
                | Q(opportunity_amount__isnull=False, opportunity_currency__in=CURRENCIES),
                name="followup_amount_has_currency",
                violation_error_message="An opportunity amount needs its currency (and a currency an amount).",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values),
                name="followup_status_known",
                violation_error_message="Unknown follow-up status.",
            ),
        ]
        indexes = [models.Index(fields=("owner", "status", "due_on"), name="followup_owner_work_idx")]

    def __str__(self) -> str:
        return f"Follow-up of {self.lead} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        """Past its due date where the owner works and still to do (see ``FollowUpQuerySet.overdue``)."""
        if self.status != FollowUpStatus.TODO or self.due_on is None:
            return False
        owner_zone = times.zone(self.owner.time_zone if self.owner_id else None)
        return self.due_on < times.today_in(owner_zone)

    def clean(self) -> None:
        if self.owner_id and self.lead_id and self.owner.sponsor_id != self.lead.sponsorship.sponsor_id:
            raise ValidationError({"owner": "The owner works for another sponsor than the lead's."})


class FollowUpChange(models.Model):
    """One recorded change of a follow-up's status or owner: who, when, from what to what."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="history")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=FollowUpStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FollowUpStatus.choices, blank=True)
    from_owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("follow_up", "changed_at", "pk")
        verbose_name = "follow-up change"
        indexes = [models.Index(fields=("follow_up", "changed_at"), name="followupchange_time_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status or '-'} at {self.changed_at:%Y-%m-%d %H:%M}"


class ReminderDigest(models.Model):
    """One overdue-reminder email sent to one owner on one day: at most one per owner per day."""

    owner = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="reminder_digests")
    sent_on = models.DateField()
    follow_up_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sent_on", "owner")
        constraints = [
            models.UniqueConstraint(
                fields=("owner", "sent_on"),
                name="reminderdigest_one_per_owner_and_day",
                violation_error_message="This owner already got a digest that day.",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest to {self.owner} on {self.sent_on}"
