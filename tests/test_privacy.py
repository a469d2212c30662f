"""A person's erasure as a sponsor's manager does it from the app, and the audit log: the person is gone
from every row and stored file of the sponsor, another sponsor's data of them is left alone, the
figures do not move, and what was done (and by whom) is on record without the person."""

import json

import pytest
from django.urls import reverse

from tests import factories as f
from tests.export_world import build_world
from tracker import models as m
from tracker.analytics.roi import roi_for
from tracker.models.choices import PermissionLevel
from tracker.privacy.erasure import ERASED
from tracker.scoring.service import leads_score_current

pytestmark = pytest.mark.django_db
EMAIL = "grace@navy.example"  # the "won" lead of the export world: Grace Hopper, CTO at Navy Systems


def figures(booth) -> dict:
    roi = roi_for([booth])[0]
    t = roi.total
    return {"scans": t.scans, "leads": t.leads, "qualified": t.qualified, "contacted": t.contacted,
            "won": t.won, "pipeline": t.pipeline, "won_amount": t.won_amount, "swag": roi.swag_only_scans}  # fmt: skip


def everything_of(sponsor) -> str:
    """Every row of the sponsor's leads, scans, follow-ups and their history, as text."""
    rows = [
        *m.Lead.objects.filter(sponsorship__sponsor=sponsor).values("attendee__first_name", "attendee__last_name",
                                                                    "attendee__email", "attendee__phone", "attendee__company", "attendee__title"),
        *m.Scan.objects.filter(sponsorship__sponsor=sponsor).values("raw_payload", "typed", "notes", "extra", "revisions"),
        *m.FollowUp.objects.filter(lead__sponsorship__sponsor=sponsor).values("outcome"),
        *m.FollowUpChange.objects.filter(follow_up__lead__sponsorship__sponsor=sponsor).values("note"),
    ]  # fmt: skip
    return json.dumps(rows, default=str)


@pytest.fixture
def world():
    """The export world, with Grace's badge (a vCard with her email), a note on her follow-up, an unknown
    badge of hers, an export file that holds her, and a lead of her at another sponsor's booth."""
    world = build_world()
    grace = world.leads["won"]
    scan = grace.scans.get()
    vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nEMAIL:{EMAIL}\nEND:VCARD"
    m.Scan.objects.filter(pk=scan.pk).update(
        raw_payload=vcard, typed={"email": EMAIL}, extra={"Q: Budget?": "Grace owns it"}
    )
    m.FollowUp.objects.filter(lead=grace).update(outcome="Grace signed; call her on +1 555 0100")
    m.FollowUpChange.objects.filter(follow_up__lead=grace).update(note="Grace Hopper asked for a quote")
    f.ScanFactory(sponsorship=world.booth, lead=None, raw_payload=f"MECARD:N:Hopper,Grace;EMAIL:{EMAIL};;")
    other_booth = f.SponsorshipFactory(event=world.booth.event)
    world.elsewhere = f.LeadFactory(sponsorship=other_booth, attendee=grace.attendee)
    return world


def erase(client, world, **form):
    client.force_login(world.manager.user)
    return client.post(reverse("privacy", args=[world.sponsor.pk]), {**form, "confirm": "on"}, follow=True)


def test_an_erased_person_is_gone_from_the_sponsors_data_and_files_and_the_figures_hold(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_ROWS = 1000
    client.force_login(world.manager.user)
    client.post(
        reverse("export-create"),
        {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
    )
    export = m.ExportLog.objects.get()
    stored = tmp_path / export.file.name
    assert stored.exists()
    before = figures(world.booth)
    grade = world.leads["won"].score.grade
    assert "Hopper" in everything_of(world.sponsor) and EMAIL in everything_of(world.sponsor)

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the erasure commits
        page = erase(client, world, email=EMAIL.upper())  # case aside

    assert "Erased: 1 lead(s)" in page.content.decode()
    text = everything_of(world.sponsor)
    assert "Hopper" not in text and "Grace" not in text and EMAIL not in text and "555 0100" not in text
    lead = m.Lead.objects.get(pk=world.leads["won"].pk)
    assert lead.attendee.full_name == ERASED and lead.erased_at is not None
    assert not stored.exists()
    export.refresh_from_db()
    assert export.status == "expired" and not export.file and export.params == {}  # its filters' words too
    assert figures(world.booth) == before
    follow_up = m.FollowUp.objects.get(lead=lead)
    assert (follow_up.status, follow_up.opportunity_amount) == ("won", 10000)
    # Another sponsor's lead of her, and the attendee it needs, are not this sponsor's to erase.
    assert m.Lead.objects.get(pk=world.elsewhere.pk).attendee.email == EMAIL
    # Later scoring leaves the erased lead's grade as it was (a blank person would grade lower).
    leads_score_current([lead.pk])
    assert m.LeadScore.objects.get(lead=lead).grade == grade


def test_erasure_by_badge_id_deletes_the_attendee_nobody_else_has(client, world):
    turing = world.leads["lost_after_meeting"]
    m.Attendee.objects.filter(pk=turing.attendee_id).update(badge_id="KC-TURING")
    elsewhere = f.AttendeeFactory(badge_id="KC-TURING", last_name="Namesake")  # the same id at another event
    assert "choose it" in erase(client, world, badge_id="KC-TURING").content.decode()  # which event?
    page = erase(client, world, badge_id="KC-TURING", event=world.booth.event_id)
    assert "Erased: 1 lead(s)" in page.content.decode()
    assert not m.Attendee.objects.filter(badge_id="KC-TURING", event=world.booth.event).exists()
    assert not m.Attendee.objects.filter(email="alan@bletchley.example").exists()
    assert m.Attendee.objects.filter(pk=elsewhere.pk).exists()  # another event's person is not them


def test_the_erasure_is_recorded_with_counts_but_never_the_person(client, world):
    erase(client, world, email=EMAIL)
    event = m.AuditEvent.objects.get(action="erasure")
    assert event.user == world.manager.user and event.sponsor == world.sponsor
    assert event.details["leads"] == 1 and event.details["unknown_scans"] == 1 and event.details["scans"] == 1
    assert len(event.details["identifier_sha256"]) == 64
    assert EMAIL not in json.dumps(event.details) + event.summary
    page = client.get(reverse("privacy", args=[world.sponsor.pk])).content.decode()
    assert "Erasure" in page and "Erased a person found by email" in page


def test_nobody_found_changes_nothing_and_says_so(client, world):
    before = everything_of(world.sponsor)
    page = erase(client, world, email="nobody@nowhere.example").content.decode()
    assert "Nobody with this email or badge id" in page
    assert everything_of(world.sponsor) == before
    assert (
        m.AuditEvent.objects.get(action="erasure").summary
        == "Looked for a person to erase by email: nobody found"
    )


def test_only_the_sponsors_managers_erase_or_read_its_log(client, world):
    grace_scans = everything_of(world.sponsor)
    for intruder in (world.sales, f.StaffMemberFactory(level=PermissionLevel.MANAGER)):
        client.force_login(intruder.user)
        url = reverse("privacy", args=[world.sponsor.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"email": EMAIL, "confirm": "on"}).status_code == 404
    assert everything_of(world.sponsor) == grace_scans


def test_exports_token_and_role_changes_are_in_the_log(client, world, admin_client):
    client.force_login(world.manager.user)
    client.post(
        reverse("export-create"),
        {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
    )
    client.post(reverse("device-tokens", args=[world.sponsor.pk]),
                {"name": "kiosk", "sponsorship": world.booth.pk, "staff": world.sales.pk})  # fmt: skip
    token = m.DeviceToken.objects.get()
    client.post(reverse("device-token-revoke", args=[token.pk]))
    member = world.devrel
    admin_client.post(
        reverse("admin:tracker_staffmember_change", args=[member.pk]),
        {"user": member.user_id, "sponsor": member.sponsor_id, "role": "sales", "level": "manager", "is_active": "on",
         "sponsorships": [world.booth.pk], "home_region": member.home_region or "", "time_zone": member.time_zone or ""},
    )  # fmt: skip
    actions = list(
        m.AuditEvent.objects.filter(sponsor=world.sponsor)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["export", "token_issued", "token_revoked", "role_changed"]
    role = m.AuditEvent.objects.get(action="role_changed")
    assert role.details["before"]["level"] == "booth" and role.details["after"]["level"] == "manager"
    page = client.get(reverse("privacy", args=[world.sponsor.pk])).content.decode()
    for shown in ("Export", "Device token issued", "Device token revoked", "Role changed"):
        assert shown in page


def test_another_sponsors_log_is_not_shown(client, world):
    other = f.SponsorFactory()
    m.AuditEvent.objects.create(sponsor=other, action="export", summary="Exported Beta's secret list")
    client.force_login(world.manager.user)
    assert (
        "Beta's secret list" not in client.get(reverse("privacy", args=[world.sponsor.pk])).content.decode()
    )


def test_retention_takes_the_personal_data_out_of_leads_past_the_sponsors_days_and_keeps_the_figures(world):
    from datetime import date

    from tracker.privacy.retention import retention_apply

    recent = f.SponsorshipFactory(
        sponsor=world.sponsor, event__start_date=date(2024, 11, 12), event__end_date=date(2024, 11, 15)
    )
    kept = f.LeadFactory(sponsorship=recent, attendee__last_name="Lamarr")
    m.Sponsor.objects.filter(pk=world.sponsor.pk).update(retention_days=30)
    before = figures(world.booth)

    assert retention_apply(today=date(2024, 5, 1)) == len(world.leads)  # KubeCon EU ended on 22 March

    assert figures(world.booth) == before
    text = everything_of(world.sponsor)
    assert "Hopper" not in text and EMAIL not in text and "Lamarr" in text  # the November event is not due
    assert m.Lead.objects.get(pk=kept.pk).erased_at is None
    event = m.AuditEvent.objects.get(action="retention")
    assert (
        event.user is None
        and event.details["leads"] == len(world.leads)
        and event.details["unknown_scans"] == 1
    )
    assert retention_apply(today=date(2024, 5, 2)) == 0  # nothing left to take out: no new entry
    assert m.AuditEvent.objects.filter(action="retention").count() == 1


def test_a_manager_sets_how_long_personal_data_is_kept(client, world):
    client.force_login(world.manager.user)
    url = reverse("privacy", args=[world.sponsor.pk])
    page = client.post(url, {"retention_days": "365"}, follow=True).content.decode()
    assert "kept 365 days after each event" in page
    assert m.Sponsor.objects.get(pk=world.sponsor.pk).retention_days == 365
    client.post(url, {"retention_days": ""})
    assert m.Sponsor.objects.get(pk=world.sponsor.pk).retention_days is None
    assert client.post(url, {"retention_days": "-3"}).status_code == 200  # refused, with its reason
    assert m.Sponsor.objects.get(pk=world.sponsor.pk).retention_days is None
    refused = client.post(url, {"retention_days": "800000"})
    assert refused.status_code == 200 and "36500" in refused.content.decode().replace(",", "")
    assert m.Sponsor.objects.get(pk=world.sponsor.pk).retention_days is None


def test_one_sponsors_retention_longer_than_the_calendar_does_not_stop_the_others(world):
    """A value stored before the form's limit (or by the admin's shell): the hourly run still takes out
    the other sponsors' due leads."""
    from datetime import date

    from tracker.privacy.retention import retention_apply

    other = f.SponsorFactory()
    m.Sponsor.objects.filter(pk=other.pk).update(retention_days=800_000)
    m.Sponsor.objects.filter(pk=world.sponsor.pk).update(retention_days=30)
    assert retention_apply(today=date(2024, 5, 1)) == len(world.leads)


def test_a_person_gets_everything_held_about_them_as_json_and_as_a_workbook(client, world):
    import io

    import openpyxl

    client.force_login(world.manager.user)
    url = reverse("privacy", args=[world.sponsor.pk])
    as_json = client.post(url, {"access_email": EMAIL.upper(), "file_format": "json"})
    assert as_json["Content-Disposition"].startswith("attachment") and "no-store" in as_json["Cache-Control"]
    held = json.loads(as_json.content)
    (lead,) = held["leads"]
    assert lead["person"]["email"] == EMAIL and lead["person"]["last_name"] == "Hopper"
    assert EMAIL in lead["scans"][0]["badge_payload"] and lead["scans"][0]["extra"] == {
        "Q: Budget?": "Grace owns it"
    }
    assert lead["follow_up"]["outcome"].startswith("Grace signed") and lead["score"]["grade"] == "A"
    assert "Turing" not in as_json.content.decode()  # nobody else

    workbook = client.post(url, {"access_badge_id": "", "access_email": EMAIL, "file_format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Leads", "Scans", "Follow-up history"]
    assert "Hopper" in [c for row in book["Leads"].iter_rows(values_only=True) for c in row]
    scans = list(book["Scans"].iter_rows(values_only=True))
    assert any(EMAIL in (cell or "") for cell in scans[1])
    events = m.AuditEvent.objects.filter(action="export", summary__startswith="Subject-access")
    assert events.count() == 2 and EMAIL not in json.dumps(list(events.values("summary", "details")))


def test_a_subject_access_file_holds_formulas_as_text(client, world):
    import io

    import openpyxl

    m.Scan.objects.filter(lead=world.leads["won"]).update(notes='=HYPERLINK("http://evil.example","x")')
    client.force_login(world.manager.user)
    response = client.post(
        reverse("privacy", args=[world.sponsor.pk]), {"access_email": EMAIL, "file_format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Scans"]
    notes = [cell for cell in sheet[2] if cell.value and "HYPERLINK" in str(cell.value)]
    assert notes and all(cell.data_type == "s" for cell in notes)


def test_consent_says_how_and_by_whom_and_the_persons_later_word_wins(client, world):
    import io
    from datetime import timedelta

    import openpyxl
    from django.utils import timezone

    from tracker.scans.matching import leads_recount

    grace = world.leads["won"]
    scan = grace.scans.get()
    m.Scan.objects.filter(pk=scan.pk).update(consent=True, source="")
    leads_recount([grace.pk])
    grace.refresh_from_db()
    assert (grace.consent, grace.consent_how, grace.consent_by) == (True, "booth", world.sales)
    client.force_login(world.sales.user)
    page = client.get(reverse("lead-detail", args=[grace.pk])).content.decode()
    assert "asked at the booth" in page and "The person withdrew consent" in page

    page = client.post(
        reverse("lead-consent", args=[grace.pk]), {"answer": "no"}, follow=True
    ).content.decode()

    assert "the person withdrew consent" in page
    grace.refresh_from_db()
    assert (grace.consent, grace.consent_how, grace.consent_by) == (False, "person", world.sales)
    leads_recount([grace.pk])  # the older booth answer is counted again: the person's word stands
    grace.refresh_from_db()
    assert grace.consent is False
    client.force_login(world.manager.user)
    client.post(
        reverse("export-create"),
        {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
    )
    export = m.ExportLog.objects.latest("pk")
    held = b"".join(client.get(reverse("export-download", args=[export.pk])).streaming_content)
    cells = [
        str(c)
        for row in openpyxl.load_workbook(io.BytesIO(held)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert EMAIL not in cells and any("Hopper" in c for c in cells)  # in the file, without the contact data
    # A phone that was offline syncs now an answer it asked before they withdrew; a file says yes: both older.
    f.ScanFactory(lead=grace, consent=True, scanned_by=world.devrel, received_at=timezone.now(),
                  device_scanned_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    f.ScanFactory(lead=grace, consent=True, source="Cvent: later.csv", received_at=timezone.now())
    leads_recount([grace.pk])
    grace.refresh_from_db()
    assert (grace.consent, grace.consent_how) == (False, "person")
    # Met again at a later booth, they say yes: the newer answer wins.
    f.ScanFactory(
        lead=grace, consent=True, scanned_by=world.devrel, received_at=timezone.now() + timedelta(minutes=1)
    )
    leads_recount([grace.pk])
    grace.refresh_from_db()
    assert (grace.consent, grace.consent_how, grace.consent_by) == (True, "booth", world.devrel)


def test_an_imported_answer_says_so(world):
    from tracker.scans.matching import leads_recount

    turing = world.leads["lost_after_meeting"]
    m.Scan.objects.filter(lead=turing).update(consent=False, source="Cvent LeadCapture: day1.csv")
    leads_recount([turing.pk])
    turing.refresh_from_db()
    assert (turing.consent, turing.consent_how) == (False, "import")


def test_an_operator_erases_a_person_from_every_sponsor_and_every_list(world, admin_client):
    listed = f.AttendeeFactory(email=EMAIL, last_name="Hopper")  # on another event's list, never scanned
    grace = world.leads["won"].attendee
    before = figures(world.booth)

    response = admin_client.post(
        reverse("admin:tracker_attendee_changelist"),
        {"action": "erase_everywhere", "_selected_action": [grace.pk]},
        follow=True,
    )

    assert "Erased 1 person(s): 2 lead(s)" in response.content.decode()
    assert not m.Attendee.objects.filter(email__iexact=EMAIL).exists()
    assert not m.Attendee.objects.filter(pk=listed.pk).exists()
    assert m.Lead.objects.get(pk=world.elsewhere.pk).attendee.full_name == ERASED
    assert figures(world.booth) == before
    everywhere = m.AuditEvent.objects.get(action="erasure", sponsor=None)
    assert everywhere.details["everywhere"] and everywhere.details["leads"] == 2
    assert m.AuditEvent.objects.filter(action="erasure").exclude(sponsor=None).count() == 2  # one per sponsor


def test_only_the_whole_email_is_the_person(client, world):
    f.ScanFactory(sponsorship=world.booth, lead=None, raw_payload="MECARD:N:Someone;EMAIL:jo" + EMAIL + ";;")
    erase(client, world, email=EMAIL)
    assert m.Scan.objects.filter(raw_payload__contains="jo" + EMAIL).exists()  # not her: kept


def test_an_export_written_while_its_person_was_erased_is_not_kept(client, world, settings, tmp_path):
    from tracker.exports.service import export_run, export_start

    settings.MEDIA_ROOT = tmp_path
    job = export_start(user=world.manager.user, kind="sales-review", file_format="xlsx",
                       params={"sponsorship": world.booth.pk})  # fmt: skip
    erase(client, world, email=EMAIL)  # while the export waits in the queue

    export_run(job.pk)

    job.refresh_from_db()
    assert job.status == "expired" and not job.file and not list(tmp_path.rglob("*.xlsx"))


def test_a_role_changed_in_a_sponsors_list_of_staff_is_in_the_log_too(world, admin_client):
    sponsor, member = world.sponsor, world.devrel
    page = admin_client.get(reverse("admin:tracker_sponsor_change", args=[sponsor.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {management.add_prefix(k): v for k, v in management.initial.items()}
        for inline in formset.formset.forms:
            data |= {
                inline.add_prefix(k): v
                for k, v in inline.initial.items()
                if v is not None and not isinstance(v, list)
            }
            if inline.instance.pk:
                data[inline.add_prefix("id")] = inline.instance.pk
            if inline.instance.pk == member.pk:
                data[inline.add_prefix("level")] = "manager"
    response = admin_client.post(reverse("admin:tracker_sponsor_change", args=[sponsor.pk]), data)
    assert response.status_code == 302, [
        f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
    ] + [response.context["adminform"].form.errors]
    member.refresh_from_db()
    assert member.level == "manager"
    assert m.AuditEvent.objects.get(action="role_changed").details["after"]["level"] == "manager"


def test_the_persons_answers_are_in_their_access_file_and_go_with_an_erasure(client, world):
    question = m.Question.objects.create(sponsor=world.sponsor, label="Current tool", kind="text")
    grace = world.leads["won"]
    # Two answers to questions deleted since: both in the file, under numbered labels.
    m.Scan.objects.filter(lead=grace).update(answers={str(question.pk): "Grace's own scripts", "999998": "yes", "999999": "AWS"})  # fmt: skip
    from tracker.scans.matching import leads_recount

    leads_recount([grace.pk])
    assert m.LeadAnswer.objects.filter(lead=grace).exists()
    client.force_login(world.manager.user)
    url = reverse("privacy", args=[world.sponsor.pk])

    held = json.loads(client.post(url, {"access_email": EMAIL, "file_format": "json"}).content)
    assert held["leads"][0]["scans"][0]["answers"] == {
        "Current tool": "Grace's own scripts", "Removed question": "yes", "Removed question (2)": "AWS"
    }  # fmt: skip

    erase(client, world, email=EMAIL)
    assert not m.LeadAnswer.objects.filter(lead=grace).exists()
    assert m.Scan.objects.get(lead=grace).answers is None
    assert "Grace's own scripts" not in json.dumps(list(m.Scan.objects.values("answers")))
