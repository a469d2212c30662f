"""What the lead and follow-up filter sets share: the form, choices limited to what the user may see,
and the filters that read a lead's attendee and scans, declared once for a path to the lead."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import cache

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django_filters.fields import DateRangeField

from tracker.models import Event, Scan, Sponsorship, StaffMember
from tracker.models.choices import ConversationType, Rating, Region, StaffRole
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


class TickFilter(django_filters.MultipleChoiceFilter):
    """Values ticked in a list of checkboxes; a row matches any of them. The field is one per row (a
    lead's score, its follow-up), so no row can repeat and no DISTINCT is needed (it made PostgreSQL sort
    and count every matching row with its subqueries)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, distinct=False, widget=forms.CheckboxSelectMultiple, **kwargs)


class CalendarDateRangeField(DateRangeField):
    """A date range of the years people mean (1900 to 2999), refused with its reason past them: the
    first or last day of the calendar, taken in a zone east or west of UTC, falls off it (a 500)."""

    EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)

    def compress(self, data_list):
        if any(value and not self.EARLIEST <= value <= self.LATEST for value in data_list or ()):
            raise forms.ValidationError(f"Pick dates between {self.EARLIEST.year} and {self.LATEST.year}.")
        return super().compress(data_list)


class BetweenFilter(django_filters.DateFromToRangeFilter):
    """Dates from and to, each picked in the browser's date field."""

    field_class = CalendarDateRangeField

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}), **kwargs
        )


class FilterForm(forms.Form):
    """The filter sets' form, drawn with Django's Jinja2 form renderer.

    A filter form is a dozen fields, two of them lists of every staff member, on every list page; the
    Django-template renderer took as long drawing it as the rest of the page. Django ships
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


class YesNoAny(forms.Select):
    """A yes/no filter that can be left alone: "Any", "Yes", "No" (not Django's "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose choices (events, booths, staff) are limited to what the user may see, with the
    filters on a lead's attendee, scans and consent, reached through ``lead_path`` ("" from a lead).

    Conditions on scans (rating, conversation type, interest, scanned by) are ``EXISTS`` subqueries, so a
    row with several matching scans is listed once and no ``DISTINCT`` is needed. ``sponsorship`` fixes
    the list to one booth: its booth and event filters are dropped and the staff choices narrow to that
    sponsor. ``filter_order`` is the order of the form's fields.
    """

    lead_path = ""
    filter_order: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label="Search")
    rating = django_filters.ChoiceFilter(choices=Rating.choices, method="with_scan", label="Rating")
    conversation_type = django_filters.ChoiceFilter(
        choices=ConversationType.choices, method="with_scan", label="Conversation"
    )
    interest = django_filters.CharFilter(method="with_interest", label="Interest")
    scanned_by = StaffChoiceFilter(method="with_scan", label="Scanned by")
    region = django_filters.ChoiceFilter(choices=Region.choices, method="in_region", label="Region")
    consent = django_filters.ChoiceFilter(
        choices=[("yes", "Given"), ("no", "Refused"), ("unasked", "Not asked")],
        method="with_consent",
        label="Consent",
    )

    class Meta:
        fields = ()
        form = FilterForm

    def __init__(self, *args, user, sponsorship: Sponsorship | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.sponsorship = user, sponsorship
        # The form's fields in ``filter_order``; a filter not named there follows them, never dropped.
        self.filters = {**{name: self.filters[name] for name in self.filter_order}, **self.filters}
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

    @property
    def lead_id(self) -> str:
        return f"{self.lead_path.removesuffix('__')}_id" if self.lead_path else "pk"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_attendee(queryset, f"{self.lead_path}attendee", value)

    def with_scan(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Exists(Scan.objects.filter(lead=OuterRef(self.lead_id), **{name: value})))

    def with_interest(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The JSON list cast to text, searched case-insensitively: one portable query for SQLite and
        # PostgreSQL (``interests__contains`` is JSONB-only and matches whole items, not text in them).
        # The text looked for is written as the list's text writes it: a quote or backslash escaped, and
        # on SQLite, which stores JSON in ASCII, an accent or a script as its \\u escape.
        ascii_only = connections[queryset.db].vendor == "sqlite"
        written = json.dumps(value.strip(), ensure_ascii=ascii_only)[1:-1]
        scans = Scan.objects.annotate(interests_text=Cast("interests", TextField())).filter(
            lead=OuterRef(self.lead_id), interests_text__icontains=written
        )
        return queryset.filter(Exists(scans))

    def with_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        field = f"{self.lead_path}consent"
        return queryset.filter(
            **({f"{field}__isnull": True} if value == "unasked" else {field: value == "yes"})
        )

    def in_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        countries = countries_of_region(value)
        return queryset.filter(**{f"{self.lead_path}attendee__country__in": countries}) if value else queryset
