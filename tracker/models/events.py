"""Events, sponsors, and what a sponsor did at an event: sponsorships, their costs and themes."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from tracker import times
from tracker.models.choices import CostCategory, FundingStage, NoBoothReason, Region, Tier
from tracker.models.money import currency_constraint, currency_field

MAX_RETENTION_DAYS = 36_500  # a hundred years: past that, "until erased" (blank) says it


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (e.g. Europe/Paris).")


class EventQuerySet(models.QuerySet):
    def current_or_next(self, today: date) -> Event | None:
        """The event running on ``today``, else the next one, else the latest past one."""
        running = self.filter(start_date__lte=today, end_date__gte=today).order_by("start_date").first()
        if running:
            return running
        upcoming = self.filter(start_date__gt=today).order_by("start_date").first()
        return upcoming or self.order_by("-end_date").first()


class Event(models.Model):
    """A conference edition, e.g. KubeCon + CloudNativeCon Europe 2024."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. FR.")
    region = models.CharField(max_length=8, choices=Region.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone], default="UTC")
    currency = currency_field(default="EUR")
    expected_attendance = models.PositiveIntegerField(null=True, blank=True)
    website = models.URLField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ("-start_date", "name")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
                violation_error_message="An event cannot end before it starts.",
            ),
            currency_constraint("currency", model="event"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_label(self) -> str:
        """A short name for column headers and sheet names ("Paris 2024"); the full name goes in a cell."""
        return f"{self.city or self.name[:20]} {self.start_date.year}".strip()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return times.zone(self.time_zone)


class Theme(models.Model):
    """A topic a showcase pushes or a visitor asks about (AI, platform engineering, FinOps, ...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Sponsor(models.Model):
    """A company that sponsors events; its staff, leads and ICP are private to it."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    domain = models.CharField(max_length=253, blank=True, help_text="Web domain, e.g. example.io.")
    funding_stage = models.CharField(max_length=16, choices=FundingStage.choices, blank=True)
    offering = models.CharField(max_length=300, blank=True, help_text="What the company sells.")
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text="Days after an event ends that its leads' personal data is kept (blank: until erased).",
    )  # fmt: skip
    reporting_currency = currency_field(default="EUR")
    interest_options = models.JSONField(
        default=list, blank=True, help_text="The sponsor's own interest chips shown at the booth."
    )
    # Changed (to a new random text) whenever one of its questions is: the scan API's processes keep
    # the questions they read by it, and a sponsor with none ("") costs no query at all.
    questions_stamp = models.CharField(max_length=32, blank=True, default="", editable=False)
    required_scan_fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Qualification the booth must fill before a scan is accepted, e.g. ["rating", "consent"].',
    )

    class Meta:
        ordering = ("name",)
        constraints = [currency_constraint("reporting_currency", model="sponsor")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The questions stamp is written by tracker.questions.service.questions_changed alone: a sponsor
        # saved whole (a form, the admin) must not write back the stamp it read before a question changed.
        if self.pk is not None and kwargs.get("update_fields") is None and not self._state.adding:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "questions_stamp"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sponsor-overview", args=[self.pk])


class SponsorshipQuerySet(models.QuerySet):
    def with_counts(self) -> SponsorshipQuerySet:
        """Annotate scans, unique leads and unknown badges, one subquery each (no row explosion)."""
        from tracker.models.leads import Lead, Scan

        def count_of(queryset):
            return Coalesce(
                Subquery(
                    queryset.filter(sponsorship=OuterRef("pk"))
                    .order_by()
                    .values("sponsorship")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        return self.annotate(
            scan_total=count_of(Scan.objects.counted()),
            lead_total=count_of(Lead.objects.all()),
            unknown_total=count_of(Scan.objects.unknown()),
        )


class Sponsorship(models.Model):
    """One sponsor at one event: tier, booth or not (and why not), costs and themes pushed."""

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="sponsorships")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="sponsorships")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    has_booth = models.BooleanField(default=True)
    booth_number = models.CharField(max_length=20, blank=True)
    no_booth_reason = models.CharField(max_length=24, choices=NoBoothReason.choices, blank=True)
    no_booth_detail = models.CharField(max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="sponsorships")
    notes = models.TextField(blank=True)
    follow_ups_created_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When follow-ups were last created for this booth."
    )

    objects = SponsorshipQuerySet.as_manager()

    class Meta:
        ordering = ("event", "sponsor__name")
        constraints = [
            models.UniqueConstraint(
                fields=("sponsor", "event"),
                name="sponsorship_one_per_sponsor_and_event",
                violation_error_message="This sponsor already has a sponsorship at this event.",
            ),
            models.CheckConstraint(
                condition=Q(has_booth=True, no_booth_reason="") | Q(has_booth=False) & ~Q(no_booth_reason=""),
                name="sponsorship_no_booth_has_reason",
                violation_error_message="A sponsorship without a booth needs the reason; one with a booth none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} @ {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("sponsorship-detail", args=[self.pk])


class CostLine(models.Model):
    """One cost of a sponsorship (fee, booth build, travel, swag, staff) in its own currency."""

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="cost_lines")
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = currency_field()
    incurred_on = models.DateField(null=True, blank=True, help_text="Date used to pick the stored rate.")

    class Meta:
        ordering = ("sponsorship", "category")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="costline_amount_not_negative",
                violation_error_message="A cost cannot be negative.",
            ),
            currency_constraint("currency", model="costline"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount} {self.currency}"
