"""Who gets a lead and by when: the rules in order, round-robin by load, SLAs in working days (pure)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.followups.routing import LeadSignals, Person, Router, Rule
from tracker.followups.sla import add_working_days, due_date

ANA, BEN, CLEO, DEV, EVA = (
    Person(1, "sales", "Ana"),
    Person(2, "sales", "Ben"),
    Person(3, "devrel", "Cleo"),
    Person(4, "solutions_engineer", "Dev"),
    Person(5, "sales", "Eva"),
)
RULES = [
    Rule("account_owner", description="existing account → its owner"),
    Rule("region", "NA", owner_id=EVA.staff_id, description="region NA → Eva"),
    Rule(
        "conversation", "technical_deep_dive", roles=("devrel", "solutions_engineer"), description="deep-dive"
    ),
    Rule("rating", "hot", roles=("sales",), description="hot → sales"),
    Rule("anyone", roles=("sales",), description="everyone else"),
]


def router(*people, load=None):
    return Router(RULES, list(people or (ANA, BEN, CLEO, DEV, EVA)), dict(load or {}))


def test_rules_apply_in_order_and_the_first_match_wins():
    r = router()
    # An existing customer's owner beats every other rule, even for a hot deep-dive in NA.
    assert (
        r.route(
            LeadSignals("NA", frozenset({"technical_deep_dive"}), frozenset({"hot"}), CLEO.staff_id)
        ).owner_id
        == 3
    )
    assert r.route(LeadSignals("NA", frozenset({"technical_deep_dive"}))).owner_id == EVA.staff_id
    assert r.route(LeadSignals("EU", frozenset({"technical_deep_dive"}), frozenset({"hot"}))).owner_id in {
        3,
        4,
    }
    routed = r.route(LeadSignals("EU", ratings=frozenset({"hot"})))
    assert routed.owner_id in {1, 2, 5} and routed.reason == "Assigned by rule: hot → sales"


def test_round_robin_shares_a_batch_evenly_by_load():
    r = router(ANA, BEN, EVA, load={ANA.staff_id: 2})
    owners = [r.route(LeadSignals("EU")).owner_id for _ in range(7)]
    # Ben and Eva catch up with Ana's two open follow-ups first, then all three take turns.
    assert owners[:4] == [2, 5, 2, 5]
    assert sorted(owners[4:]) == [1, 2, 5]
    assert r.load == {1: 3, 2: 3, 5: 3}


def test_a_rule_whose_people_are_gone_is_passed_over():
    # Eva has left (not among the active people): the NA rule falls through to round-robin in sales.
    r = router(ANA, CLEO)
    assert r.route(LeadSignals("NA")).owner_id == ANA.staff_id
    # An account owner who has left does not get the lead either.
    assert r.route(LeadSignals("EU", account_owner_id=99)).owner_id == ANA.staff_id


def test_no_match_leaves_the_lead_for_a_manager():
    r = Router([Rule("region", "APAC", owner_id=1, description="APAC")], [ANA])
    routed = r.route(LeadSignals("EU"))
    assert routed.owner_id is None and "No assignment rule matched" in routed.reason


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday + 1 → Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday + 1 → Monday
        (date(2026, 11, 29), 2, date(2026, 12, 1)),  # Sunday + 2 → Tuesday
        (date(2026, 11, 26), 2, date(2026, 11, 30)),  # Thursday + 2 → Monday
        (date(2026, 11, 27), 5, date(2026, 12, 4)),  # a working week
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # due "today" on a weekend → Monday
    ],
)
def test_sla_counts_working_days_across_weekends(start, days, due):
    assert add_working_days(start, days) == due


def test_sla_counts_the_owners_own_working_week():
    sunday_to_thursday = [7, 1, 2, 3, 4]
    assert add_working_days(date(2026, 11, 26), 1, sunday_to_thursday) == date(2026, 11, 29)  # Thu → Sun


def test_due_date_uses_the_owners_local_day():
    # 23:30 UTC on Friday is already Saturday in Tokyo: one working day later is Monday either way,
    # but with two days it is Tuesday in Tokyo and Tuesday in London, counted from different days.
    late_friday = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert due_date(late_friday, 1, time_zone="Europe/London") == date(2026, 11, 30)
    assert due_date(late_friday, 1, time_zone="Asia/Tokyo") == date(2026, 11, 30)
    thursday_night = datetime(2026, 11, 26, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert due_date(thursday_night, 1, time_zone="Europe/London") == date(2026, 11, 27)
    assert due_date(thursday_night, 1, time_zone="Asia/Tokyo") == date(2026, 11, 30)
    assert due_date(thursday_night, 1, time_zone="Not/AZone") == date(2026, 11, 27)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 60))
def test_a_due_date_is_a_working_day_never_before_the_start(start, days):
    due = add_working_days(start, days)
    assert due >= start and due.isoweekday() <= 5
    # Exactly ``days`` working days lie after the start up to and including the due date.
    if days:
        working = sum(
            1 for n in range(1, (due - start).days + 1) if (start.toordinal() + n) % 7 not in (6, 0)
        )
        assert working == days
