"""Imports in the app: upload a lead file or an attendee list, map its columns (guessed, or a saved
preset), see the dry run, import with a progress bar, read the report and fetch the rejected rows.

Lead files go into a sponsorship its managers manage; attendee lists are operators'. Another sponsor's
import is a 404, as everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tracker.imports.columns import ATTENDEES, LEADS, LEFT_OUT, fields_of
from tracker.imports.jobs import MappingError, job_map, job_start
from tracker.imports.mapping import question_fields, suggested
from tracker.imports.reading import UnreadableFile
from tracker.imports.service import local_path, open_table, rejected_name
from tracker.imports.values import DATE_ORDERS, text
from tracker.models import Event, ImportJob, Sponsorship
from tracker.models.imports import ImportStatus
from tracker.tenancy import access_for, get_managed_or_404, get_scoped_or_404, managed, scoped

RECENT = 30
BUSY = (ImportStatus.CHECKING, ImportStatus.RUNNING)


def _jobs(user):
    return scoped(ImportJob, user).select_related("sponsorship__sponsor", "event", "user", "preset")


@login_required
def imports_page(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.everything or access.is_manager):
        raise PermissionDenied("Imports are for a sponsor's managers.")
    booths = list(
        managed(Sponsorship, request.user).select_related("sponsor", "event").order_by("-event__start_date")
    )
    context = {
        "jobs": list(_jobs(request.user)[:RECENT]),
        "booths": booths,
        "one_sponsor": len({booth.sponsor_id for booth in booths}) <= 1,  # a booth is named by its event
        "events": Event.objects.order_by("-start_date") if access.everything else Event.objects.none(),
        "max_megabytes": settings.IMPORT_MAX_MEGABYTES,
    }
    return render(request, "tracker/imports.html", context)


@login_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    """Keep the uploaded file, read its header and guess (or recall) its mapping."""
    kind = request.POST.get("kind")
    if kind == LEADS:
        sponsorship = get_managed_or_404(Sponsorship.objects.select_related("event", "sponsor"), request.user,
                                         request.POST.get("sponsorship"))  # fmt: skip
        job = ImportJob(kind=kind, sponsorship=sponsorship, event=sponsorship.event)
    elif kind == ATTENDEES and access_for(request.user).everything:
        job = ImportJob(kind=kind, event=get_scoped_or_404(Event, request.user, request.POST.get("event")))
    else:
        raise Http404("No such import.")
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        messages.error(request, "Choose a file (CSV or XLSX) to import: nothing was uploaded.")
        return redirect("imports")
    if upload.size > settings.IMPORT_MAX_MEGABYTES * 1024 * 1024:
        messages.error(request, f"{upload.name} is larger than {settings.IMPORT_MAX_MEGABYTES} MB: split it.")
        return redirect("imports")
    job.user, job.file_name = request.user, upload.name[:200]
    job.file.save(upload.name, upload, save=False)
    try:
        with local_path(job.file) as path:
            table = open_table(path)
        job.mapping, job.date_order, job.preset = suggested(table, kind, job.sponsor_id, job.sponsorship_id)
        job.encoding, job.encoding_guessed = table.encoding, table.encoding_detected
    except UnreadableFile as error:
        job.status, job.error = ImportStatus.FAILED, str(error)[:300]
    job.save()
    if job.status == ImportStatus.FAILED:
        messages.error(request, f"{job.file_name}: {job.error}")
    elif job.preset:
        messages.info(request, f"Mapped as {job.preset.name}, the preset for files with these columns.")
    return redirect("import-job", pk=job.pk)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's page: its mapping and dry run, its progress, then its report."""
    job = get_scoped_or_404(_jobs(request.user), request.user, pk)
    context = {"job": job, "busy": job.status in BUSY, "date_orders": DATE_ORDERS, "fields": fields_of(job.kind, question_fields(job.sponsorship_id)),
               "left_out": LEFT_OUT}  # fmt: skip
    if job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        try:
            with local_path(job.file) as path:
                table = open_table(path, job.encoding)
        except UnreadableFile as error:
            messages.error(request, str(error))
            table = None
        if table is not None:
            context["table"] = table
            context["columns"] = [
                {"index": i, "header": header or f"Column {i + 1}", "field": job.mapping[i] if i < len(job.mapping) else "",
                 "samples": [value for row in table.samples if i < len(row) and (value := text(row[i]))]}
                for i, header in enumerate(table.headers)
            ]  # fmt: skip
    return render(request, "tracker/import_job.html", context)


@login_required
@require_POST
def import_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the mapping from the form (and save it as a preset if named), then start the dry run."""
    job = get_scoped_or_404(_jobs(request.user), request.user, pk)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        messages.error(request, "This import has already run.")
        return redirect("import-job", pk=job.pk)
    encoding = request.POST.get("encoding", "").strip()[:40]
    try:
        with local_path(job.file) as path:
            table = open_table(path, encoding or job.encoding)
    except UnreadableFile as error:
        messages.error(request, str(error))
        return redirect("import-job", pk=job.pk)
    mapping = [request.POST.get(f"column-{index}", "") for index in range(len(table.headers))]
    date_order = request.POST.get("date_order", "")
    try:
        job_map(job, mapping=mapping, date_order=date_order if date_order in DATE_ORDERS else "",
                headers=table.headers, preset_name=request.POST.get("preset_name", "").strip())  # fmt: skip
    except MappingError as error:
        messages.error(request, str(error))  # nothing kept, the encoding neither: the last dry run stands
        return redirect("import-job", pk=job.pk)
    if encoding:  # as chosen (or confirmed) by the user, with the mapping the dry run below reads it by
        job.encoding, job.encoding_guessed = encoding, False
        job.save(update_fields=["encoding", "encoding_guessed"])
    if not job_start(job, dry_run=True):
        messages.error(request, "This import is already running.")
    return redirect("import-job", pk=job.pk)


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Import what the dry run showed."""
    job = get_scoped_or_404(_jobs(request.user), request.user, pk)
    if not job_start(job, dry_run=False):
        messages.error(request, "Run the dry run first: the import goes as it showed (and runs once).")
    return redirect("import-job", pk=job.pk)


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_scoped_or_404(ImportJob, request.user, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.progress_done,
                         "total": job.progress_total if job.status == ImportStatus.RUNNING else None,
                         "busy": job.status in BUSY, "error": job.error})  # fmt: skip


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows, in the file's columns with the reason: to fix and import again."""
    job = get_scoped_or_404(ImportJob, request.user, pk)
    if not job.rejected_file:
        raise Http404("No rejected rows.")
    return FileResponse(job.rejected_file.open("rb"), as_attachment=True, filename=rejected_name(job))
