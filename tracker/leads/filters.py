"""The lead lists' filters."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from tracker.analytics.funnel_sql import scan_themes
from tracker.analytics.stages import STEP_LABELS, reached
from tracker.crm.filters import CrmStatusFilter
from tracker.lists.filters import BetweenFilter, ScopedFilterSet, StaffChoiceFilter, TickFilter
from tracker.models import Event, Lead, Question, Scan, Sponsorship
from tracker.models.choices import FollowUpStatus, Grade, StaffRole
from tracker.questions.lists import answer_filters
from tracker.tenancy import scoped

NO_ROLE = "none"  # leads whose first scan names no staff member (the figures' "Unknown")


class LeadFilterSet(ScopedFilterSet):
    """Filters of the lead lists (with those on scans, region and consent from ``ScopedFilterSet``)."""

    filter_order = (
        "q", "event", "sponsorship", "grade", "rating", "conversation_type", "interest", "owner", "status",
        "reached", "country", "region", "scanned_by", "last_scan", "consent", "crm_status", "theme", "credited_role",
    )  # fmt: skip

    event = django_filters.ModelChoiceFilter(
        field_name="sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(queryset=Sponsorship.objects.none(), label="Booth")
    grade = TickFilter(field_name="score__grade", choices=Grade.choices, label="Grade")
    owner = StaffChoiceFilter(field_name="follow_up__owner", label="Owner")
    status = TickFilter(
        field_name="follow_up__status", choices=FollowUpStatus.choices, label="Follow-up status"
    )
    reached = django_filters.ChoiceFilter(
        choices=list(STEP_LABELS.items()), method="has_reached", label="Got as far as"
    )
    # The ROI page's breakdowns link here: the same rules as its figures (``tracker.analytics.funnel_sql``).
    theme = django_filters.CharFilter(method="with_theme", label="Theme (exactly)")
    credited_role = django_filters.ChoiceFilter(
        choices=[*StaffRole.choices, (NO_ROLE, "Unknown")], method="credited_to", label="Found by"
    )
    country = django_filters.CharFilter(field_name="attendee__country", lookup_expr="iexact", label="Country")
    last_scan = BetweenFilter(field_name="last_scan_at", label="Last scan between")
    crm_status = CrmStatusFilter()

    class Meta(ScopedFilterSet.Meta):
        model = Lead

    def __init__(self, *args, questions: list[Question] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # The sponsor's own questions, one filter each (tracker.questions.lists), after the others.
        self.filters.update(answer_filters(list(questions)))

    def has_reached(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """Leads whose follow-up got this far at some time (the ROI funnel's steps link here)."""
        return queryset.filter(reached(value))

    def with_theme(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """Leads with a counted scan naming this theme (an interest equal to it once trimmed)."""
        booths = (
            [self.sponsorship.pk]
            if self.sponsorship
            else list(scoped(Sponsorship, self.user).values_list("pk", flat=True))
        )
        if not booths or not value.strip():
            return queryset.none() if value.strip() else queryset
        sql, params = scan_themes(booths, per_lead=True)
        return queryset.filter(
            pk__in=RawSQL(f"SELECT t.lead_id FROM ({sql}) t WHERE t.theme = %s", (*params, value.strip()))
        )

    def credited_to(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """Leads whose first counted scan was by staff of this role: who the figures credit with them."""
        first = Scan.objects.counted().filter(lead=OuterRef("pk")).order_by("received_at", "pk")
        role = Coalesce(Subquery(first.values("scanned_by__role")[:1]), Value(""))
        return queryset.annotate(credited_role=role).filter(credited_role="" if value == NO_ROLE else value)
