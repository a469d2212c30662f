"""A task travels through the real broker to a real worker process, which reads the database."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.factories import EventFactory
from tracker.tasks import health_check


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
