"""Maintained dashboard figures: the counts of `dashboards.metrics`, kept per cell so a dashboard
reads a few hundred stored numbers instead of grouping a million fact rows on every request.

Design (docs/benchmarks.md, "Dashboards"):

- A **cell** is one unit or one category (0 = no category) in one congress session. Its figures
  are the `metrics` counts of that cell, computed by the very fact querysets and predicates the
  live dashboards use (so they cannot drift in definition), stored as `Figure` rows.
- Counts that depend on today's date are stored as date histograms and summed at read time:
  `due` = replied + unreplied lead assignments with `due_date` before the reference day
  (`pending_due` by due date); `overdue` / `due_soon` from open reply deadlines (`open_deadline`
  by due date); `commitments_due` = commitments reported done or confirmed (`commitment_settled`)
  + the others with a target date up to the reference day (`commitment_pending` by target date). The monthly trend is stored the same way (`*_month` by month).
- Totals, sessions and years are sums of the category cells (categories partition the counted
  suggestions); units are their own cells. Key items and date ranges stay live (a key item's
  suggestions are few; a range is bounded by its own rows through the 交办 date).
- **Keeping them current**: every timeline event (`suggestions.signals.event_recorded`, sent by
  `services.event_record` inside the transition's transaction) queues the suggestion with the
  cells it counts in at that moment (`FigureQueue`, same transaction, so a committed change is
  never lost). A delivery confirmation (落实) is such an event, so it refreshes the lead unit's and
  the category's cells of its suggestion like a reply does. After commit a Celery task (eager without Redis) refreshes the queued
  suggestions' cells: the recorded ones and the ones it counts in now, so a cell it left is
  recomputed too. Each cell is recomputed whole from the live rows under a per-cell lock, so the
  result does not depend on the order or number of refreshes. A periodic task drains leftovers.
- The handling report's satisfaction summary (how many lead deputies rated each result, first
  and final round) is kept in the category cells too (`result_<round>_<rating>`), by the same
  suggestion facts and predicates as the live summary (`selectors.satisfaction_counts`).
- `manage.py build_figures` (re)builds everything; until it has run once the dashboards compute
  live, as before. A new layout of the stored figures raises `FIGURES_VERSION`: figures built by an
  older one are not read (live again) until `build_figures` runs. Frozen snapshots are untouched:
  they keep the figures they were taken with.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from suggestions.models import (
    RETURNED_ASSIGNMENT,
    Assignment,
    AssignmentRole,
    CongressSession,
    Rating,
    Suggestion,
)

from . import metrics as m
from .models import Figure, FigureQueue, FigureState

TIME_DEPENDENT = ("due", "overdue", "due_soon", "commitments_due")
FIXED = [n for n in m.COUNTS if n not in TIME_DEPENDENT]
CELL_DIMS = ("unit", "category")
SERVED = (None, "unit", "category", "session", "year")
SESSION_PATH = m.field_paths("session")
MONTHS = ("registered", "replied", "closed")
# The date histograms of the counts that depend on today (by due or target date; not the months).
DAY_HISTOGRAMS = ("pending_due", "open_deadline", "commitment_pending")
# 2: the satisfaction summary's counts per result rating (`result_*`), the lead assignments made and
# returned by month (`lead_month`, `returned_month`), past days folded into one bucket per histogram
# (`_fold_past`), and `FigureState.version`.
FIGURES_VERSION = 2
# The satisfaction summary: its rounds (the fact column of each) and a short code per rating, so
# every `result_<round>_<code>` name fits the figure's 20 characters.
RESULT_COLUMNS = {"first": "result_first", "final": "result_final"}
RATING_CODES = {Rating.SATISFIED: "sat", Rating.BASICALLY_SATISFIED: "basic", Rating.UNSATISFIED: "unsat"}
assert set(RATING_CODES) == set(Rating.values), "every rating needs a code"


def result_name(round_key: str, rating: str) -> str:
    return f"result_{round_key}_{RATING_CODES[rating]}"  # type: ignore[index]


Cell = tuple[str, int, int]  # (dim, key, session id)


# ---------------------------------------------------------------------------------------------
# Computing figures from the live rows


def _key_filter(group: str, keys: Iterable[int] | None) -> Q:
    if keys is None:
        return Q()
    keys = list(keys)
    q = Q(**{f"{group}__in": [k for k in keys if k]})
    if 0 in keys:
        q |= Q(**{f"{group}__isnull": True})
    return q


def compute(dim: str, keys: Iterable[int] | None = None, sessions: Iterable[int] | None = None) -> list[Figure]:
    """The figures of `dim`'s cells (all of them, or those with these keys and sessions)."""
    d = m.DIMENSIONS[dim]
    period = m.Period()
    keys = list(keys) if keys is not None else None
    sessions = list(sessions) if sessions is not None else None
    out: dict[tuple[int, int, str, dt.date | None], int] = defaultdict(int)

    def facts(source: str):
        group, session = d.paths[source], SESSION_PATH[source]
        qs = m.facts_for(source, period)
        if d.skip_null:
            qs = qs.filter(**{f"{group}__isnull": False})
        qs = qs.filter(_key_filter(group, keys))
        if sessions is not None:
            qs = qs.filter(**{f"{session}__in": sessions})
        return qs, group, session

    def add(rows, group: str, session: str, name: str | None = None, day: str | None = None) -> None:
        for row in rows:
            key, sid = row.pop(group) or 0, row.pop(session)
            when = row.pop(day) if day else None
            if isinstance(when, dt.datetime):
                when = timezone.localtime(when, m.SHANGHAI).date()
            for count, value in row.items():
                if value:
                    out[(key, sid, name or count, when)] += value

    per_source: dict[str, list[str]] = defaultdict(list)
    for name in FIXED:
        per_source[d.source_of(name)].append(name)
    for source, names in per_source.items():
        qs, group, session = facts(source)
        aggregates = m._aggregates(names, period, m.suggestion_prefix(source))
        add(qs.values(group, session).annotate(**aggregates).order_by(), group, session)
    # Date histograms for the counts that depend on today.
    qs, group, session = facts(m.ASSIGNMENT)
    add(
        qs.filter(released_at_first__isnull=True).values(group, session, "due_date").annotate(n=Count("pk")).order_by(),
        group,
        session,
        "pending_due",
        "due_date",
    )
    qs, group, session = facts(m.DEADLINE)
    add(
        qs.values(group, session, "due_date").annotate(n=Count("pk")).order_by(),
        group,
        session,
        "open_deadline",
        "due_date",
    )
    qs, group, session = facts(m.COMMITMENT)
    settled = Q(fulfilled_at__isnull=False) | ~Q(delivery="")
    add(
        qs.filter(settled).values(group, session).annotate(commitment_settled=Count("pk")).order_by(),
        group,
        session,
    )
    add(
        qs.exclude(settled).values(group, session, "target_date").annotate(n=Count("pk")).order_by(),
        group,
        session,
        "commitment_pending",
        "target_date",
    )
    if dim == "unit":
        co = (
            Assignment.objects.live()
            .filter(role=AssignmentRole.CO)
            .filter(m.counted_q("suggestion__"), _key_filter("unit", keys))
        )
        if sessions is not None:
            co = co.filter(suggestion__session__in=sessions)
        add(
            co.values("unit", "suggestion__session").annotate(co_assigned=Count("pk")).order_by(),
            "unit",
            "suggestion__session",
        )
    if dim == "category":
        # The monthly trend (registrations, first replies, closures), by the cell's month.
        qs, group, session = facts(m.SUGGESTION)
        month = TruncMonth("registered_at", tzinfo=m.SHANGHAI)
        add(
            qs.annotate(month=month).values(group, session, "month").annotate(n=Count("pk")).order_by(),
            group,
            session,
            "registered_month",
            "month",
        )
        closed = qs.filter(status="closed").annotate(month=TruncMonth("closed_at", tzinfo=m.SHANGHAI))
        add(
            closed.values(group, session, "month").annotate(n=Count("pk")).order_by(),
            group,
            session,
            "closed_month",
            "month",
        )
        qs, group, session = facts(m.ASSIGNMENT)
        replied = qs.filter(released_at_first__isnull=False).annotate(
            month=TruncMonth("released_at_first", tzinfo=m.SHANGHAI)
        )
        add(replied.values(group, session, "month").annotate(n=Count("pk")).order_by(), group, session, "replied_month", "month")  # fmt: skip
        # The routing page's return rate: lead assignments made (returned ones too) and returned, by
        # the month they were made (交办), of every numbered suggestion (`lead_returns_live`).
        leads = Assignment.objects.filter(role=AssignmentRole.LEAD, suggestion__number__isnull=False)
        leads = leads.filter(_key_filter("suggestion__category", keys))
        if sessions is not None:
            leads = leads.filter(suggestion__session__in=sessions)
        made = TruncMonth("assigned_at", tzinfo=m.SHANGHAI)
        add(
            leads.annotate(month=made)
            .values("suggestion__category", "suggestion__session", "month")
            .annotate(lead_month=Count("pk"), returned_month=Count("pk", filter=Q(**RETURNED_ASSIGNMENT)))
            .order_by(),
            "suggestion__category",
            "suggestion__session",
            day="month",
        )
        # The satisfaction summary: rated suggestions per result rating, first and final round.
        qs, group, session = facts(m.SUGGESTION)
        for round_key, column in RESULT_COLUMNS.items():
            rated = m.rated_by_result(qs, column)
            for row in rated.values(group, session, column).annotate(n=Count("pk")).order_by():
                out[(row[group] or 0, row[session], result_name(round_key, row[column]), None)] += row["n"]
    return [
        Figure(dim=dim, key=key, session_id=sid, name=name, day=day, value=value)
        for (key, sid, name, day), value in _fold_past(out, m.today()).items()
    ]


def _fold_past(out: dict[tuple[int, int, str, Any], int], today: dt.date) -> dict[tuple[int, int, str, Any], int]:
    """One bucket per cell and histogram for every day before `today`, dated by its earliest day.

    A day that has passed stays passed: on any later reading day all of them are before it (overdue,
    due, fallen due) and none is due soon, which the earliest day alone also says; and the earliest
    day is what `earliest_open_deadline` asks. So a cell keeps one row per histogram for its past
    instead of one per past day (90,000 rows of a year's units, read by every units table, became
    about 20,000 at 10^6 suggestions). Readings are never before the day a cell was computed."""
    folded: dict[tuple[int, int, str, Any], int] = defaultdict(int)
    earliest: dict[tuple[int, int, str], dt.date] = {}
    for key, sid, name, day in out:
        if name in DAY_HISTOGRAMS and day is not None and day < today:
            cell = (key, sid, name)
            earliest[cell] = min(day, earliest.get(cell, day))
    for (key, sid, name, day), value in out.items():
        if (key, sid, name) in earliest and day is not None and day < today:
            day = earliest[(key, sid, name)]
        folded[(key, sid, name, day)] += value
    return folded


# ---------------------------------------------------------------------------------------------
# Building and keeping current


def build() -> int:
    """Recompute every figure (one set of GROUP BYs per dimension); returns the number of rows."""
    with transaction.atomic():
        _lock_all()
        Figure.objects.all().delete()
        FigureQueue.objects.all().delete()
        rows = [f for dim in CELL_DIMS for f in compute(dim)]
        Figure.objects.bulk_create(rows, batch_size=5000)
        FigureState.objects.update_or_create(pk=1, defaults={"built_at": timezone.now(), "version": FIGURES_VERSION})
    return len(rows)


def is_built() -> bool:
    """Built, by this layout of the figures (an older layout is read live until rebuilt)."""
    return FigureState.objects.filter(pk=1, version=FIGURES_VERSION).exists()


def cells_of(suggestion_ids: Iterable[int]) -> set[Cell]:
    """The cells numbered suggestions count in: their category and every unit ever assigned (a
    returned unit's cell changes when it leaves), in their session. Unnumbered ones count nowhere."""
    ids = list(suggestion_ids)
    cells: set[Cell] = set()
    for category, session in Suggestion.objects.filter(pk__in=ids, number__isnull=False).values_list(
        "category_id", "session_id"
    ):
        cells.add(("category", category or 0, session))
    for unit, session in (
        Assignment.objects.filter(suggestion__in=ids, suggestion__number__isnull=False)
        .values_list("unit_id", "suggestion__session_id")
        .distinct()
    ):
        cells.add(("unit", unit, session))
    return cells


def on_event(sender, event, **kwargs) -> None:
    """Queue the event's suggestion in the transition's own transaction; refresh after commit."""
    if not is_built():
        return
    cells = sorted(cells_of([event.suggestion_id]))
    FigureQueue.objects.create(suggestion_id=event.suggestion_id, cells=[list(c) for c in cells])
    transaction.on_commit(_schedule_refresh)


def _schedule_refresh() -> None:
    from .tasks import refresh_figures

    refresh_figures.delay()


def _lock_cell(cell: Cell) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7713, zlib.crc32(repr(cell).encode()) - 2**31])


def _lock_all() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE dashboards_figure IN SHARE ROW EXCLUSIVE MODE")


def refresh_cells(cells: Iterable[Cell]) -> None:
    """Recompute these cells whole, each under its own lock (inside the caller's transaction)."""
    for cell in sorted(set(cells)):
        dim, key, session = cell
        _lock_cell(cell)
        Figure.objects.filter(dim=dim, key=key, session_id=session).delete()
        Figure.objects.bulk_create(compute(dim, keys=[key], sessions=[session]))


def refresh() -> int:
    """The periodic refresh: build the figures when they are not built by this layout (a new
    installation, or a release that changed the layout, `FIGURES_VERSION`), so no deployment is left
    computing its dashboards live because nobody ran `build_figures`; then drain the queue. Returns
    the queue entries handled."""
    if not is_built():
        build()
    return process_queue()


def process_queue(batch: int = 100) -> int:
    """Refresh the cells of queued suggestions; returns how many queue entries were handled."""
    done = 0
    while True:
        with transaction.atomic():
            entries = list(FigureQueue.objects.select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not entries:
                return done
            cells = {tuple(c) for e in entries for c in e.cells} | cells_of({e.suggestion_id for e in entries})
            refresh_cells(cells)  # type: ignore[arg-type]
            FigureQueue.objects.filter(pk__in=[e.pk for e in entries]).delete()
            done += len(entries)


# ---------------------------------------------------------------------------------------------
# Reading


def serves(dimension: str | None, period: m.Period) -> bool:
    return dimension in SERVED and not period.is_range and is_built()


def _sessions_q(period: m.Period) -> Q:
    q = Q()
    if period.year is not None:
        q &= Q(session_id__in=CongressSession.objects.filter(year=period.year).values("pk"))
    if period.session_id is not None:
        q &= Q(session_id=period.session_id)
    return q


def _sums(period: m.Period) -> dict[str, Any]:
    soon = period.today + dt.timedelta(days=m.DUE_SOON_DAYS)
    sums: dict[str, Any] = {n: Sum("value", filter=Q(name=n)) for n in FIXED}
    sums["pending_due"] = Sum("value", filter=Q(name="pending_due", day__lt=period.as_of))
    sums["commitment_settled"] = Sum("value", filter=Q(name="commitment_settled"))
    sums["commitment_pending"] = Sum("value", filter=Q(name="commitment_pending", day__lte=period.today))
    sums["overdue"] = Sum("value", filter=Q(name="open_deadline", day__lt=period.today))
    sums["due_soon"] = Sum("value", filter=Q(name="open_deadline", day__gte=period.today, day__lte=soon))
    return sums


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    for name in m.COUNTS:
        if name not in ("due", "commitments_due"):
            row[name] = row.get(name) or 0
    row["due"] = row["replied"] + (row.pop("pending_due", None) or 0)
    row["commitments_due"] = (row.pop("commitment_settled", None) or 0) + (row.pop("commitment_pending", None) or 0)
    return m.with_rates({name: row[name] for name in m.COUNTS})


# The figures' reads compiled to SQL, by what they read and their period (`_values`).
_COMPILED: dict[tuple, tuple[str, Any, list[str]]] = {}
COMPILED_KEPT = 256


def _values(key: tuple, build: Callable[[], QuerySet]) -> list[dict[str, Any]]:
    """The rows of the `.values(...).annotate(...)` queryset `build()` makes, compiled once per
    `key`, which must hold everything its SQL and parameters depend on (the read and its `Period`,
    today included). A table's two dozen filtered sums took 3-5 ms to resolve and compile on every
    request: as long as reading them at 10^5 suggestions. The sums come back as integers (or NULL)
    on both databases, so no converter is needed."""
    compiled = _COMPILED.get(key)
    if compiled is None:
        qs = build()
        sql, params = qs.query.sql_with_params()
        # The SELECT list of `.values(fields).annotate(sums)`: the fields, then the sums.
        compiled = (sql, params, [*qs.query.values_select, *qs.query.annotation_select])
        if len(_COMPILED) >= COMPILED_KEPT:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    sql, params, columns = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def breakdown(dimension: str | None, period: m.Period) -> dict[Any, dict[str, Any]]:
    """What `metrics.breakdown` returns, read from the figures (one query; two for years)."""
    dim = "unit" if dimension == "unit" else "category"
    if dimension in ("unit", "category"):
        group = "key"
    elif dimension in ("session", "year"):
        group = "session_id"
    else:
        # One group: every row read has this `dim`.
        group = "dim"

    def build() -> QuerySet:
        qs = Figure.objects.filter(_sessions_q(period), dim=dim)
        qs = qs.exclude(name__endswith="_month").exclude(name="co_assigned")
        return qs.values(group).annotate(**_sums(period)).order_by()

    rows = _values(("breakdown", dim, group, period), build)
    result: dict[Any, dict[str, Any]] = {}
    if group == "dim":
        # No row when the period has no figures: every count is then 0, as an aggregate of nothing.
        return {None: _finish(rows[0] if rows else {})}
    if dimension == "year":
        years = dict(CongressSession.objects.values_list("pk", "year"))
        merged: dict[Any, dict[str, Any]] = {}
        for row in rows:
            target = merged.setdefault(years[row.pop(group)], {})
            for name, value in row.items():
                target[name] = (target.get(name) or 0) + (value or 0)
        return {key: _finish(row) for key, row in merged.items()}
    for row in rows:
        key = row.pop(group)
        if dimension == "category" and key == 0:
            key = None
        result[key] = _finish(row)
    return result


def units_breakdown(period: m.Period, unit_id: int | None = None) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """`breakdown("unit")` and each unit's co-assignments, in one read of the unit cells (two
    queries read the same ~24,000 rows of a year's 300 units at 10^6 suggestions); of one unit's
    cells only with `unit_id`.

    A unit holding only co-assignments gets a row of zeros, as `selectors.units_table` wants."""

    def build() -> QuerySet:
        sums = _sums(period) | {"co_assigned": Sum("value", filter=Q(name="co_assigned"))}
        rows = Figure.objects.filter(_sessions_q(period), dim="unit").exclude(name__endswith="_month")
        if unit_id is not None:
            rows = rows.filter(key=unit_id)
        return rows.values("key").annotate(**sums).order_by()

    result: dict[int, dict[str, Any]] = {}
    co: dict[int, int] = {}
    for row in _values(("units", unit_id, period), build):
        key, n = row.pop("key"), row.pop("co_assigned")
        if n is not None:
            co[key] = n
        result[key] = _finish(row)
    return result, co


# The counts of `_finish` made of two stored sums each.
_COMPOSED = {"due": ("replied", "pending_due"), "commitments_due": ("commitment_settled", "commitment_pending")}


def unit_counts(period: m.Period, names: Iterable[str]) -> dict[int, dict[str, int]]:
    """Per unit of the units table (`units_breakdown`'s keys, the same units), only the counts
    `names`: what ranking every unit needs (the weighted rates' terms) without summing, converting
    and finishing the other counts of 300 units (one query, about half as wide)."""
    names = sorted(set(names))
    stored = sorted({part for name in names for part in _COMPOSED.get(name, (name,))})

    def build() -> QuerySet:
        every = _sums(period)
        # Always one sum at least: a unit is in the table whatever rows it has.
        sums = {part: every[part] for part in stored} or {"assigned": every["assigned"]}
        rows = Figure.objects.filter(_sessions_q(period), dim="unit").exclude(name__endswith="_month")
        return rows.values("key").annotate(**sums).order_by()

    result: dict[int, dict[str, int]] = {}
    for row in _values(("unit_counts", tuple(stored), period), build):
        counts = {}
        for name in names:
            counts[name] = sum(row[part] or 0 for part in _COMPOSED.get(name, (name,)))
        result[row["key"]] = counts
    return result


def monthly_trend(period: m.Period) -> list[dict[str, Any]]:
    rows = (
        Figure.objects.filter(
            _sessions_q(period), dim="category", name__in=[f"{k}_month" for k in MONTHS], day__isnull=False
        )
        .values("day", "name")
        .annotate(n=Sum("value"))
        .order_by()
    )
    months: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        months.setdefault(row["day"], {})[row["name"].removesuffix("_month")] = row["n"]
    return [
        {"month": f"{month:%Y-%m}", **{k: counts.get(k, 0) for k in MONTHS}} for month, counts in sorted(months.items())
    ]


def satisfaction_counts(period: m.Period) -> dict[str, dict[str, int]]:
    """What `selectors.satisfaction_counts` returns, read from the category cells (one query)."""
    names = {result_name(r, rating): (r, rating) for r in RESULT_COLUMNS for rating in Rating.values}
    counts: dict[str, dict[str, int]] = {r: dict.fromkeys(Rating.values, 0) for r in RESULT_COLUMNS}
    rows = (
        Figure.objects.filter(_sessions_q(period), dim="category", name__in=list(names))
        .values("name")
        .annotate(n=Sum("value"))
        .order_by()
    )
    for row in rows:
        round_key, rating = names[row["name"]]
        counts[round_key][rating] = row["n"] or 0
    return counts


def _count_filter(name: str, period: m.Period) -> Q:
    """Which stored rows add up to the count `name` (as `_sums` and `_finish` combine them)."""
    soon = period.today + dt.timedelta(days=m.DUE_SOON_DAYS)
    special = {
        "due": Q(name="replied") | Q(name="pending_due", day__lt=period.as_of),
        "overdue": Q(name="open_deadline", day__lt=period.today),
        "due_soon": Q(name="open_deadline", day__gte=period.today, day__lte=soon),
        "commitments_due": Q(name="commitment_settled") | Q(name="commitment_pending", day__lte=period.today),
    }
    return special.get(name, Q(name=name))


def count_queryset(name: str, period: m.Period, dimension: str | None, key: Any):
    """One count of one key of `dimension` (what `breakdown(dimension, period)[key][name]` holds), as
    a one-column queryset to embed in another query; its value is NULL while the figures are not built
    (by this layout). None where the figures do not serve the period or the dimension."""
    if dimension not in SERVED or period.is_range or name == "co_assigned":
        return None
    dim = "unit" if dimension == "unit" else "category"
    qs = Figure.objects.filter(_sessions_q(period), _count_filter(name, period), dim=dim).filter(
        Exists(FigureState.objects.filter(pk=1, version=FIGURES_VERSION))
    )
    if dimension in ("unit", "category"):
        qs = qs.filter(key=key if key is not None else 0)
    elif dimension == "session":
        qs = qs.filter(session_id=key)
    elif dimension == "year":
        qs = qs.filter(session_id__in=CongressSession.objects.filter(year=key).values("pk"))
    # Grouped by the one dimension kept, so an empty cell gives no row (NULL), a built one its sum.
    return qs.values("dim").annotate(n=Coalesce(Sum("value"), 0)).values("n")


def earliest_open_deadline(period: m.Period):
    """The earliest due date of the period's open reply deadlines, from the stored histograms, as a
    subquery (NULL while the figures are not built, or the period is a date range). The report's
    overdue list starts its walk of the open deadlines' due-date index there instead of at every
    earlier year's open deadline (27,000 rows read before 2026's first at 10^6 suggestions)."""
    if period.is_range:
        return None
    return (
        Figure.objects.filter(_sessions_q(period), dim="category", name="open_deadline")
        .filter(Exists(FigureState.objects.filter(pk=1, version=FIGURES_VERSION)))
        .values("dim")
        .annotate(first=Min("day"))
        .values("first")
    )


def stored_lead_returns(since: dt.date) -> dict[dt.date, dict[str, int]] | None:
    """`lead_returns` once the figures are built (plugged into `textanalysis.insights`); else None."""
    return lead_returns(since) if serves(None, m.Period()) else None


def lead_returns(since: dt.date) -> dict[dt.date, dict[str, int]]:
    """What `textanalysis.insights.lead_returns_live` returns, from the category cells (one query)."""
    rows = (
        Figure.objects.filter(dim="category", name__in=["lead_month", "returned_month"], day__gte=since)
        .values("day", "name")
        .annotate(n=Sum("value"))
        .order_by()
    )
    months: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        counts = months.setdefault(row["day"], {"n": 0, "returned": 0})
        counts["n" if row["name"] == "lead_month" else "returned"] = row["n"]
    return months
