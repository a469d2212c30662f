"""A manager says who an unknown badge was; the scan then counts on that person's lead."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.analytics.freshness import figures_changed
from tracker.badges import badge_hints
from tracker.models import Lead, Scan
from tracker.scans.matching import attendee_match, lead_for, leads_recount, typed_badge


class ResolveForm(forms.Form):
    """Who an unknown badge was: a badge id or email from the attendee list, or the person typed in."""

    badge_id = forms.CharField(required=False, max_length=120)
    email = forms.EmailField(required=False)
    first_name = forms.CharField(required=False, max_length=120)
    last_name = forms.CharField(required=False, max_length=120)
    company = forms.CharField(required=False, max_length=200)
    title = forms.CharField(required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            data.get(name) for name in ("badge_id", "email", "first_name", "last_name")
        ):
            raise ValidationError("Give a badge id or email from the attendee list, or the person's name.")
        return data


def scan_resolve(*, scan: Scan, data: dict) -> Lead:
    """Attach an unknown-badge scan to the attendee it was; counted on the lead like any scan."""
    if scan.lead_id is not None:
        raise ValidationError("This scan is already attached to a lead.")
    badge = typed_badge(data)
    with transaction.atomic():
        attendee = attendee_match(scan.sponsorship.event_id, badge)
        if attendee is None:
            raise ValidationError(
                f"No attendee of {scan.sponsorship.event} has badge id {badge.badge_id!r}; add a name or an email."
            )
        lead = lead_for(scan.sponsorship_id, attendee)
        updated = Scan.objects.filter(pk=scan.pk, lead__isnull=True).update(
            lead=lead, processed_at=timezone.now()
        )
        if not updated:
            raise ValidationError("This scan was resolved by someone else just now.")
        leads_recount([lead.pk])
        figures_changed([scan.sponsorship_id])
    scan.lead = lead
    return lead


def resolve_initial(scan: Scan) -> dict[str, str]:
    """The resolve form filled in from what the scan already says (its payload, or what staff typed)."""
    if not scan.raw_payload.strip():
        return {name: str(scan.typed.get(name, "")) for name in ResolveForm.base_fields}
    badge = badge_hints(scan.raw_payload)
    return {
        "badge_id": badge.badge_id, "email": badge.email, "first_name": badge.first_name,
        "last_name": badge.last_name, "company": badge.company, "title": badge.title,
    }  # fmt: skip


def scan_discard(*, scan: Scan, by) -> None:
    """Set an unknown badge aside as junk: out of every count, kept with who did it for the record."""
    if scan.lead_id is not None:
        raise ValidationError("Only an unknown badge can be discarded.")
    Scan.objects.filter(pk=scan.pk, lead__isnull=True).update(discarded_at=timezone.now(), discarded_by=by)
    figures_changed([scan.sponsorship_id])


def scan_restore(*, scan: Scan) -> None:
    """Bring a discarded badge back among the unknown ones."""
    Scan.objects.filter(pk=scan.pk).update(discarded_at=None, discarded_by=None)
    figures_changed([scan.sponsorship_id])
