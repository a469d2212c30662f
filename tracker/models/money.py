"""Currencies and stored conversion rates: the one place that converts money."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q

# The currencies a sponsor books costs and opportunities in. Extending the list needs a migration,
# since each currency column carries a check constraint over it.
CURRENCIES = (
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "SGD", "HKD", "KRW",
    "SEK", "NOK", "DKK", "PLN", "CZK", "ILS", "BRL", "MXN", "ZAR", "AED",
)  # fmt: skip
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


def currency_field(**kwargs) -> models.CharField:
    """A three-letter ISO 4217 currency code column."""
    return models.CharField(max_length=3, choices=CURRENCY_CHOICES, **kwargs)


def currency_constraint(field: str, *, model: str, allow_blank: bool = False) -> models.CheckConstraint:
    """A named check that ``field`` holds a known currency code."""
    condition = Q(**{f"{field}__in": CURRENCIES})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=f"{model}_{field}_known")


class MissingRate(LookupError):
    """No stored rate converts between two currencies on or before a date."""


CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    """The one rounding of money: to the cent, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class CurrencyRateQuerySet(models.QuerySet):
    def rate(self, source: str, target: str, on: date) -> Decimal:
        """The stored rate from ``source`` to ``target`` valid on ``on`` (latest on or before it)."""
        if source == target:
            return Decimal(1)
        found = (
            self.filter(source=source, target=target, valid_on__lte=on)
            .order_by("-valid_on")
            .values_list("rate", flat=True)
            .first()
        )
        if found is not None:
            return found
        inverse = (
            self.filter(source=target, target=source, valid_on__lte=on)
            .order_by("-valid_on")
            .values_list("rate", flat=True)
            .first()
        )
        if inverse is not None:
            return Decimal(1) / inverse
        raise MissingRate(f"No stored {source}->{target} rate on or before {on}.")

    def convert(self, amount: Decimal, source: str, target: str, on: date) -> Decimal:
        """``amount`` in ``source`` converted to ``target`` at the stored rate, rounded to cents."""
        return to_cents(amount * self.rate(source, target, on))


class CurrencyRate(models.Model):
    """How many units of ``target`` one unit of ``source`` bought, from ``valid_on`` on."""

    source = currency_field()
    target = currency_field()
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    valid_on = models.DateField()
    note = models.CharField(max_length=200, blank=True, help_text="Where the rate came from.")

    objects = CurrencyRateQuerySet.as_manager()

    class Meta:
        ordering = ("source", "target", "-valid_on")
        constraints = [
            models.UniqueConstraint(
                fields=("source", "target", "valid_on"),
                name="currencyrate_one_per_pair_and_day",
                violation_error_message="A rate for this currency pair and day already exists.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="currencyrate_rate_positive",
                violation_error_message="A rate must be positive.",
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="currencyrate_distinct_currencies",
                violation_error_message="A rate converts between two different currencies.",
            ),
            currency_constraint("source", model="currencyrate"),
            currency_constraint("target", model="currencyrate"),
        ]

    def __str__(self) -> str:
        return f"1 {self.source} = {self.rate} {self.target} from {self.valid_on}"


class Converter:
    """The one way money is converted: amounts into one currency at the stored rate of their date.

    Each (currency, date) rate is looked up once; an amount with no stored rate converts to None and is
    listed apart by the caller, never silently added.
    """

    def __init__(self, target: str):
        self.target = target
        self._rates: dict[tuple[str, date], Decimal | None] = {}

    def rate(self, source: str, on: date) -> Decimal | None:
        if (source, on) not in self._rates:
            try:
                self._rates[source, on] = CurrencyRate.objects.rate(source, self.target, on)
            except MissingRate:
                self._rates[source, on] = None
        return self._rates[source, on]

    def convert(self, amount: Decimal, source: str, on: date) -> Decimal | None:
        """``amount`` of ``source`` in the target currency, rounded to cents; None without a stored rate."""
        rate = self.rate(source, on)
        return None if rate is None else to_cents(amount * rate)
