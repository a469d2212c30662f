"""The production web server (gunicorn with tracker/gunicorn.py) taking a rush of device scans."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest
from django.conf import global_settings
from django.db import connection as db
from django.urls import reverse

from tests import factories as f
from tests.conftest import ROOT
from tests.services import database_url, require_shared_database
from tests.test_scan_browser import handheld_scan, log_in
from tracker.models import DeviceToken, Scan


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *args: str):
    """gunicorn with the production settings (tracker/gunicorn.py) on a free port; yields (port, log path)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0", "BIND": f"127.0.0.1:{port}", **env}
    env.setdefault("SECRET_KEY", "test-only")
    log = ROOT / "var" / f"test-gunicorn-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:tracker.gunicorn", *args, "tracker.wsgi"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                status = probe.getresponse().status
                probe.close()  # an idle kept-alive connection would hold the worker's stop for its keepalive
                if status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.unlink(missing_ok=True)


POOL_SIZE = 3
APP_NAME = "tracker-test-web-server"


@pytest.fixture
def shared_database():
    """Skips without a database the server's process can share (PostgreSQL)."""
    require_shared_database()


@pytest.fixture
def server(shared_database):
    # Scans are matched in the server's process (no REDIS_URL); PGAPPNAME names its database connections.
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "WEB_WORKERS": "1",
        "DB_POOL_SIZE": str(POOL_SIZE),
        "PGAPPNAME": APP_NAME,
    }
    with gunicorn(env) as (port, _):
        yield port


class ConnectionCount(threading.Thread):
    """The most database connections the server held at once, sampled until ``stop``."""

    def __init__(self):
        super().__init__(daemon=True)
        self.most = 0
        self.stopping = threading.Event()

    def run(self):
        watcher = db.get_new_connection(db.get_connection_params())
        watcher.autocommit = True
        try:
            while not self.stopping.wait(0.005):
                (count,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
                ).fetchone()
                self.most = max(self.most, count)
        finally:
            watcher.close()

    def stop(self) -> int:
        self.stopping.set()
        self.join(30)
        return self.most


@pytest.mark.django_db(transaction=True)
def test_a_rush_of_device_scans_is_stored_once_each_on_kept_alive_connections(server):
    """Twelve phones at once on a server whose pool has three database connections: every scan is
    stored once, and the server never holds more than its pool's connections."""
    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    _, key = DeviceToken.issue(staff=staff, name="booth phone", sponsorship=sponsorship)
    phones, scans_each = 12, 5
    sent = [[str(uuid.uuid4()) for _ in range(scans_each)] for _ in range(phones)]
    answers: list[list[tuple[int, str]]] = [[] for _ in range(phones)]

    def phone(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
        for client_uuid in sent[index] + sent[index][:1]:  # the first scan is sent again at the end
            body = json.dumps(
                {"client_uuid": client_uuid, "sponsorship": sponsorship.pk, "raw_payload": f"B-{index}"}
            )
            headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
            connection.request("POST", "/api/v1/scans/", body, headers)
            response = connection.getresponse()
            answers[index].append((response.status, json.loads(response.read())["status"]))
        connection.close()

    threads = [threading.Thread(target=phone, args=(index,)) for index in range(phones)]
    count = ConnectionCount()
    count.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    most_connections = count.stop()

    for index in range(phones):
        assert answers[index] == [(201, "created")] * scans_each + [(200, "duplicate")]
    stored = Scan.objects.filter(sponsorship=sponsorship)
    assert stored.count() == phones * scans_each
    assert set(map(str, stored.values_list("client_uuid", flat=True))) == {u for uuids in sent for u in uuids}
    assert not stored.filter(processed_at__isnull=True).exists()  # matched by the server after each commit
    assert 1 <= most_connections <= POOL_SIZE


def test_phones_connecting_at_once_are_spread_over_the_workers():
    """Fifty phones reconnecting together (the hall's wifi back) are not all served by one worker process."""
    phones = 40
    env = {"WEB_WORKERS": "2", "REDIS_URL": ""}
    pid_log = ("--access-logfile", "-", "--access-logformat", "served-by %(p)s %(q)s")
    with gunicorn(env, *pid_log) as (port, log):
        ready = threading.Barrier(phones)
        statuses: list[int] = []

        def phone() -> None:
            ready.wait(30)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz?phone")  # the start-up check's request is not counted
            statuses.append(connection.getresponse().status)
            ready.wait(30)  # every connection stays open until all have been answered
            connection.close()

        threads = [threading.Thread(target=phone) for _ in range(phones)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        def served_by() -> Counter:
            lines = log.read_text().splitlines()
            return Counter(
                line.split()[1] for line in lines if line.startswith("served-by") and line.endswith(" phone")
            )

        deadline = time.monotonic() + 30  # a worker writes its access line just after answering
        while sum(served_by().values()) < phones and time.monotonic() < deadline:
            time.sleep(0.1)
        served = served_by()

    assert statuses == [200] * phones
    assert sum(served.values()) == phones and len(served) == 2, served
    # Spread by the kernel over the two workers' own sockets, each gets about half (fewer than 8 of 40
    # has a chance of 1 in 50,000); on one shared socket, one worker often took nearly all of them.
    assert min(served.values()) >= 8, served


@pytest.fixture(scope="session")
def collected_static():
    """The static files as a deployment collects them (``collectstatic``): with DEBUG off, WhiteNoise
    serves them, and templates name them by their hashed names."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env={**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only"}, check=True,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_booth_staff_scan_in_a_browser_on_the_production_server(
    shared_database, browser, collected_static, settings
):
    """The scan screen in Chromium against gunicorn as deployed (gevent workers, pooled connections): log
    in, scan with a handheld scanner, qualify, and the scan is stored once and matched to its lead."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's, not the tests' fast one
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    staff = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, user__username="sam", user__password="booth-pass-123"
    )
    staff.sponsorships.add(sponsorship)
    f.AttendeeFactory(event=sponsorship.event, badge_id="KCEU24-000001", first_name="Visitor1")
    env = {"DATABASE_URL": database_url(), "REDIS_URL": "", "WEB_WORKERS": "1", "DB_POOL_SIZE": "2"}
    with gunicorn(env) as (port, _):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.url_for = lambda path: f"http://127.0.0.1:{port}{path}"
        try:
            log_in(page)
            page.wait_for_url(f"**{reverse('scan-screen', args=[sponsorship.pk])}")
            handheld_scan(page, "KCEU24-000001")
            page.click("[data-field=rating] >> text=Hot")
            page.fill("#note", "Wants the pool numbers")
            page.click("#save")
            page.wait_for_selector("#list li[data-state=sent]")
            assert "Visitor1" in page.inner_text("#list")  # the lookup, through the same server
        finally:
            context.close()

    scan = Scan.objects.get(sponsorship=sponsorship)
    assert (scan.rating, scan.notes, scan.scanned_by) == ("hot", "Wants the pool numbers", staff)
    assert scan.lead.attendee.badge_id == "KCEU24-000001"


def test_the_web_servers_config_loads_no_database_layer_before_gevent_patches_threading():
    """gunicorn imports its config (and with it the tracker package and the Celery app) before the gevent
    worker patches threading. Django's connections, made thread-local before that, would be one per OS
    thread shared by every greenlet, and each scan POST would fail "DatabaseWrapper objects created in a
    thread can only be used in that same thread"."""
    code = "import sys, tracker.gunicorn; print(sorted(m for m in sys.modules if m.startswith('django.db')))"
    env = {**os.environ, "SECRET_KEY": "x"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
