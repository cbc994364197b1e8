"""Must show 1: a key item created in March gets exactly these "五个一" deadlines for the year."""

import datetime as dt

import pytest
import time_machine

from suggestions.models import Deadline, DeadlineKind
from supervision import services
from supervision.regime import plan
from supervision.selectors import key_item_deadlines
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def drainage(cast):
    """The conftest's suggestion, reached through the services a fortnight before the key item."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        return suggestion_in_state("handling", cast=cast, co_signers=[cast.bob], title="关于南冲电排站改造的建议")


@time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
def test_key_item_created_in_march_gets_the_years_regime(drainage, sam, victor, water):
    item = services.key_item_create(
        actor=sam, year=2026, topic="南冲电排站改造", suggestions=[drainage], leaders=[victor],
        council_meeting="十六届常委会第3次主任会议", council_date=D(2026, 3, 12),
    )  # fmt: skip
    got = sorted((d.kind, d.party, d.unit_id, d.starts_on, d.due_date) for d in key_item_deadlines(item))
    M, Q, H, Y = (
        DeadlineKind.MONTHLY_REPORT,
        DeadlineKind.QUARTERLY_INSPECTION,
        DeadlineKind.HALF_YEAR_REPORT,
        DeadlineKind.YEAR_END_EVALUATION,
    )
    w = water.pk
    expected = sorted(
        [
            # 一月一情况 from the lead unit (水务局), last working day of each month from March.
            (M, "unit", w, D(2026, 3, 16), D(2026, 3, 31)),
            (M, "unit", w, D(2026, 4, 1), D(2026, 4, 30)),
            (M, "unit", w, D(2026, 5, 1), D(2026, 5, 29)),  # 31 May is a Sunday
            (M, "unit", w, D(2026, 6, 1), D(2026, 6, 30)),
            (M, "unit", w, D(2026, 7, 1), D(2026, 7, 31)),
            (M, "unit", w, D(2026, 8, 1), D(2026, 8, 31)),
            (M, "unit", w, D(2026, 9, 1), D(2026, 9, 30)),
            (M, "unit", w, D(2026, 10, 1), D(2026, 10, 30)),  # 31 October is a Saturday
            (M, "unit", w, D(2026, 11, 1), D(2026, 11, 30)),
            (M, "unit", w, D(2026, 12, 1), D(2026, 12, 31)),
            # 一季一检查 by staff: last working day of each quarter.
            (Q, "staff", None, D(2026, 3, 16), D(2026, 3, 31)),
            (Q, "staff", None, D(2026, 4, 1), D(2026, 6, 30)),
            (Q, "staff", None, D(2026, 7, 1), D(2026, 9, 30)),
            (Q, "staff", None, D(2026, 10, 1), D(2026, 12, 31)),
            # 半年一汇报 to the standing committee, and 年度一测评.
            (H, "staff", None, D(2026, 3, 16), D(2026, 6, 30)),
            (Y, "staff", None, D(2026, 3, 16), D(2026, 12, 31)),
        ]
    )
    assert got == expected
    # Every regime deadline belongs to the item and starts the reminder sweep on its start day.
    assert all(d.owner == item and d.next_reminder_on == d.starts_on for d in key_item_deadlines(item))
    monthly = key_item_deadlines(item).filter(kind=M)
    assert {d.suggestion_id for d in monthly} == {drainage.pk}
    assert monthly.get(due_date=D(2026, 5, 29)).explanation["period"] == "2026-05"


@time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
def test_regeneration_is_idempotent(drainage, sam):
    item = services.key_item_create(actor=sam, year=2026, topic="排涝", suggestions=[drainage])
    before = Deadline.objects.count()
    assert services.regime_regenerate(key_item=item, actor=sam) == []
    # No row anywhere; the suggestion's own handling deadlines are not the regime's 16.
    assert Deadline.objects.count() == before
    assert key_item_deadlines(item).count() == 16


def test_plan_skips_periods_already_past_and_second_half_has_no_half_year_report():
    # Chosen on Saturday 30 May: May's report (due Friday 29 May) is not owed.
    p = plan(D(2026, 5, 30))
    assert next(x.due_date for x in p if x.kind == DeadlineKind.MONTHLY_REPORT) == D(2026, 6, 30)
    p = plan(D(2026, 8, 3))
    kinds = [x.kind for x in p]
    assert DeadlineKind.HALF_YEAR_REPORT not in kinds
    assert [x.due_date for x in p if x.kind == DeadlineKind.QUARTERLY_INSPECTION] == [D(2026, 9, 30), D(2026, 12, 31)]
    assert [x.due_date for x in p if x.kind == DeadlineKind.YEAR_END_EVALUATION] == [D(2026, 12, 31)]
