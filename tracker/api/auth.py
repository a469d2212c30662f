"""Who calls the API: a scanning device by its token (scan endpoints only), or a logged-in user by the
session cookie, whose unsafe requests carry the CSRF token in ``X-CSRFToken``.

An expired session or a bad token is a JSON 401, never a redirect to the login page, so an offline
queue never mistakes a login page for a delivered scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse

from tracker.api.errors import ApiError
from tracker.devices import Device, device_for_key, token_key

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Caller:
    user: object
    device: Device | None = None


def _session(request: HttpRequest) -> Caller:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise ApiError(401, "login_required", "Log in again to send scans.", login_url=reverse("login"))
    if request.method in UNSAFE:
        check = CsrfViewMiddleware(lambda req: None)
        check.process_request(request)
        if check.process_view(request, None, (), {}) is not None:
            raise ApiError(403, "csrf", "The security token is stale: fetch /api/v1/session/ and send again.")
    return Caller(user)


def scanner(request: HttpRequest) -> Caller:
    """A device with a live token (``Authorization: Token <key>``), else the session's user.

    Other schemes (a proxy's Basic authentication in front of the app) leave the request to the session.
    """
    key = token_key(request)
    if key is None:
        return _session(request)
    device = device_for_key(key) if key else None
    if device is None:
        raise ApiError(401, "bad_token", "The device token is unknown or revoked.")
    return Caller(device.staff.user, device)


def reader(request: HttpRequest) -> Caller:
    """The session's user; a device token reads nothing (it only scans)."""
    if token_key(request) is not None:
        raise ApiError(401, "scanning_only", "A device token only sends scans; it reads nothing.")
    return _session(request)
