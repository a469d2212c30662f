"""The one module that reaches into openpyxl: cells typed by their value's class, for write-only sheets.

openpyxl's write-only worksheet makes each appended row's cells by guessing every value's type (text
starting with "=" becomes a formula, "#N/A" an error; a styled cell takes a slow path). ``typed_rows``
puts in its place a maker that types each cell by its value's class: text is always text, so nothing a
user typed can become a formula, and it is faster than openpyxl's own (bench/exports.py measures both).
It relies on two openpyxl 3.1 internals, ``WriteOnlyWorksheet._values_to_row`` and ``Cell._value``
(openpyxl is pinned below 3.2); ``tests/test_exports.py`` fails loudly if either moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.styles.numbers import FORMAT_DATE_DATETIME, FORMAT_DATE_YYYYMMDD2

# The formats every date and time gets (openpyxl's own defaults): cells of these columns need no
# ``Styled`` value, and the writer keeps one cell for each.
DATE_FORMAT = FORMAT_DATE_YYYYMMDD2  # yyyy-mm-dd
DATETIME_FORMAT = FORMAT_DATE_DATETIME  # yyyy-mm-dd h:mm:ss
# Excel's limit on the text of a cell; openpyxl cuts longer text there, and so do we.
MAX_TEXT = 32767


class Styled(NamedTuple):
    """A value that needs a styled cell: a number format or wrapped text.

    A named tuple rather than a dataclass: the sales review's rows cross a pipe pickled, and a tuple
    unpickles in about half the time."""

    value: object
    number_format: str | None
    wrapped: bool


# A cell's type in the file, by the class of its value; "d" cells also need a date format.
_DATA_TYPES = {str: "s", int: "n", float: "n", Decimal: "n", bool: "b", datetime: "d", date: "d"}


def _typed_cells(ws, wrap: Alignment) -> Callable:
    """What turns each appended row of ``cell_values``' output into cells, in place of openpyxl's own.

    openpyxl's write-only worksheet asks its ``_values_to_row`` for the cells of each row appended. Its
    own makes each cell by guessing the value's type: text starting with "=" becomes a formula, "#N/A"
    an error, and a styled cell takes a slow path of its own (a third of the cells of a sales review).
    Here the type follows the value's class: text is always text (inline string), however it starts,
    so nothing an attendee typed can become a formula; numbers are numbers, times are dates. And one
    cell object per style is reused from cell to cell, as openpyxl writes each cell before it asks for
    the next: no cell is made per value. Values of other classes (none in our exports) go through
    openpyxl's own binding. Appended ``Cell`` objects (the bold header) are written as they are.

    Relies on two internals of openpyxl 3.1 (pinned in pyproject.toml): the worksheet's
    ``_values_to_row`` hook and the cell's ``_value``; every export test reads the files back.
    """
    cells: dict[tuple[str | None, bool], Cell] = {}

    def cell_for(number_format: str | None, wrapped: bool) -> Cell:
        cell = cells.get((number_format, wrapped))
        if cell is None:
            cell = cells[number_format, wrapped] = WriteOnlyCell(ws)
            if number_format:
                cell.number_format = number_format
            if wrapped:
                cell.alignment = wrap
        return cell

    plain = cell_for(None, False)
    dated = {datetime: cell_for(DATETIME_FORMAT, False), date: cell_for(DATE_FORMAT, False)}

    def values_to_row(values: Sequence, row_idx: int) -> Iterator[Cell]:
        for column, value in enumerate(values, 1):
            if value is None:
                continue
            kind = value.__class__
            if kind is Styled:
                cell = cell_for(value.number_format, value.wrapped)
                value = value.value
                kind = value.__class__
            elif kind is Cell:
                cell = value
                cell.column, cell.row = column, row_idx
                yield cell
                continue
            else:
                cell = dated.get(kind, plain)
            data_type = _DATA_TYPES.get(kind)
            if data_type is None and isinstance(value, str):  # a subclass (Django's SafeString): text
                data_type, value = "s", str(value)
            if data_type is None:  # a class of value our exports do not make: openpyxl's own way
                cell = WriteOnlyCell(ws, value=value)
            else:
                cell.data_type = data_type
                cell._value = value[:MAX_TEXT] if data_type == "s" else value
            cell.column, cell.row = column, row_idx
            yield cell

    return values_to_row


def typed_rows(ws, wrap: Alignment) -> None:
    """Have the write-only worksheet ``ws`` make its appended rows' cells with ``_typed_cells``."""
    ws._values_to_row = _typed_cells(ws, wrap)
