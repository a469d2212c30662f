"""What a scan POST costs the database: a fixed, small number of queries, whatever the batch size."""

import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tracker.models import DeviceToken, Scan

pytestmark = pytest.mark.django_db
URL = "/api/v1/scans/"


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    return sponsorship, staff


def scans(sponsorship, n: int) -> str:
    items = [
        {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, "raw_payload": f"B-{i:05d}"}
        for i in range(n)
    ]
    return json.dumps(items[0] if n == 1 else {"scans": items})


def test_a_device_scan_costs_one_insert_once_the_token_is_known(booth):
    sponsorship, staff = booth
    _, key = DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)
    device = Client()
    device.post(
        URL, scans(sponsorship, 1), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    with CaptureQueriesContext(connection) as queries:
        response = device.post(
            URL, scans(sponsorship, 1), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
        )

    assert response.status_code == 201
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]


def test_a_browser_batch_costs_the_same_queries_as_one_scan(client, booth):
    sponsorship, staff = booth
    client.force_login(staff.user)

    with CaptureQueriesContext(connection) as one:
        client.post(URL, scans(sponsorship, 1), content_type="application/json")
    with CaptureQueriesContext(connection) as twenty:
        response = client.post(URL, scans(sponsorship, 20), content_type="application/json")

    assert response.json()["created"] == 20
    assert len(twenty) == len(one) <= 7  # session, user, access (3), booths with membership, INSERT


def test_a_browser_scan_records_the_callers_membership_of_that_booths_sponsor(client, booth):
    sponsorship, staff = booth
    elsewhere = f.SponsorshipFactory()  # the same person also works another sponsor's booth
    other_membership = f.StaffMemberFactory(user=staff.user, sponsor=elsewhere.sponsor)
    other_membership.sponsorships.add(elsewhere)
    client.force_login(staff.user)

    client.post(URL, scans(sponsorship, 1), content_type="application/json")
    client.post(URL, scans(elsewhere, 1), content_type="application/json")

    assert dict(Scan.objects.values_list("sponsorship_id", "scanned_by_id")) == {
        sponsorship.pk: staff.pk,
        elsewhere.pk: other_membership.pk,
    }
