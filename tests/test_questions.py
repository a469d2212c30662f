"""A sponsor's own qualifying questions: answers checked at the scan API, kept per lead, scored."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tracker.models import LeadAnswer, LeadScore, Question, Scan
from tracker.questions.answers import QuestionSpec, answer_check, answers_check, lead_answers

pytestmark = pytest.mark.django_db
URL = "/api/v1/scans/"
AMEND = "/api/v1/scans/amend/"


def q(sponsor, label, kind, choices=(), **fields):
    return Question.objects.create(sponsor=sponsor, label=label, kind=kind, choices=list(choices), **fields)


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    sponsor = sponsorship.sponsor
    questions = {
        "timeline": q(sponsor, "Timeline", "single", ["this quarter", "this year", "later"], position=1),
        "clouds": q(sponsor, "Cloud provider", "multiple", ["AWS", "GCP", "Azure"], position=2),
        "budget": q(sponsor, "Budget owner", "yes_no", position=3),
        "clusters": q(sponsor, "How many clusters?", "number", position=4),
        "stack": q(sponsor, "Current tool", "text", position=5),
    }
    return sponsorship, staff, questions


@pytest.fixture
def staff_client(client, booth):
    client.force_login(booth[1].user)
    return client


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def post(client, body, url=URL):
    with _capture(execute=True):
        return client.post(url, data=json.dumps(body), content_type="application/json")


def scan(sponsorship, answers, **fields):
    return {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, "email": "pat@example.com", "first_name": "Pat", **fields, "answers": answers}  # fmt: skip


def test_answers_of_every_kind_are_stored_and_become_the_leads_answers(staff_client, booth):
    sponsorship, _, qs = booth
    answers = {
        str(qs["timeline"].pk): "this quarter",
        str(qs["clouds"].pk): ["AWS", "GCP"],
        str(qs["budget"].pk): True,
        str(qs["clusters"].pk): 12,
        str(qs["stack"].pk): "  Nomad  ",
    }

    response = post(staff_client, scan(sponsorship, answers))

    assert response.status_code == 201, response.json()
    stored = Scan.objects.get()
    assert stored.answers[str(qs["stack"].pk)] == "Nomad"
    rows = {(a.question.label, a.value, a.number) for a in LeadAnswer.objects.filter(lead=stored.lead)}
    assert rows == {
        ("Timeline", "this quarter", None),
        ("Cloud provider", "AWS", None),
        ("Cloud provider", "GCP", None),
        ("Budget owner", "yes", None),
        ("How many clusters?", "12", Decimal("12")),
        ("Current tool", "Nomad", None),
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timeline", 3, "expects one of the offered choices"),
        ("timeline", "x" * 201, "a choice is at most 200 characters"),
        ("clouds", ["AWS", 7], "expects a list of the offered choices"),
        ("budget", "maybe", "expects yes or no"),
        ("clusters", "a dozen", "expects a number"),
        ("clusters", True, "expects a number"),
        ("clusters", 1e12, "expects a number between"),
        ("clusters", "1e999999999999", "expects a number"),  # text: digits, a mark, digits only
        ("clusters", "NaN", "expects a number"),
        ("clusters", 1e308, "expects a number between"),
        ("stack", "x" * 201, "at most 200 characters"),
        ("stack", {"a": 1}, "expects text"),
    ],
)
def test_a_wrong_answer_is_an_invalid_item_naming_the_question(staff_client, booth, key, value, message):
    sponsorship, _, qs = booth
    response = post(staff_client, scan(sponsorship, {str(qs[key].pk): value}))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid"
    error = body["errors"][f"answers.{qs[key].pk}"][0]["message"]
    assert message in error and qs[key].label in error
    assert not Scan.objects.exists()


def test_another_sponsors_question_a_removed_one_and_nonsense_keys_are_refused(staff_client, booth):
    sponsorship, _, qs = booth
    theirs = q(f.SponsorFactory(), "Their question", "text")
    other_booth = q(sponsorship.sponsor, "Other booth", "text", sponsorship=f.SponsorshipFactory(sponsor=sponsorship.sponsor))  # fmt: skip

    for key in (str(theirs.pk), str(other_booth.pk), "timeline", "-1", "9" * 30):
        response = post(staff_client, scan(sponsorship, {key: "anything"}))
        assert response.status_code == 400, key
        assert (
            response.json()["errors"][f"answers.{key}"][0]["message"] == "This booth asks no such question."
        )
    assert post(staff_client, scan(sponsorship, ["not", "an", "object"])).status_code == 400


def test_a_phone_that_opened_the_screen_before_the_questions_changed_loses_nothing(staff_client, booth):
    """Removed questions, choices no longer offered and required questions added after the scan was taken:
    the scan is stored with what the phone sent, and the answer says what was kept as given."""
    sponsorship, _, qs = booth
    removed = q(sponsorship.sponsor, "Old question", "yes_no", archived_at=timezone.now())
    added = q(sponsorship.sponsor, "Added since", "text", required=True)
    taken = (added.created_at - timedelta(minutes=5)).isoformat()
    body = scan(sponsorship, {str(qs["timeline"].pk): "next decade", str(qs["clouds"].pk): ["AWS", "IBM"], str(removed.pk): True}, device_scanned_at=taken)  # fmt: skip

    response = post(staff_client, body)

    assert response.status_code == 201, response.json()
    warnings = response.json()["warnings"]
    assert (
        warnings[f"answers.{qs['timeline'].pk}"] == "Timeline: 'next decade' not offered now; kept as given."
    )
    assert warnings[f"answers.{qs['clouds'].pk}"] == "Cloud provider: 'IBM' not offered now; kept as given."
    assert warnings[f"answers.{removed.pk}"] == "Old question: no longer asked; the answer is kept."
    lead = Scan.objects.get().lead
    assert set(lead.answers.values_list("question__label", "value")) == {
        ("Timeline", "next decade"), ("Cloud provider", "AWS"), ("Cloud provider", "IBM"), ("Old question", "yes")
    }  # fmt: skip
    now = post(staff_client, scan(sponsorship, {}, email="new@example.com"))
    assert now.status_code == 400 and f"answers.{added.pk}" in now.json()["errors"]  # asked of today's scans


def test_a_question_made_required_after_a_scan_was_taken_is_not_required_of_it(staff_client, booth):
    """A phone offline since before the manager made a question required sends its scan later: it is
    stored; a scan taken after must answer."""
    sponsorship, _, qs = booth
    Question.objects.filter(pk=qs["stack"].pk).update(created_at=timezone.now() - timedelta(days=1))
    qs["stack"].refresh_from_db()  # asked, not required, since yesterday
    taken = (timezone.now() - timedelta(minutes=5)).isoformat()  # by the phone's clock, offline since
    qs["stack"].required = True
    qs["stack"].save()

    late = post(staff_client, scan(sponsorship, {}, device_scanned_at=taken))
    assert late.status_code == 201, late.json()
    now = post(staff_client, scan(sponsorship, {}, email="new@example.com"))
    assert now.status_code == 400 and f"answers.{qs['stack'].pk}" in now.json()["errors"]

    qs["stack"].required = False
    qs["stack"].save(update_fields=["required"])
    qs["stack"].refresh_from_db()
    assert qs["stack"].required_since is None
    assert post(staff_client, scan(sponsorship, {}, email="third@example.com")).status_code == 201


def test_a_required_question_the_screen_did_not_have_is_not_required_of_its_scans(staff_client, booth):
    """A phone that opened the scan screen before a question was made required (or asked again) sends
    when its screen got its questions: its scans and corrections are not refused for the new one."""
    sponsorship, _, qs = booth
    screen_loaded = (timezone.now() - timedelta(minutes=10)).isoformat()
    qs["stack"].required = True
    qs["stack"].save()

    from_the_old_screen = post(staff_client, scan(sponsorship, {}, questions_at=screen_loaded))
    assert from_the_old_screen.status_code == 201, from_the_old_screen.json()
    reloaded = post(staff_client, scan(sponsorship, {}, email="b@example.com", questions_at=timezone.now().isoformat()))  # fmt: skip
    assert reloaded.status_code == 400 and f"answers.{qs['stack'].pk}" in reloaded.json()["errors"]
    amend = {"sponsorship": sponsorship.pk, "client_uuid": scan_uuid(from_the_old_screen), "conversation_type": "demo"}  # fmt: skip
    assert post(staff_client, {**amend, "questions_at": screen_loaded}, AMEND).status_code == 200
    refused = post(staff_client, {**amend, "conversation_type": "hiring"}, AMEND)  # from a screen with it
    assert refused.status_code == 400 and f"answers.{qs['stack'].pk}" in refused.json()["errors"]
    bad = post(staff_client, {**amend, "questions_at": "yesterday"}, AMEND)
    assert bad.status_code == 400 and "questions_at" in bad.json()["errors"]

    # Removed, then asked again: required of the scans taken after it was asked again, not before.
    Question.objects.filter(pk=qs["stack"].pk).update(required_since=timezone.now() - timedelta(days=1))
    qs["stack"].refresh_from_db()  # required since yesterday
    qs["stack"].archived_at = timezone.now()
    qs["stack"].save(update_fields=["archived_at"])
    while_removed = (timezone.now() - timedelta(seconds=1)).isoformat()
    qs["stack"].archived_at = None
    qs["stack"].save(update_fields=["archived_at"])
    assert post(staff_client, scan(sponsorship, {}, email="c@example.com", device_scanned_at=while_removed)).status_code == 201  # fmt: skip
    assert post(staff_client, scan(sponsorship, {}, email="d@example.com")).status_code == 400


def test_a_required_question_asked_of_more_scans_is_required_of_them_from_then(booth):
    sponsorship, _, qs = booth
    question = q(sponsorship.sponsor, "Team size", "number", required=True, conversation_types=["demo"], sponsorship=sponsorship)  # fmt: skip
    since = question.required_since
    assert since is not None

    question.label = "Team size (people)"
    question.save()
    assert question.required_since == since  # asked of the same scans: unchanged
    for change in (
        {"conversation_types": ["demo", "hiring"]},
        {"conversation_types": []},
        {"sponsorship": None},
    ):
        for name, value in change.items():
            setattr(question, name, value)
        question.save()
        assert question.required_since > since, change
        since = question.required_since


def scan_uuid(response) -> str:
    body = response.json()
    return body["client_uuid"] if "client_uuid" in body else body["results"][0]["client_uuid"]


def test_one_bad_answer_sinks_only_its_own_scan_in_a_batch(staff_client, booth):
    sponsorship, _, qs = booth
    good = scan(sponsorship, {str(qs["timeline"].pk): "later"}, email="b2@example.com")
    bad = scan(sponsorship, {str(qs["timeline"].pk): 42}, email="b3@example.com")

    response = post(staff_client, {"scans": [good, bad]})

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["created", "invalid"]
    assert Scan.objects.get().answers == {str(qs["timeline"].pk): "later"}


def test_a_required_question_is_required_only_for_the_conversations_it_is_asked_in(staff_client, booth):
    sponsorship, _, qs = booth
    q(sponsorship.sponsor, "Team size", "number", required=True, conversation_types=["demo"])

    demo = post(staff_client, scan(sponsorship, {}, conversation_type="demo"))
    swag = post(staff_client, scan(sponsorship, {}, conversation_type="swag_only", email="b9@example.com"))

    assert demo.status_code == 400
    assert "Team size: Alpha Cloud requires an answer." in json.dumps(demo.json())
    assert swag.status_code == 201


def test_the_latest_scan_that_answered_gives_the_leads_answer(staff_client, booth):
    sponsorship, _, qs = booth
    key = str(qs["timeline"].pk)
    assert (
        post(staff_client, scan(sponsorship, {key: "later", str(qs["budget"].pk): False})).status_code == 201
    )
    assert post(staff_client, scan(sponsorship, {key: "this quarter"})).status_code == 201

    lead = Scan.objects.first().lead
    assert dict(lead.answers.values_list("question__label", "value")) == {"Timeline": "this quarter", "Budget owner": "no"}  # fmt: skip


def test_a_correction_replaces_the_answers_and_keeps_the_old_in_the_revisions(staff_client, booth):
    sponsorship, _, qs = booth
    key = str(qs["timeline"].pk)
    body = scan(sponsorship, {key: "later"})
    post(staff_client, body)

    refused = post(staff_client, {"sponsorship": sponsorship.pk, "client_uuid": body["client_uuid"], "answers": {key: ["not", "one"]}}, AMEND)  # fmt: skip
    fixed = post(staff_client, {"sponsorship": sponsorship.pk, "client_uuid": body["client_uuid"], "answers": {key: "this year"}}, AMEND)  # fmt: skip

    assert refused.status_code == 400
    assert fixed.status_code == 200, fixed.json()
    stored = Scan.objects.get()
    assert stored.answers == {key: "this year"}
    assert stored.revisions[-1]["was"] == {"answers": {key: "later"}}
    assert list(stored.lead.answers.values_list("value", flat=True)) == ["this year"]


def test_changing_a_question_keeps_the_answers_already_given(staff_client, booth):
    sponsorship, _, qs = booth
    key = str(qs["timeline"].pk)
    post(staff_client, scan(sponsorship, {key: "later"}))
    qs["timeline"].choices = ["Q1", "Q2"]
    qs["timeline"].archived_at = timezone.now()
    qs["timeline"].save()
    post(staff_client, scan(sponsorship, {str(qs["budget"].pk): True}))  # the lead's answers recomputed

    lead = Scan.objects.first().lead
    assert set(lead.answers.values_list("question__label", "value")) == {("Timeline", "later"), ("Budget owner", "yes")}  # fmt: skip


def test_answers_score_with_reasons_that_name_the_question_and_answer(staff_client, booth):
    sponsorship, _, qs = booth
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now(), grade_a_min=60, grade_b_min=30, grade_c_min=10)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="answer", question=qs["timeline"], kind="in_set", label="Timeline", values=["this quarter"], weight=20)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="fit", field="answer", question=qs["clusters"], kind="range", label="Clusters", values=[], min_value=10, weight=15)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="negative", field="answer", question=qs["budget"], kind="in_set", label="Not the budget owner", values=["no"], weight=10, action="penalise")  # fmt: skip

    post(staff_client, scan(sponsorship, {str(qs["timeline"].pk): "this quarter", str(qs["clusters"].pk): 40, str(qs["budget"].pk): False}))  # fmt: skip

    score = LeadScore.objects.get()
    assert [(r["points"], r["reason"]) for r in score.reasons] == [
        (-10, "Not the budget owner (no)"),
        (20, "Timeline: this quarter"),
        (15, "Clusters: 40"),
    ]
    assert score.score == 25


def test_the_checks_are_pure_and_never_raise():
    spec = QuestionSpec(1, "Timeline", "single", ("a", "b"))
    assert answer_check(spec, "a") == ("a", "")
    assert answer_check(spec, "  ") == (None, "")
    assert answers_check({"1": spec}, {"1": "b"}).answers == {"1": "b"}
    assert lead_answers([{"1": "b"}, {"1": "a", "2": True}, None]) == {"1": "b", "2": True}


@pytest.mark.parametrize(
    ("typed", "read"),
    [("12", 12), ("3,5", 3.5), ("3.5", 3.5), ("1,500", 1500), ("12,000,000", 12000000), ("1 500", 1500),
     ("1.500.000", 1500000), ("1.500,5", 1500.5), ("1,500.5", 1500.5), ("-2,25", -2.25), ("0,500", 0.5)],
)  # fmt: skip
def test_a_number_is_read_as_people_write_it(typed, read):
    """A comma alone is a decimal mark unless it groups thousands; of a comma and a point the last one is
    (the scan screen reads them the same way: tests/test_questions_browser.py)."""
    spec = QuestionSpec(1, "Clusters", "number")
    assert answer_check(spec, typed) == (read, "")


@pytest.mark.parametrize(
    "typed",
    [
        "40 clusters",
        "1,5,0",
        "1.2.3,4",
        "1,5.0",
        "12,50,000",
        "1,500.5e3",
        "1,000.5_5",
        "1e3",
        "+1,500",
        "١,٥٠٠",
    ],
)
def test_what_is_not_a_number_is_said(typed):
    assert answer_check(QuestionSpec(1, "Clusters", "number"), typed) == (None, "expects a number")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(st.sampled_from(["timeline", "clouds", "budget", "clusters", "stack", "x"]), JSON, max_size=5))  # fmt: skip
def test_any_json_as_answers_is_stored_or_refused_with_a_4xx_never_a_5xx(staff_client, booth, answers):
    sponsorship, _, qs = booth
    sent = {str(qs[k].pk) if k in qs else k: v for k, v in answers.items()}
    response = post(staff_client, scan(sponsorship, sent))
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert all(key.startswith("answers") for key in response.json()["errors"])


LOOKUP = "/api/v1/scans/lookup/"


def test_the_lookup_previews_the_grade_with_what_the_card_says_so_far(staff_client, booth):
    sponsorship, _, qs = booth
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now(), grade_a_min=50, grade_b_min=30, grade_c_min=10)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="fit", field="seniority", kind="in_set", label="Director or above", values=["director", "vp", "c_level"], weight=30)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="answer", question=qs["timeline"], kind="in_set", label="Timeline", values=["this quarter"], weight=20)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="negative", field="conversation_type", kind="in_set", label="swag only", values=["swag_only"], weight=10, action="penalise")  # fmt: skip
    badge = {"sponsorship": sponsorship.pk, "first_name": "Ana", "email": "ana@bigco.example", "title": "VP Engineering"}  # fmt: skip

    bare = post(staff_client, badge, LOOKUP).json()["grade"]
    with_card = post(staff_client, {**badge, "answers": {str(qs["timeline"].pk): "this quarter"}}, LOOKUP).json()["grade"]  # fmt: skip
    swag = post(staff_client, {**badge, "conversation_type": "swag_only", "answers": {str(qs["timeline"].pk): "this quarter"}}, LOOKUP).json()["grade"]  # fmt: skip
    nonsense = post(staff_client, {**badge, "answers": {"nope": 1, str(qs["timeline"].pk): "never"}}, LOOKUP)

    assert bare["grade"] == "B" and bare["reasons"] == ["+30 Director or above (seniority VP)"]
    assert with_card["grade"] == "A"
    assert with_card["reasons"] == ["+30 Director or above (seniority VP)", "+20 Timeline: this quarter"]
    assert swag["grade"] == "B" and "-10 swag only (conversation type Swag only)" in swag["reasons"]
    assert (
        nonsense.status_code == 200 and nonsense.json()["grade"]["grade"] == "B"
    )  # a preview leaves them out
    assert not Scan.objects.exists()


def test_the_preview_of_a_known_lead_adds_the_card_to_what_the_booth_already_had(staff_client, booth):
    sponsorship, _, qs = booth
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now(), grade_a_min=60, grade_b_min=30, grade_c_min=10)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="rating", kind="in_set", label="Hot", values=["hot"], weight=35)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="answer", question=qs["budget"], kind="in_set", label="Budget owner", values=["yes"], weight=30)  # fmt: skip
    post(staff_client, scan(sponsorship, {}, rating="hot"))

    preview = post(staff_client, {"sponsorship": sponsorship.pk, "email": "pat@example.com", "answers": {str(qs["budget"].pk): True}}, LOOKUP).json()  # fmt: skip

    assert preview["known"] is True
    assert preview["grade"]["grade"] == "A"
    assert preview["grade"]["reasons"] == ["+35 Hot (rating Hot)", "+30 Budget owner: yes"]


def test_without_a_published_icp_the_preview_is_null(staff_client, booth):
    sponsorship, _, _ = booth
    answer = post(staff_client, {"sponsorship": sponsorship.pk, "email": "x@example.com"}, LOOKUP)
    assert answer.status_code == 200 and answer.json()["grade"] is None


def test_a_correction_cannot_leave_a_required_question_unanswered(staff_client, booth):
    sponsorship, _, qs = booth
    team = q(sponsorship.sponsor, "Team size", "number", required=True, conversation_types=["demo"])
    body = scan(sponsorship, {}, conversation_type="swag_only")
    assert post(staff_client, body).status_code == 201
    amend = {"sponsorship": sponsorship.pk, "client_uuid": body["client_uuid"]}

    to_demo = post(staff_client, {**amend, "conversation_type": "demo"}, AMEND)
    with_answer = post(
        staff_client, {**amend, "conversation_type": "demo", "answers": {str(team.pk): 8}}, AMEND
    )
    blanked = post(staff_client, {**amend, "answers": {}}, AMEND)

    assert to_demo.status_code == 400 and f"answers.{team.pk}" in to_demo.json()["errors"]
    assert with_answer.status_code == 200
    assert blanked.status_code == 400
    assert Scan.objects.get().answers == {str(team.pk): 8}


def test_the_lead_keeps_the_answer_the_phone_took_last_even_when_an_older_scan_syncs_later(
    staff_client, booth
):
    sponsorship, _, qs = booth
    key = str(qs["timeline"].pk)
    now = timezone.now()
    post(staff_client, scan(sponsorship, {key: "this quarter"}, device_scanned_at=now.isoformat()))
    post(staff_client, scan(sponsorship, {key: "later"}, device_scanned_at=(now - timedelta(hours=3)).isoformat()))  # fmt: skip

    lead = Scan.objects.first().lead
    assert list(lead.answers.values_list("value", flat=True)) == ["this quarter"]


def test_an_answer_naming_another_sponsors_question_never_becomes_a_leads_answer(booth):
    from tracker.scans.matching import leads_recount

    sponsorship, _, qs = booth
    theirs = q(f.SponsorFactory(), "Theirs", "text")
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory(
        lead=lead, answers={str(theirs.pk): "sneaky", str(qs["stack"].pk): "Nomad"}
    )  # written past the API
    leads_recount([lead.pk])
    assert list(lead.answers.values_list("question__label", "value")) == [("Current tool", "Nomad")]


def test_a_card_the_api_would_refuse_still_looks_the_badge_up_without_a_grade(staff_client, booth):
    sponsorship, _, _ = booth
    f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now())
    answer = post(
        staff_client, {"sponsorship": sponsorship.pk, "email": "x@example.com", "rating": "bogus"}, LOOKUP
    )
    assert answer.status_code == 200 and answer.json()["grade"] is None


def test_a_sponsor_saved_whole_keeps_the_questions_stamp_a_change_wrote_meanwhile(booth):
    from tracker.models import Sponsor

    sponsorship, _, _ = booth
    stale = Sponsor.objects.get(pk=sponsorship.sponsor_id)
    q(sponsorship.sponsor, "New", "text")  # changes the stamp in the database
    fresh = Sponsor.objects.get(pk=stale.pk).questions_stamp
    stale.retention_days = 30
    stale.save()
    assert Sponsor.objects.get(pk=stale.pk).questions_stamp == fresh != ""


def test_a_sponsor_whose_published_icp_reads_a_question_can_still_be_deleted(booth):
    from tracker.models import Question, Sponsor

    sponsorship, _, qs = booth
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now())
    f.IcpCriterionFactory(icp=icp, field="answer", question=qs["timeline"], values=["later"])
    with pytest.raises(Exception, match="restricted"):
        qs["timeline"].delete()  # not on its own: a rule reads it
    Sponsor.objects.get(pk=sponsorship.sponsor_id).delete()
    assert not Question.objects.filter(sponsor_id=sponsorship.sponsor_id).exists()


def test_a_grade_preview_reuses_the_accounts_it_read_moments_ago_and_a_stored_score_never_does(
    staff_client, booth
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sponsorship, _, _ = booth
    f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now())
    f.AccountFactory(sponsor=sponsorship.sponsor)
    badge = {"sponsorship": sponsorship.pk, "email": "ana@bigco.example", "title": "VP Engineering"}
    post(staff_client, badge, LOOKUP)  # reads the accounts once

    def account_reads(call) -> int:
        with CaptureQueriesContext(connection) as queries:
            call()
        return sum('"tracker_account"' in q["sql"] for q in queries.captured_queries)

    assert account_reads(lambda: post(staff_client, badge, LOOKUP)) == 0
    from tracker.scoring.facts import sponsor_accounts

    assert account_reads(lambda: sponsor_accounts(sponsorship.sponsor_id)) == 1  # scoring's own read
