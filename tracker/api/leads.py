"""The read API: leads with their ICP score, paged by cursor, scoped as the app scopes them (a manager
reads the sponsor's leads, booth staff their booths'), for a CRM or a BI tool to page through.

As in every export, the email and phone of a lead who did not agree to be contacted are left out.
A cursor is the last id read (signed): pages follow one another in id order without repeating a lead.
It lists; it does not sync: a lead whose transaction commits after a later page was read, under a lower
id (a long import chunk), is on the next reading from the start, not on the pages that follow.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema

from tracker.api.auth import reader
from tracker.api.errors import ApiError, error_responses
from tracker.models import Lead, Sponsorship
from tracker.models.leads import attendee_name
from tracker.tenancy import get_scoped_or_404, parse_id, scoped

router = Router(tags=["leads"], auth=reader)
CURSOR_SALT = "tracker.api.leads"
MAX_LIMIT = 500


class Reason(Schema):
    points: int
    reason: str


class ScoreOut(Schema):
    score: int
    grade: str
    reasons: list[Reason]
    icp_version: int
    scored_at: datetime


class LeadOut(Schema):
    id: int
    sponsorship: int
    name: str
    title: str
    company: str
    country: str
    email: str
    phone: str
    consent: bool | None
    scan_count: int
    first_scan_at: datetime | None
    last_scan_at: datetime | None
    follow_up_status: str | None
    score: ScoreOut | None


class LeadPage(Schema):
    items: list[LeadOut]
    next: str | None


class LeadFilters(Schema):
    sponsorship: int | None = None
    grade: str | None = None
    cursor: str | None = None
    limit: int = 100


def _lead(lead: Lead) -> dict:
    a, contact = lead.attendee, lead.consent is True
    score = getattr(lead, "score", None)
    return {
        "id": lead.pk, "sponsorship": lead.sponsorship_id,
        "name": attendee_name(a.display_name, a.first_name, a.last_name), "title": a.title, "company": a.company,
        "country": a.country, "email": a.email if contact else "", "phone": a.phone if contact else "",
        "consent": lead.consent, "scan_count": lead.scan_count,
        "first_scan_at": lead.first_scan_at.isoformat() if lead.first_scan_at else None,
        "last_scan_at": lead.last_scan_at.isoformat() if lead.last_scan_at else None,
        "follow_up_status": lead.follow_up.status if hasattr(lead, "follow_up") else None,
        "score": None if score is None else {
            "score": score.score, "grade": score.grade, "icp_version": score.icp.version,
            "scored_at": score.scored_at.isoformat(),
            "reasons": [{"points": int(r.get("points", 0)), "reason": str(r.get("reason", ""))} for r in score.reasons or []],
        },
    }  # fmt: skip


def _leads(request: HttpRequest):
    return scoped(Lead, request.auth.user).select_related("attendee", "score__icp", "follow_up")


@router.get(
    "/leads/", url_name="leads", response={200: LeadPage, **error_responses(400, 401, 404)},
    summary="The caller's leads with their score, a page at a time",
)  # fmt: skip
def leads(request: HttpRequest, filters: Query[LeadFilters]):
    """Oldest first; ``next`` is the cursor of the following page (null on the last). ``sponsorship``
    and ``grade`` narrow the list; ``limit`` is at most 500."""
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise ApiError(400, "invalid", f"limit is 1 to {MAX_LIMIT}.", errors={"limit": [{"message": f"1 to {MAX_LIMIT}.", "code": "invalid"}]})  # fmt: skip
    after = 0
    if filters.cursor:
        try:
            after = int(signing.loads(filters.cursor, salt=CURSOR_SALT))
        except (signing.BadSignature, ValueError, TypeError):
            raise ApiError(400, "invalid", "This cursor is not one a page gave.", errors={"cursor": [{"message": "Unknown cursor.", "code": "invalid"}]}) from None  # fmt: skip
    rows = _leads(request).filter(pk__gt=after).order_by("pk")
    if filters.sponsorship is not None:
        booth = parse_id(filters.sponsorship)
        if booth is None or not scoped(Sponsorship, request.auth.user).filter(pk=booth).exists():
            raise ApiError(404, "not_found", "No booth of yours has this id.")
        rows = rows.filter(sponsorship_id=booth)
    if filters.grade:
        rows = rows.filter(score__grade=filters.grade.upper())
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    cursor = signing.dumps(page[-1].pk, salt=CURSOR_SALT) if more else None
    return JsonResponse({"items": [_lead(lead) for lead in page], "next": cursor})


@router.get(
    "/leads/{lead_id}/", url_name="lead", response={200: LeadOut, **error_responses(400, 401, 404)},
    summary="One lead with its score",
)  # fmt: skip
def lead(request: HttpRequest, lead_id: int):
    return JsonResponse(_lead(get_scoped_or_404(_leads(request), request.auth.user, lead_id)))
