"""Reads for the text pages: chronic issues of a year and the router's monthly accuracy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Unit
from suggestions.models import (
    RETURNED_ASSIGNMENT,
    Assignment,
    AssignmentRole,
    CongressSession,
    Reply,
    ReplyStatus,
    Suggestion,
)
from suggestions.selectors import suggestions_participated_by, suggestions_visible_to

from .models import RoutingPrediction

SHANGHAI = ZoneInfo("Asia/Shanghai")

CHRONIC_YEARS = 3
WEAK_CLASSES = ("C", "D")
RELEASED = [ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED]


def unit_name(code: str) -> str | None:
    return Unit.objects.filter(code=code).values_list("name", flat=True).first()


@dataclass
class ChronicIssue:
    suggestion: Suggestion
    years: list[int]
    weak_reply: bool
    history: list[Suggestion] = field(default_factory=list)  # earliest first, with `.released`


def _chains(start_ids: set[int]) -> dict[int, int | None]:
    """repeat_of of every suggestion reachable backwards from `start_ids` (one query per step)."""
    parent: dict[int, int | None] = {}
    frontier = set(start_ids)
    while frontier:
        rows = Suggestion.objects.filter(pk__in=frontier).values_list("pk", "repeat_of_id")
        frontier = set()
        for pk, up in rows:
            parent[pk] = up
            if up is not None and up not in parent:
                frontier.add(up)
    return parent


def _candidates(year: int, weak: QuerySet, limit: int) -> list[int]:
    """The first `limit` of the year's suggestions (in number order) that repeat an earlier one or
    were answered C/D: each kind read on its own, then merged (three small queries).

    As one query, "repeat OR answered C/D" made PostgreSQL hash every weak reply of every year
    (190,000 at 10^6 suggestions, 1.9 s). Apart, the repeats come from the `repeat_of` index and the
    weak answers from a walk of the session's number index that probes each row's replies and stops
    at `limit`. A reply is only ever given to a registered, numbered suggestion."""
    sessions = list(CongressSession.objects.filter(year=year).values_list("pk", flat=True))
    of_year = Suggestion.objects.filter(session_id__in=sessions, merged_into__isnull=True).order_by("number", "id")
    repeats = of_year.filter(repeat_of__isnull=False).values_list("number", "pk")[:limit]
    answered_weak = of_year.filter(Exists(weak), number__isnull=False).values_list("number", "pk")[:limit]
    # Number order with unnumbered last, as PostgreSQL sorts them.
    keys = sorted({*repeats, *answered_weak}, key=lambda k: (k[0] is None, k[0] or 0, k[1]))
    return [pk for _number, pk in keys[:limit]]


# The chronic-issues page shows this many of the year's candidates at a time.
CHRONIC_PAGE = 50


def chronic_page(*, year: int, page: int, reader=None, per_page: int = CHRONIC_PAGE) -> tuple[list[ChronicIssue], bool]:
    """One page of `chronic_issues` (the year's candidates `per_page` at a time, in number order)
    and whether there is a next one."""
    offset = (max(page, 1) - 1) * per_page
    return _chronic(year=year, limit=per_page, offset=offset, reader=reader)


def chronic_issues(*, year: int, limit: int = 200, reader=None) -> list[ChronicIssue]:
    """The year's suggestions raised in at least three years (by their repeat links) or answered
    C/D, each with every earlier suggestion of the matter and its released replies and commitments.

    With a `reader` who is not office staff (a supervising leader), every suggestion listed, the
    year's and the earlier ones alike, is one that reader may see (`suggestions_visible_to`), and
    of one they do not take part in only its public replies are shown (SPEC section 8); a matter
    counts the years of the suggestions the reader may see."""
    return _chronic(year=year, limit=limit, offset=0, reader=reader)[0]


def _chronic(*, year: int, limit: int, offset: int, reader) -> tuple[list[ChronicIssue], bool]:
    weak = Reply.objects.filter(
        assignment__suggestion=OuterRef("pk"), status__in=RELEASED, result_class__in=WEAK_CLASSES
    )
    # One candidate beyond the slice tells whether a next page exists.
    candidates = _candidates(year, weak, offset + limit + 1)[offset:]
    has_next = len(candidates) > limit
    base = list(
        Suggestion.objects.filter(pk__in=candidates[:limit])
        .annotate(weak_reply=Exists(weak))
        .select_related("session")
        .order_by("number", "id")
    )
    parent = _chains({s.pk for s in base})
    every: set[int] = set(parent)
    public_only: set[int] = set()
    if reader is not None and not reader.is_office_staff:
        every = set(suggestions_visible_to(reader).filter(pk__in=every).values_list("pk", flat=True))
        participated = set(suggestions_participated_by(reader).filter(pk__in=every).values_list("pk", flat=True))
        public_only = every - participated
        base = [s for s in base if s.pk in every]
    people = {
        s.pk: s
        for s in Suggestion.objects.filter(pk__in=every)
        .select_related("session")
        .only("pk", "title", "number", "session__year", "session__term", "session__number", "status", "repeat_of_id")
    }
    replies: dict[int, list[Reply]] = {}
    for reply in (
        Reply.objects.filter(assignment__suggestion_id__in=every, status__in=RELEASED)
        .select_related("assignment__unit")
        .prefetch_related("commitments")
        .order_by("released_at")
    ):
        suggestion_id = reply.assignment.suggestion_id
        if suggestion_id in public_only and not reply.public:
            continue
        replies.setdefault(suggestion_id, []).append(reply)
    out = []
    for s in base:
        chain, cursor = [], parent.get(s.pk)
        steps = 0
        while cursor is not None and steps < 30:
            if cursor in people:  # an earlier suggestion the reader may not see is left out
                chain.append(people[cursor])
            cursor, steps = parent.get(cursor), steps + 1
        chain.reverse()
        for earlier in chain:
            earlier.released = replies.get(earlier.pk, [])  # type: ignore[attr-defined]
        s.released = replies.get(s.pk, [])  # type: ignore[attr-defined]
        years = sorted({e.session.year for e in chain} | {s.session.year})
        if len(years) >= CHRONIC_YEARS or s.weak_reply:  # type: ignore[attr-defined]
            out.append(ChronicIssue(s, years, bool(s.weak_reply), chain))  # type: ignore[attr-defined]
    return out, has_next


def _lead_is(column: str) -> Exists:
    return Exists(
        Assignment.objects.live().filter(
            suggestion=OuterRef("suggestion"), role=AssignmentRole.LEAD, unit=OuterRef(column)
        )
    )


def routing_accuracy_by_month(*, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """Per month of 交办: how often the router's first proposal (top-1) or one of its three (top-3)
    is the lead unit that finally handled it, and the share of lead assignments returned."""
    today = today or timezone.localdate()
    since = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    # An aware bound keeps the column bare, so the predictions' created_at index serves it.
    start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
    rows = (
        RoutingPrediction.objects.filter(created_at__gte=start)
        .annotate(
            month=TruncMonth("created_at"), hit1=_lead_is("first"), hit2=_lead_is("second"), hit3=_lead_is("third")
        )
        .values("month")
        .annotate(
            n=Count("pk"),
            top1=Count("pk", filter=Q(hit1=True)),
            top3=Count("pk", filter=Q(hit1=True) | Q(hit2=True) | Q(hit3=True)),
        )
        .order_by("-month")
    )
    returns = lead_returns(since)
    out = []
    for r in rows:
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        ret = returns.get(month, {"n": 0, "returned": 0})
        out.append(
            {
                "month": month,
                "n": r["n"],
                "top1": r["top1"] / r["n"] if r["n"] else 0.0,
                "top3": r["top3"] / r["n"] if r["n"] else 0.0,
                "return_rate": ret["returned"] / ret["n"] if ret["n"] else 0.0,
            }
        )
    return out


# The maintained dashboard figures keep these counts; dashboards (a layer above) plugs its read in
# here when it loads (`dashboards.apps`): it returns None while its figures are not built.
stored_lead_returns: Callable[[dt.date], dict[dt.date, dict[str, int]] | None] | None = None


def lead_returns(since: dt.date) -> dict[dt.date, dict[str, int]]:
    """Per month of 交办 from `since`: lead assignments made (returned ones too) and returned. From the
    maintained dashboard figures once built (a year of assignments grouped per request took 0.8 s at
    10^6 suggestions); live otherwise."""
    stored = stored_lead_returns(since) if stored_lead_returns is not None else None
    return stored if stored is not None else lead_returns_live(since)


def lead_returns_live(since: dt.date) -> dict[dt.date, dict[str, int]]:
    """`lead_returns` from the assignments: lead assignments of numbered suggestions (only a
    registered suggestion is assigned), by their month in Asia/Shanghai."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=SHANGHAI)
    rows = (
        Assignment.objects.filter(assigned_at__gte=start, role=AssignmentRole.LEAD, suggestion__number__isnull=False)
        .annotate(month=TruncMonth("assigned_at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(n=Count("pk"), returned=Count("pk", filter=Q(**RETURNED_ASSIGNMENT)))
        .order_by()
    )
    return {
        (r["month"].date() if hasattr(r["month"], "date") else r["month"]): {"n": r["n"], "returned": r["returned"]}
        for r in rows
    }
