"""The booth screens: scanning (offline first), the live board, and unknown badges to resolve."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.analytics.board import board_stats
from tracker.models import Scan, Sponsorship, Theme
from tracker.models.choices import ConversationType, Rating
from tracker.questions.service import booth_questions
from tracker.scans.amend import EDIT_WINDOW
from tracker.scans.review import ResolveForm, resolve_initial, scan_discard, scan_resolve, scan_restore
from tracker.tenancy import get_managed_or_404, get_scoped_or_404

QUESTIONS_MARGIN = timedelta(seconds=5)
OFFLINE_CACHE = "booth-tracker-v5"  # a new name when the assets change, so phones fetch them again
OFFLINE_ASSETS = ("tracker/app.css", "tracker/scan.js", "tracker/scan-queue.js", "tracker/scanner-keys.js",
                  "tracker/numbers.js")  # fmt: skip
STANDARD_THEMES = ("AI", "Platform engineering", "Security", "Observability", "Cost reduction / FinOps")


def interest_chips(sponsorship: Sponsorship) -> list[str]:
    """The sponsor's own interest list, then the standard themes and the event's other themes."""
    chips = [*sponsorship.sponsor.interest_options, *STANDARD_THEMES]
    chips += Theme.objects.filter(sponsorships=sponsorship).values_list("name", flat=True)
    return list(dict.fromkeys(c for c in chips if c))


def decoder_available() -> bool:
    """Whether the camera decoder for browsers without BarcodeDetector was installed (npm, set-up time)."""
    return (settings.ZXING_DIR / "index.min.js").exists()


@login_required
def scan_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The page booth staff live in: scan, qualify, and see the device's queue."""
    sponsorship = get_scoped_or_404(
        Sponsorship.objects.select_related("sponsor", "event").filter(has_booth=True), request.user, pk=pk
    )
    config = {
        "sponsorship": sponsorship.pk,
        "sponsor": sponsorship.sponsor.name,
        "event": sponsorship.event.name,
        # The screen's clock is the event's: times in its zone, and a warning outside its dates.
        "timeZone": sponsorship.event.time_zone,
        "eventStart": sponsorship.event.start_date.isoformat(),
        "eventEnd": sponsorship.event.end_date.isoformat(),
        "user": request.user.get_full_name() or request.user.get_username(),
        "ratings": Rating.choices,
        "conversationTypes": ConversationType.choices,
        "interests": interest_chips(sponsorship),
        "required": sponsorship.sponsor.required_scan_fields,
        # Sent with each scan: which questions the screen had. Taken before they are read, a few seconds
        # early: a question made required as the screen loads may not be on it yet (its change commits
        # after its time is stamped).
        "questionsAt": (timezone.now() - QUESTIONS_MARGIN).isoformat(),
        "questions": [spec.as_config() for spec in booth_questions(sponsorship)],
        "editMinutes": int(EDIT_WINDOW.total_seconds() // 60),
        "api": {
            "scans": reverse("api:scans"),
            "lookup": reverse("api:lookup"),
            "amend": reverse("api:amend"),
            "session": reverse("api:session"),
            "login": reverse("login"),
        },
        "serviceWorker": reverse("service-worker"),
        "offlineCache": OFFLINE_CACHE,
        "decoder": static("vendor/zxing/index.min.js") if decoder_available() else None,
    }
    return render(request, "tracker/scan.html", {"sponsorship": sponsorship, "config": config})


@require_safe
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so it may control the scan pages."""
    response = render(
        request,
        "tracker/sw.js",
        {"assets": json.dumps([static(name) for name in OFFLINE_ASSETS]), "cache": json.dumps(OFFLINE_CACHE)},
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The live booth board; the page refreshes its figures from :func:`board_data`."""
    sponsorship = get_scoped_or_404(
        Sponsorship.objects.select_related("sponsor", "event"), request.user, pk=pk
    )
    stats = board_stats(sponsorship, timezone.now())
    return render(request, "tracker/board.html", {"sponsorship": sponsorship, "stats": stats})


@login_required
@require_safe
def board_data(request: HttpRequest, pk: int) -> JsonResponse:
    sponsorship = get_scoped_or_404(Sponsorship.objects.select_related("event"), request.user, pk=pk)
    return JsonResponse(board_stats(sponsorship, timezone.now()))


@login_required
def unknown_badges(request: HttpRequest, pk: int) -> HttpResponse:
    """Scans whose badge matched nobody, for a manager to resolve (the form filled in from what the
    badge says) or to discard as junk; nothing is ever dropped: discarded ones stay, listed apart."""
    sponsorship = get_managed_or_404(Sponsorship.objects.select_related("sponsor", "event"), request.user, pk)
    form, failed_scan = None, None
    scans = Scan.objects.filter(sponsorship=sponsorship)
    if request.method == "POST":
        action = request.POST.get("action", "resolve")
        if action not in ("resolve", "discard", "restore"):
            return HttpResponseBadRequest(f"Unknown action {action[:40]!r}: resolve, discard or restore.")
        if action == "restore":
            scan = get_scoped_or_404(scans.discarded(), request.user, request.POST.get("scan"))
            scan_restore(scan=scan)
            messages.success(request, "Badge put back among the unknown ones.")
            return redirect("unknown-badges", pk=sponsorship.pk)
        scan = get_scoped_or_404(scans.unknown(), request.user, request.POST.get("scan"))
        if action == "discard":
            scan_discard(scan=scan, by=request.user)
            messages.success(
                request, "Badge discarded as junk: out of the counts, kept below for the record."
            )
            return redirect("unknown-badges", pk=sponsorship.pk)
        form = ResolveForm(request.POST, auto_id=f"scan{scan.pk}-%s")
        if form.is_valid():
            try:
                lead = scan_resolve(scan=scan, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Badge resolved: {lead.attendee}.")
                return redirect("unknown-badges", pk=sponsorship.pk)
        failed_scan = scan.pk
    unknown = list(scans.unknown().select_related("scanned_by__user").order_by("-received_at"))
    for scan in unknown:
        scan.form = (
            form
            if scan.pk == failed_scan
            else ResolveForm(initial=resolve_initial(scan), auto_id=f"scan{scan.pk}-%s")
        )
    context = {
        "sponsorship": sponsorship,
        "scans": unknown,
        "discarded": scans.discarded().select_related("discarded_by").order_by("-discarded_at"),
    }
    return render(request, "tracker/unknown_badges.html", context)
