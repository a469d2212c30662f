"""Rescoring a sponsor's leads after an ICP is published: id-ordered chunks, one task each, in turn.

Each chunk scores up to ``SCORING_CHUNK`` leads after the job's cursor and advances the cursor in the same
transaction, so a chunk is all or nothing: a worker killed mid-chunk leaves no lead half-done, and
the redelivered task (acks late, rejected on worker loss) simply does it again. A chunk that finds
its ICP version superseded stops the job. A beat sweep resumes jobs whose chain was broken.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from tracker.drivercursors import among
from tracker.models import IdealCustomerProfile, Lead, RescoreJob, Sponsorship
from tracker.models.choices import IcpStatus
from tracker.retries import RETRY_TRANSIENT
from tracker.scoring.service import leads_score, scores_sweep

STALLED_AFTER = timedelta(minutes=5)
# A redelivered chunk that finds its work done cannot tell whether its successor was queued: a worker
# killed between the chunk's commit and the next chunk's enqueue leaves none. It queues a check of the
# job's cursor this much later, which carries on from there if nothing moved meanwhile.
CHAIN_CHECK_AFTER = 10


def _enqueue(job_id: int, after_id: int, countdown: int | None = None) -> None:
    rescore_chunk.apply_async((job_id, after_id), countdown=countdown)


def rescore_start(icp: IdealCustomerProfile) -> RescoreJob:
    """Create the job for a just-published version and queue its first chunk after commit."""
    total = Lead.objects.filter(sponsorship__sponsor_id=icp.sponsor_id).count()
    job = RescoreJob.objects.create(icp=icp, total=total)
    if total == 0:
        RescoreJob.objects.filter(pk=job.pk).update(status=RescoreJob.Status.DONE, finished_at=timezone.now())
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job.pk, 0), robust=True)
    return job


def _chunk_ids(sponsor_id: int, after_id: int, limit: int) -> list[int]:
    """The ids of the sponsor's next ``limit`` leads after ``after_id``, in id order.

    The sponsor's sponsorships are read first and named as values: joined in the same query, PostgreSQL
    hashed the join over every lead after the cursor and sorted them for the first ``limit``, a cost that
    grew with the leads left (quadratic over a job); with the values it walks the primary key and stops.
    """
    sponsorships = list(
        Sponsorship.objects.filter(sponsor_id=sponsor_id).order_by().values_list("pk", flat=True)
    )
    if not sponsorships:
        return []
    return list(
        Lead.objects.filter(among(Lead, "sponsorship_id", sponsorships), pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def rescore_chunk_run(job_id: int, after_id: int) -> int:
    """Score the next chunk of the job's leads after ``after_id``; returns how many were scored."""
    job = RescoreJob.objects.select_related("icp").get(pk=job_id)
    if job.status != RescoreJob.Status.RUNNING:
        return 0  # finished or superseded
    if job.cursor != after_id:  # this chunk was already done (a redelivered message, or a check)
        if job.cursor > after_id and not rescore_chunk.app.conf.task_always_eager:
            _enqueue(job.pk, job.cursor, countdown=CHAIN_CHECK_AFTER)
        return 0
    if job.icp.status != IcpStatus.PUBLISHED:
        RescoreJob.objects.filter(pk=job.pk).update(
            status=RescoreJob.Status.SUPERSEDED, finished_at=timezone.now()
        )
        return 0
    chunk = settings.SCORING_CHUNK
    ids = _chunk_ids(job.icp.sponsor_id, after_id, chunk)
    with transaction.atomic():
        scored = leads_score(ids, job.icp, rescoring=True) if ids else 0
        last = ids[-1] if ids else after_id
        finished = len(ids) < chunk
        now = timezone.now()
        changes = {
            "cursor": last,
            "done": F("done") + len(ids),
            # Leads added while rescoring may push ``done`` past ``total``: keep the bar honest.
            "total": Greatest(F("total"), F("done") + len(ids)),
            "updated_at": now,  # update() skips auto_now; the stalled-job sweep goes by it
        }
        if finished:
            changes |= {"status": RescoreJob.Status.DONE, "finished_at": now}
        advanced = RescoreJob.objects.filter(
            pk=job.pk, cursor=after_id, status=RescoreJob.Status.RUNNING
        ).update(**changes)
        if not advanced:  # a parallel run of the same chunk won; undo ours
            transaction.set_rollback(True)
            return 0
        if not finished:
            transaction.on_commit(lambda: _enqueue(job.pk, last), robust=True)
    return scored


def rescore_resume_stalled() -> int:
    """Requeue running jobs that made no progress for a while (their next message was lost)."""
    stalled = RescoreJob.objects.filter(
        status=RescoreJob.Status.RUNNING, updated_at__lt=timezone.now() - STALLED_AFTER
    )
    count = 0
    for job_id, cursor in stalled.values_list("pk", "cursor"):
        _enqueue(job_id, cursor)
        count += 1
    return count


@shared_task(name="tracker.rescore_chunk", **RETRY_TRANSIENT)
def rescore_chunk(job_id: int, after_id: int) -> int:
    """One chunk of rescoring after an ICP was published."""
    return rescore_chunk_run(job_id, after_id)


@shared_task(name="tracker.sweep_scores")
def sweep_scores() -> dict:
    """Periodic safety net: resume stalled rescoring jobs, score unscored or outdated leads."""
    return {"resumed_jobs": rescore_resume_stalled(), "scored": scores_sweep()}
