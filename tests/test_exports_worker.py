"""A large export runs on a real worker through Redis: progress shows in the page, then the download."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.export_world import build_world
from tests.services import WORKER_MEDIA_ROOT, wait_until
from tracker import models as m

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_writes_the_export_and_reports_progress(celery_worker_process, client, settings):
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT  # the worker's files, as the web process would serve them
    settings.EXPORT_INLINE_ROWS = 1
    world = build_world()
    client.force_login(world.manager.user)

    response = client.post(
        reverse("export-create"),
        {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
    )

    job = m.ExportLog.objects.get()
    assert response["Location"].endswith(f"#export-{job.pk}")
    progress_url = reverse("export-progress", args=[job.pk])
    done = wait_until(
        lambda: (data := client.get(progress_url).json())["status"] == "done" and data, timeout=60
    )
    assert done["percent"] == 100 and done["rows"] == 5
    download = client.get(done["download"])
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 6 and rows[1][0] == "A"
