"""Follow-ups: who owns a qualified lead after the event, by when, and how far it got."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.models.choices import Channel, FollowUpStatus
from tracker.models.leads import Lead
from tracker.models.money import CURRENCIES, currency_field
from tracker.models.staff import StaffMember


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
