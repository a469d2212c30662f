"""Events, themes, sponsors, sponsorships and their cost lines."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import admin
from django.db.models import Prefetch

from tracker.admin.site import TabularInline, TrackerModelAdmin, count_of, site
from tracker.admin.staff import StaffMemberInline, StaffMemberInlineAudited
from tracker.models import Attendee, CostLine, Event, Lead, Scan, Sponsor, Sponsorship, StaffMember, Theme


class SponsorshipInline(TabularInline):
    """Sponsorships on an event's page (pick the sponsor) or on a sponsor's page (pick the event)."""

    model = Sponsorship
    fields = ("sponsor", "event", "tier", "has_booth", "booth_number", "no_booth_reason")
    autocomplete_fields = ("sponsor", "event")
    show_change_link = True


class CostLineInline(TabularInline):
    model = CostLine
    fields = ("category", "description", "amount", "currency", "incurred_on")
    extra = 1


@admin.register(Event, site=site)
class EventAdmin(TrackerModelAdmin):
    list_display = (
        "name",
        "city",
        "country",
        "region",
        "start_date",
        "end_date",
        "currency",
        "expected_attendance",
        "sponsorship_count",
        "attendee_count",
    )
    list_filter = ("region", "currency")
    search_fields = ("name", "slug", "city", "country")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("name",)}
    inlines = (SponsorshipInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sponsorship_count=count_of(Sponsorship, "event"), attendee_count=count_of(Attendee, "event")
            )
        )

    @admin.display(description="sponsorships", ordering="sponsorship_count")
    def sponsorship_count(self, obj: Event) -> int:
        return obj.sponsorship_count

    @admin.display(description="attendees", ordering="attendee_count")
    def attendee_count(self, obj: Event) -> int:
        return obj.attendee_count


@admin.register(Theme, site=site)
class ThemeAdmin(TrackerModelAdmin):
    list_display = ("name", "slug", "sponsorship_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sponsorship_count=count_of(Sponsorship.themes.through, "theme"))
        )

    @admin.display(description="sponsorships pushing it", ordering="sponsorship_count")
    def sponsorship_count(self, obj: Theme) -> int:
        return obj.sponsorship_count


@admin.register(Sponsor, site=site)
class SponsorAdmin(StaffMemberInlineAudited, TrackerModelAdmin):
    list_display = (
        "name",
        "domain",
        "funding_stage",
        "reporting_currency",
        "sponsorship_count",
        "staff_count",
        "lead_count",
    )
    list_filter = ("funding_stage", "reporting_currency")
    search_fields = ("name", "slug", "domain", "offering")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (StaffMemberInline, SponsorshipInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sponsorship_count=count_of(Sponsorship, "sponsor"),
                staff_count=count_of(StaffMember, "sponsor"),
                lead_count=count_of(Lead, "sponsorship__sponsor"),
            )
        )

    @admin.display(description="sponsorships", ordering="sponsorship_count")
    def sponsorship_count(self, obj: Sponsor) -> int:
        return obj.sponsorship_count

    @admin.display(description="staff", ordering="staff_count")
    def staff_count(self, obj: Sponsor) -> int:
        return obj.staff_count

    @admin.display(description="leads", ordering="lead_count")
    def lead_count(self, obj: Sponsor) -> int:
        return obj.lead_count


def totals_by_currency(cost_lines) -> dict[str, Decimal]:
    """Costs summed per currency; different currencies are never added together here."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in cost_lines:
        totals[line.currency] += line.amount
    return dict(sorted(totals.items()))


@admin.register(Sponsorship, site=site)
class SponsorshipAdmin(TrackerModelAdmin):
    str_related = ("sponsor", "event")
    list_display = (
        "sponsor", "event", "tier", "has_booth", "no_booth_reason", "lead_count", "scan_count",
        "total_cost",
    )  # fmt: skip
    list_display_links = ("sponsor",)
    list_filter = ("event", "tier", "has_booth", "no_booth_reason", "themes")
    search_fields = ("sponsor__name", "event__name", "event__city", "booth_number")
    date_hierarchy = "event__start_date"
    autocomplete_fields = ("sponsor", "event", "themes")
    fieldsets = (
        (None, {"fields": ("sponsor", "event", "tier")}),
        ("Booth", {"fields": ("has_booth", "booth_number", "no_booth_reason", "no_booth_detail")}),
        ("Showcase", {"fields": ("themes", "notes")}),
    )
    inlines = (CostLineInline,)

    def get_queryset(self, request):
        # Cost lines come in one query for the whole page; they are few per sponsorship.
        return (
            super()
            .get_queryset(request)
            .annotate(lead_count=count_of(Lead, "sponsorship"), scan_count=count_of(Scan, "sponsorship"))
            .prefetch_related(Prefetch("cost_lines", queryset=CostLine.objects.order_by()))
        )

    @admin.display(description="leads", ordering="lead_count")
    def lead_count(self, obj: Sponsorship) -> int:
        return obj.lead_count

    @admin.display(description="scans", ordering="scan_count")
    def scan_count(self, obj: Sponsorship) -> int:
        return obj.scan_count

    @admin.display(description="total cost")
    def total_cost(self, obj: Sponsorship) -> str:
        totals = totals_by_currency(obj.cost_lines.all())
        return " + ".join(f"{amount:,.2f} {currency}" for currency, amount in totals.items()) or "-"


@admin.register(CostLine, site=site)
class CostLineAdmin(TrackerModelAdmin):
    list_display = ("sponsorship", "category", "description", "amount", "currency", "incurred_on")
    list_filter = ("category", "currency", "sponsorship__event")
    list_select_related = ("sponsorship__sponsor", "sponsorship__event")
    search_fields = ("sponsorship__sponsor__name", "sponsorship__event__name", "description")
    date_hierarchy = "incurred_on"
    autocomplete_fields = ("sponsorship",)
