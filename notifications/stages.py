"""Reminder stages of SPEC section 5, as pure date arithmetic on a loaded working-day calendar.

Before the due date: 7, 3 and 1 working days before; on the day; when overdue (the first working
day after the due date) and then weekly (7, 14, 21… calendar days overdue, rolled forward to a
working day). Escalation follows the days overdue: the unit head from 7, staff and supervisors from 14.

A sweep fires only the *latest* stage that has come due: after a long outage nobody gets five
stale reminders at once, and a deadline created two days before its due date does not get a
"7 working days left" notice dated before it existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from suggestions.workdays import Calendar

BEFORE_WORKING_DAYS = (7, 3, 1)
ESCALATE_TO_HEAD_AFTER = 7
ESCALATE_TO_STAFF_AFTER = 14
# Far enough for the longest PRC holiday (Spring Festival, ~9 days) after the next weekly stage.
CALENDAR_MARGIN_DAYS = 40


@dataclass(frozen=True)
class Stage:
    key: str  # "before_7", "before_3", "before_1", "due_today", "overdue_1", "overdue_7", "overdue_14", …
    fires_on: dt.date
    working_days_left: int = 0
    days_overdue: int = 0

    @property
    def is_before(self) -> bool:
        return self.key.startswith("before_")


def iter_stages(cal: Calendar, due: dt.date) -> Iterator[Stage]:
    """Every stage of a deadline in firing order (non-decreasing dates); endless while overdue."""
    for n in BEFORE_WORKING_DAYS:
        yield Stage(f"before_{n}", cal.subtract_working_days(due, n), working_days_left=n)
    yield Stage("due_today", due)
    week = 0
    while True:
        days = 1 if week == 0 else 7 * week
        fires_on, _skipped = cal.next_workday_on_or_after(due + dt.timedelta(days=days))
        yield Stage(f"overdue_{days}", fires_on, days_overdue=days)
        week += 1


def stage_due(cal: Calendar, *, due: dt.date, starts_on: dt.date, today: dt.date) -> tuple[Stage | None, dt.date]:
    """(the stage to fire today or None, the day the sweeper should look again)."""
    current: Stage | None = None
    for stage in iter_stages(cal, due):
        if stage.fires_on > today:
            if current is not None and current.is_before and current.fires_on < starts_on:
                current = None  # that stage's day passed before the deadline existed
            return current, stage.fires_on
        current = stage
    raise AssertionError("iter_stages is endless")  # pragma: no cover


def calendar_window(dues: list[dt.date], today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a batch's stage arithmetic can touch, so one query loads every override."""
    low = min([*dues, today]) - dt.timedelta(days=CALENDAR_MARGIN_DAYS)
    high = max([*dues, today]) + dt.timedelta(days=CALENDAR_MARGIN_DAYS)
    return low, high
