"""SPEC section 11 endpoints: similar suggestions, unit routing, reply check; their permissions
(any signed-in user / staff / the assigned unit's users), visibility and shapes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Unit
from common.text import semantic
from suggestions import services
from suggestions.models import CongressSession, Reply, Suggestion
from testing.factories import draft, lead_assignment, log_contact, suggestion_in_state
from textanalysis.models import RouterModel, RoutingPrediction

pytestmark = pytest.mark.django_db

SIMILAR = "/api/v1/suggestions/similar/"
ROUTING = "/api/v1/routing/suggest/"


@pytest.fixture
def duties(cast):
    cast.water.duties = "负责水利工程、堤防、水闸、电排站、泵站的建设管理和城乡排涝。"
    cast.water.save()
    cast.finance.duties = "负责财政预算、专项资金安排和政府债务管理。"
    cast.finance.save()
    cast.education.duties = "负责中小学学位、校舍建设、教师队伍和校园安全。"
    cast.education.save()
    Unit.objects.create(code="MZJ", name="民政局", duties="负责最低生活保障（低保）、特困供养和养老服务。")
    return cast


# --- similar ---------------------------------------------------------------------------------------


def test_similar_lists_what_the_caller_may_see_most_similar_first(cast, api):
    public = suggestion_in_state("replied", cast=cast, public=True, title="关于改造南冲电排站的建议")
    secret = suggestion_in_state("replied", cast=cast, confidential=True, public=True, title="关于南冲电排站扩容的建议")
    other = suggestion_in_state("registered", cast=cast, title="关于增加中小学学位的建议")
    body = {"title": "关于尽快改造南冲电排站的建议", "body": "南冲电排站排涝能力不足。"}
    rows = api(cast.carol).post(SIMILAR, body, format="json").json()["results"]
    assert [r["id"] for r in rows] == [public.pk]  # carol: only the public one
    assert set(rows[0]) == {"id", "display_number", "title", "year", "status", "score"}
    assert rows[0]["year"] == 2026 and rows[0]["status"] == "replied"
    staff_rows = api(cast.sam).post(SIMILAR, body, format="json").json()["results"]
    ranked = [r["id"] for r in staff_rows]
    assert ranked[:2] == [public.pk, secret.pk]
    assert other.pk not in ranked[:2]  # shares only the body's words, ranks after
    assert len(staff_rows) <= 10


def test_similar_needs_sign_in_and_some_text(cast, api):
    assert api().post(SIMILAR, {"title": "电排站"}, format="json").status_code in (401, 403)
    response = api(cast.alice).post(SIMILAR, {"title": " ", "body": ""}, format="json")
    assert response.status_code == 400 and "title" in response.json()


# --- routing ---------------------------------------------------------------------------------------


def test_routing_is_for_staff_only(duties, api):
    for persona in ("alice", "henry", "hannah", "victor"):
        assert api(duties[persona]).post(ROUTING, {"title": "电排站"}, format="json").status_code == 403, persona
    assert api().post(ROUTING, {"title": "电排站"}, format="json").status_code in (401, 403)


def test_routing_proposes_three_leads_with_duty_evidence(duties, api):
    response = api(duties.sam).post(
        ROUTING, {"title": "关于改造南冲电排站的建议", "body": "汛期排涝能力不足。"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    leads = [c for c in data["candidates"] if c["role"] == "lead"]
    assert len(leads) == 3
    assert leads[0]["unit"] == duties.water.pk and leads[0]["unit_name"] == "水务局"
    assert any(e["kind"] == "duty" and "电排站" in e["text"] for e in leads[0]["evidence"])
    assert isinstance(data["needs_human"], bool)


def test_routing_learns_the_final_unit_after_a_return_and_cites_history(duties, api, settings):
    """Two school-bus suggestions went to education, were returned and ended at finance: the
    trained router follows the final assignment, and shows those suggestions as evidence."""
    finals = []
    for title in ("关于校车补贴的建议", "关于校车购置补贴资金的建议"):
        s = suggestion_in_state("registered", cast=duties, title=title)
        services.suggestion_assign(suggestion=s, actor=duties.sam, lead_units=[duties.education], co_units=[])
        services.assignment_request_return(assignment=lead_assignment(s), actor=duties.oscar, reason="非本单位职责")
        services.assignment_approve_return(assignment=lead_assignment(s), actor=duties.sam, note="改派")
        services.suggestion_assign(suggestion=s, actor=duties.sam, lead_units=[duties.finance], co_units=[])
        finals.append(s)
    settings.ROUTER_HISTORY_WEIGHT_AT = 1  # two examples weigh as much as a real office's thousands
    call_command("train_router")
    assert RouterModel.objects.get().trained_on == 2
    data = api(duties.sam).post(ROUTING, {"title": "关于校车补贴发放的建议"}, format="json").json()
    top = data["candidates"][0]
    assert top["unit"] == duties.finance.pk
    assert {e.get("suggestion") for e in top["evidence"] if e["kind"] == "history"} & {s.pk for s in finals}


@pytest.mark.skipif(not semantic.available(), reason="the sentence-vector model does not load here")
def test_a_retrain_embeds_only_the_titles_new_since_the_stored_model(duties, monkeypatch):
    """Embedding is most of a retrain's cost: the nightly `train_router` takes the vectors of the newest
    stored model and computes only those of suggestions assigned since (the process's own cache is
    emptied first, as in a fresh worker)."""
    for title in ("关于校车补贴的建议", "关于改造南冲电排站的建议"):
        s = suggestion_in_state("registered", cast=duties, title=title)
        services.suggestion_assign(suggestion=s, actor=duties.sam, lead_units=[duties.education], co_units=[])
    call_command("train_router")
    first = RouterModel.objects.get()
    s = suggestion_in_state("registered", cast=duties, title="关于关爱独居长者的建议")
    services.suggestion_assign(suggestion=s, actor=duties.sam, lead_units=[duties.finance], co_units=[])

    asked: list[str] = []
    real = semantic._state.model

    class Spy:
        def query(self, texts):
            asked.extend(texts)
            return real.query(texts)

    monkeypatch.setattr(semantic._state, "model", Spy())
    semantic._state.cache.clear()
    call_command("train_router")
    assert asked == ["关于关爱独居长者的建议"]
    latest = RouterModel.objects.exclude(pk=first.pk).get()
    assert latest.trained_on == 3


def test_a_retrain_does_not_fail_for_a_stored_model_it_cannot_read(duties):
    """The last model's vectors are only a saving: a blob that no longer loads (a library upgrade, a
    damaged row) makes the retrain embed every title, not fail."""
    s = suggestion_in_state("registered", cast=duties, title="关于校车补贴的建议")
    services.suggestion_assign(suggestion=s, actor=duties.sam, lead_units=[duties.education], co_units=[])
    RouterModel.objects.create(trained_on=0, units=0, seconds=0, blob=b"not a model")
    call_command("train_router")
    assert RouterModel.objects.order_by("-created_at", "-id").first().trained_on == 1


def test_the_deputys_suggested_unit_is_evidence(duties, api):
    data = (
        api(duties.sam)
        .post(ROUTING, {"title": "关于改造南冲电排站的建议", "suggested_unit": duties.finance.pk}, format="json")
        .json()
    )
    finance = next(c for c in data["candidates"] if c["unit"] == duties.finance.pk)
    assert any(e["kind"] == "suggested_unit" for e in finance["evidence"])


def test_assigning_records_the_proposal_for_monthly_accuracy(duties, client):
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC), tick=False):
        s = suggestion_in_state("assigned", cast=duties, title="关于改造南冲电排站的建议")
    prediction = RoutingPrediction.objects.get(suggestion=s)
    assert prediction.first == duties.water
    client.force_login(duties.sam)
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC), tick=False):
        html = client.get("/text/routing-accuracy/").content.decode()
    assert "2026-03" in html and "100%" in html
    client.force_login(duties.henry)
    assert client.get("/text/routing-accuracy/").status_code == 403


# --- reply check -----------------------------------------------------------------------------------


def _handling(cast) -> Suggestion:
    s = draft(cast, title="关于改造南冲电排站的建议", body="建议：一、尽快改造南冲电排站；二、增加排涝泵站维护经费。")
    services.suggestion_submit(suggestion=s, actor=cast.alice)
    services.suggestion_accept(suggestion=s, actor=cast.sam)
    services.suggestion_assign(suggestion=s, actor=cast.sam, lead_units=[cast.water], co_units=[cast.finance])
    services.assignment_sign(assignment=lead_assignment(s), actor=cast.henry)
    return s


def test_reply_check_for_the_units_users_only(cast, api):
    s = _handling(cast)
    url = f"/api/v1/assignments/{lead_assignment(s).pk}/reply-check/"
    body = {"body": "我局正在研究南冲电排站改造事宜。", "result_class": "B"}
    for persona in ("henry", "hannah"):
        response = api(cast[persona]).post(url, body, format="json")
        assert response.status_code == 200, (persona, response.content)
    findings = api(cast.hannah).post(url, body, format="json").json()["findings"]
    kinds = {(f["kind"], f["text"]) for f in findings}
    assert ("boilerplate", "正在研究") in kinds
    assert ("uncovered_point", "增加排涝泵站维护经费") in kinds
    assert ("missing_commitment_date", "B") in kinds
    assert api(cast.ivan).post(url, body, format="json").status_code == 404  # the co-unit does not hold it
    assert api(cast.oscar).post(url, body, format="json").status_code == 404  # an outsider
    assert api(cast.carol).post(url, body, format="json").status_code == 404
    assert api(cast.sam).post(url, body, format="json").status_code == 403
    assert api(cast.henry).post(url, {"body": "x", "result_class": "Z"}, format="json").status_code == 400


def test_reply_check_panel_shows_next_to_the_waiting_reply(cast, client):
    s = _handling(cast)
    lead = lead_assignment(s)
    log_contact(lead, cast.henry)
    services.reply_draft(
        assignment=lead, actor=cast.henry, body="正在研究。", result_class="A", adoption="adopted",
        public=False, commitments=[],
    )  # fmt: skip
    client.force_login(cast.hannah)
    detail = client.get(f"/suggestions/{s.pk}/").content.decode()
    assert f"/text/reply-check/{lead.pk}/" in detail
    panel = client.get(f"/text/reply-check/{lead.pk}/").content.decode()
    assert 'data-kind="boilerplate"' in panel and 'data-kind="uncovered_point"' in panel


# --- pages: intake hint, draft assist, routing panel, chronic ---------------------------------------


def test_intake_shows_repeats_from_earlier_years_with_one_click_link(cast, client):
    earlier_session = CongressSession.objects.create(term=16, number=1, year=2023, start_date=dt.date(2023, 1, 10))
    old = suggestion_in_state("registered", cast=cast, title="关于改造南冲电排站的建议")
    Suggestion.objects.filter(pk=old.pk).update(session=earlier_session)
    new = draft(cast, title="关于改造南冲电排站的建议")
    services.suggestion_submit(suggestion=new, actor=cast.alice)
    client.force_login(cast.sam)
    assert f"/text/intake-hint/{new.pk}/" in client.get("/intake/").content.decode()
    hint = client.get(f"/text/intake-hint/{new.pk}/").content.decode()
    assert "2023" in hint and f'value="{old.pk}"' in hint
    assert f"/supervision/suggestions/{new.pk}/link-repeat/" in hint
    client.force_login(cast.alice)
    assert client.get(f"/text/intake-hint/{new.pk}/").status_code == 403


def test_draft_assist_shows_similar_guidance_and_a_likely_unit(duties, client):
    suggestion_in_state("replied", cast=duties, public=True, result_class="B", title="关于改造南冲电排站的建议")
    client.force_login(duties.carol)
    html = client.post(
        "/text/draft-assist/", {"title": "南冲电排站改造", "body": "电排站坏了，建议修。"}
    ).content.decode()
    assert "关于改造南冲电排站的建议" in html and "2026" in html
    assert 'data-kind="title"' in html and "水务局" in html
    form = client.get("/suggestions/new/").content.decode()
    assert "/text/draft-assist/" in form and "<script>" not in form.split("</footer>")[0]


def test_assign_page_loads_the_routing_panel(duties, client):
    s = suggestion_in_state("registered", cast=duties, title="关于改造南冲电排站的建议")
    client.force_login(duties.sam)
    assert f"/text/routing/{s.pk}/" in client.get(f"/suggestions/{s.pk}/assign/").content.decode()
    panel = client.get(f"/text/routing/{s.pk}/").content.decode()
    assert ("水务局" in panel and "a person must decide" in panel.lower()) or "人" in panel
    client.force_login(duties.henry)
    assert client.get(f"/text/routing/{s.pk}/").status_code in (403, 404)


def test_chronic_candidates_are_the_first_repeats_or_weak_answers_in_number_order(cast):
    """Repeats and C/D answers are read apart and merged: the page's limit takes the first of either
    kind by number, as one query over "repeat or weak" did."""
    from textanalysis.insights import chronic_issues

    weak_first = suggestion_in_state("replied", cast=cast, result_class="C")
    earlier = suggestion_in_state("replied", cast=cast, result_class="A")
    repeat = suggestion_in_state("replied", cast=cast, result_class="A")
    Suggestion.objects.filter(pk=repeat.pk).update(repeat_of=earlier)
    weak_last = suggestion_in_state("replied", cast=cast, result_class="D")
    assert weak_first.number < repeat.number < weak_last.number
    year = cast.session.year
    # The repeat (raised in one year only) takes the second place of two, and is not chronic.
    assert [i.suggestion.pk for i in chronic_issues(year=year, limit=2)] == [weak_first.pk]
    assert [i.suggestion.pk for i in chronic_issues(year=year, limit=3)] == [weak_first.pk, weak_last.pk]
    assert all(i.weak_reply for i in chronic_issues(year=year))


def test_chronic_issues_come_a_page_at_a_time(cast, client):
    """The page shows the year's candidates `CHRONIC_PAGE` at a time (200 matters with their
    chains on one page were most of its time at 10^6 suggestions), in number order, with a next link."""
    from textanalysis.insights import chronic_page

    first = suggestion_in_state("replied", cast=cast, result_class="C")
    second = suggestion_in_state("replied", cast=cast, result_class="D")
    year = cast.session.year
    issues, has_next = chronic_page(year=year, page=1, per_page=1)
    assert [i.suggestion.pk for i in issues] == [first.pk] and has_next
    issues, has_next = chronic_page(year=year, page=2, per_page=1)
    assert [i.suggestion.pk for i in issues] == [second.pk] and not has_next
    client.force_login(cast.sam)
    html = client.get("/text/chronic/", {"year": year, "page": "x"}).content.decode()
    assert f'data-suggestion="{first.pk}"' in html and f'data-suggestion="{second.pk}"' in html
    assert "page=2" not in html  # both fit on the page: no next link
    assert client.get("/text/chronic/", {"year": year, "page": "99999999999999999999"}).status_code == 200


def test_chronic_issues_list_matters_raised_in_three_years(cast, client):
    chain = []
    for year in (2022, 2024, 2026):
        session = CongressSession.objects.get_or_create(
            year=year, defaults={"term": 16, "number": year - 2021, "start_date": dt.date(year, 1, 10)}
        )[0]
        s = suggestion_in_state("replied", cast=cast, result_class="B", title="关于改造南冲电排站的建议")
        Suggestion.objects.filter(pk=s.pk).update(session=session, repeat_of=chain[-1] if chain else None)
        chain.append(s)
    client.force_login(cast.sam)
    html = client.get("/text/chronic/", {"year": 2026}).content.decode()
    assert "2022, 2024, 2026" in html and f'data-suggestion="{chain[-1].pk}"' in html
    assert "年底前完成改造" in html  # the earlier commitments
    assert client.get("/text/chronic/", {"year": 2024}).content.decode().count("data-suggestion=") == 0
    client.force_login(cast.victor)
    assert client.get("/text/chronic/").status_code == 200
    client.force_login(cast.alice)
    assert client.get("/text/chronic/").status_code == 403


def test_chronic_issues_show_a_supervisor_only_what_they_may_see(cast, client):
    """Issue 12's rule on this page too: a supervising leader is not shown a confidential matter nor,
    of a published one they take no part in, a reply that is not public."""
    hidden = suggestion_in_state("replied", cast=cast, result_class="C", title="关于保密事项的建议")
    Suggestion.objects.filter(pk=hidden.pk).update(confidential=True)
    shown = suggestion_in_state("replied", cast=cast, result_class="D", title="关于河道清淤的建议")
    Reply.objects.filter(assignment__suggestion=shown).update(public=True)  # published, with its reply
    year = cast.session.year
    client.force_login(cast.sam)
    html = client.get("/text/chronic/", {"year": year}).content.decode()
    assert f'data-suggestion="{hidden.pk}"' in html and f'data-suggestion="{shown.pk}"' in html
    client.force_login(cast.victor)
    html = client.get("/text/chronic/", {"year": year}).content.decode()
    assert f'data-suggestion="{shown.pk}"' in html
    assert f'data-suggestion="{hidden.pk}"' not in html and "关于保密事项的建议" not in html
    from textanalysis.insights import chronic_issues

    [issue] = [i for i in chronic_issues(year=year, reader=cast.victor) if i.suggestion.pk == shown.pk]
    assert [r.pk for r in issue.suggestion.released] == list(
        Reply.objects.filter(assignment__suggestion=shown).values_list("pk", flat=True)
    )
    Reply.objects.filter(assignment__suggestion=shown).update(public=False)  # no longer published
    assert not [i for i in chronic_issues(year=year, reader=cast.victor) if i.suggestion.pk == shown.pk]


def test_staff_write_unit_duties_others_read_them(cast, api):
    url = f"/api/v1/units/{cast.water.pk}/"
    assert api(cast.sam).patch(url, {"duties": "负责电排站和排涝。"}, format="json").status_code == 200
    assert api(cast.henry).get(url).json()["duties"] == "负责电排站和排涝。"
    assert api(cast.hannah).patch(url, {"duties": "改写"}, format="json").status_code == 403
    cast.water.refresh_from_db()
    assert cast.water.duties == "负责电排站和排涝。"
