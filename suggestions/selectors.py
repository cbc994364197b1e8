"""Reads, and the one place that decides what each user may see (one door per visibility rule).

HTML views and the API both fetch through these; an object outside a user's view is a 404,
so its existence is not leaked.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionNotFound

from .models import (
    Assignment,
    AssignmentStatus,
    CoSigner,
    CoSignerStatus,
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


def _committee_ids(user: User):
    """Seam for issue 15: ids of suggestions whose category a committee of `user` supervises.

    Members of the committee that supervises a suggestion's category are its participants
    (SPEC section 8). Committees do not exist yet, so this contributes nothing; when they land,
    return a lazy subquery here (or register it through the supervision visibility hook).
    """
    return None


def _participation_q(user: User) -> Q:
    """The participants' rule as one condition on Suggestion, for a signed-in user who is not staff."""
    q = Q(pk__in=[])
    if user.is_deputy:
        cosigned = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user).exclude(
            status=CoSignerStatus.DECLINED
        )
        q = Q(lead_deputy=user) | Q(Exists(cosigned))
    elif user.is_unit_user:
        # A unit sees what is assigned to it; once a return is approved it no longer does.
        held = Assignment.objects.live().filter(suggestion=OuterRef("pk"), unit_id=user.unit_id)
        q = Q(Exists(held))
    elif user.is_supervisor:
        q = Q(pk__in=_supervised_ids(user))
    committee = _committee_ids(user)
    if committee is not None:
        q |= Q(pk__in=committee)
    return q


def suggestions_participated_by(user: User | None) -> QuerySet[Suggestion]:
    """Suggestions whose whole internal record `user` may read (SPEC section 8, "participants").

    Lead deputy; co-signers who have not declined (an invited one must read the draft to decide);
    units holding a live assignment (not one whose return was approved); staff; supervisors
    attached to it or leading a key item that holds it; members of the supervising committee.
    Everyone else sees at most the public view of a published suggestion.
    """
    qs = Suggestion.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    return qs.filter(_participation_q(user))


def suggestion_participated_by(user: User | None, suggestion: Suggestion) -> bool:
    """Whether `user` is a participant of this one suggestion (one query, none for staff)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_office_staff:
        return True
    return suggestions_participated_by(user).filter(pk=suggestion.pk).exists()


def participation_checker(user: User | None) -> Callable[[Suggestion], bool]:
    """`suggestion -> is user a participant`, for serializing lists that mix the user's own
    suggestions with published ones; at most one query, run on first use."""
    if user is None or not user.is_authenticated:
        return lambda suggestion: False
    if user.is_office_staff:
        return lambda suggestion: True
    if user.is_unit_user:
        # Rows come with their live assignments (`with_row_relations`): no query.
        return lambda suggestion: any(a.unit_id == user.unit_id for a in suggestion.assignments.all())
    if user.is_deputy and _committee_ids(user) is None:
        # Rows come with their co-signatures: no query.
        return lambda suggestion: (
            suggestion.lead_deputy_id == user.pk
            or any(
                c.deputy_id == user.pk and c.status != CoSignerStatus.DECLINED for c in suggestion.cosignatures.all()
            )
        )
    ids: set[int] | None = None

    def check(suggestion: Suggestion) -> bool:
        nonlocal ids
        if ids is None:
            ids = set(suggestions_participated_by(user).values_list("pk", flat=True))
        return suggestion.pk in ids

    return check


def suggestions_visible_to(user: User | None) -> QuerySet[Suggestion]:
    """What a user finds in lists: the ones they take part in, and the published ones (public view)."""
    if user is None or not user.is_authenticated:
        return published_suggestions()
    if user.is_office_staff:
        return Suggestion.objects.all()
    if user.is_unit_user:
        # A unit's lists hold its own work; a published suggestion still opens for it (see below).
        return Suggestion.objects.filter(_participation_q(user))
    return Suggestion.objects.filter(_participation_q(user) | _public_q())


def get_suggestion_for(user: User | None, pk: int | str) -> Suggestion:
    """Fetch one suggestion the user may open: their own record, or any published one, whose public
    view everyone may see (units included); anything else is a 404."""
    if user is not None and user.is_authenticated and user.is_unit_user:
        found = Suggestion.objects.filter(_participation_q(user) | _public_q())
    else:
        found = suggestions_visible_to(user)
    try:
        return found.select_related("session", "lead_deputy", "category").get(pk=int(pk))
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def get_suggestion_participated_for(user: User | None, pk: int | str) -> Suggestion:
    """Fetch a suggestion for reading its internal record (timeline, evaluations, files...) or acting
    on it; anyone who is not a participant gets a 404, whether or not it is published."""
    try:
        return suggestions_participated_by(user).select_related("session", "lead_deputy", "category").get(pk=int(pk))
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
    return qs.filter(suggestion__in=suggestions_participated_by(user))


def get_assignment_for(user: User | None, pk: int | str) -> Assignment:
    try:
        return assignments_visible_to(user).get(pk=int(pk))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def events_visible_to(user: User | None, suggestion: Suggestion) -> QuerySet[Event]:
    qs = Event.objects.filter(suggestion=suggestion).select_related("actor").order_by("at", "id")
    if not suggestion_participated_by(user, suggestion):
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


def suggestion_list(user: User | None) -> QuerySet[Suggestion]:
    """The list every page and endpoint shows: visible rows with what a row displays, in a fixed
    number of queries whatever the page size."""
    return with_row_relations(suggestions_visible_to(user))


def with_row_relations(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """What a row (or one suggestion's representation) displays, in a fixed number of queries."""
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
    if not suggestion_participated_by(user, suggestion):
        return qs.filter(released, public=True)
    if user is not None and user.is_unit_user:
        return qs.filter(released | Q(assignment__unit_id=user.unit_id))
    return qs.filter(released)
