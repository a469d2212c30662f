# ruff: noqa: F811 (pytest fixtures imported from tests.test_crm are parameters here)
"""What other parts of the tracker tell the CRM push: a new ICP version sends a CRM that pushes on its own only
the leads whose score, grade or exclusion changed; a "no" at the booth after a push opts the contact out."""

import pytest

from tests import factories as f
from tests.test_crm import booth, connect, hubspot  # noqa: F401 (the fixtures, used by name below)
from tracker import models as m
from tracker.scoring.service import leads_score

pytestmark = pytest.mark.django_db


def test_a_rescore_pushes_only_the_leads_whose_score_changed(
    booth, hubspot, django_capture_on_commit_callbacks
):
    icp = booth.icp
    icp.grade_a_min, icp.grade_b_min, icp.grade_c_min = 0, -10, -20  # every lead is an A
    icp.save()
    f.IcpCriterionFactory(icp=icp, part="fit", field="seniority", values=["vp"], weight=30, label="VP")
    vp = booth.lead(grade=None, email="vp@big.example", title="VP Engineering")
    dev = booth.lead(grade=None, email="dev@big.example", title="Software Engineer")
    connect(booth, hubspot, auto_push=True)
    with django_capture_on_commit_callbacks(execute=True):
        leads_score([vp.pk, dev.pk], icp)  # as after their scans: both go
    assert sorted(c["email"] for c in hubspot.contacts.values()) == ["dev@big.example", "vp@big.example"]
    sent_before = len(hubspot.calls("POST", "batch/upsert"))

    m.IcpCriterion.objects.filter(icp=icp).update(weight=40)  # the VP's score changes, the engineer's not
    from tracker.scoring import service

    service._compiled.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        leads_score([vp.pk, dev.pk], icp, rescoring=True)
    pushed_again = hubspot.calls("POST", "batch/upsert")[sent_before:]
    assert [i["properties"]["email"] for body in pushed_again for i in body["inputs"]] == ["vp@big.example"]

    with django_capture_on_commit_callbacks(execute=True):
        leads_score([vp.pk, dev.pk], icp, rescoring=True)  # nothing changed: nothing sent
    assert len(hubspot.calls("POST", "batch/upsert")[sent_before:]) == 1


def test_a_no_at_the_booth_after_the_push_opts_the_contact_out_too(
    booth, hubspot, client, django_capture_on_commit_callbacks
):
    import json
    import uuid

    from tests.test_crm import push_now, status_of
    from tracker.models.crm import CrmPushStatus

    lead = booth.lead(email="grace@navy.example", badge_id="KC-1")
    push_now(connect(booth, hubspot), django_capture_on_commit_callbacks)
    assert status_of(lead).status == CrmPushStatus.PUSHED
    client.force_login(booth.staff.user)

    scan = {
        "client_uuid": str(uuid.uuid4()),
        "sponsorship": booth.booth.pk,
        "badge_id": "KC-1",
        "consent": False,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/scans/", json.dumps(scan), content_type="application/json")

    assert response.status_code == 201
    lead.refresh_from_db()
    assert lead.consent is False
    assert hubspot.unsubscribed == {"grace@navy.example"}
    assert status_of(lead).status == CrmPushStatus.WITHDRAWN


def test_answers_go_to_the_properties_the_manager_names_and_nowhere_else(
    booth, hubspot, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.test_crm import push_now
    from tracker.scans.matching import leads_recount

    timeline = m.Question.objects.create(sponsor=booth.sponsor, label="Timeline", kind="single", choices=["this quarter", "later"])  # fmt: skip
    clouds = m.Question.objects.create(sponsor=booth.sponsor, label="Cloud", kind="multiple", choices=["AWS", "GCP"])  # fmt: skip
    theirs = m.Question.objects.create(sponsor=f.SponsorFactory(), label="Theirs", kind="text")
    lead = booth.lead(email="grace@navy.example")
    f.ScanFactory(lead=lead, answers={str(timeline.pk): "this quarter", str(clouds.pk): ["AWS", "GCP"]})
    leads_recount([lead.pk])
    connection = connect(booth, hubspot)
    client.force_login(booth.manager.user)
    url = reverse("crm-connection", args=[connection.pk])
    form = {"min_grade": "B", "external_id_field": "", "new_secret": ""}

    clash = client.post(url, {**form, f"map_answer_{timeline.pk}": "email"})
    assert clash.status_code == 200 and "email is given to two fields" in clash.content.decode()
    page = client.get(url).content.decode()
    assert "Answer: Timeline" in page and "Theirs" not in page
    saved = client.post(url, {**form, f"map_answer_{timeline.pk}": "booth_timeline", f"map_answer_{theirs.pk}": "sneaky"})  # fmt: skip
    assert saved.status_code == 302
    connection.refresh_from_db()
    assert connection.mapping == {
        f"answer:{timeline.pk}": "booth_timeline"
    }  # another sponsor's question: no field

    push_now(connection, django_capture_on_commit_callbacks)

    (contact,) = hubspot.contacts.values()
    assert contact["booth_timeline"] == "this quarter"
    assert "Cloud" not in str(contact) and "AWS" not in str(contact)  # not mapped: not sent


def test_answers_reach_the_crm_typed_as_its_properties_take_them(
    booth, hubspot, django_capture_on_commit_callbacks
):
    from tests.test_crm import push_now
    from tracker.scans.matching import leads_recount

    budget = m.Question.objects.create(sponsor=booth.sponsor, label="Budget owner", kind="yes_no")
    clouds = m.Question.objects.create(sponsor=booth.sponsor, label="Clouds", kind="multiple", choices=["AWS", "GCP"])  # fmt: skip
    size = m.Question.objects.create(sponsor=booth.sponsor, label="Clusters", kind="number")
    lead = booth.lead(email="grace@navy.example")
    f.ScanFactory(lead=lead, answers={str(budget.pk): True, str(clouds.pk): ["AWS", "GCP"], str(size.pk): 12})
    leads_recount([lead.pk])
    mapping = {f"answer:{budget.pk}": "budget_owner", f"answer:{clouds.pk}": "clouds", f"answer:{size.pk}": "clusters"}  # fmt: skip
    connection = connect(booth, hubspot, mapping=mapping)

    push_now(connection, django_capture_on_commit_callbacks)

    (sent,) = [i["properties"] for body in hubspot.calls("POST", "batch/upsert") for i in body["inputs"]]
    assert (sent["budget_owner"], sent["clouds"], sent["clusters"]) == (True, "AWS;GCP", 12)
