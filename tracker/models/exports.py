"""The export log: who exported what, when, how many rows, and which leads' data left the system."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tracker.models.events import Sponsor


class ExportLog(models.Model):
    """One export a user ran: its kind and format, the sponsor it was for, its rows and the leads in it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="export_logs")
    kind = models.CharField(max_length=40, help_text='Which export, e.g. "sales-review".')
    file_format = models.CharField(max_length=8, help_text="xlsx or csv")
    description = models.CharField(max_length=300, blank=True, help_text="What was selected or filtered.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    lead_ids = models.JSONField(default=list, blank=True, help_text="The leads whose data the file holds.")

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "export log entry"
        verbose_name_plural = "export log"
        indexes = [models.Index(fields=("sponsor", "-created_at"), name="exportlog_sponsor_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
