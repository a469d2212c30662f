"""Export and import files in an S3-compatible object store (S3_BUCKET), as several web servers and
workers on different machines share them: written by one process, served by another after the app's
permission check, and deleted when they expire. The store is a real S3 API on loopback (moto's server,
standing in for the object store we cannot reach from here); the second CI pass also has a real worker,
in its own process, write an export there for the web process to serve."""

import io
import uuid

import boto3
import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from tests.export_world import build_world
from tests.services import WorkerProcess, require_redis, require_shared_database, wait_until
from tracker import models as m
from tracker.models.choices import PermissionLevel

KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_server():
    """An S3 API on a free loopback port, with one bucket; its settings as the environment gives them."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {**KEYS, "S3_ENDPOINT_URL": f"http://{host}:{port}", "S3_BUCKET": f"tracker-{uuid.uuid4().hex[:8]}"}
    boto3.client(
        "s3", endpoint_url=env["S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ).create_bucket(Bucket=env["S3_BUCKET"])  # fmt: skip
    yield env
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    """This process stores its files in the bucket (settings as tracker/settings.py makes them)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_server["S3_BUCKET"], "endpoint_url": s3_server["S3_ENDPOINT_URL"],
                "region_name": "us-east-1", "access_key": "testing", "secret_key": "testing",
                "default_acl": None, "querystring_auth": True, "file_overwrite": False,
            },
        },
    }  # fmt: skip
    bucket = boto3.resource(
        "s3", endpoint_url=s3_server["S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ).Bucket(s3_server["S3_BUCKET"])  # fmt: skip
    return bucket


def stored(bucket) -> set[str]:
    return {item.key for item in bucket.objects.all()}


def rows_of(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_an_export_is_kept_in_the_store_served_after_the_permission_check_and_deleted_when_expired(
    s3, client, settings
):
    settings.EXPORT_INLINE_ROWS = 1000  # written during the request
    world = build_world()
    client.force_login(world.manager.user)
    client.post(
        reverse("export-create"),
        {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
    )
    job = m.ExportLog.objects.get()

    assert job.file.name in stored(s3)
    rows = rows_of(client.get(reverse("export-download", args=[job.pk])))
    assert len(rows) == 6 and rows[1][0] == "A"
    stranger = f.StaffMemberFactory(level=PermissionLevel.MANAGER)  # another sponsor's manager
    client.force_login(stranger.user)
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404

    from tracker.exports.service import exports_clean_up

    m.ExportLog.objects.filter(pk=job.pk).update(expires_at=job.finished_at)
    assert exports_clean_up() == 1
    assert job.file.name not in stored(s3)


@pytest.mark.django_db
def test_an_import_reads_its_file_from_the_store_and_keeps_the_rejected_rows_there(
    s3, client, django_capture_on_commit_callbacks
):
    world = build_world()
    client.force_login(world.manager.user)
    csv = "Badge ID,First Name,Last Name,Email,Company\nKC-1,Ada,Lovelace,ada@corp.example,Corp\n,,,,Nobody Inc\n"
    upload = io.BytesIO(csv.encode())
    upload.name = "organiser-leads.csv"
    client.post(reverse("import-upload"), {"kind": "leads", "sponsorship": world.booth.pk, "file": upload})
    job = m.ImportJob.objects.get()
    assert job.file.name in stored(s3)

    mapping = {f"column-{i}": field for i, field in enumerate(job.mapping)}
    with django_capture_on_commit_callbacks(execute=True):  # the dry run, then the import, in-process
        client.post(reverse("import-check", args=[job.pk]), mapping)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.outcome["new"] == 1 and job.outcome["rejected"] == 1
    assert job.rejected_file.name in stored(s3)
    rejected = rows_of(client.get(reverse("import-rejected", args=[job.pk])))
    assert rejected[1][-1].startswith("No badge id, email or name")
    assert m.Scan.objects.filter(sponsorship=world.booth, source=job.source_label).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_elsewhere_writes_an_export_the_web_process_serves(s3, s3_server, client, settings):
    require_redis()
    require_shared_database()
    from tracker.celery import app

    queue = f"test-s3-{uuid.uuid4().hex[:8]}"
    worker = WorkerProcess(queue, extra_env={**s3_server, "MEDIA_ROOT": "/nonexistent"})  # no local files
    worker.start()
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        settings.EXPORT_INLINE_ROWS = 1
        world = build_world()
        client.force_login(world.manager.user)
        client.post(
            reverse("export-create"),
            {"kind": "sales-review", "file_format": "xlsx", "sponsorship": world.booth.pk},
        )
        job = m.ExportLog.objects.get()
        wait_until(lambda: m.ExportLog.objects.get(pk=job.pk).status == "done", timeout=60)
        job.refresh_from_db()
        assert job.file.name in stored(s3)
        assert len(rows_of(client.get(reverse("export-download", args=[job.pk])))) == 6
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous
