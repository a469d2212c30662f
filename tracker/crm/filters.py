"""The lead lists' "CRM status" filter: where a lead stands in its sponsor's CRMs, as its user may see it."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from tracker.models import CrmPush
from tracker.models.crm import CrmPushStatus
from tracker.tenancy import scoped

NOT_SENT = "none"


class CrmStatusFilter(django_filters.ChoiceFilter):
    """Leads with a push of this status in any of the sponsor's CRM connections, or with none ("Not sent").

    Pushes are read through ``scoped``: they are managers' (booth staff see none, so for them every lead
    is "Not sent"). An ``EXISTS``, so a lead pushed to two CRMs is listed once.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [*CrmPushStatus.choices, (NOT_SENT, "Not sent")])
        kwargs.setdefault("label", "CRM status")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in ("", None):
            return qs
        pushes = scoped(CrmPush, self.parent.user).filter(lead=OuterRef(self.parent.lead_id))
        if value == NOT_SENT:
            return qs.filter(~Exists(pushes))
        return qs.filter(Exists(pushes.filter(status=value)))
