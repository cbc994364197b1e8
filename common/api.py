"""API input that can never become a 500: a JSON parser that refuses absurd nesting, and integer
query filters bounded to what PostgreSQL can store.

Used through the settings (`DEFAULT_PARSER_CLASSES`, `DEFAULT_FILTER_BACKENDS`) and by the apps'
own FilterSets (`FilterSet`, `IdFilter`, `IntegerFilter`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import django_filters
from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# PostgreSQL bigint: every id column and the widest integer column.
BIGINT_MAX = 2**63 - 1
# Deeper than any body this API takes (the deepest is a key item's follow-up actions: 3 levels).
MAX_JSON_DEPTH = 32


def _depth(value, limit: int) -> int:
    """Nesting depth of a decoded JSON value, without recursion; stops counting past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class SafeJSONParser(JSONParser):
    """JSON bodies nested too deep are a 400, not a RecursionError (a 500) in the decoder."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply.")) from None
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON parse error - nested too deeply."))
        return data


class IntegerField(forms.IntegerField):
    """An integer form field that never lets a value through which the database cannot hold."""

    def __init__(self, *args, min_value=-BIGINT_MAX - 1, max_value=BIGINT_MAX, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within the bigint range (or tighter bounds): `1.5`, `1e5` or 40 digits are a 400
    naming the parameter. django-filter's NumberFilter takes any decimal and truncates it."""

    field_class = IntegerField


class IdFilter(IntegerFilter):
    """An object id: a whole number from 1 to the largest bigint."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallIntegerField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


class FilterSet(RestFilterSet):
    """The API's FilterSet: integer columns filter through the bounded IntegerFilter.

    Its form class is built once per FilterSet class (`get_form_class`), not on every request: the
    fields come from the declared filters alone, unless a filter takes its choices from the request
    (a callable `queryset`), and each form still deep-copies its fields. Building it made up about
    a third of a filtered list's FilterSet (1.4 ms a request at 10^6, docs/benchmarks.md)."""

    FILTER_DEFAULTS = {
        **RestFilterSet.FILTER_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
    }

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own `__init__`, but with each declared filter copied shallowly rather than
        # deep-copied for every FilterSet (every request): a filter's per-FilterSet state is its
        # `model`, its `parent` and, for a method filter, the method bound to it, which are set on
        # the copies; its options are read, never changed.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model, filter_.parent = queryset.model, self
            if filter_.method is not None:
                # A method filter calls through an object bound to its filter: bind the copy's own.
                filter_.method = filter_.method

    def get_form_class(self):
        cls = type(self)
        form = _form_classes.get(cls)
        if form is None:
            form = super().get_form_class()
            if not any(callable(getattr(f, "queryset", None)) for f in self.filters.values()):
                _form_classes[cls] = form
        return form


_form_classes: dict[type, type] = {}


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose `filterset_fields` FilterSets are built on the bounded FilterSet.

    A request that names none of the filters (`?page_size=50`) skips building and validating the
    FilterSet: with nothing to filter it returns the queryset unchanged anyway, and its form cost a
    list request more than its whole page query (docs/benchmarks.md)."""

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(request.query_params, filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


def names_a_filter(params: Mapping, filters: Mapping) -> bool:
    """Whether a query parameter is a filter's (or one of its parts', `name_min`, `name_after`…)."""
    return any(key == name or key.startswith(f"{name}_") for key in params for name in filters)


def request_object(request) -> Mapping:
    """The request body as a mapping, or a 400: a JSON list or scalar where an object is expected is bad
    input, not a server error."""
    from rest_framework.exceptions import ValidationError

    if not isinstance(request.data, Mapping):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    return request.data
