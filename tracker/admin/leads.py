"""Attendees, the leads they became for sponsors, and every scan at a booth."""

from __future__ import annotations

from django.contrib import admin, messages

from tracker.admin.followups import FollowUpInline
from tracker.admin.icp import LeadScoreInline
from tracker.admin.site import TabularInline, TrackerModelAdmin, count_of, site
from tracker.admin.staff import staff_name
from tracker.models import Attendee, Lead, Scan
from tracker.privacy.erasure import person_erase_everywhere
from tracker.scans.matching import leads_recount

_ATTENDEE_SEARCH = ("first_name", "last_name", "email", "company", "badge_id")


class SponsorshipColumns:
    """The sponsor and event columns of rows that belong to a sponsorship (leads, scans)."""

    @admin.display(description="sponsor", ordering="sponsorship__sponsor__name")
    def sponsor(self, obj: Lead | Scan) -> str:
        return obj.sponsorship.sponsor.name

    @admin.display(description="event", ordering="sponsorship__event__start_date")
    def event(self, obj: Lead | Scan) -> str:
        return obj.sponsorship.event.name


class UnknownBadgeFilter(admin.SimpleListFilter):
    """Scans whose badge matched nobody yet: kept with their raw payload until someone resolves them."""

    title = "badge"
    parameter_name = "badge"

    def lookups(self, request, model_admin):
        return (("unknown", "Unknown (matched nobody)"), ("matched", "Matched to a lead"))

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.unknown()
        if self.value() == "matched":
            return queryset.filter(lead__isnull=False)
        return queryset


class ScanInline(TabularInline):
    """A lead's scans, oldest first. Editable ratings and notes; no adding or deleting here, because a
    scan comes from a device and the lead's scan count and first/last scan times are derived from them."""

    model = Scan
    fields = (
        "received_at",
        "scanned_by",
        "rating",
        "conversation_type",
        "interests",
        "notes",
        "consent",
        "raw_payload",
    )
    readonly_fields = ("received_at", "raw_payload")
    autocomplete_fields = ("scanned_by",)
    ordering = ("received_at", "pk")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attendee, site=site)
class AttendeeAdmin(TrackerModelAdmin):
    list_display = (
        "name",
        "company",
        "title",
        "email",
        "event",
        "badge_id",
        "country",
        "lead_count",
        "created_at",
    )
    list_display_links = ("name",)
    list_filter = ("event", "country")
    list_select_related = ("event",)
    search_fields = (*_ATTENDEE_SEARCH, "title")
    date_hierarchy = "created_at"
    autocomplete_fields = ("event",)
    readonly_fields = ("created_at",)
    show_full_result_count = False
    actions = ("erase_everywhere",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_count=count_of(Lead, "attendee"))

    @admin.action(description="Erase the selected people everywhere (every sponsor's leads, kept anonymous)")
    def erase_everywhere(self, request, queryset) -> None:
        """A person's erasure asked of the installation: by each one's email, else badge id, out of every
        sponsor's data (tracker.privacy.erasure), the figures kept."""
        people = {(a.email.lower(), "", None) if a.email else ("", a.badge_id, a.event_id)
                  for a in queryset if a.email or a.badge_id}  # fmt: skip
        erased = [person_erase_everywhere(by_user=request.user, email=email, badge_id=badge, event_id=event)
                  for email, badge, event in people]  # fmt: skip
        leads = sum(e.leads for e in erased)
        self.message_user(request, f"Erased {len(erased)} person(s): {leads} lead(s) now show “Erased person”.",
                          messages.SUCCESS)  # fmt: skip

    @admin.display(description="name", ordering="last_name")
    def name(self, obj: Attendee) -> str:
        return str(obj)

    @admin.display(description="sponsors visited", ordering="lead_count")
    def lead_count(self, obj: Attendee) -> int:
        return obj.lead_count


@admin.register(Lead, site=site)
class LeadAdmin(SponsorshipColumns, TrackerModelAdmin):
    str_related = ("attendee", "sponsorship__sponsor")
    list_display = (
        "attendee_name", "company", "sponsor", "event", "scan_count", "first_scan_at", "last_scan_at",
        "consent", "grade", "follow_up_status",
    )  # fmt: skip
    list_display_links = ("attendee_name",)
    list_filter = ("consent", "score__grade", "follow_up__status", "sponsorship__event")
    list_select_related = ("sponsorship__event", "score", "follow_up")
    search_fields = (*(f"attendee__{name}" for name in _ATTENDEE_SEARCH), "sponsorship__sponsor__name")
    date_hierarchy = "first_scan_at"
    autocomplete_fields = ("sponsorship", "attendee")
    # Derived from the lead's scans.
    readonly_fields = ("scan_count", "first_scan_at", "last_scan_at", "created_at")
    fieldsets = (
        (None, {"fields": ("sponsorship", "attendee", "consent", "consent_recorded_at")}),
        ("Scans", {"fields": (("scan_count", "first_scan_at", "last_scan_at"), "created_at")}),
    )
    inlines = (LeadScoreInline, FollowUpInline, ScanInline)
    show_full_result_count = False

    @admin.display(description="attendee", ordering="attendee__last_name")
    def attendee_name(self, obj: Lead) -> str:
        return str(obj.attendee)

    @admin.display(description="company", ordering="attendee__company")
    def company(self, obj: Lead) -> str:
        return obj.attendee.company

    @admin.display(description="grade", ordering="score__grade")
    def grade(self, obj: Lead) -> str:
        score = getattr(obj, "score", None)
        return score.grade if score else "-"

    @admin.display(description="follow-up", ordering="follow_up__status")
    def follow_up_status(self, obj: Lead) -> str:
        follow_up = getattr(obj, "follow_up", None)
        return follow_up.get_status_display() if follow_up else "-"


@admin.register(Scan, site=site)
class ScanAdmin(SponsorshipColumns, TrackerModelAdmin):
    str_related = ("sponsorship__sponsor", "sponsorship__event")
    list_display = (
        "received_at", "sponsor", "event", "lead_name", "scanned_by_name", "payload_format", "rating",
        "conversation_type", "consent",
    )  # fmt: skip
    list_display_links = ("received_at",)
    list_filter = (
        UnknownBadgeFilter,
        "payload_format",
        "rating",
        "conversation_type",
        "consent",
        "sponsorship__event",
    )
    list_select_related = ("lead__attendee", "scanned_by__user")
    search_fields = (
        *(f"lead__attendee__{name}" for name in _ATTENDEE_SEARCH),
        "raw_payload",
        "notes",
        "device_id",
        "sponsorship__sponsor__name",
    )
    date_hierarchy = "received_at"
    autocomplete_fields = ("sponsorship", "lead", "scanned_by")
    readonly_fields = ("client_uuid", "received_at")
    fieldsets = (
        (None, {"fields": ("sponsorship", "lead", "scanned_by")}),
        ("Badge", {"fields": ("payload_format", "raw_payload")}),
        ("Conversation", {"fields": ("rating", "conversation_type", "interests", "notes", "consent")}),
        ("Device", {"fields": ("client_uuid", "device_id", "device_scanned_at", "received_at")}),
    )
    show_full_result_count = False

    # A lead's counters are derived from its scans: recount whatever an operator's edit touched.
    def save_model(self, request, obj, form, change):
        before = form.initial.get("lead") if change else None
        super().save_model(request, obj, form, change)
        leads_recount({before, obj.lead_id} - {None})

    def delete_model(self, request, obj):
        lead_id = obj.lead_id
        super().delete_model(request, obj)
        leads_recount({lead_id} - {None})

    def delete_queryset(self, request, queryset):
        lead_ids = set(queryset.exclude(lead__isnull=True).values_list("lead_id", flat=True))
        super().delete_queryset(request, queryset)
        leads_recount(lead_ids)

    @admin.display(description="lead", ordering="lead__attendee__last_name")
    def lead_name(self, obj: Scan) -> str:
        return str(obj.lead.attendee) if obj.lead else "unknown badge"

    @admin.display(description="scanned by", ordering="scanned_by__user__last_name")
    def scanned_by_name(self, obj: Scan) -> str:
        return staff_name(obj.scanned_by)
