"""The JSON scan API: one scan or a batch, idempotent by client uuid, scoped to the caller's booths.

Browsers authenticate with their session and send the CSRF token in ``X-CSRFToken``; devices send
``Authorization: Token <key>``. An expired session or a bad token gets a JSON 401, never a redirect to
the login page, so an offline queue never mistakes a login page for a delivered scan.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from tracker.models import DeviceToken, Sponsorship, StaffMember
from tracker.models.staff import hash_device_key
from tracker.scans import ScanForm, ScanOutcome, missing_required, scan_preview, scan_record
from tracker.tenancy import scoped

MAX_BATCH = 500


def _json_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def _device_token(request: HttpRequest) -> DeviceToken | None | bool:
    """The token named in the Authorization header; False if the header names none or a bad one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return False
    token = (
        DeviceToken.objects.select_related("staff__user")
        .filter(key_hash=hash_device_key(key.strip()), revoked_at__isnull=True, staff__is_active=True)
        .first()
    )
    if token is None or not token.staff.user.is_active:
        return False
    DeviceToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def _csrf_failure(request: HttpRequest) -> JsonResponse | None:
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    rejected = check.process_view(request, None, (), {})
    if rejected is not None:
        return _json_error(403, "csrf", "The security token is stale: fetch /api/session/ and send again.")
    return None


def serialise(outcome: ScanOutcome) -> dict:
    """What the scan screen shows after a scan: who it was and who already talked to them."""
    scan = outcome.scan
    lead = scan.lead
    person = lead.attendee if lead else None
    return {
        "client_uuid": str(scan.client_uuid),
        "status": "created" if outcome.created else "duplicate",
        "scan_id": scan.pk,
        "received_at": scan.received_at.isoformat(),
        "payload_format": scan.payload_format,
        "unknown_badge": lead is None,
        "lead": None
        if lead is None
        else {
            "id": lead.pk,
            "url": lead.get_absolute_url(),
            "name": person.full_name,
            "title": person.title,
            "company": person.company,
            "email": person.email,
        },
        "earlier": [serialise_earlier(earlier) for earlier in outcome.earlier],
    }


def serialise_earlier(scan) -> dict:
    by = scan.scanned_by.user if scan.scanned_by else None
    return {
        "at": scan.received_at.isoformat(),
        "by": (by.get_full_name() or by.get_username()) if by else "",
        "rating": scan.rating,
        "conversation_type": scan.conversation_type,
        "notes": scan.notes,
    }


def _record(
    item, booths: dict[int, Sponsorship], staff_of: dict[int, StaffMember | None]
) -> tuple[int, dict]:
    """One item of a request: (HTTP-like status, result body)."""
    if not isinstance(item, dict):
        return 400, {"status": "invalid", "errors": {"__all__": ["Each scan is a JSON object."]}}
    form = ScanForm(item)
    client_uuid = item.get("client_uuid")
    if not form.is_valid():
        return 400, {"client_uuid": client_uuid, "status": "invalid", "errors": form.errors.get_json_data()}
    data = form.cleaned_data
    sponsorship = booths.get(data["sponsorship"])
    if sponsorship is None:
        return 404, {
            "client_uuid": client_uuid,
            "status": "invalid",
            "errors": {"sponsorship": [{"message": "No booth of yours has this id.", "code": "not_found"}]},
        }
    missing = missing_required(sponsorship.sponsor.required_scan_fields, data)
    if missing:
        errors = {
            name: [{"message": f"{sponsorship.sponsor} requires this.", "code": "required"}]
            for name in missing
        }
        return 400, {"client_uuid": client_uuid, "status": "invalid", "errors": errors}
    outcome = scan_record(sponsorship=sponsorship, scanned_by=staff_of.get(sponsorship.sponsor_id), data=data)
    return (201 if outcome.created else 200), serialise(outcome)


def _authenticate(request: HttpRequest):
    """(user, device token or None, error response or None) for a JSON API call."""
    token = _device_token(request)
    if token is False:
        return None, None, _json_error(401, "bad_token", "The device token is unknown or revoked.")
    if token is not None:
        return token.staff.user, token, None
    if not request.user.is_authenticated:
        return (
            None,
            None,
            _json_error(401, "login_required", "Log in again to send scans.", login_url=reverse("login")),
        )
    return request.user, None, _csrf_failure(request)


def _booths(user, token: DeviceToken | None) -> tuple[dict[int, Sponsorship], dict[int, StaffMember]]:
    """The booths the caller may post to, and the caller's staff membership per sponsor."""
    booths = {
        s.pk: s for s in scoped(Sponsorship, user).filter(has_booth=True).select_related("sponsor", "event")
    }
    if token is not None:  # a device acts for its one staff member's sponsor only
        booths = {pk: s for pk, s in booths.items() if s.sponsor_id == token.staff.sponsor_id}
        return booths, {token.staff.sponsor_id: token.staff}
    return booths, {s.sponsor_id: s for s in StaffMember.objects.filter(user=user, is_active=True)}


def _json_body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null"), None
    except (ValueError, UnicodeDecodeError):
        return None, _json_error(400, "bad_json", "The body is not valid JSON.")


@csrf_exempt  # cookie sessions are CSRF-checked in _authenticate; token requests carry no cookies
@require_POST
def scans(request: HttpRequest) -> JsonResponse:
    """POST one scan object, or ``{"scans": [...]}``; one bad item never sinks the others."""
    user, token, error = _authenticate(request)
    body, bad_json = _json_body(request) if error is None else (None, None)
    if error or bad_json:
        return error or bad_json
    batch = isinstance(body, dict) and "scans" in body
    items = body["scans"] if batch else [body]
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        return _json_error(400, "bad_batch", f"'scans' must be a list of at most {MAX_BATCH} objects.")
    booths, staff_of = _booths(user, token)

    results = [_record(item, booths, staff_of) for item in items]
    if not batch:
        status, result = results[0]
        return JsonResponse(result, status=status)
    counts = {
        name: sum(1 for _, r in results if r["status"] == name)
        for name in ("created", "duplicate", "invalid")
    }
    return JsonResponse({"results": [r for _, r in results], **counts}, status=200)


@csrf_exempt  # checked in _authenticate, as for scans
@require_POST
def lookup(request: HttpRequest) -> JsonResponse:
    """Who a just-scanned badge is and who at the booth already talked to them; stores nothing."""
    user, token, error = _authenticate(request)
    body, bad_json = _json_body(request) if error is None else (None, None)
    if error or bad_json:
        return error or bad_json
    booths, _ = _booths(user, token)
    body = body if isinstance(body, dict) else {}
    sponsorship = booths.get(body.get("sponsorship")) if isinstance(body.get("sponsorship"), int) else None
    if sponsorship is None:
        return _json_error(404, "not_found", "No booth of yours has this id.")
    badge, attendee, earlier = scan_preview(
        sponsorship=sponsorship, data={k: str(v) for k, v in body.items()}
    )
    person = (
        {"name": attendee.full_name, "company": attendee.company, "title": attendee.title}
        if attendee
        else {
            "name": f"{badge.first_name} {badge.last_name}".strip(),
            "company": badge.company,
            "title": badge.title,
        }
    )
    return JsonResponse(
        {
            "known": attendee is not None,
            "payload_format": badge.format,
            "person": person,
            "earlier": [serialise_earlier(scan) for scan in earlier],
        }
    )


@require_GET
@ensure_csrf_cookie
def session(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a fresh CSRF token, for the scan screen before it sends its queue."""
    if not request.user.is_authenticated:
        return _json_error(401, "login_required", "Log in again to send scans.", login_url=reverse("login"))
    return JsonResponse({"user": request.user.get_username(), "csrf_token": get_token(request)})
