"""Follow-up tasks on a real worker through Redis: creation for a booth, and the overdue digest email."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.services import wait_until
from tests.test_followup_service import zone_in_working_hours
from tracker import models as m
from tracker import times
from tracker.followups.creation import create_follow_ups_for_ended_events
from tracker.followups.digest import send_overdue_digests

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_creates_follow_ups_and_sends_the_digest(celery_worker_process):
    today = times.today_in(times.zone("Europe/Paris"))  # the factories' events are in Paris
    booth = f.SponsorshipFactory(
        event__start_date=today - timedelta(days=5), event__end_date=today - timedelta(days=2)
    )
    sam = f.StaffMemberFactory(
        sponsor=booth.sponsor,
        role="sales",
        user__email="sam@alpha.example",
        time_zone=zone_in_working_hours(),
    )
    manager = f.StaffMemberFactory(sponsor=booth.sponsor, role="marketing", level="manager")
    f.AssignmentRuleFactory(sponsor=booth.sponsor, condition="anyone", roles=["sales"])
    for grade in ("A", "B", "C"):
        lead = f.LeadFactory(sponsorship=booth, consent=True, attendee__last_name=f"Grade{grade}")
        f.LeadScoreFactory(lead=lead, grade=grade)

    assert create_follow_ups_for_ended_events.delay().get(timeout=60) == 2  # the beat's task, on the worker
    assert set(m.FollowUp.objects.values_list("lead__attendee__last_name", "owner")) == {
        ("GradeA", sam.pk),
        ("GradeB", sam.pk),
    }
    assert m.FollowUpChange.objects.filter(changed_by=None, to_owner=sam).count() == 2  # nobody's click
    assert manager.sponsor_id == booth.sponsor_id

    m.FollowUp.objects.update(due_on=date(2020, 1, 6))
    assert send_overdue_digests.delay().get(timeout=60) == 1
    assert m.ReminderDigest.objects.get(owner=sam).follow_up_count == 2
    # The worker's console email backend wrote the one digest to its log.
    log = wait_until(
        lambda: (
            "2 overdue follow-ups" in celery_worker_process.log.read_text()
            and celery_worker_process.log.read_text()
        )
    )
    assert "sam@alpha.example" in log and "GradeA" in log and "GradeB" in log
    assert send_overdue_digests.delay().get(timeout=60) == 0
