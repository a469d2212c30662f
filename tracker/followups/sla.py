"""Due dates: an SLA counted in the owner's working days (pure, no ORM)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from tracker import times

WEEKDAYS = (1, 2, 3, 4, 5)


def add_working_days(start: date, days: int, working_days: Collection[int] = WEEKDAYS) -> date:
    """The ``days``-th working day after ``start`` (ISO weekdays); 0 days: ``start`` or the next working day.

    A follow-up created on a Friday or over the weekend with a one-day SLA is due on Monday.
    """
    working = set(working_days) & set(range(1, 8)) or set(WEEKDAYS)
    current = start
    if days <= 0:
        while current.isoweekday() not in working:
            current += timedelta(days=1)
        return current
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.isoweekday() in working:
            remaining -= 1
    return current


def due_date(
    created_at: datetime, days: int, *, time_zone: str = "UTC", working_days: Collection[int] = WEEKDAYS
) -> date:
    """The due date of a follow-up created at ``created_at``, in the owner's time zone and working week."""
    return add_working_days(times.today_in(times.zone(time_zone), created_at), days, working_days)
