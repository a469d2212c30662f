"""Scoring in templates: pages that show grades say when there is no ICP to grade by."""

from __future__ import annotations

from django import template

from tracker.models import IdealCustomerProfile
from tracker.models.choices import IcpStatus
from tracker.scoring.vocabulary import effect_shown, matches_shown

register = template.Library()


@register.inclusion_tag("tracker/includes/no_icp_note.html", takes_context=True)
def no_icp_note(context, sponsor) -> dict:
    """ "No published ICP yet: leads have no grade", with the way to the ICP editor for its managers."""
    missing = not IdealCustomerProfile.objects.filter(sponsor=sponsor, status=IcpStatus.PUBLISHED).exists()
    access = context.get("access")
    manages = bool(access) and (access.everything or sponsor.pk in access.managed_sponsor_ids)
    return {"sponsor": sponsor, "missing": missing, "manages": manages}


@register.filter
def criterion_matches(criterion) -> str:
    """What an ICP criterion matches, in words (``matches_shown``)."""
    c = criterion
    return matches_shown(c.kind, c.field, c.values, c.min_value, c.max_value)


@register.filter
def criterion_effect(criterion) -> str:
    """What a match does to the score (``effect_shown``)."""
    return effect_shown(criterion.part, criterion.action, criterion.weight)
