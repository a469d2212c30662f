"""Recording booth scans: the one write path for the scan screen, the API and devices.

A scan is matched to an attendee of the event (by badge id, then email), or becomes a new attendee
when the badge carries a name or email; a code that matches nobody is kept raw as an unknown badge.
The same ``client_uuid`` sent again returns the stored scan and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from tracker.badges import ParsedBadge, parse_badge
from tracker.models import Attendee, Lead, Scan, Sponsorship, StaffMember
from tracker.models.choices import ConversationType, PayloadFormat, Rating

MANUAL_FIELDS = ("first_name", "last_name", "email", "company", "title", "badge_id")
MAX_INTERESTS = 30
EARLIER_SHOWN = 5


class StringListField(forms.Field):
    """A JSON list of short strings (interest chips), de-duplicated in order."""

    def to_python(self, value) -> list[str]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Expected a list of texts.")
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        if len(cleaned) > MAX_INTERESTS:
            raise ValidationError(f"At most {MAX_INTERESTS} interests.")
        if any(len(v) > 80 for v in cleaned):
            raise ValidationError("An interest is at most 80 characters.")
        return cleaned


class ScanForm(forms.Form):
    """One scan as a device sends it; the field names are the API's."""

    client_uuid = forms.UUIDField()
    sponsorship = forms.IntegerField(min_value=1)
    raw_payload = forms.CharField(required=False, max_length=8192, strip=False)
    device_scanned_at = forms.DateTimeField(required=False)
    device_id = forms.CharField(required=False, max_length=64)
    rating = forms.ChoiceField(required=False, choices=[("", "—"), *Rating.choices])
    conversation_type = forms.ChoiceField(required=False, choices=[("", "—"), *ConversationType.choices])
    interests = StringListField(required=False)
    notes = forms.CharField(required=False, max_length=5000)
    consent = forms.NullBooleanField(required=False)
    first_name = forms.CharField(required=False, max_length=120)
    last_name = forms.CharField(required=False, max_length=120)
    email = forms.EmailField(required=False)
    company = forms.CharField(required=False, max_length=200)
    title = forms.CharField(required=False, max_length=200)
    badge_id = forms.CharField(required=False, max_length=120)

    # JSON types each field accepts; a value of another type is an error, never silently turned to text.
    JSON_TYPES = {
        "sponsorship": (int,),
        "interests": (list,),
        "consent": (bool, type(None)),
    }

    def __init__(self, data: dict, **kwargs):
        self.type_errors = {
            name: value
            for name, value in data.items()
            if name in self.base_fields
            and value is not None
            and not isinstance(value, self.JSON_TYPES.get(name, (str,)))
            or (name == "sponsorship" and isinstance(value, bool))
        }
        super().__init__({k: v for k, v in data.items() if k not in self.type_errors}, **kwargs)

    def clean(self):
        data = super().clean()
        for name, value in self.type_errors.items():
            expected = " or ".join(t.__name__ for t in self.JSON_TYPES.get(name, (str,))).replace(
                "NoneType", "null"
            )
            self.add_error(name, f"Expected {expected}, got {type(value).__name__}.")
        if (
            not self.errors
            and not data.get("raw_payload", "").strip()
            and not any(data.get(f) for f in MANUAL_FIELDS)
        ):
            raise ValidationError(
                "A scan needs a badge payload or a name, email, company or badge id typed in."
            )
        return data


@dataclass
class ScanOutcome:
    """What happened to one submitted scan, and what staff should see at once."""

    created: bool
    scan: Scan
    earlier: list[Scan] = field(default_factory=list)


def missing_required(sponsor_required: list[str], data: dict) -> list[str]:
    """The sponsor's required qualification fields that this scan leaves empty."""
    return [name for name in sponsor_required if data.get(name) in (None, "", [])]


def _manual_badge(data: dict) -> ParsedBadge:
    email = (data.get("email") or "").strip()
    return ParsedBadge(
        format=PayloadFormat.MANUAL,
        badge_id=(data.get("badge_id") or "").strip(),
        first_name=(data.get("first_name") or "").strip(),
        last_name=(data.get("last_name") or "").strip(),
        emails=(email,) if email else (),
        title=(data.get("title") or "").strip(),
        company=(data.get("company") or "").strip(),
    )


def badge_of(data: dict) -> ParsedBadge:
    """The identity a scan carries: the parsed payload, or what staff typed when there is none."""
    raw = data.get("raw_payload") or ""
    if raw.strip():
        return parse_badge(raw)
    return _manual_badge(data)


def _fill_blanks(attendee: Attendee, badge: ParsedBadge) -> None:
    values = {
        "first_name": badge.first_name,
        "last_name": badge.last_name,
        "email": badge.email,
        "phone": badge.phone,
        "title": badge.title,
        "company": badge.company,
        "country": badge.country,
        "city": badge.city,
    }
    changed = [name for name, value in values.items() if value and not getattr(attendee, name)]
    for name in changed:
        setattr(attendee, name, values[name][: attendee._meta.get_field(name).max_length])
    if changed:
        attendee.save(update_fields=changed)


def attendee_find(event_id: int, badge: ParsedBadge) -> Attendee | None:
    """The event's attendee this badge names: by badge id, then by email. Reads only."""
    attendees = Attendee.objects.filter(event_id=event_id)
    found = None
    if badge.badge_id:
        found = attendees.filter(badge_id=badge.badge_id).first()
    if found is None and badge.email:
        found = attendees.filter(email__iexact=badge.email).order_by("pk").first()
    return found


def attendee_match(event_id: int, badge: ParsedBadge) -> Attendee | None:
    """The attendee this badge names, created if the badge says who; None for an unknown badge."""
    found = attendee_find(event_id, badge)
    if found is not None:
        _fill_blanks(found, badge)
        return found
    if not (badge.email or badge.first_name or badge.last_name):
        return None  # a bare id nobody has: an unknown badge, resolved later
    try:
        with transaction.atomic():
            return Attendee.objects.create(
                event_id=event_id,
                badge_id=badge.badge_id[:120],
                first_name=badge.first_name[:120],
                last_name=badge.last_name[:120],
                email=badge.email[:254],
                phone=badge.phone[:40],
                title=badge.title[:200],
                company=badge.company[:200],
                country=badge.country[:2],
                city=badge.city[:100],
            )
    except IntegrityError:  # the same badge arrived at the same moment from another phone
        return Attendee.objects.get(event_id=event_id, badge_id=badge.badge_id)


def lead_for(sponsorship: Sponsorship, attendee: Attendee) -> Lead:
    """The one lead of this attendee at this booth, race-safe under the unique constraint."""
    try:
        with transaction.atomic():
            lead, _ = Lead.objects.get_or_create(sponsorship=sponsorship, attendee=attendee)
            return lead
    except IntegrityError:
        return Lead.objects.get(sponsorship=sponsorship, attendee=attendee)


def lead_count_scan(lead_id: int, received_at: datetime, consent: bool | None) -> None:
    """Add one interaction to a lead's counters (and its latest consent answer) in one UPDATE."""
    changes = {
        "scan_count": F("scan_count") + 1,
        "first_scan_at": Least(Coalesce("first_scan_at", received_at), received_at),
        "last_scan_at": Greatest(Coalesce("last_scan_at", received_at), received_at),
    }
    if consent is not None:
        changes |= {"consent": consent, "consent_recorded_at": received_at}
    Lead.objects.filter(pk=lead_id).update(**changes)


def earlier_interactions(scan: Scan) -> list[Scan]:
    """The lead's other interactions at this booth, latest first, for "already talked to" notices."""
    if scan.lead_id is None:
        return []
    return list(
        Scan.objects.filter(lead_id=scan.lead_id)
        .exclude(pk=scan.pk)
        .select_related("scanned_by__user")
        .order_by("-received_at")[:EARLIER_SHOWN]
    )


def scan_preview(*, sponsorship: Sponsorship, data: dict) -> tuple[ParsedBadge, Attendee | None, list[Scan]]:
    """Who a badge is and the booth's earlier interactions with them, without storing anything."""
    badge = badge_of(data)
    attendee = attendee_find(sponsorship.event_id, badge)
    lead = Lead.objects.filter(sponsorship=sponsorship, attendee=attendee).first() if attendee else None
    earlier = (
        list(lead.scans.select_related("scanned_by__user").order_by("-received_at")[:EARLIER_SHOWN])
        if lead
        else []
    )
    return badge, attendee, earlier


def scan_record(*, sponsorship: Sponsorship, scanned_by: StaffMember | None, data: dict) -> ScanOutcome:
    """Store one validated scan (``ScanForm.cleaned_data``) once, whatever happens to the network."""
    existing = Scan.objects.filter(sponsorship=sponsorship, client_uuid=data["client_uuid"]).first()
    if existing is not None:
        return ScanOutcome(False, existing, earlier_interactions(existing))
    badge = badge_of(data)
    received_at = timezone.now()
    with transaction.atomic():
        attendee = attendee_match(sponsorship.event_id, badge)
        lead = lead_for(sponsorship, attendee) if attendee else None
        try:
            with transaction.atomic():
                scan = Scan.objects.create(
                    sponsorship=sponsorship,
                    lead=lead,
                    client_uuid=data["client_uuid"],
                    scanned_by=scanned_by,
                    device_id=data.get("device_id") or "",
                    device_scanned_at=data.get("device_scanned_at"),
                    received_at=received_at,
                    raw_payload=data.get("raw_payload") or "",
                    payload_format=badge.format,
                    rating=data.get("rating") or "",
                    interests=data.get("interests") or [],
                    conversation_type=data.get("conversation_type") or "",
                    notes=data.get("notes") or "",
                    consent=data.get("consent"),
                )
        except IntegrityError:  # the same uuid won a race from a parallel request
            existing = Scan.objects.get(sponsorship=sponsorship, client_uuid=data["client_uuid"])
            return ScanOutcome(False, existing, earlier_interactions(existing))
        if lead is not None:
            lead_count_scan(lead.pk, received_at, data.get("consent"))
    return ScanOutcome(True, scan, earlier_interactions(scan))


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
    badge = _manual_badge(data)
    with transaction.atomic():
        attendee = attendee_match(scan.sponsorship.event_id, badge)
        if attendee is None:
            raise ValidationError(
                f"No attendee of {scan.sponsorship.event} has badge id {badge.badge_id!r}; add a name or an email."
            )
        lead = lead_for(scan.sponsorship, attendee)
        updated = Scan.objects.filter(pk=scan.pk, lead__isnull=True).update(lead=lead)
        if not updated:
            raise ValidationError("This scan was resolved by someone else just now.")
        lead_count_scan(lead.pk, scan.received_at, scan.consent)
    scan.lead = lead
    return lead


def lead_recount(lead_ids) -> None:
    """Recompute leads' counters from their scans, after an operator moved or deleted scans."""
    for lead in Lead.objects.filter(pk__in=list(lead_ids)):
        stats = lead.scans.aggregate(n=Count("pk"), first=Min("received_at"), last=Max("received_at"))
        Lead.objects.filter(pk=lead.pk).update(
            scan_count=stats["n"], first_scan_at=stats["first"], last_scan_at=stats["last"]
        )
