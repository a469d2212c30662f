"""The production web server (gunicorn with tracker/gunicorn.py) taking a rush of device scans."""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests import factories as f
from tests.conftest import ROOT
from tests.services import database_url, require_shared_database
from tracker.models import DeviceToken, Scan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    require_shared_database()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",  # scans are matched in the server's process
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "8",
    }
    env.setdefault("SECRET_KEY", "test-only")
    log = ROOT / "var" / "test-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:tracker.gunicorn", "tracker.wsgi"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_rush_of_device_scans_is_stored_once_each_on_kept_alive_connections(server):
    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    _, key = DeviceToken.issue(staff=staff, name="booth phone")
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
            connection.request("POST", "/api/scans/", body, headers)
            response = connection.getresponse()
            answers[index].append((response.status, json.loads(response.read())["status"]))

    threads = [threading.Thread(target=phone, args=(index,)) for index in range(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    for index in range(phones):
        assert answers[index] == [(201, "created")] * scans_each + [(200, "duplicate")]
    stored = Scan.objects.filter(sponsorship=sponsorship)
    assert stored.count() == phones * scans_each
    assert set(map(str, stored.values_list("client_uuid", flat=True))) == {u for uuids in sent for u in uuids}
    assert not stored.filter(processed_at__isnull=True).exists()  # matched by the server after each commit
