"""One lead: the person, every interaction, the score with its reasons, the follow-up."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.models import Lead
from tracker.tenancy import get_scoped_or_404


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_scoped_or_404(
        Lead.objects.select_related("attendee", "sponsorship__sponsor", "sponsorship__event"),
        request.user,
        pk=pk,
    )
    scans = lead.scans.select_related("scanned_by__user").order_by("received_at")
    try:
        score = lead.score
    except ObjectDoesNotExist:
        score = None
    try:
        follow_up = lead.follow_up
        history = follow_up.history.select_related("changed_by", "from_owner__user", "to_owner__user")
    except ObjectDoesNotExist:
        follow_up, history = None, ()
    context = {"lead": lead, "scans": scans, "score": score, "follow_up": follow_up, "history": history}
    return render(request, "tracker/lead_detail.html", context)
