"""Every workbook opens in a real spreadsheet application: LibreOffice converts it headless, values intact."""

from datetime import date, datetime

import openpyxl
import pytest

from tests import factories as f
from tests.export_world import build_world
from tests.services import libreoffice_sheets, require_soffice
from tracker.exports.service import export_run, export_start

pytestmark = pytest.mark.django_db


def same(value, text: str) -> bool:
    """Does LibreOffice's raw CSV text show the value openpyxl reads from our file?"""
    if value is None:
        return text == ""
    if isinstance(value, datetime):
        return text.startswith(
            value.strftime("%Y-%m-%d" if value.time() == datetime.min.time() else "%Y-%m-%d %H:%M")
        )
    if isinstance(value, date):
        return text.startswith(value.isoformat())
    if isinstance(value, bool):
        return text.upper() in ("TRUE", "FALSE")
    if isinstance(value, int | float):
        number = text.rstrip("%")
        return abs(float(number) / (100 if text.endswith("%") else 1) - float(value)) < 0.006
    return text == value.replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("kind", "params"),
    [("sales-review", "sponsorship"), ("devrel-review", "sponsorship"), ("event-roi", "sponsorship"),
     ("event-roi", "sponsor"), ("sponsor-landscape", "event")],
)  # fmt: skip
def test_libreoffice_opens_every_workbook_and_reads_the_same_values(kind, params, tmp_path):
    require_soffice()
    world = build_world()
    f.SponsorshipFactory(event=world.booth.event, has_booth=False, no_booth_reason="cost")
    scope = {"sponsorship": world.booth.pk, "sponsor": world.sponsor.pk, "event": world.booth.event_id}[
        params
    ]
    job = export_run(
        export_start(user=world.manager.user, kind=kind, file_format="xlsx", params={params: scope}).pk
    )
    path = tmp_path / "book.xlsx"
    with job.file.open("rb") as handle:
        path.write_bytes(handle.read())

    converted = libreoffice_sheets(path)

    ours = openpyxl.load_workbook(path)
    assert sorted(converted) == sorted(ours.sheetnames)
    for ws in ours.worksheets:
        rows = converted[ws.title]
        assert len(rows) == ws.max_row, ws.title
        for row, their in zip(ws.iter_rows(), rows, strict=True):
            for cell, text in zip(row, their + [""] * (len(row) - len(their)), strict=True):
                assert same(cell.value, text), (ws.title, cell.coordinate, cell.value, text)
    if kind == "sales-review":  # hostile text came through as text, never evaluated ("-2+3" is not 1)
        flat = {text for line in converted["Sales review"] for text in line}
        assert {"-2+3", "Dev Tester: =1+1"} <= flat
