"""django-filter filter sets for the review tables."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast
from django.forms.renderers import Jinja2 as Jinja2Renderer

from tracker.models import Event, FollowUp, Lead, Scan, Sponsorship, StaffMember
from tracker.models.choices import ConversationType, FollowUpStatus, Grade, Rating, Region, StaffRole
from tracker.models.staff import people_labels, person_name
from tracker.regions import countries_of_region
from tracker.tenancy import scoped


def search_attendee(queryset: QuerySet, attendee: str, value: str) -> QuerySet:
    """Every word must appear in the attendee's name, email, company or title, in any case."""
    for word in value.lower().split():
        queryset = queryset.filter(**{f"{attendee}__search_text__contains": word})
    return queryset


class StaffChoiceFilter(django_filters.ChoiceFilter):
    """A staff member of the user's sponsors, chosen by name; the value is the member's id.

    The filter set gives every such filter the same choices, read in one query when first needed
    (the owner and "scanned by" filters list the same people).
    """


def staff_choices(staff: QuerySet[StaffMember]) -> Callable[[], list[tuple[int, str]]]:
    """(id, name) of each member, read once on first use and then kept (one query; a template may
    iterate the callable's result as it is)."""

    @cache
    def choices() -> list[tuple[int, str]]:
        roles = dict(StaffRole.choices)
        rows = [
            (pk, person_name(first, last, username), roles.get(role, role), email)
            for pk, first, last, username, role, email in staff.values_list(
                "pk", "user__first_name", "user__last_name", "user__username", "role", "user__email"
            )
        ]
        return list(people_labels(rows).items())

    return choices


def _scans_of_lead(lead_path: str = "pk", **lookups) -> Exists:
    return Exists(Scan.objects.filter(lead=OuterRef(lead_path), **lookups))


def _interest_scans(value: str, lead_path: str) -> QuerySet[Scan]:
    # The JSON list cast to text, searched case-insensitively: one portable query for SQLite and
    # PostgreSQL (``interests__contains`` is JSONB-only and matches whole items, not text in them).
    # Limit: SQLite stores non-ASCII as \\u escapes, so such text only matches on PostgreSQL.
    return Scan.objects.annotate(interests_text=Cast("interests", TextField())).filter(
        lead=OuterRef(lead_path), interests_text__icontains=value.strip()
    )


def _consent_lookup(field: str, value: str) -> dict:
    return {f"{field}__isnull": True} if value == "unasked" else {field: value == "yes"}


class FilterForm(forms.Form):
    """The filter sets' form, drawn with Django's Jinja2 form renderer.

    A filter form is a dozen fields, two of them lists of every staff member, on every list page; the
    Django-template renderer spent 30-45 ms drawing it, as long as the rest of the page. Django ships
    Jinja2 versions of its widget templates; ``tracker/jinja2`` holds the one django-filter lacks, and a
    select that draws its options in place. The admin and the other forms keep the default renderer
    (the admin's widgets have no Jinja2 templates).
    """

    default_renderer = Jinja2Renderer()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) in (forms.Select, forms.SelectMultiple):
                field.widget.template_name = "tracker/forms/select.html"
            if isinstance(field.widget, forms.MultiWidget):  # a date range: each box named for its end
                for widget, end in zip(field.widget.widgets, ("from", "to"), strict=False):
                    widget.attrs = {**widget.attrs, "aria-label": f"{field.label} {end}"}


class _YesNoAny(forms.Select):
    """A yes/no filter that can be left alone: "Any", "Yes", "No" (not Django's "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose choices (events, booths, staff) are limited to what the user may see.

    ``sponsorship`` fixes the list to one booth: its booth and event filters are dropped and the staff
    choices narrow to that sponsor.
    """

    def __init__(self, *args, user, sponsorship: Sponsorship | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = (
            scoped(StaffMember, user).select_related("user").order_by("user__first_name", "user__last_name")
        )
        if sponsorship is not None:
            staff = staff.filter(sponsor_id=sponsorship.sponsor_id)
            for name in ("event", "sponsorship"):
                self.filters.pop(name, None)
        else:
            self.filters["event"].queryset = scoped(Event, user).order_by("-start_date")
            self.filters["sponsorship"].queryset = scoped(Sponsorship, user).select_related(
                "sponsor", "event"
            )
        choices = staff_choices(staff)
        for item in self.filters.values():
            if isinstance(item, StaffChoiceFilter):
                item.extra["choices"] = choices
            # "Any" rather than Django's "---------": a filter left alone lets every row through.
            if isinstance(item, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                item.extra["empty_label"] = "Any"


def _region(queryset: QuerySet, country_field: str, value: str) -> QuerySet:
    return queryset.filter(**{f"{country_field}__in": countries_of_region(value)}) if value else queryset


class LeadFilterSet(ScopedFilterSet):
    """Filters of the lead lists; choices are limited to what the user may see.

    Conditions on scans (rating, conversation type, interest, scanned by) are ``EXISTS`` subqueries,
    so a lead with several matching scans is listed once and no ``DISTINCT`` is needed.
    """

    q = django_filters.CharFilter(method="search", label="Search")
    event = django_filters.ModelChoiceFilter(
        field_name="sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(queryset=Sponsorship.objects.none(), label="Booth")
    # One score and one follow-up per lead: no row can repeat, so no DISTINCT (it made PostgreSQL
    # sort and count every matching lead with its subqueries).
    grade = django_filters.MultipleChoiceFilter(
        field_name="score__grade",
        choices=Grade.choices,
        label="Grade",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rating = django_filters.ChoiceFilter(choices=Rating.choices, method="with_scan", label="Rating")
    conversation_type = django_filters.ChoiceFilter(
        choices=ConversationType.choices, method="with_scan", label="Conversation"
    )
    interest = django_filters.CharFilter(method="with_interest", label="Interest")
    owner = StaffChoiceFilter(field_name="follow_up__owner", label="Owner")
    status = django_filters.MultipleChoiceFilter(
        field_name="follow_up__status",
        choices=FollowUpStatus.choices,
        distinct=False,
        label="Follow-up status",
        widget=forms.CheckboxSelectMultiple,
    )
    country = django_filters.CharFilter(field_name="attendee__country", lookup_expr="iexact", label="Country")
    region = django_filters.ChoiceFilter(choices=Region.choices, method="in_region", label="Region")
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
        form = FilterForm

    def search(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return search_attendee(queryset, "attendee", value)

    def in_region(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return _region(queryset, "attendee__country", value)

    def with_scan(self, queryset: QuerySet[Lead], name: str, value) -> QuerySet[Lead]:
        return queryset.filter(_scans_of_lead(**{name: value}))

    def with_interest(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return queryset.filter(Exists(_interest_scans(value, "pk")))

    def with_consent(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return queryset.filter(**_consent_lookup("consent", value))


class FollowUpFilterSet(ScopedFilterSet):
    """Filters of the follow-up list."""

    q = django_filters.CharFilter(method="search", label="Search")
    event = django_filters.ModelChoiceFilter(
        field_name="lead__sponsorship__event", queryset=Event.objects.none(), label="Event"
    )
    sponsorship = django_filters.ModelChoiceFilter(
        field_name="lead__sponsorship", queryset=Sponsorship.objects.none(), label="Booth"
    )
    owner = StaffChoiceFilter(field_name="owner", label="Owner")
    unassigned = django_filters.BooleanFilter(
        field_name="owner", lookup_expr="isnull", label="Unassigned", widget=_YesNoAny
    )
    status = django_filters.MultipleChoiceFilter(
        choices=FollowUpStatus.choices,
        distinct=False,
        label="Follow-up status",
        widget=forms.CheckboxSelectMultiple,
    )
    grade = django_filters.MultipleChoiceFilter(
        field_name="lead__score__grade",
        choices=Grade.choices,
        distinct=False,
        label="Grade",
        widget=forms.CheckboxSelectMultiple,
    )
    rating = django_filters.ChoiceFilter(choices=Rating.choices, method="with_scan", label="Rating")
    conversation_type = django_filters.ChoiceFilter(
        choices=ConversationType.choices, method="with_scan", label="Conversation"
    )
    interest = django_filters.CharFilter(method="with_interest", label="Interest")
    scanned_by = StaffChoiceFilter(method="with_scan", label="Scanned by")
    country = django_filters.CharFilter(
        field_name="lead__attendee__country", lookup_expr="iexact", label="Country"
    )
    region = django_filters.ChoiceFilter(choices=Region.choices, method="in_region", label="Region")
    consent = django_filters.ChoiceFilter(
        choices=[("yes", "Given"), ("no", "Refused"), ("unasked", "Not asked")],
        method="with_consent",
        label="Consent",
    )
    overdue = django_filters.BooleanFilter(method="is_overdue", label="Overdue", widget=_YesNoAny)
    due = django_filters.DateFromToRangeFilter(
        field_name="due_on",
        label="Due between",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = FollowUp
        fields = ()
        form = FilterForm

    def search(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return search_attendee(queryset, "lead__attendee", value)

    def with_scan(self, queryset: QuerySet[FollowUp], name: str, value) -> QuerySet[FollowUp]:
        return queryset.filter(_scans_of_lead("lead_id", **{name: value}))

    def with_interest(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return queryset.filter(Exists(_interest_scans(value, "lead_id")))

    def with_consent(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return queryset.filter(**_consent_lookup("lead__consent", value))

    def in_region(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return _region(queryset, "lead__attendee__country", value)

    def is_overdue(self, queryset: QuerySet[FollowUp], name: str, value) -> QuerySet[FollowUp]:
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.exclude(pk__in=queryset.overdue().values("pk"))
