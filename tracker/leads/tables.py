"""The lead table: who, how they scored, how the booth talk went, who follows up."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from tracker.lists.engine import empty_last
from tracker.lists.tables import BaseTable, LinkColumn, ScoreOrdering, WhenColumn, first_reason


class LeadTable(ScoreOrdering, BaseTable):
    """The leads of one sponsorship: who, how they scored, how the booth talk went, who follows up."""

    name = LinkColumn(
        verbose_name="Name",
        accessor="attendee__full_name",
        order_by=("attendee__last_name", "attendee__first_name"),
    )
    title = tables.Column(verbose_name="Title", accessor="attendee__title")
    company = tables.Column(verbose_name="Company", accessor="attendee__company")
    country = tables.Column(verbose_name="Country", accessor="attendee__country")
    event = tables.Column(verbose_name="Event", accessor="sponsorship__event__name")
    grade = tables.Column(verbose_name="Grade", accessor="score__grade")
    score = tables.Column(verbose_name="Score", accessor="score__score", attrs={"td": {"class": "num"}})
    top_reason = tables.Column(verbose_name="Top reason", accessor="score__reasons", orderable=False)
    rating = tables.Column(verbose_name="Rating", accessor="latest_rating")
    scans = tables.Column(verbose_name="Scans", accessor="scan_count", attrs={"td": {"class": "num"}})
    first_scan_at = WhenColumn(verbose_name="First scan")
    last_scan_at = WhenColumn(verbose_name="Last scan")
    consent = tables.Column(verbose_name="Consent", accessor="consent", default="not asked")
    owner = tables.Column(
        verbose_name="Owner",
        accessor="follow_up__owner",
        order_by=("follow_up__owner__user__first_name", "follow_up__owner__user__last_name"),
    )
    status = tables.Column(verbose_name="Status", accessor="follow_up__status")
    due = WhenColumn(verbose_name="Due", accessor="follow_up__due_on")

    row_joins = {
        **dict.fromkeys(("name", "title", "company", "country"), ("attendee",)),
        "event": ("sponsorship__event",),
        **dict.fromkeys(("grade", "score", "top_reason"), ("score",)),
        "owner": ("follow_up__owner__user",),
        **dict.fromkeys(("status", "due"), ("follow_up",)),
    }

    class Meta(BaseTable.Meta):
        default_columns = ("name", "company", "grade", "score", "rating", "last_scan_at", "owner", "status")
        empty_text = "No leads match."

    @staticmethod
    def _first_reason(reasons) -> str:
        return first_reason(reasons)

    # A lead without a contact time (met only in a file's rows without one) comes last either way.
    def order_first_scan_at(self, queryset, is_descending):
        return queryset.order_by(empty_last("first_scan_at", is_descending)), True

    def order_last_scan_at(self, queryset, is_descending):
        return queryset.order_by(empty_last("last_scan_at", is_descending)), True

    def render_top_reason(self, value) -> str:
        return self._first_reason(value)

    def value_top_reason(self, value) -> str:
        return self._first_reason(value)

    def render_rating(self, value) -> str:
        return format_html('<span class="chip rating-{}">{}</span>', value, value.title())

    def value_rating(self, value) -> str:
        return value

    def render_consent(self, value) -> str:
        return "yes" if value else "no"

    def render_owner(self, value) -> str:
        # Only the user is joined: StaffMember.__str__ would fetch the sponsor, one query per row.
        return value.display_name

    def value_owner(self, value) -> str:
        return value.display_name

    def render_status(self, record) -> str:
        return record.follow_up.get_status_display()
