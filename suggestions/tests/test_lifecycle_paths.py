"""The paths off the main road: the evaluation window closing, the second "unsatisfied", co-signers'
ratings, and reopening after a failed second acceptance."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from common.errors import ActionConflict, ActionForbidden, ActionInvalid
from suggestions import services
from suggestions.models import Evaluation, Event
from testing.factories import lead_assignment, release_reply, suggestion_in_state

from .clock import WORKING_DAY_MORNING, pinned_clock

pytestmark = pytest.mark.django_db

# Every test runs at 10:00 Beijing time on a working day, whatever the real clock says.
_clock = pinned_clock(WORKING_DAY_MORNING)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


def test_evaluation_window_closes_unrated_suggestions_as_no_evaluation(cast):
    with at(2026, 3, 3, 10):
        silent = suggestion_in_state("replied", cast=cast)
        rated = suggestion_in_state("replied", cast=cast, title="关于增设公交站的建议")
    window = silent.deadlines.get(kind="evaluation")
    # 20 working days from Tue 3 Mar 2026: 4-6, 9-13, 16-20, 23-27, 30, 31 March.
    assert window.due_date == dt.date(2026, 3, 31) and window.party == "deputy" and window.user == cast.alice
    with at(2026, 3, 20, 10):
        services.suggestion_evaluate(suggestion=rated, actor=cast.alice, attitude="satisfied", result="satisfied")

    assert services.suggestions_close_unevaluated(today=dt.date(2026, 3, 31)) == 0  # due today: still open
    with at(2026, 4, 1, 8):
        assert services.suggestions_close_unevaluated() == 1
        assert services.suggestions_close_unevaluated() == 0  # a second sweep finds nothing to do
    silent.refresh_from_db()
    assert silent.status == "closed" and silent.no_evaluation is True and silent.closed_at is not None
    assert not Evaluation.objects.filter(suggestion=silent).exists()  # not recorded as satisfied
    window.refresh_from_db()
    assert window.cancelled_at is not None and window.satisfied_at is None
    event = silent.events.get(action="close_no_evaluation")
    assert event.actor is None and (event.from_status, event.to_status) == ("replied", "closed")
    rated.refresh_from_db()
    assert rated.status == "closed" and rated.no_evaluation is False
    # Closing a rated round by hand is refused.
    with pytest.raises(ActionConflict):
        services.suggestion_close_without_evaluation(suggestion=rated)


def test_second_unsatisfied_goes_to_staff_face_to_face_then_close_with_note(cast, api):
    suggestion = suggestion_in_state("rehandling", cast=cast)
    suggestion.refresh_from_db()
    assert suggestion.round == 2
    lead = lead_assignment(suggestion)
    assert lead.status == "accepted"
    assert lead.deadlines.filter(kind="rehandling_reply", satisfied_at__isnull=True).count() == 1
    release_reply(suggestion, cast)
    suggestion.refresh_from_db()
    assert suggestion.status == "replied" and suggestion.round == 2

    url = f"/api/v1/suggestions/{suggestion.pk}/"
    # Staff cannot close a replied round before the deputy rates it (or the window ends).
    assert api(cast.sam).post(url + "close/", {"note": "已面商"}, format="json").status_code == 409
    response = api(cast.alice).post(
        url + "evaluate/", {"attitude": "unsatisfied", "result": "unsatisfied", "comment": "仍未解决"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "replied" and response.json()["round"] == 2  # no third round
    face = suggestion.deadlines.get(kind="face_to_face")
    assert face.party == "staff" and face.satisfied_at is None
    assert suggestion.events.filter(action="evaluate", detail__to_staff=True).exists()

    assert api(cast.sam).post(url + "close/", {"note": ""}, format="json").status_code == 400
    assert api(cast.alice).post(url + "close/", {"note": "x"}, format="json").status_code == 403
    closed = api(cast.sam).post(url + "close/", {"note": "三个面对面后达成共识，作办结处理"}, format="json")
    assert closed.status_code == 200, closed.content
    suggestion.refresh_from_db()
    assert suggestion.status == "closed" and suggestion.closure_note == "三个面对面后达成共识，作办结处理"
    face.refresh_from_db()
    assert face.satisfied_at is not None


def test_cosigner_ratings_are_recorded_but_do_not_move_the_state(cast, api):
    suggestion = suggestion_in_state("replied", cast=cast, co_signers=[cast.bob])
    url = f"/api/v1/suggestions/{suggestion.pk}/evaluate/"
    response = api(cast.bob).post(
        url, {"attitude": "satisfied", "result": "unsatisfied", "comment": "资金未落实"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "replied"
    evaluation = Evaluation.objects.get(suggestion=suggestion, deputy=cast.bob)
    assert evaluation.is_lead is False and evaluation.result == "unsatisfied"
    assert not suggestion.deadlines.get(kind="evaluation").satisfied_at  # still waiting for alice
    assert api(cast.bob).post(url, {"attitude": "satisfied", "result": "satisfied"}, format="json").status_code == 409
    assert api(cast.carol).post(url, {"attitude": "satisfied", "result": "satisfied"}, format="json").status_code == 404

    lead = api(cast.alice).post(url, {"attitude": "satisfied", "result": "satisfied"}, format="json")
    assert lead.json()["status"] == "closed"
    ratings = api(cast.alice).get(f"/api/v1/suggestions/{suggestion.pk}/evaluations/").json()["results"]
    assert sorted((r["deputy"], r["is_lead"]) for r in ratings) == sorted([(cast.bob.pk, False), (cast.alice.pk, True)])


def test_unsatisfied_needs_a_comment(cast, api):
    suggestion = suggestion_in_state("replied", cast=cast)
    response = api(cast.alice).post(
        f"/api/v1/suggestions/{suggestion.pk}/evaluate/",
        {"attitude": "satisfied", "result": "unsatisfied"},
        format="json",
    )
    assert response.status_code == 400 and "comment" in response.json()
    suggestion.refresh_from_db()
    assert suggestion.status == "replied" and not suggestion.evaluations.exists()


def test_reopen_after_failed_second_acceptance(cast):
    suggestion = suggestion_in_state("closed", cast=cast)
    with pytest.raises(ActionForbidden):
        services.suggestion_reopen(suggestion=suggestion, actor=cast.alice, reason="验收不合格")
    with pytest.raises(ActionInvalid):
        services.suggestion_reopen(suggestion=suggestion, actor=cast.sam, reason="  ")
    events = Event.objects.filter(suggestion=suggestion).count()

    services.suggestion_reopen(suggestion=suggestion, actor=cast.victor, reason="二次验收不合格")
    suggestion.refresh_from_db()
    assert suggestion.status == "rehandling" and suggestion.round == 2 and suggestion.closed_at is None
    lead = lead_assignment(suggestion)
    assert lead.status == "accepted"
    assert lead.deadlines.filter(kind="rehandling_reply", satisfied_at__isnull=True).count() == 1
    assert suggestion.events.filter(action="reopen", from_status="closed", to_status="rehandling").exists()
    assert suggestion.events.get(action="rehandling_ordered").detail["reason"] == "二次验收不合格"

    events = Event.objects.filter(suggestion=suggestion).count()
    with pytest.raises(ActionConflict):  # a repeat: already re-handling
        services.suggestion_reopen(suggestion=suggestion, actor=cast.sam, reason="二次验收不合格")
    assert Event.objects.filter(suggestion=suggestion).count() == events

    # The new round ends with a new released reply, and the deputy rates again.
    release_reply(suggestion, cast)
    suggestion.refresh_from_db()
    assert suggestion.status == "replied"


def test_reopen_is_refused_while_still_handling(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    with pytest.raises(ActionConflict):
        services.suggestion_reopen(suggestion=suggestion, actor=None, reason="系统")
    suggestion.refresh_from_db()
    assert suggestion.status == "handling" and suggestion.round == 1


def test_commitments_cannot_be_reported_once_staff_closed_the_follow_up(cast):
    suggestion = suggestion_in_state("follow_up", cast=cast)
    commitment = lead_assignment(suggestion).replies.get(status="released").commitments.get()
    services.suggestion_close(suggestion=suggestion, actor=cast.sam, note="二次验收通过")
    with pytest.raises(ActionConflict):
        services.commitment_fulfil(commitment=commitment, actor=cast.henry, note="已完成")
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is None
