"""A small, fully known booth for the export tests: costs in two currencies, a team, leads at every stage."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests import factories as f
from tracker import models as m

PARIS = ZoneInfo("Europe/Paris")
HOSTILE = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1",
    "==1+1",
    '=HYPERLINK("http://evil.example","click")',
    "  =cmd|' /C calc'!A0",
]


@dataclass
class World:
    sponsor: m.Sponsor
    booth: m.Sponsorship
    manager: m.StaffMember
    sales: m.StaffMember
    devrel: m.StaffMember
    leads: dict


def build_world() -> World:
    event = f.EventFactory(name="KubeCon EU 2024", start_date=date(2024, 3, 19), end_date=date(2024, 3, 22))
    sponsor = f.SponsorFactory(name="Alpha Cloud", reporting_currency="EUR")
    booth = f.SponsorshipFactory(sponsor=sponsor, event=event, tier="gold", booth_number="S7")
    f.CostLineFactory(sponsorship=booth, category="fee", amount=Decimal("20000.00"), currency="EUR")
    f.CostLineFactory(sponsorship=booth, category="travel", amount=Decimal("5000.00"), currency="USD")
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.90"), valid_on=date(2024, 1, 1))
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager", role="marketing", user__first_name="Mia")
    sales = f.StaffMemberFactory(
        sponsor=sponsor, role="sales", user__first_name="Sam", user__email="sam@alpha.example"
    )
    devrel = f.StaffMemberFactory(sponsor=sponsor, role="devrel", user__first_name="Dev")
    for member in (sales, devrel):
        member.sponsorships.add(booth)

    def lead(key, *, grade, score, consent, scanner, talk, interests, notes, status=None, reached=(), amount=None,
             currency="", **attendee):  # fmt: skip
        item = f.LeadFactory(
            sponsorship=booth,
            consent=consent,
            first_scan_at=datetime(2024, 3, 20, 10, 0, tzinfo=PARIS),
            last_scan_at=datetime(2024, 3, 21, 15, 30, tzinfo=PARIS),
            **{f"attendee__{k}": v for k, v in attendee.items()},
        )
        f.ScanFactory(lead=item, scanned_by=scanner, conversation_type=talk, interests=interests, notes=notes,
                      rating="hot" if grade == "A" else "warm", received_at=datetime(2024, 3, 20, 10, 0, tzinfo=PARIS))  # fmt: skip
        f.LeadScoreFactory(
            lead=item, grade=grade, score=score,
            reasons=[{"points": score - 10, "reason": "VP-level title"}, {"points": 10, "reason": "Hot at the booth"}],
        )  # fmt: skip
        if status:
            follow_up = f.FollowUpFactory(lead=item, owner=sales, status=status, due_on=date(2024, 3, 25),
                                          opportunity_amount=amount, opportunity_currency=currency)  # fmt: skip
            previous = "todo"
            for stage in reached:
                f.FollowUpChangeFactory(follow_up=follow_up, from_status=previous, to_status=stage)
                previous = stage
        return item

    leads = {
        "won": lead(
            "won",
            grade="A",
            score=90,
            consent=True,
            scanner=sales,
            talk="demo",
            interests=["AI", "FinOps"],
            notes="Wants SSO support for the operator",
            status="won",
            reached=["contacted", "meeting_booked", "opportunity", "won"],
            amount=Decimal("10000.00"),
            currency="USD",
            last_name="Hopper",
            company="Navy Systems",
            email="grace@navy.example",
            phone="+1 555 0100",
            title="CTO",
        ),  # fmt: skip
        "lost_after_meeting": lead(
            "lost",
            grade="A",
            score=80,
            consent=True,
            scanner=devrel,
            talk="technical_deep_dive",
            interests=["AI"],
            notes="Asked for a tutorial on eBPF",
            status="lost",
            reached=["contacted", "meeting_booked", "lost"],
            last_name="Turing",
            company="Bletchley",
            email="alan@bletchley.example",
        ),  # fmt: skip
        "opportunity": lead(
            "opp",
            grade="B",
            score=60,
            consent=True,
            scanner=sales,
            talk="demo",
            interests=["Security"],
            notes="",
            status="opportunity",
            reached=["contacted", "meeting_booked", "opportunity"],
            amount=Decimal("5000.00"),
            currency="EUR",
            last_name="Lovelace",
            company="Engines",
        ),  # fmt: skip
        "no_consent": lead(
            "nc",
            grade="B",
            score=55,
            consent=False,
            scanner=devrel,
            talk="technical_deep_dive",
            interests=["AI"],
            notes=HOSTILE[0],
            last_name="Secret",
            email="secret@corp.example",
            phone="+33 1 00 00 00 00",
            company=HOSTILE[2],
        ),  # fmt: skip
        "swag": lead(
            "swag",
            grade="D",
            score=5,
            consent=None,
            scanner=sales,
            talk="swag_only",
            interests=[],
            notes="",
            last_name="Socks",
            company="Swag Inc",
        ),  # fmt: skip
    }
    return World(sponsor, booth, manager, sales, devrel, leads)


def downloaded(client, response):
    """The file behind an inline export: the exports page it lands on starts its download (the link
    marked ``data-download-now``); fetched here as the page's script would."""
    import re

    found = re.search(r'href="([^"]+)" data-download-now', response.content.decode())
    assert found, "the exports page marks no download to start"
    return client.get(found.group(1))
