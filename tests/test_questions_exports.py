"""The sponsor's questions in the workbooks: a column each in the sales and devrel reviews, an Answers
sheet with counts, hostile answers kept as text, and the workbooks opened by a real spreadsheet."""

import io

import openpyxl
import pytest

from tests import factories as f
from tests.export_world import build_world
from tracker import models as m
from tracker.exports.service import export_run, export_start
from tracker.scans.matching import leads_recount

pytestmark = pytest.mark.django_db


def run(user, kind, **params):
    job = export_run(export_start(user=user, kind=kind, file_format="xlsx", params=params).pk)
    with job.file.open("rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def records(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in ws.iter_rows(min_row=2)]


@pytest.fixture
def world():
    world = build_world()
    sponsor = world.booth.sponsor
    timeline = m.Question.objects.create(sponsor=sponsor, label="Timeline", kind="single", choices=["this quarter", "later"], position=1)  # fmt: skip
    clouds = m.Question.objects.create(sponsor=sponsor, label="Cloud", kind="multiple", choices=["AWS", "GCP"], position=2)  # fmt: skip
    tool = m.Question.objects.create(sponsor=sponsor, label="Current tool", kind="text", position=3)
    m.Question.objects.create(sponsor=f.SponsorFactory(), label="Another sponsor's", kind="text")
    won, swag = world.leads["won"], world.leads["swag"]
    m.Scan.objects.filter(lead=won).update(answers={str(timeline.pk): "this quarter", str(clouds.pk): ["AWS", "GCP"], str(tool.pk): "=HYPERLINK(\"http://evil.example\",\"x\")"}, conversation_type="technical_deep_dive")  # fmt: skip
    m.Scan.objects.filter(lead=swag).update(answers={str(timeline.pk): "later"})
    leads_recount(m.Lead.objects.values_list("pk", flat=True))
    world.questions = (timeline, clouds, tool)
    return world


def test_the_sales_review_has_a_column_per_question_after_the_notes(world):
    wb = run(world.manager.user, "sales-review", sponsorship=world.booth.pk)
    ws = wb["Sales review"]
    header = [cell.value for cell in ws[1]]
    at = header.index("Notes")
    assert header[at + 1 : at + 4] == ["Timeline", "Cloud", "Current tool"]
    assert "Another sponsor's" not in header
    rows = {r["Lead id"]: r for r in records(ws)}
    won = rows[world.leads["won"].pk]
    assert (won["Timeline"], won["Cloud"]) == ("this quarter", "AWS, GCP")
    assert won["Current tool"] == '=HYPERLINK("http://evil.example","x")'
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)  # text, never a formula
    assert rows[world.leads["swag"].pk]["Timeline"] == "later"
    assert rows[world.leads["swag"].pk]["Cloud"] is None


def test_the_devrel_review_shows_answers_by_conversation_and_counts_them(world):
    wb = run(world.manager.user, "devrel-review", sponsorship=world.booth.pk)
    talks = records(wb["Technical conversations"])
    deep = next(r for r in talks if r["Timeline"])
    assert (deep["Timeline"], deep["Cloud"]) == ("this quarter", "AWS, GCP")
    counts = records(wb["Answers"])
    assert {(r["Question"], r["Answer"]): (r["Leads"], r["Qualified (A/B)"]) for r in counts} == {
        ("Timeline", "this quarter"): (1, 1),
        ("Timeline", "later"): (1, 0),
        ("Cloud", "AWS"): (1, 1),
        ("Cloud", "GCP"): (1, 1),
        ("Current tool", '=HYPERLINK("http://evil.example","x")'): (1, 1),
    }
    assert all(cell.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for cell in row)


def test_a_sponsor_without_questions_gets_the_workbooks_as_before(world):
    m.Question.objects.filter(sponsor=world.booth.sponsor).delete()
    wb = run(world.manager.user, "devrel-review", sponsorship=world.booth.pk)
    assert "Answers" not in wb.sheetnames
    header = [cell.value for cell in run(world.manager.user, "sales-review", sponsorship=world.booth.pk)["Sales review"][1]]  # fmt: skip
    assert header[header.index("Notes") + 1] == "Scanned by"


@pytest.mark.parametrize(
    ("kind", "email_header"), [("hubspot-contacts", "Email"), ("salesforce-leads", "Email")]
)
def test_the_crm_files_carry_the_answers_after_their_own_columns(world, kind, email_header):
    import csv

    job = export_run(export_start(user=world.manager.user, kind=kind, file_format="csv", params={"sponsorship": world.booth.pk}).pk)  # fmt: skip
    with job.file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[-3:] == ["Timeline", "Cloud", "Current tool"]
    won = next(r for r in rows if r[email_header] == world.leads["won"].attendee.email)
    assert (won["Timeline"], won["Cloud"]) == ("this quarter", "AWS;GCP")  # the CRMs' multi-select form
    assert won["Current tool"].startswith(
        "'=HYPERLINK"
    )  # a CSV cell that would be a formula is quoted as text


def test_a_list_filtered_by_an_answer_exports_only_the_leads_it_shows(world, client):
    """The lead list's "Export all N" re-applies every filter of the list, its questions' answers too: a
    filter the export did not know once exported the whole booth (into CRM files as well)."""
    from django.urls import reverse

    from tracker.exports.kinds import selected_leads

    timeline = world.questions[0]
    filters = f"answer_{timeline.pk}=this quarter"
    leads, _ = selected_leads(world.manager.user, {"sponsorship": world.booth.pk, "filters": filters})
    assert set(leads.values_list("pk", flat=True)) == {world.leads["won"].pk}

    client.force_login(world.manager.user)
    shown = client.get(reverse("lead-list", args=[world.booth.pk]), {f"answer_{timeline.pk}": "this quarter"})
    assert shown.context["table"].paginator.count == 1
    wb = run(world.manager.user, "sales-review", sponsorship=world.booth.pk, filters=filters)
    assert [r["Lead id"] for r in records(wb["Sales review"])] == [world.leads["won"].pk]


@pytest.mark.parametrize("kind", ["sales-review", "hubspot-contacts", "salesforce-leads", "devrel-review"])
def test_a_question_named_like_a_column_gets_a_header_of_its_own(world, kind):
    """A question labelled "Email" beside the Email column: a CRM import would map both to the email (or
    take the answer for it); every header of a file is its own."""
    import csv

    m.Question.objects.create(sponsor=world.booth.sponsor, label="Email", kind="text", position=9)
    m.Question.objects.create(sponsor=world.booth.sponsor, label="email (question)", kind="text", position=10)
    file_format = "csv" if kind in ("hubspot-contacts", "salesforce-leads") else "xlsx"
    job = export_run(export_start(user=world.manager.user, kind=kind, file_format=file_format,
                                  params={"sponsorship": world.booth.pk}).pk)  # fmt: skip
    with job.file.open("rb") as handle:
        content = handle.read()
    if file_format == "csv":
        sheets = [next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))]
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheets = [[cell.value for cell in ws[1]] for ws in book.worksheets if ws.max_row]
    for header in sheets:
        folded = [str(h).casefold() for h in header if h]
        assert len(folded) == len(set(folded)), header
    assert (
        any("Email (question)" in header or "Email (question 2)" in header for header in sheets)
        or kind == "devrel-review"
    )
