"""Imports in the operators' admin: what came in, from which file, and what it did (read-only), and the
platforms' column presets."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.site import TrackerModelAdmin, site
from tracker.models import ImportJob, ImportPreset


@admin.register(ImportJob, site=site)
class ImportJobAdmin(TrackerModelAdmin):
    """Who imported which file into what: read-only (imports run from the app or the command line)."""

    list_display = ("created_at", "user", "kind", "file_name", "sponsorship", "event", "status")
    list_filter = ("kind", "status")
    list_select_related = ("user", "sponsorship__sponsor", "sponsorship__event", "event")
    date_hierarchy = "created_at"
    search_fields = ("file_name", "user__username", "sponsorship__sponsor__name", "event__name")
    readonly_fields = ("kind", "sponsorship", "event", "user", "created_at", "file", "file_name", "encoding",
                       "preset", "mapping", "date_order", "status", "progress_done", "progress_total", "checked",
                       "outcome", "finished_at", "error", "rejected_file")  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ImportPreset, site=site)
class ImportPresetAdmin(TrackerModelAdmin):
    """A platform's column mapping; one without a sponsor is offered to every sponsor."""

    list_display = ("name", "kind", "sponsor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("sponsor",)
    search_fields = ("name", "sponsor__name")
    autocomplete_fields = ("sponsor",)
