"""Forms of the staff-facing pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from tracker.exports.kinds import LEAD_EXPORTS
from tracker.models import (
    AssignmentRule,
    FollowUpPolicy,
    IcpCriterion,
    IdealCustomerProfile,
    Sponsor,
    StaffMember,
)
from tracker.models.choices import FollowUpStatus, Grade, StaffRole
from tracker.models.money import CURRENCY_CHOICES
from tracker.scoring import vocabulary


class LabelledCells:
    """A form drawn as one row of a table (a formset): each input is named by its column for assistive
    technology, since no <label> sits beside it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = f" (rule {self.prefix.rsplit('-', 1)[-1]})" if self.prefix else ""
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue  # each option has its own label
            label = field.label or name.replace("_", " ").capitalize()
            field.widget.attrs.setdefault("aria-label", f"{label}{row}")
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "—"
            elif isinstance(field, forms.ChoiceField):  # "—" for nothing chosen, not "---------"
                field.choices = [(value, "—" if value == "" else text) for value, text in field.choices]


class LabelledFormSet(BaseInlineFormSet):
    """An inline formset whose per-row delete box is named too (formsets add it after the form's init)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete (rule {index})"


class ListField(forms.CharField):
    """A list of short values typed comma-separated ("vp, c_level"), stored as a JSON list."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


class IcpForm(forms.ModelForm):
    class Meta:
        model = IdealCustomerProfile
        fields = ("grade_a_min", "grade_b_min", "grade_c_min", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(LabelledCells, forms.ModelForm):
    values = ListField(
        required=False, help_text="Comma-separated; see what each field takes below the table."
    )

    class Meta:
        model = IcpCriterion
        fields = (
            "position",
            "part",
            "field",
            "kind",
            "label",
            "values",
            "min_value",
            "max_value",
            "weight",
            "action",
        )

    def clean(self):
        data = super().clean()
        field, values = data.get("field"), data.get("values") or []
        if field:
            keys, unknown = vocabulary.closed_values(field, values)
            if unknown:
                label = dict(self.fields["field"].choices).get(field, field).lower()
                self.add_error(
                    "values",
                    f"{', '.join(unknown)}: not a {label} the scoring knows. {vocabulary.help_for(field)}.",
                )
            else:
                data["values"] = keys
        return data


CriterionFormSet = inlineformset_factory(
    IdealCustomerProfile, IcpCriterion, form=CriterionForm, formset=LabelledFormSet, extra=2, can_delete=True
)


class FollowUpStatusForm(forms.Form):
    """A quick status change from an owner's list or a lead page, with the opportunity when there is one."""

    status = forms.ChoiceField(choices=FollowUpStatus.choices)
    note = forms.CharField(required=False, max_length=300)
    opportunity_amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    opportunity_currency = forms.ChoiceField(required=False, choices=[("", "—"), *CURRENCY_CHOICES])

    def clean(self):
        data = super().clean()
        amount, currency = data.get("opportunity_amount"), data.get("opportunity_currency")
        if amount is not None and not currency:
            self.add_error("opportunity_currency", "Give the amount's currency.")
        # A currency alone (the list pre-selects the sponsor's) means no amount was given: nothing to store.
        return data

    def opportunity(self) -> tuple[Decimal | None, str] | None:
        """(amount, currency) to store, or None to leave the stored opportunity as it is."""
        amount = self.cleaned_data.get("opportunity_amount")
        return (amount, self.cleaned_data["opportunity_currency"]) if amount is not None else None


class BulkActionForm(forms.Form):
    """An action on the rows ticked in a table: assign an owner, change the status, or export them."""

    ACTIONS = [("assign", "Assign owner"), ("status", "Change status"), ("export", "Export selection")]

    pk = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "Tick some rows first."}
    )
    action = forms.ChoiceField(choices=ACTIONS)
    owner = forms.ModelChoiceField(queryset=StaffMember.objects.none(), required=False)
    status = forms.ChoiceField(choices=[("", "—"), *FollowUpStatus.choices], required=False)
    file_format = forms.ChoiceField(
        choices=[(key, label) for key, (_, _, label) in LEAD_EXPORTS.items()], required=False
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["owner"].label_from_instance = lambda member: member.display_name
        # Ids are checked against the user's scope by the view; any integer is accepted here.
        self.fields["pk"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", "Choose who gets them.")
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", "Choose the new status.")
        return data


class FollowUpPolicyForm(forms.ModelForm):
    """Which grades get a follow-up and each grade's SLA, typed as a manager would say it."""

    qualifying_grades = forms.MultipleChoiceField(
        choices=Grade.choices, widget=forms.CheckboxSelectMultiple, label="Grades that get a follow-up"
    )
    sla_a = forms.IntegerField(min_value=0, max_value=90, label="A within (working days)")
    sla_b = forms.IntegerField(min_value=0, max_value=90, label="B within")
    sla_c = forms.IntegerField(min_value=0, max_value=90, label="C within")
    sla_d = forms.IntegerField(min_value=0, max_value=90, label="D within")

    class Meta:
        model = FollowUpPolicy
        fields = ("qualifying_grades", "require_consent", "create_when_event_ends")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in Grade.values:
            self.fields[f"sla_{grade.lower()}"].initial = self.instance.days_for(grade)

    def save(self, commit: bool = True) -> FollowUpPolicy:
        self.instance.sla_days = {grade: self.cleaned_data[f"sla_{grade.lower()}"] for grade in Grade.values}
        return super().save(commit)


class AssignmentRuleForm(LabelledCells, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=StaffRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = AssignmentRule
        fields = ("position", "condition", "region", "conversation_type", "rating", "owner", "roles")

    def __init__(self, *args, staff=None, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff if staff is not None else StaffMember.objects.none()
        # People sharing a name are told apart by role and email (computed once for the formset).
        labels = labels or {}
        self.fields["owner"].label_from_instance = lambda member: labels.get(member.pk, member.display_name)


AssignmentRuleFormSet = inlineformset_factory(
    Sponsor, AssignmentRule, form=AssignmentRuleForm, formset=LabelledFormSet, extra=2, can_delete=True
)
