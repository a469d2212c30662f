"""One lead: the person, every interaction, the score with its reasons, the follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tracker.analytics.freshness import figures_changed
from tracker.crm.propagation import CONSENT, crm_propagate_soon
from tracker.followups.history import duration_text, time_to_first_touch
from tracker.lists.filters import staff_choices
from tracker.models import Lead, StaffMember
from tracker.models.choices import ConsentHow, FollowUpStatus
from tracker.models.money import CURRENCY_CHOICES
from tracker.questions.service import lead_answers_shown, scans_answers_shown
from tracker.tenancy import get_scoped_or_404, managed, may_change_follow_up


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_scoped_or_404(
        Lead.objects.select_related("attendee", "sponsorship__sponsor", "sponsorship__event"),
        request.user,
        pk=pk,
    )
    scans = list(lead.scans.select_related("scanned_by__user").order_by("received_at"))
    scans_answers_shown(scans, lead.sponsorship.sponsor_id)
    try:
        score = lead.score
    except ObjectDoesNotExist:
        score = None
    try:
        follow_up = lead.follow_up
        history = follow_up.history.select_related("changed_by", "from_owner__user", "to_owner__user")
    except ObjectDoesNotExist:
        follow_up, history = None, ()
    context = {
        "lead": lead,
        "scans": scans,
        "score": score,
        "answers": lead_answers_shown(lead),
        "follow_up": follow_up,
        "history": history,
        "first_touch": _first_touch(follow_up),
        "can_change": follow_up is not None and may_change_follow_up(request.user, follow_up),
        "statuses": FollowUpStatus.choices,
        "currencies": CURRENCY_CHOICES,
        "owners": staff_choices(_owners(request.user, lead))(),
    }
    return render(request, "tracker/lead_detail.html", context)


def _first_touch(follow_up) -> str:
    delta = time_to_first_touch(follow_up) if follow_up else None
    return duration_text(delta) if delta is not None else ""


def _owners(user, lead: Lead):
    """Who a manager can hand the lead to (nobody, for staff who do not manage its sponsor)."""
    return (
        managed(StaffMember, user)
        .filter(sponsor_id=lead.sponsorship.sponsor_id, is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


@login_required
@require_POST
def lead_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """What the person told us later ("stop contacting me", or yes after all): it wins over every answer
    scanned before it, and exports from now on follow it (contact data only with a yes)."""
    lead = get_scoped_or_404(Lead.objects.select_related("sponsorship"), request.user, pk=pk)
    answer = request.POST.get("answer")
    if answer not in ("yes", "no") or lead.erased_at is not None:
        messages.error(request, "Choose whether the person agreed or withdrew.")
        return redirect("lead-detail", pk=lead.pk)
    staff = StaffMember.objects.filter(user=request.user, sponsor_id=lead.sponsorship.sponsor_id).first()
    Lead.objects.filter(pk=lead.pk).update(
        consent=answer == "yes",
        consent_how=ConsentHow.PERSON,
        consent_recorded_at=timezone.now(),
        consent_by=staff,
    )
    figures_changed([lead.sponsorship_id])
    crm_propagate_soon([lead.pk], CONSENT)  # opted out in the sponsor's CRMs, or pushed again
    messages.success(
        request,
        "Recorded: the person agreed to be contacted." if answer == "yes"
        else "Recorded: the person withdrew consent. Exports leave out their email and phone from now on.",
    )  # fmt: skip
    return redirect("lead-detail", pk=lead.pk)
