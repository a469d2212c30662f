"""The exports page: start a workbook or CSV, watch its progress, download it while it lasts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.exports.kinds import KINDS, LEAD_EXPORTS, ScopeUnclear, selected_leads
from tracker.exports.service import export_enqueue, export_run, export_start
from tracker.models import Event, ExportLog, Lead, Sponsor, Sponsorship
from tracker.models.exports import ExportStatus
from tracker.tenancy import access_for, get_scoped_or_404, managed, parse_id, scoped
from tracker.views.shell import redirect_back

RECENT = 30
PARAMS = ("sponsorship", "sponsor", "event", "compare_event", "filters")


def export_begin(
    request: HttpRequest, *, kind: str, file_format: str, params: dict, description: str = ""
) -> HttpResponse:
    """Start an export: small ones are written now and downloaded at once, large ones go to a worker."""
    try:
        job = export_start(
            user=request.user, kind=kind, file_format=file_format, params=params, description=description
        )
    except ScopeUnclear as unclear:
        messages.error(request, str(unclear))
        return redirect_back(request, reverse("exports"))
    if _small(request.user, kind, params):
        job = export_run(job.pk)
        note = f" {job.consent_note}." if job.consent_note else ""
        messages.success(request, f"{job.description}: {job.row_count:,} rows, downloading now.{note}")
        # The exports page starts the download and keeps saying what the file holds.
        return redirect(reverse("exports") + f"?download={job.pk}#export-{job.pk}")
    transaction.on_commit(lambda: export_enqueue(job.pk), robust=True)
    messages.info(request, f"{KINDS[kind].label} is being written; it appears below when ready.")
    return redirect(reverse("exports") + f"#export-{job.pk}")


def _small(user, kind: str, params: dict) -> bool:
    if kind in ("event-roi", "sponsor-landscape"):
        return True
    if kind == "devrel-review":  # one booth's leads
        leads = scoped(Lead, user).filter(sponsorship_id=parse_id(params.get("sponsorship")))
    else:
        leads, _ = selected_leads(user, params)
    return leads.count() <= settings.EXPORT_INLINE_ROWS


@login_required
def exports_page(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    jobs = list(scoped(ExportLog, request.user).select_related("sponsor", "user")[:RECENT])
    download = parse_id(request.GET.get("download"))  # the one just written, to start downloading
    booths = list(
        scoped(Sponsorship, request.user).select_related("sponsor", "event").order_by("-event__start_date")
    )
    context = {
        "jobs": jobs,
        "download_now": next((job.pk for job in jobs if job.pk == download and job.downloadable), None),
        "kinds": KINDS,
        "booths": booths,
        "one_sponsor": len({booth.sponsor_id for booth in booths}) <= 1,  # a booth is named by its event
        "managed_booths": managed(Sponsorship, request.user)
        .select_related("sponsor", "event")
        .order_by("-event__start_date"),
        "managed_sponsors": managed(Sponsor, request.user),
        "events": scoped(Event, request.user).order_by("-start_date"),
        "can_manage": access.everything or access.is_manager,
    }
    return render(request, "tracker/exports.html", context)


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    """Start the export the form asked for, on the scope it named."""
    kind = request.POST.get("kind", "")
    file_format = request.POST.get("file_format", "")
    if request.POST.get("export") in LEAD_EXPORTS:  # the lead lists' one menu: kind and format together
        kind, file_format, _ = LEAD_EXPORTS[request.POST["export"]]
    if kind in KINDS and not file_format:
        file_format = KINDS[kind].formats[0]
    if kind in KINDS and file_format not in KINDS[kind].formats:  # said, never swapped for another format
        formats = " or ".join(f.upper() for f in KINDS[kind].formats)
        messages.error(request, f"{KINDS[kind].label} come as {formats} only: nothing was exported.")
        return redirect_back(request, reverse("exports"))
    params = {name: request.POST[name] for name in PARAMS if request.POST.get(name)}
    return export_begin(request, kind=kind, file_format=file_format, params=params)


@login_required
def export_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_scoped_or_404(ExportLog, request.user, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "percent": job.percent,
            "done": job.progress_done,
            "total": job.progress_total,
            "rows": job.row_count,
            "error": job.error,
            "download": reverse("export-download", args=[job.pk]) if job.downloadable else None,
        }
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, to users of the export's sponsor only, until it expires (then 410: run it again)."""
    job = get_scoped_or_404(ExportLog, request.user, pk=pk)
    if not job.downloadable:
        status = 410 if job.status in (ExportStatus.DONE, ExportStatus.EXPIRED) else 409
        return render(request, "tracker/export_gone.html", {"job": job}, status=status)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
