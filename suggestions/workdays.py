"""Working days on the official PRC calendar, including adjusted working weekends (调休).

The `chinesecalendar` package carries the State Council's schedule for the years it knows;
staff add `HolidayOverride` rows for other years (or to correct a day). An override always wins.
For a year the package does not know and without overrides, only weekends are rest days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass, field

import chinese_calendar

from .models import HolidayOverride


@dataclass
class Calendar:
    """One look at the overrides, then pure date arithmetic (no query per day)."""

    overrides: dict[dt.date, HolidayOverride] = field(default_factory=dict)

    @classmethod
    def load(cls, start: dt.date | None = None, end: dt.date | None = None) -> Calendar:
        qs = HolidayOverride.objects.all()
        if start is not None:
            qs = qs.filter(date__gte=start)
        if end is not None:
            qs = qs.filter(date__lte=end)
        return cls({o.date: o for o in qs})

    def day_info(self, day: dt.date) -> tuple[bool, str]:
        """(is a working day, why it is not one or why a weekend is one)."""
        override = self.overrides.get(day)
        if override is not None:
            return override.is_workday, override.note or ("workday" if override.is_workday else "holiday")
        return _official_day_info(day)

    def is_workday(self, day: dt.date) -> bool:
        return self.day_info(day)[0]

    def add_working_days(self, start: dt.date, n: int) -> tuple[dt.date, list[dict[str, str]]]:
        """The n-th working day after `start` (the start day itself does not count)."""
        day, counted, skipped = start, 0, []
        while counted < n:
            day += dt.timedelta(days=1)
            working, why = self.day_info(day)
            if working:
                counted += 1
            else:
                skipped.append({"date": day.isoformat(), "why": why})
        return day, skipped

    def subtract_working_days(self, start: dt.date, n: int) -> dt.date:
        day, counted = start, 0
        while counted < n:
            day -= dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def next_workday_on_or_after(self, day: dt.date) -> tuple[dt.date, list[dict[str, str]]]:
        skipped = []
        while True:
            working, why = self.day_info(day)
            if working:
                return day, skipped
            skipped.append({"date": day.isoformat(), "why": why})
            day += dt.timedelta(days=1)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + dt.timedelta(days=i)))


@functools.lru_cache(maxsize=4096)
def _official_day_info(day: dt.date) -> tuple[bool, str]:
    """The State Council schedule as the package knows it. Cached: it never changes for a day,
    and the reminder sweep and deadline arithmetic ask about the same few hundred days."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        # Year unknown to the package: weekends only, until staff add overrides.
        return day.weekday() < 5, "weekend" if day.weekday() >= 5 else ""
    if on_holiday:
        return False, str(name) if name else "weekend"
    return True, ("adjusted working day" if day.weekday() >= 5 else "")


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clamped to the month's end (30 Nov + 3 months = 28/29 Feb)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def is_workday(day: dt.date) -> bool:
    return Calendar.load(day, day).is_workday(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return Calendar.load(start, start + dt.timedelta(days=n * 3 + 30)).add_working_days(start, n)[0]


def working_days_between(a: dt.date, b: dt.date) -> int:
    return Calendar.load(min(a, b), max(a, b)).working_days_between(a, b)
