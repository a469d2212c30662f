"""Spreadsheet safety (pure): no text from a user, a badge or an import ever becomes a formula."""

from __future__ import annotations

import re
import unicodedata

# Characters that make a spreadsheet read a cell as a formula (or a DDE call): = + - @, and tab, CR
# and LF, which some applications strip before looking. The full-width forms are folded to these by
# NFKC, which is how Excel and LibreOffice treat them on input.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters no cell should hold (XML 1.0 cannot carry most of them; openpyxl refuses them):
# C0 but tab and line breaks, DEL and C1. Removed from every text written to a workbook or a CSV.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A phone number as people write it: only digits, spaces and + - ( ) . (and at least six digits).
# Read by a spreadsheet it is at worst a sum, never a function call, so it is written as it is: an
# apostrophe in front would end up in the CRM that imports the file.
_PHONE = re.compile(r"[+(]?[0-9][0-9 ().+-]*")


def _invisible(char: str) -> bool:
    """A character a spreadsheet may skip before it looks for "=": spaces, format and control marks."""
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Cc")


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula, also after leading spaces, invisible
    marks (a byte-order mark, a zero-width or no-break space) or full-width forms."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    head = unicodedata.normalize("NFKC", text[:32])
    start = 0
    while start < len(head) and _invisible(head[start]):
        start += 1
    return head[start:].startswith(FORMULA_TRIGGERS[:4])


def is_phone_number(text: str) -> bool:
    """True for text that holds a phone number and nothing else ("+44 20 7946 0958", "(555) 010-2000")."""
    return bool(_PHONE.fullmatch(text)) and sum(c.isdigit() for c in text) >= 6


def clean_text(text: str) -> str:
    """Text a cell can hold: control characters removed (tab and line breaks kept)."""
    return _CONTROL.sub("", text)


def csv_safe(text: str) -> str:
    """Text for a CSV cell: cleaned, and formula-like values (phone numbers aside) get a leading
    apostrophe, which spreadsheets read as text."""
    text = clean_text(text)
    return "'" + text if looks_like_formula(text) and not is_phone_number(text) else text
