"""Shared fixtures.

Tests that need a real service (Redis with a Celery worker, PostgreSQL, Chromium) skip with a reason
when it is absent; with ``REQUIRE_SERVICES=1`` (the second CI pass) any skip fails the run.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytest_plugins = ["tests.services", "tests.figures_scenario"]

ROOT = Path(__file__).resolve().parent.parent
DEMO_FIXTURE = ROOT / "fixtures" / "demo.json"

_skipped: list[str] = []

# Property tests: thorough by default, bounded in CI (HYPOTHESIS_PROFILE=ci, set by .ci/run) so both passes
# stay within their time; a test's own @settings still wins where it names max_examples.
hypothesis_settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
hypothesis_settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("REQUIRE_SERVICES") == "1" and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"REQUIRE_SERVICES=1: {len(_skipped)} test(s) skipped, which counts as failure here:",
                red=True,
            )
            for nodeid in _skipped:
                reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_figures_of_earlier_tests():
    """Each test starts with no cached figures or accounts: ids come again after a rollback, and Redis outlives a
    run."""
    from tracker.analytics.freshness import forget_everything

    forget_everything()
    # Accounts a grade preview may reuse for a while (tracker.scoring.facts): ids come again too.
    from tracker.scoring.facts import accounts_forget

    accounts_forget()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The committed demo data set, loaded once for a module and removed after it."""
    with django_db_blocker.unblock():
        call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_a_real_worker(request):
    """Tasks run in-process, except in tests that ask for a real worker (then they go through Redis)."""
    if {"celery_worker_process", "scan_processing"} & set(request.fixturenames):
        yield
        return
    from tracker.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage used with DEBUG off needs collectstatic; tests serve sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
