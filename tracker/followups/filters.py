"""The follow-up list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from tracker.lists.filters import BetweenFilter, ScopedFilterSet, StaffChoiceFilter, TickFilter, YesNoAny
from tracker.models import Event, FollowUp, Sponsorship
from tracker.models.choices import FollowUpStatus, Grade


class FollowUpFilterSet(ScopedFilterSet):
    """Filters of the follow-up list (with those on the lead's scans, region and consent from
    ``ScopedFilterSet``)."""

    lead_path = "lead__"
    filter_order = (
        "q", "event", "sponsorship", "owner", "unassigned", "status", "grade", "rating", "conversation_type",
        "interest", "scanned_by", "country", "region", "consent", "overdue", "due",
    )  # fmt: skip

    event = django_filters.ModelChoiceFilter(
        field_name="lead__sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(
        field_name="lead__sponsorship", queryset=Sponsorship.objects.none(), label="Booth"
    )
    owner = StaffChoiceFilter(field_name="owner", label="Owner")
    unassigned = django_filters.BooleanFilter(
        field_name="owner", lookup_expr="isnull", label="Unassigned", widget=YesNoAny
    )
    status = TickFilter(choices=FollowUpStatus.choices, label="Follow-up status")
    grade = TickFilter(field_name="lead__score__grade", choices=Grade.choices, label="Grade")
    country = django_filters.CharFilter(
        field_name="lead__attendee__country", lookup_expr="iexact", label="Country"
    )
    overdue = django_filters.BooleanFilter(method="is_overdue", label="Overdue", widget=YesNoAny)
    due = BetweenFilter(field_name="due_on", label="Due between")

    class Meta(ScopedFilterSet.Meta):
        model = FollowUp

    def is_overdue(self, queryset: QuerySet[FollowUp], name: str, value) -> QuerySet[FollowUp]:
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.exclude(pk__in=queryset.overdue().values("pk"))
