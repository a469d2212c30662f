"""The lead lists' filters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from tracker.analytics.stages import STEP_LABELS, reached
from tracker.lists.filters import BetweenFilter, ScopedFilterSet, StaffChoiceFilter, TickFilter
from tracker.models import Event, Lead, Sponsorship
from tracker.models.choices import FollowUpStatus, Grade


class LeadFilterSet(ScopedFilterSet):
    """Filters of the lead lists (with those on scans, region and consent from ``ScopedFilterSet``)."""

    filter_order = (
        "q", "event", "sponsorship", "grade", "rating", "conversation_type", "interest", "owner", "status",
        "reached", "country", "region", "scanned_by", "last_scan", "consent",
    )  # fmt: skip

    event = django_filters.ModelChoiceFilter(
        field_name="sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(queryset=Sponsorship.objects.none(), label="Booth")
    grade = TickFilter(field_name="score__grade", choices=Grade.choices, label="Grade")
    owner = StaffChoiceFilter(field_name="follow_up__owner", label="Owner")
    status = TickFilter(
        field_name="follow_up__status", choices=FollowUpStatus.choices, label="Follow-up status"
    )
    reached = django_filters.ChoiceFilter(
        choices=list(STEP_LABELS.items()), method="has_reached", label="Got as far as"
    )
    country = django_filters.CharFilter(field_name="attendee__country", lookup_expr="iexact", label="Country")
    last_scan = BetweenFilter(field_name="last_scan_at", label="Last scan between")

    class Meta(ScopedFilterSet.Meta):
        model = Lead

    def has_reached(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """Leads whose follow-up got this far at some time (the ROI funnel's steps link here)."""
        return queryset.filter(reached(value))
