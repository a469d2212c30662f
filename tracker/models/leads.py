"""People behind badges, the leads they become for a sponsor, and every scan at a booth."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.urls import reverse
from django.utils import timezone

from tracker.models.choices import ConsentHow, ConversationType, PayloadFormat, Rating
from tracker.models.events import Event, Sponsorship
from tracker.models.staff import StaffMember


def attendee_name(display_name: str, first_name: str, last_name: str) -> str:
    """A person's name for people to read: as written on the badge, else first and last name."""
    return display_name or f"{first_name} {last_name}".strip()


class Attendee(models.Model):
    """The person behind a badge at one event, from the organiser's list or from a scanned badge.

    Email and phone are often withheld by organisers: a blank email is normal, not an error.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    badge_id = models.CharField(max_length=120, blank=True, help_text="The organiser's registration id.")
    display_name = models.CharField(
        max_length=240,
        blank=True,
        db_default="",  # rows loaded in bulk (COPY, imports) that leave it out get no name of their own
        help_text="The name as the person writes it (a vCard's FN), shown in place of first and last name.",
    )
    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    city = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # What the lead lists' free-text search reads (tracker.lists.filters.search_attendee): name, email, company
    # and title in lower case, kept by the database on every write, bulk and COPY included. One column
    # with one trigram index (PostgreSQL, migration 0010) instead of five case-insensitive ones: a common
    # word tests one lower-cased text per attendee instead of up to five UPPER() calls.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "first_name", Value(" "), "last_name", Value(" "), "email", Value(" "),
                "company", Value(" "), "title",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )  # fmt: skip

    class Meta:
        ordering = ("last_name", "first_name")
        constraints = [
            models.UniqueConstraint(
                fields=("event", "badge_id"),
                condition=~Q(badge_id=""),
                name="attendee_badge_unique_per_event",
                violation_error_message="This badge id is already registered for this event.",
            ),
        ]
        indexes = [
            # Matching finds people by email case-blind (tracker.scans.matching): lower(email), indexed.
            models.Index(F("event"), Lower("email"), name="attendee_event_email_ci_idx"),
            # The lead lists sort by name: read in order instead of sorting every matching lead.
            models.Index(fields=("last_name", "first_name"), name="attendee_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.badge_id or f"attendee #{self.pk}"

    @property
    def full_name(self) -> str:
        """The name as written on the badge ("김민수", "Dr. Maren Holt, PhD"), else first and last name."""
        return attendee_name(self.display_name, self.first_name, self.last_name)


class Lead(models.Model):
    """One attendee for one sponsorship: every scan of that person at that booth adds to it."""

    # No index of its own: the unique (sponsorship, attendee) index and lead_sponsorship_recent_idx both
    # start with it, and every lead write (a scan's counters) paid for a third.
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, related_name="leads", db_index=False
    )
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="leads")
    consent = models.BooleanField(
        null=True, blank=True, help_text="Agreed to be contacted by this sponsor (blank: not asked)."
    )
    # Derived from the lead's scans, by server time (device clocks drift); see tracker.scans. What the
    # person says later (recorded from the lead page) wins over answers scanned before it.
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_how = models.CharField(max_length=8, choices=ConsentHow.choices, blank=True)
    consent_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who asked at the booth, or recorded what the person said.",
    )  # fmt: skip
    first_scan_at = models.DateTimeField(null=True, blank=True)
    last_scan_at = models.DateTimeField(null=True, blank=True)
    scan_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the person asked to be erased (tracker.privacy.erasure): the lead stays, without anything
    # about them, so the figures stay right; it is no longer scored (its grade is the one it had).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        # The latest contact first; a lead without one (met only in a file's rows without a time) last, on
        # PostgreSQL too (its descending order puts NULL first).
        ordering = (F("last_scan_at").desc(nulls_last=True), "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("sponsorship", "attendee"),
                name="lead_one_per_attendee_and_sponsorship",
                violation_error_message="This attendee is already a lead of this sponsorship.",
            ),
            models.CheckConstraint(
                condition=Q(last_scan_at__gte=F("first_scan_at"))
                | Q(first_scan_at__isnull=True)
                | Q(last_scan_at__isnull=True),
                name="lead_last_scan_not_before_first",
                violation_error_message="The last scan cannot be before the first.",
            ),
        ]
        indexes = [models.Index(fields=("sponsorship", "-last_scan_at"), name="lead_sponsorship_recent_idx")]

    def __str__(self) -> str:
        return f"{self.attendee} for {self.sponsorship.sponsor}"

    def get_absolute_url(self) -> str:
        return reverse("lead-detail", args=[self.pk])

    def clean(self) -> None:
        if self.attendee_id and self.sponsorship_id and self.attendee.event_id != self.sponsorship.event_id:
            raise ValidationError(
                {"attendee": "This attendee is registered for another event than the sponsorship's."}
            )


def latest_rating(ratings_oldest_first: Iterable[str]) -> str:
    """A lead's rating: the latest staff rating among its scans (``OLDEST_ASKED_FIRST``), "" if none.

    The same rule as ``ScanQuerySet.latest_rating``, for scans already read in order.
    """
    return next((rating for rating in reversed(list(ratings_oldest_first)) if rating), "")


class ScanQuerySet(models.QuerySet):
    def latest_rating(self, lead: str = "pk") -> Subquery:
        """A lead's rating as SQL, for an annotation on leads (``lead`` is the outer lead's id)."""
        latest = self.filter(lead=OuterRef(lead)).exclude(rating="").order_by(*LATEST_ASKED_FIRST)
        return Subquery(latest.values("rating")[:1])

    def counted(self) -> ScanQuerySet:
        """The scans that count: all but those a manager discarded as junk (kept for the record)."""
        return self.filter(discarded_at__isnull=True)

    def unknown(self) -> ScanQuerySet:
        """Processed scans whose badge matched nobody: kept raw, to be resolved by a manager."""
        return self.counted().filter(lead__isnull=True, processed_at__isnull=False)

    def discarded(self) -> ScanQuerySet:
        """Unknown badges a manager discarded as junk (a test code, a coffee cup): out of every count."""
        return self.filter(discarded_at__isnull=False)

    def pending(self) -> ScanQuerySet:
        """Accepted scans not yet matched to a lead (see tracker.scans.scans_process)."""
        return self.filter(processed_at__isnull=True)


# Scans latest first by when the person was asked: the phone's clock, else (a booth scan without one) when
# the server got it; a file's row without a scan time is older than any, however late it was imported.
# A lead's answers and consent are its latest answering scan's by this order.
_ASKED_AT = Coalesce("device_scanned_at", Case(When(source="", then="received_at")))
# The scans that say when the person was met (``_ASKED_AT`` is not null): all but a file's rows without a
# scan time, whose ``received_at`` is the import's (``Scan.untimed`` for one scan).
TIMED = Q(source="") | Q(device_scanned_at__isnull=False)
LATEST_ASKED_FIRST = (_ASKED_AT.desc(nulls_last=True), F("pk").desc())
# The same order the other way round: what a lead's scans say, oldest first (its latest rating last).
OLDEST_ASKED_FIRST = (_ASKED_AT.asc(nulls_first=True), F("pk").asc())


class Scan(models.Model):
    """One interaction at a booth: the raw badge payload, who scanned, when, and how it went.

    ``client_uuid`` is generated on the device, so a resent scan is recognised and not stored twice.
    A scan is stored as it arrives and matched to a lead just after (``processed_at``); one whose
    badge matched nobody keeps its payload with no lead until a manager resolves it.
    """

    # Neither key has an index of its own: the unique (sponsorship, client_uuid) and scan_lead_time_idx
    # start with them, and every scan stored paid for two more index entries (0012).
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, related_name="scans", db_index=False
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="scans", db_index=False
    )
    client_uuid = models.UUIDField(default=uuid.uuid4)
    scanned_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    device_id = models.CharField(max_length=64, blank=True)
    device_scanned_at = models.DateTimeField(null=True, blank=True, help_text="Clock of the scanning device.")
    received_at = models.DateTimeField(default=timezone.now, help_text="When the server got the scan.")
    raw_payload = models.TextField(blank=True)
    payload_format = models.CharField(
        max_length=12, choices=PayloadFormat.choices, default=PayloadFormat.UNKNOWN
    )
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    interests = models.JSONField(default=list, blank=True)
    conversation_type = models.CharField(max_length=24, choices=ConversationType.choices, blank=True)
    notes = models.TextField(blank=True)
    consent = models.BooleanField(null=True, blank=True)
    typed = models.JSONField(
        default=dict,
        blank=True,
        help_text="Who the person is, as typed by staff when the badge would not scan.",
    )
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the scan was matched to a lead."
    )
    discarded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a manager discarded this unknown badge as junk (kept for audit).",
    )
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Corrections made from the booth after the scan was sent: who, when, and what each field was before.
    revisions = models.JSONField(null=True, blank=True)
    # Where it came from when not from a phone at the booth ("Swapcard: leads.csv"), and the columns of
    # its row that map to no field, kept as written.
    # The answers to the sponsor's own questions (tracker.models.questions), by question id, as sent.
    answers = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=120, blank=True, db_default="")
    extra = models.JSONField(null=True, blank=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering = ("-received_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("sponsorship", "client_uuid"),
                name="scan_client_uuid_unique_per_sponsorship",
                violation_error_message="This scan was already received.",
            ),
            models.CheckConstraint(
                condition=Q(rating__in=[*Rating.values, ""]),
                name="scan_rating_known",
                violation_error_message="Unknown rating.",
            ),
            models.CheckConstraint(
                condition=Q(conversation_type__in=[*ConversationType.values, ""]),
                name="scan_conversation_type_known",
                violation_error_message="Unknown conversation type.",
            ),
        ]
        indexes = [
            models.Index(fields=("sponsorship", "-received_at"), name="scan_sponsorship_recent_idx"),
            models.Index(fields=("lead", "received_at"), name="scan_lead_time_idx"),
            models.Index(
                fields=("sponsorship", "received_at"),
                condition=Q(processed_at__isnull=True),
                name="scan_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"scan {self.client_uuid} at {self.sponsorship}"

    @property
    def untimed(self) -> bool:
        """A file's row without a scan time: its ``received_at`` is the import's, not when the person was met
        (the SQL twin is ``TIMED``)."""
        return bool(self.source) and self.device_scanned_at is None

    def clean(self) -> None:
        errors = {}
        if self.lead_id and self.sponsorship_id and self.lead.sponsorship_id != self.sponsorship_id:
            errors["lead"] = "This lead belongs to another sponsorship."
        if (
            self.scanned_by_id
            and self.sponsorship_id
            and self.scanned_by.sponsor_id != self.sponsorship.sponsor_id
        ):
            errors["scanned_by"] = "This person works for another sponsor."
        if errors:
            raise ValidationError(errors)
