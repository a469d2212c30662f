"""A sponsor's personal-data page for its managers: erase a person, and the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tracker.models import AuditEvent, Event, Sponsor
from tracker.privacy.access import as_json, as_workbook, person_data
from tracker.privacy.erasure import person_erase
from tracker.tenancy import get_managed_or_404, managed

AUDIT_PAGE = 50


class PersonForm(forms.Form):
    """Who: an email, or a badge id at one of the sponsor's events (badge ids repeat between events)."""

    PREFIX = ""

    def __init__(self, *args, sponsor, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.PREFIX
        self.fields[f"{p}email"] = forms.EmailField(required=False, label="Email")
        self.fields[f"{p}badge_id"] = forms.CharField(required=False, max_length=120, label="or badge id")
        self.fields[f"{p}event"] = forms.ModelChoiceField(
            Event.objects.filter(sponsorships__sponsor=sponsor).distinct().order_by("-start_date"),
            required=False, label="at", empty_label="(the badge's event)",
        )  # fmt: skip

    def clean(self):
        data, p = super().clean(), self.PREFIX
        email, badge_id = (data.get(f"{p}email") or "").strip(), (data.get(f"{p}badge_id") or "").strip()
        if bool(email) == bool(badge_id):
            raise forms.ValidationError("Give the person's email or their badge id (one of them).")
        if badge_id and data.get(f"{p}event") is None:
            self.add_error(f"{p}event", "A badge id names a person at one event: choose it.")
        return data

    def person(self) -> dict:
        p, data = self.PREFIX, self.cleaned_data
        event = data.get(f"{p}event")
        return {"email": data.get(f"{p}email") or "", "badge_id": data.get(f"{p}badge_id") or "",
                "event_id": event.pk if event else None}  # fmt: skip


class ErasureForm(PersonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = forms.BooleanField(
            label="I understand this cannot be undone",
            help_text="Their leads stay in the figures, without them.",
        )


class AccessForm(PersonForm):
    PREFIX = "access_"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file_format"] = forms.ChoiceField(
            choices=[("xlsx", "Workbook"), ("json", "JSON")], label="As"
        )


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
    access = AccessForm(posted if posted and "file_format" in posted else None, sponsor=sponsor)
    if access.is_bound and access.is_valid():
        return _access_file(request, sponsor, access.person(), access.cleaned_data["file_format"])
    erasing = posted is not None and bool({"email", "badge_id", "confirm"} & set(posted))
    form = ErasureForm(posted if erasing else None, sponsor=sponsor)
    if form.is_bound and form.is_valid():
        erased = person_erase(sponsor=sponsor, by_user=request.user, **form.person())

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
    context = {"sponsor": sponsor, "form": form, "retention": retention, "access_form": access, "page": page}
    return render(request, "tracker/privacy.html", context)


def _access_file(request: HttpRequest, sponsor: Sponsor, person: dict, file_format: str) -> HttpResponse:
    """Everything held about the person, as the file asked for (an attachment, never cached)."""
    held = person_data(sponsor=sponsor, by_user=request.user, **person)
    if file_format == "json":
        body, content_type = as_json(held), "application/json"
    else:
        body, content_type = (
            as_workbook(held),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="personal-data-{sponsor.slug}.{file_format}"'
    )
    response["Cache-Control"] = "no-store"
    return response
