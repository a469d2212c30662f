"""The lead list of one sponsorship: filters, a column chooser, sorting and pagination."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from tracker.filters import LeadFilterSet
from tracker.models import Lead, Scan, Sponsorship, StaffMember
from tracker.tables import LeadTable, parse_columns
from tracker.tenancy import get_scoped_or_404, scoped

PER_PAGE = 50


def leads_for_table(sponsorship: Sponsorship, user) -> QuerySet[Lead]:
    """The sponsorship's leads with everything a row shows joined or annotated: no query per row."""
    latest_rating = (
        Scan.objects.filter(lead=OuterRef("pk"))
        .exclude(rating="")
        .order_by("-received_at", "-pk")
        .values("rating")[:1]
    )
    return (
        scoped(Lead, user)
        .filter(sponsorship=sponsorship)
        .select_related("attendee", "score", "follow_up__owner__user")
        .annotate(latest_rating=Subquery(latest_rating))
    )


@login_required
def lead_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every lead of one booth, filtered, sorted and paginated at the database."""
    sponsorship = get_scoped_or_404(
        Sponsorship.objects.select_related("sponsor", "event"), request.user, pk=pk
    )
    filterset = LeadFilterSet(
        request.GET,
        queryset=leads_for_table(sponsorship, request.user),
        sponsorship=sponsorship,
        staff=scoped(StaffMember, request.user),
    )
    # Invalid fields (a malformed date) are left out of the filter and shown as errors on the form.
    table = LeadTable(filterset.qs, columns=parse_columns(request.GET.getlist("columns")))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {"sponsorship": sponsorship, "filterset": filterset, "table": table}
    return render(request, "tracker/lead_list.html", context)
