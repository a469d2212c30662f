"""Did the booth pay off? The figures against a scenario worked out by hand, and the pages that show them.

The booth is ``tests/figures_scenario.py``'s (Lea, Li, Lou and Lin, costs in EUR and USD), described
there; each assertion below says which of them a figure counts.
"""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f
from tracker.analytics.roi import roi_for
from tracker.models.choices import StaffRole

pytestmark = pytest.mark.django_db


def test_every_figure_of_the_booth_as_worked_out_by_hand(booth):
    (roi,) = roi_for([booth])
    assert roi.grades == ("A", "B")
    assert roi.cost == Decimal("1450.00")  # 1,000 EUR + 500 USD x 0.90
    assert roi.costs_by_category == {"Sponsorship fee": Decimal("1000.00"), "Travel": Decimal("450.00")}
    # Scans 5, leads 4, qualified Lea+Li+Lin, contacted Lea+Li, met Lea+Li, opportunity Li, won none.
    assert roi.total.funnel() == [5, 4, 3, 2, 2, 1, 0]
    assert (roi.total.meetings, roi.total.opportunities, roi.total.won) == (3, 2, 1)  # all leads, Lou too
    assert roi.total.pipeline == Decimal("11000.00")  # 10,000 USD x 0.90 + 2,000 EUR
    assert roi.total.won_amount == Decimal("2000.00")
    assert roi.swag_only_scans == 2
    # Without swag: Li talked about swag only; Lea also had a demo.
    assert roi.without_swag.funnel() == [3, 3, 2, 1, 1, 0, 0]
    assert roi.cost_per(roi.total.qualified) == Decimal("483.33")
    assert roi.return_on_cost == Decimal("7.59")  # 11,000 / 1,450
    assert roi.won_on_cost == Decimal("1.38")
    assert roi.qualified_never_contacted == 1  # Lin
    assert sorted(roi.touch_days) == [2.0, 4.0, 5.0]  # Lea, Lou, Li
    assert roi.median_touch_days == 4.0
    assert roi.touch_distribution() == [("within a day", 0), ("1–3 days", 1), ("3–7 days", 2),
                                        ("1–2 weeks", 0), ("later", 0)]  # fmt: skip
    # Credited to who scanned first: Lea and Lou to the devrel, Li and Lin to sales.
    devrel, sales = roi.by_role["Developer relations"], roi.by_role["Sales"]
    assert (devrel.scans, devrel.leads, devrel.qualified, devrel.won) == (2, 2, 1, 1)
    assert (sales.scans, sales.leads, sales.qualified, sales.opportunities) == (3, 2, 2, 1)
    assert sales.pipeline == Decimal("9000.00") and devrel.pipeline == Decimal("2000.00")
    # Themes, trimmed: AI (Lea and Li), Platform engineering (Li).
    assert set(roi.by_theme) == {"AI", "Platform engineering"}
    assert (roi.by_theme["AI"].scans, roi.by_theme["AI"].leads, roi.by_theme["AI"].qualified) == (2, 2, 2)
    assert roi.by_theme["Platform engineering"].pipeline == Decimal("9000.00")


def test_the_grades_counted_as_qualified_are_the_sponsors_or_those_asked_for(booth):
    f.FollowUpPolicyFactory(sponsor=booth.sponsor, qualifying_grades=["A", "B", "C"])
    (policy,) = roi_for([booth])
    (asked,) = roi_for([booth], grades=["A", "nonsense"])
    assert (policy.grades, policy.total.qualified, policy.total.nested) == (("A", "B", "C"), 4, [3, 3, 2, 1])
    assert (asked.grades, asked.total.qualified) == (("A",), 2)


def test_a_sponsorship_without_booth_leads_or_costs_has_figures_of_nothing(booth):
    empty = f.SponsorshipFactory(sponsor=booth.sponsor, has_booth=False, no_booth_reason="cost")
    figures = roi_for([booth, empty])
    assert [roi.sponsorship for roi in figures] == [booth, empty]
    nothing = figures[1]
    assert nothing.total.funnel() == [0] * 7 and nothing.cost == 0
    assert (nothing.cost_per(0), nothing.return_on_cost, nothing.median_touch_days) == (None, None, None)


def test_the_figures_take_the_same_queries_for_four_leads_or_forty(booth, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        roi_for([booth])
    for n in range(36):
        lead = f.LeadFactory(sponsorship=booth)
        f.ScanFactory(lead=lead, interests=[f"theme {n}"])
        f.FollowUpFactory(lead=lead, status="contacted")
    with CaptureQueriesContext(connection) as many:
        (roi,) = roi_for([booth])
    assert roi.total.leads == 40
    assert len(many) == len(few)


def test_another_sponsors_leads_costs_and_themes_never_count(booth):
    other = f.SponsorshipFactory(event=booth.event)
    f.CostLineFactory(sponsorship=other, amount=Decimal("99999.00"))
    f.ScanFactory(lead=f.LeadFactory(sponsorship=other), interests=["Secret theme"])
    (roi,) = roi_for([booth])
    assert roi.cost == Decimal("1450.00") and roi.total.leads == 4 and "Secret theme" not in roi.by_theme


# --- the pages ------------------------------------------------------------------------------------


def test_the_roi_page_shows_the_figures_the_workbook_has(client, booth):
    client.force_login(booth.manager.user)
    page = client.get(reverse("sponsorship-roi", args=[booth.pk])).content.decode()
    for text in ("1,450.00 EUR", "483.33 EUR", "11,000.00 EUR", "7.59×", "Developer relations",
                 "Platform engineering", "4.0 days", "over the 3 leads contacted (any grade)",
                 "Of the 3 qualified leads, <strong>1</strong> (33%) was never contacted", "Qualified (A/B)"):  # fmt: skip
        assert text in page, text
    # The funnel's steps link to the leads they count.
    assert f"{reverse('lead-list', args=[booth.pk])}?grade=A&amp;grade=B&amp;reached=met" in page


def test_a_funnel_link_lists_exactly_the_leads_it_counts(client, booth):
    client.force_login(booth.manager.user)
    listed = client.get(reverse("lead-list", args=[booth.pk]), {"grade": ["A", "B"], "reached": "met"})
    page = listed.content.decode()
    assert "Lea" in page and "Li" in page and "Lin" not in page and "Lou" not in page


def _names_listed(page: str) -> set[str]:
    return {name for name in ("Lea", "Li", "Lou", "Lin") if re.search(rf">\s*{name} Visitor", page)}


def test_each_breakdown_row_links_to_exactly_the_leads_it_counts(client, booth):
    client.force_login(booth.manager.user)
    page = client.get(reverse("sponsorship-roi", args=[booth.pk])).content.decode()
    links = dict(
        (html.unescape(name), html.unescape(href))
        for href, name in re.findall(r'<a href="([^"]*(?:credited_role|theme)=[^"]*)">([^<]+)</a>', page)
    )
    expected = {"Developer relations": {"Lea", "Lou"}, "Sales": {"Li", "Lin"}, "AI": {"Lea", "Li"},
                "Platform engineering": {"Li"}}  # fmt: skip
    assert set(links) == set(expected)
    for name, leads in expected.items():
        assert _names_listed(client.get(links[name]).content.decode()) == leads, name


def test_the_portfolio_compares_events_regions_and_years(client, booth):
    later = f.SponsorshipFactory(sponsor=booth.sponsor, event__start_date=date(2025, 4, 1),
                                 event__end_date=date(2025, 4, 3), event__region="NA", event__city="Salt Lake City")  # fmt: skip
    f.CostLineFactory(sponsorship=later, amount=Decimal("300.00"))
    lead = f.LeadFactory(sponsorship=later)
    f.LeadScoreFactory(lead=lead, grade="A")
    f.SponsorshipFactory(sponsor=booth.sponsor, has_booth=False, no_booth_reason="cost",
                         event__start_date=date(2025, 9, 1), event__end_date=date(2025, 9, 2))  # fmt: skip
    client.force_login(booth.manager.user)
    page = client.get(reverse("sponsor-portfolio", args=[booth.sponsor.pk])).content.decode()
    assert "300.00 EUR, down from 483.33 EUR" in page  # the latest booth against the one before
    assert "North America" in page and "Europe" in page and "2025" in page and "2024" in page
    assert "No: " in page and "(no booth)" in page
    # Charts of cost per qualified lead by event, by region (two) and by year (two), each with its table.
    assert page.count('<figure class="chart"') == 3 and page.count("<table>") == 3
    since = client.get(reverse("sponsor-portfolio", args=[booth.sponsor.pk]), {"since": "2025-01-01"})
    assert "483.33" not in since.content.decode()


def test_booth_staff_and_other_sponsors_never_see_the_figures(client, booth):
    staff = f.StaffMemberFactory(sponsor=booth.sponsor, level="booth")
    stranger = f.StaffMemberFactory(level="manager")
    for member in (staff, stranger):
        client.force_login(member.user)
        assert client.get(reverse("sponsorship-roi", args=[booth.pk])).status_code == 404
        assert client.get(reverse("sponsor-portfolio", args=[booth.sponsor.pk])).status_code == 404


def test_the_sponsor_overview_leads_with_what_the_booths_paid_off(client, booth):
    client.force_login(booth.manager.user)
    page = client.get(reverse("sponsor-overview", args=[booth.sponsor.pk])).content.decode()
    headline = page[page.index("Did the booths pay off?") : page.index("<h2>Sponsorships</h2>")]
    assert "1,450.00 EUR" in headline and "483.33 EUR" in headline and "11,000.00 EUR" in headline
    assert "Qualified (A/B) leads" in headline
    assert reverse("sponsorship-roi", args=[booth.pk]) in page


# --- the sponsor landscape ---------------------------------------------------------------------------


@pytest.fixture
def two_kubecons():
    """Alpha (ours) and Beta (another sponsor's) at an event in 2024 and again in 2025."""
    earlier = f.EventFactory(name="KubeCon 2024", start_date=date(2024, 3, 19), end_date=date(2024, 3, 22))
    later = f.EventFactory(name="KubeCon 2025", start_date=date(2025, 4, 1), end_date=date(2025, 4, 4))
    ai, platform = f.ThemeFactory(name="AI"), f.ThemeFactory(name="Platform engineering")
    alpha, beta = f.SponsorFactory(name="Alpha"), f.SponsorFactory(name="Beta")
    gamma = f.SponsorFactory(name="Gamma")
    manager = f.StaffMemberFactory(sponsor=alpha, level="manager", role=StaffRole.SALES)
    alpha_then = f.SponsorshipFactory(sponsor=alpha, event=earlier, tier="gold")
    f.SponsorshipFactory(sponsor=alpha, event=later, tier="platinum", has_booth=False,
                                     no_booth_reason="cost", no_booth_detail="Alpha spent it on ads")  # fmt: skip
    beta_then = f.SponsorshipFactory(sponsor=beta, event=earlier, tier="silver")
    f.SponsorshipFactory(sponsor=beta, event=later, tier="silver", has_booth=False, no_booth_reason="cost",
                         no_booth_detail="Beta's secret reason")  # fmt: skip
    gamma_now = f.SponsorshipFactory(sponsor=gamma, event=later, tier="gold")
    alpha_then.themes.set([ai, platform])
    beta_then.themes.set([ai])
    gamma_now.themes.set([ai])
    devrel = f.StaffMemberFactory(sponsor=alpha, role=StaffRole.DEVREL)
    devrel.sponsorships.set([alpha_then])
    manager.sponsorships.set([alpha_then])
    beta_staff = f.StaffMemberFactory(sponsor=beta, role=StaffRole.SALES)
    beta_staff.sponsorships.set([beta_then])
    return earlier, later, manager


def test_the_landscape_shows_public_facts_of_all_and_private_ones_of_ours(client, two_kubecons):
    earlier, later, manager = two_kubecons
    client.force_login(manager.user)
    page = client.get(reverse("event-landscape", args=[later.pk]), {"compare": earlier.pk}).content.decode()
    assert "Alpha spent it on ads" in page and "Beta&#x27;s secret reason" not in page
    assert "(not shared)" in page
    # Beta and Alpha had a booth in 2024 and not in 2025; Gamma is new; Alpha upgraded.
    assert (
        "Had a booth at KubeCon 2024 but not at KubeCon 2025: <strong>Alpha</strong>, <strong>Beta</strong>."
        in page
    )
    assert "upgraded, dropped the booth" in page and ">new<" in page
    # Themes as a share of the event's sponsors; staff mix of our booth only (1 devrel, 1 sales).
    earlier_page = client.get(reverse("event-landscape", args=[earlier.pk])).content.decode()
    assert "1 (50%)" in earlier_page and "2 (100%)" in earlier_page  # Platform 1 of 2, AI 2 of 2
    assert "at your 1 booth<" in earlier_page and "50%" in earlier_page


def test_the_landscape_workbook_and_page_agree_for_an_operator(client, two_kubecons):
    from tracker.analytics.landscape import landscapes

    earlier, later, _ = two_kubecons
    (everyone,) = landscapes([later], None)
    assert [row.reason for row in everyone.rows] == [
        "Cost: Alpha spent it on ads",
        "",
        "Cost: Beta's secret reason",
    ]
    assert everyone.by_tier() == [("Platinum", 1), ("Gold", 1), ("Silver", 1)]
    (earlier_all,) = landscapes([earlier], None)
    assert sum(earlier_all.staff_roles.values()) == 3 and earlier_all.staff_booths == 2


def test_an_event_the_user_cannot_see_is_a_404_even_to_compare(client, two_kubecons):
    earlier, later, manager = two_kubecons
    hidden = f.EventFactory(name="Not ours")
    f.SponsorshipFactory(event=hidden)
    client.force_login(manager.user)
    assert client.get(reverse("event-landscape", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("event-landscape", args=[later.pk]), {"compare": hidden.pk}).status_code == 404
    assert client.get(reverse("event-landscape", args=[later.pk]), {"compare": "x"}).status_code == 404
