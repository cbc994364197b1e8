"""Reads, and the one place that decides what each user may see (one door per visibility rule).

HTML views and the API both fetch through these; an object outside a user's view is a 404,
so its existence is not leaked.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionNotFound

from .models import (
    Assignment,
    AssignmentStatus,
    CoSigner,
    Deadline,
    Event,
    Reply,
    ReplyStatus,
    Suggestion,
    SuggestionStatus,
)

PUBLISHED_STATES = (
    SuggestionStatus.REPLIED,
    SuggestionStatus.REHANDLING,
    SuggestionStatus.FOLLOW_UP,
    SuggestionStatus.CLOSED,
)


def _public_q() -> Q:
    """Non-confidential suggestions with a released public reply (SPEC section 8)."""
    released_public = Reply.objects.filter(
        assignment__suggestion=OuterRef("pk"), status=ReplyStatus.RELEASED, public=True
    )
    return Q(confidential=False, status__in=PUBLISHED_STATES) & Q(Exists(released_public))


def published_suggestions() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(_public_q())


def _supervised_ids(user: User):
    try:
        from supervision.selectors import supervised_suggestion_ids
    except ImportError:  # the supervision app has not defined its links yet
        return Suggestion.objects.none().values_list("pk", flat=True)
    return supervised_suggestion_ids(user)


def suggestions_visible_to(user: User | None) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.all()
    if user is None or not user.is_authenticated:
        return qs.filter(_public_q())
    if user.is_office_staff:
        return qs
    if user.is_deputy:
        cosigned = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user)
        return qs.filter(Q(lead_deputy=user) | Q(Exists(cosigned)) | _public_q())
    if user.is_unit_user:
        # A unit sees what is assigned to it; once a return is approved it no longer does.
        held = Assignment.objects.filter(suggestion=OuterRef("pk"), unit_id=user.unit_id).exclude(
            status=AssignmentStatus.RETURNED
        )
        return qs.filter(Exists(held))
    if user.is_supervisor:
        return qs.filter(Q(pk__in=_supervised_ids(user)) | _public_q())
    return qs.none()


def own_suggestion_ids(user: User):
    """Ids of the suggestions a deputy leads or co-signs: `lead_deputy` index UNION the co-signer
    (deputy, suggestion) index, so a deputy's own list costs their rows, not the table's."""
    led = Suggestion.objects.filter(lead_deputy=user).order_by().values("pk")
    cosigned = CoSigner.objects.filter(deputy=user).order_by().values("suggestion_id")
    return led.union(cosigned)


def get_suggestion_for(user: User | None, pk: int | str) -> Suggestion:
    try:
        return suggestions_visible_to(user).select_related("session", "lead_deputy", "category").get(pk=int(pk))
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def assignments_visible_to(user: User | None) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related("unit", "suggestion")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_unit_user:
        return qs.filter(unit_id=user.unit_id).exclude(status=AssignmentStatus.RETURNED)
    return qs.filter(suggestion__in=suggestions_visible_to(user))


def get_assignment_for(user: User | None, pk: int | str) -> Assignment:
    try:
        return assignments_visible_to(user).get(pk=int(pk))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def events_visible_to(user: User | None, suggestion: Suggestion) -> QuerySet[Event]:
    qs = Event.objects.filter(suggestion=suggestion).select_related("actor").order_by("at", "id")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_unit_user:
        qs = qs.filter(hidden_from_units=False)
    return qs


def deadlines_visible_to(user: User | None) -> QuerySet[Deadline]:
    qs = Deadline.objects.select_related("unit", "suggestion", "suggestion__session", "assignment")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_unit_user:
        return qs.filter(unit_id=user.unit_id)
    if user.is_deputy:
        return qs.filter(Q(user=user) | Q(suggestion__lead_deputy=user))
    if user.is_supervisor:
        return qs.filter(suggestion_id__in=_supervised_ids(user))
    return qs.none()


# Below this many live assignments a unit's list is read from its own rows and sorted; above it
# the newest-first index is walked until a page is full (~ sqrt(page x table) is where they cross).
SMALL_UNIT_ROWS = 5000


def _newest_first_by_own_rows() -> list:
    """The default order, as an expression no index serves: PostgreSQL then reads the caller's own
    rows (by `assignment_unit_live_sugg`) and sorts them, instead of walking the whole table's
    `created_at` index for a unit holding 0.2 % of it (530 ms -> a few ms at 1M, docs/benchmarks.md)."""
    shifted = ExpressionWrapper(
        F("created_at") + Value(dt.timedelta(0), output_field=DurationField()), output_field=DateTimeField()
    )
    return [shifted.desc(), "-id"]


def suggestion_list(user: User | None) -> QuerySet[Suggestion]:
    """The list every page and endpoint shows: visible rows with what a row displays, in a fixed
    number of queries whatever the page size."""
    qs = suggestions_visible_to(user)
    if user is not None and user.is_authenticated and user.is_unit_user:
        live = Assignment.objects.filter(unit_id=user.unit_id).exclude(status=AssignmentStatus.RETURNED)
        if live.order_by().values("pk")[: SMALL_UNIT_ROWS + 1].count() <= SMALL_UNIT_ROWS:
            qs = qs.order_by(*_newest_first_by_own_rows())
    return qs.select_related("session", "category", "lead_deputy").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.exclude(status=AssignmentStatus.RETURNED)
            .select_related("unit")
            .order_by("role", "id"),
        ),
        Prefetch("cosignatures", queryset=CoSigner.objects.select_related("deputy")),
    )


def replies_visible_to(user: User | None, suggestion: Suggestion) -> QuerySet[Reply]:
    """Released replies for everyone who may see the suggestion; a unit also sees its own drafts."""
    qs = Reply.objects.filter(assignment__suggestion=suggestion).prefetch_related("commitments").order_by("round", "id")
    released = Q(status__in=[ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED], released_at__isnull=False)
    if user is not None and user.is_authenticated and user.is_office_staff:
        return qs
    if user is not None and user.is_authenticated and user.is_unit_user:
        return qs.filter(released | Q(assignment__unit_id=user.unit_id))
    if (
        user is None
        or not user.is_authenticated
        or not (user.pk == suggestion.lead_deputy_id or suggestion.cosignatures.filter(deputy=user).exists())
    ):
        return qs.filter(released, public=True)
    return qs.filter(released)
