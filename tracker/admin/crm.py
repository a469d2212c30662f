"""CRM connections and pushes in the operators' admin: settings and statuses, never a secret."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from tracker.admin.site import TrackerModelAdmin, site
from tracker.crm.mapping import LAYOUTS, answer_key, external_id_problem, mapping_errors
from tracker.models import CrmConnection, CrmPush, Question


class CrmConnectionAdminForm(forms.ModelForm):
    """The mapping and the external id property checked as the sponsor's CRM page checks them: known
    fields, property names, no property given twice (an answer mapped to HubSpot's ``email`` would
    overwrite who the contact is)."""

    class Meta:
        model = CrmConnection
        fields = ("mapping", "external_id_field")  # the admin adds the others (its own `fields`)

    def clean_mapping(self) -> dict:
        mapping = self.cleaned_data.get("mapping") or {}
        if not isinstance(mapping, dict):
            raise ValidationError('A mapping is an object: {"field": "property", ...}.')
        sponsor, kind = self.cleaned_data.get("sponsor"), self.cleaned_data.get("kind") or self.instance.kind
        if kind not in LAYOUTS:
            return mapping  # the kind's own error is said
        questions = Question.objects.filter(sponsor=sponsor).values_list("pk", flat=True) if sponsor else []
        if problems := mapping_errors(kind, mapping, frozenset(map(answer_key, questions))):
            raise ValidationError(problems)
        return mapping

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        external = (data.get("external_id_field") or "").strip()
        if kind in LAYOUTS and "mapping" in data and "external_id_field" in data:
            if problem := external_id_problem(kind, external, data["mapping"]):
                self.add_error("external_id_field", problem)
            data["external_id_field"] = external
        return data


@admin.register(CrmConnection, site=site)
class CrmConnectionAdmin(TrackerModelAdmin):
    """A sponsor's CRM; its secret is written only from the sponsor's CRM page (a connection added here
    has none until a manager enters it there) and shown nowhere. Where the secret goes (the CRM, the
    Salesforce instance URL and consumer key) is set there too, checked, and never changed here: an
    operator's edit would send the stored secret somewhere the manager did not enter it for."""

    form = CrmConnectionAdminForm
    list_display = (
        "sponsor",
        "kind",
        "min_grade",
        "auto_push",
        "secret_stored",
        "last_push_at",
        "last_error",
    )
    list_filter = ("kind", "auto_push")
    list_select_related = ("sponsor",)
    str_related = ("sponsor",)
    search_fields = ("sponsor__name",)
    autocomplete_fields = ("sponsor",)
    fields = ("sponsor", "kind", "min_grade", "auto_push", "instance_url", "client_id", "external_id_field",
              "mapping", "secret_stored", "created_at", "created_by", "last_push_at", "last_error")  # fmt: skip
    readonly_fields = ("instance_url", "client_id", "secret_stored", "created_at", "created_by", "last_push_at",
                       "last_error")  # fmt: skip

    def get_readonly_fields(self, request, obj=None) -> tuple[str, ...]:
        return ("kind", *self.readonly_fields) if obj is not None else self.readonly_fields

    @admin.display(boolean=True, description="Secret stored")
    def secret_stored(self, obj: CrmConnection) -> bool:
        return obj.has_secret


@admin.register(CrmPush, site=site)
class CrmPushAdmin(TrackerModelAdmin):
    """Where each lead stands in each CRM (a record of what the push did; never edited by hand)."""

    list_display = ("lead", "connection", "status", "remote_id", "attempts", "pushed_at", "message")
    list_filter = ("status", "connection__kind")
    list_select_related = ("lead__attendee", "lead__sponsorship__sponsor", "connection__sponsor")
    str_related = ("connection__sponsor",)
    raw_id_fields = ("lead",)
    readonly_fields = ("connection", "lead", "status", "remote_id", "message", "attempts", "queued_at",
                       "pushed_at", "updated_at")  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
