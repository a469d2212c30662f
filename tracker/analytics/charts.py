"""Bars for the charts of the figures pages, drawn as SVG by ``tracker/includes/bar_chart.html``. Pure.

A chart is a list of bars, each with its label, the number as shown, and its length as a share of the
longest; the page puts a table of the same numbers under it, so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    value: Number | None
    text: str  # the number as the page writes it
    length: float  # 0 to 100: the share of the chart's width
    note: str = ""  # beside the number, e.g. the conversion from the step before
    href: str = ""  # where the leads this bar counts are listed


def bars(
    items: Iterable[tuple[str, Number | None, str]], notes: Iterable[str] = (), hrefs: Iterable[str] = ()
):
    """(label, value, text) per bar; a missing value draws no bar but keeps its row ("—")."""
    items, notes, hrefs = list(items), list(notes), list(hrefs)
    longest = max((float(value) for _, value, _ in items if value is not None and value > 0), default=0.0)
    return [
        Bar(
            label,
            value,
            text,
            round(100 * float(value) / longest, 2) if longest and value is not None and value > 0 else 0.0,
            notes[i] if i < len(notes) else "",
            hrefs[i] if i < len(hrefs) else "",
        )
        for i, (label, value, text) in enumerate(items)
    ]


def share(part: Number | None, whole: Number | None) -> str:
    """ "62%" of a step against the one before, or "" where there is nothing to compare."""
    if part is None or not whole:
        return ""
    return f"{100 * float(part) / float(whole):.0f}%"
