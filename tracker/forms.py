"""Forms of the staff-facing pages."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from tracker.models import IcpCriterion, IdealCustomerProfile


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


class CriterionForm(forms.ModelForm):
    values = ListField(required=False, help_text="Comma-separated, e.g. vp, c_level")

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


CriterionFormSet = inlineformset_factory(
    IdealCustomerProfile, IcpCriterion, form=CriterionForm, extra=2, can_delete=True
)
