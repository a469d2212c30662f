"""Overdue reminders: one email per owner per day listing every follow-up past due, never one per lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker import times
from tracker.models import FollowUp, ReminderDigest, StaffMember
from tracker.models.choices import FollowUpStatus

# An owner east of UTC may already be a day ahead: candidates are picked with a day's margin.
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DigestItem:
    name: str
    company: str
    grade: str
    event: str
    due_on: date
    days_late: int
    url: str


def digest_items(owner: StaffMember, now: datetime) -> list[DigestItem]:
    today = times.member_today(owner, now)
    follow_ups = (
        FollowUp.objects.filter(owner=owner)
        .overdue(now)
        .select_related("lead__attendee", "lead__score", "lead__sponsorship__event")
        .order_by("due_on", "pk")
    )
    return [
        DigestItem(
            name=f.lead.attendee.full_name or f.lead.attendee.email or "Unnamed lead",
            company=f.lead.attendee.company,
            grade=getattr(getattr(f.lead, "score", None), "grade", ""),
            event=f.lead.sponsorship.event.name,
            due_on=f.due_on,
            days_late=(today - f.due_on).days,
            url=settings.SITE_URL + f.lead.get_absolute_url(),
        )
        for f in follow_ups
    ]


def digest_send(*, owner: StaffMember, now: datetime) -> bool:
    """Email ``owner`` their overdue follow-ups, once for their day; False if nothing is due or it went out."""
    today = times.member_today(owner, now)
    items = digest_items(owner, now)
    if not items or not owner.user.email:
        return False
    try:
        with transaction.atomic():
            ReminderDigest.objects.create(owner=owner, sent_on=today, follow_up_count=len(items))
            body = render_to_string(
                "tracker/email/overdue_digest.txt",
                {
                    "owner": owner,
                    "follow_ups": items,
                    "list_url": settings.SITE_URL + reverse("my-follow-ups"),
                },
            )
            subject = f"{len(items)} overdue follow-up{'s' if len(items) != 1 else ''} - {owner.sponsor.name}"
            # Inside the transaction: if the mail server refuses, no digest is recorded and the next run retries.
            send_mail(subject, body, None, [owner.user.email])
    except IntegrityError:  # another run sent today's digest first
        return False
    return True


def digests_send(now: datetime | None = None) -> int:
    """Send today's digest to every owner with overdue follow-ups whose local day has reached DIGEST_HOUR."""
    now = now or timezone.now()
    owner_ids = (
        FollowUp.objects.filter(
            status=FollowUpStatus.TODO, due_on__lt=now.date() + _ONE_DAY, owner__is_active=True
        )
        .values_list("owner_id", flat=True)
        .distinct()
    )
    sent = 0
    for owner in StaffMember.objects.filter(pk__in=list(owner_ids)).select_related("user", "sponsor"):
        local = times.now_in(times.zone(owner.time_zone), now)
        if local.hour < settings.DIGEST_HOUR:
            continue
        if ReminderDigest.objects.filter(owner=owner, sent_on=local.date()).exists():
            continue
        sent += digest_send(owner=owner, now=now)
    return sent


@shared_task(name="tracker.send_overdue_digests")
def send_overdue_digests() -> int:
    """Periodic: one overdue digest per owner per day."""
    return digests_send()
