"""A task travels through the real broker to a real worker process, which reads the database."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT
from tests.factories import EventFactory
from tracker.health import health_check


@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker_and_reads_the_database(celery_worker_process):
    EventFactory(slug="kubecon-eu-2024", name="KubeCon + CloudNativeCon Europe 2024")

    result = health_check.delay("kubecon-eu-2024").get(timeout=60)

    assert result["event"] == "KubeCon + CloudNativeCon Europe 2024"
    assert result["start_date"] == "2024-03-19"
    assert result["worker_host"]


def _settings_in_subprocess(**env_overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(SECRET_KEY="x", **env_overrides)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; from tracker.celery import app;"
        "print(json.dumps([s.CELERY_TASK_ALWAYS_EAGER, app.conf.broker_url]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    eager, broker = json.loads(out.stdout.strip().splitlines()[-1])
    return {"eager": eager, "broker": broker}


def test_without_redis_url_tasks_run_in_process_and_with_it_go_to_the_broker():
    assert _settings_in_subprocess() == {"eager": True, "broker": "memory://"}
    assert _settings_in_subprocess(REDIS_URL="redis://127.0.0.1:6379/3") == {
        "eager": False,
        "broker": "redis://127.0.0.1:6379/3",
    }


def _booth_with_attendees(n: int):
    from tests import factories as f

    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    for i in range(n):
        f.AttendeeFactory(event=sponsorship.event, badge_id=f"W-{i:05d}")
    return sponsorship, staff


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_matches_scans_the_api_accepted(celery_worker_process, client):
    from tests.services import wait_until
    from tracker.models import Lead, Scan

    sponsorship, staff = _booth_with_attendees(3)
    client.force_login(staff.user)
    items = [
        {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, "raw_payload": f"W-{i % 3:05d}"}
        for i in range(5)
    ]

    response = client.post("/api/v1/scans/", json.dumps({"scans": items}), content_type="application/json")

    assert response.json()["created"] == 5
    wait_until(lambda: not Scan.objects.pending().exists())
    assert sorted(Lead.objects.values_list("scan_count", flat=True)) == [1, 2, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_matching_never_counts_a_scan_twice():
    """Two workers on one booth's backlog share it (SKIP LOCKED): every scan is matched exactly once."""
    from tests.services import require_shared_database

    require_shared_database()
    import threading

    from django.db import connection

    from tracker.models import Lead, Scan
    from tracker.scans.processing import scans_process

    sponsorship, staff = _booth_with_attendees(50)
    Scan.objects.bulk_create(
        Scan(sponsorship=sponsorship, client_uuid=uuid.uuid4(), raw_payload=f"W-{i % 50:05d}")
        for i in range(600)
    )
    done = []

    def worker():
        try:
            done.append(scans_process(sponsorship.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(done) == 600
    assert not Scan.objects.pending().exists()
    assert Lead.objects.count() == 50
    assert sorted(set(Lead.objects.values_list("scan_count", flat=True))) == [12]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rescore_leaves_no_lead_half_done(django_db_setup):
    """Publish an ICP, SIGKILL the worker's pool process while it rescores, and let it carry on."""
    import signal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tests import factories as f
    from tests.services import WorkerProcess, require_redis, require_shared_database, wait_until
    from tracker.celery import app
    from tracker.models import LeadScore, RescoreJob
    from tracker.scoring.service import leads_score
    from tracker.scoring.versions import icp_new_draft, icp_publish

    require_redis()
    require_shared_database()
    sponsorship, staff = _booth_with_attendees(0)
    icp = f.IcpFactory(
        sponsor=sponsorship.sponsor, version=1, status="published", published_at=timezone.now()
    )
    f.IcpCriterionFactory(icp=icp, field="seniority", values=["vp"], weight=30)
    leads = [f.LeadFactory(sponsorship=sponsorship, attendee__title="VP Eng") for _ in range(300)]
    leads_score([lead.pk for lead in leads], icp)
    draft = icp_new_draft(sponsor_id=sponsorship.sponsor_id)
    f.IcpCriterionFactory(icp=draft, field="function", values=["app_dev"], weight=5, label="Engineering")

    queue = f"test-{uuid.uuid4().hex[:10]}"
    worker = WorkerProcess(queue, extra_env={"SCORING_CHUNK": "20"})
    worker.start()
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        job = icp_publish(icp=draft, by=get_user_model().objects.create(username="publisher"))
        wait_until(lambda: RescoreJob.objects.get(pk=job.pk).done >= 20)
        children = subprocess.run(
            ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in children:  # the prefork pool process running the chunk
            os.kill(int(pid), signal.SIGKILL)
        wait_until(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=90)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        worker.stop()

    job.refresh_from_db()
    assert children, "the worker had a pool process to kill"
    assert job.done == job.total == 300
    assert LeadScore.objects.filter(lead__in=leads).count() == 300
    assert set(LeadScore.objects.values_list("icp__version", "score")) == {(2, 35)}


def test_a_worker_knows_every_task_the_beat_sends_and_the_services_queue():
    """Tasks live beside their services; a worker registers them through ``app.conf.imports``, so a
    task module missing from that list would leave its messages unknown to every worker."""
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from tracker.celery import app;"
        "app.loader.import_default_modules();"
        "print('\\n'.join(sorted(name for name in app.tasks if name.startswith('tracker.'))));"
        "print('BEAT', *sorted(entry['task'] for entry in settings.CELERY_BEAT_SCHEDULE.values()))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(SECRET_KEY="x", DJANGO_SETTINGS_MODULE="tracker.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    registered = {line for line in out if line.startswith("tracker.")}
    beat = next(line for line in out if line.startswith("BEAT")).split()[1:]
    assert set(beat) <= registered, f"beat sends tasks no worker knows: {set(beat) - registered}"
    assert {
        "tracker.process_scans",
        "tracker.rescore_chunk",
        "tracker.run_export",
        "tracker.health_check",
    } <= registered
