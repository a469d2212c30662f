"""The one rule for time: what "now" and "today" mean for an event, a staff member and a viewer, and
how a time is written for people.

An event's day is the day in its own time zone (a booth in Salt Lake City closes its day seven hours
after UTC's); a staff member's day (due dates, "overdue", the morning digest) is the day where they
work; a page about an event shows the event's wall time, other pages the viewer's, and say which zone
when it could be doubted. Everything here is pure but for reading the clock when ``now`` is not given.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

UTC = ZoneInfo("UTC")


@lru_cache(maxsize=256)
def zone(name: str | None) -> ZoneInfo:
    """The time zone of an IANA name; UTC for a blank or unknown one (a typo must not break a page)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_place(tz: tzinfo) -> str:
    """The place a zone is named after, for people: "New York" for America/New_York, "UTC" for UTC."""
    return str(tz).rsplit("/", 1)[-1].replace("_", " ")


def now_in(tz: tzinfo, now: datetime | None = None) -> datetime:
    """The current (or given) moment as wall time in ``tz``."""
    return (now or timezone.now()).astimezone(tz)


def today_in(tz: tzinfo, now: datetime | None = None) -> date:
    """The date it is in ``tz``."""
    return now_in(tz, now).date()


def event_today(event, now: datetime | None = None) -> date:
    """The date it is where the event takes place."""
    return today_in(zone(event.time_zone), now)


def member_today(member, now: datetime | None = None) -> date:
    """The date it is where a staff member works (their own time zone)."""
    return today_in(zone(member.time_zone), now)


def day_span(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first moment of ``day`` in ``tz`` and the first of the next one (23 or 25 hours across DST)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def event_phase(event, now: datetime | None = None) -> str:
    """Where the event stands today in its own zone: "before", "during" or "after"."""
    today = event_today(event, now)
    if today < event.start_date:
        return "before"
    return "after" if today > event.end_date else "during"


def dates_around(now: datetime | None = None) -> tuple[date, date]:
    """The earliest and latest date it can be anywhere on Earth now (UTC-12 to UTC+14)."""
    utc = (now or timezone.now()).astimezone(UTC)
    return (utc - timedelta(hours=12)).date(), (utc + timedelta(hours=14)).date()


def when(
    value: datetime | date | None, tz: tzinfo, *, today: date | None = None, with_zone: bool = False
) -> str:
    """A time for people, in ``tz``: "Wed 20 Mar, 10:15", with the year when it is not this year's
    ("Wed 20 Mar 2024, 10:15"), and the zone's abbreviation when asked ("10:15 CET")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(tz) if timezone.is_aware(value) else value.replace(tzinfo=tz)
        day = local.date()
    else:
        local, day = None, value
    current_year = (today or today_in(tz)).year
    text = f"{day:%a} {day.day} {day:%b}" + ("" if day.year == current_year else f" {day.year}")
    if local is not None:
        text += f", {local:%H:%M}"
        if with_zone:
            text += f" {local.tzname()}"
    return text
