"""Forms of follow-ups: a status change, the sponsor's policy and its assignment rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory

from tracker.lists.forms import LabelledCells, LabelledFormSet
from tracker.models import AssignmentRule, FollowUpPolicy, Sponsor, StaffMember
from tracker.models.choices import FollowUpStatus, Grade, StaffRole
from tracker.models.money import CURRENCY_CHOICES


class FollowUpStatusForm(forms.Form):
    """A quick status change from an owner's list or a lead page, with the opportunity when there is one."""

    status = forms.ChoiceField(choices=FollowUpStatus.choices)
    note = forms.CharField(required=False, max_length=300)
    opportunity_amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    opportunity_currency = forms.ChoiceField(required=False, choices=[("", "—"), *CURRENCY_CHOICES])
    # Sent by a form that shows the stored amount (the lead page): there, an amount left blank clears it.
    opportunity_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        amount, currency = data.get("opportunity_amount"), data.get("opportunity_currency")
        if amount is not None and not currency:
            self.add_error("opportunity_currency", "Give the amount's currency.")
        # A currency alone (the list pre-selects the sponsor's) means no amount was given: nothing to store.
        return data

    def opportunity(self) -> tuple[Decimal | None, str] | None:
        """(amount, currency) to store, (None, "") to clear it (blanked where it was shown), or None to leave
        the stored opportunity as it is."""
        amount = self.cleaned_data.get("opportunity_amount")
        if amount is None:
            return (None, "") if self.cleaned_data.get("opportunity_shown") else None
        return amount, self.cleaned_data["opportunity_currency"]


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
