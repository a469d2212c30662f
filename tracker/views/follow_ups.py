"""Follow-up pages: an owner's own list, the table of all follow-ups, status changes, and creation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.followups.creation import follow_ups_create
from tracker.followups.filters import FollowUpFilterSet
from tracker.followups.forms import AssignmentRuleFormSet, FollowUpPolicyForm, FollowUpStatusForm
from tracker.followups.history import followup_change
from tracker.followups.tables import FollowUpTable
from tracker.lists.engine import configure_table
from tracker.lists.filters import staff_choices
from tracker.lists.forms import BulkActionForm
from tracker.lists.tables import parse_columns
from tracker.models import AssignmentRule, FollowUp, FollowUpPolicy, Scan, Sponsor, Sponsorship, StaffMember
from tracker.models.choices import OPEN_FOLLOW_UP_STATUSES, FollowUpStatus
from tracker.models.followups import overdue_condition
from tracker.tenancy import (
    access_for,
    get_managed_or_404,
    get_scoped_or_404,
    managed,
    may_change_follow_up,
    scoped,
)
from tracker.views.shell import redirect_back

MY_PER_PAGE = 20


def work_order(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Overdue first (oldest due first), then by due date; no due date last."""
    late = Case(When(overdue_condition(), then=Value(0)), default=Value(1), output_field=IntegerField())
    return follow_ups.annotate(late=late).order_by("late", F("due_on").asc(nulls_last=True), "pk")


@login_required
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    """The follow-ups the user owns, overdue first, with each lead's reasons, scans and notes on the page."""
    show = request.GET.get("show", "open")
    mine = scoped(FollowUp, request.user).filter(owner__user=request.user, owner__is_active=True)
    counts = {
        "open": mine.filter(status__in=OPEN_FOLLOW_UP_STATUSES).count(),
        "overdue": mine.overdue().count(),
    }
    if show == "open":
        mine = mine.filter(status__in=OPEN_FOLLOW_UP_STATUSES)
    elif show == "closed":
        mine = mine.exclude(status__in=OPEN_FOLLOW_UP_STATUSES)
    scans = Scan.objects.select_related("scanned_by__user").order_by("received_at", "pk")
    follow_ups = (
        work_order(mine)
        .select_related(
            "lead__attendee", "lead__score", "lead__sponsorship__event", "lead__sponsorship__sponsor"
        )
        .prefetch_related(Prefetch("lead__scans", queryset=scans))
    )
    page = Paginator(follow_ups, MY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "counts": counts,
        "statuses": FollowUpStatus.choices,
        "status_form": FollowUpStatusForm(),
    }
    return render(request, "tracker/my_follow_ups.html", context)


@login_required
@require_POST
def follow_up_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A quick status change (and the opportunity amount, if given) from a list or a lead page."""
    follow_up = get_scoped_or_404(
        FollowUp.objects.select_related("lead__sponsorship", "lead__attendee", "owner"), request.user, pk=pk
    )
    if not may_change_follow_up(request.user, follow_up):
        raise PermissionDenied("Only the owner or a manager can change this follow-up.")
    form = FollowUpStatusForm(request.POST)
    name = follow_up.lead.attendee.full_name or "the lead"
    if form.is_valid():
        try:
            followup_change(
                follow_up=follow_up,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                typed=True,  # the person's own note: kept even without a new status
                opportunity=form.opportunity(),
            )
        except ValidationError as error:
            messages.error(request, f"{name}: {' '.join(error.messages)}")
        else:
            noted = " Note added." if form.cleaned_data["note"].strip() else ""
            messages.success(request, f"{name}: {follow_up.get_status_display()}.{noted}")
    else:
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"{name}: nothing changed. {errors}")
    return redirect_back(request, reverse("my-follow-ups"))


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """Every follow-up the user may see, filtered, sorted and paginated at the database, with bulk actions."""
    follow_ups = scoped(FollowUp, request.user)  # FollowUpTable joins what its shown columns read
    filterset = FollowUpFilterSet(request.GET, queryset=follow_ups, user=request.user)
    table = FollowUpTable(filterset.qs, columns=parse_columns(request.GET.getlist("columns")))
    configure_table(request, table)
    staff = managed(StaffMember, request.user).filter(is_active=True)
    context = {
        "filterset": filterset,
        "table": table,
        "bulk_form": BulkActionForm(staff=StaffMember.objects.none()),
        "owner_choices": staff_choices(staff.order_by("user__first_name", "user__last_name")),
        "bulk_url": reverse("follow-ups-bulk"),
        "can_assign": access_for(request.user).is_manager or access_for(request.user).everything,
    }
    return render(request, "tracker/follow_up_list.html", context)


@login_required
@require_POST
def follow_ups_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager creates the booth's follow-ups now (the automatic run does it when the event ends)."""
    sponsorship = get_managed_or_404(Sponsorship.objects.select_related("sponsor"), request.user, pk)
    result = follow_ups_create(sponsorship=sponsorship, by=request.user)
    if result.created:
        text = f"{result.created} follow-up{'s' if result.created != 1 else ''} created"
        if result.unassigned:
            text += f", {result.unassigned} without an owner (no rule matched)"
        messages.success(request, text + ".")
    else:
        messages.info(request, "No new follow-ups: every qualified lead already has one.")
    return redirect(reverse("follow-up-list") + f"?sponsorship={sponsorship.pk}")


@login_required
def follow_up_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager's routing page: which leads get follow-ups, their SLAs, and the assignment rules in order."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    policy = FollowUpPolicy.objects.filter(sponsor=sponsor).first() or FollowUpPolicy(sponsor=sponsor)
    staff = sponsor.staff.filter(is_active=True).select_related("user").order_by("user__first_name")
    rules = AssignmentRule.objects.filter(sponsor=sponsor).select_related("owner__user")
    data = request.POST if request.method == "POST" else None
    form = FollowUpPolicyForm(data, instance=policy)
    labels = dict(staff_choices(staff)())
    formset = AssignmentRuleFormSet(
        data, instance=sponsor, queryset=rules, prefix="rules", form_kwargs={"staff": staff, "labels": labels}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, "Follow-up rules saved. They apply to follow-ups created from now on.")
        return redirect("follow-up-rules", pk=sponsor.pk)
    context = {"sponsor": sponsor, "form": form, "formset": formset, "rules": rules}
    return render(request, "tracker/follow_up_rules.html", context)
