"""Scoring leads under the sponsor's ICP: on every scan, on publish (in chunks), and by the sweep."""

import json
import uuid

import pytest
from django.utils import timezone

from tests import factories as f
from tracker.models import Lead, LeadScore, RescoreJob, Scan
from tracker.scoring import jobs
from tracker.scoring.service import leads_score, scores_sweep, stale_leads
from tracker.scoring.versions import icp_new_draft, icp_publish

pytestmark = pytest.mark.django_db


def criterion(icp, **fields):
    return f.IcpCriterionFactory(icp=icp, **fields)


@pytest.fixture
def sponsor_setup():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud", sponsor__domain="alphacloud.example")
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor, level="manager")
    staff.sponsorships.add(sponsorship)
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, version=1, grade_a_min=60, grade_b_min=35, grade_c_min=15)
    criterion(
        icp,
        part="fit",
        field="seniority",
        kind="in_set",
        label="VP-level title",
        values=["vp", "c_level"],
        weight=30,
    )
    criterion(
        icp, part="engagement", field="rating", kind="in_set", label="Rated hot", values=["hot"], weight=40
    )
    criterion(
        icp,
        part="engagement",
        field="notes",
        kind="keyword",
        label="Budget mentioned",
        values=["budget"],
        weight=10,
    )
    criterion(
        icp, part="negative", field="email_domain", kind="list_match", label="Competitor",
        values=["rivalmesh.example"], weight=0, action="exclude",
    )  # fmt: skip
    icp.status, icp.published_at = "published", timezone.now()
    icp.save()
    return sponsorship, staff, icp


def lead_with(sponsorship, *, title, email, rating="", notes=""):
    lead = f.LeadFactory(sponsorship=sponsorship, attendee__title=title, attendee__email=email)
    f.ScanFactory(lead=lead, rating=rating, notes=notes)
    return lead


def test_a_lead_gets_a_score_grade_and_reasons_that_add_up(sponsor_setup):
    sponsorship, _, icp = sponsor_setup
    vp = lead_with(
        sponsorship, title="VP Eng", email="ana@corp.example", rating="hot", notes="Has budget for Q3"
    )
    no_budget = lead_with(
        sponsorship, title="Sr. SRE", email="li@corp.example", rating="hot", notes="no budget this year"
    )
    rival = lead_with(sponsorship, title="CTO", email="bob@rivalmesh.example", rating="hot")

    assert leads_score([vp.pk, no_budget.pk, rival.pk], icp) == 3

    top = LeadScore.objects.get(lead=vp)
    assert (top.score, top.grade, top.icp) == (80, "A", icp)
    assert sum(r["points"] for r in top.reasons) == top.score
    assert [(r["points"], r["reason"]) for r in top.reasons] == [
        (40, "Rated hot (rating Hot)"),
        (30, "VP-level title (seniority VP)"),
        (10, 'Budget mentioned (notes "budget")'),
    ]
    assert LeadScore.objects.get(lead=no_budget).score == 40  # "no budget" is not a budget signal
    excluded = LeadScore.objects.get(lead=rival)
    assert excluded.excluded and excluded.grade == "D"


def test_a_scan_through_the_api_scores_its_lead(sponsor_setup, client, django_capture_on_commit_callbacks):
    sponsorship, staff, icp = sponsor_setup
    f.AttendeeFactory(
        event=sponsorship.event, badge_id="KC-1", title="Head of Platform", email="x@corp.example"
    )
    client.force_login(staff.user)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "sponsorship": sponsorship.pk,
        "raw_payload": "KC-1",
        "rating": "hot",
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/scans/", json.dumps(body), content_type="application/json")

    score = LeadScore.objects.get(lead__attendee__badge_id="KC-1")
    assert (score.score, score.grade, score.icp) == (40, "B", icp)  # Head of = director: not VP-level


def test_publishing_a_new_version_rescores_every_lead_in_chunks(
    sponsor_setup, settings, django_capture_on_commit_callbacks
):
    sponsorship, staff, icp = sponsor_setup
    settings.SCORING_CHUNK = 3
    leads = [
        lead_with(sponsorship, title="Platform Engineer", email=f"p{i}@corp.example", rating="warm")
        for i in range(7)
    ]
    leads_score([lead.pk for lead in leads], icp)
    draft = icp_new_draft(sponsor_id=sponsorship.sponsor_id)
    assert draft.version == 2 and draft.criteria.count() == 4
    criterion(
        draft,
        part="engagement",
        field="rating",
        kind="in_set",
        label="Rated warm",
        values=["warm"],
        weight=20,
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = icp_publish(icp=draft, by=staff.user)

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 7, 7, 100)
    assert set(LeadScore.objects.values_list("icp__version", "score")) == {(2, 20)}
    icp.refresh_from_db()
    assert icp.status == "superseded"
    assert not stale_leads(sponsorship.sponsor_id).exists()


def test_a_chunk_that_finds_its_version_superseded_stops(sponsor_setup, django_capture_on_commit_callbacks):
    sponsorship, staff, icp = sponsor_setup
    lead_with(sponsorship, title="CTO", email="c@corp.example")
    first = icp_new_draft(sponsor_id=sponsorship.sponsor_id)
    with django_capture_on_commit_callbacks(execute=False):  # its first chunk does not run yet
        job = icp_publish(icp=first, by=staff.user)
    second = icp_new_draft(sponsor_id=sponsorship.sponsor_id)
    with django_capture_on_commit_callbacks(execute=True):
        icp_publish(icp=second, by=staff.user)

    assert jobs.rescore_chunk_run(job.pk, 0) == 0  # the late first chunk runs now: stopped
    job.refresh_from_db()
    assert job.status == "superseded"
    assert set(LeadScore.objects.values_list("icp__version", flat=True)) == {second.version}


def test_a_chunk_is_all_or_nothing_and_a_rerun_completes_it(sponsor_setup, monkeypatch):
    sponsorship, staff, icp = sponsor_setup
    for i in range(5):
        lead_with(sponsorship, title="VP Sales", email=f"v{i}@corp.example")
    job = RescoreJob.objects.create(icp=icp, total=5)
    real = jobs.RescoreJob.objects.filter

    class WorkerKilled(Exception):
        pass

    def dies_before_advancing(*args, **kwargs):
        if "cursor" in kwargs:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs.RescoreJob.objects, "filter", dies_before_advancing)
    with pytest.raises(WorkerKilled):
        jobs.rescore_chunk_run(job.pk, 0)
    assert not LeadScore.objects.exists()  # nothing half-done

    monkeypatch.undo()
    assert jobs.rescore_chunk_run(job.pk, 0) == 5
    assert jobs.rescore_chunk_run(job.pk, 0) == 0  # a redelivered message is a no-op
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 5)


def test_the_sweep_scores_what_nothing_else_did(sponsor_setup):
    sponsorship, _, icp = sponsor_setup
    lead = lead_with(sponsorship, title="CISO", email="s@corp.example", rating="cold")
    other_sponsor_lead = f.LeadFactory()  # a sponsor without an ICP: nothing to score against

    assert scores_sweep() == 1
    assert LeadScore.objects.get(lead=lead).icp == icp
    assert not LeadScore.objects.filter(lead=other_sponsor_lead).exists()
    assert scores_sweep() == 0


def test_leads_of_another_sponsor_are_never_scored_under_this_icp(sponsor_setup):
    _, _, icp = sponsor_setup
    foreign = f.LeadFactory()
    assert leads_score([foreign.pk], icp) == 0
    assert not LeadScore.objects.exists()
    assert Lead.objects.count() == 1 and Scan.objects.count() == 0
