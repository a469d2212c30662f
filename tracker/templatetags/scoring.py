"""Scoring in templates: pages that show grades say when there is no ICP to grade by."""

from __future__ import annotations

from django import template

from tracker.models import IdealCustomerProfile
from tracker.models.choices import IcpStatus

register = template.Library()


@register.inclusion_tag("tracker/includes/no_icp_note.html", takes_context=True)
def no_icp_note(context, sponsor) -> dict:
    """ "No published ICP yet: leads have no grade", with the way to the ICP editor for its managers."""
    missing = not IdealCustomerProfile.objects.filter(sponsor=sponsor, status=IcpStatus.PUBLISHED).exists()
    access = context.get("access")
    manages = bool(access) and (access.everything or sponsor.pk in access.managed_sponsor_ids)
    return {"sponsor": sponsor, "missing": missing, "manages": manages}
