"""The tracker's middleware: device requests skip what only browsers need; pages speak the viewer's time.

Requests from scanning devices skip the middleware that only browsers need.

A device posting scans with ``Authorization: Token <key>`` sends no cookie: sessions, CSRF, the logged-in
user, messages, frame options and login lockouts have nothing to do for it, yet walking them (and the URL
patterns) costs a large share of each scan POST in a booth rush (``bench/scan_ingest.py --full-stack``
measures it). Placed right after
SecurityMiddleware, this answers such requests from the device API views directly. Every other request,
browsers' posts to the same API included (their session and CSRF token are checked there), goes down the
whole chain.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, resolve, reverse
from django.utils import timezone

from tracker import times
from tracker.devices import token_key
from tracker.tenancy import access_for

DEVICE_VIEWS = ("api:scans", "api:lookup", "api:amend")
# What a device request does not go through, in settings.MIDDLEWARE order: everything after this one.
# SecurityMiddleware (HTTPS redirect, HSTS, no-sniff, referrer policy) stays before it and applies to
# devices too. tests/test_web_server.py fails when the list and the settings disagree, so a middleware
# added later is a decision about devices, not an accident.
SKIPPED_FOR_DEVICES = (
    "csp.middleware.CSPMiddleware",  # a policy for what pages load: a JSON answer loads nothing
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: devices ask for none
    "django.contrib.sessions.middleware.SessionMiddleware",  # devices send a token, no cookie
    "django.middleware.common.CommonMiddleware",  # slash redirects; the device views set Content-Length
    "django.middleware.csrf.CsrfViewMiddleware",  # a token is not a cookie a page could forge
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # the token names the staff member
    "tracker.middleware.ViewerTimeZoneMiddleware",  # JSON carries ISO times with their offset
    "django.contrib.messages.middleware.MessageMiddleware",  # no pages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # JSON is not framed
    "axes.middleware.AxesMiddleware",  # login lockouts: devices do not log in
)


class DeviceApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._views: dict[str, Callable] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if token_key(request) is not None:
            view = self.views().get(request.path_info)
            if view is not None:
                response = view(request)
                # What CommonMiddleware would add: a length lets the connection be kept alive.
                response.headers["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)

    def views(self) -> dict[str, Callable]:
        """The device views by their path (without the script prefix), read once from the URLconf."""
        if self._views is None:
            prefix = get_script_prefix()
            paths = ["/" + reverse(name)[len(prefix) :] for name in DEVICE_VIEWS]
            self._views = {path: resolve(path).func for path in paths}
        return self._views


class ViewerTimeZoneMiddleware:
    """Times on a page are the viewer's wall time (the zone of their staff membership); pages about an
    event switch to the event's zone around what they show of it (``{% timezone %}``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        timezone.activate(times.zone(access_for(user).time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
