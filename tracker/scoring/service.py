"""Scoring leads under their sponsor's current ICP, and publishing a new ICP version.

A lead's score is always recomputed from scratch (never by deltas) by the pure engine, and stored
with the reasons that add up to it and the ICP version that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.db.models import Q

from tracker.analytics.freshness import leads_changed
from tracker.crm.push import push_after_scoring
from tracker.drivercursors import among
from tracker.models import CrmConnection, IcpCriterion, IdealCustomerProfile, Lead, LeadScore
from tracker.models.choices import IcpStatus
from tracker.scoring.engine import compile_profile
from tracker.scoring.facts import leads_facts
from tracker.scoring.store import ScoreRow, scores_store
from tracker.scoring.values import Criterion, Profile
from tracker.scoring.vocabulary import value_shown


def profile_of(icp: IdealCustomerProfile) -> Profile:
    """The engine's view of one ICP version."""
    criteria = tuple(
        Criterion(
            id=c.pk,
            part=c.part,
            field=c.field,
            kind=c.kind,
            label=c.label,
            values=tuple(str(v) for v in (c.values or ())),
            shown=tuple(value_shown(c.field, str(v)) for v in (c.values or ())),
            min_value=float(c.min_value) if c.min_value is not None else None,
            max_value=float(c.max_value) if c.max_value is not None else None,
            weight=c.weight,
            action=c.action,
            question=c.question_id,
        )
        for c in IcpCriterion.objects.filter(icp=icp).order_by("position", "pk")
    )
    return Profile(
        version=icp.version,
        criteria=criteria,
        grade_a_min=icp.grade_a_min,
        grade_b_min=icp.grade_b_min,
        grade_c_min=icp.grade_c_min,
    )


@lru_cache(maxsize=64)
def _compiled(icp_id: int, published_at):
    """A published version never changes, so its compiled scorer is kept per process."""
    return compile_profile(profile_of(IdealCustomerProfile.objects.get(pk=icp_id)))


def scorer_for(icp: IdealCustomerProfile):
    if icp.status == IcpStatus.DRAFT:  # drafts change while edited: compile afresh
        return compile_profile(profile_of(icp))
    return _compiled(icp.pk, icp.published_at)


def current_icp(sponsor_id: int) -> IdealCustomerProfile | None:
    return IdealCustomerProfile.objects.filter(sponsor_id=sponsor_id, status=IcpStatus.PUBLISHED).first()


def leads_score(lead_ids: Iterable[int], icp: IdealCustomerProfile, *, rescoring: bool = False) -> int:
    """Score leads of ``icp``'s sponsor under it and store the results; returns how many were written.

    Leads of other sponsors among ``lead_ids`` are left out by the facts query itself (no query of its own).
    The leads go to the sponsor's CRMs that push on their own; when ``rescoring`` (a new ICP version, no
    new scan), only those whose score, grade or exclusion changed: a publish does not send every lead again.
    """
    lead_ids = list(lead_ids)
    if not lead_ids:
        return 0
    facts = leads_facts(lead_ids, icp.sponsor_id)
    if not facts:
        return 0
    score = scorer_for(icp)
    rows = [ScoreRow(lead_id, icp.pk, score(lead_facts)) for lead_id, lead_facts in facts.items()]
    before = _stored_scores(list(facts)) if rescoring and auto_pushing(icp.sponsor_id) else None
    scores_store(rows)  # writes only the rows that changed (see tracker.scoring.store)
    leads_changed(facts)
    if before is None:
        pushed = list(facts) if not rescoring else []
    else:
        pushed = [
            r.lead_id
            for r in rows
            if before.get(r.lead_id) != (r.result.score, r.result.grade, r.result.excluded)
        ]
    if pushed:
        push_after_scoring(icp.sponsor_id, pushed)  # to the sponsor's CRMs that push on their own
    return len(rows)


def auto_pushing(sponsor_id: int) -> bool:
    """Whether the sponsor has a CRM connection that pushes leads on their own after scoring."""
    return CrmConnection.objects.filter(sponsor_id=sponsor_id, auto_push=True).exists()


def _stored_scores(lead_ids: list[int]) -> dict[int, tuple]:
    """(score, grade, excluded) of the leads' stored scores, before a rescore writes them."""
    return {
        lead_id: (value, grade, excluded)
        for lead_id, value, grade, excluded in LeadScore.objects.filter(among(LeadScore, "lead_id", lead_ids))
        .order_by()
        .values_list("lead_id", "score", "grade", "excluded")
    }


def leads_score_current(lead_ids: Iterable[int]) -> int:
    """Score leads under their own sponsor's current ICP (leads of sponsors without one are skipped)."""
    by_sponsor: dict[int, list[int]] = {}
    for lead_id, sponsor_id in Lead.objects.filter(among(Lead, "pk", list(lead_ids))).values_list(
        "pk", "sponsorship__sponsor_id"
    ):
        by_sponsor.setdefault(sponsor_id, []).append(lead_id)
    written = 0
    for sponsor_id, ids in by_sponsor.items():
        icp = current_icp(sponsor_id)
        if icp is not None:
            written += leads_score(ids, icp)
    return written


def stale_leads(sponsor_id: int | None = None):
    """Leads with no score, or a score from another version than their sponsor's current ICP."""
    published = IdealCustomerProfile.objects.filter(status=IcpStatus.PUBLISHED)
    leads = Lead.objects.filter(sponsorship__sponsor__icps__status=IcpStatus.PUBLISHED)
    if sponsor_id is not None:
        leads = leads.filter(sponsorship__sponsor_id=sponsor_id)
    stale = Q(score__isnull=True) | ~Q(score__icp_id__in=published.values("pk"))
    return leads.filter(stale, erased_at=None)  # an erased person's lead keeps the grade it had


def scores_sweep(limit: int = 40_000) -> int:
    """Score up to ``limit`` leads left unscored or scored under an old version (broker down, lost task)."""
    ids = list(stale_leads().order_by("pk").values_list("pk", flat=True)[:limit])
    chunk = settings.SCORING_CHUNK
    return sum(leads_score_current(ids[i : i + chunk]) for i in range(0, len(ids), chunk))
