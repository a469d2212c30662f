"""Exports: each one is logged (who, what, when, how many rows, which leads) and carries its file.

An export runs in a Celery task when it is large (progress is stored on the row as it goes) or at
once when it is small. The file is private: only users of the sponsor download it, until it expires
and the cleanup task deletes it.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.models.events import Sponsor


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ExportLog(models.Model):
    """One export a user ran: kind, format and scope; its rows and leads; its progress and its file."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The sponsor whose data the file holds and whose managers may download it; none for an operator's
    # export (a superuser's files are theirs alone).
    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.CASCADE, related_name="export_logs", null=True, blank=True
    )
    kind = models.CharField(max_length=40, help_text='Which export, e.g. "sales-review".')
    file_format = models.CharField(max_length=8, help_text="xlsx or csv")
    description = models.CharField(max_length=300, blank=True, help_text="What was selected or filtered.")
    params = models.JSONField(default=dict, blank=True, help_text="The scope the export was asked for.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    name = models.SlugField(
        max_length=120,
        blank=True,
        help_text="Whose and which event, for the file's name (alpenstack-kubecon-eu-2024).",
    )
    consent_note = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the file leaves out for leads without consent, and how many.",
    )
    lead_ids = models.JSONField(default=list, blank=True, help_text="The leads whose data the file holds.")

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "export log entry"
        verbose_name_plural = "export log"
        indexes = [
            models.Index(fields=("sponsor", "-created_at"), name="exportlog_sponsor_time_idx"),
            models.Index(fields=("status", "expires_at"), name="exportlog_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(file_format__in=("xlsx", "csv")),
                name="exportlog_format_known",
                violation_error_message="Exports are XLSX or CSV.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(100 * self.progress_done / self.progress_total))

    @property
    def downloadable(self) -> bool:
        return (
            self.status == ExportStatus.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def filename(self) -> str:
        """The downloaded file's name: the export, whose and which event, and when (UTC)."""
        stamp = self.created_at.astimezone(UTC).strftime("%Y%m%d-%H%M")
        return "-".join(part for part in (self.kind, self.name, stamp) if part) + f".{self.file_format}"
