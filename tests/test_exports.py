"""Workbooks and CSVs as their readers meet them: sheets, headers, types, formats, charts, safety, access."""

import csv
import io
import os
import sys
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as f
from tests.export_world import HOSTILE, build_world, downloaded
from tracker import models as m
from tracker.exports import base
from tracker.exports.base import Column, Export, Sheet, write_csv, write_xlsx
from tracker.exports.devrel import request_kinds
from tracker.exports.leads import SalesReviewExport
from tracker.exports.reader import forked_reading, read_ahead
from tracker.exports.safety import csv_safe, looks_like_formula
from tracker.exports.service import export_run, export_start, exports_clean_up
from tracker.phones import phone_e164

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def run(user, kind, file_format="xlsx", **params) -> tuple[m.ExportLog, bytes]:
    job = export_run(export_start(user=user, kind=kind, file_format=file_format, params=params).pk)
    with job.file.open("rb") as handle:
        return job, handle.read()


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def records(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def assert_sheet_basics(ws):
    """Bold frozen header, an autofilter over the data, set column widths."""
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert all(ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, ws.max_column + 1))


def no_formulas(wb) -> bool:
    return all(cell.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for cell in row)


# --- safety -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_recognised_and_csv_prefixes_it(text):
    assert looks_like_formula(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada Lovelace", "10-15 people", "a=b", "user@example.com", "", "1+1"])
def test_ordinary_text_is_left_alone(text):
    assert not looks_like_formula(text) and csv_safe(text) == text


@pytest.mark.parametrize(
    "text",
    ["\ufeff=1+1", "\u200b=HYPERLINK(\"http://evil.example\")", "\u00a0+SUM(A1:A2)", "\u2060@SUM(1)",
     "\u200e-2+3", " \ufeff \u200b=cmd|' /C calc'!A0", "\u3000＝1+1", "\u180e=1"],
)  # fmt: skip
def test_a_formula_behind_invisible_marks_is_neutralised_in_csv(text):
    assert looks_like_formula(text)
    assert csv_safe(text) == "'" + text


def test_control_characters_are_removed_from_csv_and_workbook_text_but_tabs_and_line_breaks_stay():
    values = ["a\x00b\x07c\x1bd\x7fe\x85f", "line one\nline two\r\nthree\tcolumns", "\x00=1+1"]
    stream = io.StringIO()
    write_csv(Strings(values), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["abcdef", "line one\nline two\r\nthree\tcolumns", "'=1+1"]
    buffer = io.BytesIO()
    write_xlsx(Strings(values), buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == [
        "abcdef",
        "line one\nline two\r\nthree\tcolumns",
        "=1+1",
    ]
    assert all(row[0].data_type == "s" for row in ws.iter_rows(min_row=2))


@pytest.mark.parametrize(
    "phone", ["+44 20 7946 0958", "+1 (555) 010-2000", "030.1234.5678", "(030) 1234-5678"]
)
def test_a_phone_number_is_written_to_csv_as_it_is(phone):
    assert csv_safe(phone) == phone


@pytest.mark.parametrize(("raw", "country", "e164"), [
    ("+44 20 7946 0958", "", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("(202) 555-0100", "US", "+12025550100"),
    ("+33 6 12 34 56 78", "DE", "+33612345678"),  # the number's own prefix wins over the country
    ("020 7946 0958", "", "020 7946 0958"),  # no country to read it in: as typed
    ("+1 555 0100", "US", "+1 555 0100"),  # too short to dial from abroad: as typed
    ("call the desk", "FR", "call the desk"),
])  # fmt: skip
def test_phone_numbers_become_e164_where_the_country_is_known(raw, country, e164):
    assert phone_e164(raw, country) == e164


class Strings(Export):
    def __init__(self, values):
        self.values = values

    def sheets(self):
        yield Sheet("Strings", [Column("Value")], [(value,) for value in self.values])


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_text_stays_literal_text_in_a_workbook(values):
    buffer = io.BytesIO()
    write_xlsx(Strings(values), buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" or cell.value is None for cell in cells)
    assert [c.value for c in cells] == [base.clean_text(v) or None for v in values]


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_text_in_a_csv_reads_back_as_text_with_formulas_prefixed(values):
    stream = io.StringIO()
    write_csv(Strings(values), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [csv_safe(v) for v in values]


# --- the workbooks ------------------------------------------------------------------------------


def test_the_sales_review_is_typed_sorted_and_blanks_contacts_without_consent(world):
    job, content = run(world.manager.user, "sales-review", sponsorship=world.booth.pk)
    wb = workbook(content)
    ws = wb["Sales review"]
    assert_sheet_basics(ws)
    rows = records(ws)
    assert [(r["Grade"], r["Score"]) for r in rows] == [("A", 90), ("A", 80), ("B", 60), ("B", 55), ("D", 5)]
    won = rows[0]
    assert won["Email"] == "grace@navy.example" and won["Phone"] == "+1 555 0100"
    assert won["Top reasons"].splitlines() == ["+80 VP-level title", "+10 Hot at the booth"]
    assert won["Notes"] == "Sam Tester: Wants SSO support for the operator"
    assert won["Status"] == "Won" and won["Follow-up owner"] == "Sam Tester"
    assert won["Interests"] == "AI, FinOps" and won["Conversation types"] == "Demo"
    assert won["First scan (event time)"] == datetime(2024, 3, 20, 10, 0)  # Paris wall time, a real date cell
    assert won["Due"] == datetime(2024, 3, 25)
    assert won["Opportunity"] == 10000 and won["Currency"] == "USD"
    cell = next(c for c in ws[2] if c.column_letter == "T")
    assert cell.number_format == '#,##0.00 "USD"'
    first_scan, due = (next(c for c in ws[2] if c.column_letter == letter) for letter in ("O", "S"))
    assert first_scan.is_date and first_scan.number_format == "yyyy-mm-dd h:mm:ss"
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    no_consent = next(r for r in rows if r["Score"] == 55)
    assert (no_consent["Email"], no_consent["Phone"]) == (None, None)
    assert no_consent["Company"] == HOSTILE[2] and no_consent["Notes"] == f"Dev Tester: {HOSTILE[0]}"
    assert no_formulas(wb)
    assert (job.row_count, sorted(job.lead_ids)) == (5, sorted(lead.pk for lead in world.leads.values()))


def test_the_devrel_review_counts_topics_and_finds_requests(world):
    _, content = run(world.manager.user, "devrel-review", sponsorship=world.booth.pk)
    wb = workbook(content)
    assert wb.sheetnames == ["Topics", "Technical conversations", "Requests", "By staff"]
    for ws in wb.worksheets:
        assert_sheet_basics(ws)
    topics = {r["Topic or interest"]: r for r in records(wb["Topics"])}
    assert (
        topics["AI"]["Leads"],
        topics["AI"]["Hot"],
        topics["AI"]["Deep-dives"],
        topics["AI"]["Qualified (A/B)"],
    ) == (3, 2, 2, 3)
    assert list(topics) == ["AI", "FinOps", "Security"]
    talks = records(wb["Technical conversations"])
    assert sorted(r["Conversation"] for r in talks) == [
        "Demo",
        "Demo",
        "Technical deep-dive",
        "Technical deep-dive",
    ]
    requests = {(r["Kind"], r["Note"]) for r in records(wb["Requests"])}
    assert requests == {
        ("Feature", "Wants SSO support for the operator"),
        ("Content", "Asked for a tutorial on eBPF"),
    }
    staff = {r["Staff"]: r for r in records(wb["By staff"])}
    assert (staff["Sam Tester"]["Scans"], staff["Dev Tester"]["Deep-dives"]) == (3, 2)
    assert no_formulas(wb)


@pytest.mark.parametrize(
    ("note", "kinds"),
    [("Would love a Terraform provider for it", ["Feature"]), ("Send the docs and a demo video", ["Content"]),
     ("Needs support for ARM and a blog post about it", ["Feature", "Content"]), ("Nice chat", [])],
)  # fmt: skip
def test_requests_are_found_in_notes(note, kinds):
    assert request_kinds(note) == kinds


def test_the_roi_workbook_converts_at_stored_rates_and_has_native_charts(world):
    _, content = run(world.manager.user, "event-roi", sponsorship=world.booth.pk)
    wb = workbook(content)
    assert wb.sheetnames == ["Summary", "Funnel", "Costs", "By staff role", "By theme"]
    for ws in wb.worksheets:
        assert_sheet_basics(ws)
    summary = records(wb["Summary"])[0]
    assert summary["Costs (EUR)"] == 24500  # 20,000 EUR + 5,000 USD at the stored 0.90
    assert (summary["Scans"], summary["Unique leads"], summary["Qualified (A/B)"]) == (5, 5, 4)
    keys = ("Meetings (all leads)", "Opportunities (all leads)", "Pipeline", "Won")
    assert tuple(summary[key] for key in keys) == (
        3,
        2,
        14000,
        9000,
    )
    assert summary["Swag-only share"] == pytest.approx(0.2)
    assert (summary["Cost per lead"], summary["Cost per qualified lead"], summary["Cost per meeting"]) == (
        4900,
        6125,
        pytest.approx(8166.67),
    )
    ws = wb["Summary"]
    formats = {ws.cell(1, c).value: ws.cell(2, c).number_format for c in range(1, ws.max_column + 1)}
    assert formats["Costs (EUR)"] == '#,##0.00 "EUR"' and formats["Swag-only share"] == "0.0%"
    assert formats["Starts"] == "yyyy-mm-dd" and formats["Scans"] == "#,##0"
    funnel = {r["Stage"]: r["All events"] for r in records(wb["Funnel"])}
    assert funnel == {"Scans": 5, "Unique leads": 5, "Qualified (A/B)": 4, "… and contacted": 3, "… and met": 3,
                      "… and an opportunity": 2, "… and won": 1}  # fmt: skip
    roles = {r["Role (first scan)"]: r for r in records(wb["By staff role"])}
    assert (
        roles["Sales"]["Leads"],
        roles["Sales"]["Pipeline"],
        roles["Developer relations"]["Meetings"],
    ) == (3, 14000, 1)
    themes = {r["Theme or interest"]: r["Leads"] for r in records(wb["By theme"])}
    assert themes == {"AI": 3, "FinOps": 1, "Security": 1}
    archive = zipfile.ZipFile(io.BytesIO(content))
    charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    # The cost chart plots the "Cost per qualified lead" column (P); the funnel chart the funnel's totals.
    cost_chart = next(c for c in charts if "Cost per qualified lead by event" in c)
    assert "'Summary'!$P$2" in cost_chart and wb["Summary"]["P1"].value == "Cost per qualified lead"
    funnel_chart = next(c for c in charts if "Funnel" in c)
    assert "'Funnel'!$C$2:$C$8" in funnel_chart and wb["Funnel"]["C1"].value == "All events"


def test_roi_lists_what_has_no_stored_rate_instead_of_adding_it(world):
    f.CostLineFactory(sponsorship=world.booth, category="swag", amount=Decimal("700.00"), currency="GBP")
    _, content = run(world.manager.user, "event-roi", sponsorship=world.booth.pk)
    summary = records(workbook(content)["Summary"])[0]
    assert summary["Costs (EUR)"] == 24500 and summary["Not converted (no stored rate)"] == "700.00 GBP"


def test_roi_across_events_has_one_row_per_event(world):
    later = f.SponsorshipFactory(sponsor=world.sponsor, event__name="KubeCon NA 2024", event__start_date=date(2024, 11, 12),
                                 event__end_date=date(2024, 11, 15))  # fmt: skip
    f.CostLineFactory(sponsorship=later, amount=Decimal("1000.00"), currency="EUR")
    _, content = run(world.manager.user, "event-roi", sponsor=world.sponsor.pk)
    rows = records(workbook(content)["Summary"])
    assert [r["Event"] for r in rows] == ["KubeCon EU 2024", "KubeCon NA 2024"]
    assert rows[1]["Cost per qualified lead"] is None  # no leads: no division by zero


def test_the_sponsor_landscape_compares_two_events(world):
    beta = f.SponsorFactory(name="Beta Mesh")
    f.SponsorshipFactory(sponsor=beta, event=world.booth.event, tier="platinum", has_booth=False,
                         no_booth_reason="cost", no_booth_detail="Budget cut")  # fmt: skip
    later = f.EventFactory(name="KubeCon NA 2024", start_date=date(2024, 11, 12), end_date=date(2024, 11, 15))
    f.SponsorshipFactory(sponsor=world.sponsor, event=later, tier="platinum")
    f.SponsorshipFactory(sponsor=beta, event=later, tier="silver", has_booth=True)
    world.booth.themes.add(f.ThemeFactory(name="AI", slug="ai"))
    _, content = run(
        world.manager.user, "sponsor-landscape", event=later.pk, compare_event=world.booth.event.pk
    )
    wb = workbook(content)
    assert wb.sheetnames == ["KubeCon EU 2024", "KubeCon NA 2024", "Compared", "Themes"]
    eu = records(wb["KubeCon EU 2024"])
    assert [(r["Sponsor"], r["Tier"], r["Booth"]) for r in eu] == [
        ("Beta Mesh", "Platinum", "no"),
        ("Alpha Cloud", "Gold", "yes"),
    ]
    assert eu[0]["Why no booth"] == "(not shared)"  # another sponsor's reasons are its own
    compared = {r["Sponsor"]: r["Change"] for r in records(wb["Compared"])}
    assert compared == {"Alpha Cloud": "upgraded", "Beta Mesh": "downgraded, took a booth"}


def test_an_operator_sees_every_sponsors_reasons(world, admin_user):
    f.SponsorshipFactory(sponsor=f.SponsorFactory(name="Beta Mesh"), event=world.booth.event, has_booth=False,
                         no_booth_reason="not_targeting_region")  # fmt: skip
    _, content = run(admin_user, "sponsor-landscape", event=world.booth.event.pk)
    rows = records(workbook(content)["KubeCon EU 2024"])
    assert next(r for r in rows if r["Sponsor"] == "Beta Mesh")["Why no booth"] == "Not targeting this region"


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_hubspot_csv_has_its_import_columns_and_only_consenting_leads(world):
    _, content = run(world.manager.user, "hubspot-contacts", "csv", sponsorship=world.booth.pk)
    rows = csv_rows(content)
    assert list(rows[0]) == ["First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
                             "Country/Region", "Lifecycle Stage", "Lead Status", "Contact owner", "Lead score",
                             "Lead grade", "Event", "Booth notes"]  # fmt: skip
    assert [r["Last Name"] for r in rows] == ["Hopper", "Turing", "Lovelace"]
    assert rows[0]["Contact owner"] == "sam@alpha.example" and rows[2]["Lead Status"] == "Open deal"


def test_crm_files_carry_phone_numbers_in_e164_without_an_apostrophe(world):
    attendee = world.leads["opportunity"].attendee
    attendee.phone, attendee.country = "020 7946 0958", "GB"
    attendee.save()
    for kind, column in (("hubspot-contacts", "Phone Number"), ("salesforce-leads", "Phone")):
        _, content = run(world.manager.user, kind, "csv", sponsorship=world.booth.pk)
        phones = {r["Last Name"]: r[column] for r in csv_rows(content)}
        assert phones["Lovelace"] == "+442079460958"
        assert phones["Hopper"] == "+1 555 0100"  # as typed: not a whole number, and never "'+1 555 0100"


def test_salesforce_csv_has_its_import_columns_and_placeholders(world):
    world.leads["opportunity"].attendee.company = ""
    world.leads["opportunity"].attendee.save()
    _, content = run(world.manager.user, "salesforce-leads", "csv", sponsorship=world.booth.pk)
    rows = csv_rows(content)
    assert list(rows[0]) == ["First Name", "Last Name", "Title", "Company", "Email", "Phone", "Country", "Lead Source",
                             "Lead Status", "Rating", "Lead Owner", "Description"]  # fmt: skip
    assert {r["Lead Source"] for r in rows} == {"Trade Show"}
    assert rows[2]["Company"] == "[not provided]" and rows[0]["Lead Status"] == "Closed - Converted"
    assert "Secret" not in content.decode()


# --- access, expiry, progress -----------------------------------------------------------------------


def test_exports_are_downloadable_by_their_sponsors_users_only_until_they_expire(world, client, settings):
    job, _ = run(world.sales.user, "sales-review", sponsorship=world.booth.pk)
    url = reverse("export-download", args=[job.pk])
    outsider = f.StaffMemberFactory(level="manager")
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("export-progress", args=[job.pk])).status_code == 404
    client.force_login(world.manager.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith(
        'attachment; filename="sales-review-'
    )
    client.force_login(world.sales.user)
    assert client.get(url).status_code == 200
    mine_only = f.StaffMemberFactory(sponsor=world.sponsor, level="booth")
    client.force_login(mine_only.user)
    assert client.get(url).status_code == 404  # a colleague's export stays theirs (and the managers')

    m.ExportLog.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(world.manager.user)
    assert client.get(url).status_code == 410
    path = job.file.path
    assert exports_clean_up() == 1
    job.refresh_from_db()
    assert job.status == "expired" and not job.file
    assert not os.path.exists(path)
    assert client.get(url).status_code == 410


def test_booth_staff_cannot_run_the_roi_or_another_sponsors_export(world, client):
    client.force_login(world.sales.user)
    assert (
        client.post(
            reverse("export-create"), {"kind": "event-roi", "sponsorship": world.booth.pk}
        ).status_code
        == 403
    )
    other = f.SponsorshipFactory()
    response = client.post(
        reverse("export-create"), {"kind": "sales-review", "file_format": "xlsx", "sponsorship": other.pk}
    )
    assert response.status_code == 404
    assert not m.ExportLog.objects.exists()


def test_progress_is_reported_while_writing(world, monkeypatch):
    from tracker.exports import service

    monkeypatch.setattr(base, "PROGRESS_EVERY", 2)
    seen = []
    recorded = service._progress

    def recording(job_id):
        report = recorded(job_id)

        def both(done, total):
            seen.append((done, total, m.ExportLog.objects.get(pk=job_id).status))
            report(done, total)

        return both

    monkeypatch.setattr(service, "_progress", recording)
    job = export_start(
        user=world.manager.user,
        kind="sales-review",
        file_format="xlsx",
        params={"sponsorship": world.booth.pk},
    )
    export_run(job.pk)
    assert seen == [(2, 5, "running"), (4, 5, "running"), (5, 5, "running")]
    job.refresh_from_db()
    assert (job.status, job.percent, job.progress_done, job.row_count) == ("done", 100, 5, 5)


def test_the_exports_page_starts_a_large_export_as_a_task_and_shows_its_progress(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_ROWS = 2  # five leads: too many to write during the request
    client.force_login(world.manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export-create"),
            {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
        )
    job = m.ExportLog.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports") + f"#export-{job.pk}"
    # Without a broker the task ran in-process on commit; with one, a worker would have.
    progress = client.get(reverse("export-progress", args=[job.pk])).json()
    assert progress["status"] == "done" and progress["percent"] == 100 and progress["rows"] == 5
    assert progress["download"] == reverse("export-download", args=[job.pk])
    page = client.get(reverse("exports")).content.decode()
    assert f'id="export-{job.pk}"' in page and "Download" in page


def test_the_lead_list_export_button_exports_the_filtered_leads(world, client):
    client.force_login(world.manager.user)
    page = client.get(
        reverse("lead-list", args=[world.booth.pk]), {"grade": "A", "page": "1", "sort": "-score"}
    )
    filters = page.context["export_filters"]
    assert filters == "grade=A"
    response = client.post(reverse("export-create"), {"kind": "sales-review", "file_format": "xlsx",
                                                      "sponsorship": world.booth.pk, "filters": filters}, follow=True)  # fmt: skip
    rows = records(workbook(b"".join(downloaded(client, response).streaming_content)).active)
    assert [r["Score"] for r in rows] == [90, 80]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("KubeCon / CloudNativeCon: EU [2024]?", "KubeCon   CloudNativeCon  EU  2"), ("'Quoted'", "Quoted"), ("", "Sheet"),
     ("Open Source Summit North America 2025 Denver", "Open Source Summit North Americ")],
)  # fmt: skip
def test_sheet_names_are_safe_for_excel(title, expected):
    assert base.safe_sheet_title(title, set()) == expected


def test_sheet_names_stay_unique_in_a_workbook():
    taken: set[str] = set()
    names = [base.safe_sheet_title("Same event name that is rather long", taken) for _ in range(3)]
    assert names == [
        "Same event name that is rather",
        "Same event name that is rat (2)",
        "Same event name that is rat (3)",
    ]


@pytest.mark.parametrize("kind", ["sales-review", "devrel-review", "hubspot-contacts"])
def test_an_export_reads_its_rows_in_a_fixed_number_of_queries(world, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    file_format = "csv" if kind == "hubspot-contacts" else "xlsx"
    counts = []
    for extra in (0, 20):
        for n in range(extra):
            lead = f.LeadFactory(sponsorship=world.booth, consent=True, attendee__last_name=f"More{n}")
            f.ScanFactory(lead=lead, scanned_by=world.sales, notes="hi", interests=["AI"])
            f.LeadScoreFactory(lead=lead)
            f.FollowUpFactory(lead=lead, owner=world.sales)
        job = export_start(
            user=world.manager.user,
            kind=kind,
            file_format=file_format,
            params={"sponsorship": world.booth.pk},
        )
        with CaptureQueriesContext(connection) as queries:
            export_run(job.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_unreachable_broker_fails_the_export_with_a_reason(world, monkeypatch):
    from tracker.exports.service import export_enqueue, run_export

    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(run_export, "delay", down)
    job = export_start(
        user=world.manager.user,
        kind="sales-review",
        file_format="xlsx",
        params={"sponsorship": world.booth.pk},
    )
    export_enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "task queue is unavailable" in job.error


def test_the_cleanup_resends_lost_exports_and_fails_dead_ones(world, monkeypatch):
    from tracker.exports.service import run_export

    sent = []
    monkeypatch.setattr(run_export, "delay", sent.append)

    def start():
        return export_start(
            user=world.manager.user,
            kind="sales-review",
            file_format="xlsx",
            params={"sponsorship": world.booth.pk},
        )

    lost, fresh, dead = start(), start(), start()
    hour_ago = timezone.now() - timedelta(hours=1)
    m.ExportLog.objects.filter(pk=lost.pk).update(created_at=hour_ago)
    m.ExportLog.objects.filter(pk=dead.pk).update(created_at=hour_ago, status="running")
    exports_clean_up()
    assert sent == [lost.pk]
    dead.refresh_from_db()
    assert dead.status == "failed" and "stopped" in dead.error
    fresh.refresh_from_db()
    assert fresh.status == "queued"


def test_a_scan_nobody_is_recorded_for_shows_as_unknown(world):
    lead = world.leads["swag"]
    m.Scan.objects.filter(lead=lead).update(scanned_by=None, notes="left a card")
    _, content = run(world.manager.user, "sales-review", sponsorship=world.booth.pk)
    row = next(r for r in records(workbook(content)["Sales review"]) if r["Lead id"] == lead.pk)
    assert (row["Scanned by"], row["Notes"]) == ("unknown", "unknown: left a card")


READERS_SEEN: list[Path] = []  # where _reading_spy notes the process that read each chunk
_CHUNK_ROWS = SalesReviewExport._chunk_rows


def _reading_spy(chunk, **kwargs):
    """SalesReviewExport._chunk_rows, noting which process ran it (a module function: it is pickled)."""
    with READERS_SEEN[0].open("a") as notes:
        notes.write(f"{os.getpid()}\n")
    return _CHUNK_ROWS(chunk, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_on_postgresql_a_reader_process_reads_ahead(monkeypatch, tmp_path):
    """On PostgreSQL the sales review's chunks are read and built in a forked reader process while the
    previous chunk is written: the same rows in the same order as read one by one inside a transaction
    (and on SQLite, where there is no reader process), and no process left behind."""
    from django.db import connection, transaction

    world = build_world()
    monkeypatch.setattr("tracker.exports.leads.CHUNK", 2)  # several chunks from a handful of leads
    monkeypatch.setattr(SalesReviewExport, "_chunk_rows", staticmethod(_reading_spy))
    monkeypatch.setattr(sys.modules[__name__], "READERS_SEEN", [tmp_path / "readers"])
    leads = m.Lead.objects.filter(sponsorship=world.booth)

    with forked_reading():  # as in the export task
        ahead = list(next(SalesReviewExport(leads).sheets()).rows)
    readers = set((tmp_path / "readers").read_text().split())
    (tmp_path / "readers").unlink()
    with transaction.atomic():
        in_order = list(next(SalesReviewExport(leads).sheets()).rows)

    assert set((tmp_path / "readers").read_text().split()) == {str(os.getpid())}
    assert ahead == in_order and len(ahead) == leads.count() > 2
    if connection.vendor == "postgresql":
        assert len(readers) == 1 and str(os.getpid()) not in readers
        with pytest.raises(ProcessLookupError):  # the reader exited and was waited for
            os.kill(int(readers.pop()), 0)
    else:
        assert readers == {str(os.getpid())}
    (tmp_path / "readers").unlink()
    list(next(SalesReviewExport(leads).sheets()).rows)  # outside the task (a web request): never a fork
    assert set((tmp_path / "readers").read_text().split()) == {str(os.getpid())}


def _failing_read(item):
    raise ValueError(f"no such chunk {item}")


@pytest.mark.django_db(transaction=True)
def test_a_read_that_fails_in_the_reader_fails_the_export_with_its_own_error():
    with forked_reading(), pytest.raises(ValueError, match="no such chunk 1"):
        list(read_ahead([1, 2, 3], _failing_read))


def test_a_wrapped_column_wraps_the_texts_that_need_it():
    class Notes(Export):
        def sheets(self):
            rows = [("short",), ("two\nlines",), ("x" * 11,), (None,), ("=1+1",)]
            yield Sheet("Notes", [Column("Notes", 10, wrap=True)], rows)

    stream = io.BytesIO()
    write_xlsx(Notes(), stream)
    ws = workbook(stream.getvalue())["Notes"]
    wrapped = {cell.value: bool(cell.alignment.wrap_text) for (cell,) in ws.iter_rows(min_row=2)}
    assert wrapped == {"short": False, "two\nlines": True, "x" * 11: True, None: False, "=1+1": False}
    assert ws["A6"].data_type == "s"  # a formula-like text stays text, wrapped or not


def test_each_cell_keeps_its_own_type_and_format_from_row_to_row():
    """Cells of every kind, styled and plain, one after the other in the same columns: no cell takes the
    format of the one before it, and text never turns into anything else."""
    from datetime import time

    from django.utils.safestring import mark_safe

    columns = [Column("What", 12), Column("Value", 12, base.AMOUNT_FORMAT, wrap=True)]

    class Mixed(Export):
        def sheets(self):
            rows = [
                ("amount", Decimal("1234.50")),
                ("count", 7),
                ("ratio", 0.25),
                ("flag", True),
                ("day", date(2026, 3, 20)),
                ("moment", datetime(2026, 3, 20, 10, 42)),
                ("clock", time(10, 42)),
                ("long", "y" * 40_000),
                ("formula-like", "#N/A"),
                ("wrapped", "one\ntwo"),
                ("plain", "short"),
                ("priced", base.Formatted(Decimal("9.99"), base.currency_format("EUR"))),
                ("after", 3),
                ("marked safe", mark_safe('=HYPERLINK("http://x.example")')),
            ]
            yield Sheet("Mixed", columns, rows)
            # Rows that skip cell_values (the sales review makes them in its reader process).
            yield Sheet("Raw", columns, [("marked safe", mark_safe("=1+1"))], cell_values=True)

    stream = io.BytesIO()
    assert write_xlsx(Mixed(), stream) == 15
    ws = workbook(stream.getvalue())["Mixed"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert (cells["amount"].value, cells["amount"].number_format) == (1234.5, "#,##0.00")
    assert (cells["count"].value, cells["count"].number_format) == (7, "#,##0.00")
    assert (cells["flag"].value, cells["flag"].data_type) == (True, "b")
    assert (cells["day"].value, cells["day"].number_format) == (datetime(2026, 3, 20), "yyyy-mm-dd")
    assert cells["moment"].value == datetime(2026, 3, 20, 10, 42)
    assert cells["moment"].number_format == "yyyy-mm-dd h:mm:ss"
    assert cells["clock"].value == time(10, 42) and cells["clock"].is_date
    assert cells["long"].value == "y" * 32_767  # Excel's limit for a cell
    assert (cells["formula-like"].value, cells["formula-like"].data_type) == ("#N/A", "s")
    assert cells["wrapped"].alignment.wrap_text and not cells["plain"].alignment.wrap_text
    assert cells["plain"].number_format == "General" and cells["plain"].data_type == "s"
    assert cells["priced"].number_format == '#,##0.00 "EUR"'
    assert (cells["after"].value, cells["after"].number_format) == (3, "#,##0.00")
    assert not cells["after"].alignment.wrap_text
    assert cells["marked safe"].data_type == "s"  # a str subclass is text too, never a formula
    raw = workbook(stream.getvalue())["Raw"]["B2"]
    assert (raw.value, raw.data_type) == ("=1+1", "s")


@pytest.mark.parametrize(
    ("choice", "kind", "ext"),
    [
        ("xlsx", "sales-review", "xlsx"),
        ("csv", "sales-review", "csv"),
        ("hubspot", "hubspot-contacts", "csv"),
    ],
)
def test_the_lead_lists_export_menu_writes_what_was_chosen_named_after_sponsor_and_event(
    world, client, choice, kind, ext
):
    client.force_login(world.manager.user)
    page = client.get(reverse("lead-list", args=[world.booth.pk])).content.decode()
    assert (
        'name="file_format"' not in page.split("export-all")[1].split("</form>")[0]
    )  # one menu, no mismatch
    response = client.post(
        reverse("export-create"),
        {"export": choice, "sponsorship": world.booth.pk, "filters": ""},
        follow=True,
    )
    name = f"{kind}-{world.sponsor.slug}-{world.booth.event.slug}-"
    assert f'attachment; filename="{name}' in downloaded(client, response)["Content-Disposition"]
    assert downloaded(client, response)["Content-Disposition"].endswith(f'.{ext}"')
    note = "without consent to be contacted: " + (
        "left out" if kind != "sales-review" else "email and phone left blank"
    )
    assert note in response.content.decode()


def test_a_format_an_export_does_not_come_in_is_refused_with_the_reason_not_swapped(world, client):
    client.force_login(world.manager.user)
    response = client.post(
        reverse("export-create"),
        {"kind": "hubspot-contacts", "file_format": "xlsx", "sponsorship": world.booth.pk},
        follow=True,
    )
    assert "HubSpot contacts (CSV) come as CSV only: nothing was exported." in response.content.decode()
    assert not m.ExportLog.objects.exists()


def test_the_openpyxl_internals_the_cell_writer_relies_on_are_still_there():
    """tracker/exports/cells.py replaces a write-only sheet's row maker and sets cells' values directly;
    a new openpyxl that moves either must fail here, loudly, before it writes a wrong file."""
    from openpyxl.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    message = "tracker/exports/cells.py relies on openpyxl 3.1 internals: check them before moving the pin"
    assert openpyxl.__version__.startswith("3.1."), message
    assert callable(getattr(WriteOnlyWorksheet, "_values_to_row", None)), message
    assert "_value" in Cell.__slots__, message


@pytest.mark.django_db
def test_booths_are_named_by_their_event_first_and_by_sponsor_only_when_there_are_several(
    client, admin_client
):
    """A phone shows the start of a long option: the event (what tells two booths of one sponsor apart)."""
    import re

    europe = f.SponsorshipFactory(sponsor__name="Alpha Cloud", event__name="KubeCon Europe 2024")
    america = f.SponsorshipFactory(sponsor=europe.sponsor, event__name="KubeCon North America 2024")
    f.SponsorshipFactory(sponsor__name="Beta Data", event=america.event)
    manager = f.StaffMemberFactory(sponsor=europe.sponsor, level="manager")
    client.force_login(manager.user)
    for page in ("exports", "imports"):
        options = re.findall(
            r'<option value="\d+">([^<]*)</option>', client.get(reverse(page)).content.decode()
        )
        assert {"KubeCon Europe 2024", "KubeCon North America 2024"} <= set(options), page
        assert not any("Beta Data" in option for option in options)
        operator = re.findall(
            r'<option value="\d+">([^<]*)</option>', admin_client.get(reverse(page)).content.decode()
        )
        assert (
            "KubeCon North America 2024 · Beta Data" in operator
            and "KubeCon Europe 2024 · Alpha Cloud" in operator
        )


def test_a_small_devrel_review_downloads_at_once_like_the_other_files(world, client, settings):
    """Five leads: written during the request and downloaded, as a small sales review is; a large booth's
    goes to a worker (and another sponsor's booth is not counted, nor exported)."""
    client.force_login(world.manager.user)
    response = client.post(reverse("export-create"), {"kind": "devrel-review", "sponsorship": world.booth.pk})
    job = m.ExportLog.objects.get()
    assert response["Location"] == reverse("exports") + f"?download={job.pk}#export-{job.pk}"
    settings.EXPORT_INLINE_ROWS = 2
    response = client.post(reverse("export-create"), {"kind": "devrel-review", "sponsorship": world.booth.pk})
    assert "?download=" not in response["Location"]
    other = f.SponsorshipFactory()
    assert (
        client.post(reverse("export-create"), {"kind": "devrel-review", "sponsorship": other.pk}).status_code
        == 404
    )


@pytest.mark.django_db
def test_exporting_leads_of_several_sponsors_says_what_to_do_instead_of_a_404(client):
    """A person who works for two sponsors exports their list across every booth: a lead file is one
    sponsor's, so they are told to pick a booth, on the page they came from; nothing is exported."""
    alpha, beta = f.SponsorshipFactory(), f.SponsorshipFactory()
    member = f.StaffMemberFactory(sponsor=alpha.sponsor, level="manager")
    f.StaffMemberFactory(sponsor=beta.sponsor, level="manager", user=member.user)
    f.LeadFactory(sponsorship=alpha)
    f.LeadFactory(sponsorship=beta)
    client.force_login(member.user)
    response = client.post(
        reverse("export-create"), {"export": "csv", "next": reverse("all-leads")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("all-leads")
    assert "several sponsors: filter by one sponsor" in response.content.decode()
    assert not m.ExportLog.objects.exists()


def test_a_files_row_without_a_time_is_credited_to_the_file_and_given_no_time_in_the_devrel_review(world):
    lead = world.leads["won"]
    f.ScanFactory(lead=lead, scanned_by=None, source="Cvent: leads.csv", conversation_type="technical_deep_dive",
                  notes="Asked for a tutorial on WASM", interests=[])  # fmt: skip
    _, content = run(world.manager.user, "devrel-review", sponsorship=world.booth.pk)
    wb = workbook(content)
    talk = next(
        r for r in records(wb["Technical conversations"]) if r["Notes"] == "Asked for a tutorial on WASM"
    )
    assert (talk["When"], talk["Staff"]) == (None, "Cvent: leads.csv")
    request = next(r for r in records(wb["Requests"]) if r["Note"] == "Asked for a tutorial on WASM")
    assert (request["When"], request["Staff"]) == (None, "Cvent: leads.csv")


def test_a_leads_rating_is_its_latest_by_when_it_was_asked_on_the_list_and_in_the_files(world, client):
    """One rule for "latest" (as for consent and answers): the phone's time, a file's row without a time
    older than any booth scan however late it was imported; a file's row with a later time wins."""
    from datetime import timedelta

    from django.utils import timezone

    lead = world.leads["won"]
    m.Scan.objects.filter(lead=lead).update(
        rating="hot", device_scanned_at=timezone.now() - timedelta(days=3)
    )
    f.ScanFactory(
        lead=lead, rating="cold", source="Cvent: leads.csv", device_scanned_at=None
    )  # imported today

    def shown() -> tuple[str, str]:
        client.force_login(world.manager.user)
        listed = client.get(reverse("lead-list", args=[world.booth.pk]), {"columns": ["name", "rating"]})
        row = next(r for r in listed.context["table"].page.object_list if r.record.pk == lead.pk)
        _, content = run(world.manager.user, "sales-review", sponsorship=world.booth.pk)
        review = next(r for r in records(workbook(content)["Sales review"]) if r["Lead id"] == lead.pk)
        return row.record.latest_rating, review["Rating"]

    assert shown() == ("hot", "Hot")
    f.ScanFactory(lead=lead, rating="cold", source="Cvent: leads.csv", device_scanned_at=timezone.now())
    assert shown() == ("cold", "Cold")
