"""Imports: an organiser's lead file for a sponsorship, or an attendee list for an event, brought in
through a column mapping, tried first (dry run), then run as a task with its progress and a report.

A preset remembers a platform's mapping ("Cvent LeadCapture", "Swapcard", "pretix") by the shape of its
header, so the same platform's next file is mapped without asking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.models.events import Event, Sponsor, Sponsorship


class ImportKind(models.TextChoices):
    LEADS = "leads", "Lead file"
    ATTENDEES = "attendees", "Attendee list"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for its mapping"
    CHECKING = "checking", "Dry run"
    CHECKED = "checked", "Dry run done"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class ImportPreset(models.Model):
    """A platform's column mapping, picked again when a file with the same header shape comes."""

    # Whose preset: a sponsor's (its managers') or, with none, an operator's, offered to everyone.
    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.CASCADE, related_name="import_presets", null=True, blank=True
    )
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    name = models.CharField(max_length=80, help_text='The source, e.g. "Cvent LeadCapture".')
    header_key = models.CharField(max_length=32, help_text="The shape of the header it maps.")
    mapping = models.JSONField(default=list, help_text="Per column, the field it fills or blank.")
    date_order = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=("sponsor", "kind", "name"), name="import_preset_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file: where it goes, how its columns map, what the dry run and the import did."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, related_name="imports", null=True, blank=True
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="imports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=200)
    rejected_file = models.FileField(
        upload_to="imports/%Y/%m/", blank=True, help_text="The rejected rows, as written, with the reason."
    )
    encoding = models.CharField(max_length=40, blank=True, help_text="Text files: as detected or as chosen.")
    encoding_guessed = models.BooleanField(default=False, help_text="Detected without certainty: to confirm.")
    preset = models.ForeignKey(
        ImportPreset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mapping = models.JSONField(default=list, blank=True)
    date_order = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    # What the dry run found and what the import did: counts per outcome ("new", "merged", "unchanged",
    # "rejected"), the rejected rows (line, reason) and warnings, as shown on the report.
    checked = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ImportKind.ATTENDEES, sponsorship__isnull=True)
                | Q(kind=ImportKind.LEADS, sponsorship__isnull=False),
                name="import_leads_into_a_sponsorship",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def sponsor_id(self) -> int | None:
        """Whose import it is: the sponsorship's sponsor; none for an attendee list (an operator's)."""
        return self.sponsorship.sponsor_id if self.sponsorship_id else None

    @property
    def source_label(self) -> str:
        """How imported scans name their source: the preset (the platform) and the file."""
        return f"{self.preset.name if self.preset else 'Import'}: {self.file_name}"[:120]
