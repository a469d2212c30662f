"""Scanning devices' tokens, issued, listed and revoked by a sponsor's managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tracker.devices import DeviceTokenForm, token_issue, token_revoke
from tracker.models import DeviceToken, Sponsor
from tracker.tenancy import get_managed_or_404

ISSUED = "device-token-issued"  # the session key of a new token's id and key, until its page shows them


@never_cache  # the page that shows a new key must not be kept by the browser or a proxy
@login_required
def device_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """The sponsor's device tokens with their booth and last use; a new one's key is shown once, here."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    # A new token scans as the manager who issues it, unless they pick someone else.
    initial = {"staff": sponsor.staff.filter(user=request.user, is_active=True).first()}
    form = DeviceTokenForm(request.POST or None, sponsor=sponsor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, key = token_issue(
            staff=data["staff"], name=data["name"], sponsorship=data["sponsorship"], by_user=request.user
        )
        # Shown once, by the page the browser is sent to (a reload then issues nothing more).
        request.session[ISSUED] = [token.pk, key]
        return redirect("device-tokens", pk=sponsor.pk)
    issued = None
    if (shown := request.session.pop(ISSUED, None)) is not None:
        token = DeviceToken.objects.filter(pk=shown[0], staff__sponsor=sponsor).first()
        issued = (token, shown[1]) if token is not None else None
    tokens = (
        DeviceToken.objects.filter(staff__sponsor=sponsor)
        .select_related("staff__user", "sponsorship__event", "created_by")
        .order_by("revoked_at", "-created_at")
    )
    context = {"sponsor": sponsor, "form": form, "tokens": tokens, "issued": issued}
    return render(request, "tracker/device_tokens.html", context)


@login_required
@require_POST
def device_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a token at once: its next scan is refused (in every process within DEVICE_CACHE_SECONDS)."""
    token = get_managed_or_404(DeviceToken.objects.select_related("staff"), request.user, pk)
    if token_revoke(token, by_user=request.user):
        messages.success(request, f"{token.name} is revoked: its scans are refused from now on.")
    return redirect("device-tokens", pk=token.staff.sponsor_id)
