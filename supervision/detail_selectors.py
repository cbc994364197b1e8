"""Reads behind the supervision pages and API views that are not visibility rules themselves.

Visibility stays in `selectors` (every function here starts from one of its querysets or from an
object the caller already fetched through it); the views and API views call these and render.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from suggestions.models import Suggestion
from suggestions.selectors import suggestions_participated_by, suggestions_visible_to

from . import selectors
from .models import Campaign, Inspection, InspectionKind, Instruction, KeySuggestion, Milestone, SuggestionSupervisor

# --- a key item's page -------------------------------------------------------------------------


def key_item_suggestions(item: KeySuggestion, user) -> QuerySet[Suggestion]:
    """The item's suggestions that `user` may open: a unit or deputy of one of them does not learn
    the titles of the others (issue 12: every list of suggestions goes through its reader's view)."""
    return (
        item.suggestions.filter(pk__in=suggestions_visible_to(user).values("pk"))
        .select_related("session", "lead_deputy")
        .order_by("id")
    )


def key_item_records(item: KeySuggestion) -> dict[str, QuerySet]:
    """What a key item's page lists of the item itself: its leaders, work-plan milestones, half-year
    reports and year-end results (the caller may see the item; each a lazy queryset)."""
    return {
        "leaders": item.leaders.all(),
        "milestones": item.milestones.all(),
        "half_year_reports": item.half_year_reports.all(),
        "year_end_results": item.year_end_results.all(),
    }


def open_milestones(item: KeySuggestion) -> QuerySet[Milestone]:
    """The milestones of the work plan not yet done, nearest target first."""
    return item.milestones.filter(done_at__isnull=True).order_by("target_date", "id")


def campaign_links(campaign: Campaign) -> dict[str, list]:
    """The key items and suggestions a campaign covers, for its edit form."""
    return {"key_items": list(campaign.key_items.all()), "suggestions": list(campaign.suggestions.all())}


def key_item_links(item: KeySuggestion) -> dict[str, list]:
    """The suggestions and leaders of a key item, for its edit form."""
    return {"suggestions": list(item.suggestions.all()), "leaders": list(item.leaders.all())}


def instructions_on(subject: KeySuggestion | Suggestion) -> QuerySet[Instruction]:
    """The leaders' instructions on a key item or a suggestion (the caller may see the subject)."""
    return subject.instructions.select_related("author")


def year_end_forms_count(item: KeySuggestion) -> int:
    return item.year_end_scores.filter(year=item.year).count()


def milestone_of(item: KeySuggestion, pk) -> Milestone | None:
    return Milestone.objects.filter(key_item=item, pk=pk).first()


# --- inspections -------------------------------------------------------------------------------


def inspections_for(
    user,
    *,
    kind: str | None = None,
    key_item: KeySuggestion | None = None,
    suggestion: Suggestion | None = None,
    released_only: bool = False,
) -> QuerySet[Inspection]:
    """`selectors.inspection_list` narrowed to one kind, key item or suggestion, or to released reports."""
    qs = selectors.inspection_list(user)
    if kind:
        qs = qs.filter(kind=kind)
    if key_item is not None:
        qs = qs.filter(key_item=key_item)
    if suggestion is not None:
        qs = qs.filter(suggestion=suggestion)
    if released_only:
        qs = qs.filter(report_released_at__isnull=False)
    return qs


def follow_up_actions_on(inspection: Inspection, user) -> list:
    """The follow-up actions of an inspection the user may see: a unit its own, once the report is
    released (the same rule as `selectors.follow_up_actions_visible_to`); the rest of the readers
    of the inspection all of them."""
    actions = list(inspection.follow_up_actions.all())
    if user.is_unit_user:
        return [a for a in actions if a.unit_id == user.unit_id and inspection.released]
    return actions


def meetings_for(user) -> QuerySet[Inspection]:
    return inspections_for(user, kind=InspectionKind.FACE_TO_FACE)


# --- a suggestion's supervision ------------------------------------------------------------------


def key_items_of_suggestion(user, suggestion: Suggestion) -> QuerySet[KeySuggestion]:
    return selectors.key_items_visible_to(user).filter(suggestions=suggestion)


def supervisor_link(suggestion: Suggestion, pk) -> SuggestionSupervisor | None:
    return SuggestionSupervisor.objects.filter(suggestion=suggestion, pk=pk).select_related("user").first()


def supervisor_links_visible_to(user) -> QuerySet[SuggestionSupervisor]:
    """Supervisor links on the suggestions the user takes part in."""
    return (
        SuggestionSupervisor.objects.filter(suggestion__in=suggestions_participated_by(user))
        .select_related("user")
        .order_by("id")
    )


def visible_suggestions_by_id(user, ids: Iterable[int]) -> dict[int, Suggestion]:
    """The suggestions among `ids` the user may see, by id (with their session)."""
    return {x.pk: x for x in suggestions_visible_to(user).filter(pk__in=list(ids)).select_related("session")}


def visible_suggestion_ids(user, ids: Iterable[int]) -> set[int]:
    return set(suggestions_visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


# --- campaigns ---------------------------------------------------------------------------------


def campaigns_with_key_items(user) -> QuerySet[Campaign]:
    """The campaigns page: each campaign with its key items and its suggestions (with their session)."""
    return selectors.campaigns_visible_to(user).prefetch_related(
        "key_items", Prefetch("suggestions", queryset=Suggestion.objects.select_related("session"))
    )


def campaigns_with_members(user) -> QuerySet[Campaign]:
    """Campaigns with their key items and suggestions (the API's representation)."""
    return selectors.campaigns_visible_to(user).prefetch_related("key_items", "suggestions")
