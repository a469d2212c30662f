"""The JSON scan API: one scan or a batch, idempotent by client uuid, scoped to the caller's booths.

Browsers authenticate with their session and send the CSRF token in ``X-CSRFToken``; devices send
``Authorization: Token <key>``. An expired session or a bad token gets a JSON 401, never a redirect to
the login page, so an offline queue never mistakes a login page for a delivered scan.
"""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from tracker.devices import Device, device_for_key, token_key
from tracker.models import Scan, Sponsorship, StaffMember
from tracker.models.leads import attendee_name
from tracker.scans.amend import scan_amend, scan_undo
from tracker.scans.cleaning import amend_clean
from tracker.scans.intake import scans_accept
from tracker.scans.matching import scan_preview
from tracker.scans.schemas import Badge, validated
from tracker.tenancy import parse_id, parse_ids, scoped

MAX_BATCH = 500


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.response = JsonResponse({"error": code, "message": message, **extra}, status=status)


def _device(request: HttpRequest) -> Device | None:
    """The device named in a ``Token`` Authorization header, None without one; ApiError for a bad one.

    Other schemes (a proxy's Basic authentication in front of the app) leave the request to the session.
    """
    key = token_key(request)
    if key is None:
        return None
    device = device_for_key(key) if key else None
    if device is None:
        raise ApiError(401, "bad_token", "The device token is unknown or revoked.")
    return device


def _authenticate(request: HttpRequest) -> tuple:
    """(user, device or None) for a JSON API call, or ApiError (401, or 403 for CSRF)."""
    device = _device(request)
    if device is not None:
        return device.staff.user, device
    if not request.user.is_authenticated:
        raise ApiError(401, "login_required", "Log in again to send scans.", login_url=reverse("login"))
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:
        raise ApiError(403, "csrf", "The security token is stale: fetch /api/session/ and send again.")
    return request.user, None


def _booths(user, device: Device | None, wanted: list) -> tuple[dict[int, Sponsorship], dict[int, int]]:
    """The wanted booths (ids as sent) the caller may post to, and the caller's staff membership id per sponsor."""
    if device is not None:  # a device acts for its one staff membership only
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


def _json_body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except RequestDataTooBig as error:
        raise ApiError(413, "too_large", "The body is too large: send scans in smaller batches.") from error
    except RecursionError as error:
        raise ApiError(400, "bad_json", "The body is nested too deeply to be a scan or a batch.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from error


def api_view(view):
    """JSON in, JSON out, errors as JSON; CSRF is checked in _authenticate for cookie sessions only."""

    @csrf_exempt  # token requests carry no cookies; session requests are checked in _authenticate
    @require_POST
    def wrapper(request: HttpRequest) -> JsonResponse:
        try:
            user, device = _authenticate(request)
            return view(request, user, device, _json_body(request))
        except ApiError as error:
            return error.response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@api_view
def scans(request: HttpRequest, user, device, body) -> JsonResponse:
    """POST one scan object, or ``{"scans": [...]}``; one bad item never sinks the others."""
    batch = isinstance(body, dict) and "scans" in body
    items = body["scans"] if batch else [body]
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise ApiError(400, "bad_batch", f"'scans' must be a list of at most {MAX_BATCH} objects.")
    booths, staff_ids = _booths(
        user, device, [item.get("sponsorship") for item in items if isinstance(item, dict)]
    )
    results = scans_accept(items=items, booths=booths, staff_ids=staff_ids)
    if not batch:
        status, result = results[0]
        return JsonResponse(result, status=status)
    counts = {
        name: sum(1 for _, r in results if r["status"] == name)
        for name in ("created", "duplicate", "invalid")
    }
    return JsonResponse({"results": [r for _, r in results], **counts}, status=200)


def serialise_earlier(scan: Scan) -> dict:
    return {
        "at": scan.received_at.isoformat(),
        "by": scan.scanned_by.display_name if scan.scanned_by else "",
        "rating": scan.rating,
        "conversation_type": scan.conversation_type,
        "notes": scan.notes,
    }


@api_view
def lookup(request: HttpRequest, user, device, body) -> JsonResponse:
    """Who a just-scanned badge is and who at the booth already talked to them; stores nothing."""
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Send a JSON object with the booth's sponsorship and the badge.")
    badge, errors = validated(Badge, body)  # the scan API's own limits
    if errors:
        raise ApiError(400, "invalid", "Some fields cannot be used.", errors=errors)
    data = badge.model_dump()
    booths, _ = _booths(user, device, [body.get("sponsorship")])
    sponsorship = booths.get(parse_id(body.get("sponsorship")))
    if sponsorship is None:
        raise ApiError(404, "not_found", "No booth of yours has this id.")
    badge, attendee, earlier = scan_preview(sponsorship=sponsorship, data=data)
    if attendee:
        person = {"name": attendee.full_name, "company": attendee.company, "title": attendee.title}
    else:
        person = {
            "name": attendee_name(badge.display_name, badge.first_name, badge.last_name),
            "company": badge.company,
            "title": badge.title,
        }
    return JsonResponse(
        {
            "known": attendee is not None,
            "payload_format": badge.format,
            "person": person,
            "earlier": [serialise_earlier(scan) for scan in earlier],
        }
    )


@api_view
def amend(request: HttpRequest, user, device, body) -> JsonResponse:
    """Correct a scan the caller took (rating, interests, conversation type, note, consent), or take it
    back with ``{"undo": true}``, for a while after; the scan keeps what it was (``tracker.scans.amend``)."""
    if not isinstance(body, dict):
        raise ApiError(
            400, "bad_request", "Send a JSON object naming the scan by sponsorship and client_uuid."
        )
    booths, staff_ids = _booths(user, device, [body.get("sponsorship")])
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
            scan_undo(scan=scan, staff_id=staff_id, by_user=user)
            return JsonResponse({"client_uuid": str(key), "status": "undone"})
        data, errors = amend_clean(body)
        if errors:
            raise ApiError(400, "invalid", "Some fields cannot be used.", errors=errors)
        scan_amend(scan=scan, data=data, staff_id=staff_id, by_user=user)
    except PermissionDenied as error:
        raise ApiError(403, "not_yours", str(error)) from error
    except ValidationError as error:
        raise ApiError(409, "too_late", " ".join(error.messages)) from error
    return JsonResponse({"client_uuid": str(key), "status": "amended"})


@require_GET
@ensure_csrf_cookie
def session(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a fresh CSRF token, for the scan screen before it sends its queue."""
    if not request.user.is_authenticated:
        return ApiError(
            401, "login_required", "Log in again to send scans.", login_url=reverse("login")
        ).response
    return JsonResponse({"user": request.user.get_username(), "csrf_token": get_token(request)})
