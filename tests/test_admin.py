"""The operators' admin: every model's pages render in a bounded number of queries, for superusers only.

The demo data set is loaded once for this module (``demo_data``); tests that build their own rows with
factories use names no demo row has, so they pass with or without it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.widgets import AutocompleteMixin, ForeignKeyRawIdWidget
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracker import models as m
from tracker.admin import site
from tracker.models.staff import hash_device_key

TRACKER_MODELS = sorted(apps.get_app_config("tracker").get_models(), key=lambda model: model.__name__)
FACTORIES = {
    m.Account: f.AccountFactory,
    m.AssignmentRule: f.AssignmentRuleFactory,
    m.AuditEvent: f.AuditEventFactory,
    m.ExportLog: f.ExportLogFactory,
    m.ImportJob: f.ImportJobFactory,
    m.ImportPreset: f.ImportPresetFactory,
    m.FollowUpPolicy: f.FollowUpPolicyFactory,
    m.ReminderDigest: f.ReminderDigestFactory,
    m.RescoreJob: f.RescoreJobFactory,
    m.Attendee: f.AttendeeFactory,
    m.CostLine: f.CostLineFactory,
    m.CurrencyRate: f.CurrencyRateFactory,
    m.CrmConnection: f.CrmConnectionFactory,
    m.CrmPush: f.CrmPushFactory,
    m.Question: f.QuestionFactory,
    m.LeadAnswer: f.LeadAnswerFactory,
    m.DeviceToken: lambda: (
        booth := f.SponsorshipFactory(),
        m.DeviceToken.issue(
            staff=f.StaffMemberFactory(sponsor=booth.sponsor), name="phone", sponsorship=booth
        )[0],
    )[1],
    m.Event: f.EventFactory,
    m.FollowUp: f.FollowUpFactory,
    m.FollowUpChange: f.FollowUpChangeFactory,
    m.IcpCriterion: f.IcpCriterionFactory,
    m.IdealCustomerProfile: f.IcpFactory,
    m.Lead: f.LeadFactory,
    m.LeadScore: f.LeadScoreFactory,
    m.Scan: f.ScanFactory,
    m.Sponsor: f.SponsorFactory,
    m.Sponsorship: f.SponsorshipFactory,
    m.StaffMember: f.StaffMemberFactory,
    m.Theme: f.ThemeFactory,
}
RECORDS = {m.RescoreJob, m.ReminderDigest, m.ExportLog, m.ImportJob, m.AuditEvent, m.CrmPush, m.LeadAnswer}
# Session, user, count, page of rows, a prefetch or two, filter choices and the date hierarchy.
MAX_CHANGELIST_QUERIES = 12
AUTOCOMPLETE_FIELDS = sorted(
    (
        (model, field_name)
        for model, model_admin in site._registry.items()
        if model in TRACKER_MODELS
        for field_name in model_admin.autocomplete_fields
    ),
    key=lambda pair: (pair[0].__name__, pair[1]),
)


def by_name(models):
    return pytest.mark.parametrize("model", models, ids=lambda model: model.__name__)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def rows_of(model, at_least: int) -> int:
    """How many ``model`` rows there are, topping the demo data up with factory-made ones if it has fewer."""
    for _ in range(at_least - model._default_manager.count()):
        FACTORIES[model]()
    return model._default_manager.count()


def rows_shown(response) -> int:
    """The rows of a change list's result table (a read-only list has no row checkboxes)."""
    table = response.content.split(b'id="result_list"', 1)[1].split(b"</table>", 1)[0]
    return table.split(b"<tbody>", 1)[1].count(b"<tr")


def table_selects(response) -> list[str]:
    """Form fields rendered as a plain <select> listing a whole table (every row one <option>)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [*inline.formset.forms, inline.formset.empty_form]
    return [
        form.add_prefix(name)
        for form in forms
        for name, field in form.fields.items()
        if isinstance(field, ModelChoiceField)
        and not field.widget.is_hidden
        and not isinstance(
            getattr(field.widget, "widget", field.widget), AutocompleteMixin | ForeignKeyRawIdWidget
        )
    ]


@pytest.fixture
def operator(db):
    return f.UserFactory(username="admin-test-operator", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def test_every_tracker_model_is_registered_on_the_operators_site():
    assert set(TRACKER_MODELS) <= set(site._registry)
    assert set(FACTORIES) == set(TRACKER_MODELS), "a new model needs a factory in FACTORIES"


# --- With the demo data -------------------------------------------------------------------------


@by_name(TRACKER_MODELS)
def test_changelist_lists_demo_data_in_few_queries(
    demo_data, operator_client, django_assert_max_num_queries, model
):
    total = rows_of(model, at_least=1)

    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        response = operator_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert rows_shown(response) == min(total, response.context["cl"].list_per_page)


@by_name(TRACKER_MODELS)
def test_changelist_queries_do_not_grow_with_the_rows_on_the_page(
    demo_data, operator_client, monkeypatch, model
):
    rows_of(model, at_least=3)
    model_admin = site._registry[model]
    measured = {}
    for per_page in (2, 100):
        monkeypatch.setattr(model_admin, "list_per_page", per_page)
        with CaptureQueriesContext(connection) as queries:
            response = operator_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200
        measured[per_page] = (len(queries), rows_shown(response))

    (queries_few, rows_few), (queries_many, rows_many) = measured[2], measured[100]
    assert rows_few == 2 and rows_many > rows_few
    assert queries_many == queries_few


@by_name(TRACKER_MODELS)
def test_add_and_change_pages_render_without_whole_table_selects(demo_data, operator_client, model):
    obj = model._default_manager.order_by("pk").last() or FACTORIES[model]()

    add_page = operator_client.get(admin_url(model, "add"))
    change_page = operator_client.get(admin_url(model, "change", obj.pk))

    # Rescore jobs, digests and export logs record what the system did; nobody adds them by hand.
    assert add_page.status_code == (403 if model in RECORDS else 200)
    assert change_page.status_code == 200
    if add_page.status_code == 200:
        assert table_selects(add_page) == []
    assert table_selects(change_page) == []


@pytest.mark.parametrize(
    ("model", "field_name"),
    AUTOCOMPLETE_FIELDS,
    ids=[f"{model.__name__}.{name}" for model, name in AUTOCOMPLETE_FIELDS],
)
def test_autocomplete_answers_a_page_of_demo_data_in_few_queries(
    demo_data, operator_client, django_assert_max_num_queries, model, field_name
):
    target = model._meta.get_field(field_name).related_model
    if target in FACTORIES:
        rows_of(target, at_least=1)
    query = {"app_label": "tracker", "model_name": model._meta.model_name, "field_name": field_name}

    with django_assert_max_num_queries(6):
        response = operator_client.get(reverse("admin:autocomplete"), query)

    assert response.status_code == 200
    assert response.json()["results"]


def test_search_finds_a_demo_lead_by_the_attendees_last_name(demo_data, operator_client):
    # One word, since the admin searches each word of a query separately.
    lead = (
        m.Lead.objects.select_related("attendee")
        .filter(attendee__last_name__regex=r"^[^\s'\"]{4,}$")
        .order_by("pk")
        .first()
    )
    last_name = lead.attendee.last_name

    response = operator_client.get(admin_url(m.Lead, "changelist"), {"q": last_name})

    assert lead in response.context["cl"].result_list
    assert response.context["cl"].result_count < m.Lead.objects.count()
    assert last_name in response.content.decode()


# --- Who may use it ----------------------------------------------------------------------------


def test_the_site_is_branded_for_operators(operator_client):
    response = operator_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Booth tracker admin" in response.content.decode()


@pytest.mark.parametrize(
    "user_kwargs",
    [{"is_staff": True}, {"is_staff": True, "is_superuser": True, "is_active": False}],
    ids=["staff-not-superuser", "inactive-superuser"],
)
def test_only_active_superusers_get_past_the_login(client, db, user_kwargs):
    client.force_login(f.UserFactory(**user_kwargs))

    response = client.get(admin_url(m.Lead, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_staff_user_who_is_not_a_superuser_cannot_log_in(client, db):
    f.UserFactory(username="booth-manager", is_staff=True)

    response = client.post(
        reverse("admin:login"),
        {"username": "booth-manager", "password": "correct horse battery staple", "next": "/admin/"},
    )

    assert response.status_code == 200
    assert "for operators (superusers) only" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- Rosters -----------------------------------------------------------------------------------


def roster_form(member: m.StaffMember, sponsorships) -> dict:
    return {
        "user": member.user_id,
        "sponsor": member.sponsor_id,
        "role": member.role,
        "level": member.level,
        "is_active": "on",
        "sponsorships": [sponsorship.pk for sponsorship in sponsorships],
        "home_region": "",
        "time_zone": "UTC",
    }


def test_roster_refuses_a_booth_of_another_sponsor(operator_client):
    member = f.StaffMemberFactory(sponsor__name="Rosterco")
    own = f.SponsorshipFactory(sponsor=member.sponsor)
    foreign = f.SponsorshipFactory(sponsor__name="Elsewhere Inc")
    url = admin_url(m.StaffMember, "change", member.pk)

    response = operator_client.post(url, roster_form(member, [own, foreign]))

    assert response.status_code == 200
    assert f"{foreign} belong to another sponsor." in response.content.decode()
    assert not member.sponsorships.exists()

    response = operator_client.post(url, roster_form(member, [own]))

    assert response.status_code == 302
    assert list(member.sponsorships.all()) == [own]


def test_roster_autocomplete_finds_booths_by_sponsor_name(operator_client):
    sponsorship = f.SponsorshipFactory(sponsor__name="Quokka Observability", event__name="Quokkacon")

    response = operator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tracker", "model_name": "staffmember", "field_name": "sponsorships", "term": "quokka"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": str(sponsorship.pk), "text": "Quokka Observability @ Quokkacon"}
    ]


# --- What the lists and pages show -------------------------------------------------------------


def test_search_finds_leads_scans_and_attendees_by_last_name(operator_client):
    lead = f.LeadFactory(attendee__last_name="Xylophonides")
    f.ScanFactory(lead=lead)
    f.LeadFactory(attendee__last_name="Smith")

    for model, expected in ((m.Lead, lead), (m.Scan, lead.scans.get()), (m.Attendee, lead.attendee)):
        response = operator_client.get(admin_url(model, "changelist"), {"q": "xylophonides"})
        assert list(response.context["cl"].result_list) == [expected], model.__name__
        assert "Xylophonides" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (m.Sponsorship, "wombat", "Wombat Security @ Conf"),
        (m.StaffMember, "wombatsson", "Wombatsson"),
        (m.Sponsor, "wombat", "Wombat Security"),
    ],
)
def test_search_finds_sponsorships_and_staff(operator_client, model, term, expected):
    member = f.StaffMemberFactory(sponsor__name="Wombat Security", user__last_name="Wombatsson")
    f.SponsorshipFactory(sponsor=member.sponsor)
    f.StaffMemberFactory()

    response = operator_client.get(admin_url(model, "changelist"), {"q": term})

    assert response.context["cl"].result_count == 1
    assert expected in response.content.decode()


def test_sponsorship_list_shows_counts_and_costs_per_currency(operator_client):
    sponsorship = f.SponsorshipFactory(sponsor__name="Numbat Cloud")
    for amount, currency in (("10000", "EUR"), ("2500", "EUR"), ("3000", "USD")):
        f.CostLineFactory(sponsorship=sponsorship, amount=Decimal(amount), currency=currency)
    lead = f.LeadFactory(sponsorship=sponsorship)
    f.ScanFactory.create_batch(2, lead=lead)
    f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="garbled")

    response = operator_client.get(admin_url(m.Sponsorship, "changelist"), {"q": "numbat"})

    row = response.context["cl"].result_list[0]
    assert (row.lead_count, row.scan_count) == (1, 3)
    assert "12,500.00 EUR + 3,000.00 USD" in response.content.decode()


def test_unknown_badge_filter_lists_scans_that_matched_nobody(operator_client):
    sponsorship = f.SponsorshipFactory(sponsor__name="Bilby Data")
    f.ScanFactory(lead=f.LeadFactory(sponsorship=sponsorship))
    unknown = f.ScanFactory(lead=None, sponsorship=sponsorship, raw_payload="REG-UNMATCHED")

    response = operator_client.get(admin_url(m.Scan, "changelist"), {"q": "bilby", "badge": "unknown"})

    assert list(response.context["cl"].result_list) == [unknown]
    assert "unknown badge" in response.content.decode()


def test_lead_page_shows_its_scans_score_and_follow_up(operator_client):
    lead = f.LeadFactory()
    scanner = f.StaffMemberFactory(sponsor=lead.sponsorship.sponsor, user__first_name="Scanning")
    f.ScanFactory(lead=lead, scanned_by=scanner, notes="asked about the Terraform provider")
    f.LeadScoreFactory(lead=lead)
    f.FollowUpFactory(lead=lead, owner=scanner)

    response = operator_client.get(admin_url(m.Lead, "change", lead.pk))

    page = response.content.decode()
    assert "asked about the Terraform provider" in page
    assert "+50 Director or above" in page
    assert 'name="follow_up-0-owner"' in page
    assert table_selects(response) == []


def test_follow_up_page_shows_its_history_read_only(operator_client):
    change = f.FollowUpChangeFactory(note="handed over after the event")

    response = operator_client.get(admin_url(m.FollowUp, "change", change.follow_up.pk))

    page = response.content.decode()
    assert "handed over after the event" in page
    assert 'name="history-0-note"' not in page


def test_adding_a_device_token_shows_its_key_once_and_stores_only_its_hash(operator_client):
    member = f.StaffMemberFactory()
    booth, off_roster = (
        f.SponsorshipFactory(sponsor=member.sponsor),
        f.SponsorshipFactory(sponsor=member.sponsor),
    )
    member.sponsorships.add(booth)
    add = admin_url(m.DeviceToken, "add")

    for elsewhere, why in ((f.SponsorshipFactory(), "another sponsor"), (off_roster, "not on the roster")):
        form = {"staff": member.pk, "sponsorship": elsewhere.pk, "name": "booth iPad 2"}
        refused = operator_client.post(add, form)
        assert refused.status_code == 200 and why in refused.content.decode()
    response = operator_client.post(
        add, {"staff": member.pk, "sponsorship": booth.pk, "name": "booth iPad 2"}, follow=True
    )

    token = m.DeviceToken.objects.get(staff=member)
    message = next(str(message) for message in response.context["messages"] if "booth iPad 2" in str(message))
    key = message.split(" is ", 1)[1].split(" ", 1)[0]
    assert token.name == "booth iPad 2" and token.sponsorship == booth
    assert token.key_hash == hash_device_key(key) != key
    assert key not in operator_client.get(admin_url(m.DeviceToken, "change", token.pk)).content.decode()


@pytest.mark.django_db
def test_deleting_a_scan_in_the_admin_recounts_its_lead(client):
    from tests.factories import LeadFactory, ScanFactory, UserFactory

    lead = LeadFactory(scan_count=0, first_scan_at=None, last_scan_at=None)
    keep, drop = ScanFactory(lead=lead), ScanFactory(lead=lead)
    from tracker.scans.matching import leads_recount

    leads_recount([lead.pk])
    lead.refresh_from_db()
    assert lead.scan_count == 2
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(f"/admin/tracker/scan/{drop.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302, response.content[:300]
    assert response["Location"] == "/admin/tracker/scan/", response["Location"]
    lead.refresh_from_db()
    assert lead.scan_count == 1
    assert lead.first_scan_at == lead.last_scan_at == keep.received_at


# --- ICP versions: one way in for each change of a published ICP ----------------------------------------


def admin_form_post(response, **changes) -> dict:
    """A change form as the browser sends it (the main form and every inline), with ``changes`` applied."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()}
        )
        forms += formset.forms
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None and value is not False:
                data[bound.html_name] = (
                    bound.field.prepare_value(value) if not isinstance(value, list) else value
                )
    return {**data, **changes}


@pytest.fixture
def published_icp(db):
    sponsorship = f.SponsorshipFactory(sponsor__name="Icp Admin Co")
    icp = f.IcpFactory(
        sponsor=sponsorship.sponsor, version=1, status="published", published_at=timezone.now()
    )
    criterion = f.IcpCriterionFactory(icp=icp, field="seniority", values=["vp"], weight=30, label="VP-level")
    lead = f.LeadFactory(sponsorship=sponsorship, attendee__title="VP Engineering")
    return icp, criterion, lead


def test_a_published_icp_is_read_only_in_the_admin(operator_client, published_icp):
    icp, criterion, _ = published_icp
    url = admin_url(m.IdealCustomerProfile, "change", icp.pk)
    page = operator_client.get(url)
    assert "Published versions are read-only" in page.content.decode()
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data = admin_form_post(
        page, grade_a_min="1", status="draft", notes="edited in place", **{f"{prefix}-0-weight": "99"}
    )
    operator_client.post(url, data)
    icp.refresh_from_db()
    criterion.refresh_from_db()
    assert (icp.status, icp.grade_a_min, icp.notes, criterion.weight) == ("published", 70, "", 30)
    assert (
        operator_client.post(admin_url(m.IdealCustomerProfile, "delete", icp.pk), {"post": "yes"}).status_code
        == 403
    )


def test_a_published_versions_criteria_cannot_be_changed_deleted_or_added_to(operator_client, published_icp):
    icp, criterion, _ = published_icp
    change = admin_url(m.IcpCriterion, "change", criterion.pk)
    assert operator_client.post(change, {"icp": icp.pk, "weight": "99"}).status_code == 403
    assert (
        operator_client.post(admin_url(m.IcpCriterion, "delete", criterion.pk), {"post": "yes"}).status_code
        == 403
    )
    added = operator_client.post(
        admin_url(m.IcpCriterion, "add"),
        {"icp": icp.pk, "position": "2", "part": "fit", "field": "seniority", "kind": "in_set",
         "label": "Directors", "values": "director", "weight": "5", "action": "add"},
    )  # fmt: skip
    assert "Published versions are read-only" in added.content.decode()
    criterion.refresh_from_db()
    assert criterion.weight == 30 and icp.criteria.count() == 1


def test_operators_change_an_icp_through_a_draft_and_publishing_rescores(
    operator_client, published_icp, django_capture_on_commit_callbacks
):
    icp, _, lead = published_icp
    changelist = admin_url(m.IdealCustomerProfile, "changelist")
    operator_client.post(changelist, {"action": "new_draft", "_selected_action": [icp.pk]})
    draft = m.IdealCustomerProfile.objects.get(sponsor=icp.sponsor, status="draft")
    assert draft.version == 2 and list(draft.criteria.values_list("label", "weight")) == [("VP-level", 30)]

    page = operator_client.get(admin_url(m.IdealCustomerProfile, "change", draft.pk))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    operator_client.post(page.wsgi_request.path, admin_form_post(page, **{f"{prefix}-0-weight": "45"}))
    assert draft.criteria.get().weight == 45

    with django_capture_on_commit_callbacks(execute=True):
        done = operator_client.post(
            changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
        )
    assert "ICP v2 is now current: rescoring 1 leads" in done.content.decode()
    icp.refresh_from_db()
    draft.refresh_from_db()
    assert (icp.status, draft.status) == ("superseded", "published")
    score = m.LeadScore.objects.get(lead=lead)
    assert (score.icp_id, score.score) == (draft.pk, 45)


def test_publishing_refuses_anything_but_one_draft_per_sponsor(operator_client, published_icp):
    icp, _, _ = published_icp
    changelist = admin_url(m.IdealCustomerProfile, "changelist")
    done = operator_client.post(changelist, {"action": "publish", "_selected_action": [icp.pk]}, follow=True)
    assert "nothing was published" in done.content.decode()
    assert m.IdealCustomerProfile.objects.get(pk=icp.pk).status == "published"
