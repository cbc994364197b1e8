"""Reads for supervision, including "what may this user see" (one door per visibility rule)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from suggestions.models import Suggestion

from .models import KeySuggestion, SuggestionSupervisor


def supervised_suggestion_ids(user) -> QuerySet:
    """Ids of suggestions `user` supervises directly or as a leader (领衔督办) of a key item holding them.

    Used by the core's `suggestions_visible_to` for the supervisor role, so it stays a lazy subquery.
    """
    return (
        Suggestion.objects.filter(Q(supervisor_links__user=user) | Q(key_items__leaders=user))
        .values_list("id", flat=True)
        .distinct()
    )


def supervisor_ids_for_suggestions(suggestion_ids: Iterable[int]) -> dict[int, set[int]]:
    """suggestion id -> ids of its active supervisors (direct and key-item leaders), in two queries."""
    ids = list(suggestion_ids)
    result: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return {}
    direct = SuggestionSupervisor.objects.filter(suggestion_id__in=ids, user__is_active=True).values_list(
        "suggestion_id", "user_id"
    )
    for suggestion_id, user_id in direct:
        result[suggestion_id].add(user_id)
    leaders = KeySuggestion.leaders.through.objects.filter(
        keysuggestion__suggestions__in=ids, user__is_active=True
    ).values_list("keysuggestion__suggestions", "user_id")
    for suggestion_id, user_id in leaders:
        result[suggestion_id].add(user_id)
    return dict(result)
