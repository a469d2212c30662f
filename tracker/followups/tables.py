"""The follow-up table: whose, by when, how far, and what the lead is worth."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from tracker.lists.tables import BaseTable, LinkColumn, ScoreOrdering, WhenColumn, first_reason


class FollowUpTable(ScoreOrdering, BaseTable):
    """Follow-ups across the user's booths: whose, by when, how far, and what the lead is worth."""

    score_path = "lead__score"

    lead = LinkColumn(
        verbose_name="Lead",
        accessor="lead__attendee__full_name",
        order_by=("lead__attendee__last_name", "lead__attendee__first_name"),
        pk_accessor="lead_id",
    )
    company = tables.Column(verbose_name="Company", accessor="lead__attendee__company")
    event = tables.Column(verbose_name="Event", accessor="lead__sponsorship__event__name")
    grade = tables.Column(verbose_name="Grade", accessor="lead__score__grade")
    score = tables.Column(verbose_name="Score", accessor="lead__score__score", attrs={"td": {"class": "num"}})
    top_reason = tables.Column(verbose_name="Top reason", accessor="lead__score__reasons", orderable=False)
    owner = tables.Column(
        verbose_name="Owner", accessor="owner", order_by=("owner__user__first_name", "owner__user__last_name")
    )
    status = tables.Column(verbose_name="Status", accessor="status")
    due_on = WhenColumn(verbose_name="Due")
    channel = tables.Column(verbose_name="Channel")
    opportunity = tables.Column(
        verbose_name="Opportunity", accessor="opportunity_amount", attrs={"td": {"class": "num"}}
    )
    created_at = WhenColumn(verbose_name="Created")
    updated_at = WhenColumn(verbose_name="Updated")

    row_joins = {
        **dict.fromkeys(("lead", "company"), ("lead__attendee",)),
        "event": ("lead__sponsorship__event",),
        **dict.fromkeys(("grade", "score", "top_reason"), ("lead__score",)),
        "owner": ("owner__user",),
    }

    class Meta(BaseTable.Meta):
        default_columns = ("lead", "company", "grade", "score", "owner", "status", "due_on", "opportunity")
        empty_text = "No follow-ups match."

    def render_top_reason(self, value) -> str:
        return first_reason(value)

    def value_top_reason(self, value) -> str:
        return first_reason(value)

    def render_owner(self, value) -> str:
        return value.display_name

    def value_owner(self, value) -> str:
        return value.display_name

    def render_status(self, record) -> str:
        overdue = record.is_overdue
        label = record.get_status_display()
        return format_html(
            '<span class="chip status-{}{}">{}</span>',
            record.status,
            " overdue" if overdue else "",
            label + (" · overdue" if overdue else ""),
        )

    def value_status(self, record) -> str:
        return record.get_status_display()

    def render_opportunity(self, record) -> str:
        return f"{record.opportunity_amount:,.2f} {record.opportunity_currency}"

    def value_opportunity(self, record) -> str:
        return f"{record.opportunity_amount} {record.opportunity_currency}"
