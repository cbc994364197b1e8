"""落实: the deputy confirms whether a B/C commitment was delivered once it falls due."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from common.errors import ActionConflict, ActionForbidden, ActionInvalid
from suggestions import services
from suggestions.models import Deadline, DeadlineKind, Delivery, SuggestionStatus
from suggestions.workdays import add_months
from testing.factories import commitment_of, suggestion_in_state

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def following_up(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST), tick=False):
        return suggestion_in_state("follow_up", cast=cast)


def _at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=CST), tick=False)


def test_not_before_it_falls_due(cast, following_up):
    commitment = commitment_of(following_up)
    with _at(commitment.target_date - dt.timedelta(days=1)), pytest.raises(ActionConflict):
        services.commitment_confirm_delivery(commitment=commitment, actor=cast.alice, delivered=True)
    commitment.refresh_from_db()
    assert commitment.delivery == ""


def test_delivered_after_the_unit_reports_it_and_the_suggestion_closed(cast, api, following_up):
    commitment = commitment_of(following_up)
    with _at(commitment.target_date):
        services.commitment_fulfil(commitment=commitment, actor=cast.henry, note="已完成改造")
        following_up.refresh_from_db()
        assert following_up.status == SuggestionStatus.CLOSED
        response = api(cast.alice).post(
            f"/api/v1/commitments/{commitment.pk}/confirm-delivery/", {"delivered": True}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["delivery"] == "delivered"
        # A second confirmation is refused: it is already delivered.
        again = api(cast.alice).post(
            f"/api/v1/commitments/{commitment.pk}/confirm-delivery/", {"delivered": True}, format="json"
        )
        assert again.status_code == 409
    following_up.refresh_from_db()
    assert following_up.status == SuggestionStatus.CLOSED


def test_not_delivered_reopens_follow_up_and_the_unit_owes_it_again(cast, following_up):
    commitment = commitment_of(following_up)
    with _at(commitment.target_date):
        services.commitment_fulfil(commitment=commitment, actor=cast.henry, note="已完成")
        with pytest.raises(ActionInvalid) as error:
            services.commitment_confirm_delivery(commitment=commitment, actor=cast.alice, delivered=False, note=" ")
        assert "note" in error.value.errors
        services.commitment_confirm_delivery(
            commitment=commitment, actor=cast.alice, delivered=False, note="现场查看，泵站仍未动工"
        )
    following_up.refresh_from_db()
    commitment.refresh_from_db()
    assert following_up.status == SuggestionStatus.FOLLOW_UP
    assert following_up.closed_at is None
    assert commitment.delivery == Delivery.NOT_DELIVERED
    assert commitment.fulfilled_at is None
    owed = Deadline.objects.open().get(kind=DeadlineKind.COMMITMENT, commitment=commitment)
    assert owed.due_date == add_months(commitment.target_date, 1)
    assert list(following_up.events.values_list("action", flat=True))[-2:] == [
        "commitment_not_delivered",
        "delivery_reopen",
    ]
    # The unit reports it again, which closes the follow-up; the deputy then confirms delivery.
    with _at(commitment.target_date + dt.timedelta(days=20)):
        services.commitment_fulfil(commitment=commitment, actor=cast.henry, note="已动工并完成")
        following_up.refresh_from_db()
        assert following_up.status == SuggestionStatus.CLOSED
        services.commitment_confirm_delivery(commitment=commitment, actor=cast.alice, delivered=True)
    commitment.refresh_from_db()
    assert commitment.delivery == Delivery.DELIVERED


def test_who_may_confirm(cast, api, following_up):
    commitment = commitment_of(following_up)
    with _at(commitment.target_date):
        for actor in (cast.bob, cast.carol, cast.henry, cast.hannah, cast.sam):
            with pytest.raises(ActionForbidden):
                services.commitment_confirm_delivery(commitment=commitment, actor=actor, delivered=True)
        # An outsider cannot even find it.
        url = f"/api/v1/commitments/{commitment.pk}/confirm-delivery/"
        assert api(cast.oscar).post(url, {"delivered": True}, format="json").status_code == 404
        assert api(cast.alice).post(url, {"delivered": "perhaps"}, format="json").status_code == 400
    commitment.refresh_from_db()
    assert commitment.delivery == ""


def test_page_offers_and_records_the_confirmation(cast, client, following_up):
    commitment = commitment_of(following_up)
    with _at(commitment.target_date):
        client.force_login(cast.alice)
        page = client.get(f"/suggestions/{following_up.pk}/").content.decode()
        assert f'data-delivery="{commitment.pk}"' in page
        response = client.post(f"/handling/commitments/{commitment.pk}/delivery/", {"delivered": "no", "note": ""})
        assert response.status_code == 302
        commitment.refresh_from_db()
        assert commitment.delivery == ""  # the note was missing: refused, nothing written
        client.post(f"/handling/commitments/{commitment.pk}/delivery/", {"delivered": "yes", "note": ""})
    commitment.refresh_from_db()
    assert commitment.delivery == Delivery.DELIVERED
