"""Must show 2: an unannounced visit (暗访) is a 404 for the unit in every page and API endpoint,
and absent from its notifications, deadlines, timeline and exports until staff release the report;
visible after."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from notifications.models import Notification
from notifications.services import reminders_sweep
from suggestions.models import Deadline, DeadlineKind
from supervision import services
from supervision.models import InspectionKind

pytestmark = pytest.mark.django_db
SECRET = "暗访发现泵房无人值守"


@pytest.fixture
def item(drainage, sam, victor):
    return services.key_item_create(
        actor=sam, year=2026, topic="南冲电排站改造", suggestions=[drainage], leaders=[victor]
    )


@pytest.fixture
def visit(item, drainage, sam, water):
    return services.inspection_create(
        actor=sam, kind=InspectionKind.UNANNOUNCED, held_on=dt.date.today(), key_item=item, suggestion=drainage,
        findings=SECRET, report="暗访报告：泵房无人值守，须整改。",
        follow_up_actions=[{"unit": water, "description": "落实泵房24小时值守", "due_date": dt.date.today() - dt.timedelta(days=1)}],
    )  # fmt: skip


def xlsx_text(response) -> str:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None)


def unit_paths(visit):
    action = visit.follow_up_actions.get()
    return {
        "api_detail": f"/api/v1/inspections/{visit.pk}/",
        "api_release": f"/api/v1/inspections/{visit.pk}/release/",
        "api_action": f"/api/v1/follow-up-actions/{action.pk}/",
        "api_action_complete": f"/api/v1/follow-up-actions/{action.pk}/complete/",
        "page_detail": f"/supervision/inspections/{visit.pk}/",
        "page_action_done": f"/supervision/follow-up-actions/{action.pk}/done/",
    }


def test_unit_cannot_reach_the_visit_before_release(visit, item, drainage, henry, hannah, api, client):
    paths = unit_paths(visit)
    for user in (henry, hannah):
        c = api(user)
        assert c.get(paths["api_detail"]).status_code == 404
        assert c.post(paths["api_release"]).status_code == 404
        assert c.get(paths["api_action"]).status_code == 404
        assert c.post(paths["api_action_complete"], {"note": "x"}, format="json").status_code == 404
        assert c.get("/api/v1/inspections/").json()["results"] == []
        assert c.get(f"/api/v1/inspections/?key_item={item.pk}").json()["results"] == []
        assert c.get("/api/v1/follow-up-actions/").json()["results"] == []
        assert SECRET not in xlsx_text(c.get("/api/v1/inspections/export/"))
        # The item page and the suggestion's timeline say nothing about it either.
        assert SECRET not in c.get(f"/api/v1/key-items/{item.pk}/").content.decode()
        timeline = c.get(f"/api/v1/suggestions/{drainage.pk}/timeline/").json()
        events = timeline["results"] if isinstance(timeline, dict) else timeline
        assert not [e for e in events if e["action"] == "inspection"]
        # No follow-up deadline exists yet, so no reminder and no deadline listing can leak it.
        deadlines = c.get("/api/v1/deadlines/").json()["results"]
        assert not [d for d in deadlines if d["kind"] == DeadlineKind.INSPECTION_FOLLOW_UP]

        client.force_login(user)
        assert client.get(paths["page_detail"]).status_code == 404
        assert client.post(paths["page_action_done"], {"note": "x"}).status_code == 404
        for page in ("/supervision/inspections/", "/supervision/unit/", f"/supervision/key-items/{item.pk}/"):
            response = client.get(page, follow=True)
            assert response.status_code == 200, page
            assert SECRET not in response.content.decode() and "暗访" not in response.content.decode(), page
        assert SECRET not in xlsx_text(client.get("/supervision/inspections/export.xlsx"))

    reminders_sweep()
    assert (
        not Notification.objects.filter(recipient__in=[henry, hannah])
        .filter(deadline__kind=DeadlineKind.INSPECTION_FOLLOW_UP)
        .exists()
    )
    assert not Notification.objects.filter(recipient__in=[henry, hannah], event__action="inspection").exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.INSPECTION_FOLLOW_UP).exists()


def test_staff_and_the_leader_see_it_before_release(visit, sam, victor, api):
    for user in (sam, victor):
        body = api(user).get(f"/api/v1/inspections/{visit.pk}/").json()
        assert body["findings"] == SECRET and body["report_released_at"] is None


def test_after_release_the_unit_sees_it_everywhere_and_is_reminded(visit, item, drainage, henry, sam, api, client):
    response = api(sam).post(f"/api/v1/inspections/{visit.pk}/release/")
    assert response.status_code == 200 and response.json()["report_released_at"]
    paths = unit_paths(visit)
    c = api(henry)
    body = c.get(paths["api_detail"]).json()
    assert body["findings"] == SECRET and body["follow_up_actions"][0]["description"] == "落实泵房24小时值守"
    assert [i["id"] for i in c.get("/api/v1/inspections/").json()["results"]] == [visit.pk]
    assert c.get(paths["api_action"]).status_code == 200
    assert SECRET in xlsx_text(c.get("/api/v1/inspections/export/"))
    timeline = c.get(f"/api/v1/suggestions/{drainage.pk}/timeline/").json()
    events = timeline["results"] if isinstance(timeline, dict) else timeline
    assert [e for e in events if e["action"] == "inspection_report"]
    deadline = Deadline.objects.get(kind=DeadlineKind.INSPECTION_FOLLOW_UP)
    assert deadline.unit == henry.unit and deadline.owner == visit.follow_up_actions.get()
    # The release itself is announced to the unit (the visit before it never was).
    assert Notification.objects.filter(recipient=henry, kind="inspection_report").count() == 1

    client.force_login(henry)
    page = client.get(paths["page_detail"])
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert "落实泵房24小时值守" in client.get("/supervision/unit/").content.decode()
    assert SECRET in xlsx_text(client.get("/supervision/inspections/export.xlsx"))

    reminders_sweep()
    assert Notification.objects.filter(recipient=henry, deadline=deadline).exists()

    # The unit reports the action done; the deadline is met and a second report is a conflict.
    assert c.post(paths["api_action_complete"], {"note": "已安排专人值守"}, format="json").status_code == 200
    deadline.refresh_from_db()
    assert deadline.satisfied_at is not None
    assert c.post(paths["api_action_complete"], {"note": "again"}, format="json").status_code == 409


def test_other_kinds_are_visible_to_the_unit_but_not_their_report_until_release(item, drainage, sam, henry, api):
    visit = services.inspection_create(
        actor=sam,
        kind=InspectionKind.SITE_VISIT,
        held_on=dt.date.today(),
        key_item=item,
        findings=SECRET,
        report="报告",
    )
    body = api(henry).get(f"/api/v1/inspections/{visit.pk}/").json()
    assert body["kind"] == "site_visit" and body["findings"] == "" and body["report"] == ""
