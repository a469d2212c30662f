"""The sales review: one row per lead, best first, with everything a rep needs to pick up the phone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import F, QuerySet

from tracker.exports.base import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    Column,
    Export,
    Formatted,
    Sheet,
    currency_format,
)
from tracker.models import Lead, Scan
from tracker.models.choices import ConversationType, FollowUpStatus, Rating

CHUNK = 2000
TOP_REASONS = 3

SALES_COLUMNS = (
    Column("Grade", 7),
    Column("Score", 7),
    Column("Top reasons", 40, wrap=True),
    Column("Name", 24),
    Column("Title", 28),
    Column("Company", 24),
    Column("Email", 28),
    Column("Phone", 16),
    Column("Country", 8),
    Column("Rating", 8),
    Column("Interests", 28, wrap=True),
    Column("Conversation types", 22),
    Column("Notes", 50, wrap=True),
    Column("Scanned by", 22),
    Column("First scan (event time)", 17, DATETIME_FORMAT),
    Column("Last scan (event time)", 17, DATETIME_FORMAT),
    Column("Follow-up owner", 22),
    Column("Status", 14),
    Column("Due", 11, DATE_FORMAT),
    Column("Opportunity", 14, AMOUNT_FORMAT),
    Column("Currency", 9),
    Column("Event", 24),
    Column("Lead id", 9),
)

_RATINGS = dict(Rating.choices)
_CONVERSATIONS = dict(ConversationType.choices)
_STATUSES = dict(FollowUpStatus.choices)


def sales_order(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Grade then score, best first; unscored leads last."""
    return leads.order_by(
        F("score__grade").asc(nulls_last=True), F("score__score").desc(nulls_last=True), "pk"
    )


class SalesReviewExport(Export):
    """The leads of a queryset (already scoped to the user) as the sales review sheet.

    Leads read in chunks of ids with two queries per chunk (leads with their joins, then their scans);
    contact fields stay blank for leads who did not agree to be contacted.
    """

    filename = "sales-review"

    def __init__(self, leads: QuerySet[Lead]):
        self.leads = leads

    def sheets(self) -> Iterator[Sheet]:
        ids = list(sales_order(self.leads).values_list("pk", flat=True))
        yield Sheet("Sales review", SALES_COLUMNS, self._rows(ids), row_count=len(ids))

    def lead_ids(self) -> list[int]:
        return list(self.leads.order_by("pk").values_list("pk", flat=True))

    def _rows(self, ids: list[int]) -> Iterator[tuple]:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            leads = Lead.objects.filter(pk__in=chunk).select_related(
                "attendee", "score", "follow_up__owner__user", "sponsorship__event"
            )
            by_pk = {lead.pk: lead for lead in leads}
            scans = defaultdict(list)
            for scan in (
                Scan.objects.filter(lead__in=chunk)
                .order_by("received_at", "pk")
                .values(
                    "lead_id",
                    "rating",
                    "interests",
                    "conversation_type",
                    "notes",
                    "scanned_by__user__first_name",
                    "scanned_by__user__last_name",
                    "scanned_by__user__username",
                )
            ):
                scans[scan["lead_id"]].append(scan)
            for pk in chunk:
                yield self.row(by_pk[pk], scans[pk])

    @staticmethod
    def row(lead: Lead, scans: list[dict]) -> tuple:
        attendee = lead.attendee
        score = getattr(lead, "score", None)
        follow_up = getattr(lead, "follow_up", None)
        owner = follow_up.owner if follow_up else None
        reasons = sorted((score.reasons or []) if score else [], key=lambda r: -abs(r.get("points", 0)))
        scanners = list(dict.fromkeys(_who(scan) for scan in scans))
        rating = next((s["rating"] for s in reversed(scans) if s["rating"]), "")
        interests = list(
            dict.fromkeys(i for s in scans for i in (s["interests"] or []) if isinstance(i, str))
        )
        talks = list(
            dict.fromkeys(
                _CONVERSATIONS.get(s["conversation_type"], s["conversation_type"])
                for s in scans
                if s["conversation_type"]
            )
        )
        notes = [f"{_who(s)}: {s['notes'].strip()}" for s in scans if s["notes"].strip()]
        contact = lead.consent is True
        return (
            score.grade if score else "",
            score.score if score else None,
            "\n".join(f"{r.get('points', 0):+d} {r.get('reason', '')}" for r in reasons[:TOP_REASONS]),
            attendee.full_name,
            attendee.title,
            attendee.company,
            attendee.email if contact else "",
            attendee.phone if contact else "",
            attendee.country,
            _RATINGS.get(rating, ""),
            ", ".join(interests),
            ", ".join(talks),
            "\n".join(notes),
            ", ".join(scanners),
            _event_time(lead.first_scan_at, lead),
            _event_time(lead.last_scan_at, lead),
            owner.display_name if owner else "",
            _STATUSES.get(follow_up.status, "") if follow_up else "",
            follow_up.due_on if follow_up else None,
            Formatted(follow_up.opportunity_amount, currency_format(follow_up.opportunity_currency))
            if follow_up and follow_up.opportunity_amount is not None
            else None,
            follow_up.opportunity_currency if follow_up else "",
            lead.sponsorship.event.name,
            lead.pk,
        )


def _who(scan: dict) -> str:
    full = f"{scan['scanned_by__user__first_name']} {scan['scanned_by__user__last_name']}".strip()
    return full or scan["scanned_by__user__username"] or "unknown"


def _event_time(moment, lead: Lead):
    return moment.astimezone(lead.sponsorship.event.tz) if moment else None
