"""Writing workbook cells: the exports' cell writer against openpyxl's public ways, in one run.

OURS is ``tracker.exports.cells.typed_rows`` (the one module that reaches into openpyxl's internals),
appending rows shaped like a sales review's (text, numbers, money, dates, a flag, a wrapped note, text
that looks like a formula). FLOOR is openpyxl's own write-only ``append`` of the same values, with no
typing of its own (the formula-looking text made harmless beforehand, as it would have to be). PUBLIC is
what the public API offers for typing cells ourselves: a ``WriteOnlyCell`` per value, its ``data_type``
set explicitly. Each way writes the file ``--rounds`` times in turn; the best of each is reported.

    .venv/bin/python bench/xlsx_cells.py --rows 40000
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

from openpyxl import Workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402
from openpyxl.styles import Alignment  # noqa: E402

from tracker.exports.cells import DATE_FORMAT, DATETIME_FORMAT, Styled, typed_rows  # noqa: E402

ROW = (
    "Ada Lovelace", "ada@example.com", "=HYPERLINK(\"http://x\")", "Analytical Engines Ltd", "VP Engineering",
    42, 3.5, Decimal("12.50"), datetime(2024, 3, 20, 10, 42), date(2024, 3, 21), True, "hot",
    "platform, security", None, Styled("Asked about SSO and audit logs; wants a demo next week. " * 3, None, True),
)  # fmt: skip
TYPES = {str: "s", int: "n", float: "n", Decimal: "n", bool: "b", datetime: "d", date: "d"}


def write(rows: int, append_row) -> float:
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Leads")
    add = append_row(ws)
    for _ in range(rows):
        add()
    wb.save(io.BytesIO())
    return time.perf_counter() - started


def ours(ws):
    typed_rows(ws, Alignment(wrap_text=True))
    return lambda: ws.append(ROW)


def floor(ws):
    values = [v.value if isinstance(v, Styled) else v for v in ROW]
    values = ["'" + v if isinstance(v, str) and v.startswith("=") else v for v in values]
    return lambda: ws.append(values)


def public(ws):
    wrap = Alignment(wrap_text=True)
    formats = {datetime: DATETIME_FORMAT, date: DATE_FORMAT}

    def add():
        cells = []
        for item in ROW:
            if item is None:
                cells.append(None)
                continue
            value = item.value if isinstance(item, Styled) else item
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = TYPES[value.__class__]  # text stays text, whatever it starts with
            if value.__class__ in formats:
                cell.number_format = formats[value.__class__]
            if isinstance(item, Styled) and item.wrapped:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)

    return add


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=40000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    best = {"floor": float("inf"), "ours": float("inf"), "public": float("inf")}
    for _ in range(args.rounds):
        for name, way in (("floor", floor), ("ours", ours), ("public", public)):
            best[name] = min(best[name], write(args.rows, way))
    for name, seconds in best.items():
        print(f"{name:7s} {seconds:6.2f} s  ({args.rows * len(ROW) / seconds / 1e6:.2f} M cells/s)")
    print(
        f"RESULT xlsx_cells ours={best['ours']:.2f} floor={best['floor']:.2f} ratio={best['ours'] / best['floor']:.2f} "
        f"public={best['public']:.2f} public_ratio={best['public'] / best['floor']:.2f} rows={args.rows}"
    )


if __name__ == "__main__":
    main()
