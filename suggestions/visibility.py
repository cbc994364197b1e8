"""Hooks through which other apps widen who may see a suggestion, without suggestions importing them.

The supervision app, for one, lets a supervisor see the suggestions they supervise. It registers a
provider here from its `AppConfig.ready()`; `selectors.suggestions_visible_to` asks every provider.
A provider takes a user and returns a lazy queryset of suggestion ids (a subquery, not a list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

Provider = Callable[[object], QuerySet]

_supervisor_providers: dict[str, Provider] = {}


def register_supervised_ids(name: str, provider: Provider) -> None:
    """Register `provider(user) -> ids of suggestions that user supervises` (idempotent by name)."""
    _supervisor_providers[name] = provider


def supervised_q(user, field: str = "pk") -> Q:
    """`field` is one of the suggestions some registered app says `user` supervises; none without providers."""
    q = Q(**{f"{field}__in": []})
    for provider in _supervisor_providers.values():
        q |= Q(**{f"{field}__in": provider(user)})
    return q
