"""Booth staff scan on a phone in real Chromium, lose the network, and lose nothing."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.scanner import Scanner
from tests.services import wait_until
from tracker.models import Lead, Scan

pytestmark = pytest.mark.django_db(transaction=True)


def all_matched() -> bool:
    """Every stored scan has been matched (by the worker, or in-process without a broker)."""
    return Scan.objects.exists() and not Scan.objects.pending().exists()


@pytest.fixture
def booth(scan_processing):
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud", booth_number="S7")
    staff = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor,
        user__username="sam",
        user__first_name="Sam",
        user__password="booth-pass-123",
    )
    staff.sponsorships.add(sponsorship)
    for n in range(1, 7):
        f.AttendeeFactory(event=sponsorship.event, badge_id=f"KCEU24-00000{n}", first_name=f"Visitor{n}")
    return sponsorship


def log_in(page):
    page.goto(page.url_for("/"))
    page.fill("#id_username", "sam")
    page.fill("#id_password", "booth-pass-123")
    page.click("button[type=submit]")


def handheld_scan(page, code):
    """A handheld scanner: fast keystrokes, then Enter; returns once the screen took the scan."""
    before = int(page.evaluate("document.body.dataset.captures || '0'"))
    Scanner(page).scan(code)
    page.wait_for_function(f"Number(document.body.dataset.captures || 0) === {before + 1}")
    page.wait_for_selector("#qualify:not([hidden])")


def test_scan_qualify_go_offline_scan_five_and_find_each_once_on_the_server(phone_page, booth):
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")

    handheld_scan(page, "KCEU24-000001")
    page.click("[data-field=rating] >> text=Hot")
    page.click("[data-field=interests] >> text=Observability")
    page.click("[data-field=conversation_type] >> text=Demo")
    page.click("[data-field=consent] >> text=Yes")
    page.fill("#note", "Runs 40 clusters, wants a demo")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    assert "Visitor1" in page.inner_text("#list")  # from the lookup right after the scan

    page.context.set_offline(True)
    for n in range(2, 7):
        handheld_scan(page, f"KCEU24-00000{n}")
        page.click("[data-field=rating] >> text=Warm")
    page.click("#save")
    page.wait_for_function("document.querySelectorAll('#list li[data-state=queued]').length === 5")
    assert page.inner_text("#unsent-count") == "5"
    assert Scan.objects.count() == 1

    page.context.set_offline(False)
    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)

    assert Scan.objects.count() == 6
    assert Scan.objects.values("client_uuid").distinct().count() == 6
    wait_until(all_matched)
    assert Lead.objects.filter(sponsorship=booth).count() == 6
    first = Scan.objects.get(lead__attendee__badge_id="KCEU24-000001")
    assert (first.rating, first.conversation_type, first.consent) == ("hot", "demo", True)
    assert first.interests == ["Observability"]
    assert first.notes == "Runs 40 clusters, wants a demo"
    assert set(Scan.objects.exclude(pk=first.pk).values_list("rating", flat=True)) == {"warm"}
    assert all(
        scan.device_scanned_at and scan.scanned_by.user.username == "sam" for scan in Scan.objects.all()
    )


def test_the_same_person_again_shows_who_already_talked_to_them(phone_page, booth):
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    handheld_scan(page, "KCEU24-000003")
    page.click("[data-field=rating] >> text=Cold")
    page.fill("#note", "Only wanted socks")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    wait_until(all_matched)

    handheld_scan(page, "KCEU24-000003")

    page.wait_for_selector("#qualify-earlier li")
    earlier = page.inner_text("#qualify-earlier")
    assert "Already talked to by Sam" in earlier
    assert "Only wanted socks" in earlier
    assert "Visitor3" in page.inner_text("#qualify-who")


def test_the_scan_screen_opens_offline_and_scans_wait_for_a_new_login(phone_page, booth, live_server):
    page = phone_page
    log_in(page)
    scan_url = reverse("scan-screen", args=[booth.pk])
    page.wait_for_url(f"**{scan_url}")
    page.wait_for_selector("body[data-offline-ready=true]")

    page.context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Alpha Cloud"
    handheld_scan(page, "KCEU24-000004")
    page.click("#save")
    page.wait_for_function("document.querySelector('#unsent-count').textContent === '1'")

    # The session ends while offline: back online, the queue must not believe the scan was delivered.
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.evaluate("window.boothScanner.sendSoon()")
    page.wait_for_selector("#login-banner:not([hidden])")
    assert page.inner_text("#unsent-count") == "1"
    assert Scan.objects.count() == 0

    page.click("#login-banner a")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "booth-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{scan_url}")
    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)
    assert Scan.objects.count() == 1
    wait_until(all_matched)
    assert Lead.objects.get().attendee.badge_id == "KCEU24-000004"


def test_the_live_board_refreshes_without_a_page_reload(phone_page, booth):
    page = phone_page
    log_in(page)
    page.goto(page.url_for(reverse("booth-board", args=[booth.pk])))
    assert page.inner_text("[data-field=scans_today]") == "0"
    page.evaluate("window.boardLoads = (window.boardLoads || 0) + 1")

    lead = f.LeadFactory(sponsorship=booth)
    f.ScanFactory(lead=lead, scanned_by=booth.roster.get())
    page.evaluate("window.boothBoard.refresh()")

    page.wait_for_function("document.querySelector('[data-field=scans_today]').textContent === '1'")
    assert "Sam" in page.inner_text("#per-staff")
    assert page.evaluate("window.boardLoads") == 1  # same page, no reload


def test_an_unknown_badge_is_said_to_be_unknown_and_kept(phone_page, booth):
    """A code nobody on the list has: the card says so (not just the code) and shows no grade, and the
    list marks the scan until it is matched later."""
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    handheld_scan(page, "QQQ-77-UNKNOWN")
    page.wait_for_selector("#qualify-unknown:not([hidden])")
    assert "Unknown badge" in page.inner_text("#qualify-unknown")
    assert page.is_hidden("#qualify-grade")
    page.click("[data-field=rating] >> text=Warm")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    assert "unknown badge" in page.inner_text("#list li[data-state=sent]")
    wait_until(all_matched)
    assert Scan.objects.get().lead is None  # kept, waiting for the list

    handheld_scan(page, "KCEU24-000002")  # a known one next: no notice left over
    page.wait_for_function("document.querySelector('#qualify-who').textContent.includes('Visitor2')")
    assert page.is_hidden("#qualify-unknown")


def test_who_talked_to_them_on_another_day_says_which_day(phone_page, booth):
    from datetime import timedelta

    from django.utils import timezone

    attendee = booth.event.attendees.get(badge_id="KCEU24-000004")
    lead = f.LeadFactory(sponsorship=booth, attendee=attendee)
    sam = booth.sponsor.staff.get(user__username="sam")
    two_days_ago = timezone.now() - timedelta(days=2)
    f.ScanFactory(lead=lead, scanned_by=sam, notes="Asked about SSO", device_scanned_at=two_days_ago)
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    handheld_scan(page, "KCEU24-000004")
    page.wait_for_selector("#qualify-earlier li")
    earlier = page.inner_text("#qualify-earlier")
    day = timezone.localtime(two_days_ago, booth.event.tz).strftime("%a %-d %b")
    assert "Already talked to by Sam" in earlier and f" at {day}, " in earlier, earlier
