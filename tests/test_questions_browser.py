"""The sponsor's questions on the scan screen in real Chromium: asked with the conversation type, required
ones enforced, cached for offline use, and the grade previewed as the card is filled in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.services import wait_until
from tests.test_scan_browser import handheld_scan, log_in
from tracker.models import LeadAnswer, LeadScore, Question, Scan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booth(scan_processing):
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud", booth_number="S7")
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor, user__username="sam", user__first_name="Sam", user__password="booth-pass-123")  # fmt: skip
    staff.sponsorships.add(sponsorship)
    for n in range(1, 4):
        f.AttendeeFactory(event=sponsorship.event, badge_id=f"KCEU24-00000{n}", first_name=f"Visitor{n}", title="VP Engineering")  # fmt: skip
    sponsor = sponsorship.sponsor
    questions = {
        "timeline": Question.objects.create(
            sponsor=sponsor,
            label="Timeline",
            kind="single",
            choices=["this quarter", "later"],
            position=1,
            required=True,
            conversation_types=["demo", "technical_deep_dive"],
        ),  # fmt: skip
        "clouds": Question.objects.create(
            sponsor=sponsor,
            label="Cloud provider",
            kind="multiple",
            choices=["AWS", "GCP", "Azure"],
            position=2,
        ),  # fmt: skip
        "clusters": Question.objects.create(
            sponsor=sponsor, label="How many clusters?", kind="number", position=3
        ),
    }
    icp = f.IcpFactory(sponsor=sponsor, status="published", published_at=timezone.now(), grade_a_min=50, grade_b_min=30, grade_c_min=10)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="fit", field="seniority", values=["vp", "c_level"], weight=30, label="Director or above")  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="answer", question=questions["timeline"], kind="in_set", values=["this quarter"], weight=20, label="Timeline")  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="negative", field="conversation_type", values=["swag_only"], weight=10, label="swag only", action="penalise")  # fmt: skip
    return sponsorship, questions


def test_questions_follow_the_conversation_required_ones_hold_the_save_and_the_grade_follows_the_card(phone_page, booth):  # fmt: skip
    sponsorship, questions = booth
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[sponsorship.pk])}")

    handheld_scan(page, "KCEU24-000001")
    page.wait_for_selector("#qualify-grade:not([hidden])")
    assert page.inner_text("#qualify-grade").startswith("B · +30 Director or above")
    timeline = f"[data-question='{questions['timeline'].pk}']"
    assert page.is_hidden(timeline)  # asked for demos and deep-dives only
    page.click("[data-field=conversation_type] >> text=Demo")
    assert page.is_visible(timeline)
    assert page.is_disabled("#save") and "Timeline" in page.inner_text("#required-note")
    page.click(f"{timeline} >> text=this quarter")
    page.click(f"[data-question='{questions['clouds'].pk}'] >> text=AWS")
    page.click(f"[data-question='{questions['clouds'].pk}'] >> text=GCP")
    page.fill(f"[data-answer='{questions['clusters'].pk}']", "40 clusters")
    assert page.is_disabled("#save") and "How many clusters?: a number" in page.inner_text("#required-note")
    page.fill(f"[data-answer='{questions['clusters'].pk}']", "40")
    page.wait_for_function("document.querySelector('#qualify-grade').dataset.grade === 'A'")
    assert "+20 Timeline: this quarter" in page.inner_text("#qualify-grade")
    assert not page.is_disabled("#save")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=sent]")

    wait_until(lambda: LeadAnswer.objects.count() == 4)
    scan = Scan.objects.get()
    assert scan.answers == {str(questions["timeline"].pk): "this quarter", str(questions["clouds"].pk): ["AWS", "GCP"], str(questions["clusters"].pk): 40}  # fmt: skip
    wait_until(
        lambda: LeadScore.objects.filter(grade="A").exists()
    )  # the stored score agrees with the preview
    assert "+20 Timeline: this quarter" in [
        f"{r['points']:+d} {r['reason']}" for r in LeadScore.objects.get().reasons
    ]


def test_offline_the_questions_are_still_asked_and_the_grade_waits_for_the_network(
    phone_page, booth, live_server
):
    sponsorship, questions = booth
    page = phone_page
    log_in(page)
    page.wait_for_url(f"**{reverse('scan-screen', args=[sponsorship.pk])}")
    page.wait_for_selector("body[data-offline-ready=true]")

    page.context.set_offline(True)
    page.reload()  # the screen, and its questions, from the phone's cache
    handheld_scan(page, "KCEU24-000002")
    page.wait_for_selector("#qualify-grade:not([hidden])")
    assert "grade will show when the phone is back online" in page.inner_text("#qualify-grade")
    page.click("[data-field=conversation_type] >> text=Technical deep-dive")
    page.click(f"[data-question='{questions['timeline'].pk}'] >> text=later")
    page.fill(f"[data-answer='{questions['clusters'].pk}']", "1.234,5")
    page.click("#save")
    page.wait_for_selector("#list li[data-state=queued]")
    assert not Scan.objects.exists()

    page.context.set_offline(False)
    page.wait_for_function("document.querySelector('#unsent-count').textContent === '0'", timeout=30000)
    wait_until(lambda: LeadAnswer.objects.count() == 2)
    assert Scan.objects.get().answers == {
        str(questions["timeline"].pk): "later",
        str(questions["clusters"].pk): 1234.5,
    }


NUMBERS = [
    "12", "3,5", "3.5", "1,500", "12,000,000", "1 500", "1.500", "1.500.000", "1.500,5", "1,500.5",
    "1,234,567.89", "-2,25", "0,500", "", "40 clusters", "1,5,0", "1.2.3,4", "1,5.0", "12,50,000",
    "1,500.5e3", "1,000.5_5", "1,500.", "+1,500", "١,٥٠٠", "1e3", "1_000", ".5", "12345678901", "--1",
]  # fmt: skip


def test_the_scan_screen_and_the_server_read_numbers_alike(browser):
    """numbers.js (the phone) and number_text (files, the API) against one table, junk included."""
    from decimal import Decimal
    from pathlib import Path

    from django.conf import settings

    from tracker.questions.answers import number_text

    page = browser.new_page()
    page.set_content("<!doctype html><title>numbers</title>")
    page.add_script_tag(path=str(Path(settings.BASE_DIR) / "tracker" / "static" / "tracker" / "numbers.js"))
    on_the_phone = page.evaluate("typed => typed.map(globalThis.boothNumbers.readNumber)", NUMBERS)
    page.close()

    on_the_server = [
        None if (read := number_text(typed)) is None else float(Decimal(read)) for typed in NUMBERS
    ]
    assert dict(zip(NUMBERS, on_the_phone, strict=True)) == dict(zip(NUMBERS, on_the_server, strict=True))
    assert on_the_server[NUMBERS.index("1,500")] == 1500 and on_the_server[NUMBERS.index("3,5")] == 3.5
