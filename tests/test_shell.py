"""The staff shell: login, landing by role, pages readable on a phone, assets served by the app."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def booth_world():
    today = timezone.localdate()
    past = f.EventFactory(
        name="Last year's show", start_date=today - timedelta(days=400), end_date=today - timedelta(days=397)
    )
    current = f.EventFactory(
        name="This week's show", start_date=today - timedelta(days=1), end_date=today + timedelta(days=2)
    )
    sponsor = f.SponsorFactory(name="Alpha Cloud")
    old_booth = f.SponsorshipFactory(sponsor=sponsor, event=past, booth_number="B12")
    booth = f.SponsorshipFactory(sponsor=sponsor, event=current, booth_number="S7")
    staff = f.StaffMemberFactory(sponsor=sponsor, user__username="sam", user__password="booth-pass-123")
    staff.sponsorships.add(old_booth, booth)
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager", user__username="mia")
    return {"booth": booth, "old_booth": old_booth, "staff": staff, "manager": manager, "sponsor": sponsor}


def test_booth_staff_land_on_their_booth_for_the_current_event(client, booth_world):
    client.force_login(booth_world["staff"].user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("scan-screen", args=[booth_world["booth"].pk])


def test_managers_land_on_their_sponsor_overview(client, booth_world):
    client.force_login(booth_world["manager"].user)
    assert client.get(reverse("home"))["Location"] == booth_world["sponsor"].get_absolute_url()


def test_superusers_land_in_the_admin(client):
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


def test_people_on_no_roster_are_told_what_to_do(client):
    client.force_login(f.UserFactory())
    response = client.get(reverse("home"), follow=True)
    assert "not on any sponsor's roster" in response.content.decode()


def test_booth_staff_with_two_booths_at_the_event_choose(client, booth_world):
    second = f.SponsorshipFactory(event=booth_world["booth"].event)
    other_membership = f.StaffMemberFactory(user=booth_world["staff"].user, sponsor=second.sponsor)
    other_membership.sponsorships.add(second)
    client.force_login(booth_world["staff"].user)
    assert client.get(reverse("home"))["Location"] == reverse("my-booths")


def test_booth_page_shows_counts_and_the_latest_scans(client, booth_world):
    booth = booth_world["booth"]
    lead = f.LeadFactory(sponsorship=booth, attendee__first_name="Zoë", attendee__last_name="Lefèvre")
    f.ScanFactory(lead=lead, scanned_by=booth_world["staff"], rating="hot")
    f.ScanFactory(lead=lead, scanned_by=booth_world["staff"])
    f.ScanFactory(lead=None, sponsorship=booth, raw_payload="XX-garbled-badge")
    client.force_login(booth_world["staff"].user)
    page = client.get(booth.get_absolute_url()).content.decode()
    assert 'data-stat="scans">3<' in page
    assert 'data-stat="leads">1<' in page
    assert 'data-stat="unknown">1<' in page
    assert 'data-stat="today">3<' in page
    assert "Zoë Lefèvre" in page
    assert "XX-garbled-badge" in page
    assert "Costs" not in page  # booth staff don't see costs


def test_login_page_and_stylesheet_come_from_the_app_itself(client, settings, tmp_path):
    page = client.get(reverse("login")).content.decode()
    assert "https://" not in page and "http://" not in page  # no CDN
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    css = Client().get("/static/tracker/app.css")  # a fresh client: the middleware sees the files
    assert css.status_code == 200
    assert b".stats" in b"".join(css.streaming_content)


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings", DEBUG="0", ENV_FILE=str(ROOT / "no-such.env"))
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in run.stderr


def test_sqlite_runs_in_wal_mode(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database lives in memory, where SQLite reports "memory"; files get WAL.
    assert mode in ("wal", "memory")
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_event_picks_the_running_then_the_next_then_the_latest(booth_world):
    from tracker.models import Event

    today = timezone.localdate()
    assert Event.objects.current_or_next(today).name == "This week's show"
    assert Event.objects.current_or_next(today + timedelta(days=30)).name == "This week's show"
    assert Event.objects.current_or_next(date(2000, 1, 1)).name == "Last year's show"


@pytest.mark.django_db(transaction=True)
def test_booth_staff_log_in_on_a_phone_and_land_on_their_booth(phone_page, booth_world):
    page = phone_page
    page.goto(page.url_for("/"))
    assert "/login/" in page.url
    page.fill("#id_username", "sam")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").is_visible()
    page.fill("#id_password", "booth-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('scan-screen', args=[booth_world['booth'].pk])}")
    assert page.locator("h1").inner_text() == "Alpha Cloud"
    assert "booth S7" in page.content()
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("text=Log out")
    page.wait_for_url("**/login/")


def test_a_manager_sees_the_same_menu_on_every_page_of_their_sponsor(client, booth_world):
    """No page's own context replaces what the menu reads (the privacy page's form once hid Follow-ups
    and Imports, and called the manager's booths "My booths")."""
    import re

    sponsor, booth = booth_world["sponsor"].pk, booth_world["booth"].pk
    client.force_login(booth_world["manager"].user)
    pages = [reverse("my-booths"), reverse("all-leads"), reverse("follow-up-list"), reverse("my-follow-ups"),
             reverse("exports"), reverse("imports")]  # fmt: skip
    pages += [reverse(name, args=[sponsor]) for name in
              ("sponsor-overview", "privacy", "icp-editor", "follow-up-rules", "device-tokens", "crm", "questions")]  # fmt: skip
    pages += [reverse(name, args=[booth]) for name in
              ("sponsorship-detail", "sponsorship-roi", "booth-board", "lead-list", "unknown-badges")]  # fmt: skip
    menus = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        nav = re.search(r'<nav class="nav".*?</nav>', response.content.decode(), re.S).group(0)
        menus[url] = re.findall(r"<a [^>]*>", nav)  # the links, without the form's fresh token
    expected = menus[reverse("my-booths")]
    assert any("Imports" in link or "imports" in link for link in expected)
    assert {url: links for url, links in menus.items() if links != expected} == {}


@pytest.mark.django_db(transaction=True)
def test_log_out_is_in_sight_on_a_phone_whatever_the_menu_holds(phone_page, booth_world):
    """A manager's menu (and a superuser's, longer still) may scroll sideways on a phone; Log out does not
    scroll away with it."""
    page = phone_page
    for user in (booth_world["manager"].user, f.UserFactory(is_superuser=True, is_staff=True)):
        user.set_password("pass-word-123")
        user.save()
        page.goto(page.url_for(reverse("login")))
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pass-word-123")
        page.click("button[type=submit]")
        page.goto(page.url_for(reverse("all-leads")))
        box = page.locator("text=Log out").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("text=Log out")
        page.wait_for_url("**/login/")


def test_a_health_check_by_head_is_answered(client):
    """Load balancers and uptime checks often ask with HEAD."""
    assert client.head(reverse("healthz")).status_code == 200
    assert client.head(reverse("service-worker")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_a_misspelt_staff_time_zone_is_refused_rather_than_read_as_utc(booth_world):
    from django.core.exceptions import ValidationError

    staff = booth_world["staff"]
    staff.time_zone = "America/Nwe_York"
    with pytest.raises(ValidationError, match="not a known IANA time zone"):
        staff.full_clean()
    staff.time_zone = "America/New_York"
    staff.full_clean()
