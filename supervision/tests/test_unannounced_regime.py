"""Issue 12, finding 1: an unannounced visit (暗访) must not show through the key item's regime.

Recording a 暗访 of a key item meets the quarter's 一季一检查 deadline (a fact staff need: no
reminder for an inspection that took place). Until staff release its report, the unit and the
deputies see the regime exactly as before the visit: deadline states, the item's next due date,
its overdue count and flag, in the API and on the page. After release they see it met.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supervision import services
from supervision.models import InspectionKind

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
# After the first quarter's inspection deadline (Tue 31 March 2026), so whether it is met
# changes the item's overdue count and flag, not only the row's state.
NOW = dt.datetime(2026, 4, 3, 10, 0, tzinfo=TZ)


@pytest.fixture
def item(drainage, sam, victor):
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, 0, tzinfo=TZ), tick=False):
        return services.key_item_create(
            actor=sam, year=2026, topic="南冲电排站改造", suggestions=[drainage], leaders=[victor]
        )


def quarterly(data) -> dict:
    return next(d for d in data["regime"] if d["kind"] == "quarterly_inspection")


def regime_view(client, item) -> dict:
    """What the API says about the item to this caller: the detail and its row in the list."""
    detail = client.get(f"/api/v1/key-items/{item.pk}/").json()
    listed = next(r for r in client.get("/api/v1/key-items/").json()["results"] if r["id"] == item.pk)
    keep = ("next_due", "overdue", "flag", "regime")
    return {"detail": {k: detail[k] for k in keep}, "list": {k: listed[k] for k in keep if k in listed}}


def page_regime(client, item) -> str:
    html = client.get(f"/supervision/key-items/{item.pk}/").content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def record_visit(item, sam):
    return services.inspection_create(
        actor=sam, kind=InspectionKind.UNANNOUNCED, held_on=dt.date(2026, 3, 20), key_item=item,
        findings="泵房无人值守", report="暗访报告：泵房无人值守。",
    )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_unreleased_visit_changes_nothing_the_unit_or_deputy_sees(item, sam, henry, hannah, alice, api, client):
    watchers = (henry, hannah, alice)
    before_api = {u.pk: regime_view(api(u), item) for u in watchers}
    before_pages = {}
    for user in watchers:
        client.force_login(user)
        before_pages[user.pk] = page_regime(client, item)
    staff_before = regime_view(api(sam), item)
    assert quarterly(staff_before["detail"])["state"] == "overdue"

    record_visit(item, sam)

    for user in watchers:
        after = regime_view(api(user), item)
        assert after == before_api[user.pk], user.username
        assert quarterly(after["detail"])["state"] == "overdue"
        assert quarterly(after["detail"])["satisfied_at"] is None
        client.force_login(user)
        assert page_regime(client, item) == before_pages[user.pk], user.username

    # Staff (and the supervising leader) see the fact: the quarter's inspection took place.
    staff_after = regime_view(api(sam), item)
    assert quarterly(staff_after["detail"])["state"] == "met"
    assert staff_after["detail"]["overdue"] == staff_before["detail"]["overdue"] - 1


@time_machine.travel(NOW, tick=False)
def test_supervisor_sees_the_visit_meet_the_deadline(item, sam, victor, api):
    record_visit(item, sam)
    assert quarterly(api(victor).get(f"/api/v1/key-items/{item.pk}/").json())["state"] == "met"


@time_machine.travel(NOW, tick=False)
def test_released_visit_shows_the_deadline_met_to_the_unit(item, sam, henry, api):
    visit = record_visit(item, sam)
    services.inspection_release_report(inspection=visit, actor=sam)
    data = api(henry).get(f"/api/v1/key-items/{item.pk}/").json()
    assert quarterly(data)["state"] == "met"
    assert quarterly(data)["satisfied_at"] is not None


@time_machine.travel(NOW, tick=False)
def test_a_visible_inspection_in_the_quarter_shows_met_despite_a_hidden_visit(item, sam, henry, api):
    record_visit(item, sam)
    services.inspection_create(
        actor=sam, kind=InspectionKind.SITE_VISIT, held_on=dt.date(2026, 3, 25), key_item=item, findings="现场查看"
    )
    assert quarterly(api(henry).get(f"/api/v1/key-items/{item.pk}/").json())["state"] == "met"
