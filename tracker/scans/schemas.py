"""What a scan, a correction and a badge lookup may hold, as pydantic models: the one validator of the
scan API, and the schema its OpenAPI document shows (``tracker.api``).

Every value is checked before anything is written. A value of the wrong type, text a database cannot
hold (NUL, a lone surrogate), an id or a time out of range is that item's field error with a message
meant for the person who wrote the device's code, never a 500; the value itself is never echoed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from tracker.badges import MAX_PAYLOAD, without_media
from tracker.models.choices import ConversationType, Rating
from tracker.tenancy import MAX_ID, parse_id

MAX_INTERESTS = 30
MAX_INTEREST_LENGTH = 80
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

Errors = dict[str, list[dict[str, str]]]


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


def _text(limit: int, *, payload: bool = False, email: bool = False):
    """Text of at most ``limit`` characters that a database can store; null is "". Trimmed, except a
    badge payload, whose embedded photo is neither measured nor kept; an email must be one."""

    def check(value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise PydanticCustomError("invalid", "Expected text, got {kind}.", {"kind": _kind(value)})
        if payload:
            value = without_media(value)
        if len(value) > limit:
            raise PydanticCustomError(
                "max_length",
                "At most {limit} characters (got {length}).",
                {"limit": limit, "length": len(value)},
            )
        if problem := text_problem(value):
            raise PydanticCustomError("invalid", problem)
        if payload:
            return value
        value = value.strip()
        if email and value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise PydanticCustomError("invalid", "Enter a valid email address.") from None
        return value

    return Annotated[str | None, BeforeValidator(check), Field(default="", max_length=limit)]


def _choice(allowed: frozenset[str]):
    listed = ", ".join(sorted(allowed))

    def check(value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise PydanticCustomError("invalid", "Expected one of {listed}, got {kind}.", {"listed": listed, "kind": _kind(value)})  # fmt: skip
        if value and value not in allowed:
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise PydanticCustomError("invalid_choice", "{shown} is not one of {listed}.", {"shown": repr(shown), "listed": listed})  # fmt: skip
        return value

    return Annotated[Literal[("", *sorted(allowed))] | None, BeforeValidator(check), Field(default="")]


def _interests(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PydanticCustomError("invalid", "Expected a list of texts.")
    interests = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(interests) > MAX_INTERESTS or any(len(v) > MAX_INTEREST_LENGTH for v in interests):
        raise PydanticCustomError(
            "invalid", f"At most {MAX_INTERESTS} interests of at most {MAX_INTEREST_LENGTH} characters."
        )
    if problem := next(filter(None, map(text_problem, interests)), None):
        raise PydanticCustomError("invalid", problem)
    return interests


def _consent(value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise PydanticCustomError("invalid", "Expected true, false or null.")
    return value


MAX_ANSWERS = 50


def _answers(value: object) -> dict[str, Any] | None:
    """The shape of a scan's answers (an object by question id); the booth's questions check the values."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PydanticCustomError("invalid", "Expected an object of answers by question id, got {kind}.", {"kind": _kind(value)})  # fmt: skip
    if len(value) > MAX_ANSWERS:
        raise PydanticCustomError("invalid", f"At most {MAX_ANSWERS} answers.")
    return value


def _client_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(value if isinstance(value, str) else "")
    except ValueError:
        raise PydanticCustomError("required", "A client_uuid (UUID) is required.") from None


def _sponsorship(value: object) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise PydanticCustomError("required", "The booth's sponsorship id (a positive integer) is required.")
    return parsed


def _device_time(value: object) -> datetime | None:
    """An ISO 8601 date and time as sent (naive if it names no zone: placed in the event's zone later)."""
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    if parsed is None:
        raise PydanticCustomError(
            "invalid", "Expected an ISO 8601 date and time, e.g. 2024-03-20T10:15:00+01:00."
        )
    return parsed


Interests = Annotated[list[Annotated[str, Field(max_length=MAX_INTEREST_LENGTH)]] | None, BeforeValidator(_interests), Field(default_factory=list, max_length=MAX_INTERESTS)]  # fmt: skip
Consent = Annotated[bool | None, BeforeValidator(_consent), Field(default=None)]
Answers = Annotated[
    dict[str, Any] | None,
    BeforeValidator(_answers),
    Field(
        default=None,
        description="Answers to the sponsor's qualifying questions, by question id: text for a single choice "
        "or short text, a list of texts for a multiple choice, true/false for yes/no, a number.",
    ),
]
Rating_ = _choice(CHOICES["rating"])
Conversation = _choice(CHOICES["conversation_type"])


# When the device's screen got the booth's questions (the server's time, from the screen's config): a
# question made required since was not on that screen, so not required of its scans.
QuestionsAt = Annotated[datetime | None, BeforeValidator(_device_time), Field(default=None)]


class ScanIn(BaseModel):
    """One scan as a device sends it: the badge's payload as read, or the person typed in, and the
    qualification. ``client_uuid`` makes sending it again harmless."""

    model_config = ConfigDict(extra="ignore", title="Scan")

    client_uuid: Annotated[uuid.UUID, BeforeValidator(_client_uuid)]
    sponsorship: Annotated[
        int, BeforeValidator(_sponsorship), Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    ]
    raw_payload: _text(MAX_PAYLOAD, payload=True)
    device_id: _text(64)
    device_scanned_at: Annotated[datetime | None, BeforeValidator(_device_time), Field(default=None)]
    first_name: _text(120)
    last_name: _text(120)
    email: _text(254, email=True)
    company: _text(200)
    title: _text(200)
    badge_id: _text(120)
    rating: Rating_
    conversation_type: Conversation
    interests: Interests
    notes: _text(5000)
    consent: Consent
    answers: Answers
    questions_at: QuestionsAt

    @model_validator(mode="after")
    def _says_something(self) -> ScanIn:
        if not self.raw_payload.strip() and not any(getattr(self, name) for name in TYPED_FIELDS):
            raise PydanticCustomError(
                "invalid", "A scan needs a badge payload or a name, email, company or badge id typed in."
            )
        return self


class Qualification(BaseModel):
    """What booth staff record about a conversation, as a correction sends it."""

    model_config = ConfigDict(extra="ignore")

    rating: Rating_
    conversation_type: Conversation
    interests: Interests
    notes: _text(5000)
    consent: Consent
    answers: Answers


class AmendIn(Qualification):
    """A correction of a scan the caller took: the fields sent replace the scan's; ``undo`` takes the
    scan back instead."""

    model_config = ConfigDict(extra="ignore", title="ScanCorrection")

    sponsorship: Annotated[
        int, BeforeValidator(_sponsorship), Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    ]
    client_uuid: Annotated[uuid.UUID, BeforeValidator(_client_uuid)]
    undo: bool = False
    questions_at: QuestionsAt


class QuestionsTime(BaseModel):
    """A correction's ``questions_at``, read on its own (the other fields are ``Qualification``'s)."""

    model_config = ConfigDict(extra="ignore")

    questions_at: QuestionsAt


class Badge(BaseModel):
    """A badge as read or typed in."""

    model_config = ConfigDict(extra="ignore")

    raw_payload: _text(MAX_PAYLOAD, payload=True)
    first_name: _text(120)
    last_name: _text(120)
    email: _text(254)
    company: _text(200)
    title: _text(200)
    badge_id: _text(120)


class LookupIn(Badge):
    """A badge just read, to see who it is before the scan is saved, with what the qualify card says so
    far (for the grade the sponsor's ICP would give)."""

    model_config = ConfigDict(extra="ignore", title="BadgeLookup")

    rating: Rating_
    conversation_type: Conversation
    interests: Interests
    notes: _text(5000)
    answers: Answers

    sponsorship: Annotated[
        int, BeforeValidator(_sponsorship), Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    ]


# What a field that must be sent says when it is not (pydantic's own "Field required" otherwise).
REQUIRED = {
    "client_uuid": "A client_uuid (UUID) is required.",
    "sponsorship": "The booth's sponsorship id (a positive integer) is required.",
}


def errors_of(error: ValidationError) -> Errors:
    """pydantic's errors as the API answers them: messages by field ("__all__" for the whole item)."""
    errors: Errors = {}
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else "__all__"
        message, code = item["msg"], item["type"]
        if code == "missing":
            message, code = REQUIRED.get(field, "This field is required."), "required"
        if field not in errors:  # the first problem of each field is the one to fix
            errors[field] = [{"message": message, "code": code}]
    return errors


def validated(schema: type[BaseModel], item: Any) -> tuple[BaseModel | None, Errors]:
    """(the item as ``schema``, {}) or (None, its errors by field)."""
    if not isinstance(item, dict):
        return None, {"__all__": [{"message": "Each scan is a JSON object.", "code": "invalid"}]}
    try:
        return schema.model_validate(item), {}
    except ValidationError as error:
        return None, errors_of(error)
