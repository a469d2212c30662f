"""Retention: a sponsor keeps its leads' personal data for a set number of days after each event ends
(``Sponsor.retention_days``); the hourly beat task then takes it out as an erasure does, lead by lead,
keeping the leads (and so every count and figure) anonymous. Each run that found something is in the
sponsor's audit log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker.models import Lead, Scan, Sponsor
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.privacy.erasure import anonymise
from tracker.retries import RETRY_TRANSIENT

CHUNK = 500  # leads a transaction


def _due(sponsor: Sponsor, today: date) -> Q:
    """Sponsorships whose event ended more than the sponsor's retention ago (none, for a retention longer
    than the calendar: one sponsor's value never stops the run for the others)."""
    days = min(sponsor.retention_days, (today - date.min).days)
    return Q(sponsorship__sponsor=sponsor, sponsorship__event__end_date__lt=today - timedelta(days=days))


def retention_apply(today: date | None = None) -> int:
    """Anonymise every lead (and unknown badge) past its sponsor's retention; returns how many leads."""
    today = today or timezone.localdate()
    total = 0
    for sponsor in Sponsor.objects.filter(retention_days__isnull=False):
        while True:  # a chunk a transaction, each in the log as it commits (a run cut short loses none)
            with transaction.atomic():
                chunk = Lead.objects.filter(_due(sponsor, today), erased_at=None).order_by("pk")[:CHUNK]
                leads = Lead.objects.filter(pk__in=list(chunk.values_list("pk", flat=True)))
                unknown = Scan.objects.filter(_due(sponsor, today), lead__isnull=True).exclude(
                    raw_payload="", typed={}, notes=""
                )
                erased = anonymise(sponsor, leads, unknown)
                if erased.anything:
                    audit(AuditAction.RETENTION, user=None, sponsor_id=sponsor.pk,
                          summary=f"Kept {sponsor.retention_days} days after each event: took the personal data out of {erased.leads} lead(s) and {erased.unknown_scans} unknown badge(s)",
                          **asdict(erased))  # fmt: skip
            total += erased.leads
            if erased.leads < CHUNK:
                break
    return total


@shared_task(name="tracker.apply_retention", soft_time_limit=3000, time_limit=3300, **RETRY_TRANSIENT)
def apply_retention() -> int:
    """Periodic: personal data past each sponsor's retention goes."""
    return retention_apply()
