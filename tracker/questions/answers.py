"""Answers to a sponsor's qualifying questions: checked, kept in one canonical form, and shown. Pure.

An answer is kept as the phone sent it once checked: a single choice or short text as text, a multiple
choice as a list of texts, yes/no as a boolean, a number as a number. Choices are kept as their text, so
an answer stays what it was when the question's choices change later.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

SINGLE, MULTIPLE, YES_NO, NUMBER, TEXT = "single", "multiple", "yes_no", "number", "text"
KINDS = (SINGLE, MULTIPLE, YES_NO, NUMBER, TEXT)
MAX_TEXT = 200  # a short text answer, and a choice's text
MAX_NUMBER = Decimal("9999999999")  # what LeadAnswer.number holds, give or take its decimals
Answer = str | bool | float | int | list


@dataclass(frozen=True)
class QuestionSpec:
    """One question as the checks, the scan screen and the scoring engine read it."""

    id: int
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    conversation_types: tuple[str, ...] = ()
    archived: bool = False
    required_since: datetime | None = None  # a scan taken before it was made required need not answer it

    @property
    def key(self) -> str:
        return str(self.id)

    def asked_for(self, conversation_type: str) -> bool:
        """Whether the booth asks this question of a conversation of this type ("" : not said yet)."""
        return not self.conversation_types or conversation_type in self.conversation_types

    def as_config(self) -> dict:
        """What the scan screen needs to ask it (cached with the screen, for offline use)."""
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "choices": list(self.choices),
            "required": self.required,
            "conversation_types": list(self.conversation_types),
        }


@dataclass
class Checked:
    """Answers checked against a booth's questions: the usable ones, a message per key that is not, and
    a note per answer kept although the question no longer asks or offers it."""

    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


def _short(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character, which cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate, which cannot be stored"
    return None


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


# ASCII digits only, as the scan screen's numbers.js reads them (Python's \d takes every script's).
_GROUPED = {
    ",": re.compile(r"-?[1-9][0-9]{0,2}(,[0-9]{3})+"),
    ".": re.compile(r"-?[1-9][0-9]{0,2}(\.[0-9]{3}){2,}"),
}
_THOUSANDS = {
    ",": re.compile(r"-?[1-9][0-9]{0,2}(,[0-9]{3})+"),
    ".": re.compile(r"-?[1-9][0-9]{0,2}(\.[0-9]{3})+"),
}
_NUMBER = re.compile(r"-?[0-9]{1,10}(\.[0-9]+)?")


def number_text(written: str) -> str | None:
    """A number as typed, in Python's notation, or None if it is not one: spaces dropped, and of a comma
    and a point the last one the decimal mark ("1.500,5" and "1,500.5" are 1500.5). A comma alone is a
    decimal mark ("3,5"), unless it groups thousands ("1,500", "12,000,000"); a point alone is one, unless
    it groups thousands more than once ("1.500.000"). The scan screen reads numbers the same way
    (tracker/static/tracker/numbers.js)."""
    text = "".join(written.split())
    if "," in text and "." in text:
        mark = max(text.rfind(","), text.rfind("."))
        head, grouping = text[:mark], "." if text[mark] == "," else ","
        if not _THOUSANDS[grouping].fullmatch(head):
            return None  # "1.2.3,4"
        text = head.replace(grouping, "") + "." + text[mark + 1 :]
    elif _GROUPED[","].fullmatch(text) or _GROUPED["."].fullmatch(text):
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    return text if _NUMBER.fullmatch(text) else None


def answer_check(spec: QuestionSpec, value: object) -> tuple[Answer | None, str]:
    """(the canonical answer, "") or (None, why it cannot be used). An empty value is no answer."""
    if _empty(value):
        return None, ""
    kind = spec.kind
    if kind == YES_NO:
        if isinstance(value, bool):
            return value, ""
        if isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false"):
            return value.strip().lower() in ("yes", "true"), ""
        return None, "expects yes or no (true or false)"
    if kind == NUMBER:
        if isinstance(value, bool):
            return None, "expects a number"
        read = number_text(value) if isinstance(value, str) else repr(value)
        if read is None:
            return None, "expects a number"
        try:
            number = Decimal(read)
        except (InvalidOperation, TypeError, ValueError):
            return None, "expects a number"
        # adjusted() is the exponent of the leading digit: no arithmetic (abs, round) on a number with a
        # huge exponent, which raises rather than answers.
        if not number.is_finite() or number.adjusted() > 9 or number.copy_abs() > MAX_NUMBER:
            return None, f"expects a number between -{MAX_NUMBER} and {MAX_NUMBER}"
        number = number.quantize(Decimal("0.0001")) if number.adjusted() > -5 else Decimal(0)
        return (int(number) if number == number.to_integral_value() else float(number)), ""
    if kind == MULTIPLE:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            return None, "expects a list of the offered choices"
        picked = list(dict.fromkeys(item.strip() for item in items if item.strip()))
        problem = next(filter(None, (_choice_problem(item) for item in picked)), None)
        return (None, problem) if problem else ((picked or None), "")
    if not isinstance(value, str):
        return None, "expects text" if kind == TEXT else "expects one of the offered choices"
    text = value.strip()
    if problem := _text_problem(text):
        return None, problem
    if kind == SINGLE:
        return (None, problem) if (problem := _choice_problem(text)) else (text, "")
    if len(text) > MAX_TEXT:
        return None, f"at most {MAX_TEXT} characters (got {len(text)})"
    return text, ""


def _choice_problem(text: str) -> str | None:
    """Why a choice cannot be kept as an answer (None if it can). A choice the question no longer offers
    is kept as given: a phone that opened the screen before the choices changed sends the old ones."""
    if len(text) > MAX_TEXT:
        return f"a choice is at most {MAX_TEXT} characters (got {len(text)})"
    return _text_problem(text)


def not_offered(spec: QuestionSpec, answer: Answer) -> list[str]:
    """The choices of a choice answer that the question does not offer (now)."""
    if spec.kind not in (SINGLE, MULTIPLE):
        return []
    return [item for item in (answer if isinstance(answer, list) else [answer]) if item not in spec.choices]


def answers_check(specs: Mapping[str, QuestionSpec], sent: object) -> Checked:
    """Check what a scan or a correction sent as ``answers`` against its booth's questions (by key, the
    removed ones included).

    A question the booth never asked (another booth's or sponsor's, an unknown key) and an answer of the
    wrong type are errors of that key. A phone keeps the questions it opened the screen with, so an
    answer to a question removed since, or a choice no longer offered, is kept, with a warning.
    """
    checked = Checked()
    if sent is None:
        return checked
    if not isinstance(sent, dict):
        checked.errors[""] = "Expected an object of answers by question id."
        return checked
    for key, value in sent.items():
        spec = specs.get(key)
        if spec is None:
            checked.errors[key] = "This booth asks no such question."
            continue
        answer, problem = answer_check(spec, value)
        if problem:
            checked.errors[key] = f"{spec.label}: {problem}."
        elif answer is not None:
            checked.answers[key] = answer
            if spec.archived:
                checked.warnings[key] = f"{spec.label}: no longer asked; the answer is kept."
            elif unknown := not_offered(spec, answer):
                listed = ", ".join(_short(item) for item in unknown)
                checked.warnings[key] = f"{spec.label}: {listed} not offered now; kept as given."
    return checked


def required_missing(
    specs: Iterable[QuestionSpec],
    answers: Mapping[str, Answer],
    conversation_type: str,
    asked_at: datetime | None,
) -> list[QuestionSpec]:
    """The required questions asked of this conversation that ``answers`` leaves unanswered; a question
    added, or made required, after the scan was taken (``asked_at``, the phone's time) was not required of
    it."""
    return [
        spec
        for spec in specs
        if spec.required
        and not spec.archived
        and spec.asked_for(conversation_type)
        and spec.key not in answers
        and (asked_at is None or spec.required_since is None or spec.required_since <= asked_at)
    ]


def answer_text(answer: Answer) -> str:
    """An answer as people read it: "Yes", "AWS, GCP", "12", "this quarter"."""
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    if isinstance(answer, list):
        return ", ".join(map(str, answer))
    if isinstance(answer, float) and not math.isfinite(answer):
        return ""
    return str(answer)


def answer_rows(answer: Answer) -> list[tuple[str, Decimal | None]]:
    """A lead's answer as its ``LeadAnswer`` rows: (value, number) per value (several for a multiple
    choice). Yes/no is stored as "yes"/"no", the value the lead filters and ICP criteria compare."""
    if isinstance(answer, bool):
        return [("yes" if answer else "no", None)]
    if isinstance(answer, list):
        return [(str(item)[:MAX_TEXT], None) for item in answer]
    if isinstance(answer, int | float):
        number = Decimal(repr(answer)) if isinstance(answer, float) else Decimal(answer)
        return [(answer_text(answer), number)]
    return [(str(answer)[:MAX_TEXT], None)]


def lead_answers(scans_newest_first: Iterable[Mapping[str, Answer] | None]) -> dict[str, Answer]:
    """A lead's answer to each question: that of its latest scan that answered it (answers, newest
    scan first)."""
    current: dict[str, Answer] = {}
    for answers in scans_newest_first:
        for key, answer in (answers or {}).items():
            current.setdefault(key, answer)
    return current
