"""The first run, walked on a phone as a new user would: `demo_setup` as `make run` calls it, then the
printed manager's and booth staff member's day, in real Chromium, with axe-core looking at every page.

One test: the demo data set is loaded once, as on a fresh clone, and the walk checks what a first run
must show (grades and reasons, times that agree from page to page, a funnel whose every step is within
the one before, Save in reach without scrolling) and that no page has a serious accessibility fault.
"""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.scanner import Scanner
from tests.services import require_axe, serious_accessibility_violations
from tracker import models as m
from tracker import times

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def demo_logins(settings) -> dict[str, tuple[str, str]]:
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    return {
        label.split(" at ")[0]: (username, password)
        for label, username, password in re.findall(
            r"^  (.+?)\s+username: (\S+)\s+password: (\S+)$", out.getvalue(), re.M
        )
    }


def log_in(page, username: str, password: str) -> None:
    page.goto(page.url_for(reverse("login")))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def accessible(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_a_first_run_shows_the_whole_product_on_a_phone(browser, live_server, settings):
    require_axe()
    logins = demo_logins(settings)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.url_for = lambda path: f"{live_server.url}{path}"

    # ---- the manager --------------------------------------------------------------------------------
    log_in(page, *logins["Manager"])
    manager = m.StaffMember.objects.select_related("sponsor").get(user__username=logins["Manager"][0])
    booth = (
        manager.sponsor.sponsorships.filter(has_booth=True)
        .select_related("event")
        .order_by("event__start_date")
        .first()
    )
    assert page.url.endswith(reverse("sponsor-overview", args=[manager.sponsor.pk]))
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(page.url_for(reverse("booth-board", args=[booth.pk])))
    grades = {li.split()[0]: int(li.split()[1]) for li in page.locator("#grades li").all_inner_texts()}
    assert sum(grades.values()) > 0 and grades["A"] + grades["B"] > 0  # a grade mix from the first run
    assert "no published Ideal Customer Profile" not in page.inner_text("main")
    accessible(page)

    page.goto(page.url_for(reverse("lead-list", args=[booth.pk]) + "?sort=-score"))
    accessible(page)
    first = page.locator("table tbody tr").first
    assert re.search(r"\b[AB]\b", first.inner_text())  # best first, graded
    first.locator("a").first.click()
    page.wait_for_load_state()
    reasons = page.locator("section:has(h2:text('Score')) li").all_inner_texts()
    assert reasons and any(re.match(r"[+-]\d+ ", reason) for reason in reasons)
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # long owner names too

    # The same scan reads the same time on the lead page and the booth page (the event's clock).
    lead = m.Lead.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    scan = lead.scans.order_by("-received_at").first()
    shown = times.when(scan.received_at, times.zone(booth.event.time_zone))
    assert shown in page.inner_text("main")
    page.goto(page.url_for(reverse("sponsorship-detail", args=[booth.pk])))
    recent = booth.scans.order_by("-received_at").first()
    assert times.when(recent.received_at, times.zone(booth.event.time_zone)) in page.inner_text("main")

    for url in (reverse("follow-up-list"), reverse("my-follow-ups"), reverse("icp-editor", args=[manager.sponsor.pk]),
                reverse("exports"), reverse("unknown-badges", args=[booth.pk])):  # fmt: skip
        page.goto(page.url_for(url))
        accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, url

    # Leadership's ROI workbook: every funnel step within the one before.
    page.goto(page.url_for(reverse("exports")))
    with page.expect_download() as download:
        page.locator("form[aria-label='ROI across events'] button").click()
    assert download.value.suggested_filename.startswith(f"event-roi-{manager.sponsor.slug}-all-events-")
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    funnel = [row for row in workbook["Funnel"].iter_rows(min_row=2, values_only=True)]
    totals = [row[-2] for row in funnel]
    assert totals[0] > 0 and all(later <= earlier for earlier, later in zip(totals, totals[1:], strict=False))
    assert all(share is None or share <= 1 for *_, share in funnel)
    summary = {c.value: c.column for c in workbook["Summary"][1]}
    assert workbook["Summary"].cell(2, summary["Pipeline"]).value > 0  # a believable ROI, not zeros

    # The ROI page and the portfolio: charts drawn, their numbers in tables, the workbook's figures.
    row = next(
        r
        for r in workbook["Summary"].iter_rows(min_row=2)
        if r[summary["Event"] - 1].value == booth.event.name
    )
    currency = manager.sponsor.reporting_currency
    page.goto(page.url_for(reverse("sponsorship-roi", args=[booth.pk])))
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    drawn = page.eval_on_selector_all(
        "figure.chart rect", "rects => rects.filter(r => r.getBBox().width > 0).length"
    )
    assert drawn >= 5  # the funnel's bars at least
    text = page.inner_text("main")
    for header in ("Pipeline", "Costs (" + currency + ")", "Cost per qualified lead"):
        value = row[summary[header] - 1].value
        assert f"{value:,.2f} {currency}" in text, header
    page.goto(page.url_for(reverse("sponsor-portfolio", args=[manager.sponsor.pk])))
    accessible(page)
    assert (
        page.locator("figure.chart").first.locator(".bar-row").count() == manager.sponsor.sponsorships.count()
    )
    assert booth.event.name in page.inner_text("table")
    # The event's sponsor landscape, compared with the sponsor's other event: public facts, our reasons.
    other = manager.sponsor.sponsorships.exclude(event=booth.event).first().event
    page.goto(page.url_for(reverse("event-landscape", args=[booth.event.pk]) + f"?compare={other.pk}"))
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert page.locator("figure.chart").count() >= 6  # tiers, booths and themes of both events
    assert "What changed" in page.inner_text("main")

    # ---- the booth staff member -----------------------------------------------------------------------
    context.clear_cookies()
    log_in(page, *logins["Booth staff"])
    assert page.url.endswith("/scan/")
    page.wait_for_function("window.boothScanner !== undefined")
    accessible(page)
    if page.locator("#dates-banner").is_visible():  # the demo's events are in the past
        page.click("#dates-confirm")
    Scanner(page).scan("KCEU24-DEMO-WALK-0001")
    page.wait_for_selector("#qualify:not([hidden])")
    save = page.locator("#save").bounding_box()
    assert save is not None and save["y"] + save["height"] <= PHONE["height"]  # no scrolling to reach Save
    # Keyboard: a chip is reached with Tab and pressed with Space, and says it is pressed.
    page.focus("[data-field=rating] button[data-value=hot]")
    page.keyboard.press("Space")
    assert page.get_attribute("[data-field=rating] button[data-value=hot]", "aria-pressed") == "true"
    accessible(page)
    page.focus("#save")
    page.keyboard.press("Enter")
    page.wait_for_selector("#list li[data-state=sent]", timeout=30000)
    assert m.Scan.objects.filter(raw_payload="KCEU24-DEMO-WALK-0001", rating="hot").count() == 1
    context.close()
