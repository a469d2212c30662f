"""Device tokens as a sponsor's manager handles them in the app: issued for one booth (the key shown
once, only its hash kept), listed with their last use, revoked at once; a token scans and does nothing
else, and another sponsor's tokens, booths and staff are out of reach."""

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tracker import models as m
from tracker.models.choices import PermissionLevel
from tracker.models.staff import hash_device_key

pytestmark = pytest.mark.django_db
SCANS = "/api/v1/scans/"


@pytest.fixture
def sponsor_world():
    """A sponsor with two booths, its manager, a booth staff member rostered on the first booth only."""
    booth = f.SponsorshipFactory(has_booth=True)
    other_booth = f.SponsorshipFactory(sponsor=booth.sponsor, has_booth=True)
    manager = f.StaffMemberFactory(sponsor=booth.sponsor, level=PermissionLevel.MANAGER)
    staff = f.StaffMemberFactory(sponsor=booth.sponsor, level=PermissionLevel.BOOTH)
    staff.sponsorships.add(booth)
    return booth, other_booth, manager, staff


def issue(client, sponsor_id, **form) -> tuple[object, str]:
    response = client.post(reverse("device-tokens", args=[sponsor_id]), form, follow=True)
    match = re.search(r'<code class="token-key" id="token-key">([^<]+)</code>', response.content.decode())
    return response, match.group(1) if match else ""


def scan(client, key, sponsorship_id, payload="KC-0001"):
    body = {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship_id, "raw_payload": payload}
    return client.post(
        SCANS, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )


def test_a_manager_issues_a_token_whose_key_is_shown_once_and_kept_only_as_a_hash(client, sponsor_world):
    booth, _, manager, staff = sponsor_world
    client.force_login(manager.user)

    response, key = issue(client, booth.sponsor_id, name="Booth iPad 2", sponsorship=booth.pk, staff=staff.pk)

    assert response.status_code == 200 and key
    assert response.redirect_chain  # issued by a POST, shown by the page it leads to
    assert "no-store" in response.headers["Cache-Control"]
    token = m.DeviceToken.objects.get()
    assert (token.name, token.sponsorship, token.staff, token.created_by) == (
        "Booth iPad 2",
        booth,
        staff,
        manager.user,
    )
    assert token.key_hash == hash_device_key(key) != key
    listing = client.get(reverse("device-tokens", args=[booth.sponsor_id])).content.decode()  # a reload
    assert "Booth iPad 2" in listing and key not in listing and "never" in listing
    assert m.DeviceToken.objects.count() == 1


def test_a_token_scans_at_its_booth_only_and_its_last_use_shows(client, sponsor_world):
    booth, other_booth, manager, staff = sponsor_world
    other_booth.roster.add(staff)  # the staff member may scan at both; the token at its own only
    client.force_login(manager.user)
    _, key = issue(client, booth.sponsor_id, name="kiosk", sponsorship=booth.pk, staff=staff.pk)
    device = Client()

    assert scan(device, key, booth.pk).status_code == 201
    refused = scan(device, key, other_booth.pk)
    assert refused.status_code == 404
    assert m.Scan.objects.filter(sponsorship=other_booth).count() == 0
    assert m.Scan.objects.get().scanned_by == staff
    listing = client.get(reverse("device-tokens", args=[booth.sponsor_id])).content.decode()
    assert "never" not in listing.split("kiosk", 1)[1].split("</tr>", 1)[0]


def test_a_token_reads_nothing_but_the_scan_api(client, sponsor_world):
    booth, _, manager, staff = sponsor_world
    client.force_login(manager.user)
    _, key = issue(client, booth.sponsor_id, name="kiosk", sponsorship=booth.pk, staff=staff.pk)
    device = Client()
    for url in (
        reverse("lead-list", args=[booth.pk]),
        reverse("booth-board-data", args=[booth.pk]),
        "/admin/",
    ):
        response = device.get(url, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_revoked_token_is_refused_at_once(client, sponsor_world):
    booth, _, manager, staff = sponsor_world
    client.force_login(manager.user)
    _, key = issue(client, booth.sponsor_id, name="lost phone", sponsorship=booth.pk, staff=staff.pk)
    device = Client()
    assert scan(device, key, booth.pk).status_code == 201  # known (and kept for a few seconds) before

    token = m.DeviceToken.objects.get()
    response = client.post(reverse("device-token-revoke", args=[token.pk]), follow=True)

    assert "lost phone is revoked" in response.content.decode()
    refused = scan(device, key, booth.pk, "KC-0002")
    assert refused.status_code == 401 and refused.json()["error"] == "bad_token"
    assert m.Scan.objects.count() == 1


def test_the_form_refuses_another_sponsors_booth_and_staff_and_a_member_off_the_roster(client, sponsor_world):
    booth, other_booth, manager, staff = sponsor_world
    stranger_booth = f.SponsorshipFactory(has_booth=True)
    stranger = f.StaffMemberFactory(sponsor=stranger_booth.sponsor)
    client.force_login(manager.user)
    for form in (
        {"name": "x", "sponsorship": stranger_booth.pk, "staff": staff.pk},
        {"name": "x", "sponsorship": booth.pk, "staff": stranger.pk},
        {"name": "x", "sponsorship": other_booth.pk, "staff": staff.pk},  # not on that booth's roster
        {"name": "", "sponsorship": booth.pk, "staff": staff.pk},
    ):
        response, key = issue(client, booth.sponsor_id, **form)
        assert response.status_code == 200 and not key, form
        assert 'class="error"' in response.content.decode(), form
    assert not m.DeviceToken.objects.exists()


def test_only_the_sponsors_managers_see_and_revoke_its_tokens(client, sponsor_world):
    booth, _, manager, staff = sponsor_world
    token, _ = m.DeviceToken.issue(staff=staff, name="kiosk", sponsorship=booth)
    other_manager = f.StaffMemberFactory(level=PermissionLevel.MANAGER)
    for intruder in (staff, other_manager):
        client.force_login(intruder.user)
        assert client.get(reverse("device-tokens", args=[booth.sponsor_id])).status_code == 404
        assert client.post(reverse("device-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_issues_and_revokes_a_token_in_the_browser(browser, live_server, sponsor_world):
    booth, _, manager, staff = sponsor_world
    manager.user.set_password("manager-pass-1")
    manager.user.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", manager.user.username)
    page.fill("#id_password", "manager-pass-1")
    page.click("button[type=submit]")
    page.click("text=Scanning devices")

    page.fill("#id_name", "Booth iPad 2")
    page.select_option("#id_sponsorship", str(booth.pk))
    page.select_option("#id_staff", str(staff.pk))
    page.click("text=Issue a token")
    key = page.inner_text("#token-key").strip()
    assert scan(Client(), key, booth.pk).status_code == 201

    page.click("button[aria-label='Revoke Booth iPad 2']")
    page.wait_for_selector("text=Booth iPad 2 is revoked")
    row = page.locator("tr", has_text="Booth iPad 2").inner_text()
    assert "Revoked" in row and "never" not in row  # its one scan shows as its last use
    context.close()
    assert scan(Client(), key, booth.pk, "KC-0002").status_code == 401
