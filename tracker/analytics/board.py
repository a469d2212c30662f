"""The live booth board's figures: today and the whole event, per staff member, per hour, grades."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from tracker import times
from tracker.models import Lead, LeadScore, Scan, Sponsorship
from tracker.models.choices import Grade, StaffRole
from tracker.models.staff import people_labels, person_name


def board_stats(sponsorship: Sponsorship, now: datetime) -> dict:
    """Everything the board shows, in a fixed handful of queries whatever the booth's size."""
    tz = times.zone(sponsorship.event.time_zone)
    day_start, day_end = times.day_span(times.today_in(tz, now), tz)
    today = Q(received_at__gte=day_start, received_at__lt=day_end)
    scans = Scan.objects.counted().filter(sponsorship=sponsorship)
    totals = scans.aggregate(
        scans_total=Count("pk"),
        scans_today=Count("pk", filter=today),
        unknown_total=Count("pk", filter=Q(lead__isnull=True)),
        swag_only=Count("pk", filter=Q(conversation_type="swag_only")),
    )
    per_staff = (
        scans.values(
            "scanned_by",
            "scanned_by__user__first_name",
            "scanned_by__user__last_name",
            "scanned_by__user__username",
            "scanned_by__role",
            "scanned_by__user__email",
        )
        .annotate(total=Count("pk"), today=Count("pk", filter=today))
        .order_by("-today", "-total")
    )
    per_hour = (
        scans.filter(today)
        .annotate(hour=TruncHour("received_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by("hour")
    )
    roles = dict(StaffRole.choices)
    names = people_labels(  # two people of one name told apart by role and email
        [
            (row["scanned_by"], person_name(row["scanned_by__user__first_name"], row["scanned_by__user__last_name"],
             row["scanned_by__user__username"]), roles.get(row["scanned_by__role"], ""), row["scanned_by__user__email"])
            for row in per_staff
        ]
    )  # fmt: skip
    grades = dict(
        LeadScore.objects.filter(lead__sponsorship=sponsorship)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    return {
        **totals,
        "leads_total": Lead.objects.filter(sponsorship=sponsorship).count(),
        "per_staff": [
            {
                "name": names[row["scanned_by"]] or "(unknown device)",
                "today": row["today"],
                "total": row["total"],
            }
            for row in per_staff
        ],
        "per_hour": [
            {"hour": row["hour"].astimezone(tz).strftime("%H:00"), "scans": row["n"]} for row in per_hour
        ],
        "grades": {grade: grades.get(grade, 0) for grade in Grade.values},
        "updated_at": now.isoformat(),
        # The board is about the event: its day, its hours and its clock, the zone named.
        "updated_label": f"{now.astimezone(tz):%H:%M} {now.astimezone(tz).tzname()}",
        "zone": now.astimezone(tz).tzname(),
    }
