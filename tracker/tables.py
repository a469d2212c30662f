"""django-tables2 tables, the NetBox way: declarative columns on top of one small base table."""

from __future__ import annotations

from collections.abc import Iterable

import django_tables2 as tables
from django.utils.html import format_html
from django_tables2 import RequestConfig

from tracker.models import FollowUp, Lead

# Columns that are always shown and never offered in the column chooser.
EXEMPT_COLUMNS = ("pk",)


def parse_columns(values: Iterable[str]) -> list[str]:
    """Column names from ``?columns=a,b,c`` and/or repeated ``?columns=a&columns=b`` (checkboxes)."""
    names: list[str] = []
    for value in values:
        names.extend(name.strip() for name in value.split(",") if name.strip())
    return list(dict.fromkeys(names))


PER_PAGE = 50
MAX_PER_PAGE = 200


def configure_table(request, table: tables.Table) -> tables.Table:
    """Sort and paginate ``table`` from the request; ``?per_page=`` is honoured up to MAX_PER_PAGE."""
    try:
        per_page = min(max(int(request.GET.get("per_page", PER_PAGE)), 1), MAX_PER_PAGE)
    except ValueError:
        per_page = PER_PAGE
    table.per_page_field = "_per_page"  # read above, capped; django-tables2 would take any size
    return RequestConfig(request, paginate={"per_page": per_page}).configure(table)


def first_reason(reasons) -> str:
    """The reason that moved the score most, as shown in a narrow column."""
    if not reasons:
        return ""
    top = max(reasons, key=lambda reason: abs(reason.get("points", 0)))
    return f"{top.get('points', 0):+d} {top.get('reason', '')}"


class BaseTable(tables.Table):
    """A selection checkbox, a default column set and a stateless column chooser.

    ``columns`` (the names to show, in ``Meta.fields`` order) comes from the request; unknown names
    are ignored, and an empty choice falls back to ``Meta.default_columns``.
    """

    pk = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"aria-label": "Select all"}})

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "data-table"}

    def __init__(self, *args, columns: Iterable[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choosable = self.choosable_columns()
        chosen = [name for name in (columns or ()) if name in choosable]
        self.selected_columns = chosen or list(getattr(self.Meta, "default_columns", choosable))
        for name in choosable:
            if name not in self.selected_columns:
                self.columns.hide(name)

    def choosable_columns(self) -> list[str]:
        """Every column the chooser offers, in display order."""
        return [
            name for name in self.sequence if name not in EXEMPT_COLUMNS and name not in (self.exclude or ())
        ]

    def column_choices(self) -> list[tuple[str, str, bool]]:
        """(name, header, shown) of every choosable column, for the chooser form."""
        return [
            (name, str(self.base_columns[name].verbose_name or name), name in self.selected_columns)
            for name in self.choosable_columns()
        ]


class LeadTable(BaseTable):
    """The leads of one sponsorship: who, how they scored, how the booth talk went, who follows up."""

    name = tables.Column(
        verbose_name="Name",
        accessor="attendee__full_name",
        order_by=("attendee__last_name", "attendee__first_name"),
        linkify=lambda record: record.get_absolute_url(),
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
    first_scan_at = tables.DateTimeColumn(verbose_name="First scan", format="j M H:i")
    last_scan_at = tables.DateTimeColumn(verbose_name="Last scan", format="j M H:i")
    consent = tables.Column(verbose_name="Consent", accessor="consent", default="not asked")
    owner = tables.Column(
        verbose_name="Owner",
        accessor="follow_up__owner",
        order_by=("follow_up__owner__user__first_name", "follow_up__owner__user__last_name"),
    )
    status = tables.Column(verbose_name="Status", accessor="follow_up__status")
    due = tables.DateColumn(verbose_name="Due", accessor="follow_up__due_on", format="j M Y")

    class Meta(BaseTable.Meta):
        model = Lead
        fields = (
            "pk",
            "name",
            "title",
            "company",
            "country",
            "event",
            "grade",
            "score",
            "top_reason",
            "rating",
            "scans",
            "first_scan_at",
            "last_scan_at",
            "consent",
            "owner",
            "status",
            "due",
        )
        sequence = fields
        default_columns = ("name", "company", "grade", "score", "rating", "last_scan_at", "owner", "status")
        empty_text = "No leads match."

    @staticmethod
    def _first_reason(reasons) -> str:
        return first_reason(reasons)

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


class FollowUpTable(BaseTable):
    """Follow-ups across the user's booths: whose, by when, how far, and what the lead is worth."""

    lead = tables.Column(
        verbose_name="Lead",
        accessor="lead__attendee__full_name",
        order_by=("lead__attendee__last_name", "lead__attendee__first_name"),
        linkify=lambda record: record.lead.get_absolute_url(),
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
    due_on = tables.DateColumn(verbose_name="Due", format="j M Y")
    channel = tables.Column(verbose_name="Channel")
    opportunity = tables.Column(
        verbose_name="Opportunity", accessor="opportunity_amount", attrs={"td": {"class": "num"}}
    )
    created_at = tables.DateTimeColumn(verbose_name="Created", format="j M H:i")
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="j M H:i")

    class Meta(BaseTable.Meta):
        model = FollowUp
        fields = (
            "pk",
            "lead",
            "company",
            "event",
            "grade",
            "score",
            "top_reason",
            "owner",
            "status",
            "due_on",
            "channel",
            "opportunity",
            "created_at",
            "updated_at",
        )
        sequence = fields
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
