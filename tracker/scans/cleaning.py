"""Scans as devices send them (parsed JSON), checked by the scan API's one validator
(``tracker.scans.schemas``) into the values the intake stores, and a device's clock placed in time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.scans.schemas import Errors, Qualification, ScanIn, validated

# A device clock further off than this is wrong, not a scan time (and the ends of the calendar overflow
# once moved to UTC): the scan is kept, its device time is not (the answer says so).
EARLIEST_DEVICE_TIME = datetime(2000, 1, 1, tzinfo=UTC)
DEVICE_CLOCK_AHEAD = timedelta(days=2)


def scan_clean(item: Any) -> tuple[dict | None, Errors]:
    """One scan as a device sent it -> (clean values, {}) or (None, errors by field).

    ``device_scanned_at`` is left as sent (naive when it names no zone): :func:`device_time` places it
    once the booth, and so the event's zone, is known.
    """
    scan, errors = validated(ScanIn, item)
    return (scan.model_dump(), {}) if scan is not None else (None, errors)


def device_time(sent: datetime | None, zone, now: datetime) -> tuple[datetime | None, str]:
    """The device's scan time placed in time (a time without a zone is the event's local time), and a
    warning for the answer when it was placed so or could not be kept (a clock far off)."""
    if sent is None:
        return None, ""
    warning = ""
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=zone)
        warning = f"No time zone given: taken as {zone.key} time, the event's."
    try:
        utc = sent.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST_DEVICE_TIME <= utc <= now + DEVICE_CLOCK_AHEAD:
        return (
            None,
            f"The device's clock ({sent.isoformat()}) cannot be right: the scan is kept with the server's time only.",
        )
    return utc, warning


def amend_clean(item: Any) -> tuple[dict, Errors]:
    """The qualification fields a correction sends (only those present), cleaned like a scan's."""
    correction, errors = validated(Qualification, item)
    if errors:
        return {}, errors
    present = [name for name in Qualification.model_fields if name in item]
    if not present:
        message = (
            "Send the fields to correct (rating, interests, conversation_type, notes, consent, answers)."
        )
        return {}, {"__all__": [{"message": message, "code": "invalid"}]}
    return {name: getattr(correction, name) for name in present}, {}
