"""The booth board, the lookup shown right after a scan, and resolving unknown badges."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracker.models import Lead, Scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    sam = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Sam", user__last_name="Booth")
    mia = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, user__first_name="Mia", user__last_name="Lead", level="manager"
    )
    sam.sponsorships.add(sponsorship)
    return sponsorship, sam, mia


def test_board_counts_today_per_staff_per_hour_unknowns_and_grades(client, booth):
    sponsorship, sam, mia = booth
    now = timezone.now()
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory(lead=lead, scanned_by=sam, received_at=now)
    f.ScanFactory(lead=lead, scanned_by=sam, received_at=now - timedelta(days=2))
    f.ScanFactory(lead=None, sponsorship=sponsorship, scanned_by=mia, received_at=now, raw_payload="??")
    f.LeadScoreFactory(lead=lead, grade="A", score=80)
    client.force_login(sam.user)

    stats = client.get(reverse("booth-board-data", args=[sponsorship.pk])).json()

    assert (stats["scans_total"], stats["scans_today"], stats["unknown_total"], stats["leads_total"]) == (
        3,
        2,
        1,
        1,
    )
    assert {row["name"]: (row["today"], row["total"]) for row in stats["per_staff"]} == {
        "Sam Booth": (1, 2),
        "Mia Lead": (1, 1),
    }
    assert sum(row["scans"] for row in stats["per_hour"]) == 2
    assert stats["grades"] == {"A": 1, "B": 0, "C": 0, "D": 0}
    page = client.get(reverse("booth-board", args=[sponsorship.pk])).content.decode()
    assert "Sam Booth" in page and "unknown badges to resolve" in page


def test_two_staff_of_one_name_are_told_apart_on_the_board_and_the_roster(client, booth):
    sponsorship, sam, mia = booth
    other_sam = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Sam", user__last_name="Booth",
                                     user__email="sam.b@alpha.example", role="devrel")  # fmt: skip
    other_sam.sponsorships.add(sponsorship)
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory(lead=lead, scanned_by=sam)
    f.ScanFactory(lead=lead, scanned_by=other_sam)
    f.ScanFactory(lead=lead, scanned_by=mia)
    client.force_login(mia.user)
    names = {
        row["name"]
        for row in client.get(reverse("booth-board-data", args=[sponsorship.pk])).json()["per_staff"]
    }
    assert "Mia Lead" in names and "Sam Booth · Developer relations · sam.b@alpha.example" in names
    assert len([name for name in names if name.startswith("Sam Booth")]) == 2
    roster = client.get(reverse("sponsorship-detail", args=[sponsorship.pk])).content.decode()
    assert "sam.b@alpha.example" in roster


def test_lookup_says_who_and_who_talked_to_them_without_storing(client, booth):
    sponsorship, sam, _ = booth
    attendee = f.AttendeeFactory(
        event=sponsorship.event, badge_id="KCEU24-000042", first_name="Zoë", last_name="Roy"
    )
    lead = f.LeadFactory(sponsorship=sponsorship, attendee=attendee)
    f.ScanFactory(
        lead=lead, scanned_by=sam, rating="warm", notes="Asked about SSO", device_scanned_at=timezone.now()
    )
    f.ScanFactory(
        lead=lead, rating="hot", notes="From the organiser's app", source="Cvent: leads.csv"
    )  # no time
    client.force_login(sam.user)
    before = (Scan.objects.count(), Lead.objects.count())

    found = client.post(
        reverse("api:lookup"),
        json.dumps({"sponsorship": sponsorship.pk, "raw_payload": "KCEU24-000042"}),
        content_type="application/json",
    ).json()
    unknown = client.post(
        reverse("api:lookup"),
        json.dumps({"sponsorship": sponsorship.pk, "raw_payload": "NOPE-000001"}),
        content_type="application/json",
    ).json()

    assert found["known"] and found["person"]["name"] == "Zoë Roy"
    assert sorted((e["by"] or e["source"], e["at"] is None, e["notes"]) for e in found["earlier"]) == [
        ("Cvent: leads.csv", True, "From the organiser's app"),  # a file's row: no time made up
        ("Sam Booth", False, "Asked about SSO"),
    ]
    assert unknown["known"] is False and unknown["earlier"] == []
    assert (Scan.objects.count(), Lead.objects.count()) == before


def test_lookup_is_scoped_to_the_callers_booths(client, booth):
    client.force_login(booth[1].user)
    foreign = f.SponsorshipFactory()
    response = client.post(
        reverse("api:lookup"),
        json.dumps({"sponsorship": foreign.pk, "raw_payload": "X-1"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_manager_resolves_an_unknown_badge_to_an_attendee(client, booth):
    sponsorship, sam, mia = booth
    attendee = f.AttendeeFactory(event=sponsorship.event, badge_id="KCEU24-000777", first_name="Kenji")
    scan = f.ScanFactory(
        lead=None, sponsorship=sponsorship, raw_payload="]C0KCEU24-00O777", rating="hot", consent=True
    )
    client.force_login(mia.user)
    url = reverse("unknown-badges", args=[sponsorship.pk])
    assert "]C0KCEU24-00O777" in client.get(url).content.decode()

    wrong = client.post(url, {"scan": scan.pk, "badge_id": "KCEU24-999999"})
    assert "No attendee of" in wrong.content.decode()
    bogus = client.post(url, {"scan": scan.pk, "badge_id": "KCEU24-000777", "action": "bogus"})
    assert bogus.status_code == 400 and Scan.objects.get(pk=scan.pk).lead is None  # said, not resolved
    response = client.post(url, {"scan": scan.pk, "badge_id": "KCEU24-000777"}, follow=True)

    assert "Badge resolved" in response.content.decode()
    scan.refresh_from_db()
    assert scan.lead.attendee == attendee
    assert (scan.lead.scan_count, scan.lead.consent) == (1, True)
    assert "No unknown badges" in client.get(url).content.decode()


def test_a_manager_can_type_in_the_person_behind_an_unknown_badge(client, booth):
    sponsorship, _, mia = booth
    scan = f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="garbled")
    client.force_login(mia.user)
    client.post(
        reverse("unknown-badges", args=[sponsorship.pk]),
        {"scan": scan.pk, "first_name": "Ana", "last_name": "Silva", "company": "Porto Labs"},
    )
    scan.refresh_from_db()
    assert scan.lead.attendee.company == "Porto Labs"


def test_booth_staff_cannot_resolve_badges(client, booth):
    sponsorship, sam, _ = booth
    scan = f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="garbled")
    client.force_login(sam.user)
    response = client.post(
        reverse("unknown-badges", args=[sponsorship.pk]), {"scan": scan.pk, "first_name": "X"}
    )
    assert response.status_code == 404
    scan.refresh_from_db()
    assert scan.lead is None


def test_scan_screen_carries_the_sponsors_chips_and_required_fields(client, booth):
    sponsorship, sam, _ = booth
    sponsorship.sponsor.interest_options = ["eBPF agent", "Cost explorer"]
    sponsorship.sponsor.required_scan_fields = ["rating"]
    sponsorship.sponsor.save()
    client.force_login(sam.user)
    page = client.get(reverse("scan-screen", args=[sponsorship.pk]))
    config = page.context["config"]
    assert config["interests"][:3] == ["eBPF agent", "Cost explorer", "AI"]
    assert "Cost reduction / FinOps" in config["interests"]
    assert config["required"] == ["rating"]


def test_service_worker_is_served_from_the_root_with_the_offline_assets(client):
    response = client.get(reverse("service-worker"))
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "/static/tracker/scan.js" in body and "/static/tracker/scanner-keys.js" in body
    assert '"booth-tracker-v5"' in body


def test_a_sponsorship_without_a_booth_has_no_scan_screen(client, booth):
    _, sam, mia = booth
    no_booth = f.SponsorshipFactory(sponsor=sam.sponsor, has_booth=False, no_booth_reason="cost")
    client.force_login(mia.user)
    assert client.get(reverse("scan-screen", args=[no_booth.pk])).status_code == 404


def test_the_camera_decoder_is_served_by_the_app_when_installed(client, booth, settings):
    from tracker.views.booth import decoder_available

    client.force_login(booth[1].user)
    config = client.get(reverse("scan-screen", args=[booth[0].pk])).context["config"]
    if not decoder_available():
        assert config["decoder"] is None  # without npm: BarcodeDetector, handheld scanners and typing remain
        return
    assert config["decoder"] == "/static/vendor/zxing/index.min.js"
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/zxing/index.min.js")


def test_the_lead_page_shows_times_in_the_events_time_zone_and_reasons_that_add_up(client, booth):
    from datetime import UTC, datetime

    sponsorship, sam, _ = booth
    sponsorship.event.time_zone = "America/Denver"
    sponsorship.event.save()
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory(lead=lead, scanned_by=sam, received_at=datetime(2024, 11, 15, 22, 54, tzinfo=UTC))
    reasons = [{"points": 30, "reason": "VP-level title"}, {"points": 0, "reason": "? Company size: unknown"}]
    f.LeadScoreFactory(lead=lead, score=30, grade="C", reasons=reasons)
    client.force_login(sam.user)

    page = client.get(reverse("lead-detail", args=[lead.pk])).content.decode()

    assert "Fri 15 Nov 2024, 15:54" in page  # 22:54 UTC is 15:54 in Salt Lake City; not this year
    assert "+30 VP-level title" in page
    assert "? Company size: unknown" in page and "+0" not in page


def test_a_cut_off_vcard_is_kept_for_review_flagged_and_makes_no_lead(
    client, booth, django_capture_on_commit_callbacks
):
    sponsorship, sam, mia = booth
    cut = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kowalski;Piotr\r\nFN:Piotr Kowalski\r\nEMAIL:piotr@firma.exa"
    client.force_login(sam.user)
    body = {
        "client_uuid": "1b2c3d4e-0000-4000-8000-000000000001",
        "sponsorship": sponsorship.pk,
        "raw_payload": cut,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post("/api/v1/scans/", json.dumps(body), content_type="application/json").status_code
            == 201
        )
    scan = Scan.objects.get()
    assert (scan.lead, scan.payload_format, scan.raw_payload) == (None, "truncated", cut)
    assert not Lead.objects.exists()
    client.force_login(mia.user)
    page = client.get(reverse("unknown-badges", args=[sponsorship.pk])).content.decode()
    assert "was cut off before its end" in page and "piotr@firma.exa" in page


def test_the_resolve_form_is_filled_in_from_what_the_badge_says(client, booth):
    sponsorship, _, mia = booth
    f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="KCEU24-404404", payload_format="unknown")
    cut = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kowalski;Piotr\r\nORG:Firma\r\nEMAIL:piotr@firma.exa"
    f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload=cut, payload_format="truncated")
    client.force_login(mia.user)
    page = client.get(reverse("unknown-badges", args=[sponsorship.pk])).content.decode()
    assert 'name="badge_id" value="KCEU24-404404"' in page
    assert 'name="last_name" value="Kowalski"' in page and 'name="company" value="Firma"' in page
    assert "was cut off before its end" in page  # filled in, and flagged to check


def test_junk_is_discarded_out_of_the_counts_kept_for_the_record_and_can_be_put_back(client, booth):
    sponsorship, _, mia = booth
    junk = f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="COFFEE-CUP-0042")
    f.ScanFactory(lead=f.LeadFactory(sponsorship=sponsorship))
    client.force_login(mia.user)
    board = client.get(reverse("booth-board-data", args=[sponsorship.pk])).json()
    assert (board["scans_total"], board["unknown_total"]) == (2, 1)
    url = reverse("unknown-badges", args=[sponsorship.pk])
    page = client.post(url, {"scan": junk.pk, "action": "discard"}, follow=True).content.decode()
    assert "No unknown badges" in page and "Discarded as junk (1)" in page and "COFFEE-CUP-0042" in page
    junk.refresh_from_db()
    assert junk.discarded_at is not None and junk.discarded_by == mia.user
    board = client.get(reverse("booth-board-data", args=[sponsorship.pk])).json()
    assert (board["scans_total"], board["unknown_total"]) == (1, 0)
    client.post(url, {"scan": junk.pk, "action": "restore"})
    assert Scan.objects.unknown().filter(pk=junk.pk).exists()
