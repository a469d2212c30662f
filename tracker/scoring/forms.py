"""The ICP editor's forms: the grade thresholds and one row per criterion."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from tracker.lists.forms import LabelledCells, LabelledFormSet, ListField
from tracker.models import IcpCriterion, IdealCustomerProfile
from tracker.scoring import vocabulary


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
