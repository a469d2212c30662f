"""Bulk actions on the rows ticked in the lead and follow-up tables: one implementation for both."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.exports.kinds import LEAD_EXPORTS
from tracker.followups.actions import BulkResult, follow_ups_assign, follow_ups_set_status
from tracker.lists.forms import BulkActionForm
from tracker.models import FollowUp, Lead, StaffMember
from tracker.tenancy import changeable_follow_ups, managed, parse_ids, scoped
from tracker.views.exports import export_begin
from tracker.views.shell import redirect_back


def _report(request: HttpRequest, result: BulkResult, verb: str) -> None:
    parts = [f"{result.changed + result.created} {verb}"]
    if result.created:
        parts.append(f"{result.created} of them new follow-ups")
    if result.unchanged:
        parts.append(f"{result.unchanged} already so")
    parts += [f"{count} refused: {reason}" for reason, count in sorted(result.refusals.items())]
    level = messages.WARNING if result.refused else messages.SUCCESS
    messages.add_message(request, level, "; ".join(parts) + ".")


def bulk_apply(request: HttpRequest, leads: QuerySet[Lead], fallback: str) -> HttpResponse:
    """Apply the posted action to ``leads`` (already narrowed to the ticked rows the user may see)."""
    form = BulkActionForm(
        request.POST, staff=scoped(StaffMember, request.user).filter(is_active=True).select_related("user")
    )
    if not form.is_valid():
        # With nothing ticked, that is the one thing to say.
        shown = {"pk": form.errors["pk"]} if "pk" in form.errors else form.errors
        errors = " ".join(error for errors in shown.values() for error in errors)
        messages.error(request, f"Nothing was changed: {errors}")
        return redirect_back(request, fallback)
    action = form.cleaned_data["action"]
    leads = leads.select_related("sponsorship__sponsor", "score")
    if action == "export":
        ids = sorted(leads.values_list("pk", flat=True))
        kind, file_format, _ = LEAD_EXPORTS[form.cleaned_data["file_format"] or "xlsx"]
        return export_begin(
            request,
            kind=kind,
            file_format=file_format,
            params={"lead_ids": ids},
        )
    if action == "assign":
        allowed = list(managed(leads, request.user))
        result = follow_ups_assign(leads=allowed, owner=form.cleaned_data["owner"], by=request.user)
        not_managed = leads.count() - len(allowed)
        _report(request, result.refusing(Counter({"not a sponsor you manage": not_managed})), "assigned")
    else:
        follow_ups = list(changeable_follow_ups(request.user, FollowUp.objects.filter(lead__in=leads)))
        result = follow_ups_set_status(
            follow_ups=follow_ups, status=form.cleaned_data["status"], by=request.user
        )
        without = leads.filter(follow_up__isnull=True).count()
        not_theirs = leads.count() - without - len(follow_ups)
        reasons = Counter({"no follow-up yet": without, "not yours to change": not_theirs})
        _report(request, result.refusing(reasons), "updated")
    return redirect_back(request, fallback)


def selected(request: HttpRequest) -> list[int]:
    """The ticked rows' ids; values that cannot be ids are left out (they name no row)."""
    return parse_ids(request.POST.getlist("pk"))


@login_required
@require_POST
def leads_bulk(request: HttpRequest) -> HttpResponse:
    leads = scoped(Lead, request.user).filter(pk__in=selected(request))
    return bulk_apply(request, leads, fallback=reverse("all-leads"))


@login_required
@require_POST
def follow_ups_bulk(request: HttpRequest) -> HttpResponse:
    follow_ups = scoped(FollowUp, request.user).filter(pk__in=selected(request))
    leads = scoped(Lead, request.user).filter(follow_up__in=follow_ups)
    return bulk_apply(request, leads, fallback=reverse("follow-up-list"))
