"""Sponsorship costs totalled in one currency, converted only at stored rates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.models import CostLine
from tracker.models.money import Converter


@dataclass
class CostTotal:
    """A total in ``currency``; lines that had no stored rate are listed, never silently added."""

    currency: str
    amount: Decimal = Decimal("0.00")
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.unconverted


def cost_totals(sponsorship_ids: Iterable[int], currency: str) -> dict[int, CostTotal]:
    """Each sponsorship's costs in ``currency``, in one query for the lines plus one per rate needed."""
    lines = CostLine.objects.filter(sponsorship_id__in=list(sponsorship_ids)).values_list(
        "sponsorship_id", "amount", "currency", "incurred_on", "sponsorship__event__start_date"
    )
    totals: dict[int, CostTotal] = defaultdict(lambda: CostTotal(currency))
    converter = Converter(currency)
    for sponsorship_id, amount, line_currency, incurred_on, event_start in lines:
        total = totals[sponsorship_id]
        # A line converts at the rate of its own date, else of the event's start.
        converted = converter.convert(amount, line_currency, incurred_on or event_start)
        if converted is None:
            total.unconverted[line_currency] = total.unconverted.get(line_currency, Decimal(0)) + amount
        else:
            total.amount += converted
    return dict(totals)
