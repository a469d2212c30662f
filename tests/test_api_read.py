"""The read API as a CRM or BI tool uses it: the caller's leads a page at a time, by cursor, with their
scores; scoped as the app is; contact data only for leads who agreed to be contacted."""

import pytest
from django.urls import reverse

from tests import factories as f
from tracker import models as m
from tracker.models.choices import PermissionLevel

pytestmark = pytest.mark.django_db
LEADS = "/api/v1/leads/"


@pytest.fixture
def booths():
    """A sponsor with two booths of five leads each (the first two agreeing to be contacted), a manager
    and a booth staff member rostered on the first booth; another sponsor's lead."""
    first = f.SponsorshipFactory()
    second = f.SponsorshipFactory(sponsor=first.sponsor)
    for booth in (first, second):
        for i in range(5):
            lead = f.LeadFactory(
                sponsorship=booth, consent=True if i < 2 else None, attendee__phone="+33 1 23 45 67 89"
            )
            f.LeadScoreFactory(lead=lead, grade="A" if i % 2 else "C")
    manager = f.StaffMemberFactory(sponsor=first.sponsor, level=PermissionLevel.MANAGER)
    staff = f.StaffMemberFactory(sponsor=first.sponsor)
    staff.sponsorships.add(first)
    stranger = f.LeadFactory()
    return first, second, manager, staff, stranger


def pages(client, **params) -> list[dict]:
    """Every page, following ``next``."""
    answers, query = [], {**params}
    while True:
        answer = client.get(LEADS, query)
        assert answer.status_code == 200, answer.content
        answers.append(answer.json())
        if answers[-1]["next"] is None:
            return answers
        query["cursor"] = answers[-1]["next"]


def test_a_manager_pages_through_every_lead_of_the_sponsor_once(client, booths):
    first, second, manager, _, stranger = booths
    client.force_login(manager.user)
    answers = pages(client, limit=3)
    ids = [lead["id"] for page in answers for lead in page["items"]]
    assert len(answers) == 4 and len(ids) == len(set(ids)) == 10
    assert set(ids) == set(
        m.Lead.objects.filter(sponsorship__sponsor=first.sponsor).values_list("pk", flat=True)
    )
    assert stranger.pk not in ids
    lead = answers[0]["items"][0]
    assert lead["score"]["grade"] in {"A", "C"} and lead["score"]["reasons"][0]["reason"]


def test_booth_staff_read_their_booth_only_and_another_booth_is_a_404(client, booths):
    first, second, _, staff, stranger = booths
    client.force_login(staff.user)
    ids = {lead["id"] for page in pages(client) for lead in page["items"]}
    assert ids == set(first.leads.values_list("pk", flat=True))
    assert client.get(LEADS, {"sponsorship": second.pk}).status_code == 404
    assert client.get(LEADS, {"sponsorship": stranger.sponsorship_id}).status_code == 404
    assert client.get(reverse("api:lead", args=[stranger.pk])).status_code == 404


def test_contact_data_only_for_leads_who_agreed(client, booths):
    first, _, manager, _, _ = booths
    client.force_login(manager.user)
    for lead in (item for page in pages(client, sponsorship=first.pk) for item in page["items"]):
        stored = m.Lead.objects.select_related("attendee").get(pk=lead["id"])
        assert lead["email"] == (stored.attendee.email if stored.consent else "")
        assert lead["phone"] == (stored.attendee.phone if stored.consent else "")
        assert stored.attendee.email and stored.attendee.phone


def test_grade_narrows_and_a_forged_cursor_or_limit_is_refused(client, booths):
    first, _, manager, _, _ = booths
    client.force_login(manager.user)
    graded = [item["score"]["grade"] for page in pages(client, grade="a") for item in page["items"]]
    assert graded == ["A"] * 4
    for query in ({"cursor": "12"}, {"limit": 0}, {"limit": 501}, {"limit": "many"}):
        answer = client.get(LEADS, query)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid", query


def test_a_device_token_reads_nothing_and_nobody_logged_in_neither(client, booths):
    first, _, _, staff, _ = booths
    _, key = m.DeviceToken.issue(staff=staff, name="kiosk", sponsorship=first)
    answer = client.get(LEADS, HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 401 and answer.json()["error"] == "scanning_only"
    assert client.get(LEADS).json()["error"] == "login_required"
