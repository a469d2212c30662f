"""What the forms of the staff-facing pages share: formset rows named for assistive technology,
comma-separated lists, and the action on the ticked rows of a table."""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet

from tracker.exports.kinds import LEAD_EXPORTS
from tracker.models import StaffMember
from tracker.models.choices import FollowUpStatus


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
