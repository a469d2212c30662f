"""One row of a file into what it says about a person (and, in a lead file, the conversation): pure.

A row is rejected only when it cannot say who it is (no badge id, email or name) or when a value it must
have cannot be read (a scan time that is not a date); the reason says which. Any other value that cannot
be read into its field (an unknown rating, a country nobody knows) is kept as it was written, in the
lead's extra data beside the columns nobody mapped, with a warning: nothing in a row is dropped.
Text is stored as written (formulas included: exports write it as text); only NUL, which no database
stores, becomes U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.imports.columns import ANSWER, LEADS, LEFT_OUT
from tracker.models.choices import ConversationType, Rating
from tracker.questions.answers import MULTIPLE, QuestionSpec, answer_check, not_offered

# Model limits (tracker.models.leads.Attendee): a longer value rejects the row rather than lose its end.
LIMITS = {"badge_id": 120, "first_name": 120, "last_name": 120, "email": 254, "phone": 40, "title": 200,
          "company": 200, "city": 100}  # fmt: skip
EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)  # 1954 to 2119: numbers in a date column that are Excel serial dates
DMY, MDY, YMD = "DMY", "MDY", "YMD"
DATE_ORDERS = {DMY: "day/month/year", MDY: "month/day/year", YMD: "year-month-day"}
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")

RATINGS = {
    Rating.HOT: "hot chaud heiss heiß caliente a 3 high",
    Rating.WARM: "warm tiede tiède lauwarm templado tibio b 2 medium",
    Rating.COLD: "cold froid kalt frio frío c 1 low",
}
_RATING = {word: value for value, words in RATINGS.items() for word in words.split()}
YES = {"yes", "y", "true", "1", "x", "oui", "ja", "si", "sí", "opted in", "optin", "granted", "agreed"}
NO = {"no", "n", "false", "0", "non", "nein", "opted out", "optout", "declined", "refused"}
_CONVERSATIONS = {
    **{value: value for value in ConversationType.values},
    **{str(label).casefold(): value for value, label in ConversationType.choices},
    "swag": ConversationType.SWAG_ONLY,
    "deep dive": ConversationType.TECHNICAL_DEEP_DIVE,
    "technical": ConversationType.TECHNICAL_DEEP_DIVE,
}
_SPLIT_INTERESTS = re.compile(r"[,;|\n]")


@dataclass
class Record:
    """A row that says who it is: its fields, the rest kept as extra data, and what could not be read."""

    line: int
    fields: dict[str, object]
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)  # to the sponsor's questions, by question id


@dataclass
class Rejected:
    line: int
    cells: list
    reason: str


def text(cell) -> str:
    """A cell as the text it shows: numbers without a trailing ".0", dates in ISO form, NUL replaced."""
    if cell.__class__ is str:  # nearly every cell: the common case first
        return (cell.replace("\x00", "\ufffd") if "\x00" in cell else cell).strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell).replace("\x00", "\ufffd").strip()


def date_order(values: list) -> str:
    """The order of numeric dates in a column: year first, day first (a first part above 12) or month
    first (a second part above 12); "" when no value tells."""
    for value in values:
        match = _NUMERIC_DATE.match(value) if isinstance(value, str) else None
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if len(match.group(1)) == 4:
            return YMD
        if first > 12:
            return DMY
        if second > 12:
            return MDY
    return ""


def moment(cell, order: str, zone: ZoneInfo, window: tuple[datetime, datetime] | None = None) -> datetime:
    """A scan time from a cell: a spreadsheet date, an Excel serial number, or text in ``order`` (with or
    without AM/PM, with or without its own offset); without an offset it is in ``zone``. ValueError else."""
    if isinstance(cell, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", cell):
        cell = float(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if not SERIAL_RANGE[0] <= cell <= SERIAL_RANGE[1]:
            raise ValueError(f"{text(cell)!r} is not a date")
        value = EXCEL_EPOCH + timedelta(days=float(cell))
        value = value.replace(microsecond=0)
    elif isinstance(cell, datetime):
        value = cell
    elif isinstance(cell, date):
        value = datetime.combine(cell, time())
    else:
        written = text(cell)
        if not any(ch.isdigit() for ch in written):  # "Mon", "today": dateutil would pick a day near now
            raise ValueError(f"{written!r} is not a date")
        value = _numeric_moment(written, order) or _written_moment(written, order)
    value = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    try:
        outside = window is not None and not window[0] <= value <= window[1]
    except OverflowError:  # year 1 or 9999 in a zone that moves it past the calendar's end
        outside = True
    if outside:
        raise ValueError(f"{text(cell)!r} is not a time near the event")
    return value


_NUMERIC_MOMENT = re.compile(
    r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)


def _numeric_moment(written: str, order: str) -> datetime | None:
    """The common forms ("03/31/2024 2:05 PM", "31.03.2024 14:05", "2024-03-31 14:05:09") read directly,
    without a general parser; None for anything else (an offset, a month name), left to dateutil."""
    match = _NUMERIC_MOMENT.fullmatch(written)
    if match is None:
        return None
    a, b, c, hour, minute, second, half = match.groups()
    if len(a) == 4:
        year, month, day = a, b, c
    elif order == DMY or (not order and int(a) > 12):
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if len(year) != 4:
        return None  # a two-digit year: dateutil knows the century rules
    hour = int(hour or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half[0] in "Pp" else 0)
    try:
        return datetime(int(year), int(month), int(day), hour, int(minute or 0), int(second or 0))
    except ValueError:
        return None  # let dateutil say whether it is a date at all


def _written_moment(written: str, order: str) -> datetime:
    from dateutil import parser

    try:
        return parser.parse(written, dayfirst=order == DMY, yearfirst=order == YMD)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{written!r} is not a date") from error


def rating(value: str) -> str | None:
    return _RATING.get(value.casefold()) if value else ""


def consent(value: str) -> bool | None | str:
    """True, False, None (blank) or "?" when the text says neither."""
    if not value:
        return None
    folded = value.casefold().strip()
    return True if folded in YES else False if folded in NO else "?"


def country(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a code or an English country name; None if unknown."""
    if not value:
        return ""
    import pycountry

    try:
        return pycountry.countries.lookup(value.strip()).alpha_2
    except LookupError:
        return None


def split_name(value: str) -> tuple[str, str]:
    """ "Ada Lovelace" -> ("Ada", "Lovelace"); "Lovelace, Ada" -> ("Ada", "Lovelace")."""
    if "," in value:
        last, _, first = value.partition(",")
        return first.strip(), last.strip()
    first, _, last = value.strip().partition(" ")
    return first, last.strip()


def record_of(line: int, cells: list, headers: list[str], mapping: list[str], kind: str, order: str,
              zone: ZoneInfo, window: tuple[datetime, datetime] | None = None,
              questions: Mapping[str, QuestionSpec] | None = None) -> Record | Rejected:  # fmt: skip
    """Read one row by the mapping (see the module's docstring); ``questions``: the sponsor's, by field
    ("answer:<id>"), for the columns that hold their answers."""
    record = Record(line, {})
    for index, cell in enumerate(cells):
        name = mapping[index] if index < len(mapping) else ""
        if name == LEFT_OUT:
            continue
        header = headers[index] if index < len(headers) else f"Column {index + 1}"
        if not name:
            if (shown := text(cell)) != "":
                record.extra[header] = shown
            continue
        if name.startswith(ANSWER):
            problem = _answer(record, (questions or {}).get(name), cell)
        else:
            problem = _read(record, name, cell, order, zone, window)
        if problem is _REJECT:
            return Rejected(line, cells, f"{header}: {text(cell)!r} is not a date or time near the event.")
        if problem:
            record.extra[header] = text(cell)
            record.warnings.append(f"{header}: {problem}; kept as extra data.")
    values = record.fields
    too_long = [n for n, limit in LIMITS.items() if len(str(values.get(n) or "")) > limit]
    if too_long:
        name = too_long[0]
        return Rejected(line, cells, f"{name.replace('_', ' ')} is longer than {LIMITS[name]} characters.")
    if not any(values.get(n) for n in ("badge_id", "email", "first_name", "last_name")):
        return Rejected(line, cells, "No badge id, email or name: nothing says who this row is.")
    if kind != LEADS and not any(values.get(n) for n in ("email", "first_name", "last_name")):
        return Rejected(line, cells, "Only a badge id: an attendee needs a name or an email too.")
    if kind == LEADS:
        values.setdefault("scanned_at", None)
    return record


_REJECT = object()
_SPLIT_CHOICES = re.compile(r"[;|\n]|,(?!\d)")  # "AWS, GCP" or "AWS; GCP", not a number's "3,5"


def _answer(record: Record, question: QuestionSpec | None, cell) -> str | None:
    """Put a cell's answer to one of the sponsor's questions in ``record``; a problem (text) if it cannot
    be read as one (the cell is then kept as extra data)."""
    written = text(cell)
    if question is None:
        return "not a question of this sponsor"
    if written == "":
        return None
    value = written
    if question.kind == MULTIPLE:  # a choice that has a comma in it is one choice, not two
        value = [written] if written in question.choices else [p.strip() for p in _SPLIT_CHOICES.split(written) if p.strip()]  # fmt: skip
    answer, problem = answer_check(question, value)
    if problem:
        return f"{question.label} {problem}"
    record.answers[question.key] = answer
    if unknown := not_offered(question, answer):
        record.warnings.append(
            f"{question.label}: {', '.join(map(repr, unknown))} not offered now; kept as given."
        )
    return None


def _read(record: Record, name: str, cell, order: str, zone: ZoneInfo, window):
    """Put one cell's value in ``record``; a problem (text) if it cannot be read, ``_REJECT`` if the row
    cannot be taken without it."""
    values = record.fields
    if name == "scanned_at":
        if text(cell) == "":
            values[name] = None
            return None
        try:
            values[name] = moment(cell, order, zone, window)
        except (ValueError, OverflowError):
            return _REJECT
        return None
    written = text(cell)
    if name == "full_name":
        first, last = split_name(written)
        values.setdefault("first_name", first)
        values.setdefault("last_name", last)
    elif name in ("first_name", "last_name") and not written and values.get(name):
        pass  # a blank column does not undo a full name's part
    elif name == "rating":
        values[name] = rating(written)
        if values[name] is None:
            values[name] = ""
            return f"{written!r} is not a rating (hot, warm, cold)"
    elif name == "consent":
        answer = consent(written)
        if answer == "?":
            values[name] = None
            return f"{written!r} is not a yes or a no"
        values[name] = answer
    elif name == "conversation_type":
        values[name] = _CONVERSATIONS.get(written.casefold(), "")
        if written and not values[name]:
            return f"{written!r} is not a conversation type"
    elif name == "interests":
        values[name] = [part.strip() for part in _SPLIT_INTERESTS.split(written) if part.strip()]
    elif name == "country":
        code = country(written)
        values[name] = code or ""
        if code is None:
            return f"{written!r} is not a country we know"
    elif name == "email":
        values[name] = written if not written or "@" in written else ""
        if written and "@" not in written:
            return f"{written!r} is not an email address"
    else:
        values[name] = written
    return None


def labels(headers: list[str]) -> list[str]:
    """Each column's name for its extra data: its header, numbered when it repeats ("Answer",
    "Answer (2)") or made up when blank ("Column 4"), so no column's value hides another's."""
    taken: set[str] = set()
    result = []
    for index, header in enumerate(headers):
        name = candidate = header or f"Column {index + 1}"
        number = 1
        while candidate in taken:  # also past a header that is itself "Notes (2)"
            number += 1
            candidate = f"{name} ({number})"
        taken.add(candidate)
        result.append(candidate)
    return result
