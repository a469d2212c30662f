"""Validating scans as devices send them (parsed JSON), pure: every field checked before anything is written.

Whatever a device sends, a value of the wrong type, text a database cannot hold (NUL, a lone
surrogate), an id or a time out of range is that item's field error, never the batch's 500.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tracker.badges import MAX_PAYLOAD, without_media
from tracker.models.choices import ConversationType, Rating
from tracker.tenancy import parse_id

TYPED_FIELDS = {
    "first_name": 120,
    "last_name": 120,
    "email": 254,
    "company": 200,
    "title": 200,
    "badge_id": 120,
}
TEXT_FIELDS = {"raw_payload": MAX_PAYLOAD, "device_id": 64, "notes": 5000, **TYPED_FIELDS}
CHOICES = {"rating": frozenset(Rating.values), "conversation_type": frozenset(ConversationType.values)}
MAX_INTERESTS = 30
MAX_INTEREST_LENGTH = 80
# A device clock further off than this is wrong, not a scan time (and the ends of the calendar overflow
# once moved to UTC): the scan is kept, its device time is not (the answer says so).
EARLIEST_DEVICE_TIME = datetime(2000, 1, 1, tzinfo=UTC)
DEVICE_CLOCK_AHEAD = timedelta(days=2)

Errors = dict[str, list[dict[str, str]]]


def _error(errors: Errors, field: str, message: str, code: str = "invalid") -> None:
    errors.setdefault(field, []).append({"message": message, "code": code})


def _kind(value: object) -> str:
    """What a JSON value is, in JSON's words, for an error message (the value itself is never echoed)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {str: "text", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def text_problem(value: str) -> str | None:
    """Why a database cannot store ``value`` as text (a NUL, a lone surrogate), or None if it can."""
    if "\x00" in value:
        return "Contains a NUL character, which cannot be stored."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains a lone surrogate (half of a character), which cannot be stored."
    return None


def clean_texts(item: dict, fields: dict[str, int], data: dict, errors: Errors) -> None:
    """The text fields of ``item`` into ``data`` (None as ""), each checked for type, length and storability."""
    for name, limit in fields.items():
        value = item.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            _error(errors, name, f"Expected text, got {_kind(value)}.")
            continue
        if name == "raw_payload":
            value = without_media(value)  # an embedded photo is neither measured nor kept
        if len(value) > limit:
            _error(errors, name, f"At most {limit} characters (got {len(value)}).", "max_length")
        elif problem := text_problem(value):
            _error(errors, name, problem)
        data[name] = value if name == "raw_payload" else value.strip()


def _clean_choice(item: dict, name: str, allowed: frozenset[str], data: dict, errors: Errors) -> None:
    value = item.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        _error(errors, name, f"Expected one of {', '.join(sorted(allowed))}, got {_kind(value)}.")
    elif value and value not in allowed:
        shown = value if len(value) <= 40 else value[:40] + "…"
        _error(errors, name, f"{shown!r} is not one of {', '.join(sorted(allowed))}.", "invalid_choice")
    data[name] = value


def _clean_interests(value: object, data: dict, errors: Errors) -> None:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _error(errors, "interests", "Expected a list of texts.")
        return
    interests = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(interests) > MAX_INTERESTS or any(len(v) > MAX_INTEREST_LENGTH for v in interests):
        _error(
            errors,
            "interests",
            f"At most {MAX_INTERESTS} interests of at most {MAX_INTEREST_LENGTH} characters.",
        )
    elif problem := next(filter(None, map(text_problem, interests)), None):
        _error(errors, "interests", problem)
    data["interests"] = interests


def _parse_time(value: object) -> datetime | None:
    """An ISO 8601 date and time as sent (naive if it names no zone); None for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def scan_clean(item: Any) -> tuple[dict | None, Errors]:
    """One scan as a device sent it (parsed JSON) -> (clean values, None) or (None, errors by field).

    ``device_scanned_at`` is left as sent (naive when it names no zone): :func:`device_time` places it
    once the booth, and so the event's zone, is known.
    """
    errors: Errors = {}
    if not isinstance(item, dict):
        return None, {"__all__": [{"message": "Each scan is a JSON object.", "code": "invalid"}]}
    data: dict[str, Any] = {}
    client_uuid = item.get("client_uuid")
    try:
        data["client_uuid"] = uuid.UUID(client_uuid if isinstance(client_uuid, str) else "")
    except ValueError:
        _error(errors, "client_uuid", "A client_uuid (UUID) is required.", "required")
    data["sponsorship"] = parse_id(item.get("sponsorship"))
    if data["sponsorship"] is None:
        _error(
            errors, "sponsorship", "The booth's sponsorship id (a positive integer) is required.", "required"
        )
    clean_texts(item, TEXT_FIELDS, data, errors)
    for name, allowed in CHOICES.items():
        _clean_choice(item, name, allowed, data, errors)
    _clean_interests(item.get("interests"), data, errors)
    consent = item.get("consent")
    if consent is not None and not isinstance(consent, bool):
        _error(errors, "consent", "Expected true, false or null.")
    data["consent"] = consent
    scanned_at = item.get("device_scanned_at")
    data["device_scanned_at"] = None
    if scanned_at not in (None, ""):
        data["device_scanned_at"] = _parse_time(scanned_at)
        if data["device_scanned_at"] is None:
            _error(
                errors,
                "device_scanned_at",
                "Expected an ISO 8601 date and time, e.g. 2024-03-20T10:15:00+01:00.",
            )
    if data.get("email") and "email" not in errors:
        try:
            validate_email(data["email"])
        except ValidationError:
            _error(errors, "email", "Enter a valid email address.")
    if not errors and not data["raw_payload"].strip() and not any(data[name] for name in TYPED_FIELDS):
        _error(
            errors, "__all__", "A scan needs a badge payload or a name, email, company or badge id typed in."
        )
    return (None, errors) if errors else (data, {})


def device_time(sent: datetime | None, zone, now: datetime) -> tuple[datetime | None, str]:
    """The device's scan time placed in time (a time without a zone is the event's local time), and a
    warning for the answer when it was placed so or could not be kept (a clock far off)."""
    if sent is None:
        return None, ""
    warning = ""
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=zone)
        warning = f"No time zone given: taken as {zone.key} time, the event's."
    try:
        utc = sent.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST_DEVICE_TIME <= utc <= now + DEVICE_CLOCK_AHEAD:
        return (
            None,
            f"The device's clock ({sent.isoformat()}) cannot be right: the scan is kept with the server's time only.",
        )
    return utc, warning


def amend_clean(item: dict) -> tuple[dict, Errors]:
    """The qualification fields a correction sends (only those present), cleaned like a scan's."""
    errors: Errors = {}
    data: dict[str, Any] = {}
    if "notes" in item:
        clean_texts(item, {"notes": TEXT_FIELDS["notes"]}, data, errors)
    for name, allowed in CHOICES.items():
        if name in item:
            _clean_choice(item, name, allowed, data, errors)
    if "interests" in item:
        _clean_interests(item.get("interests"), data, errors)
    if "consent" in item:
        if item["consent"] is not None and not isinstance(item["consent"], bool):
            _error(errors, "consent", "Expected true, false or null.")
        data["consent"] = item["consent"]
    if not data and not errors:
        _error(
            errors,
            "__all__",
            "Send the fields to correct (rating, interests, conversation_type, notes, consent).",
        )
    return data, errors
