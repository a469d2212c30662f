"""Hardened defaults: the production settings pass Django's deployment checks, and every page carries a
content security policy that no page breaks (no inline script, no style attribute) in real Chromium."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ScanFactory
from tests.test_demo_walk_browser import demo_logins, log_in
from tracker import models as m
from tracker.models.choices import PermissionLevel

ROOT = Path(__file__).resolve().parent.parent
# What README's "Production" section tells an operator to set.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-key-of-more-than-fifty-characters-with-5-kinds-%-of-+-them",
    "ALLOWED_HOSTS": "tracker.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.com",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
}


def _check_deploy(values: dict) -> subprocess.CompletedProcess:
    # The environment of this run, less what the production values replace and what the browser tests
    # set for Playwright's sync API (a deployment never sets it).
    left_out = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in left_out} | values
    env["ENV_FILE"] = "/nonexistent"  # no developer's .env
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_values_pass_the_deployment_checks():
    result = _check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_catch_a_production_setting_left_out():
    """The test above can fail: without HSTS the same checks complain."""
    result = _check_deploy(PRODUCTION | {"SECURE_HSTS_SECONDS": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.django_db
def test_every_page_sends_the_policy(client):
    from tests.factories import SponsorshipFactory, StaffMemberFactory

    booth = SponsorshipFactory(has_booth=True)
    manager = StaffMemberFactory(sponsor=booth.sponsor, level=PermissionLevel.MANAGER)
    pages = [reverse("sponsor-overview", args=[booth.sponsor_id]),
             reverse("scan-screen", args=[booth.pk]), reverse("booth-board", args=[booth.pk]),
             reverse("lead-list", args=[booth.pk]), reverse("exports"), reverse("imports")]  # fmt: skip
    responses = [(reverse("login"), client.get(reverse("login")))]
    client.force_login(manager.user)
    responses += [(url, client.get(url)) for url in pages]
    for url, response in responses:
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_chromium(browser, live_server, settings):
    """Every kind of page the demo offers, as a manager, booth staff and an operator in the admin; the
    browser reports each refused script, style or connection on the console."""
    logins = demo_logins(settings)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=False)
    page = context.new_page()
    page.url_for = lambda path: f"{live_server.url}{path}"
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None)  # fmt: skip

    def visit(path: str) -> None:
        page.goto(page.url_for(path))
        page.wait_for_load_state("networkidle")

    manager_label = next(label for label in logins if label.startswith("Manager"))
    log_in(page, *logins[manager_label])
    manager = m.StaffMember.objects.get(user__username=logins[manager_label][0])
    booth = manager.sponsor.sponsorships.filter(has_booth=True).order_by("event__start_date").first()
    lead = booth.leads.order_by("pk").first()
    ScanFactory(lead=lead, received_at=timezone.now())  # the board draws today's bars
    for path in [
        reverse("sponsor-overview", args=[manager.sponsor_id]),
        reverse("sponsorship-detail", args=[booth.pk]),
        reverse("sponsorship-roi", args=[booth.pk]),
        reverse("sponsor-portfolio", args=[manager.sponsor_id]),
        reverse("event-landscape", args=[booth.event_id]),
        reverse("booth-board", args=[booth.pk]),
        reverse("lead-list", args=[booth.pk]),
        reverse("lead-detail", args=[lead.pk]),
        reverse("follow-up-list"),
        reverse("icp-editor", args=[manager.sponsor_id]),
        reverse("follow-up-rules", args=[manager.sponsor_id]),
        reverse("exports"),
        reverse("imports"),
        reverse("unknown-badges", args=[booth.pk]),
        reverse("api:openapi-view"),  # the API's interactive docs (Swagger UI, from this site)
        reverse("device-tokens", args=[manager.sponsor_id]),
        reverse("scan-screen", args=[booth.pk]),
    ]:
        visit(path)
        if path == reverse("booth-board", args=[booth.pk]):  # its bars are as long as their counts
            assert page.locator("#per-hour .bar").first.bounding_box()["width"] > 0
    for label in ("Booth staff", "Admin (Django admin)"):
        context.clear_cookies()
        log_in(page, *logins[label])
        page.wait_for_load_state("networkidle")
        if label == "Booth staff":  # their phone's page: the scan screen, with its scripts and worker
            assert page.url.endswith("/scan/") and page.locator("#scan-form, #qualify, main").count() > 0
    for path in ["/admin/", "/admin/tracker/lead/", f"/admin/tracker/lead/{lead.pk}/change/",
                 "/admin/tracker/sponsorship/add/"]:  # fmt: skip
        visit(path)
    context.close()
    assert refused == []
