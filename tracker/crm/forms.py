"""The CRM page's forms: connecting a CRM, and a connection's settings, secret and field mapping.

A secret field never shows what is stored (its widget does not render a value): a blank one keeps the
stored secret, a filled one replaces it. A secret is printable ASCII without spaces, as the CRMs issue
them: one pasted with a line break inside would go into a request header. Salesforce's secret goes only
to the instance URL and consumer key it was entered with: changing either asks for it again.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator

from tracker.crm.connections import salesforce_url_problem
from tracker.crm.mapping import (
    LAYOUTS,
    answer_key,
    external_id_problem,
    mapping_errors,
    property_of,
)
from tracker.models import CrmConnection, Question
from tracker.models.crm import CrmKind
from tracker.models.questions import ASKED_FIRST

SECRET_MAX = 4096
URL_MAX = 200  # the model's URLField
# Printable ASCII, no space: what a header value and a form field can carry as they are.
SECRET_TEXT = RegexValidator(
    re.compile(r"\A[\x21-\x7e]+\Z"),
    "Paste it again: it holds a space, a line break or a character no CRM puts in one.",
)
HUBSPOT_TOKEN_HELP = "The access token of a HubSpot private app with the crm.objects.contacts.write scope."
SALESFORCE_SECRET_HELP = "The consumer secret of the external client app with the client credentials flow."
SALESFORCE_NEW_SECRET_HELP = (
    "Leave blank to keep the one stored; needed again with a new instance URL or consumer key."
)
# A text box (the pages style text inputs), asking phones for their URL keyboard.
URL_INPUT = forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://acme.my.salesforce.com"})


def _secret_field(label: str, help_text: str, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, max_length=SECRET_MAX, strip=True,
        validators=[SECRET_TEXT], widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )  # fmt: skip


def _instance_url_field(**kwargs) -> forms.URLField:
    return forms.URLField(
        label="Instance URL", required=False, assume_scheme="https", max_length=URL_MAX, widget=URL_INPUT,
        **kwargs,
    )  # fmt: skip


def _clean_url(form: forms.Form) -> str:
    return (form.cleaned_data.get("instance_url") or "").strip().rstrip("/")


def _clean_salesforce(form: forms.Form, data: dict) -> None:
    if not (data.get("instance_url") or "").strip():
        form.add_error("instance_url", "Salesforce needs your org's instance URL.")
    elif problem := salesforce_url_problem(data["instance_url"]):
        form.add_error("instance_url", problem)
    if not (data.get("client_id") or "").strip():
        form.add_error("client_id", "Salesforce needs the app's consumer key.")


class ConnectForm(forms.Form):
    """A new connection: which CRM, and the credentials it takes."""

    kind = forms.ChoiceField(choices=CrmKind.choices, label="CRM")
    token = _secret_field("Private app token", HUBSPOT_TOKEN_HELP, required=False)
    instance_url = _instance_url_field(
        help_text="Your org's My Domain URL, e.g. https://acme.my.salesforce.com."
    )
    client_id = forms.CharField(
        label="Consumer key", required=False, max_length=255, validators=[SECRET_TEXT]
    )
    client_secret = _secret_field("Consumer secret", SALESFORCE_SECRET_HELP, required=False)
    FIELDS = {CrmKind.HUBSPOT: ("token",), CrmKind.SALESFORCE: ("instance_url", "client_id", "client_secret")}

    def __init__(self, *args, taken: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in CrmKind.choices if k not in taken]

    def kinds(self) -> list[tuple[str, str, list]]:
        """(kind, label, its bound fields) of each CRM still to connect: a form each on the page."""
        return [
            (kind, label, [self[name] for name in self.FIELDS[kind]])
            for kind, label in self.fields["kind"].choices
        ]

    def clean_instance_url(self) -> str:
        return _clean_url(self)

    def clean(self):
        data = super().clean()
        if data.get("kind") == CrmKind.HUBSPOT and not data.get("token"):
            self.add_error("token", "HubSpot needs a private app's access token.")
        if data.get("kind") == CrmKind.SALESFORCE:
            _clean_salesforce(self, data)
            if not data.get("client_secret"):
                self.add_error("client_secret", "Salesforce needs the app's consumer secret.")
        return data

    @property
    def secret(self) -> str:
        data = self.cleaned_data
        return data["token"] if data["kind"] == CrmKind.HUBSPOT else data["client_secret"]


class ConnectionForm(forms.ModelForm):
    """A connection's settings, a new secret if one is typed, and where each of our fields goes."""

    new_secret = _secret_field(
        "Replace the stored secret", "Leave blank to keep the one stored.", required=False
    )
    instance_url = _instance_url_field()

    class Meta:
        model = CrmConnection
        fields = ("min_grade", "auto_push", "instance_url", "client_id", "external_id_field")
        labels = {
            "min_grade": "Push leads graded",
            "auto_push": "Push on their own after scoring",
            "client_id": "Consumer key",
            "external_id_field": "External id field",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        self.fields["min_grade"].choices = [
            (g, f"{g} or better") for g, _ in self.fields["min_grade"].choices if g
        ]
        self.fields["new_secret"].label = (
            "Replace the private app token" if kind == CrmKind.HUBSPOT else "Replace the consumer secret"
        )
        if kind == CrmKind.HUBSPOT:
            for name in ("instance_url", "client_id"):
                del self.fields[name]
            self.fields["external_id_field"].help_text = (
                "Optional: a unique, hidden contact property you created in HubSpot; it gets booth-lead-<id>, "
                "and leads without an email are pushed by it (without it they are not pushed)."
            )
        else:
            self.fields["client_id"].validators.append(SECRET_TEXT)
            self.fields["new_secret"].help_text = SALESFORCE_NEW_SECRET_HELP
            self.fields["external_id_field"].required = True
            self.fields["external_id_field"].help_text = (
                "A Lead field marked External ID and Unique (e.g. Booth_Lead_Id__c): it gets booth-lead-<id>, "
                "and pushes update the lead holding it."
            )
        self.mapped = []
        for field in LAYOUTS[kind]:
            name = f"map_{field.key}"
            self.fields[name] = forms.CharField(
                label=field.header, required=False, max_length=100,
                initial=property_of(kind, field.key, self.instance.mapping or {}),
                help_text=f"default {field.property}" if field.property else "not sent by default",
            )  # fmt: skip
            self.mapped.append(self[name])
        # The sponsor's own questions: an answer goes to a property the manager names (none by default).
        self.questions = list(Question.objects.filter(sponsor_id=self.instance.sponsor_id).order_by(ASKED_FIRST, "position", "pk"))  # fmt: skip
        for question in self.questions:
            name = f"map_answer_{question.pk}"
            self.fields[name] = forms.CharField(
                label=f"Answer: {question.label}", required=False, max_length=100,
                initial=(self.instance.mapping or {}).get(answer_key(question.pk), ""),
                help_text="not sent by default",
            )  # fmt: skip
            self.mapped.append(self[name])

    def clean_instance_url(self) -> str:
        return _clean_url(self)

    def clean_external_id_field(self) -> str:
        return (self.cleaned_data.get("external_id_field") or "").strip()

    def clean(self):
        data = super().clean()
        kind = self.instance.kind
        if kind == CrmKind.SALESFORCE:
            _clean_salesforce(self, data)
            moved = {"instance_url", "client_id"} & set(self.changed_data)
            if moved and not data.get("new_secret") and "new_secret" not in self.errors:
                self.add_error(
                    "new_secret",
                    "Enter the consumer secret again: it is sent only to the instance URL and consumer key "
                    "it was entered with.",
                )
        mapping, current = {}, self.instance.mapping or {}
        for field in LAYOUTS[kind]:
            name = f"map_{field.key}"
            # A field the request left out keeps where it goes (a browser sends them all).
            value = (
                (data.get(name) or "").strip() if name in self.data else property_of(kind, field.key, current)
            )
            data[name] = value
            if value != field.property:  # only what differs from the layout's default is stored
                mapping[field.key] = value
        answers = frozenset(answer_key(q.pk) for q in self.questions)
        for question in self.questions:
            name, key = f"map_answer_{question.pk}", answer_key(question.pk)
            value = (data.get(name) or "").strip() if name in self.data else str(current.get(key, ""))
            data[name] = value
            if value:
                mapping[key] = value
        for problem in mapping_errors(kind, mapping, answers):
            self.add_error(None, problem)
        if problem := external_id_problem(kind, data.get("external_id_field") or "", mapping):
            self.add_error("external_id_field", problem)
        self.instance.mapping = mapping
        return data
