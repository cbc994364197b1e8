"""The daily path of a handling unit (sign, log a contact dated today, reply, sign-off) works at any
hour of the Beijing day and on the last working day before a holiday, in the web form and the API.

One rule, in the contact service: a contact may not be dated after today (the local date); a time,
when given, may not be in the future. A date-only contact dated today once became 12:00 Beijing
time and was refused before about 11:00 (it was checked against now + 1 h).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from common.errors import ActionInvalid
from suggestions import services
from suggestions.models import Contact
from testing.factories import lead_assignment, suggestion_in_state

from .web_helpers import client_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Tuesday 3 March 2026, an ordinary working day; Wednesday 30 September 2026, the last working day
# before National Day (1–7 October).
WORKING_DAY = dt.date(2026, 3, 3)
BEFORE_HOLIDAY = dt.date(2026, 9, 30)
HOURS = [(0, 30), (9, 0), (11, 30), (23, 30)]
MOMENTS = [dt.datetime.combine(WORKING_DAY, dt.time(h, m), tzinfo=SHANGHAI) for h, m in HOURS] + [
    dt.datetime.combine(BEFORE_HOLIDAY, dt.time(h, m), tzinfo=SHANGHAI) for h, m in HOURS
]


def moment_id(moment: dt.datetime) -> str:
    return moment.strftime("%m%d-%H%M")


CONTACT = {"phase": "before", "method": "site_visit", "met_by": "head", "summary": "局长陪同代表现场查看电排站"}


def contact_by_api(api, cast, lead, day: dt.date):
    return api(cast.henry).post(
        f"/api/v1/assignments/{lead.pk}/contacts/", {**CONTACT, "contacted_at": day.isoformat()}, format="json"
    )


def contact_by_form(cast, lead, day: dt.date):
    prefix = f"contact-{lead.pk}"
    data = {f"{prefix}-{name}": value for name, value in {**CONTACT, "contacted_at": day.isoformat()}.items()}
    return client_for(cast.henry).post(reverse("assignment_action", args=[lead.pk, "contact"]), data)


# The API at every moment; the web form at every hour of one day and on the day before the holiday.
PATHS = [(m, "api") for m in MOMENTS] + [(m, "web") for m in MOMENTS if m.date() == WORKING_DAY or m.hour == 9]
# Just after midnight and just before it are where "today" and "tomorrow" are easiest to get wrong.
EDGES = [m for m in MOMENTS if m.hour in (0, 23)]


@pytest.mark.parametrize(("moment", "channel"), PATHS, ids=lambda v: moment_id(v) if isinstance(v, dt.datetime) else v)
def test_daily_path_at_any_hour(moment, channel, cast, api):
    with time_machine.travel(moment, tick=False):
        today = moment.date()
        suggestion = suggestion_in_state("assigned", cast=cast, co_unit=False)
        lead = lead_assignment(suggestion)
        assert api(cast.henry).post(f"/api/v1/assignments/{lead.pk}/sign/").status_code == 200

        if channel == "api":
            response = contact_by_api(api, cast, lead, today)
            assert response.status_code == 201, response.content
        else:
            response = contact_by_form(cast, lead, today)
            assert response.status_code == 302, response.content.decode()[:2000]
        contact = Contact.objects.get(assignment=lead)
        # Stored on the day it was dated, never later than the moment it was logged.
        assert contact.contacted_at.astimezone(SHANGHAI).date() == today
        assert contact.contacted_at <= moment

        reply = {"body": "已列入年度水利建设计划。", "result_class": "A", "adoption": "adopted"}
        response = api(cast.henry).post(f"/api/v1/assignments/{lead.pk}/reply/", reply, format="json")
        assert response.status_code == 201, response.content
        response = api(cast.hannah).post(f"/api/v1/assignments/{lead.pk}/approve-reply/")
        assert response.status_code == 200, response.content
        suggestion.refresh_from_db()
        assert suggestion.status == "replied"

        # The contact counts as made before the reply (the contact rate, 沟通率, compares these two).
        released = lead.replies.get(status="released").released_at
        assert contact.contacted_at <= released


@pytest.mark.parametrize("moment", EDGES, ids=moment_id)
def test_a_contact_dated_tomorrow_is_refused_in_form_and_api(moment, cast, api):
    with time_machine.travel(moment, tick=False):
        lead = lead_assignment(suggestion_in_state("handling", cast=cast, co_unit=False))
        tomorrow = moment.date() + dt.timedelta(days=1)
        response = contact_by_api(api, cast, lead, tomorrow)
        assert response.status_code == 400 and "contacted_at" in response.json(), response.content
        response = contact_by_form(cast, lead, tomorrow)
        assert response.status_code == 400
        # The form comes back with the error at the date field.
        assert re.search(rf'name="contact-{lead.pk}-contacted_at"[^>]*is-invalid', response.content.decode())
        assert not Contact.objects.filter(assignment=lead).exists()


def test_a_time_may_not_be_in_the_future(cast, api):
    moment = dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        lead = lead_assignment(suggestion_in_state("handling", cast=cast, co_unit=False))
        url = f"/api/v1/assignments/{lead.pk}/contacts/"
        for later in (dt.timedelta(minutes=30), dt.timedelta(hours=3)):
            at = (moment + later).isoformat()
            response = api(cast.henry).post(url, {**CONTACT, "contacted_at": at}, format="json")
            assert response.status_code == 400 and "contacted_at" in response.json(), (at, response.content)
        with pytest.raises(ActionInvalid) as caught:
            services.contact_log(assignment=lead, actor=cast.henry, contacted_at=moment + dt.timedelta(seconds=1),
                                 **CONTACT)  # fmt: skip
        assert "contacted_at" in caught.value.errors
        earlier = (moment - dt.timedelta(minutes=20)).isoformat()
        response = api(cast.henry).post(url, {**CONTACT, "contacted_at": earlier}, format="json")
        assert response.status_code == 201, response.content
        assert Contact.objects.get(assignment=lead).contacted_at == moment - dt.timedelta(minutes=20)


def test_an_earlier_date_is_stored_at_noon_that_day(cast, api):
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        lead = lead_assignment(suggestion_in_state("handling", cast=cast, co_unit=False))
        assert contact_by_api(api, cast, lead, dt.date(2026, 3, 2)).status_code == 201
    assert Contact.objects.get(assignment=lead).contacted_at == dt.datetime(2026, 3, 2, 12, tzinfo=SHANGHAI)


def test_the_chosen_days_are_what_they_claim():
    import chinese_calendar

    assert chinese_calendar.is_workday(WORKING_DAY) and chinese_calendar.is_workday(BEFORE_HOLIDAY)
    assert chinese_calendar.get_holiday_detail(BEFORE_HOLIDAY + dt.timedelta(days=1)) == (True, "National Day")
