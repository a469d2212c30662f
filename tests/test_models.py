"""Invariants hold in the database itself, with readable messages when a form checks them."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests import factories as f
from tracker import models as m
from tracker.analytics.costs import cost_totals
from tracker.models.money import MissingRate

pytestmark = pytest.mark.django_db


def violates(constraint_name: str, create) -> None:
    """``create`` must fail in the database itself, on the named constraint."""
    with pytest.raises(IntegrityError) as failure, transaction.atomic():
        create()
    message = str(failure.value)
    if connection.vendor == "sqlite" and message.startswith("UNIQUE constraint failed"):
        return  # SQLite names the columns of a unique index, not the constraint.
    assert constraint_name in message


def test_event_cannot_end_before_it_starts():
    violates(
        "event_end_not_before_start",
        lambda: f.EventFactory(start_date=date(2024, 3, 22), end_date=date(2024, 3, 19)),
    )


def test_event_time_zone_and_currency_are_validated():
    event = f.EventFactory.build(time_zone="Mars/Olympus", currency="EUR", end_date=date(2024, 3, 18))
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time zone" in str(error.value)
    assert "cannot end before it starts" in str(error.value)
    violates("event_currency_known", lambda: f.EventFactory(currency="XXX"))


def test_one_sponsorship_per_sponsor_and_event():
    first = f.SponsorshipFactory()
    violates(
        "sponsorship_one_per_sponsor_and_event",
        lambda: f.SponsorshipFactory(sponsor=first.sponsor, event=first.event),
    )


def test_no_booth_needs_a_reason_and_a_booth_none():
    violates("sponsorship_no_booth_has_reason", lambda: f.SponsorshipFactory(has_booth=False))
    violates(
        "sponsorship_no_booth_has_reason",
        lambda: f.SponsorshipFactory(has_booth=True, no_booth_reason="cost"),
    )
    kept = f.SponsorshipFactory(has_booth=False, no_booth_reason="not_targeting_region")
    assert kept.get_no_booth_reason_display() == "Not targeting this region"


def test_costs_are_not_negative():
    violates("costline_amount_not_negative", lambda: f.CostLineFactory(amount=Decimal("-1.00")))


def test_one_lead_per_attendee_and_sponsorship():
    lead = f.LeadFactory()
    violates(
        "lead_one_per_attendee_and_sponsorship",
        lambda: m.Lead.objects.create(sponsorship=lead.sponsorship, attendee=lead.attendee),
    )


def test_resent_scan_uuid_is_refused_but_another_sponsor_may_reuse_it():
    scan = f.ScanFactory(client_uuid=uuid.uuid4())
    violates(
        "scan_client_uuid_unique_per_sponsorship",
        lambda: m.Scan.objects.create(
            sponsorship=scan.sponsorship, client_uuid=scan.client_uuid, raw_payload="x"
        ),
    )
    elsewhere = f.SponsorshipFactory()
    assert m.Scan.objects.create(sponsorship=elsewhere, client_uuid=scan.client_uuid, raw_payload="x").pk


def test_unknown_badge_scan_is_kept_without_a_lead():
    sponsorship = f.SponsorshipFactory()
    pending = m.Scan.objects.create(sponsorship=sponsorship, raw_payload="@@garbled##")
    assert list(m.Scan.objects.pending()) == [pending]
    assert not m.Scan.objects.unknown().exists()  # not matched yet is not the same as unknown
    pending.processed_at = timezone.now()
    pending.save()
    assert list(m.Scan.objects.unknown()) == [pending]


def test_scan_rating_must_be_known():
    violates("scan_rating_known", lambda: f.ScanFactory(rating="lukewarm"))


def test_badge_ids_unique_per_event_but_blank_badges_allowed():
    attendee = f.AttendeeFactory(badge_id="KCEU24-000001")
    violates(
        "attendee_badge_unique_per_event",
        lambda: f.AttendeeFactory(event=attendee.event, badge_id="KCEU24-000001"),
    )
    f.AttendeeFactory(event=attendee.event, badge_id="")
    f.AttendeeFactory(event=attendee.event, badge_id="")
    assert f.AttendeeFactory(badge_id="KCEU24-000001").pk  # another event


def test_lead_last_scan_not_before_first():
    now = timezone.now()
    violates(
        "lead_last_scan_not_before_first",
        lambda: f.LeadFactory(first_scan_at=now, last_scan_at=now - timedelta(hours=1)),
    )


def test_icp_thresholds_descend_and_one_version_is_published():
    icp = f.IcpFactory(status="published", published_at=timezone.now())
    violates(
        "icp_one_published_per_sponsor",
        lambda: f.IcpFactory(sponsor=icp.sponsor, status="published", published_at=timezone.now()),
    )
    violates("icp_version_unique_per_sponsor", lambda: f.IcpFactory(sponsor=icp.sponsor, version=icp.version))
    violates("icp_grade_thresholds_descending", lambda: f.IcpFactory(grade_a_min=40, grade_b_min=45))
    violates("icp_published_has_date", lambda: f.IcpFactory(status="published"))


def test_icp_criteria_are_typed():
    violates(
        "icpcriterion_range_has_bound", lambda: f.IcpCriterionFactory(kind="range", field="company_size")
    )
    violates(
        "icpcriterion_range_ordered",
        lambda: f.IcpCriterionFactory(kind="range", min_value=500, max_value=10),
    )
    violates("icpcriterion_action_iff_negative", lambda: f.IcpCriterionFactory(part="negative", weight=-40))
    violates("icpcriterion_action_iff_negative", lambda: f.IcpCriterionFactory(part="fit", action="exclude"))


def test_one_follow_up_per_lead_and_amounts_carry_currency():
    follow_up = f.FollowUpFactory()
    violates("tracker_followup_lead_id_key", lambda: m.FollowUp.objects.create(lead=follow_up.lead))
    violates(
        "followup_amount_has_currency",
        lambda: f.FollowUpFactory(status="opportunity", opportunity_amount=Decimal("50000")),
    )
    violates(
        "followup_amount_not_negative",
        lambda: f.FollowUpFactory(opportunity_amount=Decimal("-5"), opportunity_currency="EUR"),
    )
    ok = f.FollowUpFactory(status="won", opportunity_amount=Decimal("42000.50"), opportunity_currency="USD")
    assert ok.opportunity_amount == Decimal("42000.50")


def test_staff_member_once_per_sponsor_and_rostered_on_own_booths_only():
    member = f.StaffMemberFactory()
    violates(
        "staffmember_one_per_user_and_sponsor",
        lambda: f.StaffMemberFactory(user=member.user, sponsor=member.sponsor),
    )
    with pytest.raises(ValidationError, match="belong to another sponsor"):
        member.validate_roster([f.SponsorshipFactory()])
    member.validate_roster([f.SponsorshipFactory(sponsor=member.sponsor)])


def test_currency_rates_positive_distinct_and_one_per_day():
    violates("currencyrate_rate_positive", lambda: f.CurrencyRateFactory(rate=Decimal("0")))
    violates("currencyrate_distinct_currencies", lambda: f.CurrencyRateFactory(source="EUR", target="EUR"))
    f.CurrencyRateFactory()
    violates("currencyrate_one_per_pair_and_day", lambda: f.CurrencyRateFactory())


def test_conversion_uses_the_latest_stored_rate_on_or_before_the_date():
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.90"), valid_on=date(2024, 1, 1))
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.95"), valid_on=date(2024, 6, 1))
    rates = m.CurrencyRate.objects
    assert rates.convert(Decimal("100"), "USD", "EUR", date(2024, 3, 19)) == Decimal("90.00")
    assert rates.convert(Decimal("100"), "USD", "EUR", date(2024, 11, 12)) == Decimal("95.00")
    assert rates.convert(Decimal("95"), "EUR", "USD", date(2024, 11, 12)) == Decimal("100.00")  # inverse
    with pytest.raises(MissingRate):
        rates.convert(Decimal("100"), "USD", "EUR", date(2023, 12, 31))


def test_cost_totals_convert_at_stored_rates_and_never_add_unconvertible_lines():
    sponsorship = f.SponsorshipFactory()  # event starts 2024-03-19
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.92"), valid_on=date(2024, 1, 1))
    f.CostLineFactory(sponsorship=sponsorship, amount=Decimal("50000.00"), currency="EUR")
    f.CostLineFactory(sponsorship=sponsorship, category="travel", amount=Decimal("10000.00"), currency="USD")
    f.CostLineFactory(sponsorship=sponsorship, category="swag", amount=Decimal("700.00"), currency="GBP")

    total = cost_totals([sponsorship.pk], "EUR")[sponsorship.pk]

    assert total.amount == Decimal("59200.00")
    assert total.unconverted == {"GBP": Decimal("700.00")}
    assert not total.complete


def test_cross_sponsor_links_are_refused_by_model_validation():
    lead = f.LeadFactory()
    other = f.SponsorshipFactory()
    outsider = f.StaffMemberFactory()

    with pytest.raises(ValidationError, match="another sponsorship"):
        m.Scan(sponsorship=other, lead=lead, raw_payload="x").full_clean()
    with pytest.raises(ValidationError, match="another sponsor"):
        m.Scan(sponsorship=lead.sponsorship, lead=lead, scanned_by=outsider, raw_payload="x").full_clean()
    with pytest.raises(ValidationError, match="another event"):
        m.Lead(sponsorship=other, attendee=f.AttendeeFactory()).full_clean()
    with pytest.raises(ValidationError, match="owner works for another sponsor"):
        m.FollowUp(lead=lead, owner=outsider).full_clean()
    with pytest.raises(ValidationError, match="ICP belongs to another sponsor"):
        m.LeadScore(lead=lead, icp=f.IcpFactory(), score=1, grade="D").full_clean()
