"""Who sees what: one selector decides, and what a user may not see is a 404, not a 403."""

from __future__ import annotations

import pytest

from suggestions import services
from suggestions.selectors import suggestions_visible_to
from testing.factories import lead_assignment, suggestion_in_state

pytestmark = pytest.mark.django_db


def ids(client, url="/api/v1/suggestions/?page_size=200"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def detail(client, suggestion):
    return client.get(f"/api/v1/suggestions/{suggestion.pk}/").status_code


def test_a_unit_sees_only_what_is_assigned_to_it(cast, api):
    assigned = suggestion_in_state("assigned", cast=cast)  # water leads, finance co
    other = suggestion_in_state("registered", cast=cast, title="关于教育的建议")
    for who in ("henry", "hannah", "ivan", "iris"):
        assert ids(api(cast[who])) == {assigned.pk}, who
        assert detail(api(cast[who]), assigned) == 200
        assert detail(api(cast[who]), other) == 404
    assert ids(api(cast.oscar)) == set()
    assert detail(api(cast.oscar), assigned) == 404
    # Its own assignments only: finance cannot open water's assignment.
    water_assignment = lead_assignment(assigned)
    assert api(cast.ivan).get(f"/api/v1/assignments/{water_assignment.pk}/").status_code == 404
    assert api(cast.henry).get(f"/api/v1/assignments/{water_assignment.pk}/").status_code == 200


def test_a_unit_stops_seeing_a_returned_suggestion(cast, api):
    suggestion = suggestion_in_state("returned_request", cast=cast, co_unit=False)
    assert detail(api(cast.henry), suggestion) == 200
    services.assignment_approve_return(assignment=lead_assignment(suggestion), actor=cast.sam)
    assert detail(api(cast.henry), suggestion) == 404
    assert ids(api(cast.henry)) == set()


def test_a_deputy_sees_what_they_lead_or_cosign_plus_public_ones(cast, api):
    own = suggestion_in_state("draft", cast=cast, co_signers=[cast.bob])
    private = suggestion_in_state("replied", cast=cast, public=False, title="关于私密答复的建议")
    public = suggestion_in_state("replied", cast=cast, public=True, title="关于公开答复的建议")
    secret = suggestion_in_state("replied", cast=cast, public=True, confidential=True, title="关于涉密事项的建议")
    everything = {own.pk, private.pk, public.pk, secret.pk}
    assert ids(api(cast.alice)) == everything
    assert ids(api(cast.bob)) == {own.pk, public.pk}  # invited co-signer of the draft, plus the public one
    assert ids(api(cast.carol)) == {public.pk}
    for hidden in (own, private, secret):
        assert detail(api(cast.carol), hidden) == 404
    assert detail(api(cast.carol), public) == 200
    # The confidential suggestion's reply was forced private although the unit asked for public.
    assert not lead_assignment(secret).replies.get().public
    # A deputy's "mine" filter leaves out the public ones of others.
    assert ids(api(cast.carol), "/api/v1/suggestions/?mine=true") == set()


def test_staff_see_everything(cast, api):
    made = {
        suggestion_in_state(state, cast=cast, title=f"关于{state}的建议").pk
        for state in ("draft", "submitted", "not_accepted", "handling", "closed")
    }
    assert ids(api(cast.sam)) == made
    assert set(suggestions_visible_to(cast.sam).values_list("pk", flat=True)) == made


def test_anonymous_gets_401_on_the_api(cast, api):
    suggestion = suggestion_in_state("replied", cast=cast, public=True)
    client = api()
    for url in ("/api/v1/suggestions/", f"/api/v1/suggestions/{suggestion.pk}/", "/api/v1/me/",
                "/api/v1/deadlines/", "/api/v1/assignments/", f"/api/v1/suggestions/{suggestion.pk}/timeline/",
                "/api/v1/units/", "/api/v1/sessions/"):  # fmt: skip
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/suggestions/", {"title": "x"}, format="json").status_code == 401


def test_a_supervisor_sees_what_they_supervise(cast, api):
    from supervision.models import SuggestionSupervisor

    supervised = suggestion_in_state("handling", cast=cast)
    other = suggestion_in_state("handling", cast=cast, title="关于另一件事的建议")
    assert detail(api(cast.victor), supervised) == 404
    assert ids(api(cast.victor)) == set()
    SuggestionSupervisor.objects.create(suggestion=supervised, user=cast.victor, assigned_by=cast.sam)
    assert detail(api(cast.victor), supervised) == 200
    assert detail(api(cast.victor), other) == 404
    assert ids(api(cast.victor)) == {supervised.pk}
    deadlines = api(cast.victor).get("/api/v1/deadlines/?page_size=200").json()["results"]
    assert deadlines and {d["suggestion"] for d in deadlines} == {supervised.pk}


def test_deadlines_follow_visibility(cast, api):
    suggestion = suggestion_in_state("replied", cast=cast)
    alice_rows = api(cast.alice).get("/api/v1/deadlines/?page_size=200").json()["results"]
    assert "evaluation" in {d["kind"] for d in alice_rows}
    assert api(cast.carol).get("/api/v1/deadlines/").json()["results"] == []
    assert api(cast.oscar).get("/api/v1/deadlines/").json()["results"] == []
    henry_rows = api(cast.henry).get("/api/v1/deadlines/?page_size=200").json()["results"]
    assert henry_rows and {d["unit"] for d in henry_rows} == {cast.water.pk}
    evaluation = suggestion.deadlines.get(kind="evaluation")
    assert api(cast.henry).get(f"/api/v1/deadlines/{evaluation.pk}/").status_code == 404


def test_units_do_not_see_events_hidden_from_them(cast, api):
    suggestion = suggestion_in_state("handling", cast=cast)
    services.event_record(
        suggestion=suggestion, actor=cast.sam, action="inspection", detail={"kind": "unannounced"},
        hidden_from_units=True,
    )  # fmt: skip

    def actions(who):
        response = api(cast[who]).get(f"/api/v1/suggestions/{suggestion.pk}/timeline/?page_size=200")
        return [e["action"] for e in response.json()["results"]]

    assert "inspection" in actions("sam")
    assert "inspection" in actions("alice")
    assert "inspection" not in actions("henry")
    assert api(cast.carol).get(f"/api/v1/suggestions/{suggestion.pk}/timeline/").status_code == 404
