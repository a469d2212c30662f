"""A sponsor's CRM connections, for its managers: connect, change, push now, disconnect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tracker.crm.connections import connection_connect, connection_remove, connection_update
from tracker.crm.facts import qualifying_leads
from tracker.crm.forms import ConnectForm, ConnectionForm
from tracker.crm.push import push_queue
from tracker.models import CrmConnection, CrmPush, Lead, Sponsor
from tracker.models.crm import CrmPushStatus
from tracker.tenancy import get_managed_or_404, managed

RECENT_FAILURES = 20


def _counts() -> dict:
    counts = {status: Count("pushes", filter=Q(pushes__status=status)) for status in CrmPushStatus.values}
    # Being sent is still waiting, as far as the page goes.
    counts[CrmPushStatus.WAITING] = Count(
        "pushes", filter=Q(pushes__status__in=(CrmPushStatus.WAITING, CrmPushStatus.SENDING))
    )
    return counts


@login_required
def crm_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The sponsor's CRM connections with where their leads stand, and a form to connect another CRM."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    connections = list(CrmConnection.objects.filter(sponsor=sponsor).annotate(**_counts()).order_by("kind"))
    form = ConnectForm(request.POST or None, taken={c.kind for c in connections})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        connection = connection_connect(
            sponsor=sponsor, kind=data["kind"], secret=form.secret, by_user=request.user,
            instance_url=data.get("instance_url") or "", client_id=data.get("client_id") or "",
        )  # fmt: skip
        messages.success(
            request,
            f"{connection.get_kind_display()} is connected. Check the field mapping, then push your qualified leads.",
        )
        return redirect("crm-connection", pk=connection.pk)
    for connection in connections:
        connection.qualifying = qualifying_leads(connection).count()
    context = {"sponsor": sponsor, "connections": connections, "form": form, "statuses": CrmPushStatus}
    return render(request, "tracker/crm.html", context)


@login_required
def crm_connection(request: HttpRequest, pk: int) -> HttpResponse:
    """One connection: its settings, secret and field mapping, and its leads that failed lately."""
    connection = get_managed_or_404(CrmConnection.objects.select_related("sponsor"), request.user, pk)
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        changed = sorted(
            {"mapping" if n.startswith("map_") else n for n in form.changed_data} - {"new_secret"}
        )
        connection_update(
            form.instance, changed=changed, new_secret=form.cleaned_data.get("new_secret") or "",
            by_user=request.user,
        )  # fmt: skip
        messages.success(request, f"The {connection.get_kind_display()} connection is saved.")
        return redirect("crm-connection", pk=connection.pk)
    counts = dict(
        CrmPush.objects.filter(connection=connection).values_list("status").annotate(n=Count("pk")).order_by()
    )
    failures = (
        CrmPush.objects.filter(connection=connection, status=CrmPushStatus.FAILED)
        .select_related("lead__attendee", "lead__sponsorship__event")
        .order_by("-updated_at")[:RECENT_FAILURES]
    )
    context = {
        "connection": connection,
        "sponsor": connection.sponsor,
        "form": form,
        "counts": [(status, label, counts.get(status, 0)) for status, label in CrmPushStatus.choices],
        "failures": failures,
        "qualifying": qualifying_leads(connection).count(),
    }
    return render(request, "tracker/crm_connection.html", context)


@login_required
@require_POST
def crm_push(request: HttpRequest, pk: int) -> HttpResponse:
    """Push now: every qualified lead of the sponsor, or the one lead named by ``lead`` (back to its page)."""
    connection = get_managed_or_404(CrmConnection, request.user, pk)
    name = connection.get_kind_display()
    if "lead" in request.POST:
        leads = managed(Lead, request.user).filter(sponsorship__sponsor_id=connection.sponsor_id)
        lead = get_managed_or_404(leads, request.user, request.POST["lead"])
        if push_queue(connection, lead_ids=[lead.pk], by_user=request.user):
            messages.success(request, f"The lead is on its way to {name}.")
        else:
            messages.error(request, f"This lead is not pushed to {name}: it needs consent and a grade of "
                           f"{connection.min_grade} or better, and must not be excluded.")  # fmt: skip
        return redirect("lead-detail", pk=lead.pk)
    queued = push_queue(connection, by_user=request.user)
    messages.success(
        request,
        f"{queued} qualified lead(s) are on their way to {name}; their status shows below as each batch is sent."
        if queued else f"No lead qualifies for {name} yet (consent and a grade of {connection.min_grade} or better).",
    )  # fmt: skip
    return redirect("crm-connection", pk=connection.pk)


@login_required
@require_POST
def crm_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget the connection and its secret; the records already in the CRM stay there."""
    connection = get_managed_or_404(CrmConnection, request.user, pk)
    sponsor_id, name = connection.sponsor_id, connection.get_kind_display()
    connection_remove(connection, by_user=request.user)
    messages.success(request, f"{name} is disconnected; what was pushed stays in {name}.")
    return redirect("crm", pk=sponsor_id)
