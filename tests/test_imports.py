"""Imports end to end: lead files merged with booth scans, attendee lists resolving unknown badges,
re-imports that change nothing, the rejected-rows file coming back fixed, the command line, the web flow,
and who may import what."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests import factories as f
from tracker.analytics.roi import roi_for
from tracker.models import Attendee, ImportJob, ImportPreset, Lead, Scan
from tracker.models.choices import IcpStatus

pytestmark = pytest.mark.django_db

LEAD_HEADER = [
    "Registration ID",
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Scan Time",
    "Notes",
    "Q: Timeline?",
]


def _csv(rows, header=LEAD_HEADER, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def booth():
    """A booth at an event in Los Angeles (west of UTC), its manager, a booth staffer and a booth scan of
    Ada (badge KC-1, scanned on the 20th at 10:00 local time)."""
    sponsorship = f.SponsorshipFactory(event__time_zone="America/Los_Angeles", event__start_date=date(2024, 3, 19),
                                       event__end_date=date(2024, 3, 22))  # fmt: skip
    manager = f.StaffMemberFactory(sponsor=sponsorship.sponsor, level="manager", user__first_name="Mia",
                                   user__last_name="Manager")  # fmt: skip
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__first_name="Sam", user__last_name="Booth")
    staff.sponsorships.add(sponsorship)
    ada = f.AttendeeFactory(event=sponsorship.event, badge_id="KC-1", first_name="Ada", last_name="Lovelace",
                            email="ada@example.org", company="Analytical", country="")  # fmt: skip
    lead = f.LeadFactory(
        sponsorship=sponsorship, attendee=ada, first_scan_at=datetime(2024, 3, 20, 17, tzinfo=UTC)
    )
    f.ScanFactory(lead=lead, sponsorship=sponsorship, notes="Met at the booth", scanned_by=staff,
                  received_at=datetime(2024, 3, 20, 17, tzinfo=UTC))  # fmt: skip
    sponsorship.manager, sponsorship.staff = manager, staff
    return sponsorship


def _import(tmp_path, booth, content: bytes, *args, name="leads.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_leads", str(path), "--sponsorship", str(booth.pk), *args, stdout=out)
    return out.getvalue()


LEADS = [
    # Ada again (badge KC-1), scanned earlier by the organiser's app than at the booth.
    [
        "KC-1",
        "Ada",
        "Lovelace",
        "",
        "Analytical",
        "03/20/2024 8:30 AM",
        "Asked about pricing",
        "This quarter",
    ],
    ["", "Grace", "Hopper", "grace@example.org", "Navy", "03/21/2024 1:00 PM", "Démo demandée", "Next year"],
    ["", "Linus", "Torvalds", "", "Kernel Ltd", "03/21/2024 2:00 PM", '=HYPERLINK("http://x.example")', ""],
    ["", "", "", "", "Nobody Inc", "03/21/2024 3:00 PM", "", ""],
]


def test_a_lead_file_merges_with_booth_scans_and_keeps_everything(tmp_path, booth):
    out = _import(tmp_path, booth, _csv(LEADS))
    assert "Imported 4 rows: 2 new, 1 merged, 0 unchanged, 1 rejected." in out
    assert "line 5: No badge id, email or name" in out
    ada = Lead.objects.get(sponsorship=booth, attendee__badge_id="KC-1")
    # Both sources' notes, the earliest first contact (8:30 in Los Angeles is 15:30 UTC).
    assert sorted(ada.scans.values_list("notes", flat=True)) == ["Asked about pricing", "Met at the booth"]
    assert ada.first_scan_at == datetime(2024, 3, 20, 15, 30, tzinfo=UTC)
    imported = ada.scans.get(source__startswith="Import")
    assert imported.extra == {"Q: Timeline?": "This quarter"}  # an unmapped column, kept
    assert imported.source == "Import: leads.csv"
    linus = Lead.objects.get(sponsorship=booth, attendee__last_name="Torvalds")
    assert linus.scans.get().notes == '=HYPERLINK("http://x.example")'  # stored as text
    assert Lead.objects.filter(sponsorship=booth).count() == 3
    (roi,) = roi_for([booth])
    assert (roi.total.scans, roi.total.leads) == (4, 3)  # imported leads count in the figures


def test_importing_the_same_file_again_changes_nothing(tmp_path, booth):
    _import(tmp_path, booth, _csv(LEADS))
    before = sorted(Scan.objects.filter(sponsorship=booth).values_list("pk", "lead_id", "notes"))
    out = _import(tmp_path, booth, _csv(LEADS))
    assert "Imported 4 rows: 0 new, 0 merged, 3 unchanged, 1 rejected." in out
    assert sorted(Scan.objects.filter(sponsorship=booth).values_list("pk", "lead_id", "notes")) == before


def test_a_dry_run_writes_nothing_but_says_what_would_happen(tmp_path, booth):
    out = _import(tmp_path, booth, _csv(LEADS), "--dry-run")
    assert "Would import 4 rows: 2 new, 1 merged, 0 unchanged, 1 rejected." in out
    assert Scan.objects.filter(sponsorship=booth).count() == 1


def test_a_person_without_badge_or_email_merges_by_name_and_company(tmp_path, booth):
    typed = f.AttendeeFactory(event=booth.event, badge_id="", email="", first_name="Linus", last_name="Torvalds",
                              company="Kernel Ltd")  # fmt: skip
    f.LeadFactory(sponsorship=booth, attendee=typed)
    _import(tmp_path, booth, _csv([LEADS[2]]))
    assert Lead.objects.filter(sponsorship=booth, attendee__last_name="Torvalds").count() == 1
    assert Attendee.objects.filter(event=booth.event, last_name="Torvalds").count() == 1


def test_imported_leads_are_scored_like_scanned_ones(tmp_path, booth):
    icp = f.IcpFactory(sponsor=booth.sponsor, status=IcpStatus.PUBLISHED, published_at=timezone.now(),
                       grade_a_min=90, grade_b_min=60, grade_c_min=1)  # fmt: skip
    f.IcpCriterionFactory(
        icp=icp, field="email_domain", values=["example.org"], weight=70, label="Our domain"
    )
    _import(tmp_path, booth, _csv(LEADS))
    grace = Lead.objects.get(sponsorship=booth, attendee__email="grace@example.org")
    assert grace.score.grade == "B"


def test_the_rejected_rows_come_back_as_text_and_import_once_fixed(tmp_path, booth):
    rows = [["", "", "", "", "Nobody Inc", "03/21/2024 3:00 PM", "=1+2", "ok"]]
    _import(tmp_path, booth, _csv(rows))
    job = ImportJob.objects.latest("pk")
    with job.rejected_file.open("rb") as handle:
        sheet = load_workbook(handle).active
        header, rejected = list(sheet.iter_rows())
    assert [c.value for c in header] == [*LEAD_HEADER, "Reason"]
    assert rejected[6].value == "=1+2" and rejected[6].data_type == "s"  # text, never a formula
    # Fixed (an email added) and imported as it was downloaded, Reason column and all.
    fixed = tmp_path / "fixed.xlsx"
    rejected[3].value = "nobody@example.org"
    sheet.parent.save(fixed)
    out = _import(tmp_path, booth, fixed.read_bytes(), name="fixed.xlsx")
    assert "Imported 1 rows: 1 new, 0 merged, 0 unchanged, 0 rejected." in out
    scan = Scan.objects.get(sponsorship=booth, lead__attendee__email="nobody@example.org")
    assert scan.notes == "=1+2" and scan.extra == {"Q: Timeline?": "ok"}  # the reason is not kept as data


def test_an_attendee_list_resolves_badges_nobody_knew(tmp_path, booth, django_capture_on_commit_callbacks):
    unknown = f.ScanFactory(sponsorship=booth, lead=None, raw_payload="KC-77", processed_at=timezone.now())
    path = tmp_path / "attendees.csv"
    path.write_bytes(_csv([["KC-77", "Kenji", "Sato", "kenji@example.jp", "Tokyo Cloud", "JP"],
                           ["KC-1", "Ada", "Lovelace", "", "", "GB"]],
                          header=["Badge", "Vorname", "Nachname", "E-Mail", "Firma", "Land"], delimiter=";"))  # fmt: skip
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the badges go back to matching once committed
        call_command("import_attendees", str(path), "--event", str(booth.event_id), stdout=out)
    assert "Imported 2 rows: 1 new, 1 merged, 0 unchanged, 0 rejected." in out.getvalue()
    unknown.refresh_from_db()
    assert unknown.lead is not None and unknown.lead.attendee.first_name == "Kenji"
    assert Attendee.objects.get(event=booth.event, badge_id="KC-1").country == "GB"  # a blank filled in
    call_command(
        "import_attendees", str(path), "--event", str(booth.event_id), stdout=(again := io.StringIO())
    )
    assert "0 new, 0 merged, 2 unchanged" in again.getvalue()


def test_the_command_refuses_what_it_cannot_do_with_a_reason(tmp_path, booth):
    (tmp_path / "x.csv").write_bytes(_csv(LEADS))
    with pytest.raises(CommandError, match="No sponsorship"):
        call_command("import_leads", str(tmp_path / "x.csv"), "--sponsorship", "999999")
    with pytest.raises(CommandError, match="No file"):
        call_command("import_leads", str(tmp_path / "y.csv"), "--sponsorship", str(booth.pk))
    with pytest.raises(CommandError, match="No column says who"):
        _import(tmp_path, booth, _csv([["x", "y"]], header=["Company", "Title"]))
    with pytest.raises(CommandError, match="No preset"):
        _import(tmp_path, booth, _csv(LEADS), "--preset", "Nope")


# The web flow.


def _upload(client, booth, content: bytes, name="leads.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("import-upload"), {"kind": "leads", "sponsorship": booth.pk, "file": upload})


def test_upload_map_dry_run_import_and_report_in_the_app(client, booth, django_capture_on_commit_callbacks):
    client.force_login(booth.manager.user)
    response = _upload(client, booth, _csv(LEADS, encoding="cp1252", delimiter=";"))
    job = ImportJob.objects.get()
    assert response.url == reverse("import-job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert 'name="column-0"' in page and "KC-1" in page  # the mapping screen, with the first values
    assert job.encoding == "cp1252"
    mapping = {f"column-{i}": field for i, field in enumerate(job.mapping)}
    with django_capture_on_commit_callbacks(execute=True):  # the dry run is queued once the mapping commits
        client.post(reverse("import-check", args=[job.pk]),
                    {**mapping, "date_order": "MDY", "preset_name": "Cvent LeadCapture"})  # fmt: skip
    job.refresh_from_db()
    assert job.status == "checked" and job.checked["new"] == 2 and job.checked["rejected"] == 1
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "What the import will do" in page and "Import 4 rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.outcome["merged"] == 1
    assert Scan.objects.filter(sponsorship=booth, source="Cvent LeadCapture: leads.csv").count() == 3
    report = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "What the import did" in report and "Download the rejected rows" in report
    rejected = client.get(reverse("import-rejected", args=[job.pk]))
    assert rejected.status_code == 200 and rejected["Content-Disposition"].startswith("attachment")
    # The same platform's next file is mapped by the preset, without asking.
    _upload(client, booth, _csv(LEADS[:1], encoding="cp1252", delimiter=";"), name="day2.csv")
    second = ImportJob.objects.latest("pk")
    assert (
        second.preset == ImportPreset.objects.get(name="Cvent LeadCapture") and second.mapping == job.mapping
    )


def test_the_lead_page_shows_the_source_and_the_extra_columns(client, booth, tmp_path):
    _import(tmp_path, booth, _csv(LEADS))
    client.force_login(booth.manager.user)
    ada = Lead.objects.get(sponsorship=booth, attendee__badge_id="KC-1")
    page = client.get(reverse("lead-detail", args=[ada.pk])).content.decode()
    assert "from Import: leads.csv" in page and "Q: Timeline?" in page and "This quarter" in page


def test_a_bad_mapping_or_an_unreadable_file_is_said_not_crashed(client, booth):
    client.force_login(booth.manager.user)
    response = _upload(client, booth, b"\x00\x01\x02binary" * 50, name="photo.csv")
    job = ImportJob.objects.get()
    assert job.status == "failed" and "binary" in job.error
    assert client.get(response.url).status_code == 200
    _upload(client, booth, _csv(LEADS))
    job = ImportJob.objects.latest("pk")
    response = client.post(reverse("import-check", args=[job.pk]), {"column-0": "salary"}, follow=True)
    assert "Unknown field" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "uploaded"
    assert client.post(reverse("import-run", args=[job.pk]), follow=True).status_code == 200  # no dry run yet
    assert not Scan.objects.filter(source__startswith="Import").exists()


def test_who_may_import_what(client, booth):
    other = f.SponsorshipFactory(event=booth.event)
    other_manager = f.StaffMemberFactory(sponsor=other.sponsor, level="manager")
    # Booth staff cannot import; a manager cannot import into another sponsor's booth, nor attendee lists.
    client.force_login(booth.staff.user)
    assert client.get(reverse("imports")).status_code == 403
    assert _upload(client, booth, _csv(LEADS)).status_code == 404
    client.force_login(other_manager.user)
    assert _upload(client, booth, _csv(LEADS)).status_code == 404
    upload = io.BytesIO(_csv(LEADS))
    upload.name = "a.csv"
    assert client.post(reverse("import-upload"), {"kind": "attendees", "event": booth.event_id,
                                                  "file": upload}).status_code == 404  # fmt: skip
    # Another sponsor's import is a 404 in every URL.
    client.force_login(booth.manager.user)
    _upload(client, booth, _csv(LEADS))
    job = ImportJob.objects.get()
    client.force_login(other_manager.user)
    for name in ("import-job", "import-progress", "import-rejected"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    for name in ("import-check", "import-run"):
        assert client.post(reverse(name, args=[job.pk])).status_code == 404, name
    assert job.file_name not in client.get(reverse("imports")).content.decode()


def test_costs_untouched_by_imports(tmp_path, booth):
    f.CostLineFactory(sponsorship=booth, amount=Decimal("100.00"), currency="EUR")
    _import(tmp_path, booth, _csv(LEADS))
    assert roi_for([booth])[0].cost == Decimal("100.00")


def test_a_bare_badge_id_nobody_has_is_kept_as_an_unknown_badge_until_the_list_comes(
    tmp_path, booth, django_capture_on_commit_callbacks
):
    out = _import(tmp_path, booth, _csv([["KC-404", "", "", "", "", "03/21/2024 1:00 PM", "Badge only", ""]]))
    assert "Imported 1 rows: 0 new, 0 merged, 1 unknown badges, 0 unchanged, 0 rejected." in out
    kept = Scan.objects.unknown().get(sponsorship=booth)
    assert kept.notes == "Badge only" and kept.typed == {"badge_id": "KC-404"}
    path = tmp_path / "list.csv"
    path.write_bytes(
        _csv([["KC-404", "Kim", "Lee", "kim@example.org"]], header=["Badge", "First", "Last", "Email"])
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_attendees", str(path), "--event", str(booth.event_id), stdout=io.StringIO())
    kept.refresh_from_db()
    assert kept.lead is not None and kept.lead.attendee.email == "kim@example.org"


def test_name_only_rows_find_their_lead_whatever_the_spelling(tmp_path, booth):
    rows = [["", "Jörg", "Weiß", "", "Straße  GmbH", "03/21/2024 1:00 PM", "first", ""],
            ["", "Jörg", "Weiß", "", "Straße  GmbH", "03/21/2024 2:00 PM", "second", ""],
            ["", "Ebru", "İnce", "", "Van  Dijk BV", "03/21/2024 3:00 PM", "", ""]]  # fmt: skip
    _import(tmp_path, booth, _csv(rows))
    assert not Scan.objects.filter(sponsorship=booth, lead__isnull=True).exists()
    joerg = Lead.objects.get(sponsorship=booth, attendee__last_name="Weiß")
    assert sorted(joerg.scans.values_list("notes", flat=True)) == ["first", "second"]
    # Imported again in another chunk (another run): still one person each.
    _import(
        tmp_path, booth, _csv([["", "Jörg", "Weiß", "", "Straße GmbH", "03/22/2024 1:00 PM", "third", ""]])
    )
    assert Attendee.objects.filter(event=booth.event, last_name="Weiß").count() == 1


def test_a_name_alone_never_reaches_another_sponsors_person(tmp_path, booth):
    other = f.SponsorshipFactory(event=booth.event)
    theirs = f.AttendeeFactory(event=booth.event, badge_id="", email="john@private.example", first_name="John",
                               last_name="Smith", company="Acme", phone="+1 555 0100")  # fmt: skip
    f.LeadFactory(sponsorship=other, attendee=theirs)
    _import(tmp_path, booth, _csv([["", "John", "Smith", "", "Acme", "03/21/2024 1:00 PM", "", ""]]))
    ours = Lead.objects.get(sponsorship=booth, attendee__last_name="Smith")
    assert ours.attendee_id != theirs.pk and ours.attendee.email == "" and ours.attendee.phone == ""


def test_two_badges_with_one_email_in_a_file_are_one_person(tmp_path, booth):
    rows = [["KC-50", "Ana", "Lima", "ana@example.org", "Co", "03/21/2024 1:00 PM", "", ""],
            ["KC-51", "Ana", "Lima", "ana@example.org", "Co", "03/21/2024 2:00 PM", "", ""]]  # fmt: skip
    _import(tmp_path, booth, _csv(rows))
    assert Attendee.objects.filter(event=booth.event, email="ana@example.org").count() == 1
    assert Lead.objects.filter(sponsorship=booth, attendee__email="ana@example.org").count() == 1
    assert Scan.objects.filter(sponsorship=booth, lead__attendee__email="ana@example.org").count() == 2
    assert Lead.objects.get(sponsorship=booth, attendee__email="ana@example.org").scan_count == 2


def test_a_re_export_with_one_more_column_is_the_same_rows(tmp_path, booth):
    _import(tmp_path, booth, _csv(LEADS))
    wider = _csv([row + ["new column value"] for row in LEADS], header=[*LEAD_HEADER, "Exported at"])
    assert "0 new, 0 merged, 3 unchanged, 1 rejected." in _import(tmp_path, booth, wider)


def test_an_import_starts_once_however_often_it_is_asked(client, booth, django_capture_on_commit_callbacks):
    from tracker.imports.jobs import job_start

    client.force_login(booth.manager.user)
    _upload(client, booth, _csv(LEADS))
    job = ImportJob.objects.get()
    assert job_start(job, dry_run=True) is True
    assert job_start(job, dry_run=True) is False  # a second click while it runs
    assert job_start(job, dry_run=False) is False  # and no import before the dry run is done


def test_a_damaged_workbook_is_said_not_crashed(client, booth):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    client.force_login(booth.manager.user)
    response = _upload(client, booth, buffer.getvalue(), name="leads.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error
    assert client.get(response.url).status_code == 200


@settings(max_examples=40)
@given(
    form=st.dictionaries(
        st.sampled_from(
            ["encoding", "date_order", "preset_name", "column-0", "column-1", "column-7", "column-99"]
        ),
        st.text(max_size=60),
        max_size=6,
    )
)
@example(form={"encoding": "rot13"})
@example(form={"encoding": "idna", "column-0": "email"})
@example(form={"column-0": "-", "column-1": "-", "date_order": "DMY"})
def test_any_mapping_form_is_answered_without_a_server_error(client, booth, form):
    client.force_login(booth.manager.user)
    job = ImportJob.objects.filter(sponsorship=booth).first()
    if job is None:
        _upload(client, booth, _csv(LEADS))
        job = ImportJob.objects.get(sponsorship=booth)
    ImportJob.objects.filter(pk=job.pk).update(status="uploaded", encoding="utf-8")
    response = client.post(reverse("import-check", args=[job.pk]), form)
    assert response.status_code == 302, form
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 200


def test_a_column_holding_a_question_s_answers_is_mapped_to_it_and_a_bad_answer_kept_as_extra(
    tmp_path, booth
):
    from tracker.models import LeadAnswer, Question

    timeline = Question.objects.create(sponsor=booth.sponsor, label="Timeline", kind="single", choices=["This quarter", "Next year"])  # fmt: skip
    budget = Question.objects.create(sponsor=booth.sponsor, label="Budget owner", kind="yes_no")
    rows = [[*row, answer] for row, answer in zip(LEADS, ["yes", "maybe", "", ""], strict=True)]

    out = _import(tmp_path, booth, _csv(rows, header=[*LEAD_HEADER, "Budget owner"]))

    ada = Lead.objects.get(attendee__badge_id="KC-1")
    grace = Lead.objects.get(attendee__email="grace@example.org")
    assert dict(ada.answers.values_list("question__label", "value")) == {"Timeline": "This quarter", "Budget owner": "yes"}  # fmt: skip
    assert dict(grace.answers.values_list("question__label", "value")) == {"Timeline": "Next year"}
    assert grace.scans.get(source__endswith="leads.csv").extra == {"Budget owner": "maybe"}  # nothing dropped
    assert f"Q: Timeline? -> answer:{timeline.pk}" in out and f"Budget owner -> answer:{budget.pk}" in out
    assert "1 values kept as extra data" in out
    assert LeadAnswer.objects.filter(question__in=[timeline, budget]).count() == 3


def test_answers_from_a_file_are_part_of_its_rows_and_never_beat_the_booth(tmp_path, booth):
    from tracker.models import Question

    timeline = Question.objects.create(sponsor=booth.sponsor, label="Timeline", kind="single", choices=["This quarter", "Next year"])  # fmt: skip
    clouds = Question.objects.create(sponsor=booth.sponsor, label="Clouds", kind="multiple", choices=["AWS", "Yes, on-prem"])  # fmt: skip
    elsewhere = f.SponsorshipFactory(sponsor=booth.sponsor)
    Question.objects.create(sponsor=booth.sponsor, label="Other booth", kind="text", sponsorship=elsewhere)
    ada = Lead.objects.get(attendee__badge_id="KC-1")
    Scan.objects.filter(lead=ada).update(answers={str(timeline.pk): "Next year"}, device_scanned_at=datetime(2024, 3, 20, 17, tzinfo=UTC))  # fmt: skip
    header = ["Registration ID", "First Name", "Last Name", "Q: Timeline?", "Clouds", "Other booth"]

    first = _import(tmp_path, booth, _csv([["KC-1", "Ada", "Lovelace", "This quarter", "Yes, on-prem", "x"]], header=header))  # fmt: skip
    assert "Other booth -> kept as extra data" in first  # another booth's question is not offered here
    assert dict(ada.answers.values_list("question__label", "value")) == {"Timeline": "Next year", "Clouds": "Yes, on-prem"}  # fmt: skip
    # The same row with a corrected answer is another row, not "unchanged".
    again = _import(tmp_path, booth, _csv([["KC-1", "Ada", "Lovelace", "This quarter", "AWS", "x"]], header=header), name="v2.csv")  # fmt: skip
    assert "1 unchanged" not in again
    assert set(ada.answers.filter(question=clouds).values_list("value", flat=True)) == {"AWS"}


def test_a_files_consent_without_a_scan_time_never_beats_the_booths_answer(tmp_path, booth):
    """Consent follows the latest answer by when the person was asked: a file's row without a scan time
    counts as the oldest, however late it is imported; one with a later scan time is the newer answer."""
    ada = Lead.objects.get(attendee__badge_id="KC-1")
    Scan.objects.filter(lead=ada).update(
        consent=True, device_scanned_at=datetime(2024, 3, 20, 17, tzinfo=UTC)
    )
    header = ["Registration ID", "First Name", "Last Name", "Scan Time", "Opt-in"]

    _import(
        tmp_path,
        booth,
        _csv([["KC-1", "Ada", "Lovelace", "", "no"]], header=header),
        "--map",
        "Opt-in=consent",
    )
    ada.refresh_from_db()
    assert (ada.consent, ada.consent_how) == (True, "booth")

    _import(tmp_path, booth, _csv([["KC-1", "Ada", "Lovelace", "3/21/2024 9:15 AM", "no"]], header=header), "--map", "Opt-in=consent", name="later.csv")  # fmt: skip
    ada.refresh_from_db()
    assert (ada.consent, ada.consent_how) == (False, "import")


def test_a_row_without_a_scan_time_is_not_taken_for_a_contact_on_the_day_of_the_import(
    tmp_path, booth, client
):
    """A row without a time counts as a scan of the lead, but gives it no first or last contact (such leads
    looked scanned today and sorted first); the lead page says there was no time in the file, a booth
    scan's time stays the lead's, and the note is credited to the file in the sales review."""
    rows = [["KC-1", "Ada", "Lovelace", "", "Analytical", "", "From the organiser's app", ""],
            ["", "Grace", "Hopper", "grace@example.org", "Navy", "", "Wants a call", ""]]  # fmt: skip
    _import(tmp_path, booth, _csv(rows))
    grace = Lead.objects.get(sponsorship=booth, attendee__last_name="Hopper")
    assert (grace.scan_count, grace.first_scan_at, grace.last_scan_at) == (1, None, None)
    ada = Lead.objects.get(sponsorship=booth, attendee__badge_id="KC-1")
    assert ada.scan_count == 2
    assert ada.first_scan_at == ada.last_scan_at == datetime(2024, 3, 20, 17, tzinfo=UTC)  # the booth's scan
    assert grace.scans.get().device_scanned_at is None  # no time is made up

    client.force_login(booth.manager.user)
    assert "At the event" in client.get(grace.get_absolute_url()).content.decode()
    from tracker.exports.service import export_run, export_start

    job = export_run(export_start(user=booth.manager.user, kind="sales-review", file_format="csv",
                                  params={"sponsorship": booth.pk}).pk)  # fmt: skip
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert "Import: leads.csv: Wants a call" in text and "unknown: Wants a call" not in text


def test_one_huge_cell_never_sinks_the_file(tmp_path, booth):
    """The csv module stops at 128 KiB a field: a row of 200,000 characters of notes is imported whole, one
    whose company is that long is rejected with its reason, and the other rows are imported."""
    rows = [["", "Grace", "Hopper", "grace@example.org", "Navy", "03/21/2024 1:00 PM", "x" * 200_000, ""],
            ["", "Linus", "Torvalds", "linus@example.org", "y" * 200_000, "03/21/2024 2:00 PM", "", ""],
            ["", "Ada", "Byron", "ada.b@example.org", "Analytical", "03/21/2024 3:00 PM", "short", ""]]  # fmt: skip
    out = _import(tmp_path, booth, _csv(rows))
    assert "2 new" in out and "1 rejected" in out and "company is longer than 200 characters" in out
    grace = Lead.objects.get(sponsorship=booth, attendee__last_name="Hopper")
    assert len(grace.scans.get().notes) == 200_000


def test_a_refused_mapping_changes_nothing_the_dry_run_showed(
    client, booth, django_capture_on_commit_callbacks
):
    """A mapping refused (a field twice) keeps neither it nor the encoding sent with it: the import still
    reads the file as its dry run did (a UTF-8 file read as cp1252 would have imported "ZoÃ«")."""
    client.force_login(booth.manager.user)
    _upload(client, booth, _csv([["", "Zoë", "Ørsted", "zoe@example.org", "Café Ltd", "", "", ""]]))
    job = ImportJob.objects.get()
    mapping = {f"column-{i}": field for i, field in enumerate(job.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-check", args=[job.pk]), mapping)
    twice = {**mapping, "column-4": "email"}
    client.post(reverse("import-check", args=[job.pk]), {**twice, "encoding": "cp1252"})
    job.refresh_from_db()
    assert (job.status, job.encoding, job.mapping) == ("checked", "utf-8", list(mapping.values()))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-run", args=[job.pk]))
    assert Lead.objects.filter(
        sponsorship=booth, attendee__first_name="Zoë", attendee__company="Café Ltd"
    ).exists()


def test_two_badge_ids_of_one_email_are_reported_as_the_one_lead_they_make(tmp_path, booth):
    rows = [["KC-501", "Grace", "Hopper", "grace@example.org", "Navy", "03/21/2024 1:00 PM", "", ""],
            ["KC-502", "Grace", "Hopper", "Grace@Example.org", "Navy", "03/21/2024 2:00 PM", "", ""]]  # fmt: skip
    checked = _import(tmp_path, booth, _csv(rows), "--dry-run")
    out = _import(tmp_path, booth, _csv(rows), name="again.csv")
    for said in (checked, out):
        assert "1 new, 1 merged" in said, said
    assert Lead.objects.filter(sponsorship=booth, attendee__last_name="Hopper").count() == 1
    assert Lead.objects.get(sponsorship=booth, attendee__last_name="Hopper").scan_count == 2
