"""A manager's ICP page: the current version, the draft being edited, a preview, publishing, progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tracker.lists.filters import search_attendee
from tracker.models import IdealCustomerProfile, Lead, Question, RescoreJob, Sponsor
from tracker.models.choices import CriterionField, IcpStatus
from tracker.scoring import vocabulary
from tracker.scoring.facts import leads_facts
from tracker.scoring.forms import CriterionFormSet, IcpForm, offered
from tracker.scoring.service import current_icp, scorer_for
from tracker.scoring.versions import icp_new_draft, icp_publish
from tracker.tenancy import get_managed_or_404, parse_id, scoped


def _sponsor(request: HttpRequest, pk: int) -> Sponsor:
    return get_managed_or_404(Sponsor, request.user, pk)


def _draft(sponsor: Sponsor) -> IdealCustomerProfile | None:
    return sponsor.icps.filter(status=IcpStatus.DRAFT).order_by("-version").first()


def _preview(sponsor: Sponsor, lead: Lead | None, icps: list[IdealCustomerProfile]) -> list[tuple]:
    """What ``lead`` scores under each given version, with reasons."""
    if lead is None:
        return []
    facts = leads_facts([lead.pk], sponsor.pk)[lead.pk]
    return [(icp, scorer_for(icp)(facts)) for icp in icps]


@login_required
def icp_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the draft's thresholds and criteria; the current version stays in force until publishing."""
    sponsor = _sponsor(request, pk)
    draft, current = _draft(sponsor), current_icp(sponsor.pk)
    form = IcpForm(instance=draft) if draft else None
    formset = (
        CriterionFormSet(instance=draft, prefix="criteria", form_kwargs={"sponsor": sponsor})
        if draft
        else None
    )
    if request.method == "POST" and draft:
        form = IcpForm(request.POST, instance=draft)
        formset = CriterionFormSet(
            request.POST, instance=draft, prefix="criteria", form_kwargs={"sponsor": sponsor}
        )
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                form.save()
                formset.save()
            messages.success(
                request, f"Draft v{draft.version} saved. It changes no score until you publish it."
            )
            return redirect("icp-editor", pk=sponsor.pk)
    leads = scoped(Lead, request.user).filter(sponsorship__sponsor=sponsor).select_related("attendee")
    lead_id, query = parse_id(request.GET.get("lead")), request.GET.get("q", "").strip()
    lead = None
    if query:  # any lead of the sponsor, by name, email or company
        lead = search_attendee(leads, "attendee", query).order_by("-last_scan_at").first()
    elif lead_id is not None:
        lead = leads.filter(pk=lead_id).first()
    context = {
        "sponsor": sponsor,
        "draft": draft,
        "current": current,
        "form": form,
        "formset": formset,
        "lead": lead,
        "preview": _preview(sponsor, lead, [icp for icp in (current, draft) if icp]),
        "query": query,
        "sample_leads": leads.order_by("-last_scan_at")[:15],
        "job": RescoreJob.objects.filter(icp__sponsor=sponsor).select_related("icp").first(),
        "field_help": [(label, vocabulary.help_for(key)) for key, label in CriterionField.choices],
        "field_help_by_key": {key: vocabulary.short_help_for(key) for key in CriterionField.values},
        "closed_choices": {field: list(choices.items()) for field, choices in vocabulary.CLOSED.items()},
        # What each of the sponsor's questions offers, for an answer rule's values.
        "question_choices": {str(q.pk): offered(q) for q in Question.objects.filter(sponsor=sponsor)},
    }
    return render(request, "tracker/icp_editor.html", context)


@login_required
@require_POST
def icp_draft_create(request: HttpRequest, pk: int) -> HttpResponse:
    sponsor = _sponsor(request, pk)
    draft = _draft(sponsor) or icp_new_draft(sponsor_id=sponsor.pk)
    messages.info(request, f"Editing draft v{draft.version}.")
    return redirect("icp-editor", pk=sponsor.pk)


@login_required
@require_POST
def icp_draft_publish(request: HttpRequest, pk: int) -> HttpResponse:
    sponsor = _sponsor(request, pk)
    draft = _draft(sponsor)
    if draft is None:
        messages.error(request, "There is no draft to publish.")
        return redirect("icp-editor", pk=sponsor.pk)
    if request.POST.get("confirm") != "yes":  # say what publishing does, and ask
        leads = Lead.objects.filter(sponsorship__sponsor=sponsor).count()
        return render(
            request, "tracker/icp_publish.html", {"sponsor": sponsor, "draft": draft, "leads": leads}
        )
    job = icp_publish(icp=draft, by=request.user)
    messages.success(request, f"ICP v{draft.version} is now current: rescoring {job.total} leads.")
    return redirect("icp-editor", pk=sponsor.pk)


@login_required
@require_GET
def icp_progress(request: HttpRequest, pk: int) -> JsonResponse:
    sponsor = _sponsor(request, pk)
    job = RescoreJob.objects.filter(icp__sponsor=sponsor).select_related("icp").first()
    if job is None:
        return JsonResponse({"job": None})
    return JsonResponse(
        {"job": job.pk, "version": job.icp.version, "status": job.status, "done": job.done, "total": job.total,
         "percent": job.percent}
    )  # fmt: skip
