"""Landing: send each person where their work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from tracker.models import Event, Sponsor, Sponsorship
from tracker.tenancy import access_for, managed, scoped


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Superusers go to the admin, managers to their sponsor, booth staff to today's booth's scan screen."""
    access = access_for(request.user)
    if access.everything:
        return redirect("admin:index")
    sponsors = list(managed(Sponsor, request.user).order_by("name")[:2])
    if len(sponsors) == 1:
        return redirect(sponsors[0])
    if not sponsors:
        booths = scoped(Sponsorship, request.user).filter(has_booth=True)
        event = Event.objects.filter(sponsorships__in=booths).distinct().current_or_next(timezone.localdate())
        at_event = list(booths.filter(event=event).select_related("sponsor", "event")[:2]) if event else []
        if len(at_event) == 1:
            return redirect("scan-screen", pk=at_event[0].pk)
    return redirect("my-booths")


@login_required
def my_booths(request: HttpRequest) -> HttpResponse:
    """Every sponsorship the user works on, newest event first, and the sponsors they manage."""
    sponsorships = (
        scoped(Sponsorship, request.user)
        .select_related("sponsor", "event")
        .order_by("-event__start_date", "sponsor__name")
    )
    sponsors = managed(Sponsor, request.user).order_by("name")
    return render(request, "tracker/my_booths.html", {"sponsorships": sponsorships, "sponsors": sponsors})


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; touches nothing, so it is also the benchmarks' floor."""
    return HttpResponse("ok", content_type="text/plain")


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page a form came from (its ``next``), if it is on this site; else to ``fallback``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target)
