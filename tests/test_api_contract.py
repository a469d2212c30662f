"""The API keeps its published contract (schemathesis, from the schema the app serves): whoever calls
(booth staff, a manager, a device token, another sponsor's manager, nobody) and whatever the schema allows them
to send, no answer is a server error, every answer is one the schema documents in the shape it gives,
and none holds another sponsor's data. Requests go to the app itself over WSGI, the whole middleware
chain included; examples are bounded by the Hypothesis profile (``ci`` in CI)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.worlds import build_worlds
from tracker import models as m
from tracker.wsgi import application

CSRF = "k" * 32  # a CSRF secret sent as both cookie and header, as the scan screen does
SECRETS = {"alpha": "Alphaprivate", "beta": "Zyxprivate"}  # each sponsor's lead's name: no one else's to see
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db):
    """The served schema, called over WSGI in this thread. The handler would close the database connection
    after each request (``close_old_connections``), and with it the test's transaction: as Django's test
    client does, that is switched off while the test runs."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi(reverse("api:openapi-json"), application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def callers(db) -> dict[str, dict]:  # each caller's headers and cookies
    """Each kind of caller, in worlds where each sponsor's lead is marked with its secret; Alpha's lead
    is scored (the worlds score it) and agreed to be contacted, so the read API shows all it can."""
    a, b = build_worlds()
    for world, secret in ((a, SECRETS["alpha"]), (b, SECRETS["beta"])):
        m.Attendee.objects.filter(pk=world.objects[m.Lead].attendee_id).update(last_name=secret)
    m.Lead.objects.filter(pk=a.objects[m.Lead].pk).update(consent=True)
    _, key = m.DeviceToken.issue(staff=a.booth_staff, name="kiosk", sponsorship=a.booth)

    def session(user) -> dict:
        client = Client()
        client.force_login(user)
        cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
        return {"headers": {"X-CSRFToken": CSRF}, "cookies": cookies}

    beta = SECRETS["beta"]
    return {  # each caller's request options, and the secret no answer to them may hold
        "booth staff": ({**session(a.booth_staff.user)}, beta),
        "manager": ({**session(a.manager.user)}, beta),
        "device": ({"headers": {"Authorization": f"Token {key}"}}, beta),
        "another sponsor's manager": ({**session(b.manager.user)}, SECRETS["alpha"]),
        "nobody": ({}, beta),
    }


def keeps_the_contract_and_to_itself(case, caller: tuple[dict, str]) -> None:
    options, secret = caller
    response = case.call(**options)
    case.validate_response(response, checks=CHECKS)
    assert secret not in response.text


# One test per kind of caller (schemathesis' tests take no parametrized fixture).
@schema.parametrize()
def test_booth_staff_get_answers_that_keep_the_contract(case, callers):
    keeps_the_contract_and_to_itself(case, callers["booth staff"])


@schema.parametrize()
def test_a_manager_gets_answers_that_keep_the_contract(case, callers):
    keeps_the_contract_and_to_itself(case, callers["manager"])


@schema.parametrize()
def test_a_device_token_gets_answers_that_keep_the_contract(case, callers):
    keeps_the_contract_and_to_itself(case, callers["device"])


@schema.parametrize()
def test_another_sponsors_manager_gets_answers_that_keep_the_contract(case, callers):
    keeps_the_contract_and_to_itself(case, callers["another sponsor's manager"])


@schema.parametrize()
def test_nobody_logged_in_gets_answers_that_keep_the_contract(case, callers):
    keeps_the_contract_and_to_itself(case, callers["nobody"])


def test_the_schema_is_served_and_names_every_endpoint(client):
    served = client.get(reverse("api:openapi-json")).json()
    assert {path for path in served["paths"]} == {
        "/api/v1/scans/", "/api/v1/scans/lookup/", "/api/v1/scans/amend/", "/api/v1/session/",
        "/api/v1/leads/", "/api/v1/leads/{lead_id}/",
    }  # fmt: skip
    assert {"Scan", "ScanBatch", "BadgeLookup", "ScanCorrection"} <= set(served["components"]["schemas"])
    docs = client.get(reverse("api:openapi-view"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
