"""The booth whose figures were worked out by hand (``tests/test_analytics.py`` says what they are).

The booth (figures in EUR; USD at a stored 0.90):
- Lea, grade A: scanned first by the devrel (swag only), then by sales (a demo); her follow-up was
  contacted two days after the first scan, booked a meeting, and is lost now. Interests "AI".
- Li, grade B: scanned by sales, swag only; her follow-up reached an opportunity of 10,000 USD five days
  after the scan and is still there. Interests " Platform engineering ", "AI".
- Lou, grade C: scanned by the devrel (a demo); won, 2,000 EUR.
- Lin, grade A: scanned by sales (a demo), no follow-up.
Costs: 1,000 EUR and 500 USD.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests import factories as f
from tracker.models.choices import StaffRole

T0 = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__reporting_currency="EUR", event__end_date=date(2024, 3, 22))
    sponsor = sponsorship.sponsor
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.90"), valid_on=date(2024, 1, 1))
    f.CostLineFactory(sponsorship=sponsorship, category="fee", amount=Decimal("1000.00"), currency="EUR")
    f.CostLineFactory(sponsorship=sponsorship, category="travel", amount=Decimal("500.00"), currency="USD")
    devrel = f.StaffMemberFactory(sponsor=sponsor, role=StaffRole.DEVREL)
    sales = f.StaffMemberFactory(sponsor=sponsor, role=StaffRole.SALES)
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager", role=StaffRole.SALES)

    def lead(name, grade, scans, **follow_up):
        lead = f.LeadFactory(sponsorship=sponsorship, attendee__first_name=name, first_scan_at=T0)
        f.LeadScoreFactory(lead=lead, grade=grade)
        for minutes, member, conversation, interests in scans:
            f.ScanFactory(lead=lead, scanned_by=member, conversation_type=conversation, interests=interests,
                          received_at=T0 + timedelta(minutes=minutes))  # fmt: skip
        history = follow_up.pop("history", ())
        if follow_up:
            made = f.FollowUpFactory(lead=lead, **follow_up)
            for days, status in history:
                f.FollowUpChangeFactory(
                    follow_up=made, to_status=status, changed_at=T0 + timedelta(days=days)
                )
        return lead

    lead("Lea", "A", [(0, devrel, "swag_only", ["AI"]), (5, sales, "demo", [])], status="lost",
         history=[(2, "contacted"), (3, "meeting_booked"), (9, "lost")])  # fmt: skip
    lead("Li", "B", [(1, sales, "swag_only", [" Platform engineering ", "AI"])], status="opportunity",
         opportunity_amount=Decimal("10000.00"), opportunity_currency="USD", history=[(5, "opportunity")])  # fmt: skip
    lead("Lou", "C", [(2, devrel, "demo", [])], status="won", opportunity_amount=Decimal("2000.00"),
         opportunity_currency="EUR", history=[(4, "contacted"), (6, "won")])  # fmt: skip
    lead("Lin", "A", [(3, sales, "demo", [])])
    sponsorship.manager = manager
    return sponsorship
