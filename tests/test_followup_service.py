"""Follow-up creation for a booth, manager actions, and the daily overdue digest, against the database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tests import factories as f
from tracker import models as m
from tracker.followups.actions import follow_ups_assign, follow_ups_set_status
from tracker.followups.creation import (
    automatic_run_passed_by,
    create_follow_ups_for_ended_events,
    follow_ups_create,
    sponsorships_due_for_follow_ups,
)
from tracker.followups.digest import digests_send, send_overdue_digests

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")  # the factories' events are in Paris
FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def booth():
    return f.SponsorshipFactory(event__start_date=date(2026, 11, 24), event__end_date=date(2026, 11, 26))


@pytest.fixture
def team(booth):
    sponsor = booth.sponsor
    return {
        "sam": f.StaffMemberFactory(sponsor=sponsor, role="sales", user__first_name="Sam"),
        "sue": f.StaffMemberFactory(sponsor=sponsor, role="sales", user__first_name="Sue"),
        "dana": f.StaffMemberFactory(sponsor=sponsor, role="devrel", user__first_name="Dana"),
        "nico": f.StaffMemberFactory(
            sponsor=sponsor, role="sales", user__first_name="Nico", time_zone="America/New_York"
        ),
    }


@pytest.fixture
def rules(booth, team):
    sponsor = booth.sponsor
    f.AssignmentRuleFactory(sponsor=sponsor, position=1, condition="account_owner", roles=[])
    f.AssignmentRuleFactory(
        sponsor=sponsor, position=2, condition="region", region="NA", owner=team["nico"], roles=[]
    )
    f.AssignmentRuleFactory(
        sponsor=sponsor,
        position=3,
        condition="conversation",
        conversation_type="technical_deep_dive",
        roles=["devrel"],
    )
    f.AssignmentRuleFactory(sponsor=sponsor, position=4, condition="anyone", roles=["sales"])


def lead(
    booth, *, grade="A", score=80, consent=True, country="FR", company="Corp Example", talk="demo", **attendee
):
    item = f.LeadFactory(
        sponsorship=booth,
        consent=consent,
        attendee__country=country,
        attendee__company=company,
        **{f"attendee__{key}": value for key, value in attendee.items()},
    )
    f.ScanFactory(lead=item, conversation_type=talk)
    f.LeadScoreFactory(lead=item, grade=grade, score=score)
    return item


def test_each_qualified_lead_gets_one_routed_dated_follow_up(booth, team, rules):
    owned = f.AccountFactory(
        sponsor=booth.sponsor, name="Globex", domains=["globex.example"], owner=team["sue"]
    )
    customer = lead(booth, company="Globex Corporation", email="ceo@globex.example")
    american = lead(booth, grade="B", country="US")
    deep_dive = lead(booth, talk="technical_deep_dive")
    rest = [lead(booth, score=90 - n) for n in range(4)]
    lead(booth, grade="C")  # not a qualifying grade
    lead(booth, consent=False)  # no consent
    lead(booth, consent=None)  # never asked

    result = follow_ups_create(sponsorship=booth, now=FRIDAY_NOON)

    assert (result.created, result.assigned) == (7, 7)
    owners = {fu.lead_id: fu.owner for fu in m.FollowUp.objects.select_related("owner")}
    assert owners[customer.pk] == owned.owner
    assert owners[american.pk] == team["nico"]
    assert owners[deep_dive.pk] == team["dana"]
    # Round-robin in sales (Sam, Sue, Nico) by load, best leads first; Nico's NA lead comes last (grade B).
    assert [owners[x.pk] for x in rest] == [team["sam"], team["sue"], team["nico"], team["sam"]]
    # A leads: one working day from Friday → Monday; B: two → Tuesday; New York owner counts its own day.
    follow_up = m.FollowUp.objects.get(lead=customer)
    assert follow_up.due_on == date(2026, 11, 30)
    assert m.FollowUp.objects.get(lead=american).due_on == date(2026, 12, 1)
    first = follow_up.history.get()
    assert (first.from_status, first.to_status, first.to_owner) == ("", "todo", owned.owner)
    assert first.note == "Assigned by rule: existing account → its owner"
    assert m.Sponsorship.objects.get(pk=booth.pk).follow_ups_created_at == FRIDAY_NOON


def test_running_it_again_creates_none_twice(booth, team, rules):
    lead(booth)
    assert follow_ups_create(sponsorship=booth, now=FRIDAY_NOON).created == 1
    assert follow_ups_create(sponsorship=booth, now=FRIDAY_NOON).created == 0
    lead(booth, grade="B")  # scanned and scored later
    assert follow_ups_create(sponsorship=booth, now=FRIDAY_NOON).created == 1
    assert m.FollowUp.objects.count() == 2


def test_the_sponsors_policy_chooses_grades_consent_and_sla(booth, team, rules):
    f.FollowUpPolicyFactory(
        sponsor=booth.sponsor, qualifying_grades=["A", "B", "C"], require_consent=False, sla_days={"C": 5}
    )
    c_lead = lead(booth, grade="C", consent=None)
    lead(booth, grade="D")
    assert follow_ups_create(sponsorship=booth, now=FRIDAY_NOON).created == 1
    assert m.FollowUp.objects.get().lead == c_lead
    assert m.FollowUp.objects.get().due_on == date(2026, 12, 4)


def test_without_rules_the_follow_ups_wait_unassigned(booth, team):
    lead(booth)
    result = follow_ups_create(sponsorship=booth, now=FRIDAY_NOON)
    assert (result.created, result.assigned, result.unassigned) == (1, 0, 1)
    assert m.FollowUp.objects.get().owner is None


def test_follow_ups_are_created_on_their_own_after_the_event_ends(booth, team, rules, settings):
    lead(booth)
    other = f.SponsorshipFactory(event__start_date=date(2026, 12, 1), event__end_date=date(2026, 12, 3))
    lead(other)
    opted_out = f.SponsorshipFactory(event=booth.event)
    f.FollowUpPolicyFactory(sponsor=opted_out.sponsor, create_when_event_ends=False)
    lead(opted_out)

    due = sponsorships_due_for_follow_ups(datetime(2026, 11, 27, 0, 30, tzinfo=PARIS))
    assert due == [booth]
    last_evening = datetime(2026, 11, 26, 23, 30, tzinfo=PARIS)
    assert sponsorships_due_for_follow_ups(last_evening) == []  # the last day is still on
    assert (
        sponsorships_due_for_follow_ups(datetime(2027, 1, 30, tzinfo=UTC)) == []
    )  # too long ago to start now
    # ... and the booth page says so rather than promising they will come.
    policy = m.FollowUpPolicy.objects.get_or_create(sponsor=booth.sponsor)[0]
    assert automatic_run_passed_by(booth, policy, datetime(2027, 1, 30, tzinfo=UTC))
    assert not automatic_run_passed_by(booth, policy, datetime(2026, 11, 27, 0, 30, tzinfo=PARIS))
    # An event an operator dated at the end of the calendar: its booth page opens (no day after it).
    last = f.SponsorshipFactory(event__start_date=date(9999, 12, 30), event__end_date=date(9999, 12, 31))
    assert not automatic_run_passed_by(last, policy, datetime(2026, 11, 27, tzinfo=UTC))
    assert last not in sponsorships_due_for_follow_ups(datetime(2026, 11, 27, tzinfo=UTC))


@pytest.mark.parametrize(
    ("zone", "not_yet", "due"),
    [
        # Salt Lake City, 7 hours west of UTC: 17:00 on the last day is already the next day in UTC.
        (
            "America/Denver",
            datetime(2026, 11, 27, 6, 59, tzinfo=UTC),
            datetime(2026, 11, 27, 7, 1, tzinfo=UTC),
        ),
        # Tokyo, 9 hours east: the next day starts at 15:00 UTC on the last day.
        ("Asia/Tokyo", datetime(2026, 11, 26, 14, 59, tzinfo=UTC), datetime(2026, 11, 26, 15, 1, tzinfo=UTC)),
    ],
)
def test_automatic_creation_waits_for_the_day_after_the_event_ends_where_it_took_place(zone, not_yet, due):
    booth = f.SponsorshipFactory(
        event__start_date=date(2026, 11, 24), event__end_date=date(2026, 11, 26), event__time_zone=zone
    )
    assert sponsorships_due_for_follow_ups(not_yet) == []
    assert sponsorships_due_for_follow_ups(due) == [booth]


def test_the_periodic_task_runs_once_per_booth(booth, team, rules, monkeypatch):
    lead(booth)
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert create_follow_ups_for_ended_events.delay().get() == 1
    lead(booth, grade="B")
    # Done once for this booth: later leads come from the manager's button, not from every beat.
    assert create_follow_ups_for_ended_events.delay().get() == 0


def test_a_manager_assigns_many_leads_at_once(booth, team):
    manager = f.StaffMemberFactory(sponsor=booth.sponsor, level="manager")
    with_follow_up = lead(booth)
    f.FollowUpFactory(lead=with_follow_up, owner=team["sam"])
    without = lead(booth, grade="C")
    foreign = lead(f.SponsorshipFactory())

    result = follow_ups_assign(leads=[with_follow_up, without, foreign], owner=team["dana"], by=manager.user)

    assert (result.changed, result.created, result.refused) == (1, 1, 1)
    assert m.FollowUp.objects.get(lead=with_follow_up).owner == team["dana"]
    new = m.FollowUp.objects.get(lead=without)
    assert new.owner == team["dana"] and new.due_on is not None
    change = m.FollowUp.objects.get(lead=with_follow_up).history.get()
    assert (change.from_owner, change.to_owner, change.changed_by) == (
        team["sam"],
        team["dana"],
        manager.user,
    )
    assert not m.FollowUp.objects.filter(lead=foreign).exists()


def test_bulk_status_changes_are_each_recorded(booth, team):
    follow_ups = [f.FollowUpFactory(lead=lead(booth), owner=team["sam"]) for _ in range(3)]
    result = follow_ups_set_status(follow_ups=follow_ups, status="no_response", by=team["sam"].user)
    assert result.changed == 3
    assert m.FollowUpChange.objects.filter(to_status="no_response", changed_by=team["sam"].user).count() == 3


def overdue_for(owner, booth, *, due, status="todo", **attendee):
    return f.FollowUpFactory(lead=lead(booth, **attendee), owner=owner, due_on=due, status=status)


def test_one_digest_per_owner_per_day_lists_every_overdue_follow_up(booth, team, settings):
    settings.SITE_URL = "https://tracker.example"
    sam, sue = team["sam"], team["sue"]
    late = overdue_for(
        sam, booth, due=date(2026, 11, 20), first_name="Grace", last_name="Hopper", company="Navy"
    )
    overdue_for(sam, booth, due=date(2026, 11, 26), first_name="Alan", last_name="Turing")
    overdue_for(sam, booth, due=date(2026, 11, 27))  # due today: not overdue yet
    overdue_for(sam, booth, due=date(2026, 11, 1), status="contacted")  # touched: not overdue
    overdue_for(sue, booth, due=date(2026, 11, 25))

    nine_utc = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert digests_send(nine_utc) == 2
    assert digests_send(nine_utc + timedelta(hours=5)) == 0  # same day: nothing more

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {sam.user.email, sue.user.email}
    body = by_recipient[sam.user.email].body
    assert by_recipient[sam.user.email].subject.startswith("2 overdue follow-ups")
    assert "Grace Hopper (Navy)" in body and "Alan Turing" in body and "7 days late" in body
    assert f"https://tracker.example{late.lead.get_absolute_url()}" in body
    assert body.index("Grace Hopper") < body.index("Alan Turing")  # oldest due first
    assert m.ReminderDigest.objects.get(owner=sam).follow_up_count == 2

    # The next day brings a new digest.
    assert digests_send(nine_utc + timedelta(days=1)) == 2


def test_digests_wait_for_the_owners_morning(booth, team, settings):
    settings.DIGEST_HOUR = 8
    overdue_for(team["nico"], booth, due=date(2026, 11, 20))  # Nico works in New York
    assert digests_send(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)) == 0  # 04:00 in New York
    assert digests_send(datetime(2026, 11, 27, 14, 0, tzinfo=UTC)) == 1  # 09:00 in New York
    assert len(mail.outbox) == 1


def zone_in_working_hours() -> str:
    """A time zone where it is now between 09:00 and 18:00, so a digest sent "now" is due whenever tests run."""
    hour = datetime.now(UTC).hour
    offset = next(n for n in range(-11, 13) if 9 <= (hour + n) % 24 <= 18)
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # POSIX signs: Etc/GMT-3 is UTC+3


def test_the_digest_task_sends_through_the_email_backend(booth, team):
    team["sam"].time_zone = zone_in_working_hours()
    team["sam"].save()
    overdue_for(team["sam"], booth, due=date(2020, 1, 1))
    assert send_overdue_digests.delay().get() == 1
    assert len(mail.outbox) == 1
