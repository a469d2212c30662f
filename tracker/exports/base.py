"""The one export base: sheets of a header and rows in; a write-only XLSX workbook or a CSV file out.

A concrete export only says what its sheets are (``Column`` headers, widths and formats) and yields
rows of plain Python values. The writers own everything else: bold frozen headers, autofilters, column
widths, real cell types, formula neutralisation (text cells are always written as text, never as
formulas), and progress reports. Memory stays flat: rows are streamed into the file as they come.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter

from tracker.exports.cells import DATE_FORMAT, DATETIME_FORMAT, Styled, typed_rows
from tracker.exports.safety import clean_text, csv_safe

Progress = Callable[[int, int | None], None]
PROGRESS_EVERY = 1000

_OWN_FORMATS = {date: DATE_FORMAT, datetime: DATETIME_FORMAT}
INTEGER_FORMAT = "#,##0"
AMOUNT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"


def currency_format(code: str) -> str:
    """An Excel number format showing the ISO currency code, e.g. ``#,##0.00 "EUR"``."""
    return f'#,##0.00 "{code}"' if re.fullmatch(r"[A-Z]{3}", code or "") else AMOUNT_FORMAT


@dataclass(frozen=True)
class Formatted:
    """A cell value with its own number format, where a column mixes them (amounts in several currencies)."""

    value: object
    number_format: str


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 16
    number_format: str | None = None
    wrap: bool = False


@dataclass
class Sheet:
    """One sheet: its columns and the rows that fill them (an iterable, consumed once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    row_count: int | None = None  # for progress, when known up front
    # The rows already went through ``cell_values`` (the sales review does it in its reader process).
    cell_values: bool = False
    # Native charts, built once the rows are written: each takes (worksheet, data rows written) and
    # returns (anchor cell, openpyxl chart) with references into this sheet.
    charts: list[Callable] = field(default_factory=list)


class Export:
    """A named export made of sheets; subclasses implement :meth:`sheets`."""

    filename = "export"

    def sheets(self) -> Iterator[Sheet]:
        raise NotImplementedError


def safe_sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'") or "Sheet"
    name = name[:31].rstrip() or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _to_cell_value(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones: the wall time in the zone the export chose (the event's, for scans).
        return value.replace(tzinfo=None)
    return value


# Values a column's number format applies to (a bool is an int, as before); to dates, only a date format.
_NUMBERS = (int, float, Decimal)


def cell_values(columns: Sequence[Column]) -> Callable[[Sequence], list]:
    """A function turning a row of values into what its cells hold: the value itself (text, numbers
    without a format, blanks), or ``Styled`` where a number format applies or where a text of a wrapped
    column needs wrapping (a line break, or longer than the column is wide). Text is cleaned
    (``clean_text``).

    Pure, and its results pickle: the sales review runs it in its reader process (``read_ahead``).
    """
    formats = [column.number_format for column in columns]
    # A wrapped column wraps the texts that need it: a line break, or more characters than its width.
    wraps = [int(column.width) if column.wrap else 0 for column in columns]

    def text(value: str, wrap_over: int):
        value = clean_text(value)
        if wrap_over and (len(value) > wrap_over or "\n" in value):
            return Styled(value, None, True)
        return value

    def other(value, number_format: str | None, wrap_over: int):
        if isinstance(value, Formatted):
            value, number_format = value.value, value.number_format
        if isinstance(value, str):
            return text(value, wrap_over)
        value = _to_cell_value(value)
        if number_format and _OWN_FORMATS.get(type(value)) != number_format:
            if is_date_format(number_format) if isinstance(value, date) else isinstance(value, _NUMBERS):
                return Styled(value, number_format, False)
        return value

    def values_of(row: Sequence) -> list:
        values = []
        append = values.append
        for value, number_format, wrap_over in zip(row, formats, wraps, strict=True):
            if value.__class__ is str:  # most cells: checked first
                # Most texts are printable (no line break nor control character) and fit their column:
                # they go as they are, without the checks of text().
                if not value.isprintable() or (wrap_over and len(value) > wrap_over):
                    value = text(value, wrap_over)
            elif value is not None:
                value = other(value, number_format, wrap_over)
            append(value)
        return values

    return values_of


# Wider than this (in character widths) a sheet prints across an A4 or Letter page turned sideways.
PORTRAIT_WIDTH = 95


def _print_setup(ws, width: float) -> None:
    """Printed, every sheet fits the page's width (as many pages down as it needs), repeats its header
    row on each page, and is turned sideways when wide."""
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def write_xlsx(export: Export, stream: IO[bytes], progress: Progress | None = None) -> int:
    """Write ``export`` as a write-only workbook to ``stream``; the number of data rows written."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()
    total = 0
    for sheet in export.sheets():
        ws = workbook.create_sheet(safe_sheet_title(sheet.title, taken))
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        _print_setup(ws, sum(column.width for column in sheet.columns))
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws)
            cell.data_type, cell._value = "s", clean_text(column.header)
            cell.font, cell.alignment = bold, wrap  # a long header wraps rather than running over the next
            header.append(cell)
        typed_rows(ws, wrap)
        ws.append(header)
        values_of = None if sheet.cell_values else cell_values(sheet.columns)
        written = 0
        for row in sheet.rows:
            ws.append(row if values_of is None else values_of(row))
            written += 1
            if progress and written % PROGRESS_EVERY == 0:
                progress(total + written, total + sheet.row_count if sheet.row_count is not None else None)
        last = get_column_letter(max(len(sheet.columns), 1))
        ws.auto_filter.ref = f"A1:{last}{written + 1}"
        for make_chart in sheet.charts:
            if written:
                anchor, chart = make_chart(ws, written)
                ws.add_chart(chart, anchor)
        total += written
    workbook.save(stream)
    if progress:
        progress(total, total)
    return total


def write_csv(export: Export, stream: IO[str], progress: Progress | None = None) -> int:
    """Write the export's first sheet as CSV (UTF-8 with BOM for Excel); formula-like text is prefixed."""
    sheet = next(iter(export.sheets()))
    writer = csv.writer(stream)
    stream.write("\ufeff")
    writer.writerow([csv_safe(column.header) for column in sheet.columns])
    written = 0
    for row in sheet.rows:
        writer.writerow([_csv_value(value) for value in row])
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress(written, sheet.row_count)
    if progress:
        progress(written, written)
    return written


def _csv_value(value) -> str:
    if isinstance(value, (Formatted, Styled)):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _to_cell_value(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return csv_safe(value)
    return str(value)
