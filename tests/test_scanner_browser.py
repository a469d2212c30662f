"""A handheld scanner in keyboard mode never loses a badge, whatever has the focus (real Chromium).

The scanner is played through Chromium's own input (trusted key events, the same as a USB or Bluetooth
keyboard's) with the scanner's timing written on each event: a few milliseconds between keys, a pause
between the lines of a vCard. The screen judges bursts by those time stamps, so the test does not
depend on how fast this machine happens to be.
"""

import factory
import pytest
from django.urls import reverse

from tests import factories as f
from tests.scanner import Scanner
from tests.services import wait_until
from tests.test_scan_browser import all_matched, log_in
from tracker.models import Attendee, Lead, Scan

pytestmark = pytest.mark.django_db(transaction=True)

VCARD = "\n".join(
    (
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:Holt;Maren;;Dr.;PhD",
        "FN:Dr. Maren Holt\\, PhD",
        "ORG:Holt Systems",
        "TITLE:CTO",
        "EMAIL;TYPE=work:maren@holt.example",
        "END:VCARD",
    )
)
BADGES = [f"KCEU24-00000{n}" for n in range(1, 6)]
MECARD = "MECARD:N:Okafor,Chidi;EMAIL:chidi@okafor.example;ORG:Okafor Labs;;"


@pytest.fixture
def booth(scan_processing):
    """Sam's booth and five attendees; the scan screen is the page Sam lands on."""
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    sam = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, user__username="sam", user__password="booth-pass-123"
    )
    sam.sponsorships.add(sponsorship)
    f.AttendeeFactory.create_batch(5, event=sponsorship.event, badge_id=factory.Iterator(BADGES))
    return sponsorship


@pytest.fixture
def scan_page(phone_page, booth):
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth.pk])}")
    page.wait_for_function("window.boothScanner !== undefined")
    return page


def captures(page) -> int:
    return int(page.evaluate("document.body.dataset.captures || '0'"))


def wait_for_capture(page, count: int) -> None:
    page.wait_for_function(f"Number(document.body.dataset.captures || 0) === {count}")
    page.wait_for_selector("#qualify:not([hidden])")


def test_bursts_are_caught_whatever_has_the_focus_and_each_person_is_stored_once(scan_page, booth):
    page, scanner = scan_page, Scanner(scan_page)

    scanner.scan("KCEU24-000001")  # focus in the scan box, where the page puts it
    wait_for_capture(page, 1)
    page.click("[data-field=rating] >> text=Hot")  # the chip keeps the focus
    assert page.evaluate("document.activeElement.dataset.value") == "hot"

    scanner.scan("KCEU24-000002")  # its Enter must not toggle the focused chip
    wait_for_capture(page, 2)
    page.click("#note")
    scanner.type("Runs k8s")  # a person types the note...
    scanner.scan("KCEU24-000003")  # ...and the next badge arrives while the note has the focus
    wait_for_capture(page, 3)
    page.evaluate("document.activeElement.blur()")
    scanner.scan("KCEU24-000004")  # focus on nothing
    wait_for_capture(page, 4)
    page.click("#save")

    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)
    wait_until(all_matched)
    badges = sorted(Scan.objects.values_list("raw_payload", flat=True))
    assert badges == [f"KCEU24-00000{n}" for n in range(1, 5)]
    first = Scan.objects.get(raw_payload="KCEU24-000001")
    assert first.rating == "hot"  # the scanner's Enter did not toggle it off
    assert Scan.objects.get(raw_payload="KCEU24-000002").notes == "Runs k8s"  # nothing of the badge in it
    assert Lead.objects.filter(sponsorship=booth).count() == 4
    assert all(lead.scan_count == 1 for lead in Lead.objects.all())


def test_a_vcard_read_line_by_line_is_one_scan_with_its_line_breaks(scan_page, booth):
    page, scanner = scan_page, Scanner(scan_page)
    scanner.scan("KCEU24-000005")
    wait_for_capture(page, 1)
    page.click("#note")  # the note has the focus when the card is read

    scanner.scan(VCARD, line_pause_ms=80)
    wait_for_capture(page, 2)
    assert page.input_value("#note") == ""
    assert "Dr. Maren Holt, PhD" in page.inner_text("#qualify-who")
    scanner.scan(MECARD)
    wait_for_capture(page, 3)
    page.click("#save")

    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)
    wait_until(all_matched)
    assert Scan.objects.count() == 3
    card = Scan.objects.get(raw_payload__startswith="BEGIN:VCARD")
    assert card.raw_payload == VCARD and card.payload_format == "vcard"
    maren = Attendee.objects.get(email="maren@holt.example")
    assert (maren.full_name, maren.company, maren.title) == ("Dr. Maren Holt, PhD", "Holt Systems", "CTO")
    assert Attendee.objects.get(email="chidi@okafor.example").full_name == "Chidi Okafor"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing widens the phone page


def test_what_a_person_types_stays_where_they_type_it(scan_page, booth):
    page, scanner = scan_page, Scanner(scan_page)
    page.click("#scan-input")
    scanner.type("KCEU24-000003\n", key_ms=120)  # typed in the box, sent with Enter
    wait_for_capture(page, 1)
    page.click("#note")
    scanner.scan("ok", enter=False, key_ms=25)  # a fast typist: two quick keys, no Enter
    page.wait_for_function("document.querySelector('#note').value === 'ok'")
    assert captures(page) == 1
    page.click("#save")
    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)
    wait_until(all_matched)
    scan = Scan.objects.get()
    assert (scan.raw_payload, scan.notes) == ("KCEU24-000003", "ok")


def test_a_sent_scan_is_corrected_then_taken_back_from_the_phone_and_the_server_keeps_what_it_was(
    scan_page, booth
):
    page, scanner = scan_page, Scanner(scan_page)
    page.on("dialog", lambda dialog: dialog.accept())
    scanner.scan("KCEU24-000001")
    wait_for_capture(page, 1)
    page.click("[data-field=rating] >> text=Warm")
    page.fill("#note", "Runs 40 clusters")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")
    wait_until(all_matched)

    page.click("#list li[data-state=sent] [data-edit]")  # reopened with what it says
    assert page.get_attribute("[data-field=rating] button[data-value=warm]", "aria-pressed") == "true"
    assert page.input_value("#note") == "Runs 40 clusters"
    page.click("[data-field=rating] >> text=Hot")
    page.fill("#note", "Runs 40 clusters, wants a PoC")
    page.click("#save")
    page.wait_for_function("document.querySelector('#list li').dataset.state === 'sent'")
    wait_until(lambda: Scan.objects.get().rating == "hot")
    scan = Scan.objects.get()
    assert scan.notes == "Runs 40 clusters, wants a PoC"
    assert scan.revisions[0]["was"] == {"rating": "warm", "notes": "Runs 40 clusters"}

    page.click("#list li [data-undo]")
    page.wait_for_selector("#list li[data-state=undone]")
    scan.refresh_from_db()
    assert scan.discarded_at is not None and scan.lead is None and scan.raw_payload == "KCEU24-000001"
    assert not Lead.objects.exists() and page.inner_text("#unsent-count") == "0"
