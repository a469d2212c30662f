"""How the CRM tasks wait out a CRM that stays rate-limited or unavailable past the inline retries of
``tracker.crm.clients``: the task runs again after a doubling countdown (30 s, 1 min, 2 min, ... up to half
an hour), never shorter than the CRM asked, always below half the broker's visibility timeout (a task
waiting longer is handed to a second worker), and gives up once the CRM has been unavailable for
``GIVE_UP_AFTER``. That is measured on the clock since the first failure and as the countdowns added up,
whichever is longer, so a task run again at once (in-process tasks) still stops. Pure but for one setting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from django.conf import settings

RETRY_FIRST = 30.0
RETRY_LONGEST = 1800.0
GIVE_UP_AFTER = 6 * 3600.0


def longest_wait() -> float:
    """The longest countdown a task may be given: half an hour, and below half the visibility timeout."""
    return max(1.0, min(RETRY_LONGEST, settings.BROKER_VISIBILITY_TIMEOUT / 2))


@dataclass(frozen=True)
class Outage:
    """Since when a task has been waiting for its CRM; it travels in the task's keyword arguments."""

    since: float  # the clock (seconds since the epoch) at the first failure
    waited: float = 0.0  # the countdowns given so far
    tries: int = 0

    @classmethod
    def of(cls, data: dict | None, now: float) -> Outage:
        """The outage a task's ``outage`` argument describes, or one starting ``now``."""
        return cls(**data) if data else cls(since=now)

    def countdown(self, asked: float, now: float) -> float | None:
        """Seconds until the next try (at least ``asked``, what the CRM said), or None: give up."""
        if max(now - self.since, self.waited) >= GIVE_UP_AFTER:
            return None
        return min(longest_wait(), max(asked, RETRY_FIRST * 2 ** min(self.tries, 16)))

    def then(self, countdown: float) -> dict:
        """The ``outage`` argument of the next try."""
        return asdict(replace(self, waited=self.waited + countdown, tries=self.tries + 1))
