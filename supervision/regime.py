"""The "五个一" tracking regime of a key item: which deadlines it generates for its year.

The rule, in one sentence: every regime deadline falls on the **last working day of its period**
(PRC calendar with 调休 and staff overrides), for the periods from the month the regime starts
to the end of that year:

- 一月一情况 monthly status report, from each lead unit: the last working day of each month;
- 一季一检查 quarterly inspection, by staff: the last working day of each quarter (Mar, Jun, Sep, Dec);
- 半年一汇报 half-year report to the standing committee, by staff: the last working day of June,
  only when the regime starts in the first half of the year;
- 年度一测评 year-end evaluation, by staff: the last working day of December.

A period whose deadline would already have passed when the regime starts is skipped (an item
chosen on Saturday 30 May owes no May report due Friday 29 May). Generation is idempotent: it
adds only the deadlines that are missing, so staff can run it again after a suggestion of the
item is assigned to a further lead unit.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from accounts.models import Unit
from suggestions.deadlines import deadline_open
from suggestions.models import Assignment, AssignmentRole, Deadline, DeadlineKind, Party, Suggestion
from suggestions.workdays import Calendar

from .models import KeySuggestion

REGIME_KINDS = (
    DeadlineKind.MONTHLY_REPORT,
    DeadlineKind.QUARTERLY_INSPECTION,
    DeadlineKind.HALF_YEAR_REPORT,
    DeadlineKind.YEAR_END_EVALUATION,
)


@dataclass(frozen=True)
class PlannedDeadline:
    kind: str
    period: str  # "2026-03", "2026-Q1", "2026-H1", "2026"
    starts_on: dt.date
    due_date: dt.date


def last_workday_of_month(year: int, month: int, cal: Calendar) -> dt.date:
    day = dt.date(year, month, calendar.monthrange(year, month)[1])
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def plan(starts_on: dt.date, cal: Calendar | None = None) -> list[PlannedDeadline]:
    """The regime's deadlines for the year of `starts_on`, in date order (pure date arithmetic)."""
    year = starts_on.year
    cal = cal or Calendar.load(dt.date(year, 1, 1), dt.date(year, 12, 31))
    planned: list[PlannedDeadline] = []

    def add(kind: str, period: str, first_month: int, last_month: int) -> None:
        due = last_workday_of_month(year, last_month, cal)
        if due < starts_on:
            return
        period_start = max(dt.date(year, first_month, 1), starts_on)
        planned.append(PlannedDeadline(kind, period, period_start, due))

    for month in range(starts_on.month, 13):
        add(DeadlineKind.MONTHLY_REPORT, f"{year}-{month:02d}", month, month)
    for quarter in range((starts_on.month - 1) // 3 + 1, 5):
        add(DeadlineKind.QUARTERLY_INSPECTION, f"{year}-Q{quarter}", quarter * 3 - 2, quarter * 3)
    if starts_on.month <= 6:
        add(DeadlineKind.HALF_YEAR_REPORT, f"{year}-H1", 1, 6)
    add(DeadlineKind.YEAR_END_EVALUATION, f"{year}", 1, 12)
    planned.sort(key=lambda p: (p.due_date, REGIME_KINDS.index(p.kind)))
    return planned


def lead_units(item: KeySuggestion) -> list[Unit]:
    """Units holding a live lead assignment on any suggestion of the item (they write 一月一情况)."""
    return list(
        Unit.objects.filter(
            assignments__in=Assignment.objects.live().filter(suggestion__key_items=item, role=AssignmentRole.LEAD)
        )
        .distinct()
        .order_by("code")
    )


def regime_deadlines(item: KeySuggestion):
    ct = ContentType.objects.get_for_model(KeySuggestion)
    return Deadline.objects.filter(content_type=ct, object_id=item.pk, kind__in=REGIME_KINDS)


def regime_generate(item: KeySuggestion) -> list[Deadline]:
    """Open the regime deadlines the item is missing; returns the ones created. Call inside a transaction."""
    existing = {(d.kind, d.unit_id, d.due_date) for d in regime_deadlines(item)}
    units = lead_units(item)
    first_suggestion_for_unit = {}
    for unit in units:
        first_suggestion_for_unit[unit.pk] = (
            item.suggestions.filter(assignments__unit=unit, assignments__role=AssignmentRole.LEAD)
            .order_by("id")
            .first()
        )
    created = []
    targets: list[tuple[str, Unit | None, Suggestion | None]]
    for p in plan(item.regime_starts_on):
        if p.kind == DeadlineKind.MONTHLY_REPORT:
            targets = [(Party.UNIT, unit, first_suggestion_for_unit[unit.pk]) for unit in units]
        else:
            targets = [(Party.STAFF, None, None)]
        for party, unit, suggestion in targets:
            if (p.kind, getattr(unit, "pk", None), p.due_date) in existing:
                continue
            deadline = deadline_open(
                kind=p.kind,
                party=party,
                starts_on=p.starts_on,
                unit=unit,
                suggestion=suggestion,
                owner=item,
                due_date=p.due_date,
                from_event="key_item",
            )
            deadline.explanation.update({"rule": "last working day of the period", "period": p.period})
            deadline.save(update_fields=["explanation"])
            created.append(deadline)
    return created
