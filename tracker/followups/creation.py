"""Turning an event's qualified leads into owned, dated follow-ups: on demand and when the event ends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from tracker import times
from tracker.analytics.freshness import figures_changed
from tracker.followups.routing import LeadSignals, Person, Router, Rule
from tracker.followups.sla import due_date
from tracker.models import (
    Account,
    AssignmentRule,
    FollowUp,
    FollowUpChange,
    FollowUpPolicy,
    Lead,
    Scan,
    Sponsorship,
    StaffMember,
)
from tracker.models.choices import OPEN_FOLLOW_UP_STATUSES, FollowUpStatus
from tracker.regions import country_region
from tracker.scoring.facts import account_resolver
from tracker.scoring.normalise_companies import email_domain

BATCH = 1000
# Events that ended longer ago than this are left alone by the automatic run: a new installation
# does not flood its users with follow-ups for last year's conferences.
AUTOMATIC_LOOKBACK = timedelta(days=14)


@dataclass(frozen=True)
class CreationResult:
    created: int
    assigned: int

    @property
    def unassigned(self) -> int:
        return self.created - self.assigned


def policy_for(sponsor_id: int) -> FollowUpPolicy:
    """The sponsor's follow-up policy, or the default one (A and B with consent) if none is stored."""
    return FollowUpPolicy.objects.filter(sponsor_id=sponsor_id).first() or FollowUpPolicy(
        sponsor_id=sponsor_id
    )


def qualified_without_follow_up(sponsorship: Sponsorship, policy: FollowUpPolicy) -> QuerySet[Lead]:
    """Leads of the booth that qualify under the policy and have no follow-up yet."""
    leads = Lead.objects.filter(
        sponsorship=sponsorship,
        score__grade__in=policy.qualifying_grades,
        score__excluded=False,
        follow_up__isnull=True,
        erased_at=None,  # an erased person is nobody to follow up
    )
    if policy.require_consent:
        leads = leads.filter(consent=True)
    return leads


def _router(sponsor_id: int) -> tuple[Router, dict[int, StaffMember]]:
    staff = {
        member.pk: member
        for member in StaffMember.objects.filter(sponsor_id=sponsor_id, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    }
    people = [Person(member.pk, member.role, member.display_name) for member in staff.values()]
    rules = [
        Rule(
            condition=rule.condition,
            value=rule.region or rule.conversation_type or rule.rating,
            owner_id=rule.owner_id,
            roles=tuple(rule.roles or ()),
            description=rule.describe(),
        )
        for rule in AssignmentRule.objects.filter(sponsor_id=sponsor_id).select_related("owner__user")
    ]
    load = dict(
        FollowUp.objects.filter(owner_id__in=staff, status__in=OPEN_FOLLOW_UP_STATUSES)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return Router(rules, people, load), staff


def _signals(leads: list[Lead], sponsor_id: int) -> dict[int, LeadSignals]:
    """Region, conversation types, ratings and account owner of each lead, in two queries."""
    talks: dict[int, set[str]] = defaultdict(set)
    ratings: dict[int, set[str]] = defaultdict(set)
    for lead_id, conversation, rating in Scan.objects.filter(
        lead__in=[lead.pk for lead in leads]
    ).values_list("lead_id", "conversation_type", "rating"):
        if conversation:
            talks[lead_id].add(conversation)
        if rating:
            ratings[lead_id].add(rating)
    resolver, _ = account_resolver(sponsor_id)
    owners = dict(
        Account.objects.filter(sponsor_id=sponsor_id, owner__isnull=False).values_list("pk", "owner_id")
    )
    signals = {}
    for lead in leads:
        attendee = lead.attendee
        match = resolver.resolve(attendee.company, email_domain(attendee.email))
        signals[lead.pk] = LeadSignals(
            region=country_region(attendee.country),
            conversation_types=frozenset(talks[lead.pk]),
            ratings=frozenset(ratings[lead.pk]),
            account_owner_id=owners.get(match.account_id) if match else None,
        )
    return signals


def follow_ups_create(*, sponsorship: Sponsorship, by=None, now: datetime | None = None) -> CreationResult:
    """One follow-up per qualified lead of the booth that has none: routed by the rules, due by the SLA.

    Runs under a lock on the sponsorship, so two runs at once (a manager's click and the automatic run)
    never create a lead's follow-up twice; the database's one-follow-up-per-lead constraint backs it.
    """
    now = now or timezone.now()
    policy = policy_for(sponsorship.sponsor_id)
    created = assigned = 0
    with transaction.atomic():
        Sponsorship.objects.select_for_update().filter(pk=sponsorship.pk).first()
        router, staff = _router(sponsorship.sponsor_id)
        ids = list(
            qualified_without_follow_up(sponsorship, policy)
            .order_by("score__grade", "-score__score", "pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            leads = list(Lead.objects.filter(pk__in=chunk).select_related("attendee", "score"))
            leads.sort(key=lambda lead: (lead.score.grade, -lead.score.score, lead.pk))
            signals = _signals(leads, sponsorship.sponsor_id)
            follow_ups, reasons = [], []
            for lead in leads:
                routed = router.route(signals[lead.pk])
                owner = staff.get(routed.owner_id)
                days = policy.days_for(lead.score.grade)
                due = (
                    due_date(now, days, time_zone=owner.time_zone, working_days=owner.working_days)
                    if owner
                    else due_date(now, days)
                )
                follow_ups.append(FollowUp(lead=lead, owner=owner, due_on=due, created_at=now))
                reasons.append(routed.reason)
            FollowUp.objects.bulk_create(follow_ups)
            if not all(f.pk for f in follow_ups):  # SQLite before 3.35 returns no ids
                by_lead = dict(FollowUp.objects.filter(lead__in=chunk).values_list("lead_id", "pk"))
                for follow_up in follow_ups:
                    follow_up.pk = by_lead[follow_up.lead_id]
            FollowUpChange.objects.bulk_create(
                FollowUpChange(
                    follow_up_id=follow_up.pk,
                    changed_at=now,
                    changed_by=by,
                    to_status=FollowUpStatus.TODO,
                    to_owner_id=follow_up.owner_id,
                    note=reason[:300],
                )
                for follow_up, reason in zip(follow_ups, reasons, strict=True)
            )
            created += len(follow_ups)
            assigned += sum(1 for f in follow_ups if f.owner_id)
        Sponsorship.objects.filter(pk=sponsorship.pk).update(follow_ups_created_at=now)
        figures_changed([sponsorship.pk])
    return CreationResult(created=created, assigned=assigned)


def sponsorships_due_for_follow_ups(now: datetime | None = None) -> list[Sponsorship]:
    """Booths whose event ended (yesterday or before, where it took place; lately) and whose follow-ups
    were never created."""
    earliest, latest = times.dates_around(now)
    candidates = (
        Sponsorship.objects.filter(
            event__end_date__lt=latest,
            event__end_date__gte=earliest - AUTOMATIC_LOOKBACK,
            follow_ups_created_at__isnull=True,
        )
        .exclude(sponsor__follow_up_policy__create_when_event_ends=False)
        .select_related("event")
        .order_by("pk")
    )
    return [
        booth
        for booth in candidates
        if booth.event.end_date < (today := times.event_today(booth.event, now))
        and not _lookback_passed(booth.event, today)
    ]


def _lookback_passed(event, today) -> bool:
    """The event ended longer ago than ``AUTOMATIC_LOOKBACK`` before ``today`` (its own day): the automatic
    run leaves it alone. Counted back from today: an event dated at the end of the calendar has no day
    after it."""
    return today - AUTOMATIC_LOOKBACK > event.end_date


def automatic_run_passed_by(
    sponsorship: Sponsorship, policy: FollowUpPolicy, now: datetime | None = None
) -> bool:
    """The booth's follow-ups were never created and the automatic run no longer will: its event ended
    longer ago than ``AUTOMATIC_LOOKBACK`` (an installation made after it, or a policy switched on late)."""
    event = sponsorship.event
    return (
        policy.create_when_event_ends
        and sponsorship.follow_ups_created_at is None
        and _lookback_passed(event, times.event_today(event, now))
    )


@shared_task(name="tracker.create_follow_ups_for_ended_events")
def create_follow_ups_for_ended_events() -> int:
    """Periodic: booths whose event ended get their follow-ups, once."""
    return sum(
        follow_ups_create(sponsorship=sponsorship).created
        for sponsorship in sponsorships_due_for_follow_ups()
    )
