"""Follow-ups of leads and the history of their status and owner changes."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.site import StackedInline, TabularInline, TrackerModelAdmin, site
from tracker.admin.staff import staff_name
from tracker.followups.history import followup_record
from tracker.models import AssignmentRule, ExportLog, FollowUp, FollowUpChange, FollowUpPolicy, ReminderDigest

_HISTORY_FIELDS = ("changed_at", "changed_by", "from_status", "to_status", "from_owner", "to_owner", "note")


class FollowUpInline(StackedInline):
    """The one follow-up of a lead, on the lead's page."""

    model = FollowUp
    fields = (
        ("owner", "channel", "due_on", "status"),
        "outcome",
        ("opportunity_amount", "opportunity_currency"),
        ("created_at", "updated_at"),
    )
    readonly_fields = ("created_at", "updated_at")
    autocomplete_fields = ("owner",)


class FollowUpChangeInline(TabularInline):
    """A follow-up's history, read-only on its page: it records what happened, oldest first."""

    model = FollowUpChange
    fields = _HISTORY_FIELDS
    readonly_fields = _HISTORY_FIELDS
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "changed_by", "from_owner__user", "from_owner__sponsor", "to_owner__user", "to_owner__sponsor"
            )
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp, site=site)
class FollowUpAdmin(TrackerModelAdmin):
    str_related = ("lead__attendee", "lead__sponsorship__sponsor")
    list_display = (
        "lead_name", "sponsor", "owner_name", "channel", "due_on", "status", "opportunity", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "channel", ("owner", admin.EmptyFieldListFilter), "lead__sponsorship__event")
    list_display_links = ("lead_name",)
    list_select_related = ("owner__user",)
    search_fields = (
        "lead__attendee__first_name",
        "lead__attendee__last_name",
        "lead__attendee__email",
        "lead__attendee__company",
        "lead__sponsorship__sponsor__name",
        "owner__user__first_name",
        "owner__user__last_name",
        "outcome",
    )
    date_hierarchy = "due_on"
    autocomplete_fields = ("lead", "owner")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("lead", "owner", "channel", "due_on", "status", "outcome")}),
        ("Opportunity", {"fields": (("opportunity_amount", "opportunity_currency"),)}),
        ("Recorded", {"fields": (("created_at", "updated_at"),)}),
    )
    inlines = (FollowUpChangeInline,)

    @admin.display(description="lead", ordering="lead__attendee__last_name")
    def save_model(self, request, obj, form, change):
        # Operators' edits go into the follow-up's history like anyone else's.
        before = (
            {"status": form.initial.get("status"), "owner_id": form.initial.get("owner")} if change else {}
        )
        super().save_model(request, obj, form, change)
        if change:
            followup_record(follow_up=obj, before=before, by=request.user, note="Changed in the admin")

    def lead_name(self, obj: FollowUp) -> str:
        return str(obj.lead.attendee)

    @admin.display(description="sponsor", ordering="lead__sponsorship__sponsor__name")
    def sponsor(self, obj: FollowUp) -> str:
        return obj.lead.sponsorship.sponsor.name

    @admin.display(description="owner", ordering="owner__user__last_name")
    def owner_name(self, obj: FollowUp) -> str:
        return staff_name(obj.owner)

    @admin.display(description="opportunity", ordering="opportunity_amount")
    def opportunity(self, obj: FollowUp) -> str:
        if obj.opportunity_amount is None:
            return "-"
        return f"{obj.opportunity_amount:,.2f} {obj.opportunity_currency}"


@admin.register(FollowUpChange, site=site)
class FollowUpChangeAdmin(TrackerModelAdmin):
    list_display = (
        "changed_at",
        "lead",
        "from_status",
        "to_status",
        "from_owner_name",
        "to_owner_name",
        "changed_by",
    )
    list_filter = ("to_status", "from_status")
    list_select_related = ("follow_up__lead__attendee", "changed_by", "from_owner__user", "to_owner__user")
    search_fields = (
        "follow_up__lead__attendee__first_name",
        "follow_up__lead__attendee__last_name",
        "follow_up__lead__attendee__company",
        "note",
        "changed_by__username",
    )
    date_hierarchy = "changed_at"
    # Corrections are made from a known follow-up (its id is on its page); its label alone is ambiguous.
    raw_id_fields = ("follow_up",)
    autocomplete_fields = ("changed_by", "from_owner", "to_owner")
    fields = ("follow_up", *_HISTORY_FIELDS)
    readonly_fields = ("changed_at",)

    @admin.display(description="lead", ordering="follow_up__lead__attendee__last_name")
    def lead(self, obj: FollowUpChange) -> str:
        return str(obj.follow_up.lead.attendee)

    @admin.display(description="from owner")
    def from_owner_name(self, obj: FollowUpChange) -> str:
        return staff_name(obj.from_owner)

    @admin.display(description="to owner")
    def to_owner_name(self, obj: FollowUpChange) -> str:
        return staff_name(obj.to_owner)


@admin.register(FollowUpPolicy, site=site)
class FollowUpPolicyAdmin(TrackerModelAdmin):
    """Which grades get follow-ups and the SLA per grade; the routing rules below, in order."""

    str_related = ("sponsor",)
    list_display = ("sponsor", "qualifying_grades", "require_consent", "sla_days", "create_when_event_ends")
    list_select_related = ("sponsor",)
    search_fields = ("sponsor__name",)
    autocomplete_fields = ("sponsor",)


@admin.register(AssignmentRule, site=site)
class AssignmentRuleAdmin(TrackerModelAdmin):
    str_related = ("owner__user",)
    list_display = ("sponsor", "position", "condition", "region", "conversation_type", "rating", "owner_name")
    list_filter = ("condition",)
    list_select_related = ("sponsor", "owner__user")
    search_fields = ("sponsor__name",)
    autocomplete_fields = ("sponsor", "owner")
    ordering = ("sponsor__name", "position")

    @admin.display(description="owner", ordering="owner__user__last_name")
    def owner_name(self, obj: AssignmentRule) -> str:
        return staff_name(obj.owner) if obj.owner else ", ".join(obj.roles or ()) or "-"


@admin.register(ReminderDigest, site=site)
class ReminderDigestAdmin(TrackerModelAdmin):
    """Overdue digests sent: read-only, they record what went out."""

    str_related = ("owner__user", "owner__sponsor")
    list_display = ("sent_on", "owner_name", "follow_up_count", "sent_at")
    list_select_related = ("owner__user", "owner__sponsor")
    date_hierarchy = "sent_on"
    search_fields = ("owner__user__first_name", "owner__user__last_name", "owner__user__email")
    readonly_fields = ("owner", "sent_on", "follow_up_count", "sent_at")

    @admin.display(description="owner", ordering="owner__user__last_name")
    def owner_name(self, obj: ReminderDigest) -> str:
        return staff_name(obj.owner)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportLog, site=site)
class ExportLogAdmin(TrackerModelAdmin):
    """Who exported which leads, when: read-only."""

    list_display = ("created_at", "user", "sponsor", "kind", "file_format", "row_count", "description")
    list_filter = ("kind", "file_format")
    list_select_related = ("user", "sponsor")
    date_hierarchy = "created_at"
    search_fields = ("user__username", "sponsor__name", "description")
    readonly_fields = (
        "user",
        "sponsor",
        "kind",
        "file_format",
        "description",
        "created_at",
        "row_count",
        "lead_ids",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
