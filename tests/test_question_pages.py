"""Managers define their questions; booth staff and other sponsors cannot touch them."""

import re

import pytest
from django.utils import timezone

from tests import factories as f
from tracker.models import Question, Scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor_setup():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    manager = f.StaffMemberFactory(sponsor=sponsorship.sponsor, level="manager")
    booth_staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    booth_staff.sponsorships.add(sponsorship)
    return sponsorship, manager, booth_staff


def add(client, sponsor, **fields):
    data = {
        "label": "Timeline",
        "kind": "single",
        "choices": "this quarter\nthis year\n\nthis year",
        **fields,
    }
    return client.post(f"/sponsors/{sponsor.pk}/questions/", data)


def test_a_manager_adds_a_question_and_the_scan_screen_asks_it(client, sponsor_setup):
    sponsorship, manager, booth_staff = sponsor_setup
    client.force_login(manager.user)

    response = add(
        client, sponsorship.sponsor, required="on", conversation_types=["demo", "technical_deep_dive"]
    )

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.choices == ["this quarter", "this year"]
    assert question.required and question.conversation_types == ["demo", "technical_deep_dive"]
    page = client.get(f"/sponsors/{sponsorship.sponsor.pk}/questions/").content.decode()
    assert "Timeline" in page and "for Demo, Technical deep-dive" in page
    client.force_login(booth_staff.user)
    config = client.get(f"/sponsorships/{sponsorship.pk}/scan/").context["config"]
    assert config["questions"] == [{"key": str(question.pk), "label": "Timeline", "kind": "single", "choices": ["this quarter", "this year"], "required": True, "conversation_types": ["demo", "technical_deep_dive"]}]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"choices": "only one"}, "at least two answers"),
        ({"label": ""}, "This field is required."),
        ({"kind": "sometimes"}, "Select a valid choice."),
        ({"choices": "\n".join(f"c{i}" for i in range(21))}, "At most 20 answers"),
        ({"choices": "x" * 81 + "\ny"}, "at most 80 characters"),
        ({"conversation_types": ["lunch"]}, "Select a valid choice."),
    ],
)
def test_a_bad_question_is_refused_with_its_reason(client, sponsor_setup, fields, message):
    sponsorship, manager, _ = sponsor_setup
    client.force_login(manager.user)
    response = add(client, sponsorship.sponsor, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_a_question_with_answers_keeps_its_kind_and_removing_it_keeps_the_answers(client, sponsor_setup):
    sponsorship, manager, _ = sponsor_setup
    client.force_login(manager.user)
    add(client, sponsorship.sponsor)
    question = Question.objects.get()
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory(lead=lead, answers={str(question.pk): "this year"})

    changed = client.post(f"/sponsors/{sponsorship.sponsor.pk}/questions/?edit={question.pk}", {"label": "When?", "kind": "text"})  # fmt: skip
    removed = client.post(f"/questions/{question.pk}/", {"action": "remove"})

    assert "its kind stays" in changed.content.decode()
    assert removed.status_code == 302
    question.refresh_from_db()
    assert question.kind == "single" and question.archived_at is not None
    assert Scan.objects.get().answers == {str(question.pk): "this year"}


def test_moving_questions_changes_the_order_the_booth_sees(client, sponsor_setup):
    sponsorship, manager, _ = sponsor_setup
    client.force_login(manager.user)
    for label in ("First", "Second", "Third"):
        add(client, sponsorship.sponsor, label=label, kind="text", choices="")
    third = Question.objects.get(label="Third")

    client.post(f"/questions/{third.pk}/", {"action": "up"})
    client.post(f"/questions/{third.pk}/", {"action": "up"})
    client.post(f"/questions/{third.pk}/", {"action": "up"})  # already first: nothing moves

    assert list(Question.objects.order_by("position").values_list("label", flat=True)) == [
        "Third",
        "First",
        "Second",
    ]


def test_booth_staff_and_other_sponsors_managers_cannot_see_or_change_questions(client, sponsor_setup):
    sponsorship, _, booth_staff = sponsor_setup
    question = Question.objects.create(sponsor=sponsorship.sponsor, label="Timeline", kind="text")
    other = f.StaffMemberFactory(level="manager")
    other_question = Question.objects.create(sponsor=other.sponsor, label="Theirs", kind="text")

    for user in (booth_staff.user, other.user):
        client.force_login(user)
        assert client.get(f"/sponsors/{sponsorship.sponsor.pk}/questions/").status_code == 404
        for action in ("remove", "up", "restore"):
            assert client.post(f"/questions/{question.pk}/", {"action": action}).status_code == 404
    client.force_login(other.user)
    # Another sponsor's question id as the one to edit is not found either.
    assert client.get(f"/sponsors/{other.sponsor.pk}/questions/?edit={question.pk}").status_code == 404
    assert (
        client.post(f"/questions/{other_question.pk}/", {"action": "explode"}).status_code == 302
    )  # their own: refused with a message
    assert Question.objects.filter(archived_at__isnull=True).count() == 2


def test_another_sponsors_booth_cannot_be_chosen(client, sponsor_setup):
    sponsorship, manager, _ = sponsor_setup
    client.force_login(manager.user)
    elsewhere = f.SponsorshipFactory()
    response = add(client, sponsorship.sponsor, sponsorship=elsewhere.pk)
    assert "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_a_removed_question_can_be_asked_again(client, sponsor_setup):
    sponsorship, manager, _ = sponsor_setup
    client.force_login(manager.user)
    question = Question.objects.create(sponsor=sponsorship.sponsor, label="Timeline", kind="text", archived_at=timezone.now())  # fmt: skip
    client.post(f"/questions/{question.pk}/", {"action": "restore"})
    question.refresh_from_db()
    assert question.archived_at is None


def test_the_lead_table_filters_on_answers_and_shows_them_as_optional_columns(client, sponsor_setup):
    sponsorship, manager, _ = sponsor_setup
    timeline = Question.objects.create(sponsor=sponsorship.sponsor, label="Timeline", kind="single", choices=["this quarter", "later"])  # fmt: skip
    clusters = Question.objects.create(sponsor=sponsorship.sponsor, label="Clusters", kind="number")
    budget = Question.objects.create(sponsor=sponsorship.sponsor, label="Budget owner", kind="yes_no")
    people = {}
    for name, answers in (
        ("Quinn", {timeline: "this quarter", clusters: 40, budget: True}),
        ("Lou", {timeline: "later", clusters: 3, budget: False}),
        ("Mo", {}),
    ):
        lead = f.LeadFactory(sponsorship=sponsorship, attendee__first_name=name, attendee__last_name="X")
        f.ScanFactory(lead=lead, answers={str(q.pk): a for q, a in answers.items()} or None)
        people[name] = lead
    from tracker.scans.matching import leads_recount

    leads_recount([lead.pk for lead in people.values()])
    client.force_login(manager.user)
    url = f"/sponsorships/{sponsorship.pk}/leads/"

    def names(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {n for n in people if f">{n} X<" in response.content.decode()}

    assert names({}) == {"Quinn", "Lou", "Mo"}
    assert names({f"answer_{timeline.pk}": "this quarter"}) == {"Quinn"}
    assert names({f"answer_{budget.pk}": "no"}) == {"Lou"}
    assert names({f"answer_{clusters.pk}_min": "10"}) == {"Quinn"}
    assert names({f"answer_{clusters.pk}_max": "10", f"answer_{budget.pk}": "yes"}) == set()
    shown = client.get(
        url, {"columns": ["name", f"answer_{timeline.pk}", f"answer_{clusters.pk}"]}
    ).content.decode()
    assert re.search(r"<th[^>]*>\s*Timeline\s*</th>", shown) and re.search(
        r"<th[^>]*>\s*Clusters\s*</th>", shown
    )
    assert "<td>this quarter</td>" in shown and "<td>40</td>" in shown and "<td>later</td>" in shown
    # Another sponsor's question as a filter name is nothing: the list is not narrowed by it.
    theirs = Question.objects.create(sponsor=f.SponsorFactory(), label="Theirs", kind="yes_no")
    assert names({f"answer_{theirs.pk}": "yes"}) == {"Quinn", "Lou", "Mo"}
