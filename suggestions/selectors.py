"""Reads, and the one place that decides what each user may see (one door per visibility rule).

HTML views and the API both fetch through these; an object outside a user's view is a 404,
so its existence is not leaked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection
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
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from accounts.models import User
from common.db import RelatedRowsJSON, json_date, json_datetime, json_rows
from common.errors import ActionNotFound
from common.pagination import forget_estimates

from .models import (
    PUBLISHED_STATUSES,
    REPLY_DEADLINE_KINDS,
    RETURNED_ASSIGNMENT,
    Assignment,
    Commitment,
    CongressSession,
    Contact,
    CoSigner,
    CoSignerStatus,
    Deadline,
    Event,
    Reply,
    ReplyStatus,
    Suggestion,
    session_label,
)
from .visibility import supervised_q

PUBLISHED_STATES = PUBLISHED_STATUSES


# A published reply: the unit's current released reply, marked public (SPEC section 8).
PUBLISHED_REPLY = Q(status=ReplyStatus.RELEASED, public=True)


def published_reply_exists_q() -> Q:
    """On Suggestion: a reply of it is published, asked of the replies themselves. The rule that
    `Suggestion.has_published_reply` stores (the database's triggers keep it; the tests compare the
    two after every kind of change)."""
    return Q(Exists(Reply.objects.filter(PUBLISHED_REPLY, assignment__suggestion=OuterRef("pk"))))


def _public_q() -> Q:
    """Non-confidential suggestions with a released public reply (SPEC section 8): three columns
    of the suggestion, so a list walking an index in its order stops after the rows it needs, and
    the public list walks `sugg_published_session_number` alone (asking each walked row for its
    replies read 10,000 rows' replies for page 500 of the public list)."""
    return Q(confidential=False, status__in=PUBLISHED_STATES, has_published_reply=True)


def published_suggestions() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(_public_q())


def published_suggestion_list() -> QuerySet[Suggestion]:
    """The public list and detail: published suggestions with their live units, lead units first."""
    live = Assignment.objects.live().select_related("unit").order_by("-role", "id")  # "lead" sorts after "co"
    return (
        published_suggestions()
        .select_related("session", "category", "lead_deputy")
        .prefetch_related(Prefetch("assignments", queryset=live))
        .order_by("-session__year", "-session__term", "-session__number", "number", "id")
    )


def open_data_suggestions(*, with_replies: bool = False) -> QuerySet[Suggestion]:
    """The open-data rows (SPEC section 8): the public list with its confirmed co-signers and, for one
    suggestion, its public replies (`assignments__replies`), in a fixed number of queries."""
    confirmed = CoSigner.objects.filter(status=CoSignerStatus.CONFIRMED).select_related("deputy").order_by("id")
    qs = published_suggestion_list().prefetch_related(
        Prefetch("cosignatures", queryset=confirmed, to_attr="confirmed_cosigners")
    )
    if with_replies:
        replies = (
            Reply.objects.filter(PUBLISHED_REPLY)
            .select_related("assignment__unit")
            .order_by("-assignment__role", "assignment_id", "round")
        )
        qs = qs.prefetch_related(Prefetch("assignments__replies", queryset=replies))
    return qs


def open_data_replies() -> QuerySet[Reply]:
    """The open-data reply list, newest released first."""
    return (
        Reply.objects.filter(PUBLISHED_REPLY, assignment__suggestion__in=published_suggestions())
        .select_related("assignment__unit")
        .order_by("-released_at", "-id")
    )


def keys_part_by_part(queryset: QuerySet, parts: list[Q], order: list[str], offset: int, limit: int) -> list[int]:
    """The primary keys of rows `offset .. offset + limit` of `queryset` in the order "the rows of
    `parts[0]` first, then `parts[1]`, …, each by `order`".

    Each part is one walk of at most `offset + limit` rows, so an index holding a part in `order`
    serves it and a page costs its depth, not the whole set. The first part is read alone: when it
    holds the whole page (page 500 of the public list lies in the newest session) no other part is
    read; otherwise the others follow in one `UNION ALL` (each ranked by its place), each walking
    only as far as what the first left to read. So one read, or two. Used where a list is ordered
    by a column of a joined table (the session), which no index on the list's own table can serve."""
    if not parts:
        return []
    base = queryset.order_by().prefetch_related(None).select_related(None)
    fields = ["pk", "rank", *(f.lstrip("-") for f in order if f.lstrip("-") != "pk")]

    def part(rank: int, depth: int):
        return base.filter(parts[rank]).annotate(rank=Value(rank)).order_by(*order).values(*fields)[:depth]

    need = offset + limit
    rows = list(part(0, need))
    rest = range(1, len(parts))
    if len(rows) >= need or not rest:
        pass
    elif not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the embedded default) refuses LIMIT inside a UNION: the parts are read one by one,
        # in the same order, until the page is full; end-to-end they are the same rows.
        for rank in rest:
            rows += part(rank, need - len(rows))
            if len(rows) >= need:
                break
    else:
        depth = need - len(rows)
        queries = [part(rank, depth) for rank in rest]
        rows += queries[0].union(*queries[1:], all=True).order_by("rank", *order)[:depth] if queries[1:] else queries[0]
    return [row["pk"] for row in rows[offset:need]]


def published_page_keys(queryset: QuerySet[Suggestion], offset: int, limit: int) -> list[int]:
    """The primary keys of rows `offset .. offset + limit` of a public list (`queryset`: published
    suggestions, maybe filtered, from `published_suggestions`), in the public
    list's order: newest session first, then by number.

    No index can serve an order by the session's year through a join, so sorting the whole public
    set (800,000 rows at 1M) was the page's cost. Sessions are few: each session's part is one
    ordered walk of `sugg_published_session_number` (`keys_part_by_part`)."""
    sessions = CongressSession.objects.order_by("-year", "-term", "-number").values_list("pk", flat=True)
    parts = [Q(session_id=session) for session in sessions]
    return keys_part_by_part(queryset, parts, ["number", "pk"], offset, limit)


def published_replies(suggestion: Suggestion) -> QuerySet[Reply]:
    """What the public reads of a suggestion: its published replies, lead unit first, by round."""
    return (
        Reply.objects.filter(PUBLISHED_REPLY, assignment__suggestion=suggestion)
        .select_related("assignment__unit")
        .order_by("-assignment__role", "assignment_id", "round")
    )


def confirmed_co_signers(suggestion: Suggestion) -> list[User]:
    return [c.deputy for c in suggestion.cosignatures.filter(status=CoSignerStatus.CONFIRMED).select_related("deputy")]


def participation_q(user: User, supervised: Q | None = None) -> Q:
    """The participants' rule as one condition on Suggestion, for a signed-in user who is not staff;
    `supervised` is `supervised_q(user)` where the caller has read it already (the detail page)."""
    q = Q(pk__in=[])
    if user.is_deputy:
        cosigned = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user).exclude(
            status=CoSignerStatus.DECLINED
        )
        # The deputies of a suggestion merged into this one (并案) follow their matter here.
        q = Q(lead_deputy=user) | Q(Exists(cosigned)) | _merged_from_q(user)
    elif user.is_unit_user:
        # A unit sees what is assigned to it; once a return is approved it no longer does.
        held = Assignment.objects.live().filter(suggestion=OuterRef("pk"), unit_id=user.unit_id)
        q = Q(Exists(held))
    # Supervisors attached to it, key-item leaders, members of the supervising committee: the apps that
    # know them register a provider (suggestions.visibility); any role may be such a participant.
    return q | (supervised_q(user) if supervised is None else supervised)


_participation_q = participation_q


def public_q() -> Q:
    """The public rule (`_public_q`), for the detail page's one query."""
    return _public_q()


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
    """`suggestion -> is user a participant`, for one suggestion's representation (a list asks
    `participated_among` once for its page): no query for staff and units, one for anyone else."""
    if user is None or not user.is_authenticated:
        return lambda suggestion: False
    if user.is_office_staff:
        return lambda suggestion: True
    if user.is_unit_user:
        # Rows come with their live assignments (`with_row_relations`): no query.
        return lambda suggestion: any(a.unit_id == user.unit_id for a in suggestion.assignments.all())
    return lambda suggestion: suggestion_participated_by(user, suggestion)


def participated_among(user: User | None, rows: list[dict]) -> set[int]:
    """The ids among a list page's rows (`suggestion_rows`) whose whole
    record `user` may read: none, all (staff), from the rows' live assignments (units), from the
    rows' lead deputy and co-signers (deputies), and for the rest one query on their ids (by
    primary key, so it costs the page and not the user's whole record)."""
    ids = [row["id"] for row in rows]
    if user is None or not user.is_authenticated or not ids:
        return set()
    if user.is_office_staff:
        return set(ids)
    if user.is_unit_user:
        return {row["id"] for row in rows if any(a[1] == user.unit_id for a in row["assignments"])}
    known: set[int] = set()
    if user.is_deputy:
        # The lead deputy and co-signers who have not declined, as `_participation_q` says, read
        # from the rows' own co-signers: a deputy's own list needs no query at all.
        known = {
            row["id"]
            for row in rows
            if row["lead_deputy_id"] == user.pk
            or any(c[0] == user.pk and c[1] != CoSignerStatus.DECLINED for c in row["cosignatures"])
        }
    rest = [pk for pk in ids if pk not in known]
    if not rest:
        return known
    return known | set(suggestions_participated_by(user).filter(pk__in=rest).values_list("pk", flat=True))


def _merged_from_q(user: User) -> Q:
    """The suggestion another one was merged into (并案): that one's lead deputy and confirmed
    co-signers follow their matter in the suggestion it became part of."""
    merged_from = Suggestion.objects.filter(merged_into=OuterRef("pk")).filter(
        Q(lead_deputy=user) | Q(cosignatures__deputy=user, cosignatures__status=CoSignerStatus.CONFIRMED)
    )
    return Q(Exists(merged_from))


def suggestions_visible_to(user: User | None) -> QuerySet[Suggestion]:
    """What a user finds in lists: the ones they take part in, and the published ones (public view).
    The public part reads three columns of the suggestion (`_public_q`, the stored published-reply
    flag among them), so a list walking an index stops after the rows it needs and a drill-down's
    whole set stays a plain filter."""
    if user is None or not user.is_authenticated:
        return published_suggestions()
    if user.is_office_staff:
        return Suggestion.objects.all()
    if user.is_unit_user:
        # A unit's lists hold its own work; a published suggestion still opens for it (see below).
        return Suggestion.objects.filter(_participation_q(user))
    return Suggestion.objects.filter(_participation_q(user) | _public_q())


def own_suggestion_ids(user: User):
    """Ids of the suggestions a deputy leads or co-signs: `lead_deputy` index UNION the co-signer
    (deputy, suggestion) index, so a deputy's own list costs their rows, not the table's."""
    led = Suggestion.objects.filter(lead_deputy=user).order_by().values("pk")
    cosigned = CoSigner.objects.filter(deputy=user).order_by().values("suggestion_id")
    return led.union(cosigned)


# What a deputy leads, and co-signs without having declined: written out, since the list builds it on
# every page and the ORM's UNION of two querysets took longer to build and compile than to run (the
# names come from the models).
_TAKING_PART_SQL = (
    f"SELECT u.id FROM {Suggestion._meta.db_table} u WHERE u.lead_deputy_id = %s "  # noqa: S608
    f"UNION SELECT c.suggestion_id FROM {CoSigner._meta.db_table} c WHERE c.deputy_id = %s AND c.status <> %s"
)


class OwnSuggestions(QuerySet):
    """The rows of `own_suggestions_visible_to`: already the caller's own among what they may see,
    so the list's `?mine=` filter has nothing left to do on them (the class survives every clone)."""


def own_suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    """`suggestions_visible_to(user)` among `own_suggestion_ids(user)`, the same rows, for a deputy's
    own list (`?mine=true`), with the visibility rule narrowed to their own rows: what they lead and
    co-sign without having declined they take part in, so no other condition is needed, and
    the co-signatures they declined (few, often none) go through the whole rule.

    The whole rule (lead, co-signer, merged, supervised, public: four EXISTS and an OR) made the
    list's query slow to build and plan twice over (its keys and its capped count), for no row it
    could change but declined ones (docs/benchmarks.md). One small query reads those first."""
    declined = list(
        CoSigner.objects.filter(deputy=user, status=CoSignerStatus.DECLINED).values_list("suggestion_id", flat=True)
    )
    own = Q(pk__in=RawSQL(_TAKING_PART_SQL, (user.pk, user.pk, CoSignerStatus.DECLINED)))  # noqa: S611 (fixed text)
    if declined:
        own |= Q(pk__in=suggestions_visible_to(user).filter(pk__in=declined).values("pk"))
    return OwnSuggestions(model=Suggestion).filter(own)


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
        return qs.live().filter(unit_id=user.unit_id)
    return qs.filter(suggestion__in=suggestions_participated_by(user))


def get_assignment_for(user: User | None, pk: int | str) -> Assignment:
    try:
        return assignments_visible_to(user).get(pk=int(pk))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None


def events_visible_to(
    user: User | None, suggestion: Suggestion, *, participated: bool | None = None
) -> QuerySet[Event]:
    """The timeline; `participated` is `suggestion_participated_by(user, suggestion)` where the caller
    has decided it already (the detail page), else it is asked here."""
    qs = Event.objects.filter(suggestion=suggestion).select_related("actor").order_by("at", "id")
    if participated is None:
        participated = suggestion_participated_by(user, suggestion)
    if not participated or user is None:
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
        return qs.filter(supervised_q(user, "suggestion_id"))
    return qs.none()


# Below this many live assignments a unit's list is read from its own rows and sorted; above it
# the newest-first index is walked until a page is full (~ sqrt(page x table) is where they cross).
SMALL_UNIT_ROWS = 5000


# The default order, as an expression no index serves: PostgreSQL then reads the caller's own rows
# (by `assignment_unit_live_sugg`) and sorts them, instead of walking the whole table's `created_at`
# index for a unit holding 0.2 % of it (530 ms -> a few ms at 1M, docs/benchmarks.md). One object,
# which `list_page.list_order_sql` recognises by identity.
NEWEST_FIRST_BY_OWN_ROWS = (
    ExpressionWrapper(
        F("created_at") + Value(dt.timedelta(0), output_field=DurationField()), output_field=DateTimeField()
    ).desc(),
    "-id",
)


def newest_first_by_own_rows() -> list:
    return list(NEWEST_FIRST_BY_OWN_ROWS)


def suggestion_list_keys(user: User | None, *, own: bool = False) -> QuerySet[Suggestion]:
    """The suggestions `user` finds in lists, in the list's order, with nothing loaded yet: what a
    list pages through before it loads its page's rows (`suggestion_list`, `suggestion_rows`).

    `own`: the caller asks for their own only (`?mine=true`, which the list's filter applies in any
    case); a deputy's visibility rule is then narrowed to their rows (`own_suggestions_visible_to`)."""
    if own and user is not None and user.is_authenticated and user.is_deputy:
        return own_suggestions_visible_to(user)
    qs = suggestions_visible_to(user)
    if user is not None and user.is_authenticated and user.is_unit_user:
        qs = newest_first_for_unit(qs, user.unit_id)
    return qs


def newest_first_for_unit(qs: QuerySet[Suggestion], unit_id: int | None) -> QuerySet[Suggestion]:
    """`qs`, which holds only suggestions of this unit, in the list's order, read from the unit's
    own rows when it has few (`SMALL_UNIT_ROWS`): a unit's list and the `?unit=` filter alike."""
    if unit_is_small(unit_id):
        return qs.order_by(*newest_first_by_own_rows())
    return qs


# Whether a unit holds at most `SMALL_UNIT_ROWS` live assignments, by unit id, for
# `UNIT_SIZE_SECONDS` (per process). It only chooses between two plans of the same rows in the
# same order, never what anyone sees, and a unit's size moves by a few rows a day: counting it on
# every page was one query in five of a unit's list (docs/benchmarks.md).
UNIT_SIZE_SECONDS = 300.0
_small_units: dict[int | None, tuple[float, bool]] = {}


def unit_is_small(unit_id: int | None) -> bool:
    now = time.monotonic()
    kept = _small_units.get(unit_id)
    if kept is not None and kept[0] > now:
        return kept[1]
    live = Assignment.objects.live().filter(unit_id=unit_id)
    small = live.order_by().values("pk")[: SMALL_UNIT_ROWS + 1].count() <= SMALL_UNIT_ROWS
    if len(_small_units) > 10_000:
        _small_units.clear()
    _small_units[unit_id] = (now + UNIT_SIZE_SECONDS, small)
    return small


def forget_list_plans() -> None:
    """Drop what lists keep between requests to choose their plans (unit sizes, count estimates):
    tests start each case cold, so a pinned query count does not depend on the cases before it."""
    _small_units.clear()
    forget_estimates()


def suggestion_list(user: User | None) -> QuerySet[Suggestion]:
    """The list every page and endpoint shows: visible rows with what a row displays, in a fixed
    number of queries whatever the page size."""
    return with_row_relations(suggestion_list_keys(user))


# What the API's list reads of a suggestion (`suggestion_rows`), by column name.
ROW_COLUMNS = (
    "id", "number", "title", "body", "category_id", "session_id", "during_session", "status", "lead_deputy_id",
    "confidential", "suggested_unit_id", "repeat_of_id", "follows_up_id", "merged_into_id", "complex", "round",
    "reason", "created_at", "submitted_at", "registered_at", "assigned_at", "replied_at", "closed_at",
)  # fmt: skip
# What it reads of a row's co-signers and live assignments, in these orders (`row_relations`).
COSIGNATURE_ROW_COLUMNS = ("id", "deputy_id", "status", "responded_at", "withdraw_consent")
ASSIGNMENT_ROW_COLUMNS = ("role", "id", "unit_id", "status", "due_date")


def suggestion_rows(page: QuerySet[Suggestion]) -> list[dict]:
    """The rows of a page of `suggestion_list_keys` (in its order) as plain dicts of `ROW_COLUMNS`,
    `session_label`, their `cosignatures` (deputy_id, status, responded_at, withdraw_consent) and
    live `assignments` (id, unit_id, role, status, due_date) by role and id, in one query: the
    relations come as JSON arrays read by correlated subqueries (`common.db.RelatedRowsJSON`). Annotations
    of `page` (the paginator's capped count) are read along.

    For the API's list, which prints ids and no names: model instances, the joins to category and
    deputy and the per-row related managers made up most of its time, then the two queries for
    co-signers and assignments (docs/benchmarks.md)."""
    page = page.annotate(
        cosignature_rows=RelatedRowsJSON(CoSigner, "suggestion_id", COSIGNATURE_ROW_COLUMNS),
        # Live ones (`AssignmentQuerySet.live`).
        assignment_rows=RelatedRowsJSON(
            Assignment, "suggestion_id", ASSIGNMENT_ROW_COLUMNS, exclude=RETURNED_ASSIGNMENT
        ),
    )
    rows = list(page.values(*ROW_COLUMNS, "session__term", "session__number", *page.query.annotations))
    for row in rows:
        row_relations(
            row,
            row.pop("session__term"),
            row.pop("session__number"),
            row.pop("cosignature_rows"),
            row.pop("assignment_rows"),
        )
    return rows


def row_relations(row: dict, term, number, cosignature_rows, assignment_rows) -> None:
    """Put a list row's session label, co-signers and assignments, read as the session's term and
    number and two `RelatedRowsJSON` arrays, into `row`, as `suggestion_rows` gives them."""
    row["session_label"] = session_label(term, number)
    # Ordered here as one suggestion's view orders them (`with_row_relations`): co-signers by id,
    # assignments by role and id; neither JSON aggregate orders its input on both databases.
    row["cosignatures"] = [
        (deputy, status, json_datetime(responded), bool(consent))
        for _, deputy, status, responded, consent in sorted(json_rows(cosignature_rows))
    ]
    row["assignments"] = [
        (pk, unit, role, status, json_date(due)) for role, pk, unit, status, due in sorted(json_rows(assignment_rows))
    ]


def with_row_relations(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """What a row (or one suggestion's representation) displays, in a fixed number of queries.

    `reply_due` is the due date of the open reply deadline (first or re-handling), read in the same
    query: a row is overdue when it is past (`worklists.annotate_rows`), never from `Assignment.due_date`.
    """
    open_reply = Deadline.objects.open().filter(suggestion=OuterRef("pk"), kind__in=REPLY_DEADLINE_KINDS)
    reply_due = Subquery(open_reply.order_by("due_date").values("due_date")[:1])
    return (
        qs.annotate(reply_due=reply_due)
        .select_related("session", "category", "lead_deputy")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.live().select_related("unit").order_by("role", "id"),
            ),
            Prefetch("cosignatures", queryset=CoSigner.objects.select_related("deputy").order_by("id")),
        )
    )


def suggestion_detail(pk: int | str) -> Suggestion:
    """One suggestion, freshly read with what its representation displays (the caller checked access)."""
    return with_row_relations(Suggestion.objects.filter(pk=pk)).get()


def contacts_visible_to(user: User | None) -> QuerySet[Contact]:
    """Contact-log entries of the suggestions the user takes part in."""
    visible = suggestions_participated_by(user)
    return Contact.objects.filter(assignment__suggestion__in=visible).select_related("assignment__suggestion")


def commitments_visible_to(user: User | None) -> QuerySet[Commitment]:
    """Commitments made in replies on the assignments the user may see."""
    assignments = assignments_visible_to(user)
    return Commitment.objects.filter(reply__assignment__in=assignments).select_related("reply__assignment")


def replies_visible_to(
    user: User | None, suggestion: Suggestion, *, participated: bool | None = None
) -> QuerySet[Reply]:
    """Released replies for everyone who may see the suggestion; a unit also sees its own drafts.
    `participated` as in `events_visible_to`."""
    qs = Reply.objects.filter(assignment__suggestion=suggestion).prefetch_related("commitments").order_by("round", "id")
    released = Q(status__in=[ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED], released_at__isnull=False)
    if user is not None and user.is_authenticated and user.is_office_staff:
        return qs
    if participated is None:
        participated = suggestion_participated_by(user, suggestion)
    if not participated:
        return qs.filter(released, public=True)
    if user is not None and user.is_unit_user:
        return qs.filter(released | Q(assignment__unit_id=user.unit_id))
    return qs.filter(released)
