"""Devices (phone apps, kiosks) authenticating with a token as one staff membership.

Devices post scans in bursts, so a token's membership and booths are kept for a few seconds per
process. A revoked token or a changed roster takes effect at once in the process that saved it (the
signals in ``tracker.apps`` call ``forget_devices``) and within ``DEVICE_CACHE_SECONDS`` elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils import timezone

from tracker.models import DeviceToken, Sponsorship, StaffMember
from tracker.models.privacy import AuditAction
from tracker.models.staff import hash_device_key
from tracker.privacy.audit import audit
from tracker.tenancy import member_booths

TOKEN_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Device:
    """A device token as the API uses it: the staff membership it acts as and the booths it may scan."""

    token: DeviceToken
    booths: dict[int, Sponsorship]

    @property
    def staff(self) -> StaffMember:
        return self.token.staff


DEVICE_CACHE_SECONDS = 10.0
_devices: dict[str, tuple[float, Device]] = {}


def forget_devices(**kwargs) -> None:
    _devices.clear()


def _load_device(key_hash: str) -> Device | None:
    token = (
        DeviceToken.objects.select_related("staff__user")
        .filter(
            key_hash=key_hash, revoked_at__isnull=True, staff__is_active=True, staff__user__is_active=True
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_EVERY:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    booths = member_booths(token.staff).select_related("sponsor", "event")
    if token.sponsorship_id is not None:  # its one booth, while its staff member may scan there
        booths = booths.filter(pk=token.sponsorship_id)
    return Device(token, {s.pk: s for s in booths})


def token_key(request) -> str | None:
    """The key of an ``Authorization: Token <key>`` header ("" when it names none); None without such a
    header or for another scheme (a proxy's Basic authentication in front of the app)."""
    scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return key.strip() if scheme.lower() == "token" else None


def device_for_key(key: str) -> Device | None:
    """The active device holding ``key``, or None for an unknown, revoked or deactivated one."""
    key_hash = hash_device_key(key)
    cached = _devices.get(key_hash)
    if cached is not None and cached[0] >= time.monotonic():
        return cached[1]
    device = _load_device(key_hash)
    if device is None:
        _devices.pop(key_hash, None)
        return None
    _devices[key_hash] = (time.monotonic() + DEVICE_CACHE_SECONDS, device)
    return device


class DeviceTokenForm(forms.Form):
    """A manager's new device token: its name, the booth it scans at, the staff member it scans as."""

    name = forms.CharField(max_length=100, help_text="Which device, e.g. “booth iPad 2”.")
    sponsorship = forms.ModelChoiceField(queryset=Sponsorship.objects.none(), label="Booth", empty_label=None)
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), label="Scans as", empty_label=None,
        help_text="Whose scans they count as.",
    )  # fmt: skip

    def __init__(self, *args, sponsor, **kwargs):
        super().__init__(*args, **kwargs)
        booths = sponsor.sponsorships.filter(has_booth=True).select_related("event")
        self.fields["sponsorship"].queryset = booths.order_by("-event__start_date", "pk")  # the latest first
        self.fields["sponsorship"].label_from_instance = lambda booth: str(booth.event)
        self.fields["staff"].queryset = sponsor.staff.filter(is_active=True).select_related("user")
        self.fields["staff"].label_from_instance = lambda member: member.display_name

    def clean(self):
        data = super().clean()
        staff, booth = data.get("staff"), data.get("sponsorship")
        if staff and booth and not member_booths(staff).filter(pk=booth.pk).exists():
            self.add_error("staff", f"{staff.display_name} is not on the roster of this booth.")
        return data


def token_issue(
    *, staff: StaffMember, sponsorship: Sponsorship, name: str, by_user
) -> tuple[DeviceToken, str]:
    """A new token and its key (shown once), in the audit log."""
    token, key = DeviceToken.issue(staff=staff, name=name, sponsorship=sponsorship, created_by=by_user)
    audit(AuditAction.TOKEN_ISSUED, user=by_user, sponsor_id=staff.sponsor_id,
          summary=f"Issued the device token {name!r} for {sponsorship.event}, scanning as {staff.display_name}",
          token=token.pk, sponsorship=sponsorship.pk)  # fmt: skip
    return token, key


def token_revoke(token: DeviceToken, *, by_user) -> bool:
    """Revoke a token (its scans refused from now on); False if it already was."""
    if not DeviceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        return False
    forget_devices()
    audit(AuditAction.TOKEN_REVOKED, user=by_user, sponsor_id=token.staff.sponsor_id,
          summary=f"Revoked the device token {token.name!r}", token=token.pk)  # fmt: skip
    return True
