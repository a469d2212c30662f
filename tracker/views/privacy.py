"""A sponsor's personal-data page for its managers: erase a person, and the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tracker.models import AuditEvent, Sponsor
from tracker.privacy.access import as_json, as_workbook, person_data
from tracker.privacy.erasure import person_erase
from tracker.tenancy import get_managed_or_404, managed

AUDIT_PAGE = 50


class ErasureForm(forms.Form):
    email = forms.EmailField(required=False, help_text="The email the person asked about.")
    badge_id = forms.CharField(required=False, max_length=120, label="or badge id")
    confirm = forms.BooleanField(
        label="I understand this cannot be undone", help_text="Their leads stay in the figures, without them."
    )

    def clean(self):
        data = super().clean()
        if not (data.get("email") or "").strip() and not (data.get("badge_id") or "").strip():
            raise forms.ValidationError("Give the person's email or badge id.")
        return data


class AccessForm(forms.Form):
    access_email = forms.EmailField(required=False, label="Email")
    access_badge_id = forms.CharField(required=False, max_length=120, label="or badge id")
    file_format = forms.ChoiceField(choices=[("xlsx", "Workbook"), ("json", "JSON")], label="As")

    def clean(self):
        data = super().clean()
        if not (data.get("access_email") or "").strip() and not (data.get("access_badge_id") or "").strip():
            raise forms.ValidationError("Give the person's email or badge id.")
        return data


class RetentionForm(forms.ModelForm):
    class Meta:
        model = Sponsor
        fields = ("retention_days",)
        labels = {"retention_days": "Keep personal data for (days after each event)"}


@login_required
def privacy(request: HttpRequest, pk: int) -> HttpResponse:
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    posted = request.POST if request.method == "POST" else None
    retention = RetentionForm(posted if posted and "retention_days" in posted else None, instance=sponsor)
    if retention.is_bound and retention.is_valid():
        retention.save()
        days = sponsor.retention_days
        messages.success(request, f"Personal data is kept {days} days after each event." if days is not None
                         else "Personal data is kept until a person asks to be erased.")  # fmt: skip
        return redirect("privacy", pk=sponsor.pk)
    access = AccessForm(posted if posted and "file_format" in posted else None)
    if access.is_bound and access.is_valid():
        return _access_file(request, sponsor, access.cleaned_data)
    erasing = posted is not None and bool({"email", "badge_id", "confirm"} & set(posted))
    form = ErasureForm(posted if erasing else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        erased = person_erase(sponsor=sponsor, by_user=request.user, email=data["email"] or "",
                              badge_id=data["badge_id"] or "")  # fmt: skip
        if erased.anything:
            messages.success(
                request,
                f"Erased: {erased.leads} lead(s) now show “Erased person”; {erased.scans + erased.unknown_scans} "
                f"scan(s) and {erased.follow_ups} follow-up(s) no longer say who; {erased.export_files} export "
                f"file(s) deleted. The figures are unchanged.",
            )
        else:
            messages.info(
                request, "Nobody with this email or badge id is among your leads or unknown badges."
            )
        return redirect("privacy", pk=sponsor.pk)
    events = managed(AuditEvent, request.user).filter(sponsor=sponsor).select_related("user")
    page = Paginator(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    context = {"sponsor": sponsor, "form": form, "retention": retention, "access": access, "page": page}
    return render(request, "tracker/privacy.html", context)


def _access_file(request: HttpRequest, sponsor: Sponsor, data: dict) -> HttpResponse:
    """Everything held about the person, as the file asked for (an attachment, never cached)."""
    held = person_data(sponsor=sponsor, by_user=request.user, email=data["access_email"] or "",
                       badge_id=data["access_badge_id"] or "")  # fmt: skip
    if data["file_format"] == "json":
        body, content_type = as_json(held), "application/json"
    else:
        body, content_type = (
            as_workbook(held),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="personal-data-{sponsor.slug}.{data["file_format"]}"'
    )
    response["Cache-Control"] = "no-store"
    return response
