"""Spreadsheet safety (pure): no text from a user, a badge or an import ever becomes a formula."""

from __future__ import annotations

import re
import unicodedata

# Characters that make a spreadsheet read a cell as a formula (or a DDE call): = + - @, and tab, CR
# and LF, which some applications strip before looking. The full-width forms are folded to these by
# NFKC, which is how Excel and LibreOffice treat them on input.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters XML 1.0 cannot carry; openpyxl refuses them. Shown as U+FFFD rather than dropped.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula, also after leading spaces or full-width forms."""
    folded = unicodedata.normalize("NFKC", text[:8]).lstrip(" \u00a0\u3000")
    return folded.startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS)


def clean_text(text: str) -> str:
    """Text an XLSX cell can hold: illegal control characters shown as U+FFFD, nothing dropped."""
    return _ILLEGAL.sub("\ufffd", text)


def csv_safe(text: str) -> str:
    """Text for a CSV cell: formula-like values get a leading apostrophe, which spreadsheets read as text."""
    return "'" + text if looks_like_formula(text) else text
