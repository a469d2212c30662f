"""Figures kept in the shared cache until one of their inputs changes.

A big booth's figures read every scan, lead and follow-up it has; repeated views of the same figures are
served from Django's cache instead. Each sponsorship has a generation token in the cache, and so has the
installation as a whole; a cached entry's key holds both, so replacing a token forgets every entry made
under it. Every write to an input names the sponsorships it touched (``figures_changed``, or
``leads_changed`` with lead ids): scans (intake, matching, review, amends), leads, scores, follow-ups
and their history, cost lines. A change to what all sponsorships share (rates, staff roles, sponsors,
events, themes) forgets everything. Model saves and deletes are caught by the signals ``connect`` hooks
up; writes that bypass ``save`` (bulk inserts and updates, raw SQL) call ``figures_changed`` themselves.

A token is replaced at once and again after the writing transaction commits. A reader takes the tokens
before it computes and stores under them, so figures computed from rows read before a change committed
are stored under a token that the change's second replacement has made unreachable: never served.

The cache is on when ``FIGURES_CACHE_SECONDS`` is above 0: the default with ``REDIS_URL``, whose cache
every web and worker process shares. Without a shared cache each process would keep figures the others'
changes cannot reach, so it stays off. Should the cache fail, figures are computed and the failure
logged; entries expire after ``FIGURES_CACHE_SECONDS`` whatever happens, which bounds how stale figures
can be if an invalidation is lost while the cache is unreachable.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")
EVERYTHING = "figures:generation:all"
SHAPE = 2  # of the cached figures: raise it when ``Roi`` changes, so entries of older code are never read


def _generation(sponsorship_id: int) -> str:
    return f"figures:generation:{sponsorship_id}"


def enabled() -> bool:
    return settings.FIGURES_CACHE_SECONDS > 0


def _forget(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:  # the cache is down: entries expire on their own (see the module's docstring)
        logger.warning("Could not invalidate cached figures %s", keys, exc_info=True)


def _forget_now_and_after_commit(keys: list[str]) -> None:
    _forget(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_forget, keys))


def figures_changed(sponsorship_ids: Iterable[int] | None = None) -> None:
    """Forget the cached figures of these sponsorships (``None``: of every sponsorship)."""
    if not enabled():
        return
    if sponsorship_ids is None:
        keys = [EVERYTHING]
    else:
        keys = [_generation(pk) for pk in sorted(set(sponsorship_ids))]
    if keys:
        _forget_now_and_after_commit(keys)


def leads_changed(lead_ids: Iterable[int]) -> None:
    """Forget the cached figures of the sponsorships these leads belong to (one query)."""
    from tracker.drivercursors import among
    from tracker.models import Lead

    lead_ids = set(lead_ids)
    if enabled() and lead_ids:  # the ids as one array (thousands of parameters cost more than the query)
        leads = Lead.objects.filter(among(Lead, "pk", lead_ids)).order_by()
        figures_changed(leads.values_list("sponsorship_id", flat=True).distinct())


def _tokens(sponsorship_ids: list[int]) -> dict[str, str]:
    """The current generation tokens, new ones made for those the cache lacks."""
    keys = [EVERYTHING, *(_generation(pk) for pk in sponsorship_ids)]
    tokens = cache.get_many(keys)
    missing = [key for key in keys if key not in tokens]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, timeout=None)
    if missing:
        tokens.update(cache.get_many(missing))  # another process may have added its own first
    return tokens


def remembered(variants: dict[int, str], compute: Callable[[list[int]], dict[int, T]]) -> dict[int, T]:
    """Figures per sponsorship id, from the cache where they are fresh, else from ``compute`` (given the
    ids missing) and then kept. ``variants`` names, per sponsorship, what else the figures depend on
    (the grades counted as qualified, say)."""
    if not enabled():
        return compute(list(variants))
    try:
        tokens = _tokens(list(variants))
        everything = tokens.get(EVERYTHING)
        keys = {
            pk: f"figures:{SHAPE}:{everything}:{tokens[_generation(pk)]}:{pk}:{variant}"
            for pk, variant in variants.items()
            if everything and tokens.get(_generation(pk))
        }
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("Cached figures unavailable; computing them", exc_info=True)
        return compute(list(variants))
    figures = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in variants if pk not in figures]
    if missing:
        computed = compute(missing)
        figures.update(computed)
        try:
            cache.set_many(
                {keys[pk]: value for pk, value in computed.items() if pk in keys},
                timeout=settings.FIGURES_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("Could not keep computed figures", exc_info=True)
    return figures


def forget_everything() -> None:
    """Forget every cached figure (tests start with this; so may an operator after restoring a backup)."""
    if enabled():
        _forget([EVERYTHING])


def _parent_changed(key: str, value) -> None:
    """Forget the figures of the sponsorship a row hangs off, reached by its key to a sponsorship, a lead
    or a follow-up."""
    from tracker.models import FollowUp

    if value is None:
        return
    if key == "sponsorship_id":
        figures_changed([value])
    elif key == "lead_id":
        leads_changed([value])
    else:
        leads_changed(FollowUp.objects.filter(pk=value).values_list("lead_id", flat=True))


def _input_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not enabled():
        return
    key = _INPUTS[sender]
    if raw or key is None:  # fixtures load rows in any order; and shared rows: forget everything
        figures_changed(None)
    else:
        _parent_changed(key, getattr(instance, key))


def _input_moving(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """A row moved to another sponsorship or lead (the admin allows it): the one it leaves changes too."""
    key = _INPUTS[sender]
    if not enabled() or raw or key is None or instance.pk is None:
        return
    if update_fields is not None and not {key, key.removesuffix("_id")} & set(update_fields):
        return
    before = sender._default_manager.filter(pk=instance.pk).values_list(key, flat=True).first()
    if before != getattr(instance, key):
        _parent_changed(key, before)


# Each input model: the key to what its rows hang off, or None for rows every sponsorship shares.
_INPUTS: dict = {}  # filled by ``connect``


def connect() -> None:
    """Hook the inputs' saves and deletes up (from the app's ``ready``)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from tracker.models import (
        CostLine,
        CurrencyRate,
        Event,
        FollowUp,
        FollowUpChange,
        Lead,
        LeadScore,
        Scan,
        Sponsor,
        Sponsorship,
        StaffMember,
        Theme,
    )

    _INPUTS.update({
        Scan: "sponsorship_id",
        Lead: "sponsorship_id",
        CostLine: "sponsorship_id",
        LeadScore: "lead_id",
        FollowUp: "lead_id",
        FollowUpChange: "follow_up_id",
        CurrencyRate: None,
        StaffMember: None,
        Sponsor: None,
        Event: None,
        Sponsorship: None,
        Theme: None,
    })  # fmt: skip
    for model in _INPUTS:
        name = model.__name__
        pre_save.connect(_input_moving, sender=model, dispatch_uid=f"figures-moving-{name}")
        post_save.connect(_input_saved, sender=model, dispatch_uid=f"figures-saved-{name}")
        post_delete.connect(_input_saved, sender=model, dispatch_uid=f"figures-deleted-{name}")
