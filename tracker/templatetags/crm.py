"""A lead's CRM statuses on its page: ``{% crm_pushes lead as pushes %}`` (templates/tracker/includes/crm_status.html)."""

from __future__ import annotations

from django import template

from tracker.models import CrmPush
from tracker.tenancy import scoped

register = template.Library()


@register.simple_tag(takes_context=True)
def crm_pushes(context, lead) -> list[CrmPush]:
    """The lead's pushes the viewer may see (a manager's), one per CRM connection, in one query."""
    request = context.get("request")
    if request is None:
        return []
    return list(
        scoped(CrmPush, request.user)
        .filter(lead=lead)
        .select_related("connection")
        .order_by("connection__kind")
    )
