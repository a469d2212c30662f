"""A manager's sponsor overview and the booth page of one sponsorship."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker import times
from tracker.analytics.costs import cost_totals
from tracker.analytics.portfolio import Group, trend
from tracker.analytics.roi import qualified_label, roi_for
from tracker.followups.creation import (
    AUTOMATIC_LOOKBACK,
    automatic_run_passed_by,
    policy_for,
    qualified_without_follow_up,
)
from tracker.models import Scan, Sponsor, Sponsorship, StaffMember
from tracker.tenancy import access_for, get_managed_or_404, get_scoped_or_404, scoped

RECENT_SCANS = 25


@login_required
def sponsor_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything of one sponsor across events, led by what the booths paid off: sponsorships, counts,
    costs, staff by role."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    sponsorships = list(
        sponsor.sponsorships.with_counts()
        .select_related("event")
        .prefetch_related("themes")
        .order_by("-event__start_date")
    )
    figures = roi_for(sponsorships)
    for sponsorship, roi in zip(sponsorships, figures, strict=True):
        sponsorship.roi = roi
    everything = Group("All events")
    for roi in figures:
        everything.add(roi)
    staff_by_role = (
        sponsor.staff.filter(is_active=True).values("role").annotate(n=Count("pk")).order_by("-n", "role")
    )
    roles = dict(StaffMember._meta.get_field("role").choices)
    context = {
        "sponsor": sponsor,
        "sponsorships": sponsorships,
        "everything": everything,
        "trend": trend(figures),
        "qualified_label": qualified_label(figures[0].grades) if figures else "",
        "staff_by_role": [(roles.get(row["role"], row["role"]), row["n"]) for row in staff_by_role],
    }
    return render(request, "tracker/sponsor_overview.html", context)


@login_required
def sponsorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The booth page: today's and the event's counts, the latest scans, who is on the roster."""
    sponsorship = get_scoped_or_404(
        Sponsorship.objects.with_counts().select_related("sponsor", "event"), request.user, pk=pk
    )
    day_start, day_end = times.day_span(times.event_today(sponsorship.event), sponsorship.event.tz)
    scans = scoped(Scan, request.user).filter(sponsorship=sponsorship)
    recent = scans.select_related("lead__attendee", "scanned_by__user").order_by("-received_at")[
        :RECENT_SCANS
    ]
    roster = sponsorship.roster.select_related("user").order_by("role", "user__first_name")
    access = access_for(request.user)
    can_manage = access.everything or sponsorship.sponsor_id in access.managed_sponsor_ids
    context = {
        "sponsorship": sponsorship,
        "today_count": scans.filter(received_at__gte=day_start, received_at__lt=day_end).count(),
        "recent_scans": recent,
        "roster": roster,
        "can_manage": can_manage,
        "cost": cost_totals([sponsorship.pk], sponsorship.sponsor.reporting_currency).get(sponsorship.pk)
        if can_manage
        else None,
        "cost_lines": sponsorship.cost_lines.order_by("category") if can_manage else (),
    }
    if can_manage:
        policy = policy_for(sponsorship.sponsor_id)
        context["policy"] = policy
        context["pending_follow_ups"] = qualified_without_follow_up(sponsorship, policy).count()
        context["automatic_run_passed"] = automatic_run_passed_by(sponsorship, policy)
        context["automatic_lookback_days"] = AUTOMATIC_LOOKBACK.days
    return render(request, "tracker/sponsorship_detail.html", context)
