"""提办对接: a deputy consults a unit on a draft; the unit answers within five working days."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from common.errors import ActionConflict, ActionForbidden, ActionInvalid
from handling import services
from handling.models import Consultation
from suggestions.models import Deadline, DeadlineKind, Event
from testing.factories import draft, suggestion_in_state

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_morning():
    # Monday 2 March 2026, 09:30 in Beijing: five working days later is Monday 9 March.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=CST), tick=False):
        yield


def test_deputy_asks_unit_answers_and_both_stay_on_the_record(cast, api):
    suggestion = draft(cast)
    response = api(cast.alice).post(
        f"/api/v1/suggestions/{suggestion.pk}/consult/", {"unit": cast.water.pk, "question": "电排站归哪个部门管?"}
    )
    assert response.status_code == 201, response.json()
    consultation_id = response.json()["id"]
    deadline = Deadline.objects.get(kind=DeadlineKind.CONSULTATION, unit=cast.water)
    assert deadline.due_date == dt.date(2026, 3, 9)
    assert deadline.is_open

    # The unit sees the question with the draft as sent, though it cannot open the draft itself.
    listed = api(cast.henry).get("/api/v1/consultations/").json()["results"]
    assert [c["id"] for c in listed] == [consultation_id]
    assert listed[0]["draft_title"] == suggestion.title
    assert api(cast.henry).get(f"/api/v1/suggestions/{suggestion.pk}/").status_code == 404

    answered = api(cast.henry).post(f"/api/v1/consultations/{consultation_id}/answer/", {"answer": "由水利局负责。"})
    assert answered.status_code == 200, answered.json()
    assert answered.json()["answer"] == "由水利局负责。"
    deadline.refresh_from_db()
    assert deadline.satisfied_at is not None
    actions = list(Event.objects.filter(suggestion=suggestion).values_list("action", flat=True))
    assert actions[-2:] == ["consultation_request", "consultation_answer"]

    # The deputy then edits and submits as usual; the exchange stays on the record.
    mine = api(cast.alice).get(f"/api/v1/consultations/?suggestion={suggestion.pk}").json()["results"]
    assert mine[0]["answer"] == "由水利局负责。"


def test_only_the_lead_deputy_asks_and_only_on_a_draft(cast):
    suggestion = draft(cast)
    with pytest.raises(ActionForbidden):
        services.consultation_request(suggestion=suggestion, actor=cast.bob, unit=cast.water, question="?")
    with pytest.raises(ActionInvalid) as error:
        services.consultation_request(suggestion=suggestion, actor=cast.alice, unit=cast.water, question="  ")
    assert "question" in error.value.errors
    submitted = suggestion_in_state("submitted", cast=cast, title="关于另一件事的建议")
    with pytest.raises(ActionConflict):
        services.consultation_request(suggestion=submitted, actor=cast.alice, unit=cast.water, question="?")
    assert not Consultation.objects.exists()


def test_only_the_consulted_unit_answers_once(cast):
    suggestion = draft(cast)
    consultation = services.consultation_request(suggestion=suggestion, actor=cast.alice, unit=cast.water, question="?")
    for outsider in (cast.ivan, cast.alice, cast.sam):
        with pytest.raises(ActionForbidden):
            services.consultation_answer(consultation=consultation, actor=outsider, answer="x")
    services.consultation_answer(consultation=consultation, actor=cast.henry, answer="第一次答复")
    with pytest.raises(ActionConflict):
        services.consultation_answer(consultation=consultation, actor=cast.hannah, answer="第二次")
    consultation.refresh_from_db()
    assert consultation.answer == "第一次答复"


def test_outsiders_do_not_see_consultations(cast, api):
    suggestion = draft(cast)
    consultation = services.consultation_request(suggestion=suggestion, actor=cast.alice, unit=cast.water, question="?")
    for outsider in (cast.carol, cast.ivan, cast.oscar, cast.victor):
        assert api(outsider).get("/api/v1/consultations/").json()["results"] == []
        assert api(outsider).get(f"/api/v1/consultations/{consultation.pk}/").status_code == 404
        assert (
            api(outsider).post(f"/api/v1/consultations/{consultation.pk}/answer/", {"answer": "x"}).status_code == 404
        )
    assert api(cast.sam).get(f"/api/v1/consultations/{consultation.pk}/").status_code == 200
    assert api().get("/api/v1/consultations/").status_code in (401, 403)


def test_bad_input_is_a_400_naming_the_field(cast, api):
    suggestion = draft(cast)
    url = f"/api/v1/suggestions/{suggestion.pk}/consult/"
    assert "unit" in api(cast.alice).post(url, {"unit": 999999, "question": "?"}).json()
    assert "question" in api(cast.alice).post(url, {"unit": cast.water.pk, "question": ""}).json()
    assert api(cast.carol).post(url, {"unit": cast.water.pk, "question": "?"}).status_code == 404
    assert not Consultation.objects.exists()


def test_pages_ask_and_answer(cast, client):
    suggestion = draft(cast)
    client.force_login(cast.alice)
    page = client.get(f"/suggestions/{suggestion.pk}/")
    assert b'data-form="consult"' in page.content
    response = client.post(
        f"/handling/suggestions/{suggestion.pk}/consult/", {"unit": cast.water.pk, "question": "请问归口单位?"}
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    client.force_login(cast.henry)
    listing = client.get("/handling/consultations/")
    assert "请问归口单位?" in listing.content.decode()
    response = client.post(f"/handling/consultations/{consultation.pk}/answer/", {"answer": "归水利局。"})
    assert response.status_code == 302
    client.force_login(cast.alice)
    assert "归水利局。" in client.get(f"/suggestions/{suggestion.pk}/").content.decode()
