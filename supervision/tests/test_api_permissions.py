"""Must show 6: every supervision action through the API, for each role — happy path, wrong role
(403), outsider (404), wrong state (409) and the repeat — plus 400s naming the field."""

import datetime as dt

import pytest
import time_machine

from accounts.models import Role
from conftest import make_user
from suggestions.models import Deadline, DeadlineKind
from supervision import services
from supervision.models import InspectionKind, Instruction, KeySuggestion, SuggestionSupervisor

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def item(drainage, sam, victor):
    return services.key_item_create(
        actor=sam, year=2026, topic="南冲电排站改造", suggestions=[drainage], leaders=[victor]
    )


# ------------------------------------------------------------------ supervisors and instructions


def test_attach_supervisor(drainage, session_2026, alice, sam, victor, henry, oscar, api, make_suggestion):
    url, body = "/api/v1/suggestion-supervisors/", {"suggestion": drainage.pk, "user": victor.pk}
    assert api(henry).post(url, body, format="json").status_code == 403
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(victor).post(url, body, format="json").status_code == 404  # not yet supervising: cannot see it
    r = api(sam).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["user"] == victor.pk
    assert api(sam).post(url, body, format="json").status_code == 409
    assert SuggestionSupervisor.objects.count() == 1
    assert drainage.events.filter(action="supervisor_attach").count() == 1
    # Now victor sees the suggestion and what he supervises.
    assert api(victor).get(f"/api/v1/suggestions/{drainage.pk}/").status_code == 200
    assert [x["suggestion"] for x in api(victor).get(url).json()["results"]] == [drainage.pk]
    # Not a supervisor: 400 on the field; a draft: 409.
    r = api(sam).post(url, {"suggestion": drainage.pk, "user": henry.pk}, format="json")
    assert r.status_code == 400 and "user" in r.json()
    draft = make_suggestion(session_2026, state="draft", title="关于草稿的建议")
    assert api(sam).post(url, {"suggestion": draft.pk, "user": victor.pk}, format="json").status_code == 409


def test_detach_supervisor(drainage, sam, victor, henry, api):
    link = services.supervisor_attach(suggestion=drainage, user=victor, actor=sam)
    url = f"/api/v1/suggestion-supervisors/{link.pk}/"
    assert api(henry).delete(url).status_code == 403
    assert api(victor).delete(url).status_code == 403
    assert api(sam).delete(url).status_code == 204
    assert api(sam).delete(url).status_code == 404


def test_instruction_on_a_suggestion(drainage, sam, victor, henry, alice, carol, api):
    url, body = "/api/v1/instructions/", {"suggestion": drainage.pk, "text": "请水务局加快推进"}
    assert api(victor).post(url, body, format="json").status_code == 404
    services.supervisor_attach(suggestion=drainage, user=victor, actor=sam)
    assert api(henry).post(url, body, format="json").status_code == 403
    assert api(alice).post(url, body, format="json").status_code == 403
    assert api(carol).post(url, body, format="json").status_code == 404
    assert api(victor).post(url, body, format="json").status_code == 201
    # Each 批示 is its own record: a second one is kept, both on the timeline.
    assert api(victor).post(url, body, format="json").status_code == 201
    assert Instruction.objects.count() == 2
    event = drainage.events.filter(action="instruction").last()
    assert event.actor == victor and event.detail["text"] == "请水务局加快推进" and not event.hidden_from_units
    assert api(victor).post(url, {"suggestion": drainage.pk, "text": ""}, format="json").status_code == 400
    # The unit sees instructions on its suggestion.
    assert len(api(henry).get(f"{url}?suggestion={drainage.pk}").json()["results"]) == 2


def test_instruction_on_a_key_item(item, sam, victor, henry, oscar, api):
    wendy = make_user("wendy", Role.SUPERVISOR)
    url, body = "/api/v1/instructions/", {"key_item": item.pk, "text": "每月调度一次"}
    assert api(wendy).post(url, body, format="json").status_code == 404
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(henry).post(url, body, format="json").status_code == 403
    assert api(victor).post(url, body, format="json").status_code == 201
    services.key_item_complete(key_item=item, actor=sam)
    assert api(victor).post(url, body, format="json").status_code == 409


# ------------------------------------------------------------------ key items


@time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ))
def test_create_key_item(drainage, session_2026, alice, sam, victor, henry, api, make_suggestion):
    url = "/api/v1/key-items/"
    body = {
        "year": 2026, "topic": "南冲电排站改造", "suggestions": [drainage.pk], "leaders": [victor.pk],
        "committee": "农业农村工委", "government_leader": "副市长", "council_meeting": "第3次主任会议",
        "council_date": "2026-03-12", "work_plan": "分三步", "milestones": [{"title": "完成设计", "target_date": "2026-05-31"}],
    }  # fmt: skip
    assert api(victor).post(url, body, format="json").status_code == 403
    assert api(henry).post(url, body, format="json").status_code == 403
    r = api(sam).post(url, body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["council_meeting"] == "第3次主任会议" and data["leaders"] == [victor.pk]
    assert len(data["regime"]) == 16 and data["milestones"][0]["title"] == "完成设计"
    assert data["flag"] == "green" and data["next_due"] == "2026-03-31"
    with time_machine.travel(dt.datetime(2026, 3, 25, 10, 0, tzinfo=TZ)):
        assert api(sam).get(url).json()["results"][0]["flag"] == "amber"  # due within 7 days
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, 0, tzinfo=TZ)):
        row = api(sam).get(url).json()["results"][0]
        assert row["flag"] == "red" and row["overdue"] == 2  # March report and Q1 inspection
    # The same suggestion cannot be chosen twice in a year.
    assert api(sam).post(url, body, format="json").status_code == 409
    # Bad input names the field.
    r = api(sam).post(url, {**body, "leaders": [henry.pk]}, format="json")
    assert r.status_code == 400 and "leaders" in r.json()
    draft = make_suggestion(session_2026, state="draft", title="关于草稿的建议")
    r = api(sam).post(url, {**body, "suggestions": [draft.pk]}, format="json")
    assert r.status_code == 400 and "suggestions" in r.json()
    r = api(sam).post(url, {**body, "suggestions": [999999]}, format="json")
    assert r.status_code == 400 and "suggestions" in r.json()


def test_key_item_visibility(item, drainage, sam, victor, henry, ivan, oscar, alice, bob, carol, api):
    url = f"/api/v1/key-items/{item.pk}/"
    for user in (sam, victor, henry, ivan, alice, bob):
        assert api(user).get(url).status_code == 200, user
    wendy = make_user("wendy", Role.SUPERVISOR)
    for user in (oscar, carol, wendy):
        assert api(user).get(url).status_code == 404, user
        assert api(user).get("/api/v1/key-items/").json()["results"] == []


def test_complete_and_regenerate_key_item(item, sam, victor, oscar, api):
    url = f"/api/v1/key-items/{item.pk}/"
    assert api(victor).post(url + "regenerate-regime/").status_code == 403
    assert api(sam).post(url + "regenerate-regime/").status_code == 200
    assert api(oscar).post(url + "complete/", {}, format="json").status_code == 404
    assert api(victor).post(url + "complete/", {}, format="json").status_code == 403
    r = api(sam).post(url + "complete/", {"note": "已完成"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    assert all(d["state"] == "cancelled" or d["state"] == "met" for d in r.json()["regime"])
    assert api(sam).post(url + "complete/", {}, format="json").status_code == 409
    assert api(sam).post(url + "regenerate-regime/").status_code == 409
    assert api(sam).patch(url, {"topic": "新"}, format="json").status_code == 409


def test_update_key_item(item, sam, victor, api):
    url = f"/api/v1/key-items/{item.pk}/"
    assert api(victor).patch(url, {"topic": "新题目"}, format="json").status_code == 403
    r = api(sam).patch(url, {"topic": "新题目", "committee": "城建工委"}, format="json")
    assert r.status_code == 200 and r.json()["topic"] == "新题目"
    assert api(sam).patch(url, {"topic": ""}, format="json").status_code == 400


@time_machine.travel(dt.datetime(2026, 4, 20, 10, 0, tzinfo=TZ))
def test_monthly_report(drainage, sam, henry, ivan, oscar, victor, api):
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)):
        item = services.key_item_create(actor=sam, year=2026, topic="排涝", suggestions=[drainage])
    url = "/api/v1/monthly-reports/"
    body = {"key_item": item.pk, "period": "2026-04", "progress": "已完成设计招标"}
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(ivan).post(url, body, format="json").status_code == 403  # co-unit
    assert api(sam).post(url, body, format="json").status_code == 403
    assert api(victor).post(url, body, format="json").status_code == 404  # not his item
    r = api(henry).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["period"] == "2026-04"
    assert api(henry).post(url, body, format="json").status_code == 409
    april = Deadline.objects.get(object_id=item.pk, kind=DeadlineKind.MONTHLY_REPORT, due_date=dt.date(2026, 4, 30))
    assert april.satisfied_at is not None
    r = api(henry).post(url, {**body, "period": "2026-09"}, format="json")
    assert r.status_code == 400 and "period" in r.json()
    r = api(henry).post(url, {**body, "period": "2026-02"}, format="json")
    assert r.status_code == 400 and "period" in r.json()
    # March was not reported on time; a late report still meets it (lateness stays visible from the dates).
    assert api(henry).post(url, {**body, "period": "2026-03"}, format="json").status_code == 201
    services.key_item_complete(key_item=item, actor=sam)
    r = api(henry).post(url, {**body, "period": "2026-04-01", "progress": "x"}, format="json")
    assert r.status_code == 409
    # Co-unit users see the item but only their own unit's reports.
    assert api(ivan).get(f"{url}?key_item={item.pk}").json()["results"] == []
    assert len(api(sam).get(f"{url}?key_item={item.pk}").json()["results"]) == 2


@time_machine.travel(dt.datetime(2026, 6, 20, 10, 0, tzinfo=TZ))
def test_half_year_report(drainage, sam, victor, oscar, api):
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)):
        item = services.key_item_create(actor=sam, year=2026, topic="排涝", suggestions=[drainage], leaders=[victor])
    url = f"/api/v1/key-items/{item.pk}/half-year-report/"
    body = {"reported_on": "2026-06-18", "meeting": "常委会第二十次会议", "summary": "进展顺利"}
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(victor).post(url, body, format="json").status_code == 403
    assert api(sam).post(url, body, format="json").status_code == 201
    assert api(sam).post(url, body, format="json").status_code == 409
    r = api(sam).post(url, {**body, "reported_on": "2026-07-30"}, format="json")
    assert r.status_code == 400 and "reported_on" in r.json()


@time_machine.travel(dt.datetime(2026, 12, 10, 10, 0, tzinfo=TZ))
def test_year_end_evaluation(drainage, sam, victor, alice, bob, henry, carol, api):
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)):
        item = services.key_item_create(actor=sam, year=2026, topic="排涝", suggestions=[drainage], leaders=[victor])
    url = f"/api/v1/key-items/{item.pk}/"
    assert api(sam).post(url + "year-end-result/", {}, format="json").status_code == 409  # no forms yet
    form = {"rating": "satisfied", "score": 90}
    assert api(carol).post(url + "year-end-scores/", form, format="json").status_code == 404
    assert api(henry).post(url + "year-end-scores/", form, format="json").status_code == 403
    assert api(sam).post(url + "year-end-scores/", form, format="json").status_code == 403
    assert api(alice).post(url + "year-end-scores/", form, format="json").status_code == 201
    assert api(alice).post(url + "year-end-scores/", form, format="json").status_code == 409
    r = api(bob).post(url + "year-end-scores/", {"rating": "unsatisfied", "score": 50}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    r = api(bob).post(url + "year-end-scores/", {"rating": "basically_satisfied", "score": 101}, format="json")
    assert r.status_code == 400 and "score" in r.json()
    assert (
        api(bob)
        .post(url + "year-end-scores/", {"rating": "basically_satisfied", "score": 75}, format="json")
        .status_code
        == 201
    )
    assert (
        api(victor).post(url + "year-end-scores/", {"rating": "satisfied", "score": 88}, format="json").status_code
        == 201
    )
    assert api(victor).post(url + "year-end-result/", {}, format="json").status_code == 403
    r = api(sam).post(url + "year-end-result/", {"note": "测评完成"}, format="json")
    assert r.status_code == 201
    assert r.json() | {} == {**r.json(), "forms": 3, "satisfied": 2, "basically_satisfied": 1, "unsatisfied": 0,
                             "result": "satisfied", "average_score": "84.3"}  # fmt: skip
    assert api(sam).post(url + "year-end-result/", {}, format="json").status_code == 409
    assert api(carol).post(url + "year-end-scores/", form, format="json").status_code == 404


def test_year_end_verdict_tie_goes_to_the_less_favourable_rating():
    assert services.year_end_verdict(2, 2, 0) == "basically_satisfied"
    assert services.year_end_verdict(1, 0, 1) == "unsatisfied"
    assert services.year_end_verdict(3, 1, 1) == "satisfied"


# ------------------------------------------------------------------ inspections


def test_create_inspection(item, drainage, sam, victor, henry, oscar, alice, water, api):
    url = "/api/v1/inspections/"
    body = {"kind": "site_visit", "held_on": "2026-03-20", "key_item": item.pk, "participants": [sam.pk, victor.pk, alice.pk],
            "findings": "工程已开工", "report": "现场查看报告",
            "follow_up_actions": [{"unit": water.pk, "description": "加快进度", "due_date": "2026-04-30"}]}  # fmt: skip
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(henry).post(url, body, format="json").status_code == 403
    assert api(alice).post(url, body, format="json").status_code == 403
    r = api(victor).post(url, body, format="json")
    assert r.status_code == 201, r.content
    assert set(r.json()["units"]) == {henry.unit_id, drainage.assignments.get(role="co").unit_id}
    assert api(sam).post(url, {**body, "kind": "spot_check"}, format="json").status_code == 201
    r = api(sam).post(url, {**body, "kind": "nonsense"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()
    r = api(sam).post(url, {**body, "participants": [henry.pk]}, format="json")
    assert r.status_code == 400 and "participants" in r.json()
    r = api(sam).post(url, {**body, "verdict": "pass"}, format="json")
    assert r.status_code == 400 and "verdict" in r.json()
    r = api(sam).post(url, {"kind": "look_back", "held_on": "2026-03-20", "key_item": item.pk}, format="json")
    assert r.status_code == 400 and "suggestion" in r.json()
    r = api(sam).post(url, {"kind": "look_back", "held_on": "2026-03-20", "suggestion": drainage.pk}, format="json")
    assert r.status_code == 409  # not closed yet
    services.key_item_complete(key_item=item, actor=sam)
    assert api(sam).post(url, body, format="json").status_code == 409


def test_release_report(item, sam, victor, henry, oscar, api):
    visit = services.inspection_create(actor=sam, kind="site_visit", held_on=dt.date.today(), key_item=item)
    url = f"/api/v1/inspections/{visit.pk}/release/"
    assert api(oscar).post(url).status_code == 404
    assert api(henry).post(url).status_code == 403
    assert api(victor).post(url).status_code == 403
    assert api(sam).post(url).status_code == 409  # no written report yet
    visit.report = "报告"
    visit.save(update_fields=["report"])
    assert api(sam).post(url).status_code == 200
    assert api(sam).post(url).status_code == 409


def test_follow_up_action_roles(item, sam, henry, ivan, oscar, water, api):
    visit = services.inspection_create(
        actor=sam, kind="site_visit", held_on=dt.date.today(), key_item=item, report="报告",
        follow_up_actions=[{"unit": water, "description": "整改", "due_date": dt.date.today()}],
    )  # fmt: skip
    services.inspection_release_report(inspection=visit, actor=sam)
    url = f"/api/v1/follow-up-actions/{visit.follow_up_actions.get().pk}/complete/"
    assert api(oscar).post(url, {"note": "x"}, format="json").status_code == 404
    assert api(ivan).post(url, {"note": "x"}, format="json").status_code == 404  # finance: not its action
    assert api(sam).post(url, {"note": "x"}, format="json").status_code == 403
    r = api(henry).post(url, {"note": ""}, format="json")
    assert r.status_code == 400 and "note" in r.json()
    assert api(henry).post(url, {"note": "已整改"}, format="json").status_code == 200
    assert api(henry).post(url, {"note": "已整改"}, format="json").status_code == 409


def test_face_to_face_meeting(replied, session_2026, sam, alice, bob, carol, henry, oscar, api, make_suggestion):
    url = "/api/v1/meetings/"
    body = {"held_on": "2026-03-20", "suggestion": replied.pk, "participants": [sam.pk, alice.pk],
            "answers": "水务局说明了资金安排", "renewed_opinions": "代表认可进度"}  # fmt: skip
    # carol sees only the public view of the published suggestion: acting on it is a 404 (SPEC 8).
    assert api(carol).post(url, body, format="json").status_code == 404
    assert api(oscar).post(url, body, format="json").status_code == 404
    assert api(alice).post(url, body, format="json").status_code == 403
    assert api(henry).post(url, body, format="json").status_code == 403
    r = api(sam).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["kind"] == "face_to_face"
    assert r.json()["answers"] == "水务局说明了资金安排"
    r = api(sam).post(url, {**body, "answers": ""}, format="json")
    assert r.status_code == 400 and "answers" in r.json()
    # The deputies and the unit see the meeting; a deputy with nothing to do with it does not.
    for user in (alice, henry):
        assert [m["id"] for m in api(user).get(url).json()["results"]] != []
    assert api(carol).get(url).json()["results"] == []
    draft = make_suggestion(session_2026, state="draft", title="关于草稿的建议")
    assert api(sam).post(url, {**body, "suggestion": draft.pk}, format="json").status_code == 409


# ------------------------------------------------------------------ campaigns and links


def test_campaign(item, sam, victor, henry, api):
    url = "/api/v1/campaigns/"
    body = {
        "name": "2026年督办周",
        "starts_on": "2026-05-11",
        "ends_on": "2026-05-15",
        "key_items": [item.pk],
        "outcome": "督办5件",
    }
    assert api(victor).post(url, body, format="json").status_code == 403
    assert api(henry).post(url, body, format="json").status_code == 403
    r = api(sam).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["key_items"] == [item.pk]
    r = api(sam).post(url, {**body, "ends_on": "2026-05-01"}, format="json")
    assert r.status_code == 400 and "ends_on" in r.json()
    assert len(api(victor).get(url).json()["results"]) == 1
    assert api(henry).get(url).json()["results"] == []
    cid = api(sam).get(url).json()["results"][0]["id"]
    assert api(henry).get(f"{url}{cid}/").status_code == 404
    r = api(sam).put(f"{url}{cid}/", {**body, "outcome": "督办6件"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "督办6件"


def test_link_repeat(drainage, alice, sam, henry, oscar, api, make_suggestion):
    from suggestions.models import CongressSession

    s2025 = CongressSession.objects.create(term=16, number=3, year=2025)
    earlier = make_suggestion(s2025, title="关于南冲电排站改造的建议")
    url = f"/api/v1/suggestions/{drainage.pk}/link-repeat/"
    assert api(oscar).post(url, {"repeat_of": earlier.pk}, format="json").status_code == 404
    assert api(henry).post(url, {"repeat_of": earlier.pk}, format="json").status_code == 403
    r = api(sam).post(url, {"repeat_of": earlier.pk}, format="json")
    assert r.status_code == 200 and r.json()["count"] == 2 and r.json()["since_year"] == 2025
    assert api(sam).post(url, {"repeat_of": earlier.pk}, format="json").status_code == 409
    r = api(sam).post(f"/api/v1/suggestions/{earlier.pk}/link-repeat/", {"repeat_of": drainage.pk}, format="json")
    assert r.status_code == 400 and "repeat_of" in r.json()
    assert drainage.events.filter(action="link_repeat").count() == 1
    # The system proposes the earlier suggestion to staff only.
    later = make_suggestion(drainage.session, title="关于南冲电排站改造的建议")
    r = api(sam).get(f"/api/v1/suggestions/{later.pk}/repeat-candidates/")
    assert r.status_code == 200 and [c["id"] for c in r.json()] == [earlier.pk]
    assert api(alice).get(f"/api/v1/suggestions/{later.pk}/repeat-candidates/").status_code == 403


def test_link_follow_up_to_a_look_back(replied, alice, sam, henry, hannah, session_2026, api, make_suggestion):
    from .conftest import close_unsatisfied

    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    look_back = services.inspection_create(
        actor=sam, kind=InspectionKind.LOOK_BACK, held_on=dt.date.today(), suggestion=replied, findings="仍有积水"
    )
    new = make_suggestion(session_2026, title="关于南冲片区排涝的再建议", state="registered")
    url = f"/api/v1/suggestions/{new.pk}/link-follow-up/"
    assert api(henry).post(url, {"look_back": look_back.pk}, format="json").status_code == 404
    assert api(alice).post(url, {"look_back": look_back.pk}, format="json").status_code == 403
    r = api(sam).post(url, {"look_back": look_back.pk}, format="json")
    assert r.status_code == 200 and r.json()["follows_up"] == replied.pk
    assert api(sam).post(url, {"look_back": look_back.pk}, format="json").status_code == 409
    assert new.events.get(action="link_follow_up").detail["look_back"] == look_back.pk
    # The look-back met the look-back deadline that closing opened.
    assert not Deadline.objects.filter(suggestion=replied, kind=DeadlineKind.LOOK_BACK, satisfied_at=None).exists()


def test_every_endpoint_is_in_the_schema(api, sam):
    schema = api(sam).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for p in (
        "/api/v1/key-items/", "/api/v1/key-items/{id}/", "/api/v1/key-items/{id}/complete/",
        "/api/v1/key-items/{id}/half-year-report/", "/api/v1/key-items/{id}/year-end-scores/",
        "/api/v1/key-items/{id}/year-end-result/", "/api/v1/monthly-reports/", "/api/v1/inspections/",
        "/api/v1/inspections/{id}/release/", "/api/v1/inspections/export/", "/api/v1/meetings/",
        "/api/v1/follow-up-actions/{id}/complete/", "/api/v1/suggestion-supervisors/", "/api/v1/instructions/",
        "/api/v1/campaigns/", "/api/v1/suggestions/{id}/repeat-chain/", "/api/v1/suggestions/{id}/link-repeat/",
    ):  # fmt: skip
        assert p in paths, p
    assert "KeyItemIn" in str(paths["/api/v1/key-items/"]["post"]["requestBody"])


def test_key_items_are_chosen_once_a_year(item, drainage, sam):
    from common.errors import ActionConflict

    with pytest.raises(ActionConflict):
        services.key_item_create(actor=sam, year=2026, topic="again", suggestions=[drainage])
    assert KeySuggestion.objects.count() == 1
