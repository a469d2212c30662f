"""django-tables2 tables, the NetBox way: declarative columns on top of one small base table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import RequestConfig
from django_tables2.data import TableListData, TableQuerysetData
from django_tables2.rows import BoundRows
from django_tables2.utils import signature

from tracker import times
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


COUNT_AHEAD = 2_000


class CountCappedPaginator(Paginator):
    """The paginator of the tables of a queryset: a capped count, and the page read in two steps.

    It counts matching rows only up to ``COUNT_AHEAD`` past the requested page.

    An exact count of a filter matching hundreds of thousands of leads cost more than the rest of the
    page together; nobody pages that far. Up to the cap the count is exact (the whole list of most
    booths: a few hundred to a few thousand leads); past it ``count_text`` reads "2,000+" and paging on
    moves the cap along (page 101 of 50 rows counts up to 7,000). The cost of a count grows with the
    cap: a search for a common word at a 316k-lead booth (bench/lead_list.py, 1M scans) tests every
    lead until it has found that many, 60-80 ms for 5,000.
    """

    def __init__(self, object_list, per_page, *, requested_page, ahead: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = max(int(requested_page), 1)
        except (TypeError, ValueError):
            number = 1
        self.limit = (number - 1) * self.per_page + (COUNT_AHEAD if ahead is None else ahead)
        self.capped = False

    @property
    def queryset(self) -> QuerySet:
        """The table's queryset as it is now: filtered, and sorted once the request's order is set."""
        return self.object_list.data.data

    @cached_property
    def count(self) -> int:
        counted = self.queryset.order_by().values("pk")[: self.limit + 1].count()
        self.capped = counted > self.limit
        return min(counted, self.limit)

    def page(self, number):
        """The page's rows in two queries: the ids of the page, sorted and filtered with only the joins
        that needs, then those rows with everything a row shows. Sorting whole rows, every display
        join already made, cost PostgreSQL several times more than sorting ids."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        table = self.object_list.table
        ids = self.page_ids(bottom, top, table.empty_last)
        by_pk = table.rows_queryset(self.queryset.order_by()).in_bulk(ids)
        records = [by_pk[pk] for pk in ids if pk in by_pk]
        return self._get_page(BoundRows(TableListData(records), table), number, self)

    def page_ids(self, bottom: int, top: int, empty_last: EmptyLast | None) -> list[int]:
        """The ids of rows ``bottom`` to ``top`` in the queryset's order.

        Where the order puts rows without a related row last (``empty_last``: an unscored lead), the rows
        that have one are read first, through an inner join, which lets PostgreSQL read them from an
        index in that order; the rows without one follow, by id in the order's direction, as
        ``with_tiebreak`` orders them.
        """
        queryset = self.queryset
        if empty_last is None:
            return list(queryset.values_list("pk", flat=True)[bottom:top])
        having = queryset.filter(**{f"{empty_last.path}__isnull": False})
        ids = list(having.values_list("pk", flat=True)[bottom:top])
        if len(ids) == top - bottom:
            return ids
        # Past the last row that has one: how many do (at most ``bottom``), then the others.
        had = bottom + len(ids) if ids else having.order_by().values("pk")[:bottom].count()
        by_id = "-pk" if empty_last.descending else "pk"  # with_tiebreak's last key
        lacking = queryset.filter(**{f"{empty_last.path}__isnull": True}).order_by(by_id)
        start = bottom + len(ids) - had
        return ids + list(lacking.values_list("pk", flat=True)[start : start + top - bottom - len(ids)])

    @property
    def count_text(self) -> str:
        """The number of matching rows for people: exact, or "2,000+" when counting stopped at the cap."""
        return f"{self.count:,}{'+' if self.capped else ''}"


def configure_table(request, table: tables.Table) -> tables.Table:
    """Sort and paginate ``table`` from the request; ``?per_page=`` is honoured up to MAX_PER_PAGE.

    A table of a queryset is counted by :class:`CountCappedPaginator`.
    """
    try:
        per_page = min(max(int(request.GET.get("per_page", PER_PAGE)), 1), MAX_PER_PAGE)
    except ValueError:
        per_page = PER_PAGE
    table.per_page_field = "_per_page"  # read above, capped; django-tables2 would take any size
    paginate = {"per_page": per_page}
    if isinstance(table.data, TableQuerysetData):
        paginate.update(
            paginator_class=CountCappedPaginator,
            requested_page=request.GET.get(table.prefixed_page_field, 1),
        )
    return RequestConfig(request, paginate=paginate).configure(table)


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


def cell_renderer(table: tables.Table, bound_column) -> Callable[[object], str]:
    """A function rendering one ``<td>`` of ``bound_column`` for a record, as django-tables2 does.

    The same result as ``BoundRow.get_cell`` (the table's ``render_FOO`` or the column's ``render``,
    called with the arguments it names; a choices field's label; the column's default for an empty
    value) and the column's ``td`` attributes, with what django-tables2 works out again for every cell
    (the accessor, the model field, the render method's signature, the attributes) worked out once.
    """
    accessor = tables.A(bound_column.accessor)
    render = bound_column.render
    wanted, takes_any = signature(render)
    model = getattr(table.data, "model", None)
    labels = None
    if model is not None:
        try:
            field = accessor.get_field(model)
        except FieldDoesNotExist:
            field = None
        if field is not None and getattr(field, "choices", None):
            labels = {str(value): label for value, label in field.flatchoices}
    empty_values = bound_column.column.empty_values
    default = conditional_escape(bound_column.default)
    td_attrs = bound_column.attrs["td"].as_html()
    open_tag = format_html("<td {}>", td_attrs) if td_attrs else "<td>"
    column = bound_column.column

    def render_cell(record) -> str:
        try:
            value = accessor.resolve(record)
        except (AttributeError, KeyError, TypeError, ValueError, ObjectDoesNotExist):
            value = None
        if value in empty_values:
            return f"{open_tag}{default}</td>"
        if labels is not None:
            value = labels.get(str(value), value)
        arguments = {"value": value, "record": record, "column": column, "bound_column": bound_column,
                     "table": table}  # fmt: skip
        if not takes_any:
            arguments = {name: arguments[name] for name in wanted}
        return f"{open_tag}{conditional_escape(render(**arguments))}</td>"

    return render_cell


def with_tiebreak(queryset: QuerySet) -> QuerySet:
    """``queryset`` ordered as it is, then by primary key (in the direction of its first key).

    Many leads share a score, a grade or an owner; without a unique last key the database may order
    equal rows differently from one page to the next, and paging would repeat some and skip others.
    """
    query = queryset.query
    ordering = list(query.order_by or (queryset.model._meta.ordering if query.default_ordering else ()))
    if not ordering:
        return queryset
    keys = [key if isinstance(key, str) else None for key in ordering]
    if any(key is not None and key.lstrip("-") in ("pk", "id") for key in keys):
        return queryset
    first = ordering[0]
    descending = first.startswith("-") if isinstance(first, str) else getattr(first, "descending", False)
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


@dataclass(frozen=True)
class EmptyLast:
    """An order that puts rows without ``path`` (an unscored lead's score) last, sorting the others
    ``descending`` or not: the paginator reads the two kinds apart (``CountCappedPaginator.page_ids``)."""

    path: str
    descending: bool


def empty_last(field: str, is_descending: bool) -> OrderBy:
    """Order by ``field`` with rows that have none (an unscored lead) last in either direction."""
    return F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)


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
        tables.Table.order_by.fset(self, value)
        if isinstance(self.data, TableQuerysetData):
            self.data.data = with_tiebreak(self.data.data)

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
