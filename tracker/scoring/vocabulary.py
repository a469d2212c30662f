"""What an ICP criterion's values may be, per field (pure): the closed lists with their labels, and what
the free ones take. The ICP editor offers these and maps what a manager types ("C-level", "Director")
to the keys the scoring engine matches; a value that is none of them is an error, never silently missed.
"""

from __future__ import annotations

from tracker.models.choices import ConversationType, Rating, Region
from tracker.scoring.normalise_titles import FUNCTIONS, SENIORITIES, fold
from tracker.scoring.values import ACADEMIC, CAP_GRADE, FREE_MAIL

SENIORITY_LABELS = {
    "founder": "Founder", "c_level": "C-level (CEO, CTO, CISO, ...)", "vp": "VP", "director": "Director",
    "manager": "Manager, team or tech lead", "senior_ic": "Senior, staff or principal engineer",
    "ic": "Engineer, developer, analyst", "student": "Student", "unknown": "Title unknown or unclear",
}  # fmt: skip
FUNCTION_LABELS = {
    "platform": "Platform engineering, infrastructure, cloud", "sre": "SRE, operations, DevOps", "security": "Security",
    "data_ai": "Data, ML and AI", "app_dev": "Application development", "product": "Product",
    "sales_marketing": "Sales and marketing", "other": "Other or unclear",
}  # fmt: skip
assert set(SENIORITY_LABELS) == set(SENIORITIES) and set(FUNCTION_LABELS) == set(FUNCTIONS)

# The fields whose values come from a closed list: key -> label.
CLOSED: dict[str, dict[str, str]] = {
    "seniority": SENIORITY_LABELS,
    "function": FUNCTION_LABELS,
    "rating": dict(Rating.choices),
    "conversation_type": dict(ConversationType.choices),
    "region": dict(Region.choices),
}


def value_shown(field: str, value: str) -> str:
    """A criterion's value as a reason shows it: a closed list's label without its examples ("C-level",
    "Technical deep-dive"), whatever the case it was stored in; else the value as written."""
    keys = closed_values(field, [value])[0] if field in CLOSED else []
    return CLOSED[field][keys[0]].split(" (")[0] if keys else value


PSEUDO_SHOWN = {FREE_MAIL: "free email (Gmail and the like)", ACADEMIC: "universities"}


def _number(value) -> str:
    """200.00 -> "200", 2.50 -> "2.5", 12000 -> "12,000"."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def matches_shown(kind: str, field: str, values, min_value=None, max_value=None) -> str:
    """What a criterion matches, for people (pure): "Director, VP or C-level", "200 or more", "mentions
    pricing, PoC or budget", "free email (Gmail and the like)"; never a stored key."""
    values = (values,) if isinstance(values, str) else values or ()  # a lone string, not its letters
    shown = [PSEUDO_SHOWN.get(str(v)) or value_shown(field, str(v)) for v in values]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1] if shown else ""
    if kind == "range":
        if min_value is not None and max_value is not None:
            return f"{_number(min_value)} to {_number(max_value)}"
        if min_value is not None:
            return f"{_number(min_value)} or more"
        return f"{_number(max_value)} or fewer" if max_value is not None else "any number"
    if kind == "keyword":
        return f"mentions {listed} (not when negated)" if listed else ""
    return listed


def effect_shown(part: str, action: str, weight: int, cap_grade: str = CAP_GRADE) -> str:
    """What a matching criterion does to the score, as the engine does it (pure): "+20", "-10",
    "excluded", "grade at most C", "existing customer"."""
    if part != "negative":
        return f"{int(weight):+d}"
    return {
        "exclude": "excluded",
        "cap": f"grade at most {cap_grade}",
        "flag_customer": "existing customer: to the account owner",
    }.get(action, f"{-abs(int(weight)):+d}")


# What the other fields take, in words, for the editor.
OPEN_HELP = {
    "company_size": "A numeric range: fill Min and/or Max (employees, from the target-account list).",
    "scan_count": "A numeric range: fill Min and/or Max (how many times the person was scanned).",
    "industry": "Industries as written in the target-account list, comma-separated.",
    "country": "ISO country codes, comma-separated, e.g. FR, DE, US.",
    "target_account": f"Account names or domains, comma-separated; {ACADEMIC} for universities.",
    "email_domain": f"Domains, comma-separated, e.g. competitor.example; {FREE_MAIL} for Gmail and the like, "
    f"{ACADEMIC} for universities.",
    "interest": "Interests and themes as staff tap them at the booth, comma-separated.",
    "notes": "Words or phrases looked for in the notes (a negated mention does not count), comma-separated.",
    "answer": "Pick the question: its answers in a set (choices, yes or no), a number in a range (Min / Max), "
    "or words in a short text answer (keyword).",
}


OPEN_SHORT = {
    "company_size": "use Min / Max", "scan_count": "use Min / Max", "industry": "industries",
    "country": "ISO codes: FR, DE", "target_account": "accounts or domains", "interest": "interests, themes",
    "email_domain": f"domains, {FREE_MAIL}, {ACADEMIC}", "notes": "words or phrases",
    "answer": "the question's answers",
}  # fmt: skip


def short_help_for(field: str) -> str:
    """What ``field`` takes in a few words, for the space under a rule's values: its keys, or a hint."""
    return ", ".join(CLOSED[field]) if field in CLOSED else OPEN_SHORT.get(field, "")


def help_for(field: str) -> str:
    """One line saying what ``field`` takes: its allowed keys with their labels, or how to write them."""
    if field in CLOSED:
        return "One or more of: " + "; ".join(f"{key} ({label})" for key, label in CLOSED[field].items())
    return OPEN_HELP.get(field, "")


def closed_values(field: str, values: list[str]) -> tuple[list[str], list[str]]:
    """(keys, unknown) for a closed field: each value matched to a key by its key or its label, in any
    case or spelling of spaces and dashes ("C-level" -> c_level); open fields pass through."""
    choices = CLOSED.get(field)
    if choices is None:
        return values, []
    by_name: dict[str, str] = {}
    for key, label in choices.items():
        by_name[_name(key)] = key
        by_name[_name(label)] = key
        by_name.setdefault(_name(label.split(" (")[0].split(",")[0]), key)
    keys, unknown = [], []
    for value in values:
        key = by_name.get(_name(value))
        (keys if key else unknown).append(key or value)
    return list(dict.fromkeys(keys)), unknown


def _name(text: str) -> str:
    return fold(text).replace("-", " ").replace("_", " ").replace(".", "").strip()
