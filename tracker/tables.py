"""django-tables2 tables, the NetBox way: declarative columns on top of one small base table.

How their pages are read, ordered and drawn faster than django-tables2 would is ``tracker.table_engine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cached_property

import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tracker import times
from tracker.models import FollowUp, Lead
from tracker.table_engine import (
    EmptyLast,
    cell_renderer,
    empty_last,
    order_with_tiebreak,
)

# Columns that are always shown and never offered in the column chooser.
EXEMPT_COLUMNS = ("pk",)


def parse_columns(values: Iterable[str]) -> list[str]:
    """Column names from ``?columns=a,b,c`` and/or repeated ``?columns=a&columns=b`` (checkboxes)."""
    names: list[str] = []
    for value in values:
        names.extend(name.strip() for name in value.split(",") if name.strip())
    return list(dict.fromkeys(names))


def first_reason(reasons) -> str:
    """The reason that moved the score most, as shown in a narrow column."""
    if not reasons:
        return ""
    top = max(reasons, key=lambda reason: abs(reason.get("points", 0)))
    return f"{top.get('points', 0):+d} {top.get('reason', '')}"


class SelectColumn(tables.CheckBoxColumn):
    """The row's selection checkbox (``name="pk"``), built without per-cell attribute machinery."""

    def render(self, value, bound_column, record):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" aria-label="Select row {}">',
            bound_column.name,
            value,
            value,
        )


class WhenColumn(tables.Column):
    """A date or a time in the active time zone (the viewer's, or the booth's event's when the table is
    one booth's), written by ``tracker.times.when``: the year only when it is not this year's.

    Formatted in Python: django-tables2's DateTimeColumn renders a template per cell, which cost more
    than the rest of a lead row together.
    """

    def render(self, value):
        return times.when(value, timezone.get_current_timezone())


def url_for_pk(url_name: str) -> Callable[[int], str]:
    """``reverse(url_name, args=[pk])`` for many rows: the URL is resolved once, then filled in per row
    (a ``reverse`` per row cost more than the rest of the cell)."""
    marker = 987654321
    head, _, tail = reverse(url_name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


class LinkColumn(tables.Column):
    """Text linking to the page of the row's lead (``url_name`` taking the lead's id)."""

    def __init__(self, *args, url_name: str = "lead-detail", pk_accessor: str = "pk", **kwargs):
        super().__init__(*args, **kwargs)
        self.url_name = url_name
        self.pk_accessor = tables.A(pk_accessor)

    @cached_property
    def url(self) -> Callable[[int], str]:
        return url_for_pk(self.url_name)

    def render(self, value, record):
        return format_html('<a href="{}">{}</a>', self.url(self.pk_accessor.resolve(record)), value)


class BaseTable(tables.Table):
    """A selection checkbox, a default column set and a stateless column chooser.

    ``columns`` (the names to show, in ``Meta.fields`` order) comes from the request; unknown names
    are ignored, and an empty choice falls back to ``Meta.default_columns``. The page's rows are
    rendered by :meth:`body_rows` (``tracker/table.html``), django-tables2 renders the rest.
    """

    pk = SelectColumn(accessor="pk", attrs={"th__input": {"aria-label": "Select all"}})

    # The related rows each column's cells read (``select_related`` paths), joined to the page's rows
    # only while the column is shown: a wide join nobody looks at costs a page more than its SQL.
    row_joins: dict[str, tuple[str, ...]] = {}
    # The relation whose rows the current order puts last when it is missing (an unscored lead), if
    # any: the paginator then reads the rows that have it apart from those that do not.
    empty_last: EmptyLast | None = None

    class Meta:
        template_name = "tracker/table.html"
        attrs = {"class": "data-table"}

    @property
    def order_by(self):
        return self._order_by

    @order_by.setter
    def order_by(self, value):
        self.empty_last = None  # set by an order_FOO method that puts rows without FOO last
        order_with_tiebreak(self, value)

    def body_rows(self) -> Iterator[SafeString]:
        """Each row of the page as one ``<tr>``: a render function per column, called per record
        (django-tables2's own per-cell path cost more than the rest of the page)."""
        cells = [cell_renderer(self, bound_column) for bound_column in self.columns]
        for row in self.paginated_rows:
            cells_html = mark_safe("".join(cell(row.record) for cell in cells))  # each cell escaped its own
            yield format_html("<tr {}>{}</tr>", row.attrs.as_html(), cells_html)

    def __init__(self, *args, columns: Iterable[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choosable = self.choosable_columns()
        chosen = [name for name in (columns or ()) if name in choosable]
        self.selected_columns = chosen or list(getattr(self.Meta, "default_columns", choosable))
        for name in choosable:
            if name not in self.selected_columns:
                self.columns.hide(name)

    def rows_queryset(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` with the joins the shown columns read, for the page's rows."""
        shown = [column.name for column in self.columns.itervisible()]
        joins = dict.fromkeys(path for name in shown for path in self.row_joins.get(name, ()))
        return queryset.select_related(*joins) if joins else queryset

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


class ScoreOrdering:
    """Sorting by score or grade with unscored rows last either way; ``score_path`` reaches the score.

    Such a page is read scored rows first, then unscored ones (``CountCappedPaginator``): sorted by a
    column of a LEFT-joined table, PostgreSQL joins and sorts every matching row, while the scored rows
    alone come from an index of the scores (leadscore_rank_idx) a page at a time.
    """

    score_path = "score"

    def order_grade(self, queryset, is_descending):
        self.empty_last = EmptyLast(self.score_path, is_descending)
        return queryset.order_by(empty_last(f"{self.score_path}__grade", is_descending)), True

    def order_score(self, queryset, is_descending):
        self.empty_last = EmptyLast(self.score_path, is_descending)
        return queryset.order_by(empty_last(f"{self.score_path}__score", is_descending)), True


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
