"""What the lead and follow-up tables share, the NetBox way: declarative columns on top of one small
base table (the tables themselves live with their domain: ``leads.tables``, ``followups.tables``).

How their pages are read, ordered and drawn faster than django-tables2 would is ``tracker.lists.engine``.
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
from tracker.lists.engine import (
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

    Columns are shown in the order they are declared (the checkbox first); ``Meta.default_columns`` names
    those shown when the request chooses none.

    ``columns`` (the names to show, in declaration order) comes from the request; unknown names
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
            (name, str(self.columns[name].verbose_name or name), name in self.selected_columns)
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
