"""Figures served from the cache while their inputs are unchanged, and never stale after a change.

The booth is ``tests/figures_scenario.py``'s, worked out by hand. The cache is the real one of each CI pass: Django's local-memory cache without services, the shared Redis
with them. Every change below goes through the code a user's action runs (the scan API, the review,
amend and follow-up services, the scoring service, model saves as the admin does them), and the figures
asked for right after must show it.
"""

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracker.analytics import freshness
from tracker.analytics.roi import roi_for
from tracker.followups.history import followup_change
from tracker.models import FollowUp, Lead, Scan
from tracker.models.choices import IcpStatus, StaffRole
from tracker.scans.amend import scan_amend
from tracker.scans.review import scan_discard, scan_restore
from tracker.scoring.service import leads_score

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.FIGURES_CACHE_SECONDS = 600
    freshness.forget_everything()


def _queries(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def test_a_second_view_of_unchanged_figures_is_served_from_the_cache(booth):
    (first,), computed = _queries(lambda: roi_for([booth]))
    (again,), served = _queries(lambda: roi_for([booth]))
    assert served < computed and served <= 1  # at most the sponsor's qualifying grades
    assert again.total.funnel() == first.total.funnel() == [5, 4, 3, 2, 2, 1, 0]
    assert again.cost == first.cost == Decimal("1450.00")
    assert again.sponsorship is booth  # the caller's own instance, not a stale copy


def test_the_grades_asked_for_are_cached_apart(booth):
    (default,) = roi_for([booth])
    (only_a,) = roi_for([booth], grades=["A"])
    assert (default.total.qualified, only_a.total.qualified) == (3, 2)
    assert roi_for([booth])[0].total.qualified == 3


def _lead(booth, name):
    return Lead.objects.get(sponsorship=booth, attendee__first_name=name)


def _post_scan(client, booth):
    staff = f.StaffMemberFactory(sponsor=booth.sponsor)
    staff.sponsorships.add(booth)
    client.force_login(staff.user)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "sponsorship": booth.pk,
        "first_name": "Noor",
        "company": "Acme",
    }
    response = client.post(reverse("api:scans"), json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content


def _unknown_scan(booth):
    return f.ScanFactory(sponsorship=booth, lead=None, raw_payload="ZZ-1", processed_at=timezone.now())


def _rescore_all_as_d(client, booth):
    icp = f.IcpFactory(sponsor=booth.sponsor, status=IcpStatus.PUBLISHED, grade_a_min=1000, grade_b_min=999,
                       grade_c_min=998, published_at=timezone.now())  # fmt: skip
    leads_score(Lead.objects.filter(sponsorship=booth).values_list("pk", flat=True), icp)


def _lin_talked_swag_only(client, booth):
    """Lin's scanner corrects the scan from the booth, within the hours it may."""
    lin = Scan.objects.get(lead=_lead(booth, "Lin"))
    scan_amend(scan=lin, data={"conversation_type": "swag_only"}, staff_id=lin.scanned_by_id,
               by_user=lin.scanned_by.user, now=lin.received_at + timedelta(minutes=5))  # fmt: skip


def _devrel_to_sales(client, booth):
    devrel = booth.sponsor.staff.get(role=StaffRole.DEVREL)
    devrel.role = StaffRole.SALES
    devrel.save()  # as the admin does


# Each change, as a user's action makes it, and what the figures show right after.
CHANGES = {
    "a scan arrives through the API": (_post_scan, lambda roi: roi.total.scans == 6),
    "a scan is amended to swag only": (_lin_talked_swag_only, lambda roi: roi.swag_only_scans == 3),
    "a cost line is added": (
        lambda client, booth: f.CostLineFactory(sponsorship=booth, amount=Decimal("50.00"), currency="EUR"),
        lambda roi: roi.cost == Decimal("1500.00"),
    ),
    "a newer rate is stored": (
        lambda client, booth: f.CurrencyRateFactory(
            source="USD", target="EUR", rate=Decimal("1.00"), valid_on=date(2024, 2, 1)
        ),  # fmt: skip
        lambda roi: roi.cost == Decimal("1500.00"),
    ),
    "a follow-up is won": (
        lambda client, booth: followup_change(
            follow_up=FollowUp.objects.get(lead=_lead(booth, "Li")), by=None, status="won"
        ),
        lambda roi: roi.total.won == 2,
    ),
    "the leads are scored again": (_rescore_all_as_d, lambda roi: roi.total.qualified == 0),
    "the devrel moves to sales": (_devrel_to_sales, lambda roi: "Developer relations" not in roi.by_role),
}


@pytest.mark.parametrize("change", CHANGES)
def test_figures_asked_for_after_a_change_show_it(client, booth, change):
    make, shows = CHANGES[change]
    (before,) = roi_for([booth])
    assert not shows(before)
    make(client, booth)
    (after,) = roi_for([booth])
    assert shows(after), change


def test_an_unknown_badge_discarded_then_put_back(booth):
    unknown = _unknown_scan(booth)
    assert roi_for([booth])[0].total.scans == 6
    scan_discard(scan=unknown, by=None)
    assert roi_for([booth])[0].total.scans == 5
    scan_restore(scan=unknown)
    assert roi_for([booth])[0].total.scans == 6


def test_figures_computed_while_an_input_changed_are_never_served(booth):
    calls = []

    def compute(ids):
        calls.append(ids)
        figures = {pk: len(calls) for pk in ids}
        if len(calls) == 1:  # a scan commits while the first reader computes
            freshness.figures_changed([booth.pk])
        return figures

    assert freshness.remembered({booth.pk: "AB"}, compute) == {booth.pk: 1}
    assert freshness.remembered({booth.pk: "AB"}, compute) == {booth.pk: 2}
    assert freshness.remembered({booth.pk: "AB"}, compute) == {booth.pk: 2}  # kept from here on


def test_one_booths_change_leaves_the_other_booths_figures_cached(booth):
    other = f.SponsorshipFactory(sponsor=booth.sponsor)
    roi_for([booth, other])
    f.CostLineFactory(sponsorship=other, amount=Decimal("10.00"), currency="EUR")
    computed = []
    figures = freshness.remembered(
        {booth.pk: "AB", other.pk: "AB"}, lambda ids: computed.extend(ids) or dict.fromkeys(ids, None)
    )
    assert computed == [other.pk] and figures[booth.pk] is not None


def test_an_unreachable_cache_still_shows_the_figures(client, booth, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    client.force_login(booth.manager.user)
    response = client.get(reverse("sponsorship-roi", args=[booth.pk]))
    assert response.status_code == 200
    assert "1,450.00 EUR" in response.content.decode()


def test_the_roi_page_after_a_follow_up_changes_in_the_app(client, booth):
    client.force_login(booth.manager.user)
    url = reverse("sponsorship-roi", args=[booth.pk])
    assert "2,000.00 EUR" in client.get(url).content.decode()  # won so far: Lou
    follow_up = FollowUp.objects.get(lead=_lead(booth, "Li"))
    followup_change(follow_up=follow_up, by=booth.manager.user, status="won")
    assert "11,000.00 EUR" in client.get(url).content.decode()  # Li's 9,000 won too


def test_a_cost_line_moved_to_another_booth_changes_both(booth):
    other = f.SponsorshipFactory(sponsor=booth.sponsor)
    line = f.CostLineFactory(sponsorship=booth, amount=Decimal("50.00"), currency="EUR")
    before, _ = roi_for([booth, other])
    assert before.cost == Decimal("1500.00")
    line.sponsorship = other
    line.save()  # as the admin does
    moved_from, moved_to = roi_for([booth, other])
    assert (moved_from.cost, moved_to.cost) == (Decimal("1450.00"), Decimal("50.00"))
