"""Who works for which sponsor, in which role, at which booths."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tracker.models.choices import PermissionLevel, Region, StaffRole
from tracker.models.events import Sponsor, Sponsorship, validate_time_zone


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    """A staff member's name as shown everywhere: first and last name, else the username ("" for none).

    For rows read as values (lists, exports) as well as for ``StaffMember.display_name``.
    """
    return f"{first or ''} {last or ''}".strip() or username or ""


def people_labels(rows: list[tuple[int, str, str, str]]) -> dict[int, str]:
    """Labels for a choice of people, (id, name, role label, email) each: the name, and for people who
    share a name with another in the list their role and email too ("Sam Lee · Sales · sam@a.example")."""
    names = [name for _, name, _, _ in rows]
    return {
        pk: name if names.count(name) == 1 else " · ".join(part for part in (name, role, email) if part)
        for pk, name, role, email in rows
    }


def default_working_days() -> list[int]:
    return [1, 2, 3, 4, 5]


class StaffMember(models.Model):
    """A user working for a sponsor: a role (sales, devrel, ...) and a permission level.

    Booth staff scan and see the booths (sponsorships) they are rostered on; managers see everything
    of their sponsor.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=24, choices=StaffRole.choices)
    level = models.CharField(max_length=16, choices=PermissionLevel.choices, default=PermissionLevel.BOOTH)
    sponsorships = models.ManyToManyField(
        Sponsorship, blank=True, related_name="roster", help_text="The booths this person works."
    )
    home_region = models.CharField(max_length=8, choices=Region.choices, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    working_days = models.JSONField(
        default=default_working_days,
        blank=True,
        help_text="ISO weekdays this person works (1 = Monday ... 7 = Sunday); follow-up SLAs count these.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("sponsor__name", "user__last_name", "user__first_name")
        verbose_name = "staff member"
        constraints = [
            models.UniqueConstraint(
                fields=("user", "sponsor"),
                name="staffmember_one_per_user_and_sponsor",
                violation_error_message="This user already works for this sponsor.",
            ),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.sponsor})"

    @property
    def is_manager(self) -> bool:
        return self.level == PermissionLevel.MANAGER

    def clean(self) -> None:
        days = self.working_days
        if not isinstance(days, list) or not days or not set(days) <= set(range(1, 8)):
            raise ValidationError({"working_days": "At least one ISO weekday from 1 (Monday) to 7 (Sunday)."})

    @property
    def display_name(self) -> str:
        return person_name(self.user.first_name, self.user.last_name, self.user.get_username())

    def validate_roster(self, sponsorships) -> None:
        """Staff can only be rostered on their own sponsor's booths."""
        foreign = [s for s in sponsorships if s.sponsor_id != self.sponsor_id]
        if foreign:
            raise ValidationError(f"{', '.join(map(str, foreign))} belong to another sponsor.")


def hash_device_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DeviceToken(models.Model):
    """An API token for a scanning device (a phone app or a kiosk) scanning at one booth as one staff
    member: it sends scans there (the scan API's scan, lookup and amend) and reads nothing else.

    Only a hash is stored; the key is shown once when it is issued. Tokens issued before booths were
    named (``sponsorship`` empty) scan at the booths their staff member may scan at.
    """

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="device_tokens")
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, null=True, related_name="device_tokens",
        help_text="The booth it scans at.",
    )  # fmt: skip
    name = models.CharField(max_length=100, help_text="Which device, e.g. 'booth iPad 2'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+",
    )  # fmt: skip
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("staff", "name")

    def __str__(self) -> str:
        return f"{self.name} ({self.staff})"

    @classmethod
    def issue(
        cls, *, staff: StaffMember, name: str, sponsorship: Sponsorship, created_by=None
    ) -> tuple[DeviceToken, str]:
        """Create a token and return it with its key, which is not stored and cannot be shown again."""
        if sponsorship.sponsor_id != staff.sponsor_id:
            raise ValidationError("The staff member does not work for this booth's sponsor.")
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            staff=staff,
            sponsorship=sponsorship,
            name=name,
            key_hash=hash_device_key(key),
            created_by=created_by,
        )
        return token, key
