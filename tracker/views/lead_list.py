"""The lead lists: every lead the user may see, or one booth's; filters, columns, sorting, bulk actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tracker.exports.kinds import LEAD_EXPORTS
from tracker.leads.filters import LeadFilterSet
from tracker.leads.tables import LeadTable
from tracker.lists.engine import configure_table
from tracker.lists.filters import staff_choices
from tracker.lists.forms import BulkActionForm
from tracker.lists.tables import parse_columns
from tracker.models import Lead, Scan, Sponsorship, StaffMember
from tracker.questions.lists import answer_columns, list_questions
from tracker.tenancy import access_for, get_scoped_or_404, managed, scoped


def leads_for_table(user, sponsorship: Sponsorship | None = None) -> QuerySet[Lead]:
    """The leads the user may see, with the latest rating annotated (for the column and its sort); the
    table joins what its shown columns read (``LeadTable.row_joins``)."""
    leads = scoped(Lead, user)
    if sponsorship is not None:
        leads = leads.filter(sponsorship=sponsorship)
    return leads.annotate(latest_rating=Scan.objects.latest_rating())


@login_required
def lead_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Leads filtered, sorted and paginated at the database: one booth's (``pk``) or all the user's."""
    sponsorship = None
    if pk is not None:
        sponsorship = get_scoped_or_404(
            Sponsorship.objects.select_related("sponsor", "event"), request.user, pk=pk
        )
    questions = list_questions(request.user, sponsorship)
    filterset = LeadFilterSet(
        request.GET,
        queryset=leads_for_table(request.user, sponsorship),
        user=request.user,
        sponsorship=sponsorship,
        questions=questions,
    )
    # Invalid fields (a malformed date) are left out of the filter and shown as errors on the form.
    table = LeadTable(
        filterset.qs,
        columns=parse_columns(request.GET.getlist("columns")),
        exclude=("event",) if sponsorship is not None else (),
        extra_columns=answer_columns(questions),
    )
    configure_table(request, table)
    staff = managed(StaffMember, request.user).filter(is_active=True)
    if sponsorship is not None:
        staff = staff.filter(sponsor_id=sponsorship.sponsor_id)
    access = access_for(request.user)
    context = {
        "sponsorship": sponsorship,
        "filterset": filterset,
        "table": table,
        "bulk_form": BulkActionForm(staff=StaffMember.objects.none()),
        "owner_choices": staff_choices(staff.order_by("user__first_name", "user__last_name")),
        "bulk_url": reverse("leads-bulk"),
        "can_assign": access.is_manager or access.everything,
        "export_filters": filters_of(request),
        "export_choices": [(key, label) for key, (_, _, label) in LEAD_EXPORTS.items()],
    }
    return render(request, "tracker/lead_list.html", context)


def filters_of(request: HttpRequest) -> str:
    """The list's filters as a query string, without paging, sorting or columns: what an export re-applies."""
    query = request.GET.copy()
    for name in ("page", "sort", "columns", "per_page"):
        query.pop(name, None)
    return query.urlencode()
