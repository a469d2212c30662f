"""The scan API: idempotent, partial batches, scoped, and honest about expired sessions."""

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tracker.models import DeviceToken, Lead, Scan

pytestmark = pytest.mark.django_db
URL = "/api/v1/scans/"

VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lefèvre;Zoë;;;\r\nFN:Zoë Lefèvre\r\nORG:Nimbus Data\r\nTITLE:Head of Platform\r\nEMAIL;TYPE=work:zoe@nimbus.example\r\nEND:VCARD\r\n"


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Sam", user__last_name="Booth")
    staff.sponsorships.add(sponsorship)
    return sponsorship, staff


@pytest.fixture
def staff_client(client, booth):
    client.force_login(booth[1].user)
    return client


def scan(sponsorship, **fields):
    return {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, **fields}


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Run what the API schedules after commit (matching scans to leads) inside each test's transaction."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def post(client, body, **headers):
    with _capture(execute=True):
        return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_what_staff_typed_and_chose_is_stored_as_sent_accents_and_quotes_included(staff_client, booth):
    sponsorship, _ = booth
    body = scan(
        sponsorship,
        first_name="Zoë",
        last_name='O\'Brien "Bee"',
        company="Ünicode GmbH",
        interests=["Sécurité", "FinOps", "ai/ml \\ data"],
    )

    assert post(staff_client, body).status_code == 201

    stored = Scan.objects.get()
    assert stored.interests == ["Sécurité", "FinOps", "ai/ml \\ data"]
    assert stored.typed == {"first_name": "Zoë", "last_name": 'O\'Brien "Bee"', "company": "Ünicode GmbH"}


def test_a_vcard_scan_creates_a_lead_and_a_resend_is_a_no_op(staff_client, booth):
    sponsorship, staff = booth
    body = scan(sponsorship, raw_payload=VCARD, rating="hot", notes="Wants a demo", consent=True)

    first = post(staff_client, body)
    again = post(staff_client, body)

    assert first.status_code == 201
    assert first.json()["status"] == "created"
    assert first.json()["client_uuid"] == body["client_uuid"]
    assert again.status_code == 200
    assert again.json() == {"client_uuid": body["client_uuid"], "status": "duplicate"}
    assert Scan.objects.count() == 1
    lead = Lead.objects.get()
    assert (lead.attendee.full_name, lead.attendee.company, lead.attendee.title) == (
        "Zoë Lefèvre",
        "Nimbus Data",
        "Head of Platform",
    )
    assert (lead.scan_count, lead.consent) == (1, True)
    stored = Scan.objects.get()
    assert (stored.scanned_by, stored.lead, stored.payload_format) == (staff, lead, "vcard")


def test_scanning_the_same_person_again_adds_to_the_same_lead(staff_client, booth):
    sponsorship, _ = booth
    post(staff_client, scan(sponsorship, raw_payload=VCARD, rating="warm", notes="Asked about pricing"))

    second = post(staff_client, scan(sponsorship, raw_payload=VCARD, rating="hot"))

    assert second.status_code == 201
    lead = Lead.objects.get()
    assert lead.scan_count == 2
    assert lead.last_scan_at >= lead.first_scan_at
    assert list(lead.scans.order_by("received_at", "pk").values_list("rating", flat=True)) == ["warm", "hot"]


def test_a_bare_badge_id_matches_the_attendee_list(staff_client, booth):
    sponsorship, _ = booth
    attendee = f.AttendeeFactory(event=sponsorship.event, badge_id="KCEU24-004512", first_name="Kenji")

    response = post(staff_client, scan(sponsorship, raw_payload="KCEU24-004512\r\n"))

    assert response.status_code == 201
    assert Lead.objects.get().attendee == attendee
    assert Scan.objects.get().payload_format == "badge_id"


def test_an_unknown_badge_is_kept_raw_never_dropped(staff_client, booth):
    sponsorship, _ = booth
    response = post(staff_client, scan(sponsorship, raw_payload="ZZ-999999", rating="warm"))

    assert response.status_code == 201
    kept = Scan.objects.unknown().get()
    assert (kept.raw_payload, kept.rating) == ("ZZ-999999", "warm")


def test_a_typed_in_person_becomes_a_lead(staff_client, booth):
    sponsorship, _ = booth
    response = post(
        staff_client,
        scan(sponsorship, first_name="Łukasz", last_name="Nowak", company="Kraków Cloud", title="SRE"),
    )
    assert response.status_code == 201
    assert Scan.objects.get().payload_format == "manual"
    assert Scan.objects.get().typed["first_name"] == "Łukasz"
    assert Lead.objects.get().attendee.company == "Kraków Cloud"


def test_one_invalid_scan_in_a_batch_is_reported_and_the_others_saved(staff_client, booth):
    sponsorship, _ = booth
    bad = scan(sponsorship, raw_payload="KCEU24-1", rating="lukewarm")
    good = [scan(sponsorship, raw_payload=VCARD), scan(sponsorship, raw_payload="ZZ-1")]

    response = post(staff_client, {"scans": [good[0], bad, good[1], "not an object"]})

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["invalid"]) == (2, 2)
    assert body["results"][1]["client_uuid"] == bad["client_uuid"]
    assert "rating" in body["results"][1]["errors"]
    assert Scan.objects.count() == 2


def test_a_scan_without_payload_or_person_is_refused_with_the_reason(staff_client, booth):
    response = post(staff_client, scan(booth[0], notes="forgot to scan"))
    assert response.status_code == 400
    assert "needs a badge payload" in json.dumps(response.json())


def test_sponsor_required_fields_are_enforced(staff_client, booth):
    sponsorship, _ = booth
    sponsorship.sponsor.required_scan_fields = ["rating", "consent"]
    sponsorship.sponsor.save()

    refused = post(staff_client, scan(sponsorship, raw_payload=VCARD, rating="hot"))
    accepted = post(staff_client, scan(sponsorship, raw_payload=VCARD, rating="hot", consent=False))

    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["consent"]
    assert accepted.status_code == 201


def test_posting_to_another_sponsors_booth_is_refused(staff_client, booth):
    foreign = f.SponsorshipFactory(event=booth[0].event)
    single = post(staff_client, scan(foreign, raw_payload=VCARD))
    batch = post(staff_client, {"scans": [scan(foreign, raw_payload=VCARD)]})

    assert single.status_code == 404
    assert batch.json()["invalid"] == 1
    assert not Scan.objects.exists()


def test_booth_staff_cannot_post_to_a_booth_they_are_not_rostered_on(staff_client, booth):
    other_booth = f.SponsorshipFactory(sponsor=booth[0].sponsor)
    assert post(staff_client, scan(other_booth, raw_payload=VCARD)).status_code == 404


def test_an_expired_session_gets_json_401_not_a_login_page(client, booth):
    response = post(client, scan(booth[0], raw_payload=VCARD))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "login_required"


def test_browser_posts_need_the_csrf_token(booth):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(booth[1].user)

    without = post(browser, scan(booth[0], raw_payload=VCARD))
    token = browser.get(reverse("api:session")).json()["csrf_token"]
    with_token = post(browser, scan(booth[0], raw_payload=VCARD), HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert without.json()["error"] == "csrf"
    assert with_token.status_code == 201


@pytest.mark.parametrize("shortcut", [True, False], ids=["device-shortcut", "whole-middleware-chain"])
def test_devices_authenticate_with_a_token_scoped_to_their_sponsor(booth, shortcut, settings):
    if not shortcut:  # as with DEVICE_API_SHORTCUT=0: the device request walks every middleware
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "tracker.middleware.DeviceApiMiddleware"]
    sponsorship, staff = booth
    token, key = DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)
    device = Client(enforce_csrf_checks=True)  # no cookies, so no CSRF token needed
    foreign = f.SponsorshipFactory(event=sponsorship.event)

    ok = post(device, scan(sponsorship, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}")
    refused = post(device, scan(foreign, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}")
    token.revoked_at = token.created_at
    token.save()
    revoked = post(device, scan(sponsorship, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}")

    assert ok.status_code == 201
    assert Scan.objects.get().scanned_by == staff
    assert refused.status_code == 404
    assert revoked.status_code == 401


def test_device_and_server_times_are_both_kept(staff_client, booth):
    post(staff_client, scan(booth[0], raw_payload=VCARD, device_scanned_at="2024-03-20T10:42:00+01:00"))
    stored = Scan.objects.get()
    assert stored.device_scanned_at.isoformat() == "2024-03-20T09:42:00+00:00"
    assert stored.received_at > stored.device_scanned_at


def test_a_batch_matches_its_scans_in_order_and_reports_each(staff_client, booth):
    sponsorship, _ = booth
    items = [
        scan(sponsorship, raw_payload=VCARD, consent=False),
        scan(sponsorship, raw_payload=VCARD, consent=True),
    ]
    body = post(staff_client, {"scans": [*items, items[0]]}).json()

    assert [r["status"] for r in body["results"]] == ["created", "created", "duplicate"]
    lead = Lead.objects.get()
    assert (lead.scan_count, lead.consent) == (2, True)  # the later answer wins
    assert not Scan.objects.pending().exists()


@pytest.mark.parametrize(
    "in_transaction",
    [
        pytest.param(True, marks=pytest.mark.django_db, id="kicked-on-commit"),
        # Outside a transaction, as on the web server: the group insert has committed when it returns.
        pytest.param(False, marks=pytest.mark.django_db(transaction=True), id="kicked-after-group-insert"),
    ],
)
def test_a_scan_is_kept_even_when_matching_fails_to_run(staff_client, booth, monkeypatch, in_transaction):
    """If the broker is down the scan is still stored and accepted; the sweep matches it later."""
    import tracker.scans.processing as processing

    def broker_down(ids):
        raise ConnectionError("broker down")

    monkeypatch.setattr(processing, "scans_process_soon", broker_down)
    assert connection.in_atomic_block is in_transaction
    response = post(staff_client, scan(booth[0], raw_payload=VCARD))

    assert response.status_code == 201
    assert Scan.objects.pending().count() == 1
    Scan.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert processing.scans_sweep() == 1
    assert Lead.objects.get().scan_count == 1


def test_the_api_only_takes_post(staff_client):
    assert staff_client.get(URL).status_code == 405


def test_bad_json_is_a_clear_400(staff_client):
    response = staff_client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_json"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
scan_like = st.fixed_dictionaries(
    {},
    optional={
        "client_uuid": st.uuids().map(str) | st.text(max_size=10),
        "sponsorship": st.integers(min_value=-2, max_value=10**6) | st.text(max_size=5),
        "raw_payload": st.text(max_size=200),
        "rating": st.sampled_from(["hot", "warm", "cold", "", "boiling"]),
        "interests": json_values,
        "consent": json_values,
        "device_scanned_at": st.text(max_size=30),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | scan_like | st.fixed_dictionaries({"scans": st.lists(scan_like, max_size=4)}))
def test_any_json_gets_a_clear_answer_never_a_server_error(staff_client, body):
    response = post(staff_client, body)
    assert response.status_code in (200, 201, 400, 404)
    assert response["Content-Type"] == "application/json"


def test_a_device_loses_a_booth_as_soon_as_it_is_taken_off_the_roster(booth):
    sponsorship, staff = booth
    _, key = DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)
    device = Client()
    assert (
        post(device, scan(sponsorship, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 201
    )

    staff.sponsorships.remove(sponsorship)

    assert (
        post(device, scan(sponsorship, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 404
    )


def test_a_device_post_is_answered_with_a_length_and_security_headers_but_no_cookie(booth):
    """Token requests skip the browser middleware (sessions, CSRF, messages): no cookie is set, the
    response still carries its length (the connection stays open) and the security headers."""
    sponsorship, staff = booth
    _, key = DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)

    response = post(Client(), scan(sponsorship, raw_payload=VCARD), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 201
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies
    assert Scan.objects.get().scanned_by == staff


def test_a_token_sent_to_a_page_goes_the_whole_way_and_gets_the_login_page(booth):
    _, key = DeviceToken.issue(staff=booth[1], name="booth phone", sponsorship=booth[0])

    response = Client().get(reverse("my-booths"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_browser_behind_a_basic_auth_proxy_is_a_session_checked_for_csrf(booth):
    sponsorship, staff = booth
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff.user)
    basic = {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}

    without_token = post(browser, scan(sponsorship, raw_payload=VCARD), **basic)
    browser.get(reverse("api:session"), **basic)
    csrf = browser.cookies["csrftoken"].value
    with_token = post(browser, scan(sponsorship, raw_payload=VCARD), HTTP_X_CSRFTOKEN=csrf, **basic)

    assert without_token.status_code == 403
    assert without_token.json()["error"] == "csrf"
    assert with_token.status_code == 201
    assert Scan.objects.get().scanned_by == staff


def test_what_device_requests_skip_is_an_explicit_list_kept_in_step_with_the_settings(settings):
    """Device requests go through SecurityMiddleware and nothing after DeviceApiMiddleware: a middleware
    added to the settings fails this test until SKIPPED_FOR_DEVICES says devices skip it (or it moves
    before DeviceApiMiddleware)."""
    from tracker.middleware import DEVICE_VIEWS, SKIPPED_FOR_DEVICES

    chain = list(settings.MIDDLEWARE)
    position = chain.index("tracker.middleware.DeviceApiMiddleware")
    assert chain[:position] == ["django.middleware.security.SecurityMiddleware"]
    assert tuple(chain[position + 1 :]) == SKIPPED_FOR_DEVICES
    assert {name: reverse(name) for name in DEVICE_VIEWS} == {
        "api:scans": "/api/v1/scans/", "api:lookup": "/api/v1/scans/lookup/", "api:amend": "/api/v1/scans/amend/"
    }  # fmt: skip
