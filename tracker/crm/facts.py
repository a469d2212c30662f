"""The leads a CRM connection pushes, and reading them into ``LeadFacts`` for the CRM layouts: a few
queries per chunk of ids, whatever its size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from tracker.crm.mapping import LeadFacts
from tracker.drivercursors import among
from tracker.models import CrmConnection, Lead, Scan, Sponsorship
from tracker.models.choices import FollowUpStatus
from tracker.models.leads import OLDEST_ASKED_FIRST, latest_rating
from tracker.phones import phone_e164
from tracker.questions.service import leads_answers_typed


def qualifying_leads(connection: CrmConnection) -> QuerySet[Lead]:
    """The sponsor's leads this connection pushes (graded high enough, with consent, not excluded or erased)."""
    booths = list(Sponsorship.objects.filter(sponsor_id=connection.sponsor_id).values_list("pk", flat=True))
    return Lead.objects.filter(
        among(Lead, "sponsorship_id", booths), consent=True, erased_at=None,
        score__excluded=False, score__grade__in=connection.grades,
    )  # fmt: skip


def facts_of(lead: Lead, rating: str, notes: str, answers: dict[int, object] | None = None) -> LeadFacts:
    """One lead (its attendee, score, follow-up with owner and event already loaded) as ``LeadFacts``."""
    a, score = lead.attendee, getattr(lead, "score", None)
    follow_up = getattr(lead, "follow_up", None)
    return LeadFacts(
        pk=lead.pk,
        first_name=a.first_name,
        last_name=a.last_name,
        email=a.email,
        phone=phone_e164(a.phone, a.country),
        company=a.company,
        title=a.title,
        country=a.country,
        status=follow_up.status if follow_up else FollowUpStatus.TODO,
        owner_email=follow_up.owner.user.email if follow_up and follow_up.owner else "",
        score=score.score if score else None,
        grade=score.grade if score else "",
        event=lead.sponsorship.event.name,
        rating=rating,
        notes=notes,
        answers=answers or {},
    )


def leads_facts(ids: Sequence[int]) -> Iterator[LeadFacts]:
    """The facts of the leads ``ids`` (one chunk: the caller bounds it), in the order given; three queries."""
    leads = {
        lead.pk: lead
        for lead in Lead.objects.filter(pk__in=ids).select_related(
            "attendee", "score", "follow_up__owner__user", "sponsorship__event"
        )
    }
    ratings: dict[int, list[str]] = {}
    notes: dict[int, list[str]] = {}
    for lead_id, rating, note in (
        Scan.objects.filter(lead__in=ids)
        .order_by(*OLDEST_ASKED_FIRST)
        .values_list("lead_id", "rating", "notes")
    ):
        ratings.setdefault(lead_id, []).append(rating)
        if note.strip():
            notes.setdefault(lead_id, []).append(note.strip())
    answers = leads_answers_typed(list(ids))
    for pk in ids:
        if pk in leads:
            yield facts_of(
                leads[pk], latest_rating(ratings.get(pk, ())), " / ".join(notes.get(pk, ())), answers.get(pk)
            )
