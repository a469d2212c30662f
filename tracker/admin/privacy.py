"""The audit log in the operators' admin: every sponsor's, and the installation's (read-only)."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.site import TrackerModelAdmin, site
from tracker.models import AuditEvent


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(TrackerModelAdmin):
    """Exports, erasures, retention runs, token and role changes: who did what, when (never edited)."""

    list_display = ("at", "action", "sponsor", "user", "summary")
    list_filter = ("action",)
    list_select_related = ("sponsor", "user")
    date_hierarchy = "at"
    search_fields = ("summary", "sponsor__name", "user__username")
    readonly_fields = ("at", "action", "sponsor", "user", "summary", "details")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
