"""After a rush of scans, every scan is matched by a worker soon, though a process kicks a booth rarely."""

import json
import uuid

import pytest

from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_the_last_scans_of_a_rush_are_matched_without_waiting_for_the_sweep(celery_worker_process, client):
    from tests.services import wait_until
    from tracker.models import Lead, Scan

    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    for i in range(3):
        f.AttendeeFactory(event=sponsorship.event, badge_id=f"R-{i:05d}")
    client.force_login(staff.user)

    def post(i: int) -> None:
        body = {
            "client_uuid": str(uuid.uuid4()),
            "sponsorship": sponsorship.pk,
            "raw_payload": f"R-{i % 3:05d}",
        }
        response = client.post("/api/v1/scans/", json.dumps(body), content_type="application/json")
        assert response.status_code == 201

    post(0)  # kicks the booth: the worker matches it
    wait_until(lambda: not Scan.objects.pending().exists())
    for i in range(1, 7):  # in quick succession: after the first, they are owed a kick, sent by a timer
        post(i)

    wait_until(lambda: not Scan.objects.pending().exists(), timeout=20)  # the sweep is not running here
    assert sorted(Lead.objects.values_list("scan_count", flat=True)) == [2, 2, 3]
