"""CRM push: qualified, consenting leads go to HubSpot or Salesforce (local fakes of their APIs, see
tests/crm_fakes.py), once each however often they are pushed; rate limits and outages are waited out;
withdrawn consent and erasure follow them there; connections and pushes are the sponsor's managers' own;
secrets stay encrypted and unseen."""

from __future__ import annotations

import html
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.crm_fakes import HubSpotFake, Listener, SalesforceFake
from tests.services import require_shared_database, wait_until
from tracker import models as m
from tracker.crm import push as push_module
from tracker.crm import sending as sending_module
from tracker.crm.clients import CrmBusy, HubSpotClient, SalesforceClient, retry_after
from tracker.crm.connections import connection_connect, salesforce_url_problem
from tracker.crm.facts import leads_facts
from tracker.crm.mapping import SALESFORCE, SALESFORCE_FIELDS, crm_properties, external_id, layout_row
from tracker.crm.outages import GIVE_UP_AFTER, Outage
from tracker.crm.propagation import CONSENT, ERASURE, crm_propagate, propagate_run
from tracker.crm.push import (
    CLAIM_STALE,
    OUTAGE_AGAIN_AFTER,
    crm_push,
    push_after_scoring,
    push_give_up,
    push_queue,
    push_run,
    pushes_resume_stale,
)
from tracker.crm.secrets import secret_open, secret_seal
from tracker.crm.sending import claim_batch
from tracker.models.crm import CrmKind, CrmPushStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.erasure import person_erase
from tracker.scoring.service import leads_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubspot(settings):
    fake = HubSpotFake(unique_properties=("booth_lead_id",)).start()
    settings.HUBSPOT_API_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def salesforce(settings):
    fake = SalesforceFake().start()
    settings.CRM_TEST_HOSTS = ["127.0.0.1"]
    yield fake
    fake.stop()


@dataclass
class Booth:
    sponsor: m.Sponsor
    booth: m.Sponsorship
    manager: m.StaffMember
    staff: m.StaffMember
    icp: m.IdealCustomerProfile

    def lead(self, *, grade: str | None = "A", consent: bool | None = True, excluded=False, booth=None,
             **attendee) -> m.Lead:  # fmt: skip
        lead = f.LeadFactory(sponsorship=booth or self.booth, consent=consent,
                             **{f"attendee__{key}": value for key, value in attendee.items()})  # fmt: skip
        if grade:
            f.LeadScoreFactory(lead=lead, icp=self.icp, grade=grade, score={"A": 80, "B": 55}.get(grade, 10),
                               excluded=excluded)  # fmt: skip
        return lead


def make_booth(name: str = "Alpha Cloud") -> Booth:
    sponsor = f.SponsorFactory(name=name)
    booth = f.SponsorshipFactory(sponsor=sponsor, event__name="KubeCon EU 2024")
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager", user__email="mia@alpha.example")
    staff = f.StaffMemberFactory(sponsor=sponsor, level="booth")
    staff.sponsorships.add(booth)
    return Booth(sponsor, booth, manager, staff, f.IcpFactory(sponsor=sponsor))


@pytest.fixture
def booth() -> Booth:
    return make_booth()


def connect(booth: Booth, fake, **changes) -> m.CrmConnection:
    if isinstance(fake, HubSpotFake):
        connection = connection_connect(sponsor=booth.sponsor, kind=CrmKind.HUBSPOT, secret=fake.token,
                                        by_user=booth.manager.user)  # fmt: skip
    else:
        connection = connection_connect(sponsor=booth.sponsor, kind=CrmKind.SALESFORCE, secret=fake.client_secret,
                                        instance_url=fake.url, client_id=fake.client_id, by_user=booth.manager.user)  # fmt: skip
    for name, value in changes.items():
        setattr(connection, name, value)
    connection.save()
    return connection


def push_now(connection, capture, **kwargs) -> int:
    """Queue and run a push as "Push now" does (the task runs in-process once the transaction commits)."""
    with capture(execute=True):
        return push_queue(connection, **kwargs)


def status_of(lead, connection=None) -> m.CrmPush | None:
    pushes = m.CrmPush.objects.filter(lead=lead)
    return (pushes.filter(connection=connection) if connection else pushes).first()


def records(fake) -> list[dict]:
    return list(fake.contacts.values() if isinstance(fake, HubSpotFake) else fake.leads.values())


def no_sleep(waits: list[float]):
    return waits.append


# --- what is pushed, and how ------------------------------------------------------------------------


def test_only_qualified_consenting_leads_reach_hubspot_with_the_mapped_fields(
    booth, hubspot, django_capture_on_commit_callbacks
):
    best = booth.lead(grade="A", email="grace@navy.example", first_name="Grace", last_name="Hopper",
                      company="Navy Systems", title="CTO")  # fmt: skip
    good = booth.lead(grade="B", email="alan@bletchley.example")
    others = [
        booth.lead(grade="C", email="low-grade@x.example"),
        booth.lead(grade="A", consent=False, email="refused@x.example"),
        booth.lead(grade="A", consent=None, email="not-asked@x.example"),
        booth.lead(grade="A", excluded=True, email="competitor@x.example"),
        booth.lead(grade=None, email="unscored@x.example"),
    ]
    erased = booth.lead(grade="A", email="erased@x.example")
    m.Lead.objects.filter(pk=erased.pk).update(erased_at=erased.created_at)
    connection = connect(booth, hubspot)

    assert push_now(connection, django_capture_on_commit_callbacks) == 2

    contacts = {c["email"]: c for c in hubspot.contacts.values()}
    assert set(contacts) == {"grace@navy.example", "alan@bletchley.example"}
    grace = contacts["grace@navy.example"]
    assert {k: grace[k] for k in ("firstname", "lastname", "company", "jobtitle", "lifecyclestage", "hs_lead_status")} == {
        "firstname": "Grace", "lastname": "Hopper", "company": "Navy Systems", "jobtitle": "CTO",
        "lifecyclestage": "lead", "hs_lead_status": "NEW",
    }  # fmt: skip
    assert (
        "Lead grade" not in grace and "grade" not in grace
    )  # no standard HubSpot property: sent once mapped
    for lead in (best, good):
        push = status_of(lead)
        assert (
            push.status == CrmPushStatus.PUSHED and push.remote_id in hubspot.contacts and push.message == ""
        )
    sent = str(hubspot.requests)
    for lead in (*others, erased):
        assert status_of(lead) is None
        assert lead.attendee.email not in sent


def test_the_push_sends_the_csv_layouts_fields_and_a_manager_can_map_them_elsewhere(
    booth, salesforce, django_capture_on_commit_callbacks
):
    lead = booth.lead(grade="A", email="ada@engines.example", company="", last_name="Lovelace")
    connection = connect(
        booth, salesforce, mapping={"owner": "", "rating": "", "description": "Booth_Notes__c"}
    )
    salesforce.FIELDS = {*salesforce.FIELDS, "Booth_Notes__c"}

    push_now(connection, django_capture_on_commit_callbacks)

    (record,) = records(salesforce)
    facts = next(leads_facts([lead.pk]))
    row = dict(zip([field.header for field in SALESFORCE_FIELDS], layout_row(SALESFORCE, facts), strict=True))
    # The same values as the Salesforce CSV: the placeholders, the lead source, the status, the description.
    assert record["Company"] == row["Company"] == "[not provided]"
    assert record["LastName"] == row["Last Name"] == "Lovelace"
    assert record["LeadSource"] == row["Lead Source"] == "Trade Show"
    assert record["Status"] == row["Lead Status"] == "Open - Not Contacted"
    assert (
        record["Booth_Notes__c"] == row["Description"]
        and "Description" not in record
        and "Rating" not in record
    )
    assert record["Booth_Lead_Id__c"] == external_id(lead.pk)


def test_a_second_push_updates_the_hubspot_contact_and_never_duplicates_it(
    booth, hubspot, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="Grace@Navy.example", title="CTO")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    first = status_of(lead).remote_id
    m.Attendee.objects.filter(pk=lead.attendee_id).update(title="Chief Architect")

    push_now(connection, django_capture_on_commit_callbacks)
    push_now(connection, django_capture_on_commit_callbacks)

    assert list(hubspot.contacts) == [first]
    assert hubspot.contacts[first]["jobtitle"] == "Chief Architect"
    assert status_of(lead).remote_id == first and status_of(lead).attempts == 3
    assert m.CrmPush.objects.count() == 1


def test_a_second_push_updates_the_salesforce_lead_by_its_external_id(
    booth, salesforce, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example", company="Navy")
    connection = connect(booth, salesforce)
    push_now(connection, django_capture_on_commit_callbacks)
    m.Attendee.objects.filter(pk=lead.attendee_id).update(company="US Navy")
    salesforce.expire_token()  # a second push an hour later: the token is replaced once, transparently

    push_now(connection, django_capture_on_commit_callbacks)

    assert len(salesforce.leads) == 1
    (record_id, record), push = next(iter(salesforce.leads.items())), status_of(lead)
    assert record["Company"] == "US Navy" and record["Booth_Lead_Id__c"] == f"booth-lead-{lead.pk}"
    assert push.status == CrmPushStatus.PUSHED and push.remote_id == record_id


def test_one_person_at_two_events_is_one_hubspot_contact(booth, hubspot, django_capture_on_commit_callbacks):
    later = f.SponsorshipFactory(sponsor=booth.sponsor, event__name="KubeCon NA 2024")
    first = booth.lead(email="grace@navy.example")
    second = booth.lead(email="GRACE@navy.example", booth=later)

    push_now(connect(booth, hubspot), django_capture_on_commit_callbacks)

    (contact_id,) = hubspot.contacts
    assert status_of(first).remote_id == status_of(second).remote_id == contact_id


def test_leads_without_email_go_to_hubspot_only_by_a_named_external_id_property(
    booth, hubspot, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    assert status_of(lead).status == CrmPushStatus.FAILED and "No email" in status_of(lead).message
    assert hubspot.contacts == {}

    connection.external_id_field = "booth_lead_id"
    connection.save()
    push_now(connection, django_capture_on_commit_callbacks)
    push_now(connection, django_capture_on_commit_callbacks)

    (contact,) = hubspot.contacts.values()
    assert contact["booth_lead_id"] == f"booth-lead-{lead.pk}"
    assert status_of(lead).status == CrmPushStatus.PUSHED


@pytest.mark.parametrize("kind", ["hubspot", "salesforce"])
def test_batches_stay_within_what_each_api_takes(booth, request, kind, django_capture_on_commit_callbacks):
    fake = request.getfixturevalue(kind)
    leads = [booth.lead(email=f"person{i}@corp.example", company="Corp") for i in range(230)]

    push_now(connect(booth, fake), django_capture_on_commit_callbacks)

    if kind == "hubspot":
        sizes = [len(body["inputs"]) for body in fake.calls("POST", "batch/upsert")]
        assert sizes == [100, 100, 30]
    else:
        sizes = [len(body["records"]) for body in fake.calls("PATCH", "/Lead/")]
        assert sizes == [200, 30]
    assert len(records(fake)) == 230
    assert m.CrmPush.objects.filter(lead__in=leads, status=CrmPushStatus.PUSHED).count() == 230


# --- what the CRM refuses, and when it is busy -----------------------------------------------------------


def test_a_record_hubspot_refuses_fails_with_its_message_and_the_others_are_pushed(booth, hubspot, client):
    taken = booth.lead(email="grace@navy.example")
    refused = booth.lead(email="bounced@spam.example")
    hubspot.refuse["bounced@spam.example"] = "Email address bounced@spam.example is blocklisted"
    connection = connect(booth, hubspot)
    push_queue(connection)

    push_run(connection.pk)

    assert hubspot.calls("POST", "batch/upsert")  # one batch, answered 207 Multi-Status
    assert status_of(taken).status == CrmPushStatus.PUSHED
    failed = status_of(refused)
    assert (
        failed.status == CrmPushStatus.FAILED
        and failed.message == "Email address bounced@spam.example is blocklisted"
    )
    client.force_login(booth.manager.user)
    page = client.get(reverse("lead-detail", args=[refused.pk])).content.decode()
    assert "Email address bounced@spam.example is blocklisted" in page and "Push again" in page
    listed = client.get(reverse("crm-connection", args=[connection.pk])).content.decode()
    assert "blocklisted" in listed


def test_a_lead_salesforce_refuses_fails_with_its_message_and_the_others_are_pushed(booth, salesforce):
    taken = booth.lead(email="grace@navy.example")
    refused = booth.lead(email="ada@engines.example")
    salesforce.refuse[external_id(refused.pk)] = "Leads from competitors are not accepted"
    connection = connect(booth, salesforce)
    push_queue(connection)

    push_run(connection.pk)

    assert status_of(taken).status == CrmPushStatus.PUSHED
    failed = status_of(refused)
    assert failed.status == CrmPushStatus.FAILED
    assert failed.message == "FIELD_CUSTOM_VALIDATION_EXCEPTION: Leads from competitors are not accepted"
    assert len(salesforce.leads) == 1


def test_a_property_the_crm_does_not_know_fails_the_batch_with_its_message(booth, salesforce):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, salesforce, mapping={"owner": "Booth_Owner__c"})  # not a field of this org
    push_queue(connection)

    push_run(connection.pk)

    assert status_of(lead).status == CrmPushStatus.FAILED
    assert "No such column 'Booth_Owner__c'" in status_of(lead).message


@pytest.mark.parametrize("kind", ["hubspot", "salesforce"])
def test_a_rate_limit_is_waited_out_for_as_long_as_the_crm_asks(booth, request, kind):
    fake = request.getfixturevalue(kind)
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, fake)
    push_queue(connection)
    fake.fail_next(429, retry_after="3", path="/crm" if kind == "hubspot" else "/services/data")
    waits: list[float] = []

    push_run(connection.pk, sleep=no_sleep(waits))

    assert waits == [3.0]
    assert status_of(lead).status == CrmPushStatus.PUSHED and len(records(fake)) == 1


@pytest.mark.parametrize("kind", ["hubspot", "salesforce"])
def test_server_errors_are_retried_with_a_doubling_backoff(booth, request, kind):
    fake = request.getfixturevalue(kind)
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, fake)
    push_queue(connection)
    fake.fail_next(503, times=2, path="/crm" if kind == "hubspot" else "/services/data")
    waits: list[float] = []

    push_run(connection.pk, sleep=no_sleep(waits))

    assert waits == [0.5, 1.0]
    assert status_of(lead).status == CrmPushStatus.PUSHED and len(records(fake)) == 1


def test_a_long_rate_limit_goes_back_to_the_queue_and_the_leads_keep_waiting(booth, hubspot):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    hubspot.fail_next(429, retry_after="120")
    waits: list[float] = []

    with pytest.raises(CrmBusy) as busy:
        push_run(connection.pk, sleep=no_sleep(waits))

    assert (
        busy.value.wait == 120 and waits == []
    )  # a worker does not sleep through it: the task retries later
    assert status_of(lead).status == CrmPushStatus.WAITING
    connection.refresh_from_db()
    assert "secondly limit" in connection.last_error

    push_run(connection.pk, sleep=no_sleep(waits))  # the task's retry
    assert status_of(lead).status == CrmPushStatus.PUSHED


def test_a_crm_that_stays_down_leaves_the_leads_failed_with_its_answer_after_the_last_retry(booth, hubspot):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    hubspot.fail_next(502, times=4)

    with pytest.raises(CrmBusy) as busy:
        push_run(connection.pk, sleep=no_sleep([]))
    push_give_up(connection.pk, str(busy.value))

    push = status_of(lead)
    assert (
        push.status == CrmPushStatus.FAILED
        and "internal error" in push.message
        and "Push now" in push.message
    )
    assert hubspot.contacts == {}


def test_refused_credentials_fail_every_waiting_lead_and_say_so_on_the_connection(booth, salesforce):
    leads = [booth.lead(email=f"p{i}@corp.example") for i in range(3)]
    connection = connect(booth, salesforce)
    salesforce.client_secret = "rotated-in-salesforce"
    push_queue(connection)

    push_run(connection.pk)

    assert {status_of(lead).status for lead in leads} == {CrmPushStatus.FAILED}
    connection.refresh_from_db()
    assert "invalid client credentials" in connection.last_error
    assert len(salesforce.calls("POST", "oauth2/token")) == 1  # not once per batch or per lead


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Mon, 05 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("Mon, 05 Jan 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


# --- when leads are pushed ----------------------------------------------------------------------------


def test_qualified_leads_are_pushed_after_scoring_when_the_connection_pushes_on_its_own(
    booth, hubspot, django_capture_on_commit_callbacks
):
    icp = booth.icp
    icp.grade_a_min, icp.grade_b_min, icp.grade_c_min = 0, -10, -20  # every lead scores 0: an A
    icp.save()
    lead = booth.lead(grade=None, email="grace@navy.example")
    connection = connect(booth, hubspot)

    with django_capture_on_commit_callbacks(execute=True):
        leads_score([lead.pk], icp)
    assert hubspot.requests == [] and status_of(lead) is None  # pushes only when asked

    connection.auto_push = True
    connection.save()
    m.LeadScore.objects.filter(lead=lead).delete()
    with django_capture_on_commit_callbacks(execute=True):
        leads_score([lead.pk], icp)
    assert status_of(lead).status == CrmPushStatus.PUSHED
    assert [c["email"] for c in hubspot.contacts.values()] == ["grace@navy.example"]


def test_scoring_without_a_crm_connection_costs_one_query(booth, django_assert_num_queries):
    lead = booth.lead(email="grace@navy.example")
    with django_assert_num_queries(1):
        push_after_scoring(booth.sponsor.pk, [lead.pk])


def test_push_now_and_push_again_from_the_pages(booth, hubspot, client, django_capture_on_commit_callbacks):
    lead = booth.lead(email="grace@navy.example")
    low = booth.lead(grade="D", email="low@corp.example")
    connection = connect(booth, hubspot)
    client.force_login(booth.manager.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crm-push", args=[connection.pk]))
    assert response.status_code == 302 and status_of(lead).status == CrmPushStatus.PUSHED
    page = client.get(reverse("lead-detail", args=[lead.pk])).content.decode()
    assert "HubSpot" in page and "Pushed" in page and status_of(lead).remote_id in page

    response = client.post(reverse("crm-push", args=[connection.pk]), {"lead": low.pk}, follow=True)
    assert "not pushed to HubSpot" in response.content.decode() and status_of(low) is None
    audit = m.AuditEvent.objects.filter(action=AuditAction.CRM_PUSH, sponsor=booth.sponsor)
    assert audit.count() == 2 and all(event.user == booth.manager.user for event in audit)


def test_the_lead_list_filters_by_crm_status(booth, hubspot, client):
    pushed = booth.lead(email="grace@navy.example", last_name="Pushedperson")
    failed = booth.lead(email="ada@engines.example", last_name="Failedperson")
    never = booth.lead(grade="D", email="low@corp.example", last_name="Neverperson")
    hubspot.refuse["ada@engines.example"] = "nope"
    connection = connect(booth, hubspot)
    push_queue(connection)
    push_run(connection.pk)
    client.force_login(booth.manager.user)

    def names(status):
        page = client.get(
            reverse("lead-list", args=[booth.booth.pk]), {"crm_status": status}
        ).content.decode()
        return {
            lead.attendee.last_name for lead in (pushed, failed, never) if lead.attendee.last_name in page
        }

    assert names("pushed") == {"Pushedperson"}
    assert names("failed") == {"Failedperson"}
    assert names("none") == {"Neverperson"}
    assert names("") == {"Pushedperson", "Failedperson", "Neverperson"}
    assert client.get(reverse("lead-list", args=[booth.booth.pk]), {"crm_status": "bogus"}).status_code == 200


# --- consent withdrawn, erasure ---------------------------------------------------------------------------


def test_withdrawn_consent_opts_the_contact_out_in_hubspot(
    booth, hubspot, client, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="Grace@Navy.example")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    client.force_login(booth.staff.user)  # anyone working the lead records what the person said

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lead-consent", args=[lead.pk]), {"answer": "no"})

    assert hubspot.unsubscribed == {"grace@navy.example"}
    assert status_of(lead).status == CrmPushStatus.WITHDRAWN
    event = m.AuditEvent.objects.get(action=AuditAction.CRM_PROPAGATION)
    assert (
        event.sponsor == booth.sponsor and event.details["changed"] == 1 and "grace" not in str(event.details)
    )
    before = len(hubspot.requests)
    push_now(connection, django_capture_on_commit_callbacks)
    assert len(hubspot.requests) == before  # no longer pushed


def test_withdrawn_consent_sets_the_salesforce_leads_opt_outs_and_consent_again_pushes_it(
    booth, salesforce, client, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, salesforce, auto_push=True)
    push_now(connection, django_capture_on_commit_callbacks)
    client.force_login(booth.manager.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lead-consent", args=[lead.pk]), {"answer": "no"})
    (record,) = records(salesforce)
    assert record["HasOptedOutOfEmail"] is True and record["DoNotCall"] is True
    assert status_of(lead).status == CrmPushStatus.WITHDRAWN

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lead-consent", args=[lead.pk]), {"answer": "yes"})
    assert status_of(lead).status == CrmPushStatus.PUSHED and len(salesforce.leads) == 1


@pytest.mark.parametrize("kind", ["hubspot", "salesforce"])
def test_an_erasure_deletes_the_crm_record(booth, request, kind, client, django_capture_on_commit_callbacks):
    fake = request.getfixturevalue(kind)
    lead = booth.lead(email="grace@navy.example")
    kept = booth.lead(email="alan@bletchley.example")
    connection = connect(booth, fake)
    push_now(connection, django_capture_on_commit_callbacks)
    erased_id = status_of(lead).remote_id
    client.force_login(booth.manager.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy", args=[booth.sponsor.pk]),
                    {"email": "grace@navy.example", "badge_id": "", "confirm": "on"})  # fmt: skip

    assert erased_id not in (fake.contacts if kind == "hubspot" else fake.leads)
    if kind == "hubspot":
        assert fake.gdpr_deleted == [erased_id]
    push = status_of(lead)
    assert push.status == CrmPushStatus.ERASED and push.remote_id == "" and push.message == ""
    assert status_of(kept).status == CrmPushStatus.PUSHED and len(records(fake)) == 1
    event = m.AuditEvent.objects.get(action=AuditAction.CRM_PROPAGATION)
    assert event.details["reason"] == ERASURE and event.details["changed"] == 1


def test_an_erasure_the_crm_cannot_take_says_so_on_the_lead(
    booth, hubspot, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    hubspot.fail_next(403, path="/crm/v3/objects/contacts/gdpr-delete",
                      body={"status": "error", "message": "This app hasn't been granted all required scopes"})  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(sponsor=booth.sponsor, by_user=booth.manager.user, email="grace@navy.example")

    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and "required scopes" in push.message and push.remote_id
    assert len(hubspot.contacts) == 1


def test_a_lead_erased_before_its_push_ran_is_never_sent(booth, hubspot, django_capture_on_commit_callbacks):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)  # queued; its task has not run yet
    person_erase(sponsor=booth.sponsor, by_user=booth.manager.user, email="grace@navy.example")
    propagate_run([lead.pk], ERASURE)

    push_run(connection.pk)

    assert hubspot.requests == [] and status_of(lead).status == CrmPushStatus.ERASED


# --- tenancy ---------------------------------------------------------------------------------------------


def test_another_sponsors_connection_and_leads_are_404_in_urls_and_parameters(booth, hubspot, client):
    other = make_booth("Beta Mesh")
    theirs = connect(other, hubspot)
    their_lead = other.lead(email="beta@corp.example")
    mine = connect(booth, hubspot)
    client.force_login(booth.manager.user)

    assert client.get(reverse("crm", args=[other.sponsor.pk])).status_code == 404
    assert client.get(reverse("crm-connection", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("crm-connection", args=[theirs.pk]), {"min_grade": "D"}).status_code == 404
    assert client.post(reverse("crm-push", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("crm-disconnect", args=[theirs.pk])).status_code == 404
    for bad in (their_lead.pk, "abc", "-1", str(2**63), ""):
        assert client.post(reverse("crm-push", args=[mine.pk]), {"lead": bad}).status_code == 404
    assert m.CrmConnection.objects.filter(pk=theirs.pk, min_grade="B").exists()
    assert not m.CrmPush.objects.exists() and hubspot.requests == []
    assert "Beta" not in client.get(reverse("crm", args=[booth.sponsor.pk])).content.decode()


def test_booth_staff_cannot_see_connection_pages_nor_push_statuses(booth, hubspot, client):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    push_run(connection.pk)
    client.force_login(booth.staff.user)

    for route, args in (("crm", [booth.sponsor.pk]), ("crm-connection", [connection.pk])):
        assert client.get(reverse(route, args=args)).status_code == 404
    assert client.post(reverse("crm-push", args=[connection.pk])).status_code == 404
    page = client.get(reverse("lead-detail", args=[lead.pk])).content.decode()
    assert "crm-status" not in page and status_of(lead).remote_id not in page


# --- secrets -----------------------------------------------------------------------------------------------


def test_connecting_stores_the_secret_encrypted_and_never_shows_it(booth, hubspot, client, settings):
    client.force_login(booth.manager.user)
    response = client.post(
        reverse("crm", args=[booth.sponsor.pk]), {"kind": "hubspot", "token": hubspot.token}
    )
    connection = m.CrmConnection.objects.get(sponsor=booth.sponsor)
    assert response.status_code == 302 and response["Location"] == reverse(
        "crm-connection", args=[connection.pk]
    )

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM tracker_crmconnection WHERE id = %s", [connection.pk])
        (raw,) = cursor.fetchone()
    assert hubspot.token not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert secret_open(raw) == hubspot.token
    pages = [client.get(reverse(name, args=[pk])).content.decode()
             for name, pk in (("crm", booth.sponsor.pk), ("crm-connection", connection.pk))]  # fmt: skip
    assert all(hubspot.token not in page for page in pages) and "stored (encrypted" in pages[1]
    operator = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(operator)
    admin = client.get(reverse("admin:tracker_crmconnection_change", args=[connection.pk])).content.decode()
    assert hubspot.token not in admin and raw not in admin
    assert m.AuditEvent.objects.filter(action=AuditAction.CRM_CONNECTION).exists()
    assert hubspot.token not in str(list(m.AuditEvent.objects.values_list("summary", "details")))


def test_a_blank_secret_keeps_the_stored_one_and_a_new_one_replaces_it(booth, hubspot, client):
    connection = connect(booth, hubspot)
    stored = connection.secret
    client.force_login(booth.manager.user)
    form = {"min_grade": "A", "auto_push": "on", "external_id_field": "", "new_secret": ""}

    assert client.post(reverse("crm-connection", args=[connection.pk]), form).status_code == 302
    connection.refresh_from_db()
    assert connection.secret == stored and connection.min_grade == "A" and connection.auto_push

    client.post(reverse("crm-connection", args=[connection.pk]), {**form, "new_secret": "pat-new-token"})
    connection.refresh_from_db()
    assert secret_open(connection.secret) == "pat-new-token"
    page = client.get(reverse("crm-connection", args=[connection.pk])).content.decode()
    assert "pat-new-token" not in page


def test_a_secret_sealed_under_another_key_fails_the_push_with_a_way_out(booth, hubspot, settings):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    settings.CRM_SECRET_KEY = "a-new-key-for-crm-secrets"
    settings.SECRET_KEY = "a-new-server-key"  # the key it was sealed under is nowhere any more
    push_queue(connection)

    push_run(connection.pk)

    assert (
        status_of(lead).status == CrmPushStatus.FAILED and "Enter the secret again" in status_of(lead).message
    )
    assert hubspot.requests == []


# --- forms: bad input is a clear 4xx-free message, never a 5xx ---------------------------------------------


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "hubspot", "token": ""}, "HubSpot needs a private app"),
        ({"kind": "salesforce", "instance_url": "https://evil.example", "client_id": "x", "client_secret": "y"},
         "My Domain URL"),
        ({"kind": "salesforce", "instance_url": "http://acme.my.salesforce.com", "client_id": "x", "client_secret": "y"},
         "https://"),
        ({"kind": "salesforce", "instance_url": "https://evil.example\\@acme.my.salesforce.com", "client_id": "x",
          "client_secret": "y"}, "without a user name"),
        ({"kind": "salesforce", "instance_url": "https://" + ".".join(["a" * 60] * 4) + ".my.salesforce.com",
          "client_id": "x", "client_secret": "y"}, "at most 200 characters"),
        ({"kind": "hubspot", "token": "pat-eu1-1234\n5678"}, "Paste it again"),
        ({"kind": "hubspot", "token": "pat-eu1 12345678"}, "Paste it again"),
        ({"kind": "salesforce", "instance_url": "https://acme.my.salesforce.com", "client_id": "x",
          "client_secret": "y\r\nX-Evil: 1"}, "Paste it again"),
        ({"kind": "salesforce", "instance_url": "https://acme.my.salesforce.com", "client_id": "", "client_secret": ""},
         "consumer key"),
        ({"kind": "zoho"}, "Select a valid choice"),
    ],
)  # fmt: skip
def test_a_connection_with_bad_settings_is_refused_with_a_clear_message(booth, client, form, message):
    client.force_login(booth.manager.user)
    response = client.post(reverse("crm", args=[booth.sponsor.pk]), form)
    assert response.status_code == 200 and message in response.content.decode()
    assert not m.CrmConnection.objects.exists()


def test_a_mapping_to_a_name_no_crm_can_have_is_refused(booth, hubspot, client):
    connection = connect(booth, hubspot)
    client.force_login(booth.manager.user)
    form = {"min_grade": "B", "external_id_field": "", "map_grade": "lead grade!", "map_score": "email"}
    page = client.post(reverse("crm-connection", args=[connection.pk]), form).content.decode()
    assert "is not a property name" in page and "email is given to two fields" in page
    connection.refresh_from_db()
    assert connection.mapping == {}

    client.post(
        reverse("crm-connection", args=[connection.pk]), {**form, "map_grade": "booth_grade", "map_score": ""}
    )
    connection.refresh_from_db()
    assert connection.mapping == {"grade": "booth_grade"}
    facts = next(leads_facts([booth.lead(email="grace@navy.example").pk]))
    assert crm_properties(CrmKind.HUBSPOT, facts, connection.mapping)["booth_grade"] == "A"


# --- a real worker (the second CI pass) ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_pushes_to_salesforce_waiting_out_a_rate_limit(
    celery_worker_process, salesforce, client
):
    booth = make_booth()
    leads = [booth.lead(email=f"person{i}@corp.example", company="Corp") for i in range(3)]
    connection = connect(booth, salesforce)
    salesforce.fail_next(429, retry_after="1", path="/services/data")
    client.force_login(booth.manager.user)

    started = time.monotonic()
    assert client.post(reverse("crm-push", args=[connection.pk])).status_code == 302

    wait_until(lambda: m.CrmPush.objects.filter(status=CrmPushStatus.PUSHED).count() == 3, timeout=60)
    assert len(salesforce.leads) == 3 and time.monotonic() - started >= 1  # it waited as asked
    assert {r.remote_id for r in m.CrmPush.objects.filter(lead__in=leads)} == set(salesforce.leads)
    assert len(salesforce.calls("PATCH", "/Lead/")) == 2  # the 429, then the batch


@pytest.mark.django_db(transaction=True)
def test_leads_scored_in_a_rush_reach_salesforce_together_through_a_real_worker(
    celery_worker_process, salesforce
):
    booth = make_booth()
    icp = booth.icp
    icp.grade_a_min, icp.grade_b_min, icp.grade_c_min = 0, -10, -20  # every lead scores 0: an A
    icp.save()
    leads = [booth.lead(grade=None, email=f"person{i}@corp.example", company="Corp") for i in range(3)]
    connect(booth, salesforce, auto_push=True)

    for lead in leads:  # one scan after another: each scored in its own transaction
        leads_score([lead.pk], icp)

    wait_until(lambda: m.CrmPush.objects.filter(status=CrmPushStatus.PUSHED).count() == 3, timeout=60)
    assert [len(body["records"]) for body in salesforce.calls("PATCH", "/Lead/")] == [3]  # one batch
    assert len(salesforce.leads) == 3


def test_a_batch_the_crm_refuses_whole_fails_with_its_message_and_the_rest_goes_on(booth, hubspot):
    with_email = booth.lead(email="grace@navy.example")
    without = booth.lead(email="")
    connection = connect(booth, hubspot, external_id_field="booth_ref")  # not a unique property there
    push_queue(connection)

    push_run(connection.pk)

    assert status_of(with_email).status == CrmPushStatus.PUSHED  # its call (by email) went through
    failed = status_of(without)
    assert failed.status == CrmPushStatus.FAILED
    assert (
        failed.message == "HubSpot refused the batch: Property booth_ref is not a unique identifier property"
    )


# --- the Salesforce instance URL: Salesforce's own, as requests reads it ----------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@acme.my.salesforce.com",  # urlsplit: acme...; requests: evil.example
        "https://evil.example%2f@acme.my.salesforce.com",
        "https://evil.example#@acme.my.salesforce.com",
        "https://user@acme.my.salesforce.com",
        "https://user:password@acme.my.salesforce.com",
        "https://acme.my.salesforce.com:8443",
        "https://acme.my.salesforce.com:443",
        "https://acme.my.salesforce.com.",
        "http://acme.my.salesforce.com",
        "ftp://acme.my.salesforce.com",
        "https://52.1.2.3",
        "https://[::1]",
        "https://127.0.0.1",
        "https://évil.my.salesforce.com",
        "https://acme.my\t.salesforce.com",
        "https://acme.my.salesforce.com.evil.example",
        "https://evilsalesforce.com",
        "https://acme.my.salesforce.com/services/oauth2",
        "https://acme.my.salesforce.com?next=https://evil.example",
    ],
)
def test_an_instance_url_that_could_send_the_secret_elsewhere_is_refused(url):
    assert salesforce_url_problem(url)


@pytest.mark.parametrize(
    "url",
    ["https://acme.my.salesforce.com", "https://acme.my.salesforce.com/", "https://ACME.My.Salesforce.com",
     "https://acme--uat.sandbox.my.salesforce.com", "https://acme.lightning.force.com"],
)  # fmt: skip
def test_a_my_domain_url_is_taken(url):
    assert salesforce_url_problem(url) == ""


def _elsewhere(listener: Listener) -> str:
    """The listener's URL under a name that is not a test host: somewhere the push must never call."""
    return listener.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def listener():
    fake = Listener().start()
    yield fake
    fake.stop()


def test_a_stored_instance_url_elsewhere_gets_neither_the_secret_nor_the_leads(booth, salesforce, listener):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, salesforce)
    m.CrmConnection.objects.filter(pk=connection.pk).update(instance_url=_elsewhere(listener))
    push_queue(connection)

    push_run(connection.pk)

    assert listener.requests == [] and salesforce.requests == []
    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and "instance URL is refused" in push.message


def test_an_instance_url_the_token_endpoint_answers_elsewhere_gets_no_token_nor_leads(
    booth, salesforce, listener
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, salesforce)
    salesforce.instance_url = _elsewhere(listener)
    push_queue(connection)

    push_run(connection.pk)

    assert listener.requests == [] and salesforce.calls("PATCH", "/Lead/") == []
    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and "not a Salesforce org" in push.message
    connection.refresh_from_db()
    assert "not a Salesforce org" in connection.last_error


def test_a_new_instance_url_or_consumer_key_needs_the_secret_again(booth, salesforce, client):
    connection = connect(booth, salesforce)
    stored = connection.secret
    client.force_login(booth.manager.user)
    url = reverse("crm-connection", args=[connection.pk])
    form = {"min_grade": "B", "external_id_field": "Booth_Lead_Id__c", "instance_url": connection.instance_url,
            "client_id": connection.client_id, "new_secret": ""}  # fmt: skip

    for change in ({"instance_url": "https://evil.my.salesforce.com"}, {"client_id": "3MVG9another-app"}):
        page = client.post(url, {**form, **change})
        assert page.status_code == 200 and "Enter the consumer secret again" in page.content.decode()
        connection.refresh_from_db()
        assert (connection.instance_url, connection.client_id, connection.secret) == (
            salesforce.url,
            salesforce.client_id,
            stored,
        )

    assert client.post(url, {**form, "min_grade": "A"}).status_code == 302  # the same place: kept
    moved = {"instance_url": "https://acme.my.salesforce.com/", "new_secret": "the-new-orgs-secret"}
    assert client.post(url, {**form, **moved}).status_code == 302
    connection.refresh_from_db()
    assert connection.instance_url == "https://acme.my.salesforce.com"
    assert secret_open(connection.secret) == "the-new-orgs-secret"


def test_the_admin_cannot_change_where_a_secret_goes(booth, salesforce, client):
    connection = connect(booth, salesforce)
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:tracker_crmconnection_change", args=[connection.pk])

    page = client.get(url).content.decode()
    for name in ("kind", "instance_url", "client_id"):
        assert f'name="{name}"' not in page
    client.post(url, {"sponsor": booth.sponsor.pk, "kind": "hubspot", "min_grade": "A", "mapping": "{}",
                      "external_id_field": "Booth_Lead_Id__c", "instance_url": "https://evil.example",
                      "client_id": "other"})  # fmt: skip

    connection.refresh_from_db()
    assert connection.min_grade == "A"  # what may change here did
    cleared = client.post(url, {"sponsor": booth.sponsor.pk, "min_grade": "A", "mapping": "{}", "external_id_field": ""})  # fmt: skip
    assert cleared.status_code == 200 and "Salesforce upserts leads by this field" in cleared.content.decode()
    assert (connection.kind, connection.instance_url, connection.client_id) == (
        CrmKind.SALESFORCE,
        salesforce.url,
        salesforce.client_id,
    )


def test_the_admin_checks_a_mapping_as_the_crm_page_does(booth, hubspot, client):
    from tracker.models import Question

    connection = connect(booth, hubspot)
    timeline = Question.objects.create(sponsor=booth.sponsor, label="Timeline", kind="text")
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:tracker_crmconnection_change", args=[connection.pk])
    form = {"sponsor": booth.sponsor.pk, "min_grade": "B", "external_id_field": ""}

    for mapping, problem in [
        ({f"answer:{timeline.pk}": "email"}, "email is given to two fields"),  # who the contact is
        ({"no_such_field": "x"}, "There is no field"),
        ({"email": "not a name"}, "is not a property name"),
        ([1, 2], "A mapping is an object"),
    ]:
        page = client.post(url, {**form, "mapping": json.dumps(mapping)})
        assert page.status_code == 200 and problem in html.unescape(page.content.decode()), mapping
    connection.refresh_from_db()
    assert connection.mapping == {}

    for external, problem in [
        ("email", "already holds one of the fields"),
        ("not a name", "Letters, digits"),
    ]:
        page = client.post(url, {**form, "mapping": "{}", "external_id_field": external})
        assert page.status_code == 200 and problem in html.unescape(page.content.decode()), external
    connection.refresh_from_db()
    assert connection.external_id_field == ""

    fine = {f"answer:{timeline.pk}": "timeline"}
    assert client.post(url, {**form, "mapping": json.dumps(fine)}).status_code == 302
    connection.refresh_from_db()
    assert connection.mapping == fine


def test_a_long_instance_url_on_a_connection_is_refused_by_the_form(booth, salesforce, client):
    connection = connect(booth, salesforce)
    client.force_login(booth.manager.user)
    long_url = "https://" + ".".join(["a" * 60] * 4) + ".my.salesforce.com"

    page = client.post(reverse("crm-connection", args=[connection.pk]), {
        "min_grade": "B", "external_id_field": "Booth_Lead_Id__c", "instance_url": long_url,
        "client_id": salesforce.client_id, "new_secret": "fresh-secret",
    })  # fmt: skip

    assert page.status_code == 200 and "at most 200 characters" in page.content.decode()
    connection.refresh_from_db()
    assert connection.instance_url == salesforce.url


# --- a consent withdrawn or an erasure while the batch is on its way -------------------------------------


def test_consent_withdrawn_while_the_batch_is_sent_opts_the_new_contact_out(
    booth, hubspot, monkeypatch, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    send = HubSpotClient.upsert_contacts

    def withdrawn_meanwhile(client, *args, **kwargs):  # the person says no as the batch leaves
        m.Lead.objects.filter(pk=lead.pk).update(consent=False)
        propagate_run([lead.pk], CONSENT)
        return send(client, *args, **kwargs)

    monkeypatch.setattr(HubSpotClient, "upsert_contacts", withdrawn_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        push_run(connection.pk)

    push = status_of(lead)
    assert hubspot.unsubscribed == {"grace@navy.example"}
    assert push.status == CrmPushStatus.WITHDRAWN and push.remote_id in hubspot.contacts


def test_an_erasure_while_the_batch_is_sent_deletes_the_record_it_made(
    booth, salesforce, monkeypatch, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    kept = booth.lead(email="alan@bletchley.example")
    connection = connect(booth, salesforce)
    push_queue(connection)
    send = SalesforceClient.upsert_leads

    def erased_meanwhile(client, *args, **kwargs):
        m.Lead.objects.filter(pk=lead.pk).update(erased_at=timezone.now())
        propagate_run([lead.pk], ERASURE)
        return send(client, *args, **kwargs)

    monkeypatch.setattr(SalesforceClient, "upsert_leads", erased_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        push_run(connection.pk)

    push = status_of(lead)
    assert push.status == CrmPushStatus.ERASED and push.remote_id == ""
    assert list(salesforce.leads) == [status_of(kept).remote_id]


def test_propagation_leaves_a_row_being_sent_to_its_push(booth, hubspot):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    m.CrmPush.objects.filter(lead=lead).update(
        status=CrmPushStatus.SENDING, claim="a-run", claimed_at=timezone.now()
    )
    m.Lead.objects.filter(pk=lead.pk).update(consent=False)

    propagate_run([lead.pk], CONSENT)

    push = status_of(lead)
    assert push.status == CrmPushStatus.SENDING and push.claim == "a-run" and hubspot.requests == []


def test_propagation_does_not_overwrite_a_row_a_push_claimed_meanwhile(
    booth, hubspot, monkeypatch, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    m.CrmPush.objects.filter(lead=lead).update(status=CrmPushStatus.WAITING)  # queued again
    m.Lead.objects.filter(pk=lead.pk).update(consent=False)
    unsubscribe = HubSpotClient.unsubscribe_all

    def claimed_meanwhile(client, email):  # a push claims the row while HubSpot is being told
        claim_batch(connection, "a-run", 100)
        return unsubscribe(client, email)

    monkeypatch.setattr(HubSpotClient, "unsubscribe_all", claimed_meanwhile)
    propagate_run([lead.pk], CONSENT)

    push = status_of(lead)  # the push's until it writes (and then passes the lead back)
    assert push.status == CrmPushStatus.SENDING and push.claim == "a-run"


def test_a_claim_left_by_a_dead_worker_is_released_by_the_sweep(booth, hubspot, monkeypatch):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    m.CrmPush.objects.filter(lead=lead).update(
        status=CrmPushStatus.SENDING, claim="a-dead-run", claimed_at=timezone.now()
    )
    sent: list[int] = []
    monkeypatch.setattr(push_module, "push_enqueue", lambda pk, **kwargs: sent.append(pk))

    pushes_resume_stale(now=timezone.now() + timedelta(minutes=15))  # its run may still be at it
    assert status_of(lead).status == CrmPushStatus.SENDING and sent == []
    push_run(connection.pk)
    assert hubspot.requests == []  # nor does another run take it

    pushes_resume_stale(now=timezone.now() + CLAIM_STALE + timedelta(minutes=1))
    assert status_of(lead).status == CrmPushStatus.WAITING and sent == [connection.pk]
    push_run(connection.pk)
    assert status_of(lead).status == CrmPushStatus.PUSHED


# --- two runs of one connection at once -----------------------------------------------------------------


def test_a_second_run_while_one_is_sending_sends_nothing_twice(booth, hubspot, monkeypatch):
    leads = [booth.lead(email=f"person{i}@corp.example") for i in range(3)]
    connection = connect(booth, hubspot)
    send = HubSpotClient.upsert_contacts
    started, second = [], []

    def another_run_meanwhile(client, *args, **kwargs):  # the sweep, or Push now, starts one
        if not started:
            started.append(True)
            second.append(push_run(connection.pk))
        return send(client, *args, **kwargs)

    monkeypatch.setattr(HubSpotClient, "upsert_contacts", another_run_meanwhile)
    push_queue(connection)
    push_run(connection.pk)
    assert second[0].elsewhere and second[0].pushed == 0  # the lock: it left them to the first
    assert len(hubspot.calls("POST", "batch/upsert")) == 1

    monkeypatch.setattr(push_module, "_lock", lambda *args: True)  # a cache that is down: no lock
    started.clear()
    second.clear()
    push_queue(connection)
    push_run(connection.pk)
    assert not second[0].elsewhere and second[0].pushed == 0  # the claims: nothing left to send
    assert len(hubspot.calls("POST", "batch/upsert")) == 2
    assert {status_of(lead).status for lead in leads} == {CrmPushStatus.PUSHED}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgresql_send_each_lead_once(hubspot, monkeypatch):
    require_shared_database()  # threads, each with its own connection: SKIP LOCKED for real
    booth = make_booth()
    leads = [booth.lead(email=f"person{i}@corp.example") for i in range(150)]
    connection = connect(booth, hubspot)
    monkeypatch.setattr(push_module, "push_enqueue", lambda pk, **kwargs: None)  # the threads send them
    push_queue(connection)
    monkeypatch.setattr(push_module, "_lock", lambda *args: True)  # only the claims keep them apart
    hubspot.pair_up("/crm/v3/objects/contacts/batch/upsert")  # both in flight at once
    outcomes, errors = [], []

    def run():
        try:
            outcomes.append(push_run(connection.pk, sleep=no_sleep([])))
        except Exception as error:  # shown by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    sent = [item["id"] for body in hubspot.calls("POST", "batch/upsert") for item in body["inputs"]]
    assert sorted(sent) == sorted(lead.attendee.email for lead in leads)  # each once
    assert sorted(o.pushed for o in outcomes) == [50, 100]
    assert m.CrmPush.objects.filter(status=CrmPushStatus.PUSHED).count() == 150


# --- a CRM down for a while ------------------------------------------------------------------------------


def test_an_outage_is_waited_out_with_a_doubling_countdown_below_the_visibility_timeout(settings):
    settings.BROKER_VISIBILITY_TIMEOUT = 3600
    outage, countdowns = Outage(since=0.0), []
    while (countdown := outage.countdown(asked=4.0, now=outage.since)) is not None:
        countdowns.append(countdown)
        outage = Outage(**outage.then(countdown))
    assert countdowns[:8] == [30, 60, 120, 240, 480, 960, 1800, 1800]
    assert sum(countdowns) >= GIVE_UP_AFTER and sum(countdowns[:-1]) < GIVE_UP_AFTER
    assert Outage(since=0.0).countdown(asked=86400, now=0.0) == 1800  # a CRM asking for a day
    assert Outage(since=0.0).countdown(asked=1.0, now=GIVE_UP_AFTER) is None  # hours on the clock

    settings.BROKER_VISIBILITY_TIMEOUT = 600  # a waiting task must not go to a second worker
    assert Outage(since=0.0, tries=10).countdown(asked=4.0, now=0.0) == 300


@pytest.fixture
def scheduled(monkeypatch) -> list[tuple]:
    """The push tasks queued by a task, instead of sent: (args, kwargs, countdown) each."""
    queued: list[tuple] = []

    def apply_async(args=(), kwargs=None, countdown=None, **options):
        datetime.now(UTC) + timedelta(seconds=countdown or 0)  # as Celery computes the ETA
        queued.append((args, kwargs or {}, countdown))

    monkeypatch.setattr(crm_push, "apply_async", apply_async)
    monkeypatch.setattr(crm_push.app.conf, "task_always_eager", False)  # as with a broker
    return queued


def test_a_crm_down_for_hours_is_tried_again_then_the_sweep_tries_later(
    booth, hubspot, monkeypatch, scheduled
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    hubspot.fail_next(503, times=100, retry_after="60")  # past the inline wait: to the queue at once
    kwargs: dict = {}

    for _ in range(100):
        result = crm_push.apply(args=(connection.pk,), kwargs=kwargs).get()
        if "retry_in" not in result:
            break
        assert status_of(lead).status == CrmPushStatus.WAITING
        _, kwargs, countdown = scheduled[-1]
    countdowns = [countdown for _, _, countdown in scheduled]
    assert countdowns[:7] == [60, 60, 120, 240, 480, 960, 1800] and max(countdowns) == 1800
    assert sum(countdowns) >= GIVE_UP_AFTER  # hours, not eight quick retries
    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and push.outage and "stayed unavailable" in push.message

    hubspot.faults.clear()  # the CRM is back
    sent: list[int] = []
    monkeypatch.setattr(push_module, "push_enqueue", lambda pk, **kwargs: sent.append(pk))
    pushes_resume_stale(now=timezone.now() + timedelta(minutes=20))
    assert sent == [] and status_of(lead).status == CrmPushStatus.FAILED
    pushes_resume_stale(now=timezone.now() + OUTAGE_AGAIN_AFTER + timedelta(minutes=1))
    assert sent == [connection.pk]
    push_run(connection.pk)
    assert status_of(lead).status == CrmPushStatus.PUSHED


def test_in_process_tasks_give_up_at_once_instead_of_retrying_on_the_spot(
    booth, hubspot, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    hubspot.fail_next(503, times=100, retry_after="60")

    push_now(connection, django_capture_on_commit_callbacks)  # no broker: the task runs in the request

    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and push.outage and "Push now" in push.message
    assert len(hubspot.calls("POST", "batch/upsert")) == 1


def test_a_crm_down_when_consent_is_withdrawn_is_waited_out_too(
    booth, hubspot, monkeypatch, django_capture_on_commit_callbacks
):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_now(connection, django_capture_on_commit_callbacks)
    m.Lead.objects.filter(pk=lead.pk).update(consent=False)
    hubspot.fail_next(503, retry_after="60", path="/communication-preferences")
    queued: list[tuple] = []
    monkeypatch.setattr(
        crm_propagate, "apply_async", lambda args, kwargs, countdown: queued.append((args, kwargs, countdown))
    )
    monkeypatch.setattr(crm_propagate.app.conf, "task_always_eager", False)

    assert crm_propagate.apply(args=([lead.pk], CONSENT)).get() == {"retry_in": 60}

    assert status_of(lead).status == CrmPushStatus.PUSHED  # nothing failed yet
    ((args, kwargs, countdown),) = queued
    assert crm_propagate.apply(args=args, kwargs=kwargs).get() == {connection.pk: 1}
    assert status_of(lead).status == CrmPushStatus.WITHDRAWN and hubspot.unsubscribed == {
        "grace@navy.example"
    }


def test_a_record_the_crm_refused_is_not_tried_again_by_the_sweep(booth, hubspot, monkeypatch):
    lead = booth.lead(email="bounced@spam.example")
    hubspot.refuse["bounced@spam.example"] = "Email address is blocklisted"
    connection = connect(booth, hubspot)
    push_queue(connection)
    push_run(connection.pk)
    sent: list[int] = []
    monkeypatch.setattr(push_module, "push_enqueue", lambda pk, **kwargs: sent.append(pk))

    pushes_resume_stale(now=timezone.now() + timedelta(days=1))

    assert sent == [] and status_of(lead).status == CrmPushStatus.FAILED


def test_a_huge_retry_after_is_capped_before_it_reaches_the_broker(booth, hubspot, scheduled):
    booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)
    hubspot.fail_next(429, retry_after="999999999999")

    crm_push.apply(args=(connection.pk,)).get()

    ((_, _, countdown),) = scheduled
    assert countdown == 1800
    assert retry_after("999999999999") == 86400
    assert retry_after("Fri, 31 Dec 9999 23:59:59 GMT") == 86400


# --- what must not leak nor crash ------------------------------------------------------------------------


def test_a_stored_token_with_a_line_break_fails_the_push_without_showing_it(booth, hubspot, caplog):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    m.CrmConnection.objects.filter(pk=connection.pk).update(secret=secret_seal("pat-eu1-\nTOPSECRET-4242"))
    push_queue(connection)

    push_run(connection.pk)

    push = status_of(lead)
    connection.refresh_from_db()
    assert push.status == CrmPushStatus.FAILED and "InvalidHeader" in push.message
    assert "enter them again" in connection.last_error
    assert "TOPSECRET" not in push.message + connection.last_error + caplog.text
    assert hubspot.requests == []


@pytest.mark.parametrize(
    ("kind", "path", "body", "message"),
    [
        ("hubspot", "/crm/v3/objects/contacts/batch/upsert", ["not", "an", "object"], "AttributeError"),
        ("hubspot", "/crm/v3/objects/contacts/batch/upsert", {"results": [1, 2]}, "AttributeError"),
        ("salesforce", "/services/oauth2/token", {"token_type": "Bearer"}, "KeyError"),
        ("salesforce", "/services/data", [1], "AttributeError"),
    ],
)
def test_an_answer_of_an_unexpected_shape_fails_the_leads_with_a_message(
    booth, request, kind, path, body, message
):
    fake = request.getfixturevalue(kind)
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, fake)
    push_queue(connection)
    fake.fail_next(200, path=path, body=body)

    push_run(connection.pk)

    push = status_of(lead)
    assert push.status == CrmPushStatus.FAILED and "unexpected" in push.message and message in push.message


def test_an_unexpected_error_fails_the_leads_instead_of_leaving_them_waiting(booth, hubspot, monkeypatch):
    lead = booth.lead(email="grace@navy.example")
    connection = connect(booth, hubspot)
    push_queue(connection)

    def broken(ids):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sending_module, "leads_facts", broken)
    with pytest.raises(RuntimeError):
        push_run(connection.pk)

    push = status_of(lead)
    connection.refresh_from_db()
    assert push.status == CrmPushStatus.FAILED and "unexpected error (RuntimeError)" in push.message
    assert "unexpected error" in connection.last_error and hubspot.requests == []


# --- secrets across key changes -------------------------------------------------------------------------


def test_a_secret_sealed_under_an_earlier_key_is_read_and_sealed_again_under_the_current_one(
    booth, hubspot, settings
):
    lead = booth.lead(email="grace@navy.example")
    settings.CRM_SECRET_KEY = "crm-key-of-2025"
    connection = connect(booth, hubspot)
    sealed_before = connection.secret
    settings.CRM_SECRET_KEY, settings.CRM_SECRET_KEY_FALLBACKS = "crm-key-of-2026", ["crm-key-of-2025"]
    push_queue(connection)

    push_run(connection.pk)

    assert status_of(lead).status == CrmPushStatus.PUSHED
    connection.refresh_from_db()
    assert connection.secret != sealed_before
    settings.CRM_SECRET_KEY_FALLBACKS = []  # the old key can go now
    assert secret_open(connection.secret) == hubspot.token


def test_secrets_sealed_under_secret_key_are_read_after_it_changes_or_crm_secret_key_is_set(booth, settings):
    settings.CRM_SECRET_KEY, settings.SECRET_KEY = "", "server-key-1"
    sealed = secret_seal("pat-eu1-token")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "server-key-2", ["server-key-1"]
    assert secret_open(sealed) == "pat-eu1-token"
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS, settings.CRM_SECRET_KEY = (
        "server-key-1",
        [],
        "crm-key",
    )
    assert secret_open(sealed) == "pat-eu1-token"


# --- HubSpot's answer -----------------------------------------------------------------------------------


def test_hubspot_contacts_are_matched_though_it_echoes_only_the_properties_sent(
    booth, settings, django_capture_on_commit_callbacks
):
    fake = HubSpotFake(echo_sent_only=True).start()
    settings.HUBSPOT_API_URL = fake.url
    try:
        lead = booth.lead(email="Grace@Navy.example")
        connection = connect(booth, fake, mapping={"email": ""})  # the email goes to no property of its own

        push_now(connection, django_capture_on_commit_callbacks)
    finally:
        fake.stop()

    push = status_of(lead)
    assert push.status == CrmPushStatus.PUSHED and push.remote_id in fake.contacts
    ((sent,),) = [body["inputs"] for body in fake.calls("POST", "batch/upsert")]
    assert sent["properties"]["email"] == sent["id"] == "grace@navy.example"
