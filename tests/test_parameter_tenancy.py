"""Ids that arrive in query strings, form fields and JSON bodies are scoped like ids in the URL.

Every view is walked with a manager of sponsor A sending, in each parameter that names an object,
sponsor B's ids, malformed ids and ids too large for the database. Whatever arrives: never a 5xx, none
of B's private data in the answer or in a file it produces, nothing of B's changed, and nothing logged
under B. While walking, every parameter a view reads is noted: one this test does not know (a new
filter, form field or JSON key) fails it until it is listed below, as naming an object or not.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.urls import get_resolver, reverse

from tests import factories as f
from tests.worlds import SponsorWorld, build_worlds
from tracker import models as m
from tracker.api import scans as api_scans
from tracker.crm.mapping import LAYOUTS
from tracker.models.choices import NoBoothReason
from tracker.tenancy import TENANT_PATHS, scoped

pytestmark = pytest.mark.django_db

# What sponsor B keeps private; none of it may reach sponsor A's manager.
SECRETS = ("BETA-SECRET-REASON", "BETA-SECRET-NOTE", "Zyxprivate", "Betastaffname", "987654")
BAD_IDS = ("abc", "-1", "0", "1.5", "[2]", "0x10", "١٢", " ", "99999999999999999999999999999", str(2**63))
# Keys the framework reads, not a view: the CSRF token, django-tables2's paging and sorting.
FRAMEWORK_KEYS = {"csrfmiddlewaretoken"}


@dataclass
class Case:
    """One request to a view: its route, the URL's object, the method, and what it sends."""

    route: str
    method: str = "get"
    url_object: type | None = None  # the model of A's object named in the path
    params: dict = field(default_factory=dict)  # sent as they are
    ids: dict = field(default_factory=dict)  # parameter -> model of A's object it names
    json: bool = False

    @property
    def name(self) -> str:
        kind = self.params.get("kind") or self.params.get("action") or ""
        return f"{self.method}-{self.route}{'-' + kind if kind else ''}"


LEAD_FILTERS = dict(q="a", grade="A", rating="hot", conversation_type="demo", interest="AI", status="todo",
                    country="FR", region="EU", last_scan_after="2024-01-01", last_scan_before="2030-01-01",
                    consent="yes", crm_status="pushed", reached="met", theme="AI", credited_role="sales", sort="-last_scan_at", page="1", per_page="25", columns="name")  # fmt: skip
FOLLOW_UP_FILTERS = dict(q="a", unassigned="false", status="todo", grade="A", rating="hot",
                         conversation_type="demo", interest="AI", country="FR", region="EU", consent="yes",
                         overdue="true", due_after="2024-01-01", due_before="2030-01-01", sort="due",
                         page="1", per_page="25", columns="lead")  # fmt: skip
FILTER_IDS = {
    "event": m.Event,
    "sponsorship": m.Sponsorship,
    "owner": m.StaffMember,
    "scanned_by": m.StaffMember,
}
CRITERIA = {"criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "1", "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000", "criteria-0-position": "1", "criteria-0-part": "fit",
            "criteria-0-field": "seniority", "criteria-0-kind": "in", "criteria-0-label": "Senior",
            "criteria-0-values": "vp", "criteria-0-weight": "10", "criteria-0-action": "add",
            "grade_a_min": "70", "grade_b_min": "50", "grade_c_min": "30", "notes": ""}  # fmt: skip
RULES = {"rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "1", "rules-MIN_NUM_FORMS": "0",
         "rules-MAX_NUM_FORMS": "1000", "rules-0-position": "1", "rules-0-condition": "everyone",
         "rules-0-roles": "sales", "qualifying_grades": "A", "require_consent": "on",
    "create_when_event_ends": "on", "sla_a": "1", "sla_b": "2", "sla_c": "5", "sla_d": "10"}  # fmt: skip

CASES = [
    Case("sponsorship-roi", url_object=m.Sponsorship, params={"grades": ["A", "C", "Z"]}),
    Case("event-landscape", url_object=m.Event, ids={"compare": m.Event}),
    Case("sponsor-portfolio", url_object=m.Sponsor, params={"grades": "B", "since": "2024-01-01", "until": "x"}),
    Case("lead-list", url_object=m.Sponsorship, params=LEAD_FILTERS, ids={"owner": m.StaffMember, "scanned_by": m.StaffMember}),
    Case("all-leads", params=LEAD_FILTERS, ids=FILTER_IDS),
    Case("follow-up-list", params=FOLLOW_UP_FILTERS, ids=FILTER_IDS),
    Case("my-follow-ups", params={"show": "all", "page": "1"}),
    Case("icp-editor", url_object=m.Sponsor, ids={"lead": m.Lead}),
    Case("icp-editor", url_object=m.Sponsor, params={"q": "Zyx"}),
    Case("icp-editor", "post", m.Sponsor, params=CRITERIA, ids={"criteria-0-id": m.IcpCriterion, "criteria-0-icp": m.IdealCustomerProfile, "criteria-0-question": m.Question}),
    Case("follow-up-rules", "post", m.Sponsor, params=RULES, ids={"rules-0-id": m.AssignmentRule, "rules-0-owner": m.StaffMember, "rules-0-sponsor": m.Sponsor}),
    Case("privacy", "post", m.Sponsor, params={"email": "nobody@x.example", "badge_id": "", "confirm": "on"}),
    Case("privacy", "post", m.Sponsor, params={"email": "", "badge_id": "KC-1", "confirm": "on"}, ids={"event": m.Event}),
    Case("privacy", url_object=m.Sponsor, params={"page": "2"}),
    Case("lead-consent", "post", m.Lead, params={"answer": "no"}),
    Case("privacy", "post", m.Sponsor, params={"retention_days": "400"}),
    Case("privacy", "post", m.Sponsor, params={"access_email": "x@y.example", "file_format": "json"}),
    Case("privacy", "post", m.Sponsor, params={"access_badge_id": "KC-1", "file_format": "json"}, ids={"access_event": m.Event}),
    Case("crm", "post", m.Sponsor, params={"kind": "hubspot", "token": "pat-na1-x", "instance_url": "", "client_id": "", "client_secret": ""}),
    Case("crm-connection", "post", m.CrmConnection, params={"min_grade": "A", "auto_push": "on", "external_id_field": "", "new_secret": "", "map_grade": "booth_grade"}),
    Case("crm-push", "post", m.CrmConnection, ids={"lead": m.Lead}),
    Case("device-tokens", "post", m.Sponsor, params={"name": "kiosk"}, ids={"sponsorship": m.Sponsorship, "staff": m.StaffMember}),
    Case("questions", url_object=m.Sponsor, ids={"edit": m.Question}),
    Case("questions", "post", m.Sponsor, params={"label": "Timeline", "kind": "single", "choices": "now\nlater", "required": "on", "conversation_types": "demo"}, ids={"sponsorship": m.Sponsorship}),
    Case("question-action", "post", m.Question, params={"action": "remove"}),
    Case("unknown-badges", "post", m.Sponsorship, params={"badge_id": "KC-1", "first_name": "X"}, ids={"scan": m.Scan}),
    Case("unknown-badges", "post", m.Sponsorship, params={"action": "discard"}, ids={"scan": m.Scan}),
    Case("unknown-badges", "post", m.Sponsorship, params={"action": "restore"}, ids={"scan": m.Scan}),
    Case("leads-bulk", "post", params={"action": "assign", "next": "/leads/"}, ids={"pk": m.Lead, "owner": m.StaffMember}),
    Case("leads-bulk", "post", params={"action": "status", "status": "contacted"}, ids={"pk": m.Lead}),
    Case("leads-bulk", "post", params={"action": "export", "file_format": "xlsx"}, ids={"pk": m.Lead}),
    Case("follow-ups-bulk", "post", params={"action": "assign"}, ids={"pk": m.FollowUp, "owner": m.StaffMember}),
    Case("follow-ups-bulk", "post", params={"action": "status", "status": "lost"}, ids={"pk": m.FollowUp}),
    Case("follow-up-status", "post", m.FollowUp, params={"status": "contacted", "note": "n", "opportunity_amount": "5", "opportunity_currency": "EUR", "next": "/"}),
    Case("export-create", "post", params={"kind": "sales-review", "file_format": "xlsx", "filters": "q=a"}, ids={"sponsorship": m.Sponsorship}),
    Case("export-create", "post", params={"kind": "hubspot-contacts", "file_format": "csv"}, ids={"sponsorship": m.Sponsorship}),
    Case("export-create", "post", params={"kind": "devrel-review", "file_format": "xlsx"}, ids={"sponsorship": m.Sponsorship}),
    Case("export-create", "post", params={"kind": "event-roi", "file_format": "xlsx"}, ids={"sponsorship": m.Sponsorship}),
    Case("export-create", "post", params={"kind": "event-roi", "file_format": "xlsx"}, ids={"sponsor": m.Sponsor}),
    Case("export-create", "post", params={"kind": "sponsor-landscape", "file_format": "xlsx"}, ids={"event": m.Event, "compare_event": m.Event, "sponsor": m.Sponsor}),
    Case("exports", ids={"download": m.ExportLog}),
    Case("import-upload", "post", params={"kind": "leads"}, ids={"sponsorship": m.Sponsorship}),
    Case("import-upload", "post", params={"kind": "attendees"}, ids={"event": m.Event}),
    Case("api:amend", "post", params={"client_uuid": "5f1c3a52-7d0e-4a51-9c3e-2f8e1b6d4a10", "rating": "hot"}, ids={"sponsorship": m.Sponsorship}, json=True),
    Case("api:scans", "post", params={"client_uuid": "5f1c3a52-7d0e-4a51-9c3e-2f8e1b6d4a10", "raw_payload": "KC-9"}, ids={"sponsorship": m.Sponsorship}, json=True),
    Case("api:lookup", "post", params={"raw_payload": "KC-9"}, ids={"sponsorship": m.Sponsorship}, json=True),
    Case("api:leads", params={"grade": "a", "limit": "50"}, ids={"sponsorship": m.Sponsorship}),
    Case("api:lead", url_object=m.Lead),
]  # fmt: skip

# Parameters that name no object, by route: a view reading anything not here or in a case's ids fails.
PLAIN = {
    "lead-list": set(LEAD_FILTERS) | {"last_scan", "_per_page"},
    "all-leads": set(LEAD_FILTERS) | {"last_scan", "_per_page"},
    "follow-up-list": set(FOLLOW_UP_FILTERS) | {"due", "_per_page"},
    "my-follow-ups": {"show", "page"},
    "icp-editor": {"q"} | {k for k in CRITERIA if not k.endswith(("-id", "-icp"))} | {"criteria-0-DELETE",
                   "criteria-0-min_value", "criteria-0-max_value", "criteria-ORDER"},
    "follow-up-rules": set(RULES) | {"rules-0-DELETE", "rules-0-region", "rules-0-conversation_type",
                        "rules-0-rating", "rules-ORDER"},
    "device-tokens": {"name"},
    "questions": {"label", "kind", "choices", "required", "conversation_types"},
    "question-action": {"action"},
    "crm": {"kind", "token", "instance_url", "client_id", "client_secret"},
    "crm-connection": {"min_grade", "auto_push", "external_id_field", "new_secret", "instance_url", "client_id"}
                      | {f"map_{field.key}" for layout in LAYOUTS.values() for field in layout},
    "crm-push": set(),
    "lead-consent": {"answer"},
    "privacy": {"email", "badge_id", "confirm", "page", "retention_days", "access_email", "access_badge_id", "file_format"},
    "unknown-badges": {"badge_id", "email", "first_name", "last_name", "company", "title", "action"},
    "leads-bulk": {"action", "status", "file_format", "next"},
    "follow-ups-bulk": {"action", "status", "file_format", "next"},
    "follow-up-status": {"status", "note", "opportunity_amount", "opportunity_currency", "opportunity_shown", "next"},
    "export-create": {"kind", "file_format", "filters", "export", "next"},
    "exports": set(),
    "import-upload": {"kind"},
    "sponsorship-roi": {"grades"},
    "sponsor-portfolio": {"grades", "since", "until"},
    "event-landscape": set(),
    "api:scans": {"client_uuid", "raw_payload", "device_id", "notes", "first_name", "last_name", "email",
                  "company", "title", "badge_id", "rating", "conversation_type", "interests", "consent",
                  "device_scanned_at", "scans", "answers", "questions_at"},
    "api:leads": {"grade", "limit", "cursor"},
    "api:lead": set(),
    "api:lookup": {"raw_payload", "first_name", "last_name", "email", "company", "title", "badge_id", "rating",
                   "conversation_type", "interests", "notes", "answers", "consent"},
    "api:amend": {"client_uuid", "undo", "rating", "interests", "conversation_type", "notes", "consent", "answers",
                  "questions_at"},
}  # fmt: skip
# The lead lists' filter per question of the sponsor's own (tracker.questions.lists): a name carrying the
# question's id, read only for the list's own questions (another sponsor's id in the name is no filter:
# tests/test_question_pages.py).
ANSWER_FILTER = re.compile(r"(map_)?answer_\d+(_min|_max)?")  # and a CRM connection's property per question
# Routes that read no parameter naming an object (their path's id is walked by test_tenancy).
NO_ID_PARAMETERS = {
    "home", "healthz", "login", "logout", "my-booths", "sponsor-overview", "icp-draft-create", "icp-publish",
    "icp-progress", "sponsorship-detail", "scan-screen", "booth-board", "booth-board-data", "follow-ups-create",
    "service-worker", "lead-detail", "export-progress", "export-download", "api:session", "api:openapi-json", "api:openapi-view", "api:api-root", "imports",
    "import-job", "import-check", "import-run", "import-progress", "import-rejected", "device-token-revoke",
    "crm-disconnect",
}  # fmt: skip


class ReadQueryDict(QueryDict):
    """A QueryDict noting each key read, for the walk's catalogue check."""

    read: set[str] = set()

    def __getitem__(self, key):
        ReadQueryDict.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        ReadQueryDict.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        ReadQueryDict.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        ReadQueryDict.read.add(key)
        return super().__contains__(key)


def _reading(query: QueryDict) -> ReadQueryDict:
    copy = ReadQueryDict(mutable=True)
    for key, values in query.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


class ReadParamsMiddleware:
    """Test-only: the view sees GET and POST through ReadQueryDict."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _reading(request.GET)
        request.POST = _reading(request.POST)
        return self.get_response(request)


class ReadJson:
    """Stands in for the json module in tracker.api.scans: objects come back as ReadKeys."""

    @staticmethod
    def loads(text, **kwargs):
        return json.loads(text, object_pairs_hook=ReadKeys, **kwargs)


class ReadKeys(dict):
    def get(self, key, default=None):
        ReadQueryDict.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        ReadQueryDict.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        ReadQueryDict.read.add(key)
        return super().__contains__(key)


@pytest.fixture
def walk(settings, monkeypatch):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ReadParamsMiddleware"]
    monkeypatch.setattr(api_scans, "json", ReadJson)
    ReadQueryDict.read = set()
    return ReadQueryDict


@pytest.fixture
def world(db):
    """Alpha's and Beta's worlds, with Beta's private side marked so any leak is found in a page or file."""
    a, b = build_worlds()
    m.Sponsorship.objects.filter(pk=b.other_booth.pk).update(
        has_booth=False, no_booth_reason=NoBoothReason.COST, no_booth_detail="BETA-SECRET-REASON"
    )
    m.Attendee.objects.filter(pk=b.objects[m.Lead].attendee_id).update(last_name="Zyxprivate")
    m.Scan.objects.filter(sponsorship__sponsor=b.sponsor).update(notes="BETA-SECRET-NOTE")
    m.CostLine.objects.filter(sponsorship__sponsor=b.sponsor).update(amount=987654)
    for member in (b.manager, b.booth_staff):
        get_user_model().objects.filter(pk=member.user_id).update(last_name="Betastaffname")
    b.objects[m.Scan].refresh_from_db()
    unknown = f.ScanFactory(sponsorship=b.booth, lead=None, notes="BETA-SECRET-NOTE")
    m.Scan.objects.filter(pk=unknown.pk).update(processed_at=unknown.received_at)
    b.objects["unknown scan"] = unknown
    return a, b


def _object(world: SponsorWorld, model) -> object:
    return (
        world.objects["unknown scan"]
        if model is m.Scan and "unknown scan" in world.objects
        else world.objects[model]
    )


def _snapshot(b: SponsorWorld) -> dict:
    """Every row Beta's manager can see, as values: what no request of Alpha's may change."""
    return {
        model.__name__: list(scoped(model, b.manager.user).order_by("pk").values()) for model in TENANT_PATHS
    }


def _send(client, case: Case, a: SponsorWorld, overrides: dict):
    url = reverse(case.route, args=[_object(a, case.url_object).pk] if case.url_object else [])
    data = {**case.params, **{name: _object(a, model).pk for name, model in case.ids.items()}, **overrides}
    if case.json:
        return client.post(url, data=json.dumps(data), content_type="application/json")
    return getattr(client, case.method)(url, data)


def _files_of(response, client) -> list[bytes]:
    """The answer's body, and any export file it leads to."""
    body = lambda r: b"".join(r.streaming_content) if r.streaming else r.content  # noqa: E731
    bodies = [body(response)]
    if response.status_code == 302 and "/exports/" in response["Location"]:
        followed = client.get(
            response["Location"]
        )  # the exports page, which starts a small export's download
        bodies.append(body(followed))
        started = re.search(rb'href="([^"]+)" data-download-now', bodies[-1])
        if started:
            bodies.append(body(client.get(started.group(1).decode())))
    return bodies


def _secrets_in(bodies: list[bytes]) -> set[str]:
    """Which of Beta's secrets the bodies hold (workbooks are read inside their zipped XML)."""
    found = set()
    for body in bodies:
        text = body.decode("utf-8", "replace")
        if body[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                text = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        found |= {secret for secret in SECRETS if secret in text}
    return found


def _assert_nothing_leaked(bodies: list[bytes]) -> None:
    assert _secrets_in(bodies) == set()


def test_every_route_is_walked_or_known_to_take_no_object_parameter():
    patterns = get_resolver().url_patterns
    routes = {p.name for p in patterns if getattr(p, "name", None)} | {
        f"{r.namespace}:{p.name}"
        for r in patterns
        if getattr(r, "namespace", None) == "api"
        for p in r.url_patterns
    }  # the API's, by their namespace
    walked = {case.route for case in CASES}
    assert routes - walked - NO_ID_PARAMETERS == set(), "add the new route to CASES or NO_ID_PARAMETERS"
    assert walked & NO_ID_PARAMETERS == set()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_another_sponsors_malformed_and_huge_ids_in_parameters_are_refused_or_ignored(
    world, client, walk, case
):
    a, b = world
    client.force_login(a.manager.user)
    before = _snapshot(b)
    own_exports = set(m.ExportLog.objects.values_list("pk", flat=True))
    response = _send(client, case, a, {})
    assert response.status_code < 500
    known = PLAIN[case.route] | {name for other in CASES if other.route == case.route for name in other.ids}
    unknown = {name for name in walk.read - known - FRAMEWORK_KEYS if not ANSWER_FILTER.fullmatch(name)}
    assert not unknown, f"{case.route} reads {sorted(unknown)}: list each in the case's ids or in PLAIN"
    for name, model in case.ids.items():
        for value in (_object(b, model).pk, *BAD_IDS):
            response = _send(client, case, a, {name: value})
            assert response.status_code < 500, (name, value, response.status_code)
            _assert_nothing_leaked(_files_of(response, client))
    assert _snapshot(b) == before, "a request of Alpha's changed Beta's data"
    logged = m.ExportLog.objects.exclude(pk__in=own_exports)
    assert set(logged.values_list("sponsor_id", flat=True)) <= {a.sponsor.pk}


def test_a_landscape_asked_for_another_sponsor_is_logged_under_the_askers_and_shows_only_its_reasons(
    world, client
):
    a, b = world
    client.force_login(a.manager.user)
    slc = a.other_booth.event
    response = client.post(
        reverse("export-create"),
        {"kind": "sponsor-landscape", "file_format": "xlsx", "event": slc.pk, "sponsor": b.sponsor.pk},
    )
    assert response.status_code == 404  # Beta is not a sponsor Alpha's manager works for
    response = client.post(
        reverse("export-create"), {"kind": "sponsor-landscape", "file_format": "xlsx", "event": slc.pk}
    )
    job = m.ExportLog.objects.get(kind="sponsor-landscape")
    assert job.sponsor_id == a.sponsor.pk
    _assert_nothing_leaked(_files_of(response, client))
    client.force_login(b.manager.user)
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("kind", ["sponsor-landscape", "sales-review", "event-roi"])
def test_an_operators_export_belongs_to_no_sponsor(world, client, kind):
    a, b = world
    operator = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(operator)
    params = {"sponsor-landscape": {"event": a.other_booth.event.pk, "sponsor": b.sponsor.pk},
              "sales-review": {"sponsorship": b.booth.pk}, "event-roi": {"sponsorship": b.booth.pk}}[kind]  # fmt: skip
    response = client.post(reverse("export-create"), {"kind": kind, "file_format": "xlsx", **params})
    assert response.status_code == 302
    job = m.ExportLog.objects.get(kind=kind, user=operator)
    assert job.sponsor_id is None
    for manager in (a.manager, b.manager):
        client.force_login(manager.user)
        assert client.get(reverse("export-download", args=[job.pk])).status_code == 404


def test_the_leak_check_finds_each_secret_where_beta_may_see_it(world, client):
    """The walk's leak check can fail: each secret is in a page or file Beta's own manager gets."""
    _, b = world
    client.force_login(b.manager.user)
    pages = [client.get(reverse(name, args=[b.booth.pk])) for name in ("lead-list", "unknown-badges")]
    exports = [
        client.post(reverse("export-create"), {"kind": kind, "file_format": "xlsx", **params})
        for kind, params in (
            ("sponsor-landscape", {"event": b.other_booth.event.pk}),
            ("event-roi", {"sponsorship": b.booth.pk}),
        )
    ]
    bodies = [body for response in (*pages, *exports) for body in _files_of(response, client)]
    assert _secrets_in(bodies) == set(SECRETS)
