"""Handing an export to the user who asked for it, and logging what left the system."""

from __future__ import annotations

import io
from collections import defaultdict

from django.http import HttpResponse
from django.utils import timezone

from tracker.exports.base import Export, write_csv, write_xlsx
from tracker.models import ExportLog, Lead

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_log(
    *, user, kind: str, file_format: str, rows: int, lead_ids: list[int], description: str = ""
) -> None:
    """One log entry per sponsor whose leads are in the file: who, what, when, how many, which leads."""
    by_sponsor: dict[int, list[int]] = defaultdict(list)
    for lead_id, sponsor_id in Lead.objects.filter(pk__in=lead_ids).values_list(
        "pk", "sponsorship__sponsor_id"
    ):
        by_sponsor[sponsor_id].append(lead_id)
    ExportLog.objects.bulk_create(
        ExportLog(
            user=user,
            sponsor_id=sponsor_id,
            kind=kind,
            file_format=file_format,
            description=description[:300],
            row_count=rows if len(by_sponsor) == 1 else len(ids),
            lead_ids=sorted(ids),
        )
        for sponsor_id, ids in by_sponsor.items()
    )


def export_response(
    *, export: Export, file_format: str, user, lead_ids: list[int], description: str = ""
) -> HttpResponse:
    """The export as a download, written in memory (for selections and other small exports), and logged."""
    if file_format == "csv":
        text = io.StringIO()
        rows = write_csv(export, text)
        content: bytes = text.getvalue().encode("utf-8")
    else:
        file_format = "xlsx"
        binary = io.BytesIO()
        rows = write_xlsx(export, binary)
        content = binary.getvalue()
    export_log(
        user=user,
        kind=export.filename,
        file_format=file_format,
        rows=rows,
        lead_ids=lead_ids,
        description=description,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}-{stamp}.{file_format}"'
    return response
