"""Follow-up history: who changed what, when; time to first touch derived from it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tests import factories as f
from tracker.followups.history import followup_change, time_to_first_touch

pytestmark = pytest.mark.django_db


def test_status_and_owner_changes_are_recorded_and_first_touch_derived():
    follow_up = f.FollowUpFactory()
    sponsor = follow_up.lead.sponsorship.sponsor
    sam = f.StaffMemberFactory(sponsor=sponsor)
    manager = f.UserFactory()
    assert time_to_first_touch(follow_up) is None

    followup_change(follow_up=follow_up, by=manager, owner=sam)
    followup_change(follow_up=follow_up, by=sam.user, status="contacted", note="Emailed")
    followup_change(follow_up=follow_up, by=sam.user, status="contacted")  # no change: nothing recorded

    history = list(follow_up.history.order_by("changed_at", "pk"))
    assert [(h.from_status, h.to_status, h.to_owner_id, h.changed_by) for h in history] == [
        ("", "", sam.pk, manager),
        ("todo", "contacted", None, sam.user),
    ]
    touch = time_to_first_touch(follow_up)
    assert timedelta(0) <= touch == history[1].changed_at - follow_up.created_at


def test_an_owner_from_another_sponsor_is_refused():
    follow_up = f.FollowUpFactory()
    with pytest.raises(ValidationError, match="owner works for another sponsor"):
        followup_change(follow_up=follow_up, by=None, owner=f.StaffMemberFactory())
    assert not follow_up.history.exists()


def test_an_admin_edit_writes_history(client):
    follow_up = f.FollowUpFactory()
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = f"/admin/tracker/followup/{follow_up.pk}/change/"
    data = {
        "lead": follow_up.lead.pk, "owner": "", "channel": "email", "due_on": "", "status": "meeting_booked",
        "outcome": "", "opportunity_amount": "", "opportunity_currency": "",
        "history-TOTAL_FORMS": 0, "history-INITIAL_FORMS": 0, "history-MIN_NUM_FORMS": 0, "history-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    change = follow_up.history.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("todo", "meeting_booked", admin)
