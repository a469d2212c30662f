"""The lead lists' filters."""

from __future__ import annotations

import django_filters
from django import forms

from tracker.lists.filters import FilterForm, ScopedFilterSet, StaffChoiceFilter
from tracker.models import Event, Lead, Sponsorship
from tracker.models.choices import FollowUpStatus, Grade


class LeadFilterSet(ScopedFilterSet):
    """Filters of the lead lists (with those on scans, region and consent from ``ScopedFilterSet``)."""

    filter_order = (
        "q", "event", "sponsorship", "grade", "rating", "conversation_type", "interest", "owner", "status",
        "country", "region", "scanned_by", "last_scan", "consent",
    )  # fmt: skip

    event = django_filters.ModelChoiceFilter(
        field_name="sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(queryset=Sponsorship.objects.none(), label="Booth")
    # One score and one follow-up per lead: no row can repeat, so no DISTINCT (it made PostgreSQL
    # sort and count every matching lead with its subqueries).
    grade = django_filters.MultipleChoiceFilter(
        field_name="score__grade",
        choices=Grade.choices,
        label="Grade",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = StaffChoiceFilter(field_name="follow_up__owner", label="Owner")
    status = django_filters.MultipleChoiceFilter(
        field_name="follow_up__status",
        choices=FollowUpStatus.choices,
        distinct=False,
        label="Follow-up status",
        widget=forms.CheckboxSelectMultiple,
    )
    country = django_filters.CharFilter(field_name="attendee__country", lookup_expr="iexact", label="Country")
    last_scan = django_filters.DateFromToRangeFilter(
        field_name="last_scan_at",
        label="Last scan between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Lead
        fields = ()
        form = FilterForm
