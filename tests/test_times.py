"""One rule for time: an event's day where it takes place, an owner's day where they work, and times
written the same way on every page, east and west of UTC, across midnight and a weekend."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests import factories as f
from tracker import models as m
from tracker import times
from tracker.followups.digest import digests_send

UTC = ZoneInfo("UTC")
DENVER, TOKYO = ZoneInfo("America/Denver"), ZoneInfo("Asia/Tokyo")


def test_an_events_day_is_the_day_where_it_takes_place():
    slc = m.Event(time_zone="America/Denver", start_date=date(2024, 11, 12), end_date=date(2024, 11, 15))
    tokyo = m.Event(time_zone="Asia/Tokyo", start_date=date(2024, 11, 12), end_date=date(2024, 11, 15))
    late_friday_in_utah = datetime(2024, 11, 16, 5, 0, tzinfo=UTC)  # 22:00 on the 15th in Salt Lake City
    assert times.event_today(slc, late_friday_in_utah) == date(2024, 11, 15)
    assert times.event_phase(slc, late_friday_in_utah) == "during"
    assert times.event_today(tokyo, late_friday_in_utah) == date(2024, 11, 16)
    assert times.event_phase(tokyo, late_friday_in_utah) == "after"
    assert times.event_phase(tokyo, datetime(2024, 11, 11, 14, 59, tzinfo=UTC)) == "before"  # 23:59 JST


def test_a_day_spans_the_events_wall_clock_across_daylight_saving():
    start, end = times.day_span(date(2024, 11, 3), DENVER)  # the clocks go back: a 25-hour day
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 25 * 3600
    assert start.astimezone(UTC) == datetime(2024, 11, 3, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "tz", "kwargs", "text"),
    [
        (datetime(2024, 3, 20, 9, 15, tzinfo=UTC), ZoneInfo("Europe/Paris"), {}, "Wed 20 Mar 2024, 10:15"),
        (datetime(2026, 3, 20, 9, 15, tzinfo=UTC), ZoneInfo("Europe/Paris"), {}, "Fri 20 Mar, 10:15"),
        (datetime(2026, 11, 13, 6, 37, tzinfo=UTC), DENVER, {"with_zone": True}, "Thu 12 Nov, 23:37 MST"),
        (datetime(2026, 11, 13, 6, 37, tzinfo=UTC), TOKYO, {"with_zone": True}, "Fri 13 Nov, 15:37 JST"),
        (date(2025, 1, 3), UTC, {}, "Fri 3 Jan 2025"),
        (None, UTC, {}, ""),
    ],
)
def test_times_are_written_in_the_zone_asked_with_the_year_only_when_it_is_not_this_one(
    value, tz, kwargs, text
):
    assert times.when(value, tz, today=date(2026, 12, 6), **kwargs) == text


def test_an_unknown_zone_name_reads_as_utc_rather_than_breaking_a_page():
    assert times.zone("Mars/Olympus_Mons") == UTC and times.zone("") == UTC


@pytest.fixture
def owners(db):
    sponsorship = f.SponsorshipFactory()
    west = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, time_zone="America/Denver", user__email="w@x.example"
    )
    east = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, time_zone="Asia/Tokyo", user__email="e@x.example"
    )
    due = date(2026, 12, 4)  # a Friday
    for owner in (west, east, None):
        f.FollowUpFactory(lead=f.LeadFactory(sponsorship=sponsorship), owner=owner, due_on=due, status="todo")
    return west, east


@pytest.mark.django_db
def test_overdue_is_the_owners_own_date_in_the_model_the_lists_the_filter_and_the_digest(
    owners, client, monkeypatch, settings
):
    west, east = owners
    # Saturday 5 Dec 02:00 UTC: Friday 19:00 in Denver (due today, not late), Saturday 11:00 in Tokyo (late).
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    settings.DIGEST_HOUR = 8

    late = set(m.FollowUp.objects.overdue().values_list("owner_id", flat=True))
    assert late == {east.pk, None}  # nobody's follow-up goes by UTC, where it is Saturday too
    assert {fu.owner_id: fu.is_overdue for fu in m.FollowUp.objects.all()} == {
        west.pk: False,
        east.pk: True,
        None: True,
    }

    manager = f.StaffMemberFactory(sponsor=west.sponsor, level="manager")
    client.force_login(manager.user)
    page = client.get(reverse("follow-up-list"), {"overdue": "true"})
    assert {row.record.owner_id for row in page.context["table"].page.object_list} == {east.pk, None}
    for owner, count in ((west, 0), (east, 1)):
        client.force_login(owner.user)
        assert client.get(reverse("my-follow-ups")).context["counts"]["overdue"] == count

    assert digests_send(now) == 1  # 11:00 in Tokyo; 19:00 in Denver but nothing late there
    assert list(m.ReminderDigest.objects.values_list("owner_id", "sent_on")) == [(east.pk, date(2026, 12, 5))]
    # Across the weekend: Monday 7 Dec 16:00 UTC is 09:00 in Denver, where the Friday follow-up is late
    # now; in Tokyo it is 01:00 on Tuesday, before the digest hour.
    assert digests_send(datetime(2026, 12, 7, 16, 0, tzinfo=UTC)) == 1
    assert m.ReminderDigest.objects.filter(owner=west, sent_on=date(2026, 12, 7)).exists()


@pytest.mark.django_db
def test_a_scan_time_says_whose_zone_on_the_list_across_events_and_on_the_booths_list(client):
    """The same scan, 02:30 UTC: 19:30 on the list across events of a manager in Denver (which says it is
    their zone), 11:30 on the Tokyo booth's own list (which says it is Tokyo time)."""
    sponsorship = f.SponsorshipFactory(event__time_zone="Asia/Tokyo", event__city="Tokyo")
    manager = f.StaffMemberFactory(sponsor=sponsorship.sponsor, level="manager", time_zone="America/Denver")
    scanned = datetime(2024, 11, 13, 2, 30, tzinfo=UTC)
    f.LeadFactory(sponsorship=sponsorship, first_scan_at=scanned, last_scan_at=scanned)
    client.force_login(manager.user)

    across = client.get(reverse("all-leads")).content.decode()
    assert f"Times are in your zone: Denver time ({datetime.now(DENVER).tzname()})" in across
    assert "Tue 12 Nov 2024, 19:30" in across

    booth = client.get(reverse("lead-list", args=[sponsorship.pk])).content.decode()
    assert "Times on this page are Tokyo time (JST)" in booth
    assert "Wed 13 Nov 2024, 11:30" in booth
    assert "Times are in your zone" not in booth
