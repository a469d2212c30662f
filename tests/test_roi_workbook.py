"""The ROI workbook against figures worked out by hand: mixed currencies, a sponsorship without a booth,
one with no leads and one with no cost; every funnel step within the one before; sheets that print."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from tests import factories as f
from tracker import models as m
from tracker.exports.service import export_run, export_start

pytestmark = pytest.mark.django_db


def lead(booth, grade, *, scans=1, interests=(), talk="demo", reached=(), status=None, amount=None):
    item = f.LeadFactory(sponsorship=booth)
    f.LeadScoreFactory(lead=item, grade=grade, score={"A": 90, "B": 60, "C": 30, "D": 5}[grade])
    for _ in range(scans):
        f.ScanFactory(lead=item, interests=list(interests), conversation_type=talk)
    if status:
        follow_up = f.FollowUpFactory(
            lead=item, status=status, opportunity_amount=amount, opportunity_currency="USD" if amount else ""
        )
        previous = "todo"
        for step in reached:
            f.FollowUpChangeFactory(follow_up=follow_up, from_status=previous, to_status=step)
            previous = step
    return item


@pytest.fixture
def portfolio():
    sponsor = f.SponsorFactory(name="Alpha Cloud", reporting_currency="EUR")
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager")
    f.CurrencyRateFactory(source="USD", target="EUR", rate=Decimal("0.9000"), valid_on=date(2024, 1, 1))
    paris = f.SponsorshipFactory(
        sponsor=sponsor,
        event__name="KubeCon + CloudNativeCon Europe 2024, Paris, France (the big one)",
        event__city="Paris",
    )
    f.CostLineFactory(sponsorship=paris, category="fee", amount=Decimal("10000.00"), currency="EUR")
    f.CostLineFactory(sponsorship=paris, category="travel", amount=Decimal("2000.00"), currency="USD")
    lead(paris, "A", scans=2, interests=["AI"], reached=["contacted", "meeting_booked", "opportunity", "won"],
         status="won", amount=Decimal("5000.00"))  # fmt: skip
    lead(paris, "B", reached=["contacted"], status="contacted")
    lead(paris, "C", interests=["AI", "FinOps"], reached=["meeting_booked"], status="meeting_booked")
    lead(paris, "D", talk="swag_only")
    no_booth = f.SponsorshipFactory(
        sponsor=sponsor, has_booth=False, no_booth_reason="cost",
        event__name="KubeCon NA 2024", event__city="Salt Lake City", event__start_date=date(2024, 11, 12),
        event__end_date=date(2024, 11, 15),
    )  # fmt: skip
    f.CostLineFactory(sponsorship=no_booth, amount=Decimal("3000.00"), currency="EUR")
    free = f.SponsorshipFactory(
        sponsor=sponsor, event__name="Local meetup", event__city="Lyon", event__start_date=date(2024, 6, 1),
        event__end_date=date(2024, 6, 1),
    )  # fmt: skip
    lead(free, "A")
    return sponsor, manager


def roi_workbook(sponsor, manager) -> openpyxl.Workbook:
    """The sponsor's ROI across events, written as the exports page writes it, opened."""
    params = {"sponsor": sponsor.pk}
    job = export_run(export_start(user=manager.user, kind="event-roi", file_format="xlsx", params=params).pk)
    return openpyxl.load_workbook(io.BytesIO(job.file.open("rb").read()))


def rows(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=False)) for row in ws.iter_rows(min_row=2)]


def test_the_figures_are_the_ones_worked_out_by_hand(portfolio):
    sponsor, manager = portfolio
    wb = roi_workbook(sponsor, manager)
    summary = {row["Label"]: row for row in rows(wb["Summary"])}
    assert list(summary) == ["Paris 2024", "Lyon 2024", "Salt Lake City 2024"]
    paris = summary["Paris 2024"]
    assert paris["Event"] == "KubeCon + CloudNativeCon Europe 2024, Paris, France (the big one)"  # in a cell
    # 10,000 EUR + 2,000 USD at 0.90 = 11,800 EUR; 5 scans of 4 leads, one swag-only.
    assert (paris["Costs (EUR)"], paris["Scans"], paris["Unique leads"], paris["Qualified (A/B)"]) == (
        11800,
        5,
        4,
        2,
    )
    assert paris["Swag-only share"] == pytest.approx(0.2)
    # Meetings count every lead (the C lead's too); the pipeline is 5,000 USD at 0.90.
    assert (paris["Meetings (all leads)"], paris["Opportunities (all leads)"]) == (2, 1)
    assert (paris["Pipeline"], paris["Won"]) == (4500, 4500)
    assert (paris["Cost per lead"], paris["Cost per qualified lead"], paris["Cost per meeting"]) == (
        2950,
        5900,
        5900,
    )
    assert paris["Cost per opportunity"] == 11800
    salt_lake = summary["Salt Lake City 2024"]
    assert (salt_lake["Booth"], salt_lake["Costs (EUR)"], salt_lake["Unique leads"]) == ("no", 3000, 0)
    assert salt_lake["Cost per lead"] is None and salt_lake["Swag-only share"] is None  # no division by zero
    lyon = summary["Lyon 2024"]
    assert (lyon["Costs (EUR)"], lyon["Qualified (A/B)"], lyon["Cost per qualified lead"]) == (0, 1, 0)

    funnel = {row["Stage"]: row for row in rows(wb["Funnel"])}
    assert [funnel[stage]["Paris 2024"] for stage in funnel] == [5, 4, 2, 2, 1, 1, 1]
    assert [funnel[stage]["All events"] for stage in funnel] == [6, 5, 3, 2, 1, 1, 1]
    shares = [row["Of the stage before"] for row in funnel.values()][1:]
    assert all(share is not None and 0 <= share <= 1 for share in shares)  # never more than the step before

    themes = {row["Theme or interest"]: row for row in rows(wb["By theme"])}
    assert (themes["AI"]["Scans"], themes["AI"]["Leads"], themes["FinOps"]["Scans"]) == (3, 2, 1)


def test_every_sheet_prints_to_the_page_width_with_its_header_on_each_page(portfolio):
    sponsor, manager = portfolio
    wb = roi_workbook(sponsor, manager)
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$1:$1", ws.title
    assert wb["Summary"].page_setup.orientation == "landscape"
    assert wb["Costs"].page_setup.orientation == "portrait"
    assert all(len(title) <= 31 for title in wb.sheetnames)
    assert m.ExportLog.objects.get().sponsor == sponsor


def test_two_events_in_one_city_and_year_get_distinct_labels(portfolio):
    sponsor, manager = portfolio
    f.SponsorshipFactory(sponsor=sponsor, event__name="Paris autumn summit", event__city="Paris",
                         event__start_date=date(2024, 10, 2), event__end_date=date(2024, 10, 3))  # fmt: skip
    wb = roi_workbook(sponsor, manager)
    headers = [cell.value for cell in wb["Funnel"][1]]
    assert headers == ["Stage", "Paris Mar 2024", "Lyon 2024", "Paris Oct 2024", "Salt Lake City 2024", "All events",
                       "Of the stage before"]  # fmt: skip
