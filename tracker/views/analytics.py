"""Did the booth pay off? The event ROI page of one sponsorship and the sponsor's portfolio across events
(``tracker.analytics.roi``, as the ROI workbook; for managers of the sponsor only: costs and pipeline are
private to them), and an event's sponsor landscape (``tracker.analytics.landscape``, as its workbook).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tracker.analytics.charts import bars, share
from tracker.analytics.landscape import changes, landscapes
from tracker.analytics.portfolio import groups, trend
from tracker.analytics.roi import UNKNOWN_ROLE, Roi, Slice, qualified_grades, roi_for, stages
from tracker.analytics.stages import STEPS
from tracker.leads.filters import NO_ROLE
from tracker.models import Event, Sponsor, Sponsorship
from tracker.models.choices import Grade, StaffRole
from tracker.tenancy import access_for, get_managed_or_404, get_scoped_or_404, scoped

# A breakdown's role (as the figures name it) to the lead filter's value.
_ROLE_CODES = {**{str(label): value for value, label in StaffRole.choices}, UNKNOWN_ROLE: NO_ROLE}


def _money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.2f} {currency}"


def _leads_url(sponsorship: Sponsorship, grades, **filters) -> str:
    query = [("grade", grade) for grade in grades] + list(filters.items())
    return f"{reverse('lead-list', args=[sponsorship.pk])}?{urlencode(query)}"


def _funnel(roi: Roi, part: Slice) -> list:
    """The funnel's bars, each with the conversion from the step before and a link to its leads."""
    counts = part.funnel()
    lead_list = reverse("lead-list", args=[roi.sponsorship.pk])
    hrefs = [
        "",
        lead_list,
        _leads_url(roi.sponsorship, roi.grades),
        *(_leads_url(roi.sponsorship, roi.grades, reached=step) for step in STEPS),
    ]
    notes = [""] + [share(count, before) for before, count in zip(counts, counts[1:], strict=False)]
    return bars(
        ((stage, n, f"{n:,}") for stage, n in zip(stages(roi.grades), counts, strict=True)), notes, hrefs
    )


def _breakdown(
    roi: Roi, slices: dict[str, Slice], link: str, codes: dict[str, str] | None = None
) -> list[dict]:
    """Rows of a breakdown (by role, by theme), most leads first, with their bar and figures, each linked to
    the lead list's ``link`` filter (its value the row's name, or ``codes``' value for it)."""
    codes = codes or {}
    ordered = sorted(slices.items(), key=lambda item: (-item[1].leads, item[0]))
    chart = bars((name, part.leads, f"{part.leads:,}") for name, part in ordered)
    return [
        {
            "name": name,
            "part": part,
            "bar": bar,
            "qualified_share": share(part.qualified, part.leads),
            "pipeline": _money(part.pipeline, roi.currency),
            "href": _leads_url(roi.sponsorship, (), **{link: codes.get(name, name)}),
        }
        for (name, part), bar in zip(ordered, chart, strict=True)
    ]


@login_required
def sponsorship_roi(request: HttpRequest, pk: int) -> HttpResponse:
    """One booth's figures: costs, the funnel (and without swag-only talks), cost per step, pipeline,
    time to first contact, and who found the qualified leads (by staff role and by theme)."""
    sponsorship = get_managed_or_404(Sponsorship.objects.select_related("sponsor", "event"), request.user, pk)
    grades = qualified_grades(sponsorship.sponsor_id, request.GET.getlist("grades"))
    (roi,) = roi_for([sponsorship], grades)
    total, currency = roi.total, roi.currency
    cost_per = [
        ("Lead", total.leads),
        ("Qualified lead", total.qualified),
        ("Meeting", total.meetings),
        ("Opportunity", total.opportunities),
    ]
    funnel, without_swag = _funnel(roi, total), _funnel(roi, roi.without_swag)
    by_role = _breakdown(roi, roi.by_role, "credited_role", _ROLE_CODES)
    by_theme = _breakdown(roi, roi.by_theme, "theme")
    context = {
        "sponsorship": sponsorship,
        "roi": roi,
        "grades": grades,
        "grade_choices": Grade.values,
        "total_cost": _money(roi.cost, currency),
        "headline": [
            ("Cost", _money(roi.cost, currency)),
            ("Qualified leads", f"{total.qualified:,}"),
            ("Cost per qualified lead", _money(roi.cost_per_qualified_lead, currency)),
            ("Pipeline sourced", _money(total.pipeline, currency)),
            ("Won", _money(total.won_amount, currency)),
            (
                "Pipeline per unit of cost",
                f"{roi.return_on_cost}×" if roi.return_on_cost is not None else "—",
            ),
        ],
        "funnel": funnel,
        "funnel_without_swag": without_swag,
        "funnel_rows": list(zip(funnel, without_swag, strict=True)),
        "cost_per": [(label, n, _money(roi.cost_per(n), currency)) for label, n in cost_per],
        "by_role": by_role,
        "by_role_chart": [row["bar"] for row in by_role],
        "by_theme": by_theme,
        "by_theme_chart": [row["bar"] for row in by_theme],
        "touch": bars((label, n, f"{n:,}") for label, n in roi.touch_distribution()),
        "never_contacted_share": share(roi.qualified_never_contacted, total.qualified),
    }
    return render(request, "tracker/sponsorship_roi.html", context)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def sponsor_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """Every sponsorship of the sponsor, oldest first: should we run a booth next time? Cost per
    qualified lead by event, Europe against North America, one year against the next."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    grades = qualified_grades(sponsor.pk, request.GET.getlist("grades"))
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    sponsorships = sponsor.sponsorships.select_related("event", "sponsor").order_by("event__start_date", "pk")
    if since:
        sponsorships = sponsorships.filter(event__start_date__gte=since)
    if until:
        sponsorships = sponsorships.filter(event__start_date__lte=until)
    figures = roi_for(sponsorships, grades)
    currency = sponsor.reporting_currency
    context = {
        "sponsor": sponsor,
        "rows": [
            {
                "roi": roi,
                "cost": _money(roi.cost, currency),
                "cost_per_qualified": _money(roi.cost_per_qualified_lead, currency),
                "pipeline": _money(roi.total.pipeline, currency),
                "won": _money(roi.total.won_amount, currency),
                "return": f"{roi.return_on_cost}×" if roi.return_on_cost is not None else "—",
            }
            for roi in reversed(figures)
        ],
        "grades": grades,
        "grade_choices": Grade.values,
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
        "chart": bars(
            (
                f"{roi.sponsorship.event.short_label}" + ("" if roi.sponsorship.has_booth else " (no booth)"),
                roi.cost_per_qualified_lead,
                _money(roi.cost_per_qualified_lead, currency),
            )
            for roi in figures
        ),
        "groups": [
            (
                title,
                members,
                bars(
                    (group.name, group.cost_per_qualified, _money(group.cost_per_qualified, currency))
                    for group in members
                ),
            )
            for title, members in groups(figures)
        ],
        "trend": trend(figures),
        "dates": True,
    }
    return render(request, "tracker/sponsor_portfolio.html", context)


@login_required
def event_landscape(request: HttpRequest, pk: int) -> HttpResponse:
    """An event's sponsors by tier, booths, themes and the staff mix of the booths, and how they changed
    since another event (``?compare=``). Public facts of every sponsor; reasons and staff of the user's own."""
    event = get_scoped_or_404(Event, request.user, pk)
    visible = scoped(Event, request.user).exclude(pk=event.pk).order_by("-start_date")
    other = (
        get_scoped_or_404(visible, request.user, request.GET["compare"])
        if request.GET.get("compare")
        else None
    )
    events = sorted([event, other], key=lambda e: e.start_date) if other else [event]
    access = access_for(request.user)
    figures = landscapes(events, None if access.everything else set(access.member_sponsor_ids))
    sections = []
    for landscape in figures:
        shares = landscape.theme_shares()
        sections.append(
            {
                "landscape": landscape,
                "tiers": bars((label, n, f"{n:,}") for label, n in landscape.by_tier()),
                "booths": bars((label, n, f"{n:,}") for label, n in landscape.booths()),
                "themes": bars((theme, n, f"{n:,} ({share:.0%})") for theme, n, share in shares),
                "staff": bars((role, n, f"{n:,}") for role, n in landscape.staff_mix()),
            }
        )
    compared = changes(*figures) if len(figures) == 2 else []
    context = {
        "event": event,
        "other": other,
        "choices": visible,
        "sections": sections,
        "changed": [change for change in compared if change.text != "same"],
        "unchanged": sum(1 for change in compared if change.text == "same"),
        "booth_then_not": [change for change in compared if change.booth_then_not],
        "operator": access.everything,
    }
    return render(request, "tracker/event_landscape.html", context)
