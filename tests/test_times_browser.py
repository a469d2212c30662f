"""Times agree from page to page, in the event's zone, whatever zone the phone is set to (real Chromium)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.scanner import Scanner
from tests.services import wait_until
from tests.test_scan_browser import all_matched, log_in
from tracker import times
from tracker.models import Scan

pytestmark = pytest.mark.django_db(transaction=True)


def salt_lake_booth(start: date, end: date):
    sponsorship = f.SponsorshipFactory(
        sponsor__name="Alpha Cloud",
        event__name="KubeCon NA",
        event__city="Salt Lake City",
        event__time_zone="America/Denver",
        event__start_date=start,
        event__end_date=end,
    )
    sam = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor,
        user__username="sam",
        user__password="booth-pass-123",
        time_zone="Europe/Paris",
    )
    sam.sponsorships.add(sponsorship)
    f.AttendeeFactory(event=sponsorship.event, badge_id="KC-NA-0001", first_name="Noor", last_name="Haddad")
    return sponsorship, sam


@pytest.fixture
def tokyo_phone(browser, live_server):
    """A phone whose clock is set to Tokyo, scanning at a booth in Salt Lake City."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    page.url_for = lambda path: f"{live_server.url}{path}"
    yield page
    context.close()


def test_a_scan_reads_the_same_time_on_the_phone_the_booth_page_the_lead_page_and_the_board(
    tokyo_phone, scan_processing
):
    today = times.today_in(times.zone("America/Denver"))
    booth, sam = salt_lake_booth(today - timedelta(days=1), today + timedelta(days=1))
    page = tokyo_phone
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    assert page.locator("#dates-banner").is_hidden()  # the event is on
    Scanner(page).scan("KC-NA-0001")
    page.wait_for_selector("#qualify:not([hidden])")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    wait_until(all_matched)

    scan = Scan.objects.get()
    denver = scan.received_at.astimezone(times.zone("America/Denver"))
    expected = f"{denver:%H:%M}"
    assert expected in page.inner_text("#list")  # the phone shows Salt Lake City time, not Tokyo's

    page.goto(page.url_for(reverse("sponsorship-detail", args=[booth.pk])))
    assert times.when(scan.received_at, times.zone("America/Denver")) in page.inner_text("main")
    assert "Salt Lake City time (M" in page.inner_text("main")  # Sam works in Paris: the zone is named
    page.goto(page.url_for(reverse("lead-detail", args=[scan.lead_id])))
    assert times.when(scan.received_at, times.zone("America/Denver")) in page.inner_text("main")
    page.goto(page.url_for(reverse("booth-board", args=[booth.pk])))
    label = page.inner_text("#updated-at")
    assert label.endswith(("MST", "MDT")) and "Today by hour (M" in page.inner_text("main")
    hours = page.inner_text("#per-hour")
    assert f"{denver:%H}:00" in hours


@pytest.mark.parametrize("days", [-30, 30], ids=["ended", "not-started"])
def test_scanning_outside_the_events_dates_warns_and_asks_once(phone_page, scan_processing, days):
    today = times.today_in(times.zone("America/Denver"))
    booth, _ = salt_lake_booth(today + timedelta(days=days), today + timedelta(days=days + 3))
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    banner = page.locator("#dates-banner")
    assert banner.is_visible()
    assert ("ended on" if days < 0 else "starts on") in banner.inner_text()
    Scanner(page).scan("KC-NA-0001")  # taken and kept all the same
    page.wait_for_selector("#qualify:not([hidden])")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    page.click("#dates-confirm")
    assert banner.is_hidden()
    page.reload()
    page.wait_for_function("window.boothScanner !== undefined")
    assert page.locator("#dates-banner").is_hidden()  # asked once
    assert Scan.objects.count() == 1 and timezone.now()
