"""The exports a user can ask for: what each is called, its formats, who may run it, and how it is built.

Each builder takes the user the export runs for and the parameters it was asked with, and returns the
export, the sponsor it belongs to, and the leads whose data it holds. Everything is scoped to the user:
a parameter pointing at another sponsor's booth is not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, QueryDict

from tracker.exports.base import Export
from tracker.exports.crm import HubSpotExport, SalesforceExport
from tracker.exports.devrel import DevrelReviewExport, devrel_leads
from tracker.exports.landscape import SponsorLandscapeExport
from tracker.exports.leads import SalesReviewExport
from tracker.exports.roi import EventRoiExport
from tracker.filters import LeadFilterSet
from tracker.models import Event, Lead, Sponsor, Sponsorship
from tracker.tenancy import access_for, managed, scoped


@dataclass(frozen=True)
class Built:
    export: Export
    sponsor_id: int
    # The leads whose data the file holds, for the log: read once the file is written, not when the
    # export is asked for (a booth's every lead id has no business in a web request).
    lead_ids: Callable[[], list[int]]
    scope: str = ""  # what the export covers, in words, for the log


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    formats: tuple[str, ...]
    build: Callable[[object, dict], Built]
    managers_only: bool = False


def _one(queryset: QuerySet, pk) -> object:
    try:
        return queryset.get(pk=int(pk))
    except (TypeError, ValueError, queryset.model.DoesNotExist):
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None


def selected_leads(user, params: dict) -> tuple[QuerySet[Lead], Sponsorship | None]:
    """The leads an export covers: ticked ids, or a lead table's filters (on one booth or all)."""
    sponsorship = None
    if params.get("sponsorship"):
        sponsorship = _one(scoped(Sponsorship, user).select_related("sponsor"), params["sponsorship"])
    leads = scoped(Lead, user)
    if sponsorship is not None:
        leads = leads.filter(sponsorship=sponsorship)
    if "lead_ids" in params:
        return leads.filter(pk__in=[int(pk) for pk in params["lead_ids"]]), sponsorship
    filters = QueryDict(params.get("filters", ""))
    return LeadFilterSet(filters, queryset=leads, user=user, sponsorship=sponsorship).qs, sponsorship


def _sponsor_of(leads: QuerySet[Lead], sponsorship: Sponsorship | None) -> int:
    if sponsorship is not None:
        return sponsorship.sponsor_id
    sponsors = set(leads.order_by().values_list("sponsorship__sponsor_id", flat=True).distinct()[:2])
    if len(sponsors) != 1:
        raise Http404("Choose one sponsor's leads to export.")
    return sponsors.pop()


def _lead_export(cls) -> Callable[[object, dict], Built]:
    def build(user, params: dict) -> Built:
        leads, sponsorship = selected_leads(user, params)
        export = cls(leads)
        scope = str(sponsorship) if sponsorship is not None else "leads of several booths"
        if "lead_ids" in params:
            count = len(params["lead_ids"])
            scope = f"{count} selected lead{'s' if count != 1 else ''}"
        elif params.get("filters"):
            scope += " (filtered)"

        def ids() -> list[int]:
            return list(export.leads.order_by("pk").values_list("pk", flat=True))

        return Built(export, _sponsor_of(leads, sponsorship), ids, scope)

    return build


def _devrel(user, params: dict) -> Built:
    sponsorship = _one(scoped(Sponsorship, user).select_related("sponsor"), params.get("sponsorship"))
    return Built(
        DevrelReviewExport(sponsorship),
        sponsorship.sponsor_id,
        lambda: devrel_leads(sponsorship),
        str(sponsorship),
    )


def _roi(user, params: dict) -> Built:
    if params.get("sponsorship"):
        sponsorships = [
            _one(managed(Sponsorship, user).select_related("sponsor", "event"), params["sponsorship"])
        ]
        sponsor_id = sponsorships[0].sponsor_id
    else:
        sponsor = _one(managed(Sponsor, user), params.get("sponsor"))
        sponsorships = list(
            Sponsorship.objects.filter(sponsor=sponsor)
            .select_related("sponsor", "event")
            .order_by("event__start_date")
        )
        sponsor_id = sponsor.pk
    scope = (
        str(sponsorships[0])
        if params.get("sponsorship")
        else f"{sponsorships[0].sponsor if sponsorships else ''} across events"
    )
    return Built(EventRoiExport(sponsorships), sponsor_id, list, scope)


def _landscape(user, params: dict) -> Built:
    events = [_one(scoped(Event, user), params.get("event"))]
    if params.get("compare_event"):
        events.insert(0, _one(scoped(Event, user), params["compare_event"]))
        events.sort(key=lambda event: event.start_date)
    access = access_for(user)
    own = None if access.everything else set(access.managed_sponsor_ids) | set(access.member_sponsor_ids)
    sponsor_id = params.get("sponsor")
    if sponsor_id is None:
        sponsor_id = next(iter(sorted(own or ())), None)
    if sponsor_id is None:  # an operator: logged against the first sponsor at the event
        sponsor_id = Sponsorship.objects.filter(event=events[-1]).values_list("sponsor_id", flat=True).first()
    if sponsor_id is None:
        raise Http404("Nobody sponsored that event yet.")
    return Built(
        SponsorLandscapeExport(events, own), int(sponsor_id), list, " vs ".join(e.name for e in events)
    )


KINDS: dict[str, ExportKind] = {
    kind.key: kind
    for kind in (
        ExportKind("sales-review", "Sales review", ("xlsx", "csv"), _lead_export(SalesReviewExport)),
        ExportKind("hubspot-contacts", "HubSpot contacts (CSV)", ("csv",), _lead_export(HubSpotExport)),
        ExportKind("salesforce-leads", "Salesforce leads (CSV)", ("csv",), _lead_export(SalesforceExport)),
        ExportKind("devrel-review", "Devrel review", ("xlsx",), _devrel),
        ExportKind("event-roi", "Event ROI", ("xlsx",), _roi, managers_only=True),
        ExportKind("sponsor-landscape", "Sponsor landscape", ("xlsx",), _landscape),
    )
}
