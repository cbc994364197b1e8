"""Stage arithmetic on the PRC calendar: 调休 weekends, the National Day week, staff overrides."""

import datetime as dt

import pytest

from notifications.stages import iter_stages, stage_due
from suggestions.models import HolidayOverride
from suggestions.workdays import Calendar

D = dt.date


def plan(due, until):
    cal = Calendar.load(due - dt.timedelta(days=60), until + dt.timedelta(days=60))
    out = {}
    for stage in iter_stages(cal, due):
        if stage.fires_on > until:
            break
        out[stage.key] = stage.fires_on
    return out


@pytest.mark.django_db
def test_before_stages_skip_the_national_day_week_and_the_mid_autumn_friday():
    # Due Thu 8 Oct 2026, the first working day after 1–7 Oct; Fri 25 Sep 2026 is the Mid-Autumn holiday.
    stages = plan(D(2026, 10, 8), D(2026, 10, 8))
    assert stages == {
        "before_7": D(2026, 9, 21),
        "before_3": D(2026, 9, 28),
        "before_1": D(2026, 9, 30),
        "due_today": D(2026, 10, 8),
    }


@pytest.mark.django_db
def test_an_adjusted_working_saturday_counts():
    # Sat 10 Oct 2026 is a 调休 working day, so "1 working day before Mon 12 Oct" is that Saturday.
    stages = plan(D(2026, 10, 12), D(2026, 10, 12))
    assert stages["before_1"] == D(2026, 10, 10)
    assert stages["before_3"] == D(2026, 10, 8)


@pytest.mark.django_db
def test_overdue_stages_roll_forward_past_the_holiday_and_then_go_weekly():
    stages = plan(D(2026, 9, 30), D(2026, 10, 28))
    # 1 and 7 days overdue both land in the holiday week and roll to Thu 8 Oct.
    assert stages["overdue_1"] == D(2026, 10, 8)
    assert stages["overdue_7"] == D(2026, 10, 8)
    assert stages["overdue_14"] == D(2026, 10, 14)
    assert stages["overdue_21"] == D(2026, 10, 21)
    assert stages["overdue_28"] == D(2026, 10, 28)


@pytest.mark.django_db
def test_overdue_on_a_friday_fires_on_monday():
    stages = plan(D(2026, 11, 6), D(2026, 11, 13))
    assert stages["overdue_1"] == D(2026, 11, 9)
    assert stages["overdue_7"] == D(2026, 11, 13)


@pytest.mark.django_db
def test_only_the_latest_stage_fires_after_a_gap():
    cal = Calendar.load(D(2026, 8, 1), D(2026, 12, 1))
    stage, next_on = stage_due(cal, due=D(2026, 9, 30), starts_on=D(2026, 7, 1), today=D(2026, 10, 8))
    assert stage.key == "overdue_7"  # not overdue_1 as well: nobody gets two notices for one day
    assert stage.days_overdue == 7
    assert next_on == D(2026, 10, 14)


@pytest.mark.django_db
def test_a_before_stage_older_than_the_deadline_is_skipped():
    cal = Calendar.load(D(2026, 8, 1), D(2026, 12, 1))
    # A sign deadline made on Tue 3 Nov, due Thu 5 Nov: "3 working days before" was Mon 2 Nov.
    stage, next_on = stage_due(cal, due=D(2026, 11, 5), starts_on=D(2026, 11, 3), today=D(2026, 11, 3))
    assert stage is None
    assert next_on == D(2026, 11, 4)  # before_1
    stage, next_on = stage_due(cal, due=D(2026, 11, 5), starts_on=D(2026, 11, 3), today=D(2026, 11, 4))
    assert stage.key == "before_1"
    assert next_on == D(2026, 11, 5)


@pytest.mark.django_db
def test_a_past_due_deadline_fires_its_overdue_stage_at_once():
    cal = Calendar.load(D(2026, 8, 1), D(2026, 12, 1))
    stage, next_on = stage_due(cal, due=D(2026, 10, 20), starts_on=D(2026, 11, 10), today=D(2026, 11, 10))
    assert stage.key == "overdue_21"
    assert next_on == D(2026, 11, 17)


@pytest.mark.django_db
def test_staff_overrides_decide_for_a_year_the_package_does_not_know():
    # chinesecalendar 1.11 knows nothing of 2027; staff enter New Year's Day and a bridge Monday.
    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    HolidayOverride.objects.create(date=D(2027, 1, 4), is_workday=False, note="调休")
    HolidayOverride.objects.create(date=D(2027, 1, 9), is_workday=True, note="调休上班")
    stages = plan(D(2027, 1, 5), D(2027, 1, 5))
    assert stages["before_1"] == D(2026, 12, 31)
    assert stages["before_3"] == D(2026, 12, 29)
    stages = plan(D(2027, 1, 11), D(2027, 1, 11))
    assert stages["before_1"] == D(2027, 1, 9)  # the Saturday staff made a working day


def test_quiet_hours_across_midnight_and_within_a_day():
    from zoneinfo import ZoneInfo

    from notifications.services import quiet_release

    sh = ZoneInfo("Asia/Shanghai")
    night, morning = dt.time(22, 0), dt.time(7, 0)
    assert quiet_release(dt.datetime(2026, 11, 9, 23, 30, tzinfo=sh), night, morning) == dt.datetime(
        2026, 11, 10, 7, 0, tzinfo=sh
    )
    assert quiet_release(dt.datetime(2026, 11, 10, 6, 59, tzinfo=sh), night, morning) == dt.datetime(
        2026, 11, 10, 7, 0, tzinfo=sh
    )
    noon = dt.datetime(2026, 11, 10, 12, 0, tzinfo=sh)
    assert quiet_release(noon, night, morning) == noon
    # A lunchtime quiet window that does not cross midnight.
    assert quiet_release(noon, dt.time(11, 30), dt.time(13, 0)) == dt.datetime(2026, 11, 10, 13, 0, tzinfo=sh)
    assert quiet_release(noon, dt.time(7, 0), dt.time(7, 0)) == noon  # start == end: no quiet hours
