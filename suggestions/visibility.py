"""Hooks through which other apps widen who may see a suggestion, without suggestions importing them.

The supervision app, for one, lets a supervisor see the suggestions they supervise. It registers a
provider here from its `AppConfig.ready()`; `selectors.suggestions_visible_to` asks every provider.
A provider takes a user and returns a lazy queryset of suggestion ids (a subquery, not a list).

A whole field followed (a committee's categories) is registered apart, as a list of category
ids: it becomes a condition on the suggestion's own `category_id`, tested row by row, instead of a
subquery of every suggestion of the field (166,000 ids hashed per request at 10^6).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

Provider = Callable[[object], QuerySet]
CategoryProvider = Callable[[object], list[int]]

_supervisor_providers: dict[str, Provider] = {}
_category_providers: dict[str, CategoryProvider] = {}


def register_supervised_ids(name: str, provider: Provider) -> None:
    """Register `provider(user) -> ids of suggestions that user supervises` (idempotent by name)."""
    _supervisor_providers[name] = provider


def register_supervised_categories(name: str, provider: CategoryProvider) -> None:
    """Register `provider(user) -> ids of the categories whose every suggestion that user supervises`
    (idempotent by name)."""
    _category_providers[name] = provider


def supervised_q(user, field: str = "pk") -> Q:
    """`field` is one of the suggestions some registered app says `user` supervises; none without providers.

    `field` is "pk" on Suggestion or a foreign key to it ("suggestion_id") on another model."""
    q = Q(**{f"{field}__in": []})
    for provider in _supervisor_providers.values():
        q |= Q(**{f"{field}__in": provider(user)})
    category_field = "category_id" if field == "pk" else f"{field.removesuffix('_id')}__category_id"
    for category_provider in _category_providers.values():
        categories = category_provider(user)
        if categories:
            q |= Q(**{f"{category_field}__in": categories})
    return q
