"""django-filter filter sets for the review tables."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from tracker.models import Lead, Scan, Sponsorship, StaffMember
from tracker.models.choices import ConversationType, FollowUpStatus, Grade, Rating


class StaffChoiceFilter(django_filters.ModelChoiceFilter):
    """A staff member by name only: ``StaffMember.__str__`` would fetch the sponsor for each option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=StaffMember.objects.none(), **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda member: member.user.get_full_name() or member.user.get_username()
        return field


def _scans_of_lead(**lookups) -> Exists:
    return Exists(Scan.objects.filter(lead=OuterRef("pk"), **lookups))


class LeadFilterSet(django_filters.FilterSet):
    """Filters of the lead list; the staff choices are limited to the sponsorship's sponsor.

    Conditions on scans (rating, conversation type, interest, scanned by) are ``EXISTS`` subqueries,
    so a lead with several matching scans is listed once and no ``DISTINCT`` is needed.
    """

    q = django_filters.CharFilter(method="search", label="Search")
    grade = django_filters.MultipleChoiceFilter(
        field_name="score__grade", choices=Grade.choices, label="Grade"
    )
    rating = django_filters.ChoiceFilter(choices=Rating.choices, method="with_scan", label="Rating")
    conversation_type = django_filters.ChoiceFilter(
        choices=ConversationType.choices, method="with_scan", label="Conversation"
    )
    interest = django_filters.CharFilter(method="with_interest", label="Interest")
    owner = StaffChoiceFilter(field_name="follow_up__owner", label="Owner")
    status = django_filters.MultipleChoiceFilter(
        field_name="follow_up__status", choices=FollowUpStatus.choices
    )
    country = django_filters.CharFilter(field_name="attendee__country", lookup_expr="iexact", label="Country")
    scanned_by = StaffChoiceFilter(method="with_scan", label="Scanned by")
    last_scan = django_filters.DateFromToRangeFilter(
        field_name="last_scan_at",
        label="Last scan between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    consent = django_filters.ChoiceFilter(
        choices=[("yes", "Given"), ("no", "Refused"), ("unasked", "Not asked")],
        method="with_consent",
        label="Consent",
    )

    class Meta:
        model = Lead
        fields = ()

    def __init__(self, *args, sponsorship: Sponsorship, staff: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        staff = staff.filter(sponsor_id=sponsorship.sponsor_id).select_related("user")
        staff = staff.order_by("user__first_name", "user__last_name")
        for name in ("owner", "scanned_by"):
            self.filters[name].queryset = staff

    def search(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """Every word must appear in the name, email, company or title."""
        for word in value.split():
            queryset = queryset.filter(
                Q(attendee__first_name__icontains=word)
                | Q(attendee__last_name__icontains=word)
                | Q(attendee__email__icontains=word)
                | Q(attendee__company__icontains=word)
                | Q(attendee__title__icontains=word)
            )
        return queryset

    def with_scan(self, queryset: QuerySet[Lead], name: str, value) -> QuerySet[Lead]:
        return queryset.filter(_scans_of_lead(**{name: value}))

    def with_interest(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        # The JSON list cast to text, searched case-insensitively: one portable query for SQLite and
        # PostgreSQL (``interests__contains`` is JSONB-only and matches whole items, not text in them).
        # Limit: SQLite stores non-ASCII as \\u escapes, so such text only matches on PostgreSQL.
        scans = Scan.objects.annotate(interests_text=Cast("interests", TextField())).filter(
            lead=OuterRef("pk"), interests_text__icontains=value.strip()
        )
        return queryset.filter(Exists(scans))

    def with_consent(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        if value == "unasked":
            return queryset.filter(consent__isnull=True)
        return queryset.filter(consent=(value == "yes"))
