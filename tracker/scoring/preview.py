"""The grade a lead would get with what the booth's qualify card says so far, for the phone.

The same pure engine as the stored score, on the lead's facts (or, for someone not yet a lead, on who
their badge says they are) with the card's draft added as one more scan. Nothing is stored: the stored
score still comes from the scoring task once the scan is sent.
"""

from __future__ import annotations

from dataclasses import replace

from tracker.models import Attendee, Lead, Sponsorship
from tracker.questions.answers import Answer, answer_rows
from tracker.scoring.facts import leads_facts, person_facts
from tracker.scoring.service import current_icp, scorer_for
from tracker.scoring.values import LeadFacts

SHOWN_REASONS = 3


def with_draft(facts: LeadFacts, draft: dict, answers: dict[str, Answer]) -> LeadFacts:
    """``facts`` with the card's draft as the lead's newest scan (its answers replace older ones)."""
    given = dict(facts.answers)
    numbers = dict(facts.numbers)
    for key, answer in answers.items():
        rows = answer_rows(answer)
        given[int(key)] = tuple(value for value, _ in rows)
        number = rows[0][1] if rows else None
        if number is not None:
            numbers[int(key)] = float(number)
    notes = "\n".join(text for text in (draft.get("notes", ""), facts.notes) if text)
    return replace(
        facts,
        ratings=(draft["rating"], *facts.ratings) if draft.get("rating") else facts.ratings,
        conversation_types=(draft["conversation_type"], *facts.conversation_types)
        if draft.get("conversation_type")
        else facts.conversation_types,
        interests=tuple(dict.fromkeys((*draft.get("interests", ()), *facts.interests))),
        notes=notes,
        scan_count=facts.scan_count + 1,
        answers=given,
        numbers=numbers,
    )


def grade_preview(
    sponsorship: Sponsorship,
    *,
    attendee: Attendee | None,
    badge,
    draft: dict,
    answers: dict[str, Answer],
) -> dict | None:
    """{"grade", "score", "reasons" (the top few, as read), "excluded", "icp_version"}, or None when the
    sponsor has no published ICP or the person asked to be erased."""
    icp = current_icp(sponsorship.sponsor_id)
    if icp is None:
        return None
    facts = None
    if attendee is not None:
        lead_id = (
            Lead.objects.filter(sponsorship=sponsorship, attendee=attendee)
            .values_list("pk", flat=True)
            .first()
        )
        if lead_id is not None:
            facts = leads_facts([lead_id], sponsorship.sponsor_id, preview=True).get(lead_id)
            if facts is None:  # erased: no longer scored
                return None
    if facts is None:
        who = attendee or badge
        facts = person_facts(
            sponsorship.sponsor_id,
            title=who.title or "",
            company=who.company or "",
            email=who.email or "",
            country=getattr(who, "country", "") or "",
        )
    score = scorer_for(icp)(with_draft(facts, draft, answers))
    reasons = sorted((r for r in score.reasons if r.points), key=lambda r: -abs(r.points))
    if score.excluded or not reasons:
        reasons = list(score.reasons)
    return {
        "grade": score.grade,
        "score": score.score,
        "reasons": [str(r) for r in reasons[:SHOWN_REASONS]],
        "excluded": score.excluded,
        "icp_version": icp.version,
    }
