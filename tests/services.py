"""Real services for tests: a Celery worker process on Redis, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WORKER_MEDIA_ROOT = ROOT / "var" / "test-worker-media"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def require_axe() -> Path:
    """axe-core, installed from npm by `make install` (package.json): the accessibility checker."""
    if not AXE.exists():
        pytest.skip("needs axe-core from npm (`make install` with npm on the PATH)")
    return AXE


def serious_accessibility_violations(page) -> list[tuple[str, str, list[str]]]:
    """axe-core's serious and critical findings on the page as it is: (rule, impact, first elements)."""
    page.add_script_tag(path=str(require_axe()))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"
    )
    return [tuple(item) for item in found if item[1] in ("serious", "critical")]


def require_redis() -> None:
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (a real Redis broker) for a Celery worker")


def require_shared_database() -> None:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        pytest.skip(
            "needs DATABASE_URL on PostgreSQL: a worker process cannot see an in-memory test database"
        )


def require_chromium() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"needs headless Chromium at {CHROMIUM} (Debian package chromium)")


def require_soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("needs LibreOffice (Debian package libreoffice-calc-nogui) to open the workbooks")
    return found


def libreoffice_sheets(workbook: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``workbook`` as LibreOffice reads it: converted headless to CSV, raw values, UTF-8."""
    import csv

    soffice = require_soffice()
    out = workbook.parent / f"{workbook.stem}-lo"
    # 44,34,76: comma, double quote, UTF-8; 1: first line; token 9 false: values, not as shown; -1: every sheet.
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    profile = workbook.parent / "lo-profile"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", options,
         "--outdir", str(out), str(workbook)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    files = sorted(out.glob(f"{workbook.stem}-*.csv"))
    assert done.returncode == 0 and files, (
        f"LibreOffice could not convert {workbook.name}: {done.stderr[-500:]}"
    )
    sheets = {}
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem[len(workbook.stem) + 1 :]] = list(csv.reader(handle))
    return sheets


def database_url() -> str:
    """A URL for the test database as it is now configured (after pytest-django renamed it)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class WorkerProcess:
    """A real ``celery worker`` subprocess consuming a queue private to this test session."""

    def __init__(self, queue: str, extra_env: dict | None = None):
        self.queue = queue
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"worker-{queue}.log"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,  # tasks the worker queues itself (next chunks) stay private too
            **self.extra_env,
        }
        env.setdefault("SECRET_KEY", settings.SECRET_KEY)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=prefork", "--concurrency=1",
             "-Q", self.queue, "--hostname", f"{self.queue}@%h", "--loglevel=info"],
            cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        from tracker.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.log.read_text()[-2000:]}")
            replies = app.control.ping(destination=[f"{self.queue}@{os.uname().nodename}"], timeout=1.0)
            if replies:
                return
        raise RuntimeError(f"celery worker did not answer within 60 s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A Celery worker on the real broker and the test database; tasks go to its private queue."""
    require_redis()
    require_shared_database()
    from tracker.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    # Files the worker writes (exports) land where tests using it look for them; the fake Salesforce of
    # tests/crm_fakes.py answers on 127.0.0.1 over plain HTTP.
    worker = WorkerProcess(
        queue, extra_env={"MEDIA_ROOT": str(WORKER_MEDIA_ROOT), "CRM_TEST_HOSTS": "127.0.0.1"}
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_default_queue = previous
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (its own browser download cannot work here)."""
    require_chromium()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield ToolBrowser(instance)
        instance.close()


class ToolBrowser:
    """The browser, whose new contexts let the tests' tools run in the page by default: axe-core is
    injected as a script and Playwright evaluates string predicates, both of which the app's content
    security policy refuses. ``new_context(bypass_csp=False)`` keeps the policy (tests/test_security.py
    walks every page that way)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("bypass_csp", True)
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page; ``page.goto(url("/path/"))`` against the live server."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.url_for = lambda path: f"{live_server.url}{path}"
    yield page
    context.close()


@pytest.fixture
def scan_processing(request, settings):
    """Scans get matched to leads: by a real worker through Redis when there is one, else in-process."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")


def wait_until(condition, timeout: float = 30.0, interval: float = 0.1):
    """Poll ``condition`` until it is truthy (work done by another process), or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s: {condition.__doc__ or condition}")
