"""CRM-ready CSVs of the sales list in the column layouts HubSpot and Salesforce import.

Only leads who agreed to be contacted are in them: a CRM import is contacting them. Phone numbers go
in E.164 where the country is known, the form CRMs match and dial.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from tracker.exports.base import Column, Export, Sheet
from tracker.exports.leads import CHUNK, sales_order
from tracker.models import Lead, Scan
from tracker.models.choices import FollowUpStatus, Rating
from tracker.models.leads import latest_rating
from tracker.phones import phone_e164

HUBSPOT_LEAD_STATUS = {
    FollowUpStatus.TODO: "New",
    FollowUpStatus.CONTACTED: "Attempted to contact",
    FollowUpStatus.MEETING_BOOKED: "Connected",
    FollowUpStatus.OPPORTUNITY: "Open deal",
    FollowUpStatus.WON: "Connected",
    FollowUpStatus.LOST: "Unqualified",
    FollowUpStatus.DISQUALIFIED: "Unqualified",
    FollowUpStatus.NO_RESPONSE: "Attempted to contact",
}
SALESFORCE_LEAD_STATUS = {
    FollowUpStatus.TODO: "Open - Not Contacted",
    FollowUpStatus.CONTACTED: "Working - Contacted",
    FollowUpStatus.MEETING_BOOKED: "Working - Contacted",
    FollowUpStatus.OPPORTUNITY: "Closed - Converted",
    FollowUpStatus.WON: "Closed - Converted",
    FollowUpStatus.LOST: "Closed - Not Converted",
    FollowUpStatus.DISQUALIFIED: "Closed - Not Converted",
    FollowUpStatus.NO_RESPONSE: "Working - Contacted",
}
# Salesforce refuses a lead without a last name or company; this is its own placeholder convention.
NOT_PROVIDED = "[not provided]"


class _CrmExport(Export):
    """Consenting leads of a queryset (already scoped), best first, with their latest rating and notes."""

    columns: tuple[Column, ...] = ()

    def __init__(self, leads: QuerySet[Lead]):
        self.leads = leads.filter(consent=True)

    def sheets(self) -> Iterator[Sheet]:
        ids = list(sales_order(self.leads).values_list("pk", flat=True))
        yield Sheet(self.filename, self.columns, self._rows(ids), row_count=len(ids))

    def _rows(self, ids: list[int]) -> Iterator[tuple]:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            leads = {
                lead.pk: lead
                for lead in Lead.objects.filter(pk__in=chunk).select_related(
                    "attendee", "score", "follow_up__owner__user", "sponsorship__event"
                )
            }
            ratings: dict[int, list[str]] = {}
            notes: dict[int, list[str]] = {}
            for lead_id, rating, note in (
                Scan.objects.filter(lead__in=chunk)
                .order_by("received_at", "pk")
                .values_list("lead_id", "rating", "notes")
            ):
                ratings.setdefault(lead_id, []).append(rating)
                if note.strip():
                    notes.setdefault(lead_id, []).append(note.strip())
            for pk in chunk:
                yield self.row(leads[pk], latest_rating(ratings.get(pk, ())), " / ".join(notes.get(pk, ())))

    def row(self, lead: Lead, rating: str, notes: str) -> tuple:
        raise NotImplementedError


def _status(lead: Lead, mapping: dict) -> str:
    follow_up = getattr(lead, "follow_up", None)
    return mapping.get(follow_up.status if follow_up else FollowUpStatus.TODO, "")


def _owner_email(lead: Lead) -> str:
    follow_up = getattr(lead, "follow_up", None)
    return follow_up.owner.user.email if follow_up and follow_up.owner else ""


class HubSpotExport(_CrmExport):
    filename = "hubspot-contacts"
    columns = tuple(
        Column(header)
        for header in (
            "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title", "Country/Region",
            "Lifecycle Stage", "Lead Status", "Contact owner", "Lead score", "Lead grade", "Event", "Booth notes",
        )
    )  # fmt: skip

    def row(self, lead: Lead, rating: str, notes: str) -> tuple:
        a, score = lead.attendee, getattr(lead, "score", None)
        return (
            a.first_name, a.last_name, a.email, phone_e164(a.phone, a.country), a.company, a.title, a.country, "Lead",
            _status(lead, HUBSPOT_LEAD_STATUS), _owner_email(lead), score.score if score else None,
            score.grade if score else "", lead.sponsorship.event.name, notes,
        )  # fmt: skip


class SalesforceExport(_CrmExport):
    filename = "salesforce-leads"
    columns = tuple(
        Column(header)
        for header in (
            "First Name", "Last Name", "Title", "Company", "Email", "Phone", "Country", "Lead Source",
            "Lead Status", "Rating", "Lead Owner", "Description",
        )
    )  # fmt: skip

    def row(self, lead: Lead, rating: str, notes: str) -> tuple:
        a, score = lead.attendee, getattr(lead, "score", None)
        summary = (
            f"{lead.sponsorship.event.name}. ICP grade {score.grade}, score {score.score}."
            if score
            else lead.sponsorship.event.name + "."
        )
        return (
            a.first_name, a.last_name or NOT_PROVIDED, a.title, a.company or NOT_PROVIDED, a.email,
            phone_e164(a.phone, a.country),
            a.country, "Trade Show", _status(lead, SALESFORCE_LEAD_STATUS), dict(Rating.choices).get(rating, ""),
            _owner_email(lead), f"{summary} {notes}".strip(),
        )  # fmt: skip
