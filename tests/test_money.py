"""One converter of money: stored rates only, one rounding rule, no silent additions."""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories as f
from tracker.analytics.costs import cost_totals
from tracker.analytics.roi import roi_for
from tracker.models.money import Converter, to_cents

pytestmark = pytest.mark.django_db


def test_amounts_round_half_away_from_zero_to_the_cent():
    assert to_cents(Decimal("0.125")) == Decimal("0.13")  # half-even would give 0.12
    assert to_cents(Decimal("2.675")) == Decimal("2.68")


def test_the_converter_uses_the_rate_of_the_amounts_date_once_and_says_when_it_has_none(
    django_assert_num_queries,
):
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.90"), valid_on=date(2024, 1, 1))
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.80"), valid_on=date(2024, 6, 1))
    converter = Converter("EUR")
    with django_assert_num_queries(2):  # one rate looked up per currency and date, then remembered
        assert converter.convert(Decimal("0.125"), "USD", date(2024, 3, 1)) == Decimal("0.11")  # 0.1125
        assert converter.convert(Decimal("100.00"), "USD", date(2024, 3, 1)) == Decimal("90.00")
        assert converter.convert(Decimal("100.00"), "USD", date(2024, 7, 1)) == Decimal("80.00")
    assert converter.convert(Decimal("100.00"), "EUR", date(2024, 7, 1)) == Decimal("100.00")
    assert converter.convert(Decimal("100.00"), "GBP", date(2024, 7, 1)) is None


def test_costs_and_the_roi_convert_the_same_way():
    booth = f.SponsorshipFactory(sponsor__reporting_currency="EUR")
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.333"), valid_on=date(2024, 1, 1))
    f.CostLineFactory(sponsorship=booth, amount=Decimal("10.50"), currency="USD")  # 3.4965 -> 3.50
    f.CostLineFactory(sponsorship=booth, amount=Decimal("700.00"), currency="GBP")
    total = cost_totals([booth.pk], "EUR")[booth.pk]
    assert (total.amount, total.unconverted) == (Decimal("3.50"), {"GBP": Decimal("700.00")})
    (roi,) = roi_for([booth])
    assert (roi.cost, roi.unconverted) == (total.amount, total.unconverted)
