"""办理方案: the lead unit records its plan within five working days of signing; milestones are deadlines."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from common.errors import ActionConflict, ActionForbidden, ActionInvalid
from handling import services
from handling.models import HandlingPlan
from suggestions.models import Deadline, DeadlineKind
from testing.factories import co_assignment, lead_assignment, suggestion_in_state

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    # Wednesday 23 September 2026: five working days after signing run past National Day (1-8 October).
    with time_machine.travel(dt.datetime(2026, 9, 23, 10, 0, tzinfo=CST), tick=False):
        yield


def _plan_payload(**over):
    payload = {
        "summary": "先勘查后立项，年内完成改造设计。",
        "meeting_on": "2026-09-23",
        "meeting_notes": "局长主持收件专题会",
        "steps": [
            {
                "description": "现场勘查",
                "responsible_person": "张科长",
                "division": "工程科",
                "milestone_on": "2026-10-20",
            },
            {"description": "立项报批", "responsible_person": "李科长", "milestone_on": "2026-11-30"},
        ],
    }
    payload.update(over)
    return payload


def test_signing_opens_the_plan_deadline_for_the_lead_unit_only(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    lead = lead_assignment(suggestion)
    plan_deadlines = Deadline.objects.filter(kind=DeadlineKind.HANDLING_PLAN)
    assert [(d.assignment_id, d.unit_id) for d in plan_deadlines] == [(lead.pk, cast.water.pk)]
    # Five working days from Wednesday 23 Sep: 24, 28, 29, 30 Sep (25 Sep is Mid-Autumn) and, after
    # National Day (1-7 Oct), Thursday 8 Oct.
    assert plan_deadlines.get().due_date == dt.date(2026, 10, 8)
    assert not Deadline.objects.filter(kind=DeadlineKind.HANDLING_PLAN, assignment=co_assignment(suggestion)).exists()


def test_unit_records_plan_milestones_become_deadlines_and_deputy_sees_it(cast, api):
    suggestion = suggestion_in_state("handling", cast=cast)
    lead = lead_assignment(suggestion)
    response = api(cast.henry).put(f"/api/v1/assignments/{lead.pk}/plan/", _plan_payload(), format="json")
    assert response.status_code == 200, response.json()
    assert [s["description"] for s in response.json()["steps"]] == ["现场勘查", "立项报批"]
    assert Deadline.objects.get(kind=DeadlineKind.HANDLING_PLAN).satisfied_at is not None
    milestones = Deadline.objects.filter(kind=DeadlineKind.PLAN_MILESTONE).order_by("due_date")
    assert [d.due_date for d in milestones] == [dt.date(2026, 10, 20), dt.date(2026, 11, 30)]
    assert all(d.is_open and d.unit_id == cast.water.pk for d in milestones)

    seen = api(cast.alice).get(f"/api/v1/assignments/{lead.pk}/plan/")
    assert seen.status_code == 200
    assert seen.json()["summary"].startswith("先勘查")
    assert api(cast.carol).get(f"/api/v1/assignments/{lead.pk}/plan/").status_code == 404

    # Completing a step meets its milestone.
    step_id = response.json()["steps"][0]["id"]
    done = api(cast.henry).post(f"/api/v1/plan-steps/{step_id}/done/", {"note": "已勘查"})
    assert done.status_code == 200, done.json()
    first, second = milestones
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.satisfied_at is not None
    assert second.is_open
    assert api(cast.henry).post(f"/api/v1/plan-steps/{step_id}/done/", {}).status_code == 409


def test_revising_replaces_pending_steps_and_cancels_their_milestones(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    lead = lead_assignment(suggestion)
    step = services.StepInput("现场勘查", "张科长", dt.date(2026, 10, 20))
    services.plan_record(assignment=lead, actor=cast.henry, summary="初稿", steps=[step])
    services.plan_record(
        assignment=lead,
        actor=cast.hannah,
        summary="修订",
        steps=[services.StepInput("设计招标", "王科长", dt.date(2026, 12, 1))],
    )
    plan = HandlingPlan.objects.get()
    assert plan.summary == "修订"
    assert [s.description for s in plan.steps.all()] == ["设计招标"]
    open_milestones = Deadline.objects.open().filter(kind=DeadlineKind.PLAN_MILESTONE)
    assert [d.due_date for d in open_milestones] == [dt.date(2026, 12, 1)]
    assert Deadline.objects.filter(kind=DeadlineKind.PLAN_MILESTONE, cancelled_at__isnull=False).count() == 1


def test_refusals_change_nothing(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    lead, co = lead_assignment(suggestion), co_assignment(suggestion)
    steps = [services.StepInput("勘查", "张", dt.date(2026, 10, 20))]
    with pytest.raises(ActionForbidden):
        services.plan_record(assignment=lead, actor=cast.ivan, summary="x", steps=steps)
    with pytest.raises(ActionForbidden):
        services.plan_record(assignment=co, actor=cast.ivan, summary="x", steps=steps)
    with pytest.raises(ActionInvalid) as error:
        services.plan_record(assignment=lead, actor=cast.henry, summary="x", steps=[])
    assert "steps" in error.value.errors
    with pytest.raises(ActionInvalid):
        services.plan_record(assignment=lead, actor=cast.henry, summary="", steps=steps)
    replied = suggestion_in_state("replied", cast=cast, title="关于已答复事项的建议")
    with pytest.raises(ActionConflict):
        services.plan_record(assignment=lead_assignment(replied), actor=cast.henry, summary="x", steps=steps)
    assert not HandlingPlan.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.PLAN_MILESTONE).exists()


def test_bad_plan_input_is_a_400(cast, api):
    suggestion = suggestion_in_state("handling", cast=cast)
    url = f"/api/v1/assignments/{lead_assignment(suggestion).pk}/plan/"
    assert "steps" in api(cast.henry).put(url, _plan_payload(steps=[]), format="json").json()
    bad_date = _plan_payload(steps=[{"description": "x", "responsible_person": "y", "milestone_on": "2026-13-40"}])
    assert "steps" in api(cast.henry).put(url, bad_date, format="json").json()
    assert api(cast.henry).get(url).status_code == 404  # nothing recorded yet
    assert not HandlingPlan.objects.exists()


def test_plan_page_records_and_detail_shows_it(cast, client):
    suggestion = suggestion_in_state("handling", cast=cast)
    lead = lead_assignment(suggestion)
    client.force_login(cast.henry)
    detail = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert 'data-action="plan"' in detail
    data = {
        "summary": "分两步实施",
        "meeting_on": "",
        "meeting_notes": "",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
        "steps-0-description": "现场勘查",
        "steps-0-responsible_person": "张科长",
        "steps-0-division": "",
        "steps-0-milestone_on": "2026-10-20",
    }
    response = client.post(f"/handling/assignments/{lead.pk}/plan/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # A half-filled row is a form error, not a lost step.
    data["steps-1-description"] = "立项"
    response = client.post(f"/handling/assignments/{lead.pk}/plan/", data)
    assert response.status_code == 400
    client.force_login(cast.alice)
    assert "分两步实施" in client.get(f"/suggestions/{suggestion.pk}/").content.decode()
