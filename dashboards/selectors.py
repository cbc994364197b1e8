"""Reads for the dashboards: tables built from `metrics.breakdown`, settings, assessment, access.

Each table costs a fixed number of queries: the three GROUP BYs of `breakdown` plus one query for
the labels of its keys. Python only decorates the (few hundred) grouped rows with flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import Unit
from common.errors import ActionForbidden
from common.pagination import COUNT_LIMIT, capped_count
from common.pagination import Count as Count_
from suggestions.models import (
    Assignment,
    AssignmentRole,
    Category,
    CongressSession,
    Rating,
    Suggestion,
    SuggestionStatus,
)

from . import figures
from . import metrics as m
from .models import METRIC_DEFAULTS, DashboardConfig, MetricSetting, Snapshot

GREEN, AMBER, RED = "green", "amber", "red"


def can_view_dashboards(user) -> bool:
    return bool(user.is_authenticated and (user.is_office_staff or user.is_supervisor))


def require_dashboard_access(user) -> None:
    """Dashboards are not secret, so outsiders get 403 rather than 404."""
    if not can_view_dashboards(user):
        raise ActionForbidden("Only deputy-affairs staff and supervisors may see the dashboards.")


def can_edit_settings(user) -> bool:
    return bool(user.is_authenticated and user.is_office_staff)


# ---------------------------------------------------------------------------------------------
# Settings


@dataclass
class Settings:
    weights: dict[str, Decimal]
    green_at: dict[str, Decimal]
    amber_at: dict[str, Decimal]
    small_sample: int

    def as_json(self) -> dict[str, Any]:
        return {
            "small_sample": self.small_sample,
            "metrics": {
                k: {
                    "weight": str(self.weights[k]),
                    "green_at": str(self.green_at[k]),
                    "amber_at": str(self.amber_at[k]),
                }
                for k in self.weights
            },
        }

    def flag(self, metric: str, value: float | None) -> str | None:
        if value is None or metric not in self.green_at:
            return None
        exact = Decimal(str(value))
        if exact >= self.green_at[metric]:
            return GREEN
        if exact >= self.amber_at[metric]:
            return AMBER
        return RED


def dashboard_settings() -> Settings:
    """Targets, weights and the small-sample size: saved values over the defaults (two queries)."""
    weights = {k: v[0] for k, v in METRIC_DEFAULTS.items()}
    green = {k: v[1] for k, v in METRIC_DEFAULTS.items()}
    amber = {k: v[2] for k, v in METRIC_DEFAULTS.items()}
    for row in MetricSetting.objects.all():
        weights[row.metric], green[row.metric], amber[row.metric] = row.weight, row.green_at, row.amber_at
    config = DashboardConfig.objects.filter(pk=1).first()
    return Settings(weights, green, amber, config.small_sample if config else DashboardConfig().small_sample)


# ---------------------------------------------------------------------------------------------
# Tables


def _float_targets(settings: Settings) -> list[tuple[str, str, float | None, float | None]]:
    """Per rate: its name, its denominator, and its green and amber thresholds as floats.

    A rate is a float rounded to 4 places (`metrics.rate`) and a threshold a decimal of at most 4
    places (the settings' fields), so `value >= float(threshold)` says what `Settings.flag`'s exact
    `Decimal(str(value)) >= threshold` says (two different 4-place decimals never meet in one double;
    rounding to a double keeps their order): without a `Decimal` per cell of a 300-unit table."""
    targets = []
    for name, r in m.RATES.items():
        green, amber = settings.green_at.get(name), settings.amber_at.get(name)
        targets.append(
            (name, r.denominator, None if green is None else float(green), None if amber is None else float(amber))
        )
    return targets


def decorate(row: dict[str, Any], settings: Settings, targets=None) -> dict[str, Any]:
    """Add red/amber/green flags and small-sample marks to a row of counts and rates (`targets`:
    `_float_targets(settings)`, when the caller decorates many rows)."""
    flags: dict[str, str | None] = {}
    small: dict[str, bool] = {}
    floor = settings.small_sample
    for name, denominator, green, amber in targets or _float_targets(settings):
        value = row.get(name)
        if value is None or green is None or amber is None:
            flags[name] = None
        else:
            flags[name] = GREEN if value >= green else AMBER if value >= amber else RED
        small[name] = 0 < (row.get(denominator) or 0) < floor
    row["flags"], row["small"] = flags, small
    return row


def units_table(period: m.Period, settings: Settings, *, served: bool | None = None) -> list[dict[str, Any]]:
    """Per handling unit: its lead-assignment figures, its co-assignments and open deadlines.

    A unit appears when it holds any live assignment (lead or co) in the period. `served`: whether
    the maintained figures serve it (`figures.serves`), where the caller has asked already.
    """
    if figures.serves("unit", period) if served is None else served:
        rows, co_counts = figures.units_breakdown(period)
    else:
        rows, co_counts = m.breakdown("unit", period), _co_assigned(period)
    for unit_id in co_counts:
        if unit_id not in rows:
            rows[unit_id] = m.with_rates(dict.fromkeys(m.COUNTS, 0))
    # Only the names and codes: 300 whole units (addresses, webhooks...) cost more than their figures.
    units = {
        pk: (name, code) for pk, name, code in Unit.objects.filter(pk__in=list(rows)).values_list("pk", "name", "code")
    }
    targets = _float_targets(settings)
    table = [_unit_row(unit_id, *units[unit_id], row, co_counts, settings, targets) for unit_id, row in rows.items()]
    table.sort(key=lambda r: r["code"])
    return table


def _unit_row(
    pk: int, name: str, code: str, row: dict[str, Any], co_counts: dict[int, int], settings: Settings, targets=None
) -> dict[str, Any]:
    row.update(key=pk, label=name, code=code, co_assigned=co_counts.get(pk, 0))
    return decorate(row, settings, targets)


def _co_assigned(period: m.Period) -> dict[int, int]:
    co = (
        Assignment.objects.live()
        .filter(role=AssignmentRole.CO)
        .filter(m.counted_q("suggestion__"), period.filter_q("suggestion__", "assigned_at"))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["unit"]: r["n"] for r in co}


def _labelled(dimension: str, period: m.Period, settings: Settings, labels: dict[Any, str]) -> list[dict[str, Any]]:
    rows = m.breakdown(dimension, period)
    table = []
    for key, row in rows.items():
        row.update(key=key, label=labels.get(key, str(key)) if key is not None else "—")
        table.append(decorate(row, settings))
    return table


def category_table(period: m.Period, settings: Settings) -> list[dict[str, Any]]:
    labels = {c.pk: str(c) for c in Category.objects.select_related("parent")}
    table = _labelled("category", period, settings, labels)
    order = {pk: i for i, pk in enumerate(labels)}
    table.sort(key=lambda r: order.get(r["key"], len(order)))
    return table


def session_table(period: m.Period, settings: Settings) -> list[dict[str, Any]]:
    sessions = list(CongressSession.objects.all())
    table = _labelled("session", period, settings, {s.pk: f"{s.label} ({s.year})" for s in sessions})
    order = {s.pk: i for i, s in enumerate(sessions)}
    table.sort(key=lambda r: order.get(r["key"], len(order)))
    return table


def year_table(settings: Settings) -> list[dict[str, Any]]:
    table = _labelled("year", m.Period(), settings, {})
    table.sort(key=lambda r: r["key"], reverse=True)
    return table


def key_items_available() -> bool:
    try:
        from supervision.models import KeySuggestion  # noqa: F401
    except ImportError:
        return False
    return True


def key_item_table(period: m.Period, settings: Settings) -> list[dict[str, Any]]:
    from supervision.models import KeySuggestion

    items = KeySuggestion.objects.all()
    if period.year is not None:
        items = items.filter(year=period.year)
    labels = {k.pk: f"{k.year} {k.topic}" for k in items}
    # A key item of another year may hold suggestions of this period; list the chosen year's items.
    table = [r for r in _labelled("key_item", period, settings, labels) if r["key"] in labels]
    present = {r["key"] for r in table}
    for pk, label in labels.items():
        if pk not in present:
            table.append(decorate(m.with_rates(dict.fromkeys(m.COUNTS, 0) | {"key": pk, "label": label}), settings))
    table.sort(key=lambda r: r["label"])
    return table


def totals(period: m.Period, settings: Settings) -> dict[str, Any]:
    return decorate(m.breakdown(None, period)[None], settings)


def monthly_trend(period: m.Period) -> list[dict[str, Any]]:
    """Registrations, first replies and closures per calendar month (three queries)."""
    if figures.serves(None, period):
        return figures.monthly_trend(period)
    months: dict[dt.date, dict[str, Any]] = {}

    def add(rows, name):
        for row in rows:
            if row["month"] is not None:
                months.setdefault(row["month"].date() if hasattr(row["month"], "date") else row["month"], {})[name] = (
                    row["n"]
                )

    suggestions = m.suggestion_facts(period)
    add(
        suggestions.annotate(month=TruncMonth("registered_at", tzinfo=m.SHANGHAI))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by(),
        "registered",
    )
    add(
        m.lead_assignment_facts(period)
        .filter(m.predicate("replied", period, "suggestion__"))
        .annotate(month=TruncMonth("released_at_first", tzinfo=m.SHANGHAI))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by(),
        "replied",
    )
    add(
        suggestions.filter(status=SuggestionStatus.CLOSED)
        .annotate(month=TruncMonth("closed_at", tzinfo=m.SHANGHAI))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by(),
        "closed",
    )
    return [
        {"month": f"{month:%Y-%m}", **{k: counts.get(k, 0) for k in ("registered", "replied", "closed")}}
        for month, counts in sorted(months.items())
    ]


def satisfaction_counts(period: m.Period) -> dict[str, dict[str, int]]:
    """How many lead deputies rated each result (办理结果), first and final round: the rated
    suggestions of `metrics.rated_by_result`, keyed "first"/"final" then by rating. One query over
    the maintained figures once built (besides whether they are); otherwise one GROUP BY of the
    suggestion facts by both ratings, each round summed from the rows rated on it."""
    if figures.serves(None, period):
        return figures.satisfaction_counts(period)
    columns = figures.RESULT_COLUMNS
    facts = m.suggestion_facts(period)
    rated = {key: m.rated_by_result(facts, column) for key, column in columns.items()}
    either = rated["first"] | rated["final"]
    counts = {key: dict.fromkeys(Rating.values, 0) for key in columns}
    for row in either.values(*columns.values()).annotate(n=Count("pk")).order_by():
        for key, column in columns.items():
            if row[column] is not None:
                counts[key][row[column]] += row["n"]
    return counts


# ---------------------------------------------------------------------------------------------
# Annual assessment (年度考核)


def assessment(period: m.Period, settings: Settings, table: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Weighted score = Σ weight × rate ÷ Σ weight over the rates the unit has, × 100; ranked.

    A rate with no denominator (e.g. nothing rated yet) is left out and the weights renormalised,
    so a unit is neither rewarded nor punished for what has not happened. Units with no lead
    assignment have no score and no rank.
    """
    rows = table if table is not None else units_table(period, settings)
    for row in rows:
        row["score"] = score(row, settings)
    ranked = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["code"]))
    rank = 0
    previous: float | None = None
    for position, row in enumerate(ranked, start=1):
        if row["score"] is None:
            row["rank"] = None
            continue
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    return ranked


def score(row: dict[str, Any], settings: Settings) -> float | None:
    """A unit's assessment score from its rates (`assessment`); None when no weighted rate has a value."""
    weighted = Decimal(0)
    total_weight = Decimal(0)
    for metric, weight in settings.weights.items():
        value = row.get(metric)
        if value is None or not weight:
            continue
        weighted += weight * Decimal(str(value))
        total_weight += weight
    return float(round(weighted / total_weight * 100, 2)) if total_weight else None


def unit_standing(unit: Unit, period: m.Period, settings: Settings) -> tuple[dict[str, Any] | None, int]:
    """One unit's row of `assessment` (figures, flags, score and rank; None when it holds no
    assignment in the period) and how many units the assessment lists.

    From the maintained figures, the other units are only scored: their weighted rates' terms in
    one narrow read (`figures.unit_counts`), no row, flags or label each (ranking 300 units whole to
    show one unit's rank was most of the unit sheet's time at 10^6 suggestions). The rank is the
    assessment's: one more than the units scoring higher, so units tied share it."""
    if not figures.serves("unit", period):
        ranked = assessment(period, settings, units_table(period, settings, served=False))
        return next((r for r in ranked if r["key"] == unit.pk), None), len(ranked)
    weighted = [name for name, weight in settings.weights.items() if weight and name in m.RATES]
    terms = {term for name in weighted for term in (m.RATES[name].numerator, m.RATES[name].denominator)}
    counts = figures.unit_counts(period, terms)
    if unit.pk not in counts:
        return None, len(counts)
    rows, co_counts = figures.units_breakdown(period, unit_id=unit.pk)
    blank = m.with_rates(dict.fromkeys(m.COUNTS, 0))
    row = _unit_row(unit.pk, unit.name, unit.code, rows.get(unit.pk) or blank, co_counts, settings)
    row["score"] = score(row, settings)
    if row["score"] is None:
        row["rank"] = None
        return row, len(counts)
    rates = {name: m.RATES[name] for name in weighted}
    higher = 0
    for key, terms_of in counts.items():
        if key == unit.pk:
            continue
        other = score({n: m.rate(terms_of[r.numerator], terms_of[r.denominator]) for n, r in rates.items()}, settings)
        if other is not None and other > row["score"]:
            higher += 1
    row["rank"] = higher + 1
    return row, len(counts)


# ---------------------------------------------------------------------------------------------
# Lists behind the numbers


def readable_by(reader, qs: QuerySet, path: str = "suggestion") -> QuerySet:
    """Keep the rows whose suggestion `reader` may open (issue 12, finding 4).

    Figures are aggregates and stay whole; but every list of suggestions a dashboard shows or
    exports names them (number, title), so it passes through the reader's visibility rule: a
    supervisor does not get the titles of confidential suggestions he may not open.
    """
    if reader.is_office_staff:
        return qs
    from suggestions.selectors import suggestions_visible_to

    return qs.filter(**{f"{path}__in": suggestions_visible_to(reader).values("pk")})


def unit_assignments(unit: Unit, period: m.Period, *, reader) -> QuerySet[Assignment]:
    """A unit's live assignments (lead and co) of counted suggestions, with their suggestion's dates."""
    return readable_by(
        reader,
        (
            Assignment.objects.live()
            .filter(unit=unit)
            .filter(m.counted_q("suggestion__"), period.filter_q("suggestion__", "assigned_at"))
            .select_related("suggestion__session", "suggestion__category", "suggestion__lead_deputy")
            .order_by("suggestion__session_id", "suggestion__number", "id")
        ),
    )


def unit_assignments_count(row: dict[str, Any] | None, assignments: QuerySet[Assignment], *, reader) -> Count_:
    """How many rows a unit sheet's list (`unit_assignments`) holds: for staff, whose list is the
    whole number, past `COUNT_LIMIT` the unit's lead and co-assignments of its assessment `row`
    (`unit_standing`: maintained figures, or live ones where they do not serve; counting 1,000 of the
    largest unit's rows was 12 ms at 10^6 suggestions); otherwise a capped count. As in
    `drill_count`, a stored figure is trusted only above the limit."""
    if row is not None and reader.is_office_staff:
        stored = row["assigned"] + row["co_assigned"]
        if stored > COUNT_LIMIT:
            return Count_(stored, True)
    return capped_count(assignments)


def drill_suggestions(
    name: str, period: m.Period, dimension: str | None, value: Any, *, reader
) -> QuerySet[Suggestion]:
    """The suggestions behind a number, one row per counted fact row's suggestion."""
    facts = m.drill_down(name, period, dimension, value)
    source = m.DIMENSIONS[dimension].source_of(name) if dimension else m.COUNTS[name].source
    ids = facts.values(m.SUGGESTION_PATHS[source] or "pk")
    return readable_by(
        reader,
        Suggestion.objects.filter(pk__in=ids)
        .select_related("session", "category", "lead_deputy")
        .order_by("session_id", "number", "id"),
        "pk",
    )


def drill_queryset(
    name: str, period: m.Period, dimension: str | None, value: Any, *, reader, sessions: list[int] | None = None
) -> tuple[QuerySet, str]:
    """The fact rows behind a number (assignments, suggestions or deadlines) that `reader` may open.

    `sessions`, the period's sessions when the caller knows them (`period_sessions`), repeats the
    period's session condition as plain ids: the list's (session, number) order is then read along
    the session's own stretch of the number index instead of walking every earlier session first
    (1.6 s for a year's first page at 10^6 suggestions)."""
    facts = m.drill_down(name, period, dimension, value)
    source = m.DIMENSIONS[dimension].source_of(name) if dimension else m.COUNTS[name].source
    facts = readable_by(reader, facts, m.SUGGESTION_PATHS[source] or "pk")
    if sessions is not None:
        facts = facts.filter(**{f"{m.suggestion_prefix(source)}session_id__in": sessions})
    if source == m.SUGGESTION:
        qs = facts.select_related("session", "category", "lead_deputy").order_by("session_id", "number", "id")
    elif source == m.COMMITMENT:
        s = m.SUGGESTION_PATHS[source]
        qs = facts.select_related(
            f"{s}__session", f"{s}__category", f"{s}__lead_deputy", "reply__assignment__unit"
        ).order_by(f"{s}__session_id", f"{s}__number", "id")
    else:
        qs = facts.select_related(
            "suggestion__session", "suggestion__category", "suggestion__lead_deputy", "unit"
        ).order_by("suggestion__session_id", "suggestion__number", "id")
    return qs, source


def drill_row(fact: Any, source: str) -> dict[str, Any]:
    if source == m.SUGGESTION:
        return {"suggestion": fact, "unit": None, "due_date": None, "released_at": None}
    if source == m.COMMITMENT:
        assignment = fact.reply.assignment
        return {
            "suggestion": assignment.suggestion,
            "unit": assignment.unit,
            "due_date": fact.target_date,
            "released_at": fact.reply.released_at,
        }
    return {
        "suggestion": fact.suggestion,
        "unit": fact.unit,
        "due_date": fact.due_date,
        "released_at": getattr(fact, "released_at_first", None),
    }


def latest_snapshot(*, year: int | None = None, session_id: int | None = None) -> Snapshot | None:
    qs = Snapshot.objects.select_related("taken_by", "session")
    if session_id is not None:
        return qs.filter(scope="session", session_id=session_id).first()
    if year is not None:
        return qs.filter(scope="year", year=year).first()
    return None


def session_years() -> list[tuple[int, int]]:
    """(id, year) of every session (one query): the years to choose from and each year's sessions."""
    return list(CongressSession.objects.order_by().values_list("pk", "year"))


def available_years(sessions: list[tuple[int, int]] | None = None) -> list[int]:
    return sorted({year for _pk, year in (session_years() if sessions is None else sessions)}, reverse=True)


def period_sessions(period: m.Period, sessions: list[tuple[int, int]]) -> list[int] | None:
    """The ids of the sessions `period` covers, from `session_years()`; None for every session."""
    if period.session_id is not None:
        return [period.session_id]
    if period.year is not None:
        return [pk for pk, year in sessions if year == period.year]
    return None


def drill_count(name: str, period: m.Period, dimension: str | None, value: Any, facts: QuerySet, *, reader) -> Count_:
    """How many rows a drill-down lists, in one query whatever the size: exact up to `COUNT_LIMIT`
    (a capped count of `facts`); above it, for staff (whose list is the whole number), the number
    itself from the maintained figures; otherwise "more than `COUNT_LIMIT`" (a reader's visible share
    is not a stored figure, and counting it exactly would read every row)."""
    capped_sql, params = facts.order_by().values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
    # Both parts are compiled by Django from querysets; every value stays a bound parameter.
    parts = [f"(SELECT COUNT(*) FROM ({capped_sql}) AS capped)"]  # noqa: S608
    stored = figures.count_queryset(name, period, dimension, value) if reader.is_office_staff else None
    if stored is not None:
        stored_sql, stored_params = stored.query.sql_with_params()
        parts.append(f"({stored_sql})")
        params = (*params, *stored_params)
    with connections[facts.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counted, figure = int(row[0]), (row[1] if len(row) > 1 else None)
    if counted <= COUNT_LIMIT:
        return Count_(counted, True)
    if figure is not None:
        return Count_(int(figure), True)
    return Count_(COUNT_LIMIT, False)
