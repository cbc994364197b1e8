"""Must show 3 and 4: look-backs open on closing; a second acceptance passes (ends the look-back)
or fails (reopens the suggestion for re-handling with a new deadline, on the timeline, unit notified)."""

import datetime as dt

import pytest

from suggestions import services as core
from suggestions.models import Deadline, DeadlineKind, SuggestionStatus
from supervision import services
from supervision.models import InspectionKind

from .conftest import close_unsatisfied

pytestmark = pytest.mark.django_db


def look_backs(s):
    return Deadline.objects.filter(suggestion=s, kind=DeadlineKind.LOOK_BACK)


def test_unsatisfied_suggestion_gets_its_look_back_when_it_closes(replied, alice, sam, henry, hannah):
    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    assert replied.status == SuggestionStatus.CLOSED
    lb = look_backs(replied).get()
    assert lb.is_open and lb.party == "staff" and lb.starts_on == dt.date.today()
    assert lb.due_date > lb.starts_on  # by the look-back rule (3 months)
    assert replied.events.filter(action="look_back_due").exists()


def test_satisfied_ordinary_suggestion_gets_no_look_back(replied, alice):
    core.suggestion_evaluate(suggestion=replied, actor=alice, attitude="satisfied", result="satisfied")
    replied.refresh_from_db()
    assert replied.status == SuggestionStatus.CLOSED
    assert not look_backs(replied).exists()


def test_key_suggestion_gets_a_look_back_even_when_satisfied(replied, alice, sam):
    services.key_item_create(actor=sam, year=2026, topic="排涝", suggestions=[replied])
    core.suggestion_evaluate(suggestion=replied, actor=alice, attitude="satisfied", result="satisfied")
    assert look_backs(replied).filter(satisfied_at__isnull=True).count() == 1


def test_passed_second_acceptance_closes_the_look_back(replied, alice, sam, henry, hannah):
    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    insp = services.inspection_create(
        actor=sam, kind=InspectionKind.SECOND_ACCEPTANCE, held_on=dt.date.today(), suggestion=replied,
        verdict="pass", findings="泵站已投入使用",
    )  # fmt: skip
    replied.refresh_from_db()
    assert replied.status == SuggestionStatus.CLOSED
    assert look_backs(replied).get().satisfied_at is not None
    assert replied.events.filter(action="inspection", detail__verdict="pass").exists()
    assert insp.units.get() == henry.unit


def test_failed_second_acceptance_reopens_for_rehandling_and_notifies_the_unit(replied, alice, sam, henry, hannah):
    from notifications.models import Notification

    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    round_before = replied.round
    services.inspection_create(
        actor=sam, kind=InspectionKind.SECOND_ACCEPTANCE, held_on=dt.date.today(), suggestion=replied,
        verdict="fail", findings="泵站仍未开工",
    )  # fmt: skip
    replied.refresh_from_db()
    assert replied.status == SuggestionStatus.REHANDLING
    assert replied.round == round_before + 1
    rehandling = Deadline.objects.get(suggestion=replied, kind=DeadlineKind.REHANDLING_REPLY, satisfied_at=None)
    assert rehandling.unit == henry.unit and rehandling.is_open
    actions = list(replied.events.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["inspection", "reopen", "rehandling_ordered"]
    reopen = replied.events.get(action="reopen")
    assert "泵站仍未开工" in reopen.detail["reason"]
    # The look-back that closing opened is over; the next closing opens a new one.
    assert not look_backs(replied).filter(satisfied_at=None).exists()
    assert Notification.objects.filter(recipient=henry, suggestion=replied, kind="rehandling").exists()


def test_second_acceptance_before_closing_is_a_conflict(replied, sam):
    from common.errors import ActionConflict

    with pytest.raises(ActionConflict):
        services.inspection_create(
            actor=sam, kind=InspectionKind.SECOND_ACCEPTANCE, held_on=dt.date.today(), suggestion=replied,
            verdict="fail", findings="x",
        )  # fmt: skip
    replied.refresh_from_db()
    assert replied.status == SuggestionStatus.REPLIED
