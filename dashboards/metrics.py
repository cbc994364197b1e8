"""The metrics of SPEC section 7, defined once and computed in the database.

Every number on a dashboard is a COUNT of rows of one of three *fact* querysets that satisfy one
*predicate* (a `Q`):

- `lead_assignment_facts(period)`: live lead assignments (主办) of counted suggestions;
- `suggestion_facts(period)`: counted suggestions;
- `deadline_facts(period)`: open reply / re-handling-reply deadlines of counted suggestions;
- `commitment_facts(period)`: commitments (承诺事项) of the live lead assignments' replies.

The aggregation (`count_by`) and the drill-down (`drill_down`) both take the same fact queryset
and the same predicate, so the list behind a number is exactly what was counted. A rate is one
count over another (`RATES`). Facts are joined with `FilteredRelation`s that match at most one row
each, so a count never multiplies and PostgreSQL can hash-join instead of probing row by row.

Definitions (shown on every page, stored with each frozen snapshot):

- *counted suggestion*: accepted (has a number) and not withdrawn, merged or not accepted.
- *period*: a year is the session's year; a session is that session; a date range selects by the
  assignment's (or, for suggestion counts, the suggestion's) 交办 date.
- *due*: a lead assignment is due when it has a released reply, or its current due date lies
  before the reference day (today, or the day after the end of a date range).
- *replied*: the lead assignment has a released reply (its first-round reply, or one released later).
- *on time*: the first released reply's release date (Asia/Shanghai) <= the assignment's original
  due date; an extension does not make a late reply on time.
- *contacted*: replied, with a `before`/`during` contact logged at or before the first release.
- *class A*: replied, and the unit's current released reply is class A.
- *rated* (first / final round): the lead deputy's evaluation of round 1 / of the latest round
  rated so far exists and the suggestion was not closed as "no evaluation"; *satisfied* counts
  satisfied and basically satisfied on the result dimension (办理结果).
- *closed without evaluation*: closed by the system because the lead deputy did not rate the reply
  within the evaluation window; such a suggestion counts as closed, never as rated or satisfied.
- *re-handled*: the suggestion went to re-handling at least once (round >= 2).
- *commitments fallen due* / *delivery confirmed* / *delivered* (落实): a B/C commitment of the
  lead unit falls due on its target date, or earlier when the unit reports it done; only then may
  the lead deputy or an attached supervisor confirm whether it was delivered. Each commitment counts
  once, with its latest confirmation: one confirmed "not delivered" reopens the follow-up and is owed
  again (a second commitment deadline), and counts as fallen due and confirmed, not delivered, until
  a later confirmation says delivered. A commitment fallen due that nobody has confirmed yet counts
  as fallen due only, so an unconfirmed promise weighs against the unit until it is confirmed.
  The delivery rate (落实率) is delivered ÷ commitments fallen due (SPEC section 12).
- *overdue* / *due within 7 days*: open reply or re-handling-reply deadlines with due date before
  today / from today to today + 7 calendar days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suggestions.models import (
    DUE_SOON_DAYS,
    Assignment,
    AssignmentRole,
    Commitment,
    Contact,
    ContactPhase,
    Deadline,
    DeadlineKind,
    Delivery,
    Rating,
    ResultClass,
    Suggestion,
    SuggestionStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXCLUDED_STATES = (SuggestionStatus.WITHDRAWN, SuggestionStatus.MERGED, SuggestionStatus.NOT_ACCEPTED)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
REPLY_DEADLINE_KINDS = (DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY)
DEFINITIONS_VERSION = 3  # 2: delivery (落实) counts and rate; 3: delivery rate over commitments fallen due


def today() -> dt.date:
    return timezone.localtime(timezone.now(), SHANGHAI).date()


@dataclass(frozen=True)
class Period:
    """What the figures cover: a year, a session, or a date range of 交办 dates (inclusive)."""

    year: int | None = None
    session_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    today: dt.date = field(default_factory=today)

    @property
    def is_range(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def as_of(self) -> dt.date:
        """The reference day for "due": today, or the day after the range ends if that is earlier."""
        if self.date_to is not None:
            return min(self.today, self.date_to + dt.timedelta(days=1))
        return self.today

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.year is not None:
            params["year"] = str(self.year)
        if self.session_id is not None:
            params["session"] = str(self.session_id)
        if self.date_from is not None:
            params["date_from"] = self.date_from.isoformat()
        if self.date_to is not None:
            params["date_to"] = self.date_to.isoformat()
        return params

    def filter_q(self, prefix: str, assigned_at: str) -> Q:
        """Restrict a queryset whose suggestion is reached through `prefix`; ranges use `assigned_at`."""
        q = Q()
        if self.year is not None:
            q &= Q(**{f"{prefix}session__year": self.year})
        if self.session_id is not None:
            q &= Q(**{f"{prefix}session_id": self.session_id})
        # Aware datetime bounds keep the column bare, so an index on it can be used.
        if self.date_from is not None:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=SHANGHAI)
            q &= Q(**{f"{assigned_at}__gte": start})
        if self.date_to is not None:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
            q &= Q(**{f"{assigned_at}__lt": end})
        return q


def counted_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}number__isnull": False}) & ~Q(**{f"{prefix}status__in": EXCLUDED_STATES})


# ---------------------------------------------------------------------------------------------
# Fact querysets


def _evaluation_relations(path: str, round_field: str) -> dict[str, Any]:
    """Joins to the lead deputy's round-1 evaluation and to the latest rated round (at most one row each:
    the unique (suggestion, deputy, round) constraint and a single lead deputy guarantee it)."""
    lead = {f"{path}__is_lead": True}
    return {
        "eval_first": FilteredRelation(path, condition=Q(**lead, **{f"{path}__round": 1})),
        # Re-handling increments the round at the "unsatisfied" rating, so while a round is being
        # re-handled its latest rating is the previous round's.
        "eval_current": FilteredRelation(path, condition=Q(**lead, **{f"{path}__round": F(round_field)})),
        "eval_previous": FilteredRelation(path, condition=Q(**lead, **{f"{path}__round": F(round_field) - 1})),
    }


def _evaluation_columns() -> dict[str, Any]:
    return {
        "result_first": F("eval_first__result"),
        "result_final": Coalesce(F("eval_current__result"), F("eval_previous__result")),
    }


def lead_assignments(period: Period) -> QuerySet[Assignment]:
    """Live lead assignments of counted suggestions in the period (no joins to replies or ratings)."""
    return (
        Assignment.objects.live()
        .filter(role=AssignmentRole.LEAD)
        .filter(counted_q("suggestion__"), period.filter_q("suggestion__", "assigned_at"))
    )


def lead_assignment_facts(period: Period) -> QuerySet[Assignment]:
    """Live lead assignments of counted suggestions in the period, with their reply and rating facts."""
    qs = (
        lead_assignments(period)
        .annotate(
            # Round-1 reply released: at most one (a round's release is the unit's only one).
            first_reply=FilteredRelation("replies", condition=Q(replies__round=1, replies__released_at__isnull=False)),
            # The current reply: releasing a reply supersedes the unit's earlier one, so at most one.
            current_reply=FilteredRelation("replies", condition=Q(replies__status="released")),
            **_evaluation_relations("suggestion__evaluations", "suggestion__round"),
        )
        .annotate(
            released_at_first=Coalesce(F("first_reply__released_at"), F("current_reply__released_at")),
            result_class_current=F("current_reply__result_class"),
            **_evaluation_columns(),
        )
        .annotate(released_on=TruncDate("released_at_first", tzinfo=SHANGHAI))
    )
    return qs.order_by()


def suggestion_facts(period: Period) -> QuerySet[Suggestion]:
    """Counted suggestions in the period, with their rating facts."""
    return (
        Suggestion.objects.filter(counted_q(), period.filter_q("", "assigned_at"))
        .annotate(**_evaluation_relations("evaluations", "round"))
        .annotate(**_evaluation_columns())
        .order_by()
    )


def commitment_facts(period: Period) -> QuerySet[Commitment]:
    """The commitments (承诺事项) of the live lead assignments' replies, one row per commitment.

    Only a lead unit's reply carries commitments. A commitment stays counted when a later round's
    reply supersedes the one it was made in: its confirmation is what the unit delivered.
    """
    return Commitment.objects.filter(reply__assignment__in=lead_assignments(period).values("pk")).order_by()


def deadline_facts(period: Period) -> QuerySet[Deadline]:
    """Open reply and re-handling-reply deadlines of counted suggestions in the period."""
    return (
        Deadline.objects.open()
        .filter(
            counted_q("suggestion__"),
            period.filter_q("suggestion__", "suggestion__assigned_at"),
            kind__in=REPLY_DEADLINE_KINDS,
        )
        .order_by()
    )


# ---------------------------------------------------------------------------------------------
# Predicates: what each count counts. `s` is the path from the fact row to its suggestion.


def _replied(period: Period, s: str) -> Q:
    return Q(released_at_first__isnull=False)


def _due(period: Period, s: str) -> Q:
    return Q(released_at_first__isnull=False) | Q(due_date__lt=period.as_of)


def _on_time(period: Period, s: str) -> Q:
    return Q(released_on__lte=F("original_due_date"))


def _contacted(period: Period, s: str) -> Q:
    contact_before_reply = Contact.objects.filter(
        assignment=OuterRef("pk"),
        phase__in=(ContactPhase.BEFORE, ContactPhase.DURING),
        contacted_at__lte=OuterRef("released_at_first"),
    )
    return Q(released_at_first__isnull=False) & Q(Exists(contact_before_reply))


def _class_a(period: Period, s: str) -> Q:
    return Q(released_at_first__isnull=False, result_class_current=ResultClass.A)


def _closed(period: Period, s: str) -> Q:
    return Q(**{f"{s}status": SuggestionStatus.CLOSED})


def _replied_rated(period: Period, s: str) -> Q:
    return Q(released_at_first__isnull=False) & _rated("result_first")(period, s)


def _closed_unrated(period: Period, s: str) -> Q:
    return Q(**{f"{s}status": SuggestionStatus.CLOSED, f"{s}no_evaluation": True})


def _rated(column: str) -> Callable[[Period, str], Q]:
    def predicate(period: Period, s: str) -> Q:
        return Q(**{f"{column}__isnull": False, f"{s}no_evaluation": False})

    return predicate


def _satisfied(column: str) -> Callable[[Period, str], Q]:
    def predicate(period: Period, s: str) -> Q:
        return Q(**{f"{column}__in": SATISFIED, f"{s}no_evaluation": False})

    return predicate


def rated_by_result(facts: QuerySet[Suggestion], column: str) -> QuerySet[Suggestion]:
    """The suggestion facts the satisfaction summary counts by their `column` rating (result_first or
    result_final): rated on that round, not closed as no evaluation (the *rated* counts' predicate)."""
    return facts.filter(_rated(column)(Period(), ""))


def _rehandled(period: Period, s: str) -> Q:
    return Q(**{f"{s}round__gte": 2}) | Q(**{f"{s}status": SuggestionStatus.REHANDLING})


def _commitment_due(period: Period, s: str) -> Q:
    # Fallen due by the reference day (today, or the end of the range): its target date has come,
    # the unit reported it done, or somebody confirmed it (only possible once it has fallen due).
    day = min(period.today, period.date_to) if period.date_to is not None else period.today
    return Q(target_date__lte=day) | Q(fulfilled_at__isnull=False) | Q(delivery__in=Delivery.values)


def _delivery_confirmed(period: Period, s: str) -> Q:
    return Q(delivery__in=Delivery.values)


def _delivered(period: Period, s: str) -> Q:
    return Q(delivery=Delivery.DELIVERED)


def _overdue(period: Period, s: str) -> Q:
    return Q(due_date__lt=period.today)


def _due_soon(period: Period, s: str) -> Q:
    return Q(due_date__gte=period.today, due_date__lte=period.today + dt.timedelta(days=DUE_SOON_DAYS))


def _all(period: Period, s: str) -> Q:
    return Q()


ASSIGNMENT, SUGGESTION, DEADLINE, COMMITMENT = "assignment", "suggestion", "deadline", "commitment"
# The path from a fact row of each source to its suggestion.
SUGGESTION_PATHS = {
    ASSIGNMENT: "suggestion",
    SUGGESTION: "",
    DEADLINE: "suggestion",
    COMMITMENT: "reply__assignment__suggestion",
}


@dataclass(frozen=True)
class CountDef:
    name: str
    source: str  # which fact queryset it counts
    predicate: Callable[[Period, str], Q]
    label: Any
    definition: Any


COUNTS: dict[str, CountDef] = {
    c.name: c
    for c in [
        CountDef("assigned", ASSIGNMENT, _all, _("Lead assignments"), _("live lead assignments (主办)")),
        CountDef(
            "due",
            ASSIGNMENT,
            _due,
            _("Due"),
            _("lead assignments replied, or with a due date before the reference day"),
        ),
        CountDef("replied", ASSIGNMENT, _replied, _("Replied"), _("lead assignments with a released reply")),
        CountDef(
            "replied_on_time",
            ASSIGNMENT,
            _on_time,
            _("Replied on time"),
            _("first release date <= original due date (extensions do not count)"),
        ),
        CountDef(
            "contacted",
            ASSIGNMENT,
            _contacted,
            _("Contacted before reply"),
            _("replied, with a before/during contact logged no later than the first release"),
        ),
        CountDef("class_a", ASSIGNMENT, _class_a, _("Class A replies"), _("replied; current reply is class A")),
        CountDef(
            "replied_rated",
            ASSIGNMENT,
            _replied_rated,
            _("Replies rated"),
            _("replied, and the lead deputy rated round 1; not closed as no evaluation"),
        ),
        CountDef(
            "registered",
            SUGGESTION,
            _all,
            _("Registered"),
            _("accepted suggestions (numbered), not withdrawn or merged"),
        ),
        CountDef("closed", SUGGESTION, _closed, _("Closed"), _("registered suggestions now closed")),
        CountDef(
            "closed_unrated",
            SUGGESTION,
            _closed_unrated,
            _("Closed without evaluation"),
            _("closed because the evaluation window passed with no rating; neither rated nor satisfied"),
        ),
        CountDef(
            "rated_first",
            SUGGESTION,
            _rated("result_first"),
            _("Rated (first round)"),
            _("lead deputy rated round 1; not closed as no evaluation"),
        ),
        CountDef(
            "satisfied_first",
            SUGGESTION,
            _satisfied("result_first"),
            _("Satisfied (first round)"),
            _("round-1 result rated satisfied or basically satisfied"),
        ),
        CountDef(
            "rated_final",
            SUGGESTION,
            _rated("result_final"),
            _("Rated (final round)"),
            _("lead deputy rated the latest round; not closed as no evaluation"),
        ),
        CountDef(
            "satisfied_final",
            SUGGESTION,
            _satisfied("result_final"),
            _("Satisfied (final round)"),
            _("latest-round result rated satisfied or basically satisfied"),
        ),
        CountDef(
            "commitments_due",
            COMMITMENT,
            _commitment_due,
            _("Commitments fallen due"),
            _("B/C commitments of the lead unit whose target date has come or that the unit reported done"),
        ),
        CountDef(
            "delivery_confirmed",
            COMMITMENT,
            _delivery_confirmed,
            _("Commitments confirmed"),
            _(
                "B/C commitments fallen due whose delivery the deputy or an attached supervisor confirmed; "
                "each once, by its latest confirmation"
            ),
        ),
        CountDef(
            "delivered",
            COMMITMENT,
            _delivered,
            _("Commitments delivered"),
            _("confirmed commitments whose latest confirmation is delivered (落实)"),
        ),
        CountDef("rehandled", SUGGESTION, _rehandled, _("Re-handled"), _("sent to re-handling at least once")),
        CountDef(
            "overdue",
            DEADLINE,
            _overdue,
            _("Overdue now"),
            _("open reply / re-handling deadlines past their due date"),
        ),
        CountDef(
            "due_soon",
            DEADLINE,
            _due_soon,
            _("Due within 7 days"),
            _("open reply / re-handling deadlines due from today to today + 7 days"),
        ),
    ]
}


@dataclass(frozen=True)
class RateDef:
    name: str
    numerator: str
    denominator: str
    label: Any
    formula: Any


RATES: dict[str, RateDef] = {
    r.name: r
    for r in [
        RateDef("reply_rate", "replied", "due", _("Reply rate (办复率)"), _("replied ÷ due")),
        RateDef("on_time_rate", "replied_on_time", "replied", _("On-time rate (按期答复率)"), _("on time ÷ replied")),
        RateDef("completion_rate", "closed", "registered", _("Completion rate (办结率)"), _("closed ÷ registered")),
        RateDef(
            "satisfaction_rate_first",
            "satisfied_first",
            "rated_first",
            _("Satisfaction, first round (首轮满意率)"),
            _("(satisfied + basically satisfied) ÷ rated, round 1, result dimension"),
        ),
        RateDef(
            "satisfaction_rate",
            "satisfied_final",
            "rated_final",
            _("Satisfaction, final round (满意率)"),
            _("(satisfied + basically satisfied) ÷ rated, latest round, result dimension"),
        ),
        # Shown beside the satisfaction rates: how many of the released replies were rated at all.
        RateDef("response_rate", "replied_rated", "replied", _("Response rate (测评率)"), _("replies rated ÷ replied")),
        # Beside the satisfaction rates too: what the B/C replies promised and the deputies saw delivered.
        RateDef(
            "delivery_rate",
            "delivered",
            "commitments_due",
            _("Delivery rate (落实率)"),
            _("delivered ÷ commitments fallen due"),
        ),
        RateDef(
            "contact_rate", "contacted", "replied", _("Contact rate (沟通率)"), _("contacted before reply ÷ replied")
        ),
        RateDef("solved_rate", "class_a", "replied", _("Solved rate (A类率)"), _("class A replies ÷ replied")),
    ]
}

ASSIGNMENT_COUNTS = [n for n, c in COUNTS.items() if c.source == ASSIGNMENT]
SUGGESTION_COUNTS = [n for n, c in COUNTS.items() if c.source == SUGGESTION]
DEADLINE_COUNTS = [n for n, c in COUNTS.items() if c.source == DEADLINE]
COMMITMENT_COUNTS = [n for n, c in COUNTS.items() if c.source == COMMITMENT]


def definitions() -> dict[str, Any]:
    """The definitions in force, as stored with a frozen snapshot."""
    return {
        "version": DEFINITIONS_VERSION,
        "counts": {n: str(c.definition) for n, c in COUNTS.items()},
        "rates": {n: {"numerator": r.numerator, "denominator": r.denominator} for n, r in RATES.items()},
    }


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """A rate as a fraction rounded to 4 places; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round((numerator or 0) / denominator, 4)


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    for name, r in RATES.items():
        row[name] = rate(row.get(r.numerator), row.get(r.denominator))
    return row


# ---------------------------------------------------------------------------------------------
# Aggregation and drill-down


def facts_for(source: str, period: Period) -> QuerySet:
    return {
        ASSIGNMENT: lead_assignment_facts,
        SUGGESTION: suggestion_facts,
        DEADLINE: deadline_facts,
        COMMITMENT: commitment_facts,
    }[source](period)


@dataclass(frozen=True)
class Dimension:
    """A breakdown: the path from each fact row to the grouping key.

    With `per_assignment`, suggestion counts are taken on the lead-assignment rows (a unit's
    suggestions are those it leads; one live assignment per unit and suggestion, so no duplicates).
    """

    name: str
    paths: dict[str, str]
    per_assignment: bool = False
    skip_null: bool = True

    def source_of(self, count: str) -> str:
        source = COUNTS[count].source
        return ASSIGNMENT if (self.per_assignment and source == SUGGESTION) else source


def field_paths(field: str) -> dict[str, str]:
    """The path from each source's fact row to a field of its suggestion."""
    return {source: f"{path}__{field}" if path else field for source, path in SUGGESTION_PATHS.items()}


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension(
            "unit", {ASSIGNMENT: "unit", DEADLINE: "unit", COMMITMENT: "reply__assignment__unit"}, per_assignment=True
        ),
        Dimension("category", field_paths("category"), skip_null=False),
        Dimension("session", field_paths("session")),
        Dimension("year", field_paths("session__year")),
        Dimension("key_item", field_paths("key_items")),
    ]
}


def suggestion_prefix(source: str) -> str:
    """The lookup prefix from a fact row of `source` to its suggestion ("" for suggestions)."""
    path = SUGGESTION_PATHS[source]
    return f"{path}__" if path else ""


def _aggregates(names: Iterable[str], period: Period, suggestion_path: str) -> dict[str, Count]:
    return {
        # "all" counts rows without a CASE per row; the other counts filter by their predicate.
        name: Count("pk")
        if COUNTS[name].predicate is _all
        else Count("pk", filter=predicate(name, period, suggestion_path))
        for name in names
    }


def predicate(name: str, period: Period, suggestion_path: str) -> Q:
    return COUNTS[name].predicate(period, suggestion_path)


def key_item_suggestion_ids() -> list[int]:
    """Every suggestion held by a key item, of any year (one query on the small link table)."""
    return list(Suggestion.key_items.through.objects.values_list("suggestion_id", flat=True).distinct())


def breakdown(dimension: str | None, period: Period) -> dict[Any, dict[str, Any]]:
    """Every count and rate per key of `dimension` (None: the totals, keyed None).

    Three queries whatever the data size: one GROUP BY over each fact queryset; once the
    maintained figures are built (`dashboards.figures`), one query over them instead.
    """
    from . import figures

    if figures.serves(dimension, period):
        return figures.breakdown(dimension, period)
    dim = DIMENSIONS[dimension] if dimension else None
    per_source: dict[str, list[str]] = {}
    for name in COUNTS:
        source = dim.source_of(name) if dim else COUNTS[name].source
        per_source.setdefault(source, []).append(name)
    result: dict[Any, dict[str, Any]] = {}
    key_ids = key_item_suggestion_ids() if dim is not None and dim.name == "key_item" else None
    for source, names in per_source.items():
        qs = facts_for(source, period)
        aggregates = _aggregates(names, period, suggestion_prefix(source))
        if dim is None:
            # A constant "group" gives the same single-level SQL as the grouped tables (aggregate()
            # would wrap the annotated query in a subquery and lose the outer reference of `contacted`).
            group = "everything"
            qs = qs.annotate(everything=Value(None, output_field=IntegerField()))
        else:
            group = dim.paths[source]
            if dim.skip_null:
                qs = qs.filter(**{f"{group}__isnull": False})
            if key_ids is not None:
                # The key items' suggestions (tens to hundreds) as a plain list first: joined through
                # the link table instead, PostgreSQL (which keeps the written order of a query with
                # this many joins) hashed every reply and evaluation of the period before meeting
                # the 40 key-item rows (1.6 s at 10^6 suggestions).
                qs = qs.filter(**{f"{suggestion_prefix(source)}id__in": key_ids})
        for row in qs.values(group).annotate(**aggregates).order_by():
            result.setdefault(row.pop(group), {}).update(row)
    for row in result.values():
        for name in COUNTS:
            row[name] = row.get(name) or 0
        with_rates(row)
    return result


def drill_down(name: str, period: Period, dimension: str | None = None, value: Any = None) -> QuerySet:
    """The fact rows behind one number: the very queryset and predicate `breakdown` counted."""
    dim = DIMENSIONS[dimension] if dimension else None
    source = dim.source_of(name) if dim else COUNTS[name].source
    qs = facts_for(source, period).filter(predicate(name, period, suggestion_prefix(source)))
    if dim is not None:
        group = dim.paths[source]
        qs = qs.filter(**{f"{group}__isnull": True} if value is None else {group: value})
    return qs
