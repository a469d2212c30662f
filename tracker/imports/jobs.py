"""An import's life: uploaded, mapped, checked (the dry run), imported; the dry run and the import run as
Celery tasks that store their progress on the job, which the page polls."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from tracker.imports.columns import header_key, mapping_problems
from tracker.imports.mapping import question_fields
from tracker.imports.reading import UnreadableFile
from tracker.imports.service import run
from tracker.models import ImportJob, ImportPreset
from tracker.models.imports import ImportStatus
from tracker.retries import RETRY_TRANSIENT

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5000  # rows between two progress writes


class MappingError(ValueError):
    """The mapping cannot be used; the message lists why, for the user."""


def job_map(job: ImportJob, *, mapping: list[str], date_order: str, headers: list[str],
            preset_name: str = "") -> None:  # fmt: skip
    """Set the job's mapping (and save it as a preset of the job's sponsor when named)."""
    problems = mapping_problems(mapping, job.kind, question_fields(job.sponsorship_id))
    if len(mapping) != len(headers):
        problems.append("The mapping does not cover the file's columns.")
    if problems:
        raise MappingError(" ".join(problems))
    job.mapping, job.date_order = mapping, date_order
    if preset_name:
        job.preset, _ = ImportPreset.objects.update_or_create(
            sponsor_id=job.sponsor_id, kind=job.kind, name=preset_name[:80],
            defaults={"header_key": header_key(headers), "mapping": mapping, "date_order": date_order},
        )  # fmt: skip
    job.save(update_fields=["mapping", "date_order", "preset"])


def job_start(job: ImportJob, *, dry_run: bool) -> bool:
    """Queue the dry run (after an upload or a dry run) or the import (after a dry run), once: False if the
    job was not in a state to start it (a second click, another tab), and nothing is queued then."""
    allowed = (ImportStatus.UPLOADED, ImportStatus.CHECKED) if dry_run else (ImportStatus.CHECKED,)
    status = ImportStatus.CHECKING if dry_run else ImportStatus.RUNNING
    started = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
        status=status, progress_done=0, error="", finished_at=None
    )
    if started:
        job.status, job.progress_done, job.error, job.finished_at = status, 0, "", None
        transaction.on_commit(lambda: run_import.delay(job.pk, dry_run))
    return bool(started)


def job_run(job: ImportJob, *, dry_run: bool) -> ImportJob:
    """Check or import the whole file now, storing progress and the outcome on the job."""

    def progress(done: int) -> None:
        if done - progress.written >= PROGRESS_EVERY:
            ImportJob.objects.filter(pk=job.pk).update(progress_done=done)
            progress.written = done

    progress.written = 0
    try:
        tally = run(job, dry_run=dry_run, progress=progress)
    except Exception as error:  # the job says so, never stays "running" for ever
        if not isinstance(error, UnreadableFile):
            log.exception("Import %s failed", job.pk)
        message = str(error) if isinstance(error, UnreadableFile) else f"The import stopped: {error}"
        job.status, job.error = ImportStatus.FAILED, message[:300]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.progress_done = job.progress_total = tally.rows
    if dry_run:
        job.status, job.checked = ImportStatus.CHECKED, tally.as_json()
    else:
        job.status, job.outcome = ImportStatus.DONE, tally.as_json()
    job.finished_at = timezone.now()
    job.save()
    return job


@shared_task(name="tracker.run_import", soft_time_limit=1800, time_limit=1900, **RETRY_TRANSIENT)
def run_import(job_id: int, dry_run: bool) -> int:
    job = ImportJob.objects.select_related("event", "sponsorship__sponsor", "preset").get(pk=job_id)
    return job_run(job, dry_run=dry_run).progress_done
