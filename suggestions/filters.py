"""Filters of the suggestion and deadline lists, one set for the API, the staff and deputies' pages and the
public list (the HTML forms build these parameters). Unknown booleans are a 400 naming the parameter."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.api import FilterSet, IdFilter, IntegerFilter

from . import selectors
from .models import OPEN_DEADLINE, Assignment, Deadline, DeadlineKind, Suggestion
from .search import suggestions_search


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or 1/0, yes/no); anything else is a 400 naming the parameter.

    django-filter's default field turns an unknown value into "no filter", so `overdue=ture`
    would silently list everything.
    """

    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value in (None, "") else value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass

    def clean_or_none(self, value) -> bool | None:
        """The value, or None where it is missing or not a boolean (the filter answers that with a 400)."""
        try:
            return self.to_python(value)
        except forms.ValidationError:
            return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The default widgets also map unknown values to None before the field sees them.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


STRICT_BOOLEANS = {models.BooleanField: {"filter_class": StrictBooleanFilter}}


def _overdue_reply_q(today) -> Q:
    overdue = Deadline.objects.overdue(today).filter(
        suggestion=OuterRef("pk"),
        kind__in=[DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY, DeadlineKind.SIGN, DeadlineKind.OPINION],
    )
    return Q(Exists(overdue))


# `deadlines/?due_within=N`: up to ten years ahead; more is a 400 naming the parameter.
MAX_DUE_WITHIN_DAYS = 3660


class SearchLastMixin:
    """Applies `search` after every other filter: a search keeps a bounded window of the newest
    matches (`search.SEARCH_WINDOW`), which must be taken among the rows the other filters keep."""

    def filter_queryset(self, queryset):
        cleaned = dict(self.form.cleaned_data)
        text = cleaned.pop("search", None)
        for name, value in cleaned.items():
            queryset = self.filters[name].filter(queryset, value)
        if "search" in self.filters:
            queryset = self.filters["search"].filter(queryset, text)
        return queryset


class SuggestionFilter(SearchLastMixin, FilterSet):
    # `status IN (…)` cannot repeat a row; django-filter's default DISTINCT made PostgreSQL walk the
    # primary key to de-duplicate and the page fall back to OFFSET (376 ms at 1M, docs/benchmarks.md).
    status = django_filters.MultipleChoiceFilter(choices=Suggestion._meta.get_field("status").choices, distinct=False)
    unit = IdFilter(method="filter_unit", label="unit id")
    overdue = StrictBooleanFilter(method="filter_overdue")
    search = django_filters.CharFilter(method="filter_search")
    mine = StrictBooleanFilter(method="filter_mine", label="only the caller's own (deputies)")

    class Meta:
        model = Suggestion
        fields = ["status", "session", "category", "confidential"]
        filter_overrides = STRICT_BOOLEANS

    def filter_unit(self, qs, name, value):
        held = Assignment.objects.live().filter(suggestion=OuterRef("pk"), unit_id=value)
        return selectors.newest_first_for_unit(qs.filter(Exists(held)), value)

    def filter_overdue(self, qs, name, value):
        q = _overdue_reply_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)

    def filter_search(self, qs, name, value):
        # Chinese words after segmentation, all of them, any order; ranked unless `ordering` is given.
        return suggestions_search(
            qs, user=getattr(self.request, "user", None), text=value, rank=not self.data.get("ordering")
        )

    def filter_mine(self, qs, name, value):
        user = self.request.user
        if not value or not user.is_authenticated or isinstance(qs, selectors.OwnSuggestions):
            # The list already narrowed a deputy's visibility to their own rows: the same UNION
            # again doubled the page's planning (6 ms under load at 1M).
            return qs
        return qs.filter(pk__in=selectors.own_suggestion_ids(user))


class DeadlineFilter(FilterSet):
    overdue = StrictBooleanFilter(method="filter_overdue")
    due_within = IntegerFilter(
        method="filter_due_within", label="open and due within N days", min_value=0, max_value=MAX_DUE_WITHIN_DAYS
    )
    open = StrictBooleanFilter(method="filter_open")

    class Meta:
        model = Deadline
        fields = ["unit", "kind", "suggestion", "assignment", "party"]
        filter_overrides = STRICT_BOOLEANS

    def filter_overdue(self, qs, name, value):
        today = timezone.localdate()
        return qs.overdue(today) if value else qs.exclude(OPEN_DEADLINE & Q(due_date__lt=today))

    def filter_due_within(self, qs, name, value):
        # The filter itself refuses anything but a whole number from 0 to MAX_DUE_WITHIN_DAYS (a 400).
        return qs.due_within(timezone.localdate(), int(value))

    def filter_open(self, qs, name, value):
        return qs.open() if value else qs.closed()
