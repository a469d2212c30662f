"""Booth staff correct or take back a scan from the phone for a while after taking it; the server keeps
what the scan was."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as f
from tests.test_scan_api_hostile import json_values
from tracker import models as m
from tracker.scans import schemas
from tracker.scans.amend import EDIT_WINDOW

pytestmark = pytest.mark.django_db
URL = "/api/v1/scans/amend/"


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    sam = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Sam")
    kim = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Kim")
    for member in (sam, kim):
        member.sponsorships.add(sponsorship)
    return sponsorship, sam, kim


def scanned(booth, by, **fields) -> m.Scan:
    sponsorship = booth[0]
    lead = f.LeadFactory(sponsorship=sponsorship, consent=None)
    return f.ScanFactory(lead=lead, scanned_by=by, rating="warm", notes="Asked about pricing", **fields)


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_a_correction_changes_the_scan_and_keeps_what_it_was(
    client, booth, django_capture_on_commit_callbacks
):
    sponsorship, sam, _ = booth
    scan = scanned(booth, sam)
    client.force_login(sam.user)
    body = {"sponsorship": sponsorship.pk, "client_uuid": str(scan.client_uuid), "rating": "hot", "consent": True,
            "notes": "Asked about pricing; wants a PoC"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body)
    assert (response.status_code, response.json()["status"]) == (200, "amended")
    scan.refresh_from_db()
    assert (scan.rating, scan.consent, scan.notes) == ("hot", True, "Asked about pricing; wants a PoC")
    (revision,) = scan.revisions
    assert revision["by"] == sam.user.pk and revision["was"] == {
        "rating": "warm", "consent": None, "notes": "Asked about pricing"
    }  # fmt: skip
    assert m.Lead.objects.get(pk=scan.lead_id).consent is True  # the lead follows its scans


def test_only_who_took_the_scan_corrects_it_and_only_for_a_while(client, booth):
    sponsorship, sam, kim = booth
    scan = scanned(booth, sam)
    body = {"sponsorship": sponsorship.pk, "client_uuid": str(scan.client_uuid), "rating": "cold"}
    client.force_login(kim.user)
    assert post(client, body).status_code == 403
    m.Scan.objects.filter(pk=scan.pk).update(received_at=timezone.now() - EDIT_WINDOW - timedelta(minutes=1))
    client.force_login(sam.user)
    late = post(client, body)
    assert late.status_code == 409 and "ask a manager" in late.json()["message"]
    scan.refresh_from_db()
    assert scan.rating == "warm" and not scan.revisions


def test_taking_a_scan_back_sets_it_aside_and_removes_the_lead_it_alone_made(client, booth):
    sponsorship, sam, _ = booth
    lone = scanned(booth, sam)
    twice = scanned(booth, sam)
    f.ScanFactory(lead=twice.lead, scanned_by=sam)
    m.Lead.objects.filter(pk=twice.lead_id).update(scan_count=2)
    client.force_login(sam.user)
    for scan in (lone, twice):
        response = post(
            client, {"sponsorship": sponsorship.pk, "client_uuid": str(scan.client_uuid), "undo": True}
        )
        assert response.json()["status"] == "undone"
    lone.refresh_from_db()
    assert lone.discarded_at and lone.discarded_by == sam.user and lone.lead is None
    assert lone.revisions[0]["undone"] is True and lone.raw_payload  # kept, with what it was
    assert not m.Lead.objects.filter(pk=lone.revisions[0]["lead"]).exists()
    assert m.Lead.objects.get(pk=twice.lead_id).scan_count == 1  # the other scan still counts
    again = post(client, {"sponsorship": sponsorship.pk, "client_uuid": str(lone.client_uuid), "undo": True})
    assert again.status_code == 409
    board = client.get(f"/sponsorships/{sponsorship.pk}/board.json").json()
    assert board["scans_total"] == 1


def test_another_sponsors_scan_or_a_malformed_one_is_not_found(client, booth):
    sponsorship, sam, _ = booth
    other = f.ScanFactory(lead=f.LeadFactory())
    client.force_login(sam.user)
    for body in (
        {"sponsorship": other.sponsorship_id, "client_uuid": str(other.client_uuid), "rating": "hot"},
        {"sponsorship": sponsorship.pk, "client_uuid": str(other.client_uuid), "rating": "hot"},
        {"sponsorship": sponsorship.pk, "client_uuid": str(uuid.uuid4()), "undo": True},
        {"sponsorship": [sponsorship.pk], "client_uuid": {"x": 1}, "rating": "hot"},
    ):
        assert post(client, body).status_code == 404
    assert other.revisions is None


def amend_bodies(sponsorship_id: int, client_uuid: str):
    return json_values | st.fixed_dictionaries(
        {},
        optional={
            "sponsorship": st.just(sponsorship_id) | json_values,
            "client_uuid": st.just(client_uuid) | json_values,
            **{  # every field a correction reads (its schema's), questions_at included
                name: json_values
                for name in schemas.AmendIn.model_fields
                if name not in ("sponsorship", "client_uuid")
            },
        },
    )


def test_any_body_at_the_amend_endpoint_gets_a_clear_json_answer(client, booth):
    sponsorship, sam, _ = booth
    scan = scanned(booth, sam)
    client.force_login(sam.user)

    @given(body=amend_bodies(sponsorship.pk, str(scan.client_uuid)))
    def check(body):
        response = post(client, body)
        assert response.status_code in (200, 400, 403, 404, 409), response.content[:300]
        assert response["Content-Type"] == "application/json"

    check()
