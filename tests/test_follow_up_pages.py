"""Follow-up pages as their users meet them: an owner's list, the follow-up table, bulk actions, creation."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.export_world import downloaded
from tracker import models as m
from tracker.followups.tables import FollowUpTable

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ORDERABLE = [column.name for column in FollowUpTable([]).columns.iterorderable() if column.name != "pk"]


@pytest.fixture
def booth():
    return f.SponsorshipFactory()


@pytest.fixture
def manager(booth):
    return f.StaffMemberFactory(
        sponsor=booth.sponsor, level="manager", role="marketing", user__first_name="Maria"
    )


@pytest.fixture
def sam(booth):
    member = f.StaffMemberFactory(sponsor=booth.sponsor, role="sales", user__first_name="Sam")
    member.sponsorships.add(booth)
    return member


@pytest.fixture
def devi(booth):
    member = f.StaffMemberFactory(sponsor=booth.sponsor, role="devrel", user__first_name="Devi")
    member.sponsorships.add(booth)
    return member


def follow_up(
    booth, owner, *, name, due, status="todo", grade="A", score=80, notes="", consent=True, **attendee
):
    lead = f.LeadFactory(
        sponsorship=booth,
        consent=consent,
        attendee__last_name=name,
        **{f"attendee__{key}": value for key, value in attendee.items()},
    )
    f.ScanFactory(lead=lead, notes=notes, scanned_by=owner, conversation_type="demo")
    f.LeadScoreFactory(
        lead=lead, grade=grade, score=score, reasons=[{"points": score, "reason": f"why {name}"}]
    )
    return f.FollowUpFactory(lead=lead, owner=owner, due_on=due, status=status)


@pytest.fixture
def sams_list(booth, sam, devi):
    return {
        "later": follow_up(booth, sam, name="Later", due=TODAY + timedelta(days=3)),
        "very_late": follow_up(
            booth, sam, name="VeryLate", due=TODAY - timedelta(days=6), notes="Wants a POC"
        ),
        "late": follow_up(booth, sam, name="Late", due=TODAY - timedelta(days=1)),
        "won": follow_up(booth, sam, name="Finished", due=TODAY - timedelta(days=9), status="won"),
        "devis": follow_up(booth, devi, name="Elsewhere", due=TODAY - timedelta(days=9)),
    }


def names(response):
    return [item.lead.attendee.last_name for item in response.context["page"]]


def test_my_follow_ups_lists_mine_overdue_first_with_reasons_scans_and_notes(client, sam, sams_list):
    client.force_login(sam.user)
    response = client.get(reverse("my-follow-ups"))
    page = response.content.decode()
    assert names(response) == ["VeryLate", "Late", "Later"]
    assert response.context["counts"] == {"open": 3, "overdue": 2}
    assert "why VeryLate" in page and "Wants a POC" in page and "Overdue: due" in page
    assert "Elsewhere" not in page and "Finished" not in page
    assert names(client.get(reverse("my-follow-ups"), {"show": "closed"})) == ["Finished"]


def test_an_owner_changes_a_status_in_one_click_and_it_is_recorded(client, sam, sams_list):
    client.force_login(sam.user)
    target = sams_list["late"]
    response = client.post(
        reverse("follow-up-status", args=[target.pk]),
        {"status": "contacted", "note": "Left a voicemail", "next": reverse("my-follow-ups")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("my-follow-ups")
    target.refresh_from_db()
    assert target.status == "contacted"
    change = target.history.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "todo",
        "contacted",
        sam.user,
        "Left a voicemail",
    )
    assert client.get(reverse("my-follow-ups")).context["counts"] == {"open": 3, "overdue": 1}


def test_an_opportunity_needs_its_currency_and_nothing_is_half_saved(client, sam, sams_list):
    client.force_login(sam.user)
    target = sams_list["later"]
    url = reverse("follow-up-status", args=[target.pk])
    response = client.post(url, {"status": "opportunity", "opportunity_amount": "12000"}, follow=True)
    assert "Give the amount&#x27;s currency" in response.content.decode()
    target.refresh_from_db()
    assert (target.status, target.opportunity_amount) == ("todo", None)

    client.post(url, {"status": "opportunity", "opportunity_amount": "12000", "opportunity_currency": "EUR"})
    target.refresh_from_db()
    assert (target.status, target.opportunity_amount, target.opportunity_currency) == (
        "opportunity",
        Decimal("12000.00"),
        "EUR",
    )


def test_a_note_without_a_new_status_is_kept_in_the_history(client, sam, sams_list):
    """The lead page pre-selects the current status: "type a note, Save" must not lose the note."""
    client.force_login(sam.user)
    target = sams_list["late"]
    url = reverse("follow-up-status", args=[target.pk])
    client.post(url, {"status": "contacted"})
    page = client.post(url, {"status": "contacted", "note": "Called again, no answer"}, follow=True)
    assert "Note added." in page.content.decode()
    notes = list(target.history.order_by("changed_at", "pk").values_list("to_status", "note"))
    assert notes == [("contacted", ""), ("", "Called again, no answer")]
    assert "Called again, no answer" in client.get(target.lead.get_absolute_url()).content.decode()
    client.post(url, {"status": "contacted", "note": "  "})  # nothing typed: nothing recorded
    assert target.history.count() == 2


def test_an_amount_blanked_on_the_lead_page_clears_it_and_a_blank_elsewhere_leaves_it(client, sam, sams_list):
    client.force_login(sam.user)
    target = sams_list["later"]
    url = reverse("follow-up-status", args=[target.pk])
    client.post(url, {"status": "opportunity", "opportunity_amount": "12000", "opportunity_currency": "EUR"})
    client.post(url, {"status": "opportunity", "opportunity_amount": ""})  # my list: the amount box starts empty
    target.refresh_from_db()
    assert (target.opportunity_amount, target.opportunity_currency) == (Decimal("12000.00"), "EUR")
    page = client.get(target.lead.get_absolute_url()).content.decode()
    assert 'name="opportunity_shown"' in page  # the lead page shows the stored amount
    client.post(url, {"status": "opportunity", "opportunity_amount": "", "opportunity_currency": "EUR",
                      "opportunity_shown": "1"})  # fmt: skip
    target.refresh_from_db()
    assert (target.opportunity_amount, target.opportunity_currency) == (None, "")


def test_someone_elses_follow_up_cannot_be_changed_by_booth_staff(client, devi, sams_list):
    client.force_login(devi.user)
    response = client.post(reverse("follow-up-status", args=[sams_list["late"].pk]), {"status": "lost"})
    assert response.status_code == 403
    sams_list["late"].refresh_from_db()
    assert sams_list["late"].status == "todo"


def test_a_manager_changes_any_follow_up_of_the_sponsor(client, manager, sams_list):
    client.force_login(manager.user)
    client.post(reverse("follow-up-status", args=[sams_list["late"].pk]), {"status": "disqualified"})
    sams_list["late"].refresh_from_db()
    assert sams_list["late"].status == "disqualified"


def test_the_lead_page_shows_the_follow_up_history_and_first_touch(client, manager, sam, sams_list):
    client.force_login(sam.user)
    target = sams_list["late"]
    client.post(reverse("follow-up-status", args=[target.pk]), {"status": "contacted"})
    page = client.get(target.lead.get_absolute_url()).content.decode()
    assert "To do → Contacted" in page and "first touch after" in page
    assert 'action="{}"'.format(reverse("follow-up-status", args=[target.pk])) in page


def table_rows(client, **params):
    response = client.get(reverse("follow-up-list"), params)
    assert response.status_code == 200
    return sorted(row.record.lead.attendee.last_name for row in response.context["table"].page.object_list)


def test_the_follow_up_table_filters(client, manager, sam, devi, sams_list):
    f.FollowUpFactory(lead__attendee__last_name="OtherSponsor")
    client.force_login(manager.user)
    assert table_rows(client) == ["Elsewhere", "Finished", "Late", "Later", "VeryLate"]
    assert table_rows(client, owner=devi.pk) == ["Elsewhere"]
    assert table_rows(client, status=["won"]) == ["Finished"]
    assert table_rows(client, overdue="true") == ["Elsewhere", "Late", "VeryLate"]
    assert table_rows(client, q="verylate") == ["VeryLate"]
    assert table_rows(client, due_after=str(TODAY)) == ["Later"]
    assert table_rows(client, scanned_by=devi.pk) == ["Elsewhere"]
    assert table_rows(client, conversation_type="demo", consent="yes", country="fr") == [
        "Elsewhere",
        "Finished",
        "Late",
        "Later",
        "VeryLate",
    ]
    assert table_rows(client, consent="no") == []


@pytest.mark.parametrize("column", ORDERABLE)
def test_every_orderable_follow_up_column_renders_and_sorts(client, manager, sams_list, column):
    client.force_login(manager.user)
    header = str(FollowUpTable.base_columns[column].verbose_name)
    for sort in (column, f"-{column}"):
        response = client.get(reverse("follow-up-list"), {"sort": sort, "columns": column})
        assert response.status_code == 200
        assert f">{header}</a>" in response.content.decode()
        assert response.context["table"].order_by == (sort,)
        assert len(response.context["table"].page.object_list) == 5


def test_the_follow_up_table_sorts_by_due_date_for_real(client, manager, sams_list):
    client.force_login(manager.user)
    response = client.get(reverse("follow-up-list"), {"sort": "due_on"})
    order = [row.record.lead.attendee.last_name for row in response.context["table"].page.object_list]
    assert set(order[:2]) == {"Finished", "Elsewhere"}
    assert order[2:] == ["VeryLate", "Late", "Later"]


@pytest.mark.parametrize("url_name", ["follow-up-list", "my-follow-ups", "all-leads"])
def test_list_pages_run_a_fixed_number_of_queries_whatever_the_page_size(client, booth, sam, url_name):
    client.force_login(sam.user)
    counts = []
    for n in (2, 12):
        while m.FollowUp.objects.count() < n:
            follow_up(
                booth, sam, name=f"N{m.FollowUp.objects.count()}", due=TODAY - timedelta(days=1), notes="x"
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_bulk_assign_from_the_lead_table(client, booth, manager, sam, devi, sams_list):
    client.force_login(manager.user)
    fresh = f.LeadFactory(sponsorship=booth, attendee__last_name="Fresh")
    foreign = f.LeadFactory(attendee__last_name="Foreign")
    picked = [sams_list["late"].lead.pk, fresh.pk, foreign.pk]
    response = client.post(
        reverse("leads-bulk"),
        {"pk": picked, "action": "assign", "owner": devi.pk, "next": "/leads/"},
        follow=True,
    )
    assert "2 assigned; 1 of them new follow-ups" in response.content.decode()
    assert m.FollowUp.objects.get(lead=fresh).owner == devi
    assert m.FollowUp.objects.get(pk=sams_list["late"].pk).owner == devi
    assert not m.FollowUp.objects.filter(lead=foreign).exists()
    # Assigned again to the owner it has: nothing changes, and the history says nothing happened.
    late = sams_list["late"]
    before = late.history.count()
    again = client.post(reverse("leads-bulk"), {"pk": [late.lead.pk], "action": "assign", "owner": devi.pk},
                        follow=True)  # fmt: skip
    assert late.history.count() == before and "1 already so" in again.content.decode()


def test_booth_staff_cannot_bulk_assign(client, sam, devi, sams_list):
    client.force_login(sam.user)
    client.post(
        reverse("leads-bulk"), {"pk": [sams_list["later"].lead.pk], "action": "assign", "owner": devi.pk}
    )
    assert m.FollowUp.objects.get(pk=sams_list["later"].pk).owner == sam


def test_bulk_status_from_the_follow_up_table_touches_only_what_the_user_may_change(client, sam, sams_list):
    client.force_login(sam.user)
    picked = [sams_list["late"].pk, sams_list["later"].pk, sams_list["devis"].pk]
    response = client.post(
        reverse("follow-ups-bulk"), {"pk": picked, "action": "status", "status": "no_response"}, follow=True
    )
    assert "2 updated; 1 refused: not yours to change." in response.content.decode()
    statuses = dict(
        m.FollowUp.objects.filter(pk__in=picked).values_list("lead__attendee__last_name", "status")
    )
    assert statuses == {"Late": "no_response", "Later": "no_response", "Elsewhere": "todo"}


def test_a_bulk_action_without_a_choice_changes_nothing_and_says_why(client, manager, sams_list):
    client.force_login(manager.user)
    response = client.post(
        reverse("follow-ups-bulk"), {"pk": [sams_list["late"].pk], "action": "status"}, follow=True
    )
    assert "Nothing was changed: Choose the new status." in response.content.decode()
    response = client.post(reverse("follow-ups-bulk"), {"action": "status", "status": "won"}, follow=True)
    assert "Tick some rows first." in response.content.decode()
    response = client.post(reverse("leads-bulk"), {"action": "assign"}, follow=True)  # no rows, no owner
    page = response.content.decode()
    assert "Nothing was changed: Tick some rows first.</li>" in page and "Choose who gets them" not in page


def test_bulk_status_says_which_rows_have_no_follow_up_yet(client, manager, booth, sams_list):
    client.force_login(manager.user)
    fresh = m.Lead.objects.filter(sponsorship=booth, follow_up__isnull=True).first() or f.LeadFactory(
        sponsorship=booth
    )
    picked = [sams_list["late"].lead.pk, fresh.pk]
    response = client.post(
        reverse("leads-bulk"), {"pk": picked, "action": "status", "status": "contacted"}, follow=True
    )
    assert "1 updated; 1 refused: no follow-up yet." in response.content.decode()


def test_export_selection_is_a_safe_workbook_of_the_ticked_leads_only(client, booth, manager, sam, sams_list):
    hostile = follow_up(
        booth,
        sam,
        name='=HYPERLINK("http://evil","x")',
        due=TODAY,
        notes="=1+1",
        consent=False,
        email="secret@corp.example",
        company="+cmd|' /C calc'!A0",
    )
    foreign = f.LeadFactory()
    client.force_login(manager.user)
    picked = [sams_list["late"].lead.pk, hostile.lead.pk, foreign.pk]
    response = client.post(
        reverse("leads-bulk"), {"pk": picked, "action": "export", "file_format": "xlsx"}, follow=True
    )
    assert response.status_code == 200
    assert "2 rows, downloading now. 1 lead without consent to be contacted: email and phone left blank." in (
        response.content.decode()
    )
    response = downloaded(client, response)
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="sales-review-{booth.sponsor.slug}-'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert sorted(row["Lead id"] for row in rows) == sorted(picked[:2])
    bad = next(row for row in rows if row["Lead id"] == hostile.lead.pk)
    assert bad["Email"] is None and bad["Company"] == "+cmd|' /C calc'!A0"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    good = next(row for row in rows if row["Lead id"] == sams_list["late"].lead.pk)
    assert good["Email"].endswith("@corp.example") and good["Follow-up owner"] == sam.display_name
    log = m.ExportLog.objects.get()
    assert (log.user, log.sponsor, log.row_count, sorted(log.lead_ids)) == (
        manager.user,
        booth.sponsor,
        2,
        sorted(picked[:2]),
    )


def test_csv_export_selection_prefixes_formula_text(client, booth, manager, sam):
    hostile = follow_up(booth, sam, name="@SUM(1)", due=TODAY, company="-2+3")
    client.force_login(manager.user)
    response = client.post(
        reverse("leads-bulk"),
        {"pk": [hostile.lead.pk], "action": "export", "file_format": "csv"},
        follow=True,
    )
    text = b"".join(downloaded(client, response).streaming_content).decode("utf-8-sig")
    assert "'-2+3" in text and "'@SUM(1)" not in text  # the name cell starts with "Ada ", not with "@"
    assert ",Ada @SUM(1)," in text


def test_a_manager_creates_the_booths_follow_ups_from_its_page(client, booth, manager, sam):
    f.AssignmentRuleFactory(sponsor=booth.sponsor, condition="anyone", roles=["sales"])
    lead = f.LeadFactory(sponsorship=booth, consent=True)
    f.LeadScoreFactory(lead=lead, grade="A")
    client.force_login(manager.user)
    page = client.get(reverse("sponsorship-detail", args=[booth.pk])).content.decode()
    assert "1 qualified lead (A, B, with consent) without a follow-up" in page
    response = client.post(reverse("follow-ups-create", args=[booth.pk]), follow=True)
    assert "1 follow-up created." in response.content.decode()
    assert m.FollowUp.objects.get(lead=lead).owner == sam


def test_booth_staff_cannot_create_follow_ups(client, booth, sam):
    client.force_login(sam.user)
    assert client.post(reverse("follow-ups-create", args=[booth.pk])).status_code == 404


def rules_post(**extra):
    data = {
        "qualifying_grades": ["A", "B", "C"],
        "require_consent": "on",
        "sla_a": "1",
        "sla_b": "3",
        "sla_c": "5",
        "sla_d": "10",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_a_manager_sets_the_policy_and_rules_on_a_page(client, booth, manager, sam, devi):
    client.force_login(manager.user)
    url = reverse("follow-up-rules", args=[booth.sponsor.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        rules_post(
            **{
                "rules-0-position": "1",
                "rules-0-condition": "conversation",
                "rules-0-conversation_type": "technical_deep_dive",
                "rules-0-roles": ["devrel"],
                "rules-1-position": "2",
                "rules-1-condition": "anyone",
                "rules-1-owner": sam.pk,
            }
        ),
    )
    assert response.status_code == 302
    policy = m.FollowUpPolicy.objects.get(sponsor=booth.sponsor)
    assert (policy.qualifying_grades, policy.sla_days) == (["A", "B", "C"], {"A": 1, "B": 3, "C": 5, "D": 10})
    assert [rule.describe() for rule in m.AssignmentRule.objects.filter(sponsor=booth.sponsor)] == [
        "technical deep-dive → round-robin among Developer relations",
        f"everyone else → {sam.display_name}",
    ]


def test_a_rule_without_a_target_or_value_is_refused_with_a_reason(client, booth, manager):
    client.force_login(manager.user)
    url = reverse("follow-up-rules", args=[booth.sponsor.pk])
    response = client.post(
        url,
        rules_post(
            **{
                "rules-0-position": "1",
                "rules-0-condition": "region",
                "rules-1-condition": "anyone",
                "rules-1-position": "2",
            }
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "This condition needs a value." in page and "Name an owner or the roles to round-robin among." in page
    )
    assert not m.AssignmentRule.objects.exists() and not m.FollowUpPolicy.objects.exists()


def test_booth_staff_cannot_open_the_rules(client, booth, sam):
    client.force_login(sam.user)
    assert client.get(reverse("follow-up-rules", args=[booth.sponsor.pk])).status_code == 404


def test_a_manager_reassigns_or_creates_a_follow_up_from_the_lead_page(
    client, booth, manager, sam, devi, sams_list
):
    client.force_login(manager.user)
    lead = sams_list["late"].lead
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Reassign to" in page
    response = client.post(
        reverse("leads-bulk"),
        {"pk": lead.pk, "action": "assign", "owner": devi.pk, "next": lead.get_absolute_url()},
    )
    assert response["Location"] == lead.get_absolute_url()
    assert m.FollowUp.objects.get(lead=lead).owner == devi
    fresh = f.LeadFactory(sponsorship=booth)
    assert "Create a follow-up for" in client.get(fresh.get_absolute_url()).content.decode()


def test_booth_staff_see_no_reassign_control(client, sam, sams_list):
    client.force_login(sam.user)
    page = client.get(sams_list["late"].lead.get_absolute_url()).content.decode()
    assert "Reassign to" not in page and "Change status" in page


def test_page_size_can_be_chosen_up_to_a_cap(client, manager, sams_list):
    client.force_login(manager.user)
    assert len(client.get(reverse("follow-up-list"), {"per_page": 2}).context["table"].page.object_list) == 2
    response = client.get(reverse("follow-up-list"), {"per_page": 100000})
    assert response.context["table"].paginator.per_page == 200
    assert client.get(reverse("all-leads"), {"per_page": "lots"}).context["table"].paginator.per_page == 50
