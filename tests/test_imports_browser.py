"""A manager imports an organiser's lead file in real Chromium: upload, the mapping screen (a column
corrected, a preset named), the dry run, the import with its progress bar (run by a real Celery worker in
CI's second pass), the report, and the rejected rows downloaded; axe-core looks at each page."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from tests.services import WORKER_MEDIA_ROOT, require_axe, serious_accessibility_violations, wait_until
from tracker import models as m

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "import-pass-1"
HEADER = ["Registration ID", "Prénom", "Nom", "Courriel", "Société", "Date de scan", "Commentaire", "Budget?"]
ROWS = [
    ["KC-1", "Zoë", "Ångström", "zoe@example.org", "Crème Cloud", "20/11/2024 14:05", "Veut une démo", "Oui"],
    ["KC-2", "José", "Muñoz", "jose@example.org", "Niño Labs", "21/11/2024 09:30", "=1+2", ""],
    ["", "", "", "", "Personne SA", "21/11/2024 10:00", "", ""],
]


@pytest.fixture
def importing(request, settings):
    """Imports run by a real worker through Redis when there is one (sharing its media folder), else
    in-process."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")
        settings.MEDIA_ROOT = WORKER_MEDIA_ROOT


def _file(tmp_path):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    path = tmp_path / "swapcard-leads.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def test_a_manager_imports_a_lead_file_and_reads_the_report(browser, live_server, tmp_path, importing):
    require_axe()
    booth = f.SponsorshipFactory(sponsor__name="Alpha Cloud", event__name="KubeCon NA 2024",
                                 event__time_zone="America/Denver")  # fmt: skip
    f.StaffMemberFactory(
        sponsor=booth.sponsor, level="manager", user__username="mia", user__password=PASSWORD
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.click("text=Imports")
    form = page.locator("form[aria-label='Lead file']")
    form.locator("input[type=file]").set_input_files(str(_file(tmp_path)))
    form.locator("button").click()
    page.wait_for_selector("section[aria-label=Mapping]")
    assert serious_accessibility_violations(page) == []
    # The guesses, from French headers; the encoding was detected and is flagged for a check.
    assert page.locator("select[aria-label='Prénom goes to']").input_value() == "first_name"
    assert page.locator("select[aria-label='Courriel goes to']").input_value() == "email"
    assert page.locator("#encoding-note").is_visible()
    assert "Zoë" in page.locator("table.mapping").inner_text()  # read in the right encoding
    page.select_option("select[aria-label='Commentaire goes to']", "notes")
    page.select_option("select[name=date_order]", "DMY")
    page.fill("input[name=preset_name]", "Swapcard")
    page.click("text=Dry run")

    page.wait_for_selector("section[aria-label='Dry run']", timeout=30_000)
    assert page.locator("[data-new]").inner_text() == "2"
    assert page.locator("[data-rejected]").inner_text() == "1"
    assert "No badge id, email or name" in page.inner_text("main")
    assert not m.Scan.objects.filter(sponsorship=booth).exists()  # a dry run writes nothing
    page.click("button:has-text('Import 3 rows')")

    page.wait_for_selector("section[aria-label=Report]", timeout=60_000)
    assert serious_accessibility_violations(page) == []
    assert page.locator("[data-new]").inner_text() == "2"
    wait_until(lambda: m.Lead.objects.filter(sponsorship=booth).count() == 2)
    zoe = m.Lead.objects.get(sponsorship=booth, attendee__email="zoe@example.org")
    assert zoe.scans.get().extra == {"Budget?": "Oui"}
    with page.expect_download() as download:
        page.click("text=Download the rejected rows")
    assert download.value.suggested_filename == "rejected-swapcard-leads.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [c.value for c in next(sheet.iter_rows())][-1] == "Reason"

    # The lead page shows where the lead came from and the column nobody mapped.
    page.goto(f"{live_server.url}{reverse('lead-detail', args=[zoe.pk])}")
    assert "from Swapcard: swapcard-leads.csv" in page.inner_text("main")
    assert page.locator("dl.extra").inner_text().split() == ["Budget?", "Oui"]
    context.close()
