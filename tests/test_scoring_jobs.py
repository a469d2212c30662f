"""Rescoring jobs chunk by chunk: which leads a chunk takes, and what the job row records."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from tracker.models import LeadScore, RescoreJob
from tracker.scoring import jobs
from tracker.scoring.service import leads_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def icp():
    icp = f.IcpFactory(version=1, status="published", published_at=timezone.now())
    f.IcpCriterionFactory(icp=icp, field="seniority", values=["vp"], weight=30)
    return icp


def test_a_job_takes_the_leads_of_every_sponsorship_of_its_sponsor_in_id_order_and_no_others(icp, settings):
    settings.SCORING_CHUNK = 2
    spring, autumn = f.SponsorshipFactory.create_batch(2, sponsor=icp.sponsor)
    elsewhere = f.SponsorshipFactory()
    ours = []
    for sponsorship in (spring, elsewhere, autumn, spring, elsewhere, autumn):  # ids interleaved
        lead = f.LeadFactory(sponsorship=sponsorship)
        if sponsorship != elsewhere:
            ours.append(lead.pk)
    job = RescoreJob.objects.create(icp=icp, total=4)

    assert jobs.rescore_chunk_run(job.pk, 0) == 2
    job.refresh_from_db()
    assert (job.cursor, job.done) == (ours[1], 2)
    assert jobs.rescore_chunk_run(job.pk, job.cursor) == 2
    assert jobs.rescore_chunk_run(job.pk, ours[3]) == 0  # nothing left: this chunk finishes the job

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 4, 4, 100)
    assert sorted(LeadScore.objects.values_list("lead_id", flat=True)) == ours


def test_leads_added_while_a_job_runs_raise_its_total_rather_than_break_it(icp, settings):
    settings.SCORING_CHUNK = 10
    sponsorship = f.SponsorshipFactory(sponsor=icp.sponsor)
    f.LeadFactory.create_batch(3, sponsorship=sponsorship)
    job = RescoreJob.objects.create(icp=icp, total=2)  # two leads when it was published, one scanned since

    assert jobs.rescore_chunk_run(job.pk, 0) == 3

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)


def test_a_job_making_progress_is_not_taken_for_stalled(icp, settings, django_capture_on_commit_callbacks):
    settings.SCORING_CHUNK = 1
    sponsorship = f.SponsorshipFactory(sponsor=icp.sponsor)
    f.LeadFactory.create_batch(3, sponsorship=sponsorship)
    job = RescoreJob.objects.create(icp=icp, total=3)
    RescoreJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - 2 * jobs.STALLED_AFTER)

    jobs.rescore_chunk_run(job.pk, 0)  # a long job: started long ago, its latest chunk just now

    assert jobs.rescore_resume_stalled() == 0
    RescoreJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process: each chunk queues the next
        assert jobs.rescore_resume_stalled() == 1  # no chunk for an hour: resumed, and run to the end
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 3)


def test_a_chunk_costs_the_same_queries_however_many_leads_it_scores(icp, settings):
    settings.SCORING_CHUNK = 50
    sponsorship = f.SponsorshipFactory(sponsor=icp.sponsor)
    f.LeadFactory.create_batch(2, sponsorship=sponsorship)
    small = RescoreJob.objects.create(icp=icp, total=2)
    jobs.rescore_chunk_run(small.pk, 0)  # the scorer is compiled once per process: not counted below
    LeadScore.objects.all().delete()
    with CaptureQueriesContext(connection) as two:
        jobs.rescore_chunk_run(RescoreJob.objects.create(icp=icp, total=2).pk, 0)
    for lead in f.LeadFactory.create_batch(40, sponsorship=sponsorship):
        f.ScanFactory(lead=lead)
    LeadScore.objects.all().delete()
    with CaptureQueriesContext(connection) as forty_two:
        assert jobs.rescore_chunk_run(RescoreJob.objects.create(icp=icp, total=42).pk, 0) == 42

    assert len(forty_two) == len(two)


def test_leads_of_other_sponsors_in_a_mixed_list_are_left_out(icp):
    sponsorship = f.SponsorshipFactory(sponsor=icp.sponsor)
    own = f.LeadFactory.create_batch(2, sponsorship=sponsorship)
    foreign = f.LeadFactory()

    assert leads_score([own[0].pk, foreign.pk, own[1].pk], icp) == 2

    assert sorted(LeadScore.objects.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in own)


def test_a_redelivered_chunk_that_finds_its_work_done_queues_a_check_of_the_chain(icp, settings, monkeypatch):
    """A worker killed between a chunk's commit and the next chunk's enqueue must not strand the job."""
    from tracker.celery import app

    settings.SCORING_CHUNK = 2
    sponsorship = f.SponsorshipFactory(sponsor=icp.sponsor)
    f.LeadFactory.create_batch(5, sponsorship=sponsorship)
    job = RescoreJob.objects.create(icp=icp, total=5)
    sent = []
    monkeypatch.setattr(
        jobs, "_enqueue", lambda job_id, after_id, countdown=None: sent.append((after_id, countdown))
    )
    monkeypatch.setattr(app.conf, "task_always_eager", False)

    assert jobs.rescore_chunk_run(job.pk, 0) == 2  # commits; suppose its next-chunk message was lost
    cursor = RescoreJob.objects.get(pk=job.pk).cursor
    assert jobs.rescore_chunk_run(job.pk, 0) == 0  # the redelivered message: nothing to redo
    assert sent == [(cursor, jobs.CHAIN_CHECK_AFTER)]
    assert jobs.rescore_chunk_run(job.pk, cursor) == 2  # the check finds the chain stopped and carries on
