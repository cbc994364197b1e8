"""Web forms for consultations and plans: shapes only; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from common.forms import DateInput, Form


class ConsultForm(Form):
    unit = forms.ModelChoiceField(
        label=_("Unit to consult"), queryset=Unit.objects.filter(active=True).order_by("name")
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The unit sees your draft as it stands now and answers within five working days."),
    )


class AnswerForm(Form):
    answer = forms.CharField(label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class PlanForm(Form):
    summary = forms.CharField(label=_("Plan"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    meeting_on = forms.DateField(label=_("Special meeting on receipt"), required=False, widget=DateInput())
    meeting_notes = forms.CharField(
        label=_("Meeting notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(Form):
    description = forms.CharField(label=_("Step"), max_length=500, required=False)
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100, required=False)
    division = forms.CharField(label=_("Division"), max_length=100, required=False)
    milestone_on = forms.DateField(label=_("Milestone date"), required=False, widget=DateInput())

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(k) for k in ("description", "responsible_person", "division", "milestone_on"))

    def clean(self):
        data = super().clean()
        if not self.is_blank():
            for name in ("description", "responsible_person", "milestone_on"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        return data


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=50)


class DeliveryForm(Form):
    delivered = forms.TypedChoiceField(
        label=_("Was it delivered?"),
        choices=[("yes", _("Delivered")), ("no", _("Not delivered"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when it was not delivered: say what is missing."),
    )
