"""The one module that reaches into django-tables2's internals, for speed the lead lists need at a
million scans (bench/lead_list.py): pages read in two steps with a capped count, orders given a
tie-break, and cells drawn without its per-cell machinery.

It relies on internals of django-tables2 2.7 (pinned below 3): the table's ``order_by`` property setter,
``TableQuerysetData.data``, ``TableListData`` and ``BoundRows``, and ``utils.signature``;
``tests/test_lead_table.py`` fails loudly if any of them moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.html import conditional_escape, format_html
from django_tables2 import RequestConfig
from django_tables2.data import TableListData, TableQuerysetData
from django_tables2.rows import BoundRows
from django_tables2.utils import signature

PER_PAGE = 50
MAX_PER_PAGE = 200


COUNT_AHEAD = 2_000
MAX_PAGE = 1_000_000  # a page number past this reads as this (a larger one overflowed the count's LIMIT)


class CountCappedPaginator(Paginator):
    """The paginator of the tables of a queryset: a capped count, and the page read in two steps.

    It counts matching rows only up to ``COUNT_AHEAD`` past the requested page.

    An exact count of a filter matching hundreds of thousands of leads cost more than the rest of the
    page together; nobody pages that far. Up to the cap the count is exact (the whole list of most
    booths: a few hundred to a few thousand leads); past it ``count_text`` reads "2,000+" and paging on
    moves the cap along (page 101 of 50 rows counts up to 7,000). The cost of a count grows with the
    cap: a search for a common word at a booth of hundreds of thousands of leads tests every lead until
    it has found that many.
    """

    def __init__(self, object_list, per_page, *, requested_page, ahead: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = min(max(int(requested_page), 1), MAX_PAGE)
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


def order_with_tiebreak(table: tables.Table, value) -> None:
    """Set ``table``'s order as django-tables2 does, then give a queryset's order a unique last key."""
    tables.Table.order_by.fset(table, value)
    if isinstance(table.data, TableQuerysetData):
        table.data.data = with_tiebreak(table.data.data)


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
