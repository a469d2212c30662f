"""Ideal Customer Profiles, their criteria, and the lead scores they produced."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join

from tracker.admin.site import StackedInline, TabularInline, TrackerModelAdmin, count_of, site
from tracker.forms import CriterionForm
from tracker.models import Account, IcpCriterion, IdealCustomerProfile, LeadScore, RescoreJob


def reasons_list(score: LeadScore) -> str:
    """A score's reasons as lines of signed points, the way the tracker explains a grade."""
    if not score.reasons:
        return "-"
    return format_html_join(
        "\n",
        "<div>{} {}</div>",
        ((f"{reason.get('points', 0):+}", reason.get("reason", "")) for reason in score.reasons),
    )


class IcpCriterionInline(TabularInline):
    model = IcpCriterion
    form = CriterionForm  # the same editing as the manager's ICP page: values typed comma-separated
    fields = CriterionForm.Meta.fields
    extra = 1


class LeadScoreInline(StackedInline):
    """A lead's score, read-only: the scoring engine writes it from the ICP version it names."""

    model = LeadScore
    fields = ("grade", "score", "reason_lines", "excluded", "existing_customer", "icp", "scored_at")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("icp__sponsor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="reasons")
    def reason_lines(self, obj: LeadScore) -> str:
        return reasons_list(obj)


@admin.register(IdealCustomerProfile, site=site)
class IdealCustomerProfileAdmin(TrackerModelAdmin):
    str_related = ("sponsor",)
    list_display = (
        "__str__",
        "sponsor",
        "version",
        "status",
        "grade_a_min",
        "grade_b_min",
        "grade_c_min",
        "criterion_count",
        "published_at",
    )
    list_filter = ("status",)
    search_fields = ("sponsor__name", "notes")
    date_hierarchy = "created_at"
    autocomplete_fields = ("sponsor", "published_by")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("sponsor", "version", "status", "notes")}),
        ("Grade thresholds", {"fields": (("grade_a_min", "grade_b_min", "grade_c_min"),)}),
        ("Publication", {"fields": ("created_at", "published_at", "published_by")}),
    )
    inlines = (IcpCriterionInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # No count of the scores of each version: they have no index by version (migration 0011), and
            # the rescoring jobs (RescoreJob) say how many leads a publish scored.
            .annotate(criterion_count=count_of(IcpCriterion, "icp"))
        )

    @admin.display(description="criteria", ordering="criterion_count")
    def criterion_count(self, obj: IdealCustomerProfile) -> int:
        return obj.criterion_count


@admin.register(IcpCriterion, site=site)
class IcpCriterionAdmin(TrackerModelAdmin):
    list_display = ("label", "icp", "part", "field", "kind", "weight", "action", "position")
    list_filter = ("part", "field", "kind", "action", "icp__status")
    list_select_related = ("icp__sponsor",)
    search_fields = ("label", "icp__sponsor__name")
    autocomplete_fields = ("icp",)


@admin.register(LeadScore, site=site)
class LeadScoreAdmin(TrackerModelAdmin):
    list_display = (
        "lead",
        "sponsor",
        "grade",
        "score",
        "excluded",
        "existing_customer",
        "icp_version",
        "scored_at",
    )
    list_filter = ("grade", "excluded", "existing_customer", "lead__sponsorship__event")
    list_select_related = ("lead__attendee", "lead__sponsorship__sponsor", "icp")
    search_fields = (
        "lead__attendee__first_name",
        "lead__attendee__last_name",
        "lead__attendee__email",
        "lead__attendee__company",
        "lead__sponsorship__sponsor__name",
    )
    date_hierarchy = "scored_at"
    autocomplete_fields = ("lead", "icp")
    readonly_fields = ("scored_at", "reason_lines")
    fields = (
        "lead",
        "icp",
        "score",
        "grade",
        "excluded",
        "existing_customer",
        "reasons",
        "reason_lines",
        "scored_at",
    )

    @admin.display(description="sponsor", ordering="lead__sponsorship__sponsor__name")
    def sponsor(self, obj: LeadScore) -> str:
        return obj.lead.sponsorship.sponsor.name

    @admin.display(description="ICP", ordering="icp__version")
    def icp_version(self, obj: LeadScore) -> str:
        return f"v{obj.icp.version}"

    @admin.display(description="reasons as shown")
    def reason_lines(self, obj: LeadScore) -> str:
        return reasons_list(obj)


@admin.register(Account, site=site)
class AccountAdmin(TrackerModelAdmin):
    """A sponsor's target accounts and customers, which ICP criteria and follow-up routing read."""

    str_related = ()
    list_display = (
        "name",
        "sponsor",
        "domain_list",
        "employees",
        "industry",
        "is_target",
        "is_customer",
        "owner",
    )
    list_filter = ("is_target", "is_customer", "industry")
    list_select_related = ("sponsor", "owner__user")
    search_fields = ("name", "sponsor__name", "industry")
    autocomplete_fields = ("sponsor", "owner")

    @admin.display(description="domains")
    def domain_list(self, obj: Account) -> str:
        return ", ".join(obj.domains or [])


@admin.register(RescoreJob, site=site)
class RescoreJobAdmin(TrackerModelAdmin):
    """Rescoring runs after an ICP was published: progress, and whether a newer version stopped them."""

    str_related = ("icp__sponsor",)
    list_display = (
        "__str__",
        "status",
        "done",
        "total",
        "created_at",
        "updated_at",
        "finished_at",
    )
    list_filter = ("status",)
    search_fields = ("icp__sponsor__name",)
    readonly_fields = (
        "icp",
        "status",
        "total",
        "done",
        "cursor",
        "created_at",
        "updated_at",
        "finished_at",
    )

    def has_add_permission(self, request) -> bool:
        return False
