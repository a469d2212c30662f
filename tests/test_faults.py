"""Faults of the services the app runs on, played for real in CI's second pass: the broker goes away
while devices post scans, and Redis runs as the README tells production to run it."""

import contextlib
import glob
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import redis
from django.urls import reverse

from tests import factories as f
from tests.conftest import ROOT
from tests.services import (
    WORKER_MEDIA_ROOT,
    WorkerProcess,
    database_url,
    require_redis,
    require_shared_database,
    wait_until,
)
from tests.test_web_server import gunicorn
from tracker import models as m
from tracker.scans import processing
from tracker.scans.processing import scans_sweep


@pytest.mark.redis
def test_redis_runs_as_the_readme_tells_production_to():
    """No eviction (a queued task is never dropped to make room) and an append-only file (queued tasks
    survive a restart): .ci/run configures the machine's Redis so for the second pass."""
    require_redis()
    from django.conf import settings

    config = redis.Redis.from_url(settings.REDIS_URL).config_get("*")
    assert config["maxmemory-policy"] == "noeviction", "run Redis with maxmemory-policy noeviction (README)"
    assert config["appendonly"] == "yes", "run Redis with appendonly yes (README)"


@contextlib.contextmanager
def private_redis():
    """A Redis of this test's own on a free port (so stopping it stops nobody else's), keeping nothing."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def start():
        process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        wait_until(lambda: _pings(port), timeout=10)
        return process

    server = {"process": start()}

    def stop():
        server["process"].terminate()
        server["process"].wait(10)

    def restart():
        server["process"] = start()

    try:
        yield port, stop, restart
    finally:
        if server["process"].poll() is None:
            server["process"].terminate()
            server["process"].wait(10)


def _pings(port: int) -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def post_status(port: int, key: str, body: dict, timeout: float) -> int:
    """A phone's POST of a scan with its device token: the status (OSError if the connection fails)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/api/v1/scans/", json.dumps(body),
                           {"Authorization": f"Token {key}", "Content-Type": "application/json"})  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def post(port: int, key: str, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/scans/", json.dumps(body),
                       {"Authorization": f"Token {key}", "Content-Type": "application/json"})  # fmt: skip
    response = connection.getresponse()
    answer = (response.status, json.loads(response.read()))
    connection.close()
    return answer


@pytest.mark.django_db(transaction=True)
def test_scans_sent_while_redis_is_down_are_stored_and_matched_once_when_it_returns(monkeypatch):
    """A production server whose broker is stopped in the middle of the booth's scanning: every scan is
    answered 201 and stored; once Redis is back, the periodic sweep matches each one exactly once, and
    every lead counts its scans right."""
    require_shared_database()
    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    _, key = m.DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)
    with private_redis() as (redis_port, stop, restart):
        env = {
            "DATABASE_URL": database_url(),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "WEB_WORKERS": "1",
        }
        with gunicorn(env) as (port, _):
            sent = []
            for phase in ("up", "down"):
                if phase == "down":
                    stop()
                for i in range(10):
                    item = {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk,
                            "raw_payload": f"BEGIN:VCARD\nFN:Visitor {i % 4}\nEMAIL:v{i % 4}@corp.example\nEND:VCARD"}  # fmt: skip
                    status, answer = post(port, key, item)
                    assert (status, answer["status"]) == (201, "created"), (phase, answer)
                    sent.append(item["client_uuid"])
                # The same scans again (a phone's retry): answered, never stored twice.
                assert post(port, key, {"scans": [{"client_uuid": sent[0], "sponsorship": sponsorship.pk,
                                                   "raw_payload": "x"}]})[1]["duplicate"] == 1  # fmt: skip
            restart()
    scans = m.Scan.objects.filter(sponsorship=sponsorship)
    assert scans.count() == 20 and set(map(str, scans.values_list("client_uuid", flat=True))) == set(sent)
    assert scans.filter(processed_at__isnull=True).count() >= 10  # nobody matched the ones sent while down

    monkeypatch.setattr(processing, "SWEEP_AFTER", timedelta(0))  # a minute on: what beat runs then
    scans_sweep()

    assert not scans.filter(processed_at__isnull=True).exists()
    leads = m.Lead.objects.filter(sponsorship=sponsorship)
    assert leads.count() == 4  # four people, each a lead once
    assert sorted(leads.values_list("scan_count", flat=True)) == [
        4,
        4,
        6,
        6,
    ]  # visitors 0 and 1 came three times a phase
    assert sum(leads.values_list("scan_count", flat=True)) == scans.count()


@contextlib.contextmanager
def workers_of_one_queue():
    """Workers started one after another on a queue of this test's own, each taking back within about
    a second the task a killed one had taken (a visibility timeout of a few seconds, not an hour)."""
    require_redis()
    require_shared_database()
    from tracker.celery import app

    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = {"BROKER_VISIBILITY_TIMEOUT": "4", "MEDIA_ROOT": str(WORKER_MEDIA_ROOT)}
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(queue, extra_env=env)
        worker.start()
        started.append(worker)
        return worker

    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield start
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        for worker in started:
            worker.stop()


def kill(worker: WorkerProcess) -> None:
    """SIGKILL the worker and its pool processes: nothing gets to finish, acknowledge or clean up."""
    subprocess.run(["pkill", "-KILL", "-P", str(worker.process.pid)], check=False)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(10)


def many_leads(booth, n: int) -> None:
    event = booth.event
    people = m.Attendee.objects.bulk_create(
        m.Attendee(event=event, badge_id=f"K-{i:06d}", first_name="Visitor", last_name=f"N{i}", title="VP Engineering")
        for i in range(n)
    )  # fmt: skip
    m.Lead.objects.bulk_create(m.Lead(sponsorship=booth, attendee=a, scan_count=1) for a in people)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_an_export_leaves_it_to_the_next_one_which_finishes_it_once(
    client, settings
):
    settings.MEDIA_ROOT, settings.EXPORT_INLINE_ROWS = WORKER_MEDIA_ROOT, 1
    with workers_of_one_queue() as start:
        first = start()
        booth = f.SponsorshipFactory()
        manager = f.StaffMemberFactory(sponsor=booth.sponsor, level="manager")
        many_leads(booth, 20_000)
        client.force_login(manager.user)
        client.post(
            reverse("export-create"), {"kind": "sales-review", "file_format": "xlsx", "sponsorship": booth.pk}
        )
        job = m.ExportLog.objects.get()
        wait_until(lambda: m.ExportLog.objects.get(pk=job.pk).status == "running", timeout=60)

        kill(first)
        assert m.ExportLog.objects.get(pk=job.pk).status == "running"  # killed before it finished
        start()  # another worker, after the first is gone
        wait_until(lambda: m.ExportLog.objects.get(pk=job.pk).status == "done", timeout=90)

    job.refresh_from_db()
    assert job.row_count == 20_000 and m.ExportLog.objects.count() == 1
    body = b"".join(client.get(reverse("export-download", args=[job.pk])).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == len(set(names)) == 20_000  # every lead once, under the header


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_rescore_leaves_it_to_the_next_one_which_scores_every_lead(
    settings,
):
    from tracker.scoring.versions import icp_publish

    booth = f.SponsorshipFactory()
    many_leads(booth, 20_000)
    icp = f.IcpFactory(
        sponsor=booth.sponsor, version=1, status="draft", grade_a_min=60, grade_b_min=30, grade_c_min=10
    )
    f.IcpCriterionFactory(
        icp=icp, part="fit", field="seniority", kind="in_set", values=["vp"], weight=40, label="VP"
    )
    with workers_of_one_queue() as start:
        first = start()
        job = icp_publish(icp=icp, by=None)
        wait_until(lambda: m.RescoreJob.objects.get(pk=job.pk).done > 0, timeout=60)

        kill(first)
        assert m.RescoreJob.objects.get(pk=job.pk).status == "running"
        start()
        wait_until(lambda: m.RescoreJob.objects.get(pk=job.pk).status == "done", timeout=120)

    job.refresh_from_db()
    scores = m.LeadScore.objects.filter(lead__sponsorship=booth)
    assert scores.count() == 20_000 and not scores.exclude(icp=icp).exists()
    assert set(scores.values_list("grade", flat=True)) == {"B"}  # VP: 40 points, grade B, every one


@pytest.mark.django_db(transaction=True)
def test_many_devices_retrying_through_dropped_database_connections_store_each_scan_once(monkeypatch):
    """A bounded load on loopback: twelve phones post and re-post the same scans, each with random
    resends, timeouts that give up mid-request and retries, while the database drops every connection of
    the server four times (as when PostgreSQL restarts). Phones see errors and retry; afterwards every
    scan is stored exactly once, matched once, and every lead counts its scans right."""
    import random
    import threading

    from django.db import connection as db

    from tests.test_web_server import POOL_SIZE

    require_shared_database()
    booth = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=booth.sponsor)
    staff.sponsorships.add(booth)
    _, key = m.DeviceToken.issue(staff=staff, name="booth phone", sponsorship=booth)
    phones, scans_each, app_name = 12, 15, "tracker-test-faults"
    env = {"DATABASE_URL": database_url(), "REDIS_URL": "", "WEB_WORKERS": "2", "DB_POOL_SIZE": str(POOL_SIZE),
           "PGAPPNAME": app_name}  # fmt: skip
    sent = [[str(uuid.uuid4()) for _ in range(scans_each)] for _ in range(phones)]
    errors: list[str] = []
    dropped: list[bool] = []
    done = threading.Event()

    def phone(index: int, port: int) -> None:
        rng = random.Random(index)
        queue = list(sent[index]) + rng.sample(sent[index], 5)  # resends of scans already sent
        for client_uuid in queue:
            person = f"MECARD:N:Visitor,{client_uuid[:8]};EMAIL:{client_uuid[:8]}@phone{index}.example;;"
            body = {"client_uuid": client_uuid, "sponsorship": booth.pk, "raw_payload": person}
            for _attempt in range(30):  # a phone's queue retries until the scan is answered
                try:
                    status = post_status(port, key, body, timeout=rng.choice([0.05, 5, 5, 5]))
                    if status in (200, 201):
                        break
                    errors.append(f"{status}")
                except OSError as error:  # a timeout that gave up, a dropped connection
                    errors.append(type(error).__name__)
            else:
                raise AssertionError(f"phone {index} never got {client_uuid} answered")

    def drop_connections() -> None:
        watcher = db.get_new_connection(db.get_connection_params())
        watcher.autocommit = True
        for _ in range(4):
            if done.wait(0.3):
                break
            dropped.extend(row[0] for row in watcher.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [app_name]
            ).fetchall())  # fmt: skip
        watcher.close()

    with gunicorn(env) as (port, _):
        threads = [threading.Thread(target=phone, args=(i, port)) for i in range(phones)]
        dropper = threading.Thread(target=drop_connections)
        dropper.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        done.set()
        dropper.join(30)
        stored = m.Scan.objects.filter(sponsorship=booth)

    assert any(dropped) and errors, "the faults were played: connections dropped, phones saw errors"
    assert stored.count() == phones * scans_each
    assert set(map(str, stored.values_list("client_uuid", flat=True))) == {u for uuids in sent for u in uuids}
    # A match whose connection was dropped after its scan's commit is left to the sweep (beat, a minute on).
    monkeypatch.setattr(processing, "SWEEP_AFTER", timedelta(0))
    scans_sweep()
    assert not stored.filter(processed_at__isnull=True).exists()
    leads = m.Lead.objects.filter(sponsorship=booth)
    assert leads.count() == phones * scans_each  # each scan its own person here
    assert set(leads.values_list("scan_count", flat=True)) == {1}


@contextlib.contextmanager
def private_postgres():
    """A PostgreSQL cluster of this test's own on a free port (so restarting it stops nobody else's),
    holding the test database's schema; yields its URL and a function that restarts it."""
    pg_ctl = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))), None) or shutil.which("pg_ctl")
    if pg_ctl is None:
        pytest.skip("needs PostgreSQL's server binaries (pg_ctl, initdb)")
    bin_dir = Path(pg_ctl).parent
    folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = folder / "data"

    def ctl(*args: str) -> None:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl("-o", options, "-l", str(folder / "log"), "start")
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    try:
        schema = subprocess.run([str(bin_dir / "pg_dump"), "--schema-only", "--no-owner", "-d", database_url()],
                                check=True, capture_output=True).stdout  # fmt: skip
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=schema, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        yield url, lambda: ctl("-m", "fast", "restart")
    finally:
        ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


SETUP = """
from tests import factories as f
from tracker.models import DeviceToken
booth = f.SponsorshipFactory()
staff = f.StaffMemberFactory(sponsor=booth.sponsor)
staff.sponsorships.add(booth)
print(booth.pk, DeviceToken.issue(staff=staff, name="phone", sponsorship=booth)[1])
"""


@pytest.mark.django_db(transaction=True)  # the test database exists: its schema is copied
def test_devices_retrying_through_a_postgresql_restart_leave_each_scan_stored_once():
    """The database restarts (twice) while six phones post scans: the server retries what a restart
    broke (tracker.retries) and phones retry what still failed; afterwards every scan they sent exists
    exactly once."""
    import random
    import threading

    import psycopg

    require_shared_database()
    with private_postgres() as (url, restart):
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "", "SECRET_KEY": "test-only"}
        made = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert made.returncode == 0, made.stderr[-3000:]
        booth, key = int(made.stdout.split()[-2]), made.stdout.split()[-1]
        phones, scans_each = 6, 20
        sent = [[str(uuid.uuid4()) for _ in range(scans_each)] for _ in range(phones)]
        errors: list[str] = []
        answered: list[str] = []

        def phone(index: int, port: int) -> None:
            rng = random.Random(index)
            for client_uuid in sent[index]:
                body = {
                    "client_uuid": client_uuid,
                    "sponsorship": booth,
                    "raw_payload": f"KC-{client_uuid[:8]}",
                }
                for _attempt in range(200):
                    try:
                        status = post_status(port, key, body, timeout=10)
                        if status in (200, 201):
                            answered.append(client_uuid)
                            break
                        errors.append(str(status))
                    except OSError as error:
                        errors.append(type(error).__name__)
                    time.sleep(rng.uniform(0.05, 0.2))  # the queue's back-off before the next try
                else:
                    raise AssertionError(f"phone {index} never got {client_uuid} stored")
                time.sleep(0.1)  # the next badge

        with gunicorn({"DATABASE_URL": url, "REDIS_URL": "", "WEB_WORKERS": "1", "DB_POOL_SIZE": "3"}) as (
            port,
            _,
        ):
            threads = [threading.Thread(target=phone, args=(i, port)) for i in range(phones)]
            started_at = datetime.now(UTC)
            for thread in threads:
                thread.start()
            for share in (4, 2):  # restarted when a quarter, then half, of the scans are in
                wait_until(lambda share=share: len(answered) >= phones * scans_each // share, timeout=60)
                restart()
            for thread in threads:
                thread.join(180)
            finished_at = datetime.now(UTC)
        with psycopg.connect(url) as check:
            stored = [
                row[0] for row in check.execute("SELECT client_uuid::text FROM tracker_scan").fetchall()
            ]
            (restarted_at,) = check.execute("SELECT pg_postmaster_start_time()").fetchone()
    assert started_at < restarted_at < finished_at, "the database restarted while the phones were posting"
    assert sorted(stored) == sorted(u for uuids in sent for u in uuids)  # every scan, each once
