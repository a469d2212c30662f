"""Running exports: start one (logged), write its file with progress, hand it over, and clean up."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from tracker.exports.base import write_csv, write_xlsx
from tracker.exports.kinds import KINDS
from tracker.exports.reader import forked_reading
from tracker.models import ExportLog, Lead
from tracker.models.exports import ExportStatus
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.retries import RETRY_TRANSIENT
from tracker.tenancy import access_for


def export_start(*, user, kind: str, file_format: str, params: dict, description: str = "") -> ExportLog:
    """Check the user may run this export on this scope and log it as queued (raises Http404/PermissionDenied)."""
    spec = KINDS.get(kind)
    if spec is None or file_format not in spec.formats:
        raise PermissionDenied(f"There is no {kind} export in {file_format}.")
    access = access_for(user)
    if spec.managers_only and not (access.everything or access.is_manager):
        raise PermissionDenied("Only managers run this export.")
    built = spec.build(user, params)  # resolves the scope now: another sponsor's booth is a 404 here
    job = ExportLog.objects.create(
        user=user,
        sponsor_id=built.sponsor_id,
        kind=kind,
        file_format=file_format,
        params=params,
        description=(description or (f"{spec.label}: {built.scope}" if built.scope else spec.label))[:300],
        name=built.name,
        progress_total=None,
    )
    audit(AuditAction.EXPORT, user=user, sponsor_id=built.sponsor_id, summary=f"Exported {job.description}",
          export=job.pk, kind=kind, file_format=file_format)  # fmt: skip
    return job


def _progress(job_id: int):
    def report(done: int, total: int | None) -> None:
        fields = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        ExportLog.objects.filter(pk=job_id).update(**fields)

    return report


def export_run(job_id: int) -> ExportLog:
    """Write the export's file (idempotent: a finished export is left as it is) and record what it holds."""
    job = ExportLog.objects.select_related("user").get(pk=job_id)
    if job.status in (ExportStatus.DONE, ExportStatus.EXPIRED):
        return job
    ExportLog.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_done=0, error="")
    try:
        built = KINDS[job.kind].build(job.user, job.params)
        with tempfile.TemporaryFile() as handle:
            if job.file_format == "csv":
                text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
                rows = write_csv(built.export, text, _progress(job.pk))
                text.flush()
                text.detach()
            else:
                rows = write_xlsx(built.export, handle, _progress(job.pk))
            handle.seek(0)
            job.file.save(job.filename, File(handle), save=False)
    except Exception as error:
        ExportLog.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:300],
            finished_at=timezone.now(),
        )
        raise
    now = timezone.now()
    lead_ids = built.lead_ids()
    if Lead.objects.filter(pk__in=lead_ids, erased_at__gte=job.created_at).exists():
        # A person in the file was erased while it was being written: the file goes, as the erasure's would.
        job.file.delete(save=False)
        ExportLog.objects.filter(pk=job.pk).update(
            status=ExportStatus.EXPIRED, finished_at=now, error="Deleted: it held a person who was erased."
        )
        job.refresh_from_db()
        return job
    job.status, job.finished_at = ExportStatus.DONE, now
    job.expires_at = now + timedelta(hours=settings.EXPORT_TTL_HOURS)
    job.row_count, job.lead_ids, job.consent_note = rows, lead_ids, built.consent_note()[:200]
    job.progress_done = job.progress_total = rows
    job.save()
    return job


def export_enqueue(job_id: int) -> None:
    """Send the export to a worker; if the broker is unreachable, say so on the export rather than hang."""
    try:
        run_export.delay(job_id)
    except Exception as error:  # kombu raises several kinds when Redis is down
        ExportLog.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED,
            error=f"Could not start: the task queue is unavailable ({type(error).__name__}); try again.",
            finished_at=timezone.now(),
        )


# A queued export no worker picked up (a lost message) is sent again after this; a running one that
# outlived the task's hard time limit died with its worker.
REQUEUE_AFTER = timedelta(minutes=10)
RUNNING_AT_MOST = timedelta(minutes=35)


def exports_clean_up(now: datetime | None = None) -> int:
    """Delete the files of expired exports (the log entries stay), resend lost ones, fail dead ones."""
    now = now or timezone.now()
    for job_id in ExportLog.objects.filter(
        status=ExportStatus.QUEUED, created_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", flat=True):
        export_enqueue(job_id)
    ExportLog.objects.filter(status=ExportStatus.RUNNING, created_at__lt=now - RUNNING_AT_MOST).update(
        status=ExportStatus.FAILED, error="The worker writing it stopped; run it again.", finished_at=now
    )
    cleaned = 0
    for job in ExportLog.objects.filter(status=ExportStatus.DONE, expires_at__lte=now):
        with transaction.atomic():
            if job.file:
                job.file.delete(save=False)
            job.status = ExportStatus.EXPIRED
            job.save(update_fields=["file", "status"])
        cleaned += 1
    return cleaned


@shared_task(name="tracker.run_export", soft_time_limit=1800, time_limit=1900, **RETRY_TRANSIENT)
def run_export(job_id: int) -> int:
    """Write one export's file, reporting progress on its log entry (its next chunk read ahead by a
    forked reader: a worker's task is the one place that may fork)."""
    with forked_reading():
        return export_run(job_id).row_count


@shared_task(name="tracker.clean_up_exports")
def clean_up_exports() -> int:
    """Periodic: delete expired export files."""
    return exports_clean_up()
