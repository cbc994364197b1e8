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
from common.pagination import COUNT_LIMIT
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


def decorate(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add red/amber/green flags and small-sample marks to a row of counts and rates."""
    row["flags"] = {name: settings.flag(name, row.get(name)) for name in m.RATES}
    row["small"] = {name: 0 < (row.get(r.denominator) or 0) < settings.small_sample for name, r in m.RATES.items()}
    return row


def units_table(period: m.Period, settings: Settings) -> list[dict[str, Any]]:
    """Per handling unit: its lead-assignment figures, its co-assignments and open deadlines.

    A unit appears when it holds any live assignment (lead or co) in the period.
    """
    if figures.serves("unit", period):
        rows, co_counts = figures.units_breakdown(period)
    else:
        rows, co_counts = m.breakdown("unit", period), _co_assigned(period)
    for unit_id in co_counts:
        if unit_id not in rows:
            rows[unit_id] = m.with_rates(dict.fromkeys(m.COUNTS, 0))
    units = Unit.objects.in_bulk(list(rows))
    table = []
    for unit_id, row in rows.items():
        unit = units[unit_id]
        row.update(key=unit_id, label=unit.name, code=unit.code, co_assigned=co_counts.get(unit_id, 0))
        table.append(decorate(row, settings))
    table.sort(key=lambda r: r["code"])
    return table


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
        weighted = Decimal(0)
        total_weight = Decimal(0)
        for metric, weight in settings.weights.items():
            value = row.get(metric)
            if value is None or not weight:
                continue
            weighted += weight * Decimal(str(value))
            total_weight += weight
        row["score"] = float(round(weighted / total_weight * 100, 2)) if total_weight else None
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
