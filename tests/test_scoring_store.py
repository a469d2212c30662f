"""Storing scores: only changed rows are written, a new ICP version always is; on every backend.

The tests run on the configured database (SQLite by default, PostgreSQL with DATABASE_URL), and the
portable path (read, compare, bulk_create) is also run directly, so on PostgreSQL both paths are covered.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests import factories as f
from tracker.models import LeadScore
from tracker.scoring import store
from tracker.scoring.store import ScoreRow, reasons_json, reasons_text, scores_store
from tracker.scoring.values import Reason, Score

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=1)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)


def portable(rows, *, scored_at):
    """The non-PostgreSQL path, whatever the database."""
    with transaction.atomic():
        return store._store_portable("default", list({row.lead_id: row for row in rows}.values()), scored_at)


@pytest.fixture(params=["scores_store", "portable"])
def write(request):
    if request.param == "scores_store":
        return scores_store
    return portable


def result(score: int, grade: str = "B", *, criterion: int = 1, excluded=False, customer=False) -> Score:
    reasons = (Reason(score, "Director or above (seniority vp)", criterion),) if score else ()
    return Score(score, grade, reasons, excluded, customer, 1)


@pytest.fixture
def setup():
    sponsorship = f.SponsorshipFactory()
    v1 = f.IcpFactory(sponsor=sponsorship.sponsor, version=1)
    v2 = f.IcpFactory(sponsor=sponsorship.sponsor, version=2)
    leads = [f.LeadFactory(sponsorship=sponsorship) for _ in range(3)]
    return v1, v2, leads


def stored(lead):
    row = LeadScore.objects.get(lead=lead)
    return row.icp_id, row.score, row.grade, row.reasons, row.excluded, row.existing_customer, row.scored_at


def test_new_rows_are_inserted_with_reasons_as_the_engine_words_them(setup, write):
    v1, _, leads = setup
    rows = [ScoreRow(lead.pk, v1.pk, result(20 * i, "C")) for i, lead in enumerate(leads)]

    assert write(rows, scored_at=T0) == 3

    assert stored(leads[1]) == (
        v1.pk, 20, "C", [{"points": 20, "reason": "Director or above (seniority vp)", "criterion": 1}],
        False, False, T0,
    )  # fmt: skip
    assert stored(leads[0])[3] == [] and LeadScore.objects.count() == 3


def test_unchanged_rows_are_left_untouched_scored_at_included(setup, write):
    v1, _, leads = setup
    rows = [ScoreRow(lead.pk, v1.pk, result(30)) for lead in leads]
    write(rows, scored_at=T0)
    before = {lead.pk: stored(lead) for lead in leads}

    assert write(rows, scored_at=T1) == 0

    assert {lead.pk: stored(lead) for lead in leads} == before


def test_only_changed_rows_are_written(setup, write):
    v1, _, leads = setup
    write([ScoreRow(lead.pk, v1.pk, result(30)) for lead in leads], scored_at=T0)
    changes = [
        ScoreRow(leads[0].pk, v1.pk, result(30)),  # the same
        ScoreRow(leads[1].pk, v1.pk, result(45, "A")),  # score and grade
        ScoreRow(leads[2].pk, v1.pk, result(30, excluded=True)),  # a flag only
    ]

    assert write(changes, scored_at=T1) == 2

    assert stored(leads[0])[1:] == (30, "B", stored(leads[0])[3], False, False, T0)
    assert stored(leads[1])[1:3] == (45, "A") and stored(leads[1])[-1] == T1
    assert stored(leads[2])[4] is True and stored(leads[2])[-1] == T1


def test_changed_reasons_alone_are_written(setup, write):
    v1, _, leads = setup
    write([ScoreRow(leads[0].pk, v1.pk, result(30, criterion=1))], scored_at=T0)

    assert write([ScoreRow(leads[0].pk, v1.pk, result(30, criterion=2))], scored_at=T1) == 1

    assert stored(leads[0])[3][0]["criterion"] == 2 and stored(leads[0])[-1] == T1


def test_a_new_version_is_written_even_when_nothing_else_changed(setup, write):
    v1, v2, leads = setup
    write([ScoreRow(lead.pk, v1.pk, result(30)) for lead in leads], scored_at=T0)

    assert write([ScoreRow(lead.pk, v2.pk, result(30)) for lead in leads], scored_at=T1) == 3

    assert set(LeadScore.objects.values_list("icp_id", "score", "scored_at")) == {(v2.pk, 30, T1)}


def test_the_last_row_of_a_lead_wins_and_a_second_call_in_one_transaction_is_separate(setup, write):
    v1, v2, leads = setup
    with transaction.atomic():
        assert write([ScoreRow(leads[0].pk, v1.pk, result(10)), ScoreRow(leads[0].pk, v1.pk, result(20))],
                     scored_at=T0) == 1  # fmt: skip
        assert write([ScoreRow(leads[1].pk, v2.pk, result(5, "D"))], scored_at=T1) == 1

    assert stored(leads[0])[:3] == (v1.pk, 20, "B")
    assert stored(leads[1])[:3] == (v2.pk, 5, "D")
    assert not LeadScore.objects.filter(lead=leads[2]).exists()


def test_nothing_to_store(write):
    assert write([], scored_at=T0) == 0


def test_scores_store_rolls_back_with_the_callers_transaction(setup):
    v1, _, leads = setup

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        scores_store([ScoreRow(leads[0].pk, v1.pk, result(30))])
        raise Abort

    assert not LeadScore.objects.exists()
    assert scores_store([ScoreRow(leads[0].pk, v1.pk, result(30))]) == 1  # the staging table still works


def test_scored_at_defaults_to_now(setup):
    v1, _, leads = setup
    before = timezone.now()
    scores_store([ScoreRow(leads[0].pk, v1.pk, result(30))])
    assert before <= stored(leads[0])[-1] <= timezone.now()


def test_reasons_text_is_the_json_of_reasons_json():
    import json

    reasons = result(30).reasons
    assert json.loads(reasons_text(reasons)) == reasons_json(reasons) == result(30).reasons_json()
    assert store._copy_field(reasons) is store._copy_field(reasons)  # leads with the same reasons share it


def test_the_backend_path_in_use_is_the_expected_one(setup, monkeypatch):
    v1, _, leads = setup
    called = []
    name = "_store_postgresql" if connection.vendor == "postgresql" else "_store_portable"
    real = getattr(store, name)
    monkeypatch.setattr(store, name, lambda *args: called.append(name) or real(*args))
    scores_store([ScoreRow(leads[0].pk, v1.pk, result(30))])
    assert called == [name]


def test_reasons_with_quotes_backslashes_and_other_scripts_are_stored_as_they_are(setup, write):
    v1, _, leads = setup
    text = 'Notes "pricing" \\ C:\\path\ttab\nline — Möchte 価格 \u2028'
    reasons = (Reason(10, text, 7), Reason(0, "? Company size: unknown", None))
    write([ScoreRow(leads[0].pk, v1.pk, Score(10, "D", reasons, False, False, 1))], scored_at=T0)

    assert stored(leads[0])[3] == [
        {"points": 10, "reason": text, "criterion": 7},
        {"points": 0, "reason": "? Company size: unknown", "criterion": None},
    ]
    again = Score(10, "D", tuple(Reason(r.points, r.text, r.criterion_id) for r in reasons), False, False, 1)
    assert write([ScoreRow(leads[0].pk, v1.pk, again)], scored_at=T1) == 0  # equal reasons, new objects


# --- leads_facts keeps normalised values and the account resolver across chunks -----------------------


def test_facts_see_account_changes_between_chunks():
    from tracker.scoring.facts import leads_facts

    sponsorship = f.SponsorshipFactory()
    lead = f.LeadFactory(
        sponsorship=sponsorship, attendee__company="Acme GmbH", attendee__email="jo@mail.acme.example"
    )
    assert leads_facts([lead.pk], sponsorship.sponsor_id)[lead.pk].account_match == ""

    account = f.AccountFactory(
        sponsor=sponsorship.sponsor, name="Acme", domains=["acme.example"], employees=900, is_target=True
    )
    facts = leads_facts([lead.pk], sponsorship.sponsor_id)[lead.pk]
    assert (facts.account_match, facts.company_size) == ("domain acme.example", 900)

    account.domains, account.is_customer = [], True
    account.save()
    facts = leads_facts([lead.pk], sponsorship.sponsor_id)[lead.pk]
    assert (facts.account_match, facts.is_customer, facts.company_key) == ("name acme", True, "acme")


def test_facts_memo_is_bounded_and_keeps_what_is_in_use():
    from tracker.scoring.facts import _Memo

    memo = _Memo(limit=3)
    for i in range(10):
        memo.put(i, str(i))
        assert memo.get(0) == "0"  # in use: survives every generation change
    assert len(memo.current) + len(memo.old) <= 6
    assert memo.get(1) is None and memo.get(1, "x") == "x"
