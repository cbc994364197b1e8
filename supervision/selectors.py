"""Reads for supervision, including "what may this user see" (one door per visibility rule).

Pages, the API and the exports all fetch supervision objects through these functions. An
unannounced visit (暗访) is left out of everything a unit user can reach until staff release its
report; that rule lives in `inspections_visible_to` and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import ExtractQuarter, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ActionNotFound
from suggestions.models import (
    DUE_SOON_DAYS,
    Assignment,
    Category,
    CongressSession,
    CoSigner,
    CoSignerStatus,
    Deadline,
    DeadlineKind,
    Evaluation,
    Rating,
    Suggestion,
)
from suggestions.selectors import keys_part_by_part, suggestions_participated_by

from .models import (
    COMMITTEE_MEMBER_ROLES,
    SUGGESTION_KINDS,
    Campaign,
    Committee,
    FollowUpAction,
    Inspection,
    InspectionKind,
    Instruction,
    KeySuggestion,
    MonthlyReport,
    SuggestionSupervisor,
)

# ---------------------------------------------------------------------------------------------
# Supervisors (used by the core's visibility rule and by the reminder sweep)


def supervised_suggestion_ids(user, *, with_categories: bool = True) -> QuerySet:
    """Ids of suggestions `user` supervises directly or as a leader (领衔督办) of a key item holding them.

    Used by the core's `suggestions_visible_to` for the supervisor role, so it stays a lazy subquery.
    It also holds the suggestions of the categories a committee the user belongs to supervises
    (SPEC section 12); the core asks it for deputies too, so a deputy on a professional group
    reads its field's suggestions. Staff members see everything anyway. The core's visibility rule
    asks `with_categories=False` and takes the committees' categories from `committee_category_list`
    as a condition on the suggestion's own category (`suggestions.visibility`).

    The committees' categories are read first (one small query): most readers sit on no committee,
    and then the clause is empty and drops out of their visibility query. As a subquery it was an
    OR over the whole suggestions table in every deputy's and unit's list (a sequential scan of
    10^6 rows per request, docs/benchmarks.md).
    """
    categories = committee_category_list(user) if with_categories else []
    if not user.is_supervisor:
        # A deputy has no supervisor links or led key items: only the committees' categories count.
        if not categories:
            return Suggestion.objects.none().values_list("id", flat=True)
        return Suggestion.objects.filter(category_id__in=categories).values_list("id", flat=True)
    # Each part by its own index (links by user, key items by leader, committees by category), in a
    # UNION, rather than an OR over joins that reads every suggestion.
    attached = SuggestionSupervisor.objects.filter(user=user).order_by().values_list("suggestion_id", flat=True)
    led = (
        KeySuggestion.suggestions.through.objects.filter(keysuggestion__leaders=user)
        .order_by()
        .values_list("suggestion_id", flat=True)
    )
    if not categories:
        return attached.union(led)
    followed = Suggestion.objects.filter(category_id__in=categories).order_by().values_list("id", flat=True)
    return attached.union(led, followed)


def committee_category_ids(user) -> QuerySet:
    """Ids of the categories the user's active committees supervise (a lazy subquery)."""
    return Committee.categories.through.objects.filter(committee__members=user, committee__active=True).values(
        "category_id"
    )


def committee_category_list(user) -> list[int]:
    """The categories a committee of the user supervises, with their sub-categories, as a list (one query
    on the small category and committee tables)."""
    if user is None or not user.is_authenticated or not (user.role in COMMITTEE_MEMBER_ROLES or user.is_superuser):
        # Handling units' people sit on no committee (`committees.committee_save` refuses them), so
        # their every list and page is spared this round trip.
        return []
    ids = committee_category_ids(user)
    return list(Category.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).values_list("pk", flat=True))


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


def supervisors_of(suggestion: Suggestion) -> QuerySet[SuggestionSupervisor]:
    return SuggestionSupervisor.objects.filter(suggestion=suggestion).select_related("user").order_by("id")


def can_supervise_suggestion(user, suggestion: Suggestion) -> bool:
    """Staff, a supervisor attached to it or leading a key item that holds it, or a member of a
    committee that follows its category (SPEC section 12)."""
    if user.is_office_staff:
        return True
    # Deputies qualify only as members of a committee following the suggestion's category.
    return (user.is_supervisor or user.is_deputy) and Suggestion.objects.filter(
        pk=suggestion.pk, pk__in=supervised_suggestion_ids(user)
    ).exists()


def can_supervise_key_item(user, item: KeySuggestion) -> bool:
    """Staff, or one of the item's supervising leaders (领衔督办)."""
    if user.is_office_staff:
        return True
    return user.is_supervisor and item.leaders.filter(pk=user.pk).exists()


# ---------------------------------------------------------------------------------------------
# Key items


def _own_suggestions(user) -> QuerySet:
    """Ids of suggestions a user takes part in as deputy or unit (not the public ones)."""
    if user.is_deputy:
        # The lead_deputy index UNION the co-signer index: the deputy's rows, not an OR over a join
        # that reads the whole table.
        led = Suggestion.objects.filter(lead_deputy=user).order_by().values_list("id", flat=True)
        cosigned = CoSigner.objects.filter(deputy=user, status=CoSignerStatus.CONFIRMED).order_by()
        return led.union(cosigned.values_list("suggestion_id", flat=True))
    if user.is_unit_user:
        return Assignment.objects.live().filter(unit_id=user.unit_id).values_list("suggestion_id", flat=True)
    return Suggestion.objects.none().values_list("id", flat=True)


def key_items_visible_to(user) -> QuerySet[KeySuggestion]:
    qs = KeySuggestion.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_supervisor:
        supervised = KeySuggestion.objects.filter(
            Q(leaders=user) | Q(suggestions__supervisor_links__user=user) | Q(committee_ref__members=user)
        ).values_list("id", flat=True)
        return qs.filter(pk__in=supervised)
    if user.is_deputy:
        mine = Q(suggestions__in=_own_suggestions(user)) | Q(committee_ref__members=user)
        return qs.filter(pk__in=KeySuggestion.objects.filter(mine).values("id"))
    if user.is_unit_user:
        return qs.filter(pk__in=KeySuggestion.objects.filter(suggestions__in=_own_suggestions(user)).values("id"))
    return qs.none()


def get_key_item_for(user, pk) -> KeySuggestion:
    try:
        return key_items_visible_to(user).get(pk=int(pk))
    except (KeySuggestion.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def key_item_content_type() -> ContentType:
    return ContentType.objects.get_for_model(KeySuggestion)


def key_item_deadlines(item: KeySuggestion) -> QuerySet[Deadline]:
    return Deadline.objects.filter(content_type=key_item_content_type(), object_id=item.pk).select_related("unit")


def blind_to_unreleased_unannounced(user) -> bool:
    """Who must not learn of a 暗访 before its report is released: units, and deputies (who would tell
    them). Staff and supervisors plan and make the visits."""
    return not (user.is_office_staff or user.is_supervisor)


def met_only_by_unreleased_unannounced() -> Q:
    """A quarterly-inspection deadline (一季一检查) that no inspection but an unreleased 暗访 has met.

    The stored fact stays true for staff (the inspection took place, no reminder is due); for the
    unit the deadline is shown as it stood before the visit until the report is released, so its
    state, the item's next due date and overdue count do not give the visit away. Only inspections
    of the item held in the deadline's quarter can meet it (see `_inspection_effects`).
    """
    visible_inspection = (
        Inspection.objects.filter(
            key_item_id=OuterRef("object_id"),
            held_on__year=ExtractYear(OuterRef("due_date")),
            held_on__quarter=ExtractQuarter(OuterRef("due_date")),
        )
        .exclude(kind__in=SUGGESTION_KINDS)
        .exclude(kind=InspectionKind.UNANNOUNCED, report_released_at__isnull=True)
    )
    return Q(kind=DeadlineKind.QUARTERLY_INSPECTION, satisfied_at__isnull=False) & ~Q(Exists(visible_inspection))


def key_item_deadlines_for(user, item: KeySuggestion) -> list[Deadline]:
    """The item's regime deadlines as `user` may know them (page and API), in date order."""
    qs = key_item_deadlines(item).order_by("due_date", "kind", "id")
    if not blind_to_unreleased_unannounced(user):
        return list(qs)
    rows: list[Deadline] = list(
        qs.annotate(hidden_met=ExpressionWrapper(met_only_by_unreleased_unannounced(), BooleanField()))
    )
    for deadline in rows:
        if deadline.hidden_met:
            deadline.satisfied_at = None  # in memory only: what the unit saw before the visit
    return rows


def unit_is_lead_on(item: KeySuggestion, unit_id: int | None) -> bool:
    """Whether the unit holds a live lead assignment on a suggestion of the item (writes 一月一情况)."""
    if unit_id is None:
        return False
    return Assignment.objects.live().filter(suggestion__key_items=item, unit_id=unit_id, role="lead").exists()


# The board's traffic light, derived from stored deadlines and reports (never stored):
# red    - an open regime deadline of the item is overdue;
# amber  - the next open deadline is due soon (`DUE_SOON_DAYS`, as everywhere), or no monthly report arrived in the
#          last REPORT_STALE_DAYS although the regime has run that long;
# green  - otherwise (including a completed item).
REPORT_STALE_DAYS = 40


@dataclass
class BoardRow:
    item: KeySuggestion
    next_due: dt.date | None
    overdue: int
    last_report_at: dt.datetime | None
    flag: str


def key_items_with_progress(user, *, today: dt.date | None = None) -> QuerySet[KeySuggestion]:
    """Visible key items annotated with next due date, overdue count and last report (board, list API)."""
    today = today or timezone.localdate()
    # An unreleased 暗访 met some deadlines; to a reader it must not show to, they still look open.
    still_open = Q(satisfied_at__isnull=True)
    if user is not None and user.is_authenticated and blind_to_unreleased_unannounced(user):
        still_open |= met_only_by_unreleased_unannounced()
    open_deadlines = Deadline.objects.filter(
        still_open,
        content_type=key_item_content_type(),
        object_id=OuterRef("pk"),
        cancelled_at__isnull=True,
    )
    return (
        key_items_visible_to(user)
        .annotate(
            next_due=Subquery(open_deadlines.order_by("due_date").values("due_date")[:1]),
            overdue=Subquery(
                open_deadlines.filter(due_date__lt=today)
                .order_by()
                .values("object_id")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            last_report_at=Subquery(
                MonthlyReport.objects.filter(key_item=OuterRef("pk"))
                .order_by("-submitted_at")
                .values("submitted_at")[:1]
            ),
        )
        .prefetch_related("leaders", Prefetch("suggestions", queryset=Suggestion.objects.select_related("session")))
        .order_by("-year", "id")
    )


def key_item_board(user, *, year: int | None = None, today: dt.date | None = None) -> list[BoardRow]:
    """The supervision board: visible key items with their flag, in a fixed number of queries."""
    today = today or timezone.localdate()
    qs = key_items_with_progress(user, today=today)
    if year:
        qs = qs.filter(year=year)
    return [
        BoardRow(
            item=item,
            next_due=item.next_due,
            overdue=item.overdue or 0,
            last_report_at=item.last_report_at,
            flag=board_flag(item, item.next_due, item.overdue or 0, item.last_report_at, today),
        )
        for item in qs
    ]


def board_flag(item, next_due, overdue, last_report_at, today: dt.date) -> str:
    if item.status == "completed":
        return "green"
    if overdue:
        return "red"
    if next_due is not None and (next_due - today).days <= DUE_SOON_DAYS:
        return "amber"
    stale_since = today - dt.timedelta(days=REPORT_STALE_DAYS)
    if item.regime_starts_on <= stale_since and (
        last_report_at is None or timezone.localdate(last_report_at) < stale_since
    ):
        return "amber"
    return "green"


def monthly_reports_visible_to(user, item: KeySuggestion) -> QuerySet[MonthlyReport]:
    """Reports of an item the user can see; a unit user sees only its own unit's reports."""
    qs = MonthlyReport.objects.filter(key_item=item).select_related("unit", "submitted_by")
    if user.is_unit_user:
        qs = qs.filter(unit_id=user.unit_id)
    return qs


def monthly_reports_of_visible_items(user) -> QuerySet[MonthlyReport]:
    """Reports of every key item the user can see; a unit user sees only its own unit's reports."""
    qs = MonthlyReport.objects.filter(key_item__in=key_items_visible_to(user))
    if user.is_unit_user:
        qs = qs.filter(unit_id=user.unit_id)
    return qs.select_related("unit").order_by("-period", "id")


def instructions_visible_to(user) -> QuerySet[Instruction]:
    """批示 on suggestions the user takes part in or key items the user can see, newest first."""
    visible = Instruction.objects.filter(suggestion__in=suggestions_participated_by(user)) | Instruction.objects.filter(
        key_item__in=key_items_visible_to(user)
    )
    return visible.select_related("author").order_by("-created_at", "-id")


# ---------------------------------------------------------------------------------------------
# Inspections


def inspections_visible_to(user) -> QuerySet[Inspection]:
    qs = Inspection.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_unit_user:
        # The one rule that keeps 暗访 secret: not before staff release its report.
        return qs.filter(units=user.unit_id).exclude(kind=InspectionKind.UNANNOUNCED, report_released_at__isnull=True)
    if user.is_supervisor:
        supervised = supervised_suggestion_ids(user)
        ids = Inspection.objects.filter(
            Q(participants=user)
            | Q(key_item__leaders=user)
            | Q(suggestion__in=supervised)
            | Q(key_item__suggestions__in=supervised)
        ).values("id")
        return qs.filter(pk__in=ids)
    if user.is_deputy:
        own = Q(kind__in=SUGGESTION_KINDS) & Q(suggestion__in=_own_suggestions(user))
        followed = Q(suggestion__in=supervised_suggestion_ids(user))  # a committee member's field
        return qs.filter(pk__in=Inspection.objects.filter(own | followed | Q(participants=user)).values("id"))
    return qs.none()


def inspection_list(user) -> QuerySet[Inspection]:
    """What list pages, list endpoints and exports show, in a fixed number of queries."""
    return (
        inspections_visible_to(user)
        .select_related("key_item", "suggestion", "suggestion__session", "created_by", "released_by")
        .prefetch_related("units", "participants", "follow_up_actions")
        .order_by("-held_on", "-id")
    )


def get_inspection_for(user, pk) -> Inspection:
    try:
        return inspection_list(user).get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def report_visible_to(user, inspection: Inspection) -> bool:
    """Findings and the written report reach a unit only once released; others see them as they are."""
    return not user.is_unit_user or inspection.report_released_at is not None


def follow_up_actions_visible_to(user) -> QuerySet[FollowUpAction]:
    qs = FollowUpAction.objects.select_related("inspection", "unit", "inspection__suggestion")
    if user.is_unit_user:
        # Actions become the unit's business when the report is released, never before.
        return qs.filter(unit_id=user.unit_id, inspection__report_released_at__isnull=False)
    return qs.filter(inspection__in=inspections_visible_to(user))


def follow_up_actions_with_state(user, today: dt.date) -> QuerySet[FollowUpAction]:
    """The actions the user may see, each with `is_overdue` read from the deadline it owns (opened
    when the report is released), the same record every other overdue figure reads."""
    owned = Deadline.objects.overdue(today).filter(
        content_type=ContentType.objects.get_for_model(FollowUpAction), object_id=OuterRef("pk")
    )
    return follow_up_actions_visible_to(user).annotate(is_overdue=Exists(owned))


def get_follow_up_action_for(user, pk) -> FollowUpAction:
    try:
        return follow_up_actions_visible_to(user).get(pk=int(pk))
    except (FollowUpAction.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    if user is not None and user.is_authenticated and (user.is_office_staff or user.is_supervisor):
        return Campaign.objects.all()
    return Campaign.objects.none()


def get_campaign_for(user, pk) -> Campaign:
    try:
        return campaigns_visible_to(user).get(pk=int(pk))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


# ---------------------------------------------------------------------------------------------
# Look-backs


def final_rating_unsatisfied(suggestion: Suggestion) -> bool:
    """The lead deputy's rating of the last rated round says unsatisfied on either dimension."""
    last = (
        Evaluation.objects.filter(suggestion=suggestion, is_lead=True)
        .order_by("-round", "-id")
        .values("attitude", "result")
        .first()
    )
    return bool(last) and Rating.UNSATISFIED in (last["attitude"], last["result"])


def look_back_due_for(suggestion: Suggestion) -> bool:
    """回头看 is due for every key suggestion and every suggestion finally rated unsatisfied."""
    return suggestion.key_items.exists() or final_rating_unsatisfied(suggestion)


def open_look_backs(suggestion: Suggestion) -> QuerySet[Deadline]:
    return Deadline.objects.open().filter(suggestion=suggestion, kind=DeadlineKind.LOOK_BACK)


# ---------------------------------------------------------------------------------------------
# Repeated suggestions (the same matter raised again in later years)


def repeat_chain(suggestion: Suggestion) -> list[Suggestion]:
    """Every suggestion linked to this one through `repeat_of`, earliest first, in two queries.

    One recursive query climbs to the first time the matter was raised and walks down again
    from there, so a long chain (the drainage station: ten years) costs the same as a short one.
    The depth guard stops a cycle entered by hand in the database from looping.
    """
    table = connection.ops.quote_name(Suggestion._meta.db_table)
    sql = f"""
        WITH RECURSIVE up(id, repeat_of_id, depth) AS (
            SELECT id, repeat_of_id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT s.id, s.repeat_of_id, up.depth + 1 FROM {table} s JOIN up ON s.id = up.repeat_of_id
            WHERE up.depth < 200
        ),
        down(id, depth) AS (
            SELECT id, 0 FROM up WHERE repeat_of_id IS NULL
            UNION ALL
            SELECT s.id, down.depth + 1 FROM {table} s JOIN down ON s.repeat_of_id = down.id
            WHERE down.depth < 200
        )
        SELECT DISTINCT id FROM down
    """  # noqa: S608 - the only interpolation is the quoted table name
    with connection.cursor() as cursor:
        cursor.execute(sql, [suggestion.pk])
        ids = [row[0] for row in cursor.fetchall()]
    if suggestion.pk not in ids:
        ids.append(suggestion.pk)
    return list(
        Suggestion.objects.filter(pk__in=ids).select_related("session").order_by("session__year", "created_at", "id")
    )


def repeat_summary(suggestion: Suggestion) -> dict:
    """{"count", "since_year", "last_year", "is_first", "chain"} for "raised N times since YEAR".

    The first of the chain reads "first raised in YEAR, N times in all up to LAST": "raised N times
    since YEAR" on the very suggestion that started it would say it was raised before itself.
    """
    chain = repeat_chain(suggestion)
    return {
        "count": len(chain),
        "since_year": chain[0].session.year,
        "last_year": chain[-1].session.year,
        "is_first": chain[0].pk == suggestion.pk,
        "chain": chain,
    }


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def _similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


REPEAT_CANDIDATE_POOL = 500
REPEAT_THRESHOLD = 0.3


def repeat_candidates(suggestion: Suggestion, *, limit: int = 5) -> list[tuple[Suggestion, float]]:
    """Earlier suggestions whose title and body are close to this one (the system's proposal).

    Character bigrams suit Chinese text without a word segmenter; the title weighs more than the
    body because deputies re-use the title when they raise a matter again. The pool is bounded
    to the most recent earlier suggestions so the page stays fast: the newest earlier session's
    latest ones first. No index orders suggestions by their session's year, so each earlier
    session is one walk of `sugg_session_created_id` stopping after the pool's size
    (`keys_part_by_part`), not a sort of every earlier suggestion (800,000 at 10^6).
    """
    chain_ids = {s.pk for s in repeat_chain(suggestion)}
    sessions = CongressSession.objects.filter(year__lt=suggestion.session.year).order_by("-year", "-term", "-number")
    keys = keys_part_by_part(
        Suggestion.objects.exclude(pk__in=chain_ids),
        [Q(session_id=session) for session in sessions.values_list("pk", flat=True)],
        ["-created_at", "-pk"],
        0,
        REPEAT_CANDIDATE_POOL,
    )
    # The pool is scored from its titles and the bodies' first 1,000 characters only; the few
    # proposals are then read whole.
    pool = Suggestion.objects.filter(pk__in=keys).values_list("pk", "title", Substr("body", 1, 1000), "session__year")
    title, body = _bigrams(suggestion.title), _bigrams(suggestion.body[:1000])
    scored = []
    for pk, other_title, other_body, year in pool:
        score = 0.7 * _similarity(title, _bigrams(other_title)) + 0.3 * _similarity(body, _bigrams(other_body))
        if score >= REPEAT_THRESHOLD:
            scored.append((pk, round(score, 2), year))
    scored.sort(key=lambda row: (-row[1], -row[2], -row[0]))
    best = scored[:limit]
    chosen = Suggestion.objects.select_related("session").in_bulk([pk for pk, _score, _year in best])
    return [(chosen[pk], score) for pk, score, _year in best if pk in chosen]


def deputy_invitations(user) -> QuerySet[Inspection]:
    """Look-backs, second acceptances and face-to-face meetings about a deputy's own suggestions."""
    return inspection_list(user).filter(kind__in=SUGGESTION_KINDS)


def pending_monthly_reports(user, today: dt.date | None = None) -> QuerySet[Deadline]:
    """A unit's open monthly-report deadlines, soonest first."""
    return (
        Deadline.objects.open()
        .filter(content_type=key_item_content_type(), kind=DeadlineKind.MONTHLY_REPORT, unit_id=user.unit_id)
        .select_related("suggestion")
        .order_by("due_date", "id")
    )


# ---------------------------------------------------------------------------------------------
# Instructions (批示) on the suggestion page


def takes_part_in(user, suggestion: Suggestion) -> bool:
    """The suggestion's deputies (lead, confirmed co-signers) and its live units."""
    if user is None or not user.is_authenticated:
        return False
    if not (user.is_deputy or user.is_unit_user):
        return False
    # _own_suggestions is a list of suggestion ids (from assignments for a unit), not suggestions.
    return Suggestion.objects.filter(pk=suggestion.pk, pk__in=_own_suggestions(user)).exists()


def instructions_on(suggestion: Suggestion) -> QuerySet:
    """Instructions on the suggestion itself and on the key items that hold it, newest first."""
    from .models import Instruction

    return (
        Instruction.objects.filter(Q(suggestion=suggestion) | Q(key_item__suggestions=suggestion))
        .select_related("author", "key_item")
        .distinct()
        .order_by("-created_at", "-id")
    )
