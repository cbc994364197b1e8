"""Reads behind each role's home page and the handling unit's inbox (what needs attention first).

Views call these and render; every query of those pages is here. Visibility still comes from
`selectors`; "overdue" and "due soon" come from the deadline records (`Deadline.objects`), never
from a copy of a due date.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import cached_property

from accounts.models import User
from common.pagination import Count as PageCount
from common.pagination import FastPaginator, _estimate, capped_counts

from . import selectors
from .models import (
    DUE_SOON_DAYS,
    HANDLING_KINDS,
    INBOX_STATUS_TABS,
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    CoSigner,
    CoSignerStatus,
    Deadline,
    Evaluation,
    RequestStatus,
    Suggestion,
    SuggestionStatus,
)

INBOX_TABS = ["to_sign", "handling", "due_soon", "overdue", "replied", "awaiting_signoff"]


def annotate_rows(suggestions, today: dt.date) -> list[Suggestion]:
    """Units and the due date of each row, from the prefetched live assignments (no query).

    "Next due" shows the open lead assignment's due date (the copy lists sort by); "overdue" is read
    from the open reply deadline that `selectors.with_row_relations` annotates (`reply_due`), the
    same record every overdue count and filter reads."""
    rows = list(suggestions)
    for suggestion in rows:
        live = list(suggestion.assignments.all())
        suggestion.unit_names = [a.unit.name for a in live if a.role == AssignmentRole.LEAD] + [
            a.unit.name for a in live if a.role == AssignmentRole.CO
        ]
        open_due = [a.due_date for a in live if a.status in OPEN_ASSIGNMENT_STATUSES and a.role == AssignmentRole.LEAD]
        suggestion.next_due = min(open_due) if open_due else None
        reply_due = getattr(suggestion, "reply_due", None)
        suggestion.is_overdue = bool(reply_due and reply_due < today)
    return rows


def suggestions_of_deputy(user: User) -> QuerySet[Suggestion]:
    """A deputy's own list: the suggestions they lead or were invited to co-sign (drafts included)."""
    # The lead_deputy index UNION the co-signer index: costs the deputy's rows, not the table's. The
    # order is one no index serves, so PostgreSQL starts from those rows and sorts them, instead of
    # walking the whole newest-first index and testing every suggestion's visibility on the way
    # (2 s for a deputy with 256 suggestions over five years at 120,000; docs/benchmarks.md "pages").
    return (
        selectors.suggestion_list(user)
        .filter(pk__in=selectors.own_suggestion_ids(user))
        .order_by(*selectors.newest_first_by_own_rows())
    )


def deputy_home(user: User, today: dt.date) -> dict:
    invitations = (
        CoSigner.objects.filter(deputy=user, status=CoSignerStatus.INVITED, suggestion__status=SuggestionStatus.DRAFT)
        .select_related("suggestion__lead_deputy")
        .order_by("-suggestion__created_at")
    )
    rated = Evaluation.objects.filter(suggestion=OuterRef("pk"), deputy=user, round=OuterRef("round"))
    confirmed = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user, status=CoSignerStatus.CONFIRMED)
    to_rate = (
        # Among the deputy's own rows (lead_deputy and co-signer indexes), not every replied one.
        Suggestion.objects.filter(pk__in=selectors.own_suggestion_ids(user), status=SuggestionStatus.REPLIED)
        .filter(Q(lead_deputy=user) | Q(Exists(confirmed)))
        .exclude(Exists(rated))
        .select_related("session")
    )
    drafts = Suggestion.objects.filter(lead_deputy=user, status=SuggestionStatus.DRAFT).select_related("session")
    recent = annotate_rows(suggestions_of_deputy(user).exclude(status=SuggestionStatus.DRAFT)[:10], today)
    return {"invitations": list(invitations), "to_rate": list(to_rate), "drafts": list(drafts), "recent": recent}


STAFF_HOME_COUNTS = {
    "intake": (SuggestionStatus.SUBMITTED,),
    "to_assign": (SuggestionStatus.REGISTERED,),
    "handling": (SuggestionStatus.ASSIGNED, SuggestionStatus.HANDLING),
    "rehandling": (SuggestionStatus.REHANDLING,),
}


def staff_home(today: dt.date) -> dict:
    # Only the counted states are read (an index-only scan of the status index), not the whole
    # table with the closed years in it.
    counted = [status for statuses in STAFF_HOME_COUNTS.values() for status in statuses]
    counts = Suggestion.objects.filter(status__in=counted).aggregate(
        **{name: Count("pk", filter=Q(status__in=statuses)) for name, statuses in STAFF_HOME_COUNTS.items()}
    )
    counts["requests"] = AssignmentRequest.objects.filter(status=RequestStatus.PENDING).count()
    # The suggestions the card's link lists (`?overdue=on`: an overdue sign, reply, re-handling reply
    # or opinion deadline), counted up to `COUNT_LIMIT` and shown as "1000+" above it: the exact
    # figure read ~110,000 open deadlines on every staff home at 10^6 suggestions (docs/benchmarks.md).
    # The dashboards' maintained "overdue" is another figure (reply deadlines, per deadline).
    overdue = Deadline.objects.overdue(today).filter(suggestion=OuterRef("pk"), kind__in=HANDLING_KINDS)
    counts.update(capped_counts({"overdue": Suggestion.objects.filter(Exists(overdue))}))
    return {"counts": counts, "intake_rows": list(intake_queue()[:10])}


def supervisor_home(user: User, today: dt.date) -> dict:
    rows = selectors.suggestion_list(user).exclude(status=SuggestionStatus.DRAFT)[:20]
    return {"suggestions": annotate_rows(rows, today)}


def intake_queue() -> QuerySet[Suggestion]:
    """Submitted suggestions waiting for 立案, oldest first."""
    return (
        Suggestion.objects.filter(status=SuggestionStatus.SUBMITTED)
        .select_related("lead_deputy", "session")
        .order_by("submitted_at", "id")
    )


def intake_list(user: User) -> QuerySet[Suggestion]:
    """The intake page's rows: the list's prefetches, submitted only, oldest first."""
    return selectors.suggestion_list(user).filter(status=SuggestionStatus.SUBMITTED).order_by("submitted_at", "id")


def pending_requests() -> QuerySet[AssignmentRequest]:
    """Extension and return requests waiting for staff, oldest first."""
    return (
        AssignmentRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("assignment__unit", "assignment__suggestion__session", "requested_by")
        .order_by("requested_at", "id")
    )


# --------------------------------------------------------------------------------------------
# The handling unit's inbox


GONE = (SuggestionStatus.WITHDRAWN, SuggestionStatus.MERGED)


def _inbox_base(user: User, tab: str) -> QuerySet[Assignment]:
    """The unit's live assignments, without those of withdrawn and merged suggestions.

    Those are asked of the small `sugg_gone_id` index (the ~3 % withdrawn or merged), an index-only
    probe per row, instead of a visit of each row's suggestion in the big table, or a hash of all
    30,000 of them: a status tab's capped count is then read from the tab's index alone (its rows
    carry their suggestion), and the due-soon and overdue tabs probe it for the unit's open
    deadlines only (docs/benchmarks.md, "pages")."""
    gone = Suggestion.objects.filter(pk=OuterRef("suggestion_id"), status__in=GONE)
    return Assignment.objects.live().filter(unit_id=user.unit_id).filter(~Exists(gone))


def _owes_deadline(deadlines: QuerySet[Deadline], user: User) -> Q:
    """An open assignment whose unit owes one of `deadlines` (handling kinds) on it.

    Read from the unit's side: the deadlines a unit owes on an assignment name that unit (the
    services open them with `unit=assignment.unit`), so the unit's open handling deadlines in the
    date range (`deadline_open_handling_unit`, index only) give the assignments, in proportion to
    the unit's own deadlines rather than to every open assignment it holds."""
    owed = deadlines.filter(unit_id=user.unit_id, kind__in=HANDLING_KINDS).values("assignment_id")
    return Q(status__in=OPEN_ASSIGNMENT_STATUSES) & Q(pk__in=owed)


def _tab_q(tab: str, today: dt.date, user: User) -> Q:
    if tab in INBOX_STATUS_TABS:
        # The same predicate as the tab's partial index, so the index serves the tab in due-date order.
        return Q(status__in=INBOX_STATUS_TABS[tab])
    return {
        "due_soon": _owes_deadline(Deadline.objects.due_within(today, DUE_SOON_DAYS), user),
        "overdue": _owes_deadline(Deadline.objects.overdue(today), user),
    }[tab]


def inbox_counts(user: User, today: dt.date) -> dict[str, PageCount]:
    """Every tab's count in one query, each exact up to `COUNT_LIMIT` and "more than" above it: a
    unit holding 100,000 replied assignments is shown "1000+" instead of counting them all on
    every visit (issue 13); each count reads at most `COUNT_LIMIT + 1` of the unit's rows."""
    return capped_counts({tab: _inbox_base(user, tab).filter(_tab_q(tab, today, user)) for tab in INBOX_TABS})


INBOX_ROW_RELATED = ("suggestion__session", "suggestion__lead_deputy", "unit")
INBOX_ORDER = ("due_date", "id")


def inbox_rows(user: User, tab: str, today: dt.date) -> QuerySet[Assignment]:
    return (
        _inbox_base(user, tab)
        .filter(_tab_q(tab, today, user))
        .select_related(*INBOX_ROW_RELATED)
        .order_by(*INBOX_ORDER)
    )


class InboxPaginator(FastPaginator):
    """The inbox's pages: a page's keys are picked by the tab's conditions and order, its rows then
    read by primary key alone. With the conditions repeated around the keys (`page_rows`), the
    planner joined all of the largest unit's 10,000 overdue assignments again before keeping the
    page's 20 (100 ms of 110 at 10^6). The tab's count is the one the tabs show (`inbox_counts`),
    not counted again: the planner's estimate is asked only above the cap."""

    def __init__(self, rows: QuerySet[Assignment], per_page: int, count: PageCount):
        super().__init__(rows, per_page)
        self.rows, self.tab_count = rows, count

    @cached_property
    def counted(self) -> PageCount:
        if self.tab_count.exact:
            return self.tab_count
        return PageCount(max(_estimate(self.rows), self.tab_count.value + 1), False)

    def page(self, number):
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        keys = self.rows.values("pk")[offset : offset + self.per_page]
        rows = Assignment.objects.filter(pk__in=keys).select_related(*INBOX_ROW_RELATED).order_by(*INBOX_ORDER)
        return self._get_page(rows, number, self)


def unit_home(user: User, today: dt.date) -> dict:
    context = {"counts": inbox_counts(user, today), "to_sign": inbox_rows(user, "to_sign", today)[:10]}
    if user.is_unit_head:
        context["awaiting"] = inbox_rows(user, "awaiting_signoff", today)[:10]
    return context
