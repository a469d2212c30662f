"""The scan API: one scan or a batch, idempotent by client uuid, scoped to the caller's booths; a badge
lookup before saving; corrections; and the session the scan screen refreshes before it sends its queue.

One bad item never sinks the others, so a batch's items are validated one by one (``ScanIn``) rather
than the body as a whole: each is answered ``created``, ``duplicate`` or ``invalid`` with its field
errors.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema

from tracker.api.auth import scanner
from tracker.api.errors import ApiError, ErrorOut, FieldError, error_responses, invalid
from tracker.devices import Device
from tracker.models import Scan, Sponsorship, StaffMember
from tracker.models.leads import attendee_name
from tracker.questions.answers import answers_check
from tracker.questions.service import booths_questions
from tracker.scans.amend import scan_amend, scan_undo
from tracker.scans.cleaning import amend_clean
from tracker.scans.intake import answers_errors, questions_asked_at, required_errors, scans_accept
from tracker.scans.matching import scan_preview
from tracker.scans.schemas import AmendIn, Badge, LookupIn, Qualification, QuestionsTime, ScanIn, validated
from tracker.scoring.preview import grade_preview
from tracker.tenancy import parse_id, parse_ids, scoped

router = Router(tags=["scans"], auth=scanner)
MAX_BATCH = 500


class ScanResult(Schema):
    """What became of one scan: ``created`` (with the server's time), ``duplicate`` (already stored: a
    resend) or ``invalid`` (with each field's errors)."""

    client_uuid: str | None
    status: Literal["created", "duplicate", "invalid"]
    received_at: datetime | None = None
    warnings: dict[str, str] | None = None
    errors: dict[str, list[FieldError]] | None = None
    error: str | None = None
    message: str | None = None


class BatchResult(Schema):
    results: list[ScanResult]
    created: int
    duplicate: int
    invalid: int


class ScanBatch(Schema):
    scans: list[ScanIn]


class Person(Schema):
    name: str
    company: str
    title: str


class Earlier(Schema):
    at: datetime | None = Field(None, description="When they talked (null: a file's row without a time)")
    by: str
    source: str = Field(
        "", description="The file an imported interaction came from; empty for a booth's scan"
    )
    rating: str
    conversation_type: str
    notes: str


class GradePreview(Schema):
    """The grade the sponsor's published ICP gives with what the card says so far; the stored score
    comes from the server once the scan is sent."""

    grade: Literal["A", "B", "C", "D"]
    score: int
    reasons: list[str]
    excluded: bool
    icp_version: int


class LookupOut(Schema):
    known: bool
    payload_format: str
    person: Person
    earlier: list[Earlier]
    grade: GradePreview | None = None


class CorrectionOut(Schema):
    client_uuid: str
    status: Literal["amended", "undone"]


class SessionOut(Schema):
    user: str
    csrf_token: str


def _body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except RecursionError as error:
        raise ApiError(400, "bad_json", "The body is nested too deeply to be a scan or a batch.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from error


def _booths(user, device: Device | None, wanted: list) -> tuple[dict[int, Sponsorship], dict[int, int]]:
    """The wanted booths (ids as sent) the caller may post to, and the caller's staff membership id per sponsor."""
    if device is not None:  # a device acts for its one staff membership, at its one booth
        return device.booths, {device.staff.sponsor_id: device.staff.pk}
    ids = parse_ids(wanted)
    if not ids:
        return {}, {}
    # The caller's membership of each booth's sponsor comes with the booths, not in a query of its own.
    membership = StaffMember.objects.filter(user=user, is_active=True, sponsor_id=OuterRef("sponsor_id"))
    booths = {
        s.pk: s
        for s in scoped(Sponsorship, user)
        .filter(pk__in=ids, has_booth=True)
        .select_related("sponsor", "event")
        .annotate(caller_staff_id=Subquery(membership.values("pk")[:1]))
    }
    return booths, {s.sponsor_id: s.caller_staff_id for s in booths.values() if s.caller_staff_id}


def _object(body, what: str) -> dict:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", f"Send a JSON object with {what}.")
    return body


JSON_BODY = {"content": {"application/json": {"schema": {}}}, "required": True}


def _body_doc(*schemas: type) -> dict:
    refs = [{"$ref": f"#/components/schemas/{schema.model_config.get('title') or schema.__name__}"} for schema in schemas]  # fmt: skip
    return {"requestBody": {**JSON_BODY, "content": {"application/json": {"schema": refs[0] if len(refs) == 1 else {"oneOf": refs}}}}}  # fmt: skip


@router.post(
    "/scans/",
    url_name="scans",
    response={
        201: ScanResult,
        200: ScanResult | BatchResult,
        400: ScanResult | ErrorOut,
        **error_responses(401, 403, 404, 413),
    },  # fmt: skip
    openapi_extra=_body_doc(ScanIn, ScanBatch),
    summary="Send one scan, or a batch of up to 500",
)
def scans(request: HttpRequest):
    """One scan object (answered 201 when stored, 200 when a resend, 400/404 when invalid), or
    ``{"scans": [...]}`` (answered 200 with every item's fate: one bad item never sinks the others)."""
    body = _body(request)
    batch = isinstance(body, dict) and "scans" in body
    items = body["scans"] if batch else [body]
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise ApiError(400, "bad_batch", f"'scans' must be a list of at most {MAX_BATCH} objects.")
    caller = request.auth
    wanted = [item.get("sponsorship") for item in items if isinstance(item, dict)]
    booths, staff_ids = _booths(caller.user, caller.device, wanted)
    results = scans_accept(items=items, booths=booths, staff_ids=staff_ids)
    if not batch:
        status, result = results[0]
        if status >= 400:  # the one error shape, around the item's own answer
            result = {**result, "error": "not_found" if status == 404 else "invalid",
                      "message": "No booth of yours has this id." if status == 404 else "Some fields cannot be used."}  # fmt: skip
        return JsonResponse(result, status=status)
    counts = {
        name: sum(1 for _, r in results if r["status"] == name)
        for name in ("created", "duplicate", "invalid")
    }
    return JsonResponse({"results": [r for _, r in results], **counts}, status=200)


def _earlier(scan: Scan) -> dict:
    # When they talked, by the phone; a file's row without a time has none (null), only its source.
    at = None if scan.untimed else scan.device_scanned_at or scan.received_at
    return {
        "at": at.isoformat() if at else None,
        "by": scan.scanned_by.display_name if scan.scanned_by else "",
        "source": scan.source,
        "rating": scan.rating,
        "conversation_type": scan.conversation_type,
        "notes": scan.notes,
    }


@router.post(
    "/scans/lookup/",
    url_name="lookup",
    response={200: LookupOut, **error_responses(400, 401, 403, 404, 413)},
    openapi_extra=_body_doc(LookupIn),
    summary="Who a badge just read is, who at the booth already talked to them, and their grade so far",
)
def lookup(request: HttpRequest):
    """Stores nothing. With the qualify card's fields (rating, conversation type, interests, notes,
    answers), the grade is a preview under the sponsor's published ICP (null without one)."""
    body = _object(_body(request), "the booth's sponsorship and the badge")
    badge, errors = validated(Badge, body)  # the scan API's own limits
    if errors:
        raise invalid(errors)
    # What the qualify card says so far, for the grade; a card the scan API would refuse gets no grade,
    # but the badge is still looked up.
    card, card_errors = validated(Qualification, body)
    booths, _ = _booths(request.auth.user, request.auth.device, [body.get("sponsorship")])
    sponsorship = booths.get(parse_id(body.get("sponsorship")))
    if sponsorship is None:
        raise ApiError(404, "not_found", "No booth of yours has this id.")
    read, attendee, earlier = scan_preview(sponsorship=sponsorship, data=badge.model_dump())
    if attendee:
        person = {"name": attendee.full_name, "company": attendee.company, "title": attendee.title}
    else:
        name = attendee_name(read.display_name, read.first_name, read.last_name)
        person = {"name": name, "company": read.company, "title": read.title}
    grade = None
    if not card_errors:
        # A preview: answers the booth does not ask, or not in the right form, are left out of it.
        answers = answers_check(booths_questions([sponsorship])[sponsorship.pk], card.answers).answers
        grade = grade_preview(
            sponsorship, attendee=attendee, badge=read, draft=card.model_dump(), answers=answers
        )
    answer = {"known": attendee is not None, "payload_format": read.format, "person": person,
              "earlier": [_earlier(scan) for scan in earlier], "grade": grade}  # fmt: skip
    return JsonResponse(answer)


@router.post(
    "/scans/amend/",
    url_name="amend",
    response={200: CorrectionOut, **error_responses(400, 401, 403, 404, 409, 413)},
    openapi_extra=_body_doc(AmendIn),
    summary="Correct a scan the caller took, or take it back",
)
def amend(request: HttpRequest):
    """Rating, interests, conversation type, note and consent, or ``{"undo": true}``, for a while after
    the scan; the scan keeps what it was (``tracker.scans.amend``)."""
    body = _object(_body(request), "the scan's sponsorship and client_uuid")
    booths, staff_ids = _booths(request.auth.user, request.auth.device, [body.get("sponsorship")])
    sponsorship = booths.get(parse_id(body.get("sponsorship")))
    client_uuid = body.get("client_uuid")
    try:
        key = uuid.UUID(client_uuid if isinstance(client_uuid, str) else "")
    except ValueError:
        key = None
    scan = (
        Scan.objects.filter(sponsorship=sponsorship, client_uuid=key).first() if sponsorship and key else None
    )
    if scan is None:
        raise ApiError(404, "not_found", "No scan of yours has this client_uuid at this booth.")
    staff_id = staff_ids.get(sponsorship.sponsor_id)
    try:
        if body.get("undo") is True:
            scan_undo(scan=scan, staff_id=staff_id, by_user=request.auth.user)
            return JsonResponse({"client_uuid": str(key), "status": "undone"})
        data, errors = amend_clean(body)
        shown, shown_errors = validated(QuestionsTime, body)
        errors = errors or shown_errors
        if not errors:
            errors = _answers_corrected(scan, data, sponsorship, shown.questions_at)
        if errors:
            raise invalid(errors)
        scan_amend(scan=scan, data=data, staff_id=staff_id, by_user=request.auth.user)
    except PermissionDenied as error:
        raise ApiError(403, "not_yours", str(error)) from error
    except ValidationError as error:
        raise ApiError(409, "too_late", " ".join(error.messages)) from error
    return JsonResponse({"client_uuid": str(key), "status": "amended"})


def _answers_corrected(scan: Scan, data: dict, sponsorship: Sponsorship, questions_at=None) -> dict:
    """Check a correction's answers (put in canonical form in ``data``), and that the corrected scan still
    answers the required questions of its (corrected) conversation type (those the correcting screen
    had, ``questions_at``): field errors, or {}."""
    specs = booths_questions([sponsorship])[sponsorship.pk]
    errors = {}
    if "answers" in data:
        data["answers"], errors, _ = answers_errors(specs, data["answers"])
    if errors or not ({"answers", "conversation_type"} & set(data)):
        return errors
    answers = data["answers"] if "answers" in data else scan.answers
    conversation = data.get("conversation_type", scan.conversation_type)
    zone = sponsorship.event.tz
    asked_at = questions_asked_at(
        scan.device_scanned_at or scan.received_at, questions_at, zone, timezone.now()
    )
    return required_errors(specs, answers, conversation, asked_at, sponsorship.sponsor)


session_router = Router(tags=["session"])


@session_router.get(
    "/session/", url_name="session", response={200: SessionOut, 401: ErrorOut}, auth=None,
    summary="Who is logged in, and a fresh CSRF token",
)  # fmt: skip
def session(request: HttpRequest):
    """For the scan screen before it sends its queue; sets the CSRF cookie."""
    if not request.user.is_authenticated:
        raise ApiError(401, "login_required", "Log in again to send scans.", login_url=reverse("login"))
    return JsonResponse({"user": request.user.get_username(), "csrf_token": get_token(request)})
