"""An owner works through their follow-ups in real Chromium; a manager reassigns from the table."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories as f
from tracker import models as m

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "follow-up-pass-1"


@pytest.fixture
def laptop(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.url_for = lambda path: f"{live_server.url}{path}"
    yield page
    context.close()


@pytest.fixture
def team():
    booth = f.SponsorshipFactory(sponsor__name="Alpha Cloud", sponsor__reporting_currency="EUR")
    people = {
        name: f.StaffMemberFactory(
            sponsor=booth.sponsor,
            role=role,
            level=level,
            user__username=name,
            user__first_name=name.title(),
            user__password=PASSWORD,
        )
        for name, role, level in (
            ("sam", "sales", "booth"),
            ("devi", "devrel", "booth"),
            ("mia", "marketing", "manager"),
        )
    }
    today = timezone.localdate()
    leads = {}
    for last, due, grade, note in (
        ("Hopper", today - timedelta(days=3), "A", "Runs 400 clusters, wants a cost review"),
        ("Turing", today + timedelta(days=1), "B", "Asked for pricing"),
        ("Lovelace", today + timedelta(days=4), "B", ""),
    ):
        lead = f.LeadFactory(
            sponsorship=booth, consent=True, attendee__last_name=last, attendee__company=f"{last} Corp"
        )
        f.ScanFactory(lead=lead, notes=note, scanned_by=people["sam"], rating="hot", conversation_type="demo")
        f.LeadScoreFactory(
            lead=lead,
            grade=grade,
            score=85,
            reasons=[
                {"points": 40, "reason": "VP-level title"},
                {"points": 45, "reason": "Hot at the booth"},
            ],
        )
        leads[last] = f.FollowUpFactory(lead=lead, owner=people["sam"], due_on=due)
    return booth, people, leads


def log_in(page, username):
    page.goto(page.url_for("/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def card(page, last_name):
    return page.locator("article.follow-up", has_text=f"{last_name} Corp")


def test_an_owner_works_through_their_list(laptop, team):
    booth, people, leads = team
    page = laptop
    log_in(page, "sam")
    page.get_by_role("link", name="My follow-ups").click()

    cards = page.locator("article.follow-up")
    assert cards.count() == 3
    first = cards.nth(0)
    assert "Hopper" in first.inner_text() and "Overdue" in first.inner_text()
    assert page.locator("[data-count=overdue]").inner_text() == "1"
    first.locator("summary", has_text="Why A").click()
    assert first.get_by_text("+40 VP-level title").is_visible()
    assert "Runs 400 clusters" in first.inner_text()

    # Called Hopper: one click, the list comes back with nothing overdue.
    first.get_by_placeholder("optional").fill("Called, meeting next week")
    first.get_by_role("button", name="Meeting booked").click()
    page.wait_for_load_state()
    assert "Meeting booked" in page.locator(".messages").inner_text()
    assert page.locator("[data-count=overdue]").inner_text() == "0"

    # Turing turned into an opportunity worth 25,000 EUR.
    turing = card(page, "Turing")
    turing.locator("summary", has_text="Opportunity amount").click()
    turing.locator("input[name=opportunity_amount]").fill("25000")
    turing.get_by_role("button", name="Opportunity", exact=True).click()
    page.wait_for_load_state()
    assert "Opportunity" in card(page, "Turing").locator("[data-status]").inner_text()
    assert "25,000.00 EUR" in card(page, "Turing").inner_text()

    # Lovelace did not answer; done with the list for today.
    card(page, "Lovelace").get_by_role("button", name="No response").click()
    page.wait_for_load_state()
    assert page.locator("article.follow-up").count() == 2  # no response is closed, off the open list

    hopper, turing_fu, lovelace = (
        m.FollowUp.objects.get(pk=leads[n].pk) for n in ("Hopper", "Turing", "Lovelace")
    )
    assert (hopper.status, turing_fu.status, lovelace.status) == (
        "meeting_booked",
        "opportunity",
        "no_response",
    )
    assert (turing_fu.opportunity_amount, turing_fu.opportunity_currency) == (Decimal("25000.00"), "EUR")
    assert hopper.history.get().note == "Called, meeting next week"
    assert set(m.FollowUpChange.objects.values_list("changed_by__username", flat=True)) == {"sam"}


def test_a_manager_reassigns_two_follow_ups_from_the_table(laptop, team):
    booth, people, leads = team
    page = laptop
    log_in(page, "mia")
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    for last in ("Hopper", "Turing"):
        page.locator("tr", has_text=f"{last} Corp").locator("input[type=checkbox][name=pk]").check()
    bulk = page.locator("form.bulk")
    bulk.locator("select[name=action]").select_option("assign")
    bulk.locator("select[name=owner]").select_option(label="Devi Tester")
    bulk.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "2 assigned" in page.locator(".messages").inner_text()
    assert page.locator("tr", has_text="Hopper Corp").get_by_text("Devi Tester").is_visible()
    owners = dict(m.FollowUp.objects.values_list("lead__attendee__last_name", "owner__user__username"))
    assert owners == {"Hopper": "devi", "Turing": "devi", "Lovelace": "sam"}
