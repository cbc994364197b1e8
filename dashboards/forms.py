"""Input of the dashboards: the period (web and API alike) and the targets/weights form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from common.errors import ActionInvalid
from suggestions.models import CongressSession

from . import metrics as m
from .models import METRIC_DEFAULTS, Metric

FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2200, 12, 31)


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2200)
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=CongressSession.objects.all(), required=False, empty_label=_("All sessions")
    )
    # Bounded like the year, so date arithmetic (the day after the range) never overflows.
    date_from = forms.DateField(
        label=_("Assigned from"), required=False, validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
    )
    date_to = forms.DateField(
        label=_("Assigned to"), required=False, validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data

    def period(self, default_year: int | None) -> m.Period:
        """The period asked for; with nothing asked, the default year."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        year, session = data.get("year"), data.get("session")
        start, end = data.get("date_from"), data.get("date_to")
        if year is None and session is None and start is None and end is None:
            year = default_year
        return m.Period(year=year, session_id=session.pk if session else None, date_from=start, date_to=end)


def period_from_query(params, default_year: int | None) -> tuple[PeriodForm, m.Period]:
    form = PeriodForm({k: v for k, v in params.items() if k in PeriodForm.base_fields and v != ""})
    return form, form.period(default_year)


def period_or_400(params, default_year: int | None) -> m.Period:
    """API flavour: a bad period is a 400 naming the field."""
    form, period = period_from_query(params, default_year)
    if not form.is_valid():
        raise ActionInvalid(
            str(_("Invalid period.")), {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
        )
    return period


class SettingsForm(forms.Form):
    """Targets (as percentages on the page, stored as fractions) and weights of each metric."""

    small_sample = forms.IntegerField(label=_("Small sample below"), min_value=0, max_value=10000)

    def __init__(self, *args, settings=None, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in METRIC_DEFAULTS:
            label = Metric(metric).label
            self.fields[f"{metric}__weight"] = forms.DecimalField(
                label=_("%(metric)s: weight") % {"metric": label}, min_value=0, max_value=1000, decimal_places=2
            )
            self.fields[f"{metric}__green_at"] = forms.DecimalField(
                label=_("%(metric)s: green at (%%)") % {"metric": label}, min_value=0, max_value=100, decimal_places=2
            )
            self.fields[f"{metric}__amber_at"] = forms.DecimalField(
                label=_("%(metric)s: amber at (%%)") % {"metric": label}, min_value=0, max_value=100, decimal_places=2
            )
        if settings is not None and not self.is_bound:
            self.initial["small_sample"] = settings.small_sample
            for metric in METRIC_DEFAULTS:
                self.initial[f"{metric}__weight"] = settings.weights[metric]
                self.initial[f"{metric}__green_at"] = settings.green_at[metric] * 100
                self.initial[f"{metric}__amber_at"] = settings.amber_at[metric] * 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for metric in METRIC_DEFAULTS:
            green, amber = data.get(f"{metric}__green_at"), data.get(f"{metric}__amber_at")
            if green is not None and amber is not None and amber > green:
                self.add_error(f"{metric}__amber_at", _("The amber threshold cannot be above the green one."))
        return data

    def rows(self):
        """The fields grouped per metric, for a table layout."""
        return [
            (Metric(metric).label, self[f"{metric}__weight"], self[f"{metric}__green_at"], self[f"{metric}__amber_at"])
            for metric in METRIC_DEFAULTS
        ]

    def metrics_payload(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            metric: {
                "weight": data[f"{metric}__weight"],
                "green_at": data[f"{metric}__green_at"] / 100,
                "amber_at": data[f"{metric}__amber_at"] / 100,
            }
            for metric in METRIC_DEFAULTS
        }
