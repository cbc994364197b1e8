"""The gaps issue 15 found on the pages: deadline explanations, supervision events named in the
timeline, editing key items and campaigns, a unit reading the instructions, the deputies of a
merged suggestion reading the one it became part of."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from conftest import make_user
from suggestions import deadlines as dl
from suggestions import services as core
from suggestions.models import Deadline, DeadlineKind, Event, Party
from suggestions.selectors import suggestions_visible_to
from suggestions.templatetags.suggestion_ui import event_title
from supervision import services
from supervision.models import Campaign, Inspection, KeySuggestion
from supervision.regime import regime_deadlines
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _page(client, user, suggestion, lang="en") -> str:
    client.force_login(user)
    client.cookies["django_language"] = lang
    r = client.get(reverse("suggestion_detail", args=[suggestion.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200
    return r.content.decode()


def test_each_deadline_explains_its_date_in_both_languages(drainage, water, sam, client):
    deadline = dl.deadline_open(
        kind=DeadlineKind.SIGN, party=Party.UNIT, starts_on=dt.date(2026, 9, 30), unit=water, suggestion=drainage
    )
    assert deadline.due_date == dt.date(2026, 10, 10)  # 3 working days past the National Day week (a 调休 Saturday)
    dl.deadline_extend(deadline=deadline, new_due_date=dt.date(2026, 10, 20), reason="需要协调", actor=sam)
    html = _page(client, sam, drainage, "en")
    assert "Rule: 3 working days, counted from 2026-09-30" in html
    assert "National Day" in html and "Extended from 2026-10-10 to 2026-10-20" in html and "需要协调" in html
    html = _page(client, sam, drainage, "zh-hans")
    assert "国庆节" in html and "规则" in html


def test_supervision_events_are_named_and_a_follow_up_is_not_a_closing(drainage, sam, victor, henry, water, client):
    services.supervisor_attach(suggestion=drainage, user=victor, actor=sam)
    services.instruction_record(actor=victor, suggestion=drainage, text="请抓紧办理")
    inspection = services.inspection_create(
        actor=sam, kind="site_visit", held_on=dt.date(2026, 9, 20), suggestion=drainage, report="报告",
        follow_up_actions=[{"unit": water, "description": "整改排涝", "due_date": dt.date(2026, 10, 30)}],
    )  # fmt: skip
    services.inspection_release_report(inspection=inspection, actor=sam)
    services.follow_up_action_complete(action=inspection.follow_up_actions.get(), actor=henry, note="已整改")
    assert drainage.events.filter(action="inspection_follow_up_done").count() == 1
    html = _page(client, sam, drainage, "en")
    timeline = html[html.index('id="h-timeline"') :]
    assert "Other record" not in timeline
    for label in ("Supervisor attached", "Leader&#x27;s instruction", "Inspection recorded", "Inspection report sent"):
        assert label in timeline, label
    assert "Unit reported a follow-up action done" in timeline
    assert "Commitments fulfilled; closed" not in timeline
    with translation.override("en"):
        # An event recorded before the rename is named by what its detail carries.
        legacy = Event(action="follow_up_done", detail={"inspection": 1, "action": 2})
        assert event_title(legacy) == "Unit reported a follow-up action done"
        assert event_title(Event(action="follow_up_done", detail={"commitment": 3})) == "Commitments fulfilled; closed"


def test_units_and_deputies_read_the_instructions_on_the_suggestion_page(cast, sam, victor, henry, ivan, alice, client):
    # Suggestion and assignment ids must not line up by chance: a rule mixing them up fails here.
    for n in range(3):
        suggestion_in_state("handling", cast=cast, title=f"其他{n}")
    drainage = suggestion_in_state("handling", cast=cast, title="关于南冲电排站改造的建议")
    assert not drainage.assignments.filter(pk=drainage.pk).exists()
    services.supervisor_attach(suggestion=drainage, user=victor, actor=sam)
    services.instruction_record(actor=victor, suggestion=drainage, text="请水务局本月内拿出方案")
    for user in (henry, ivan, alice, sam):
        assert "请水务局本月内拿出方案" in _page(client, user, drainage), user


def test_the_deputies_of_a_merged_suggestion_read_the_one_it_was_merged_into(drainage, cast, carol, sam, client):
    dave = make_user("dave", Role.DEPUTY)
    merged = core.suggestion_create(
        author=carol, title="关于南冲排站的补充建议", body="补充意见。", session=cast.session, co_signers=[]
    )
    core.suggestion_submit(suggestion=merged, actor=carol)
    core.suggestion_merge(suggestion=merged, actor=sam, into=drainage)
    assert suggestions_visible_to(carol).filter(pk=drainage.pk).exists()
    assert not suggestions_visible_to(dave).filter(pk=drainage.pk).exists()
    assert drainage.title in _page(client, carol, drainage)
    client.force_login(dave)
    assert client.get(reverse("suggestion_detail", args=[drainage.pk])).status_code == 404


@pytest.fixture
def item(drainage, sam, victor):
    return services.key_item_create(
        actor=sam, year=2026, topic="排涝", suggestions=[drainage], leaders=[victor],
        milestones=[{"title": "完成设计", "target_date": "2026-10-15"}], regime_starts_on=dt.date(2026, 9, 1),
    )  # fmt: skip


def test_staff_edit_a_key_item_its_milestones_and_regime(item, drainage, sam, victor, client):
    url = reverse("supervision:key_item_edit", args=[item.pk])
    client.force_login(victor)
    assert client.get(url).status_code == 403
    client.force_login(sam)
    page = client.get(url)
    assert page.status_code == 200 and "2026-10-15 完成设计" in page.content.decode()
    september = regime_deadlines(item).filter(due_date__month=9).count()
    assert september
    data = {
        "topic": "排涝工程", "suggestions": [drainage.pk], "leaders": [victor.pk], "regime_starts_on": "2026-10-01",
        "milestones": "2026-11-01 开工\n2026-12-20 完工",
    }  # fmt: skip
    bad = client.post(url, {**data, "milestones": "下月 开工"})
    assert bad.status_code == 400 and KeySuggestion.objects.get(pk=item.pk).topic == "排涝"
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    item.refresh_from_db()
    assert item.topic == "排涝工程" and item.regime_starts_on == dt.date(2026, 10, 1)
    assert [m.title for m in item.milestones.all()] == ["开工", "完工"]
    # The September periods are before the new start: their open deadlines no longer apply.
    assert not regime_deadlines(item).filter(due_date__month=9, cancelled_at__isnull=True).exists()
    assert client.post(reverse("supervision:key_item_regenerate", args=[item.pk])).status_code == 302
    client.force_login(victor)
    assert client.post(reverse("supervision:key_item_regenerate", args=[item.pk])).status_code == 403


def test_staff_edit_a_campaign_with_its_suggestions(item, drainage, sam, victor, client):
    campaign = services.campaign_save(
        actor=sam, name="督办周", starts_on=dt.date(2026, 9, 21), ends_on=dt.date(2026, 9, 25), key_items=[item]
    )
    url = reverse("supervision:campaign_edit", args=[campaign.pk])
    client.force_login(victor)
    assert client.get(url).status_code == 403
    client.force_login(sam)
    data = {"name": "九月督办周", "starts_on": "2026-09-21", "ends_on": "2026-09-25", "key_items": [item.pk],
            "suggestions": [drainage.pk], "outcome": "已督促"}  # fmt: skip
    assert client.post(url, {**data, "ends_on": "2026-09-01"}).status_code == 400
    assert client.post(url, data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.name == "九月督办周" and list(campaign.suggestions.all()) == [drainage]
    assert drainage.display_number in client.get(reverse("supervision:campaigns")).content.decode()
    assert not Inspection.objects.exists()


def test_a_follow_up_action_is_overdue_by_its_deadline(drainage, sam, henry, water, client):
    """The unit's supervision page reads "overdue" from the deadline the action owns (issue 10: one
    definition), not from the action's own date: a deadline moved later is not overdue."""
    inspection = services.inspection_create(
        actor=sam, kind="site_visit", held_on=dt.date(2026, 9, 20), suggestion=drainage, report="报告",
        follow_up_actions=[{"unit": water, "description": "整改排涝", "due_date": dt.date(2026, 10, 9)}],
    )  # fmt: skip
    services.inspection_release_report(inspection=inspection, actor=sam)
    action = inspection.follow_up_actions.get()
    deadline = Deadline.objects.owned_by(action).get()
    with time_machine.travel(dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(henry)
        r = client.get(reverse("supervision:unit"))
        assert r.status_code == 200, r
        [row] = r.context["actions"]
        assert row.pk == action.pk and row.is_overdue
        deadline.due_date = dt.date(2026, 10, 20)  # moved later (as an extension would)
        deadline.save(update_fields=["due_date"])
        [row] = client.get(reverse("supervision:unit")).context["actions"]
        assert not row.is_overdue
        services.follow_up_action_complete(action=action, actor=henry, note="已整改")
        deadline.due_date = dt.date(2026, 10, 9)
        deadline.save(update_fields=["due_date"])
        [row] = client.get(reverse("supervision:unit")).context["actions"]
        assert not row.is_overdue  # done: its deadline is met
