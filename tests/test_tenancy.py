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
