"""The exports a user can ask for: what each is called, its formats, who may run it, and how it is built.

Each builder takes the user the export runs for and the parameters it was asked with, and returns the
export, the sponsor it belongs to, and the leads whose data it holds. Everything is scoped to the user:
every id in the parameters goes through :mod:`tracker.tenancy`, so one pointing at another sponsor's
booth (or at nothing, or malformed) is not found. An export belongs to the requester's sponsor whose
data it holds, never to a sponsor named in the request; an operator's export belongs to no sponsor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.text import slugify

from tracker.exports.base import Export
from tracker.exports.crm import HubSpotExport, SalesforceExport
from tracker.exports.devrel import DevrelReviewExport, devrel_leads
from tracker.exports.landscape import SponsorLandscapeExport
from tracker.exports.leads import SalesReviewExport
from tracker.exports.roi import EventRoiExport
from tracker.leads.filters import LeadFilterSet
from tracker.models import Event, Lead, Sponsor, Sponsorship
from tracker.questions.lists import list_questions
from tracker.tenancy import access_for, get_managed_or_404, get_scoped_or_404, parse_ids, scoped


@dataclass(frozen=True)
class Built:
    export: Export
    sponsor_id: int | None  # None: an operator's export
    # The leads whose data the file holds, for the log: read once the file is written, not when the
    # export is asked for (a booth's every lead id has no business in a web request).
    lead_ids: Callable[[], list[int]]
    scope: str = ""  # what the export covers, in words, for the log
    name: str = ""  # whose and which event, for the file name: "alpenstack-kubecon-eu-2024"
    # What the file leaves out for leads without consent, and how many: read once the file is written.
    consent_note: Callable[[], str] = str


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    formats: tuple[str, ...]
    build: Callable[[object, dict], Built]
    managers_only: bool = False


def _owner(user, sponsor_id: int) -> int | None:
    """The sponsor an export of ``sponsor_id``'s data is logged under: that one, or none for an operator."""
    return None if access_for(user).everything else sponsor_id


def selected_leads(user, params: dict) -> tuple[QuerySet[Lead], Sponsorship | None]:
    """The leads an export covers: ticked ids, or a lead table's filters (on one booth or all)."""
    sponsorship = None
    if params.get("sponsorship"):
        sponsorship = get_scoped_or_404(
            Sponsorship.objects.select_related("sponsor"), user, params["sponsorship"]
        )
    leads = scoped(Lead, user)
    if sponsorship is not None:
        leads = leads.filter(sponsorship=sponsorship)
    if "lead_ids" in params:
        return leads.filter(pk__in=parse_ids(params["lead_ids"])), sponsorship
    filters = QueryDict(params.get("filters", ""))
    # The list's own filters, its questions' answers included: the export is the rows the list shows.
    filterset = LeadFilterSet(
        filters,
        queryset=leads,
        user=user,
        sponsorship=sponsorship,
        questions=list_questions(user, sponsorship),
    )
    return filterset.qs, sponsorship


class ScopeUnclear(ValueError):
    """Leads of no sponsor or of several: a lead file is one sponsor's (its questions, its consent rules).
    Its message says what to do."""


def _sponsor_of(leads: QuerySet[Lead], sponsorship: Sponsorship | None) -> int:
    if sponsorship is not None:
        return sponsorship.sponsor_id
    sponsors = set(leads.order_by().values_list("sponsorship__sponsor_id", flat=True).distinct()[:2])
    if not sponsors:
        raise ScopeUnclear("No lead matches: nothing was exported.")
    if len(sponsors) > 1:
        raise ScopeUnclear("These leads are of several sponsors: filter by one sponsor's booth, then export.")
    return sponsors.pop()


def _name(sponsor_id: int, sponsorship: Sponsorship | None = None) -> str:
    """The file-name part naming the export's sponsor, and its event when it is one booth's."""
    if sponsorship is not None:
        return slugify(f"{sponsorship.sponsor.slug}-{sponsorship.event.slug}")[:120]
    return Sponsor.objects.filter(pk=sponsor_id).values_list("slug", flat=True).first() or ""


def _consent_note(leads: QuerySet[Lead], crm: bool) -> Callable[[], str]:
    def note() -> str:
        without = leads.exclude(consent=True).count()
        if not without:
            return ""
        people = f"{without:,} lead{'s' if without != 1 else ''} without consent to be contacted"
        return f"{people}: left out" if crm else f"{people}: email and phone left blank"

    return note


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

        sponsor_id = _sponsor_of(leads, sponsorship)
        crm = cls is not SalesReviewExport
        return Built(
            export,
            _owner(user, sponsor_id),
            ids,
            scope,
            _name(sponsor_id, sponsorship),
            _consent_note(leads, crm),
        )

    return build


def _devrel(user, params: dict) -> Built:
    sponsorship = get_scoped_or_404(
        Sponsorship.objects.select_related("sponsor"), user, params.get("sponsorship")
    )
    return Built(
        DevrelReviewExport(sponsorship),
        _owner(user, sponsorship.sponsor_id),
        lambda: devrel_leads(sponsorship),
        str(sponsorship),
        _name(sponsorship.sponsor_id, sponsorship),
    )


def _roi(user, params: dict) -> Built:
    if params.get("sponsorship"):
        sponsorships = [
            get_managed_or_404(
                Sponsorship.objects.select_related("sponsor", "event"), user, params["sponsorship"]
            )
        ]
        sponsor_id = sponsorships[0].sponsor_id
    else:
        sponsor = get_managed_or_404(Sponsor, user, params.get("sponsor"))
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
    if params.get("sponsorship"):
        name = _name(sponsor_id, sponsorships[0])
    else:
        name = f"{_name(sponsor_id)}-all-events"  # not to be taken for one event's file
    return Built(EventRoiExport(sponsorships), _owner(user, sponsor_id), list, scope, name)


def _landscape(user, params: dict) -> Built:
    """An event's sponsors (public), with the private side (why no booth) of one sponsor of the user's.

    ``sponsor`` picks which of the user's own sponsors the file is for (the first by default); it is
    looked up among the sponsors the user works for, so naming another sponsor finds nothing.
    """
    events = [get_scoped_or_404(Event, user, params.get("event"))]
    if params.get("compare_event"):
        events.insert(0, get_scoped_or_404(Event, user, params["compare_event"]))
        events.sort(key=lambda event: event.start_date)
    access = access_for(user)
    if access.everything:
        sponsor_id, own = None, None
    else:
        mine = Sponsor.objects.filter(pk__in=access.member_sponsor_ids).order_by("pk")
        sponsor = get_scoped_or_404(mine, user, params["sponsor"]) if params.get("sponsor") else mine.first()
        if sponsor is None:
            raise Http404("You work for no sponsor.")
        sponsor_id, own = sponsor.pk, {sponsor.pk}
    name = slugify("-".join(event.slug for event in events))[:120]
    return Built(
        SponsorLandscapeExport(events, own), sponsor_id, list, " vs ".join(e.name for e in events), name
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


# The lead lists' one menu of lead exports: what each choice writes, and how it is called.
LEAD_EXPORTS: dict[str, tuple[str, str, str]] = {
    "xlsx": ("sales-review", "xlsx", "Sales review (Excel)"),
    "csv": ("sales-review", "csv", "Sales review (CSV)"),
    "hubspot": ("hubspot-contacts", "csv", "HubSpot contacts (CSV)"),
    "salesforce": ("salesforce-leads", "csv", "Salesforce leads (CSV)"),
}
