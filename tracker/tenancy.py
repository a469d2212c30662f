"""The one entry point that decides what a user may see.

Superusers see everything. A manager sees everything of the sponsors they manage. Booth staff see
the sponsorships (booths) they are rostered on and what hangs off them. Anyone sees the leads whose
follow-up they own (a sales rep who was not at the booth works the leads handed to them). Every non-admin query goes
through :func:`scoped`, so an object of another sponsor is simply not found (404), whatever its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from tracker import models as m
from tracker.models.choices import PermissionLevel

M = TypeVar("M", bound=models.Model)

# The largest id a primary key holds (BIGINT); a larger number names nothing and must not reach a query.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class TenantPath:
    """How to reach a model's sponsor and sponsorship from its rows.

    ``sponsorship`` is None for objects only managers may see (costs, ICPs). ``owner`` reaches the staff
    member owning the lead's follow-up. ``many`` marks paths that cross a to-many relation, which are
    filtered through a subquery so rows are never duplicated.
    """

    sponsor: str
    sponsorship: str | None
    many: bool = False
    owner: str | None = None
    user: str | None = None  # a row a user made (an export) stays theirs while they work for its sponsor

    @property
    def by_booth(self) -> bool:
        """Rows that hang off one sponsorship are scoped by sponsorship ids (``Access.managed_booth_ids``)."""
        return self.sponsorship is not None and not self.many


TENANT_PATHS: dict[type[models.Model], TenantPath] = {
    m.Sponsor: TenantPath("pk", "sponsorships", many=True),
    m.Event: TenantPath("sponsorships__sponsor", "sponsorships", many=True),
    m.Sponsorship: TenantPath("sponsor", "pk"),
    m.CostLine: TenantPath("sponsorship__sponsor", None),
    m.StaffMember: TenantPath("sponsor", "sponsorships", many=True),
    m.DeviceToken: TenantPath("staff__sponsor", None),
    m.Attendee: TenantPath(
        "leads__sponsorship__sponsor", "leads__sponsorship", many=True, owner="leads__follow_up__owner"
    ),
    m.Lead: TenantPath("sponsorship__sponsor", "sponsorship", owner="follow_up__owner"),
    m.Scan: TenantPath("sponsorship__sponsor", "sponsorship", owner="lead__follow_up__owner"),
    m.Account: TenantPath("sponsor", None),
    # Managers define questions; booth staff read their booth's through the scan screen's config.
    m.Question: TenantPath("sponsor", None),
    m.LeadAnswer: TenantPath(
        "lead__sponsorship__sponsor", "lead__sponsorship", owner="lead__follow_up__owner"
    ),
    m.IdealCustomerProfile: TenantPath("sponsor", None),
    m.RescoreJob: TenantPath("icp__sponsor", None),
    m.IcpCriterion: TenantPath("icp__sponsor", None),
    m.LeadScore: TenantPath(
        "lead__sponsorship__sponsor", "lead__sponsorship", owner="lead__follow_up__owner"
    ),
    m.FollowUp: TenantPath("lead__sponsorship__sponsor", "lead__sponsorship", owner="owner"),
    m.FollowUpChange: TenantPath(
        "follow_up__lead__sponsorship__sponsor", "follow_up__lead__sponsorship", owner="follow_up__owner"
    ),
    m.FollowUpPolicy: TenantPath("sponsor", None),
    m.AssignmentRule: TenantPath("sponsor", None),
    m.ReminderDigest: TenantPath("owner__sponsor", None),
    m.ExportLog: TenantPath("sponsor", None, user="user"),
    # A sponsor's managers import into its sponsorships; attendee lists (no sponsorship) are operators'.
    m.ImportJob: TenantPath("sponsorship__sponsor", None),
    m.ImportPreset: TenantPath("sponsor", None),
    # Managers read their sponsor's audit log; the installation's (no sponsor) is operators'.
    m.AuditEvent: TenantPath("sponsor", None),
    # A sponsor's managers connect its CRMs and see where its leads stand in them.
    m.CrmConnection: TenantPath("sponsor", None),
    m.CrmPush: TenantPath("connection__sponsor", None),
}
# Reference data every signed-in user may read; no sponsor owns it.
SHARED_MODELS: frozenset[type[models.Model]] = frozenset({m.Theme, m.CurrencyRate})


@dataclass(frozen=True)
class Access:
    """The sponsors a user manages, the booths they are rostered on, and their active memberships."""

    everything: bool
    managed_sponsor_ids: frozenset[int]
    booth_ids: frozenset[int]
    member_ids: frozenset[int] = frozenset()  # memberships whose owned follow-ups widen the scope
    member_sponsor_ids: frozenset[int] = frozenset()
    # Every sponsorship of the managed sponsors: rows that hang off a sponsorship are scoped by these ids
    # rather than through a join to the sponsor, which PostgreSQL cannot estimate (it guessed 300 leads
    # for a sponsor's 26,000 and planned accordingly).
    managed_booth_ids: frozenset[int] = frozenset()
    time_zone: str = (
        "UTC"  # where the user works (their first active membership's zone): pages not about an event
    )

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_sponsor_ids)


def access_for(user) -> Access:
    """What ``user`` may see, computed once per request and cached on the user object."""
    cached = getattr(user, "_tracker_access", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        access = Access(False, frozenset(), frozenset())
    elif user.is_superuser:
        access = Access(True, frozenset(), frozenset())
    else:
        memberships = m.StaffMember.objects.filter(user=user, is_active=True)
        rows = list(memberships.order_by("pk").values_list("pk", "sponsor_id", "level", "time_zone"))
        managed = frozenset(sponsor for _, sponsor, level, _ in rows if level == PermissionLevel.MANAGER)
        # The booths of the managed sponsors and those the user is rostered on, in one query.
        sponsorships = set(
            m.Sponsorship.objects.filter(
                Q(sponsor_id__in=managed) | Q(roster__in=memberships.filter(level=PermissionLevel.BOOTH))
            ).values_list("pk", "sponsor_id")
        )
        managed_booths = frozenset(pk for pk, sponsor in sponsorships if sponsor in managed)
        booths = frozenset(pk for pk, sponsor in sponsorships if sponsor not in managed)
        # Follow-ups owned through a membership of a managed sponsor are already covered by the sponsor
        # condition; leaving them out spares managers' queries a join to follow-ups (and a bad estimate).
        owning = frozenset(pk for pk, sponsor, _, _ in rows if sponsor not in managed)
        access = Access(
            False,
            managed,
            booths,
            owning,
            frozenset(sponsor for _, sponsor, _, _ in rows),
            managed_booths,
            rows[0][3] if rows else "UTC",
        )
    user._tracker_access = access
    return access


def scoped(model_or_queryset: type[M] | models.QuerySet[M], user) -> models.QuerySet[M]:
    """The rows of a model (or a queryset) that ``user`` may see."""
    queryset = (
        model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    )
    model = queryset.model
    access = access_for(user)
    if access.everything or (model in SHARED_MODELS and user.is_authenticated):
        return queryset
    path = TENANT_PATHS.get(model)
    if path is None:
        raise LookupError(f"{model.__name__} has no tenant path; add it to tracker.tenancy.TENANT_PATHS.")
    condition = Q(pk__in=[])
    if path.by_booth:
        if booths := access.managed_booth_ids | access.booth_ids:
            condition |= Q(**{f"{path.sponsorship}__in": sorted(booths)})
    else:
        if access.managed_sponsor_ids:
            condition |= Q(**{f"{path.sponsor}__in": access.managed_sponsor_ids})
        if access.booth_ids and path.sponsorship is not None:
            condition |= Q(**{f"{path.sponsorship}__in": access.booth_ids})
    if access.member_ids and path.owner is not None:
        condition |= Q(**{f"{path.owner}__in": access.member_ids})
    if access.member_sponsor_ids and path.user is not None:
        condition |= Q(**{path.user: user.pk, f"{path.sponsor}__in": access.member_sponsor_ids})
    if path.many:
        return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def managed(model_or_queryset: type[M] | models.QuerySet[M], user) -> models.QuerySet[M]:
    """Like :func:`scoped`, but only what ``user`` manages: booth-level access does not count."""
    access = access_for(user)
    queryset = scoped(model_or_queryset, user)
    if access.everything:
        return queryset
    path = TENANT_PATHS[queryset.model]
    if path.by_booth:
        condition = Q(**{f"{path.sponsorship}__in": sorted(access.managed_booth_ids)})
    else:
        condition = Q(**{f"{path.sponsor}__in": access.managed_sponsor_ids})
    if path.many:
        return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def parse_id(value: object) -> int | None:
    """An object id as it arrives in a URL, a form, a query string or a JSON body; None if it cannot be one.

    A positive integer within the database's range, or the same as decimal digits. Anything else (text,
    a list, a float, a boolean, a number too large for a key) names no object, so no query is made of it.
    """
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        value = int(text)
    elif not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 < value <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The values that can be ids (see :func:`parse_id`), once each, in their order; the others are left out."""
    return list(dict.fromkeys(pk for pk in map(parse_id, values) if pk is not None))


def get_scoped_or_404(model_or_queryset: type[M] | models.QuerySet[M], user, pk: object) -> M:
    """The object with id ``pk`` that ``user`` may see, or 404 (never 403: another sponsor's ids do not exist).

    ``pk`` may come straight from a request: a malformed or out-of-range id is a 404 too.
    """
    parsed = parse_id(pk)
    if parsed is None:
        raise Http404("No such object.")
    return get_object_or_404(scoped(model_or_queryset, user), pk=parsed)


def get_managed_or_404(model_or_queryset: type[M] | models.QuerySet[M], user, pk: object) -> M:
    """Like :func:`get_scoped_or_404`, among what ``user`` manages (see :func:`managed`)."""
    return get_scoped_or_404(managed(model_or_queryset, user), user, pk)


def member_booths(member: m.StaffMember) -> models.QuerySet[m.Sponsorship]:
    """The booths one staff membership may scan at (a device token acts as one membership)."""
    booths = m.Sponsorship.objects.filter(sponsor_id=member.sponsor_id, has_booth=True)
    if not member.is_active:
        return booths.none()
    return booths if member.is_manager else booths.filter(roster=member)


# Who may change what: the permission rules that go with the scopes above.


def may_change_follow_up(user, follow_up: m.FollowUp) -> bool:
    """Managers of the lead's sponsor change any of its follow-ups; others only the ones they own."""
    access = access_for(user)
    if access.everything or follow_up.lead.sponsorship.sponsor_id in access.managed_sponsor_ids:
        return True
    return follow_up.owner is not None and follow_up.owner.user_id == user.pk and follow_up.owner.is_active


def changeable_follow_ups(user, follow_ups: models.QuerySet[m.FollowUp]) -> models.QuerySet[m.FollowUp]:
    """The follow-ups among ``follow_ups`` that ``user`` may change (the rule of ``may_change_follow_up``)."""
    access = access_for(user)
    if access.everything:
        return follow_ups
    return follow_ups.filter(
        Q(lead__sponsorship__sponsor_id__in=access.managed_sponsor_ids)
        | Q(owner__user=user, owner__is_active=True)
    )
