"""The working-day calendar against the State Council's published schedules (written out by hand).

2025 National Day + Mid-Autumn: 1-8 Oct off; Sun 28 Sep and Sat 11 Oct are working days.
2026 Spring Festival: 15-23 Feb off; Sat 14 Feb and Sat 28 Feb are working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from suggestions.models import HolidayOverride
from suggestions.workdays import Calendar, add_months, add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2025, 9, 26), True),  # Friday
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, adjusted working day (调休)
        (D(2025, 10, 1), False),
        (D(2025, 10, 6), False),  # Mid-Autumn inside the National Day break
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, adjusted working day
        (D(2025, 10, 12), False),
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),  # Saturday, adjusted working day
        (D(2026, 2, 15), False),
        (D(2026, 2, 23), False),  # Monday, last day of the Spring Festival break
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, adjusted working day
        (D(2026, 3, 1), False),
    ],
)
def test_official_schedule(day, working):
    assert is_workday(day) is working


def test_seven_working_days_across_national_day_2025():
    # Fri 26 Sep: 28 Sep(1) 29(2) 30(3) | 1-8 Oct off | 9(4) 10(5) 11 Sat(6) | 12 Sun off | 13(7)
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)
    due, skipped = Calendar.load().add_working_days(D(2025, 9, 26), 7)
    assert due == D(2025, 10, 13)
    assert [s["date"] for s in skipped] == [
        "2025-09-27", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06",
        "2025-10-07", "2025-10-08", "2025-10-12",
    ]  # fmt: skip
    reasons = {s["date"]: s["why"] for s in skipped}
    assert reasons["2025-09-27"] == "weekend"
    assert reasons["2025-10-01"] == "National Day"
    assert reasons["2025-10-06"] == "Mid-autumn Festival"


def test_three_working_days_across_spring_festival_2026():
    # Thu 12 Feb: 13(1) 14 Sat adjusted(2) | 15-23 off | 24(3)
    assert add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2025, 11, 30), 3, D(2026, 2, 28)),  # clamped to the month's end
        (D(2023, 11, 30), 3, D(2024, 2, 29)),  # leap year
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 3, 2), 6, D(2026, 9, 2)),
        (D(2025, 10, 31), 3, D(2026, 1, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_override_for_a_year_the_package_does_not_know():
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))
    # Without overrides only weekends rest: Fri 1 Jan 2027 counts.
    assert is_workday(D(2027, 1, 1)) is True
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)

    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    HolidayOverride.objects.create(date=D(2027, 2, 20), is_workday=True, note="春节调休")  # a Saturday
    assert is_workday(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 2, 20)) is True
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    _due, skipped = Calendar.load().add_working_days(D(2026, 12, 31), 1)
    assert skipped[0] == {"date": "2027-01-01", "why": "元旦"}


def test_override_wins_over_the_package():
    HolidayOverride.objects.create(date=D(2026, 3, 2), is_workday=False, note="local holiday")
    assert is_workday(D(2026, 3, 2)) is False
    assert add_working_days(D(2026, 2, 27), 1) == D(2026, 2, 28)  # the adjusted Saturday still counts
    assert add_working_days(D(2026, 2, 28), 1) == D(2026, 3, 3)
