"""Event notifications: the core's timeline events become notices for the right people, once."""

import pytest

from notifications.models import Channel, Delivery, Kind, Notification
from suggestions.models import SuggestionStatus
from suggestions.services import event_record, suggestion_assign


def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.mark.django_db
def test_assignment_notifies_every_unit_user_and_the_robot(
    make_suggestion, sam, water, finance, henry, hannah, ivan, iris, oscar
):
    water.webhook_url = "http://127.0.0.1:9/robot"
    water.save()
    s = make_suggestion(status=SuggestionStatus.REGISTERED)
    suggestion_assign(suggestion=s, actor=sam, lead_units=[water], co_units=[finance])
    for user in (henry, hannah, ivan, iris):
        assert kinds(user) == [Kind.ASSIGNED]
    assert kinds(oscar) == [] and kinds(sam) == []
    assert Delivery.objects.filter(channel=Channel.WEBHOOK, unit=water).count() == 1
    assert "水务局" in Notification.objects.get(recipient=henry).params["unit"]


@pytest.mark.django_db
def test_hidden_events_never_reach_the_unit(make_suggestion, make_assignment, sam, water, henry, hannah):
    water.webhook_url = "http://127.0.0.1:9/robot"
    water.save()
    s = make_suggestion()
    a = make_assignment(s, water)
    event_record(suggestion=s, actor=sam, action="urge", detail={"assignment": a.pk, "unit": water.pk, "message": "x"},
                 hidden_from_units=True)  # fmt: skip
    assert kinds(henry) == [] and kinds(hannah) == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_decisions_reply_evaluation_rehandling_and_cosign(
    make_suggestion, make_assignment, sam, alice, bob, water, henry, hannah
):
    from suggestions.models import CoSigner, CoSignerStatus

    s = make_suggestion()
    CoSigner.objects.create(suggestion=s, deputy=bob, status=CoSignerStatus.CONFIRMED)
    a = make_assignment(s, water)
    detail = {"assignment": a.pk, "unit": water.pk}
    event_record(suggestion=s, actor=sam, action="approve_extension", detail={**detail, "due_date": "2027-04-01"})
    event_record(suggestion=s, actor=sam, action="refuse_return", detail=detail)
    event_record(suggestion=s, actor=hannah, action="reply_release", detail={**detail, "reply": 1})
    event_record(suggestion=s, actor=alice, action="evaluate", detail={"result": "unsatisfied", "lead": True})
    event_record(suggestion=s, actor=alice, action="rehandling_ordered", detail={"units": [water.pk], "round": 2})
    event_record(suggestion=s, actor=alice, action="cosign_invite", detail={"deputies": [bob.pk]})
    assert kinds(henry) == [Kind.REHANDLING, Kind.EVALUATED, Kind.RETURN_DECIDED, Kind.EXTENSION_DECIDED]
    # The head released the reply herself, so she is not told about it; the deputies are.
    assert Kind.REPLIED not in kinds(hannah)
    assert sorted(kinds(alice)) == [Kind.REPLIED]
    assert sorted(kinds(bob)) == [Kind.COSIGN_INVITE, Kind.REPLIED]
    ext = Notification.objects.get(recipient=henry, kind=Kind.EXTENSION_DECIDED)
    assert ext.params["approved"] is True and ext.params["due"] == "2027-04-01"
    replied = Notification.objects.get(recipient=alice)
    assert replied.params["unit"] == water.name


@pytest.mark.django_db
def test_unrelated_actions_notify_nobody(make_suggestion, alice):
    s = make_suggestion()
    event_record(suggestion=s, actor=alice, action="update", detail={"fields": ["title"]})
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_with_a_broker_delivery_is_enqueued_only_after_commit(
    make_suggestion, make_assignment, sam, water, henry, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    henry.email = "henry@swj.example"
    henry.save()
    calls = []
    monkeypatch.setattr(tasks.deliver_pending, "delay", lambda: calls.append("delay"))
    s = make_suggestion()
    a = make_assignment(s, water)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_record(
            suggestion=s, actor=sam, action="urge", detail={"assignment": a.pk, "unit": water.pk, "message": "x"}
        )
    assert calls == []  # nothing may run before the transaction that wrote the rows commits
    for callback in callbacks:
        callback()
    assert calls == ["delay"]


@pytest.mark.django_db
def test_a_leaders_instruction_reaches_the_lead_unit(make_suggestion, make_assignment, victor, water, henry, oscar):
    s = make_suggestion()
    make_assignment(s, water)
    event_record(suggestion=s, actor=victor, action="instruction", detail={"instruction": 1, "text": "抓紧办理"})
    notice = Notification.objects.get(recipient=henry)
    assert notice.kind == Kind.INSTRUCTION and "抓紧办理" in notice.message
    assert kinds(oscar) == []
