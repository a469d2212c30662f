"""Staff see their own sponsors' objects only; anything else does not exist for them (404)."""

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from tests import factories as f
from tests.worlds import build_worlds
from tracker import models as m
from tracker.tenancy import SHARED_MODELS, TENANT_PATHS, scoped


@pytest.fixture
def worlds(db):
    return build_worlds()


def test_every_model_has_a_tenancy_rule():
    tracked = set(TENANT_PATHS) | SHARED_MODELS
    missing = [
        model.__name__ for model in apps.get_app_config("tracker").get_models() if model not in tracked
    ]
    assert missing == []


@pytest.mark.parametrize("model", list(TENANT_PATHS), ids=lambda model: model.__name__)
def test_a_manager_sees_only_their_sponsors_rows(worlds, model):
    a, b = worlds
    visible = scoped(model, a.manager.user)
    assert visible.filter(pk=a.objects[model].pk).exists()
    if model is not m.Event or b.objects[m.Event].pk != a.objects[m.Event].pk:
        assert not visible.filter(pk=b.objects[model].pk).exists()
    assert visible.count() == visible.distinct().count(), "scoping must not duplicate rows"


def test_booth_staff_see_their_booth_only(worlds):
    a, b = worlds
    user = a.booth_staff.user
    assert list(scoped(m.Sponsorship, user)) == [a.booth]
    assert set(scoped(m.Lead, user)) == {a.objects[m.Lead]}
    assert not scoped(m.Lead, user).filter(sponsorship=a.other_booth).exists()
    # Costs and the ICP are for managers.
    assert not scoped(m.CostLine, user).exists()
    assert not scoped(m.IdealCustomerProfile, user).exists()
    assert not scoped(m.Scan, user).filter(sponsorship__sponsor=b.sponsor).exists()


def test_superuser_sees_everything(worlds):
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    assert scoped(m.Lead, admin).count() == 2


def test_a_user_without_a_staff_membership_sees_nothing(worlds):
    nobody = f.UserFactory()
    assert not any(scoped(model, nobody).exists() for model in TENANT_PATHS)


def test_inactive_membership_grants_nothing(worlds):
    a, _ = worlds
    a.manager.is_active = False
    a.manager.save()
    assert not scoped(m.Lead, a.manager.user).exists()


# Every route that takes an object id, and which object of a world it names.
ROUTE_OBJECTS = {
    "sponsor-overview": m.Sponsor,
    "sponsor-portfolio": m.Sponsor,
    "event-landscape": m.Event,
    "icp-editor": m.Sponsor,
    "icp-draft-create": m.Sponsor,
    "icp-publish": m.Sponsor,
    "icp-progress": m.Sponsor,
    "sponsorship-detail": m.Sponsorship,
    "sponsorship-roi": m.Sponsorship,
    "scan-screen": m.Sponsorship,
    "booth-board": m.Sponsorship,
    "booth-board-data": m.Sponsorship,
    "unknown-badges": m.Sponsorship,
    "lead-list": m.Sponsorship,
    "lead-detail": m.Lead,
    "lead-consent": m.Lead,
    "follow-ups-create": m.Sponsorship,
    "follow-up-rules": m.Sponsor,
    "device-tokens": m.Sponsor,
    "privacy": m.Sponsor,
    "questions": m.Sponsor,
    "question-action": m.Question,
    "crm": m.Sponsor,
    "crm-connection": m.CrmConnection,
    "crm-push": m.CrmConnection,
    "crm-disconnect": m.CrmConnection,
    "device-token-revoke": m.DeviceToken,
    "follow-up-status": m.FollowUp,
    "export-progress": m.ExportLog,
    "export-download": m.ExportLog,
    "import-job": m.ImportJob,
    "import-check": m.ImportJob,
    "import-run": m.ImportJob,
    "import-progress": m.ImportJob,
    "import-rejected": m.ImportJob,
}


# Actions that only take POST; for them the POST must be the 404.
POST_ONLY = {
    "icp-draft-create",
    "icp-publish",
    "follow-ups-create",
    "follow-up-status",
    "import-check",
    "import-run",
    "device-token-revoke",
    "lead-consent",
    "question-action",
    "crm-push",
    "crm-disconnect",
}


def _tracker_routes_with_ids():
    names = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "name", None) and "<int:pk>" in str(pattern.pattern):
            names.append(pattern.name)
    return names


def test_every_id_route_is_covered_by_the_tenancy_tests():
    assert sorted(_tracker_routes_with_ids()) == sorted(ROUTE_OBJECTS)


@pytest.mark.parametrize("route", sorted(ROUTE_OBJECTS))
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_another_sponsors_object_is_a_404_for_every_method(worlds, client, route, method):
    a, b = worlds
    for intruder in (a.manager, a.booth_staff):
        client.force_login(intruder.user)
        url = reverse(route, args=[b.objects[ROUTE_OBJECTS[route]].pk])
        response = getattr(client, method)(url)
        assert response.status_code in (404, 405), (intruder, url, response.status_code)
        if method == ("post" if route in POST_ONLY else "get"):
            assert response.status_code == 404


@pytest.mark.parametrize("route", sorted(ROUTE_OBJECTS))
def test_own_objects_open_for_the_manager(worlds, client, route):
    a, _ = worlds
    client.force_login(a.manager.user)
    url = reverse(route, args=[a.objects[ROUTE_OBJECTS[route]].pk])
    response = client.post(url) if route in POST_ONLY else client.get(url)
    # Publishing an ICP first asks for confirmation (a page); the other actions redirect when done.
    assert response.status_code == (302 if route in POST_ONLY - {"icp-publish"} else 200)


def test_booth_staff_open_their_booth_and_lead_but_not_the_sponsor_overview(worlds, client):
    a, _ = worlds
    client.force_login(a.booth_staff.user)
    assert client.get(reverse("sponsorship-detail", args=[a.booth.pk])).status_code == 200
    assert client.get(reverse("lead-detail", args=[a.objects[m.Lead].pk])).status_code == 200
    assert client.get(reverse("sponsorship-detail", args=[a.other_booth.pk])).status_code == 404
    assert client.get(reverse("sponsor-overview", args=[a.sponsor.pk])).status_code == 404
    assert client.get(reverse("unknown-badges", args=[a.booth.pk])).status_code == 404
    assert client.get(reverse("scan-screen", args=[a.booth.pk])).status_code == 200


def test_lists_show_only_own_sponsorships(worlds, client):
    a, b = worlds
    client.force_login(a.manager.user)
    page = client.get(reverse("my-booths")).content.decode()
    assert "Alpha Cloud" in page
    assert "Beta Mesh" not in page


def test_pages_need_a_login(worlds, client):
    a, _ = worlds
    for route in ROUTE_OBJECTS:
        response = client.get(reverse(route, args=[a.objects[ROUTE_OBJECTS[route]].pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_owner_off_the_roster_sees_the_leads_handed_to_them_and_nothing_else(worlds, client):
    a, b = worlds
    rep = f.StaffMemberFactory(sponsor=a.sponsor, level="booth")  # was not at the booth
    lead = a.objects[m.Lead]
    other_lead = f.LeadFactory(sponsorship=a.booth)
    f.FollowUpFactory(lead=other_lead)  # someone else's
    m.FollowUp.objects.filter(lead=lead).update(owner=rep)
    client.force_login(rep.user)
    assert client.get(reverse("lead-detail", args=[lead.pk])).status_code == 200
    assert client.get(reverse("lead-detail", args=[other_lead.pk])).status_code == 404
    assert client.get(reverse("sponsorship-detail", args=[a.booth.pk])).status_code == 404
    assert list(scoped(m.Scan, rep.user)) == [a.objects[m.Scan]]
    assert list(scoped(m.Lead, rep.user)) == [lead]
    rep.is_active = False
    rep.save()
    rep.user.refresh_from_db()
    assert client.get(reverse("lead-detail", args=[lead.pk])).status_code == 404


@pytest.mark.django_db
def test_what_one_sponsor_is_told_about_a_person_never_reaches_another_sponsors_lead(tmp_path, client):
    """The attendee is every sponsor's at the event. Alpha's lead file, booth scan and resolve form give the
    person an email and phone the organiser's list left blank: Alpha's lead page, sales review and CRM
    file show them; Beta, who has the same person as a lead, sees none of it (nor could Alpha plant it)."""
    import io

    from django.core.management import call_command

    from tracker.crm.facts import leads_facts
    from tracker.exports.service import export_run, export_start
    from tracker.models import Attendee, Lead, Scan
    from tracker.scans.review import scan_resolve

    alpha = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    beta = f.SponsorshipFactory(sponsor__name="Beta Data", event=alpha.event)
    person = f.AttendeeFactory(event=alpha.event, badge_id="KC-77", first_name="Noor", last_name="Haddad",
                               email="", phone="", title="")  # fmt: skip
    theirs = f.LeadFactory(sponsorship=beta, attendee=person)
    other = f.AttendeeFactory(event=alpha.event, badge_id="KC-78", email="", phone="")
    f.LeadFactory(sponsorship=beta, attendee=other)

    path = tmp_path / "alpha.csv"
    path.write_text(
        "Badge ID,Email,Phone,Job title,Notes\nKC-77,planted@alpha.example,+1 900 555 0100,CTO,hi\n"
    )
    call_command("import_leads", str(path), "--sponsorship", str(alpha.pk), stdout=io.StringIO())
    unknown = f.ScanFactory(lead=None, sponsorship=alpha, raw_payload="NOPE-1", processed_at=None)
    scan_resolve(scan=unknown, data={"badge_id": "KC-78", "email": "resolver@alpha.example"})

    for attendee in (person, other):
        attendee.refresh_from_db()
        assert (attendee.email, attendee.phone) == ("", "")  # the shared record is the organiser's alone
    assert Attendee.objects.get(pk=person.pk).title == ""

    ours = Lead.objects.get(sponsorship=alpha, attendee=person)
    Lead.objects.filter(pk=ours.pk).update(consent=True)
    Lead.objects.filter(pk=theirs.pk).update(consent=True)
    alpha_manager = f.StaffMemberFactory(sponsor=alpha.sponsor, level="manager")
    beta_manager = f.StaffMemberFactory(sponsor=beta.sponsor, level="manager")
    client.force_login(alpha_manager.user)
    assert "planted@alpha.example" in client.get(ours.get_absolute_url()).content.decode()
    (alpha_facts,) = leads_facts([ours.pk])
    assert (alpha_facts.email, alpha_facts.title) == ("planted@alpha.example", "CTO")
    client.force_login(beta_manager.user)
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert "planted@alpha.example" not in page and "900 555" not in page
    (beta_facts,) = leads_facts([theirs.pk])
    assert (beta_facts.email, beta_facts.phone, beta_facts.title) == ("", "", "")
    for manager, booth, present in ((alpha_manager, alpha, True), (beta_manager, beta, False)):
        job = export_run(export_start(user=manager.user, kind="sales-review", file_format="csv",
                                      params={"sponsorship": booth.pk}).pk)  # fmt: skip
        with job.file.open("rb") as handle:
            text = handle.read().decode("utf-8-sig")
        assert ("planted@alpha.example" in text) is present and ("resolver@alpha.example" in text) is False
    # The resolver's word is kept with Alpha's scan, for Alpha's view of that lead.
    assert Scan.objects.get(pk=unknown.pk).typed["email"] == "resolver@alpha.example"


@pytest.mark.django_db
def test_a_title_read_off_one_booths_badge_scores_that_booths_lead_only():
    """The organiser's list left the title blank; Alpha's scan read "VP Engineering" off the badge. Alpha's
    lead is scored as a VP; Beta's lead of the same person, without such a scan, as unknown."""
    from tracker.scoring.facts import leads_facts

    alpha = f.SponsorshipFactory()
    beta = f.SponsorshipFactory(event=alpha.event)
    person = f.AttendeeFactory(event=alpha.event, badge_id="KC-9", title="", email="")
    vcard = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Noor Haddad\nTITLE:VP Engineering\nEMAIL:noor@acme.example\nEND:VCARD"
    )
    ours = f.ScanFactory(lead=f.LeadFactory(sponsorship=alpha, attendee=person), raw_payload=vcard).lead
    theirs = f.ScanFactory(lead=f.LeadFactory(sponsorship=beta, attendee=person), raw_payload="KC-9").lead
    assert leads_facts([ours.pk], alpha.sponsor_id)[ours.pk].seniority == "vp"
    assert leads_facts([theirs.pk], beta.sponsor_id)[theirs.pk].seniority == "unknown"


@pytest.mark.django_db
def test_a_booths_badge_scan_stays_its_own_and_its_erasure_finds_it(client):
    """Through the real matching of a booth's scans (a vCard with an email the list lacks): the shared
    attendee is untouched, Alpha's follow-up page and API show the email, Beta's lead of the same person
    does not; an erasure by that email at Alpha finds and erases Alpha's lead, and leaves Beta's."""
    from django.utils import timezone

    from tracker.models import Attendee, Lead, Scan
    from tracker.privacy.erasure import person_erase
    from tracker.scans.matching import scans_match
    from tracker.scans.people import booth_people

    alpha = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    beta = f.SponsorshipFactory(sponsor__name="Beta Data", event=alpha.event)
    person = f.AttendeeFactory(
        event=alpha.event, badge_id="KC-88", first_name="Ada", last_name="Lovelace", email=""
    )
    theirs = f.LeadFactory(sponsorship=beta, attendee=person, consent=True)
    vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEMAIL:ada@analytical.example\nNOTE:KC-88\nEND:VCARD"
    scan = f.ScanFactory(lead=None, sponsorship=alpha, raw_payload=vcard, processed_at=None,
                         typed={"badge_id": "KC-88"})  # fmt: skip
    scans_match([Scan.objects.select_related("sponsorship").get(pk=scan.pk)], timezone.now())
    ours = Lead.objects.get(sponsorship=alpha)
    Lead.objects.filter(pk=ours.pk).update(consent=True)
    assert Attendee.objects.get(pk=ours.attendee_id).email == ""  # whichever attendee it matched
    people = booth_people([ours.pk, theirs.pk])
    assert (people[ours.pk]["email"], people[theirs.pk]["email"]) == ("ada@analytical.example", "")

    owner = f.StaffMemberFactory(sponsor=alpha.sponsor, level="manager")
    f.FollowUpFactory(lead=ours, owner=owner, status="todo")
    client.force_login(owner.user)
    assert "mailto:ada@analytical.example" in client.get(reverse("my-follow-ups")).content.decode()

    erased = person_erase(sponsor=alpha.sponsor, by_user=owner.user, email="ADA@analytical.example")
    assert erased.leads == 1 and Lead.objects.get(pk=ours.pk).erased_at is not None
    assert Lead.objects.get(pk=theirs.pk).erased_at is None


def test_of_two_values_a_booth_has_for_a_blank_field_the_latest_asked_wins():
    """booth_additions reads scans latest first: of two values for a blank field, the latest asked wins;
    its scans come in LATEST_ASKED_FIRST order, where a file's row without a time is the oldest."""
    from tracker.scans.people import booth_additions

    attendee = {"email": "", "title": "CTO", "company": ""}
    scans = [("", {"email": "new@x.example", "company": "Newco"}), ("", {"email": "old@x.example"})]
    assert booth_additions(attendee, scans) == {"email": "new@x.example", "company": "Newco"}
    assert booth_additions({"email": "a@b.example", "title": "CTO"}, scans, ("email", "title")) == {}
