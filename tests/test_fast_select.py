"""The selects of the project's forms are written in Python (`common.forms.FastSelectMixin`), not
through one template per option; the HTML must be exactly Django's own (issue 13)."""

from __future__ import annotations

import copy

import pytest
from django import forms

from accounts.models import Unit
from common.forms import FastSelect, FastSelectMultiple, Form
from suggestions.forms import SuggestionFilterForm

pytestmark = pytest.mark.django_db


def stock(widget: forms.Widget) -> forms.Widget:
    """The same widget rendered by Django's templates."""
    plain = copy.copy(widget)
    plain.__class__ = widget.__class__.__mro__[2]  # FastSelect -> FastSelectMixin -> forms.Select
    return plain


class Everything(Form):
    single = forms.ChoiceField(
        choices=[("", "—"), ("a", "A & <b>"), ("Group", [("g1", '"quoted"'), ("g2", "二")]), (3, "three")],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y<"), ("z", "Z")], required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.order_by("pk"), required=False)


def test_fast_selects_write_exactly_what_djangos_templates_write(water, finance):
    for data in ({}, {"single": "g1", "many": ["x", "z"], "unit": str(finance.pk)}):
        form = Everything(data or None)
        form.fields["single"].widget.attrs.update({"disabled": True, "data-x": 'a"b', "hidden": False})
        for name in ("single", "many", "unit"):
            widget = form.fields[name].widget
            assert isinstance(widget, FastSelect | FastSelectMultiple)
            value = form[name].value()
            html = widget.render(name, value, {"id": f"id_{name}"})
            assert html == stock(widget).render(name, value, {"id": f"id_{name}"})
            assert "<option" in html


def test_the_list_filter_renders_its_units_fast_and_the_same(water, finance):
    form = SuggestionFilterForm({"unit": water.pk, "status": "handling"})
    assert form.is_valid()
    for name in ("unit", "status", "session", "category"):
        widget = form.fields[name].widget
        assert isinstance(widget, FastSelect)
        value = form[name].value()
        assert widget.render(name, value) == stock(widget).render(name, value)
    assert f'value="{water.pk}" selected' in str(form["unit"])
