"""A sponsor's CRM connections (HubSpot, Salesforce) and where each qualified lead stands in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.models.choices import Grade
from tracker.models.events import Sponsor
from tracker.models.leads import Lead


class CrmKind(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    SALESFORCE = "salesforce", "Salesforce"


class CrmPushStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    # Claimed by a push task and on its way: only that task writes its outcome (``CrmPush.claim``).
    SENDING = "sending", "Sending"
    PUSHED = "pushed", "Pushed"
    FAILED = "failed", "Failed"
    # What the person told us later, told the CRM too (opted out of email); and an erasure, deleted there.
    WITHDRAWN = "withdrawn", "Opted out in the CRM"
    ERASED = "erased", "Deleted from the CRM"


class CrmConnection(models.Model):
    """One CRM a sponsor pushes its qualified leads to: which leads (a minimum grade, with consent), how
    their fields map onto the CRM's, and the credentials, kept encrypted (``tracker.crm.secrets``).

    ``secret`` holds HubSpot's private app token or Salesforce's client secret as a Fernet token; it is
    written by ``tracker.crm.secrets.secret_store`` and read only to call the CRM, never shown.
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="crm_connections")
    kind = models.CharField(max_length=12, choices=CrmKind.choices)
    min_grade = models.CharField(
        max_length=1, choices=Grade.choices, default=Grade.B,
        help_text="Leads graded this or better are pushed (with consent, not excluded, not erased).",
    )  # fmt: skip
    auto_push = models.BooleanField(
        default=False, help_text="Push qualified leads on their own as soon as they are scored."
    )
    # Salesforce: the org's My Domain URL and the external client app's consumer key (not a secret).
    instance_url = models.URLField(blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    secret = models.TextField(blank=True, editable=False)
    external_id_field = models.CharField(
        max_length=80, blank=True,
        help_text="The CRM field holding the lead's id in this tracker (booth-lead-<id>): Salesforce upserts "
        "by it; HubSpot by email, and by it for leads without one.",
    )  # fmt: skip
    # Our field (tracker.crm.mapping) -> the CRM's property; a field left out takes its default, "" is not sent.
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+",
    )  # fmt: skip
    last_push_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the last push could not start or was cut short (credentials refused, the CRM down), "" if fine.
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    # When the push task waiting out an unavailable CRM tries again: the sweep leaves the connection to it.
    retry_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("sponsor", "kind")
        constraints = [
            models.UniqueConstraint(
                fields=("sponsor", "kind"),
                name="crm_connection_one_per_sponsor_and_kind",
                violation_error_message="This sponsor is already connected to this CRM.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CrmKind.values),
                name="crm_connection_kind_known",
                violation_error_message="Unknown CRM.",
            ),
            models.CheckConstraint(
                condition=Q(min_grade__in=Grade.values),
                name="crm_connection_min_grade_known",
                violation_error_message="A grade is A, B, C or D.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.sponsor}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    @property
    def grades(self) -> list[str]:
        """The grades pushed: the minimum and every better one (A is best)."""
        return [grade for grade in Grade.values if grade <= self.min_grade]


class CrmPush(models.Model):
    """Where one lead stands in one CRM connection: waiting, being sent, pushed (with the CRM's record
    id), failed with the CRM's message, opted out after the person withdrew consent, or deleted after an
    erasure.

    One row per (connection, lead): a second push updates the row, as it updates the CRM's record. A push
    task claims waiting rows (``sending``, with its ``claim``) before it sends them and writes an outcome
    only where its claim still holds; nothing else changes a row being sent (``tracker.crm.push``).
    """

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="pushes")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="crm_pushes")
    status = models.CharField(max_length=10, choices=CrmPushStatus.choices, default=CrmPushStatus.WAITING)
    remote_id = models.CharField(max_length=64, blank=True, help_text="The CRM's id of the record.")
    message = models.CharField(max_length=500, blank=True, help_text="What the CRM said when it refused.")
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    pushed_at = models.DateTimeField(null=True, blank=True, help_text="When the CRM last took it.")
    updated_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, editable=False, help_text="The sending task's claim.")
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Failed because the CRM stayed unavailable (not refused): the sweep queues it again later.
    outage = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ("connection", "lead")
        constraints = [
            models.UniqueConstraint(
                fields=("connection", "lead"),
                name="crm_push_one_per_connection_and_lead",
                violation_error_message="This lead already has a push for this CRM.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CrmPushStatus.values),
                name="crm_push_status_known",
                violation_error_message="Unknown CRM push status.",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | (~Q(claim="") & Q(claimed_at__isnull=False)),
                name="crm_push_sending_is_claimed",
                violation_error_message="A push being sent names the task that claimed it.",
            ),
        ]
        indexes = [
            # The push task claims a connection's waiting rows in id order.
            models.Index(fields=("connection", "status", "id"), name="crm_push_queue_idx"),
            # The sweep: rows waiting, sending or failed for too long.
            models.Index(fields=("status", "updated_at"), name="crm_push_sweep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.connection}: {self.get_status_display()}"
