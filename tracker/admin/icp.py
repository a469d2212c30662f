"""Ideal Customer Profiles, their criteria, and the lead scores they produced.

A published (or superseded) version is read-only here as everywhere: scores name the version that
produced them, and scoring processes keep each published version compiled. Operators change an ICP the
way managers do: a new draft, edited, then published through ``icp_publish`` (the admin actions).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.utils.html import format_html_join

from tracker.admin.site import StackedInline, TabularInline, TrackerModelAdmin, count_of, site
from tracker.models import Account, IcpCriterion, IdealCustomerProfile, LeadScore, RescoreJob
from tracker.models.choices import IcpStatus
from tracker.scoring.forms import CriterionForm
from tracker.scoring.versions import icp_new_draft, icp_publish

READ_ONLY_VERSION = "Published versions are read-only: use the action “New draft from this version”, edit it, then publish it."


def _is_draft(icp: IdealCustomerProfile | None) -> bool:
    return icp is None or icp.status == IcpStatus.DRAFT


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
    autocomplete_fields = ("question",)

    # ``obj`` is the ICP: only a draft's criteria are added, changed or deleted.
    def has_add_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)


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
    autocomplete_fields = ("sponsor",)
    actions = ("new_draft", "publish")
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

    def get_readonly_fields(self, request, obj=None):
        publication = ("version", "status", "created_at", "published_at", "published_by")
        if obj is None:  # a new version is a draft, numbered after the sponsor's latest
            return publication
        if obj.status == IcpStatus.DRAFT:
            return ("sponsor", *publication)
        return ("sponsor", "notes", "grade_a_min", "grade_b_min", "grade_c_min", *publication)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        icp = self.get_object(request, object_id)
        if icp is not None and not _is_draft(icp) and request.method == "GET":
            self.message_user(request, READ_ONLY_VERSION, messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            latest = IdealCustomerProfile.objects.filter(sponsor=obj.sponsor).aggregate(v=Max("version"))["v"]
            obj.version, obj.status = (latest or 0) + 1, IcpStatus.DRAFT
        super().save_model(request, obj, form, change)

    @admin.action(description="New draft from this version (copies its thresholds and criteria)")
    def new_draft(self, request, queryset) -> None:
        for sponsor_id in sorted(set(queryset.values_list("sponsor_id", flat=True))):
            draft = IdealCustomerProfile.objects.filter(sponsor_id=sponsor_id, status=IcpStatus.DRAFT).first()
            if draft is not None:
                self.message_user(request, f"{draft} already exists: edit it.", messages.WARNING)
                continue
            draft = icp_new_draft(sponsor_id=sponsor_id)
            self.message_user(request, f"{draft} created from the current version.", messages.SUCCESS)

    @admin.action(description="Publish the selected draft (rescores the sponsor's leads)")
    def publish(self, request, queryset) -> None:
        drafts = list(queryset.filter(status=IcpStatus.DRAFT).select_related("sponsor"))
        sponsors = [icp.sponsor_id for icp in drafts]
        if len(drafts) != queryset.count() or len(set(sponsors)) != len(sponsors):
            self.message_user(
                request, "Select drafts only, at most one per sponsor: nothing was published.", messages.ERROR
            )
            return
        for draft in drafts:
            job = icp_publish(icp=draft, by=request.user)
            self.message_user(
                request, f"{draft.sponsor} ICP v{draft.version} is now current: rescoring {job.total} leads."
            )

    @admin.display(description="criteria", ordering="criterion_count")
    def criterion_count(self, obj: IdealCustomerProfile) -> int:
        return obj.criterion_count


class IcpCriterionAdminForm(CriterionForm):
    class Meta(CriterionForm.Meta):
        fields = ("icp", *CriterionForm.Meta.fields)

    def clean_icp(self):
        icp = self.cleaned_data["icp"]
        if not _is_draft(icp):
            raise forms.ValidationError(READ_ONLY_VERSION)
        return icp


@admin.register(IcpCriterion, site=site)
class IcpCriterionAdmin(TrackerModelAdmin):
    """Criteria one by one; those of a published version are shown, never changed."""

    form = IcpCriterionAdminForm
    list_display = ("label", "icp", "part", "field", "kind", "weight", "action", "position")
    list_filter = ("part", "field", "kind", "action", "icp__status")
    list_select_related = ("icp__sponsor",)
    search_fields = ("label", "icp__sponsor__name")
    autocomplete_fields = ("icp", "question")

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or _is_draft(obj.icp)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or _is_draft(obj.icp)) and super().has_delete_permission(request, obj)


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
    list_display = ("__str__", "status", "done", "total", "created_at", "updated_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("icp__sponsor__name",)
    readonly_fields = ("icp", "status", "total", "done", "cursor", "created_at", "updated_at", "finished_at")

    def has_add_permission(self, request) -> bool:
        return False
