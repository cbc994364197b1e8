"""Deadlines computed on the PRC calendar, extended within six months, explained, and listed by the API.

Every expected date is written out by hand from the State Council's schedule (see test_workdays).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from suggestions import services
from suggestions.models import Deadline, HolidayOverride
from testing.factories import co_assignment, lead_assignment, suggestion_in_state

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    """Travel to a wall-clock time in Asia/Shanghai, frozen."""
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


def skipped_dates(explanation, key="skipped"):
    return [s["date"] for s in explanation[key]]


def test_between_session_acceptance_counts_seven_working_days_over_national_day(cast):
    suggestion = suggestion_in_state("submitted", cast=cast)
    suggestion.during_session = False
    suggestion.save(update_fields=["during_session"])
    with at(2025, 9, 26, 10):
        services.suggestion_accept(suggestion=suggestion, actor=cast.sam)
    deadline = suggestion.deadlines.get(kind="assign")
    # 28 Sep (Sun, adjusted) 29 30 | 1-8 Oct off | 9 10 11 (Sat, adjusted) | 12 off | 13
    assert deadline.starts_on == D(2025, 9, 26)
    assert deadline.due_date == D(2025, 10, 13) == deadline.original_due_date
    assert deadline.party == "staff"
    assert deadline.explanation["rule"] == {"amount": 7, "unit": "working_days", "complex": False}
    assert skipped_dates(deadline.explanation) == [
        "2025-09-27", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06",
        "2025-10-07", "2025-10-08", "2025-10-12",
    ]  # fmt: skip
    assert {s["why"] for s in deadline.explanation["skipped"]} == {"weekend", "National Day", "Mid-autumn Festival"}
    with at(2025, 10, 10, 9):
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water])
    deadline.refresh_from_db()
    assert deadline.satisfied_at is not None


def test_during_session_acceptance_has_no_assign_deadline(cast):
    suggestion = suggestion_in_state("registered", cast=cast)
    assert not suggestion.deadlines.filter(kind="assign").exists()


def test_sign_deadline_over_spring_festival_counts_the_adjusted_saturday(cast):
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 2, 12, 15):
        services.suggestion_assign(
            suggestion=suggestion, actor=cast.sam, lead_units=[cast.water], co_units=[cast.finance]
        )
    sign = lead_assignment(suggestion).deadlines.get(kind="sign")
    # 13 Feb (1), Sat 14 Feb adjusted (2), 15-23 Feb off, 24 Feb (3)
    assert sign.due_date == D(2026, 2, 24)
    assert skipped_dates(sign.explanation) == [f"2026-02-{d}" for d in range(15, 24)]
    assert {s["why"] for s in sign.explanation["skipped"]} == {"Spring Festival"}
    # The co-unit's opinion: one calendar month, 12 Mar 2026 is a Thursday.
    assert co_assignment(suggestion).deadlines.get(kind="opinion").due_date == D(2026, 3, 12)
    # The return window: 7 working days -> 13, 14, 24, 25, 26, 27, 28 (Sat, adjusted) Feb.
    assert services.return_window_end(lead_assignment(suggestion)) == D(2026, 2, 28)


def test_assigned_on_30_november_plus_three_months_is_28_february(cast):
    plain = suggestion_in_state("registered", cast=cast)
    complex_one = suggestion_in_state("registered", cast=cast, title="关于城区内涝综合治理的建议")
    with at(2025, 11, 30, 10):  # a Sunday; staff work weekends too
        services.suggestion_assign(suggestion=plain, actor=cast.sam, lead_units=[cast.water], co_units=[cast.finance])
        services.suggestion_assign(suggestion=complex_one, actor=cast.sam, lead_units=[cast.water], complex=True)

    reply = lead_assignment(plain).deadlines.get(kind="reply")
    # No 30 February: the period ends on the month's last day, Sat 28 Feb 2026, an adjusted working day.
    assert reply.due_date == D(2026, 2, 28) == lead_assignment(plain).due_date
    assert reply.explanation["nominal_due"] == "2026-02-28"
    assert reply.explanation["rolled_forward"] == []
    assert co_assignment(plain).due_date == D(2025, 12, 30)

    long_reply = lead_assignment(complex_one).deadlines.get(kind="reply")
    # Six months: 30 May 2026 is a Saturday, so the period runs to Monday 1 June.
    assert long_reply.explanation["rule"] == {"amount": 6, "unit": "months", "complex": True}
    assert long_reply.explanation["nominal_due"] == "2026-05-30"
    assert long_reply.due_date == D(2026, 6, 1)
    assert skipped_dates(long_reply.explanation, "rolled_forward") == ["2026-05-30", "2026-05-31"]
    complex_one.refresh_from_db()
    assert complex_one.complex is True


def test_reply_due_on_national_day_rolls_to_the_first_working_day(cast):
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2025, 7, 1, 10):
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water])
    reply = lead_assignment(suggestion).deadlines.get(kind="reply")
    assert reply.explanation["nominal_due"] == "2025-10-01"
    assert reply.due_date == D(2025, 10, 9)
    assert skipped_dates(reply.explanation, "rolled_forward") == [f"2025-10-0{d}" for d in range(1, 9)]


def test_extension_keeps_the_original_due_date_and_is_explained(cast, api):
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 3, 2, 10):
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water])
        services.assignment_sign(assignment=lead_assignment(suggestion), actor=cast.henry)
    lead = lead_assignment(suggestion)
    assert lead.due_date == D(2026, 6, 2)  # a Tuesday

    with at(2026, 5, 20, 10):
        url = f"/api/v1/assignments/{lead.pk}/request-extension/"
        # Six months from 交办 on 2 March is 2 September: one day more is refused, naming the field.
        too_late = api(cast.henry).post(url, {"reason": "工程量大", "due_date": "2026-09-03"}, format="json")
        assert too_late.status_code == 400 and "due_date" in too_late.json()
        not_later = api(cast.henry).post(url, {"reason": "工程量大", "due_date": "2026-06-01"}, format="json")
        assert not_later.status_code == 400 and "due_date" in not_later.json()
        ok = api(cast.henry).post(url, {"reason": "需要省厅批复", "due_date": "2026-09-02"}, format="json")
        assert ok.status_code == 201, ok.content
        # Staff may grant another date, but not beyond the limit either.
        decide = f"/api/v1/assignments/{lead.pk}/approve-extension/"
        beyond = api(cast.sam).post(decide, {"due_date": "2026-09-03"}, format="json")
        assert beyond.status_code == 400 and "due_date" in beyond.json()
        granted = api(cast.sam).post(decide, {"due_date": "2026-08-31", "note": "同意延期"}, format="json")
        assert granted.status_code == 200, granted.content

    lead.refresh_from_db()
    assert lead.due_date == D(2026, 8, 31) and lead.original_due_date == D(2026, 6, 2)
    deadline = lead.deadlines.get(kind="reply")
    assert deadline.due_date == D(2026, 8, 31) and deadline.original_due_date == D(2026, 6, 2)
    [extension] = deadline.explanation["extensions"]
    assert extension["from"] == "2026-06-02" and extension["to"] == "2026-08-31"
    assert extension["reason"] == "需要省厅批复" and extension["by"] == cast.sam.pk
    # The sweeper looks at the moved deadline again from the day it moved.
    assert deadline.next_reminder_on == D(2026, 5, 20)

    listed = api(cast.henry).get(f"/api/v1/deadlines/?assignment={lead.pk}&kind=reply").json()["results"]
    assert listed[0]["original_due_date"] == "2026-06-02" and listed[0]["due_date"] == "2026-08-31"
    assert listed[0]["explanation"]["extensions"][0]["to"] == "2026-08-31"


def test_complex_suggestion_cannot_be_extended_past_six_months(cast, api):
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 3, 2, 10):
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water], complex=True)
        lead = lead_assignment(suggestion)
        assert lead.due_date == D(2026, 9, 2)  # a Wednesday
        response = api(cast.henry).post(
            f"/api/v1/assignments/{lead.pk}/request-extension/",
            {"reason": "工程量大", "due_date": "2026-09-10"},
            format="json",
        )
    assert response.status_code == 400 and "due_date" in response.json()
    assert not lead.requests.exists()


def test_explicit_past_due_date_makes_the_deadline_overdue(cast, api):
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 3, 2, 10):
        response = api(cast.sam).post(
            f"/api/v1/suggestions/{suggestion.pk}/assign/",
            {"lead_units": [cast.water.pk], "due_date": "2026-01-15"},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["assignments"][0]["due_date"] == "2026-01-15"
        reply = lead_assignment(suggestion).deadlines.get(kind="reply")
        assert reply.due_date == reply.original_due_date == D(2026, 1, 15)
        assert reply.explanation["explicit"] is True

        rows = api(cast.sam).get("/api/v1/deadlines/?overdue=true").json()["results"]
        assert [(r["kind"], r["state"]) for r in rows] == [("reply", "overdue")]
        overdue = api(cast.sam).get("/api/v1/suggestions/?overdue=true").json()["results"]
        assert [r["id"] for r in overdue] == [suggestion.pk]


def test_deadlines_api_filters_overdue_due_within_and_unit(cast, api):
    late = suggestion_in_state("registered", cast=cast)
    fresh = suggestion_in_state("registered", cast=cast, title="关于增加公交线路的建议")
    with at(2026, 3, 2, 10):  # Monday
        services.suggestion_assign(suggestion=late, actor=cast.sam, lead_units=[cast.water], due_date=D(2026, 2, 27))
        services.suggestion_assign(suggestion=fresh, actor=cast.sam, lead_units=[cast.finance])
    with at(2026, 3, 4, 10):  # Wednesday
        staff = api(cast.sam)

        def kinds(query, client=staff):
            response = client.get(f"/api/v1/deadlines/?{query}")
            assert response.status_code == 200, response.content
            return sorted((r["unit"], r["kind"], r["due_date"]) for r in response.json()["results"])

        water, finance = cast.water.pk, cast.finance.pk
        assert kinds("overdue=true") == [(water, "reply", "2026-02-27")]
        # Sign-for deadlines: 3 working days from Mon 2 Mar = Thu 5 Mar, within one day.
        assert kinds("due_within=1") == sorted([(finance, "sign", "2026-03-05"), (water, "sign", "2026-03-05")])
        assert kinds("due_within=0") == []
        assert kinds(f"unit={finance}") == [(finance, "reply", "2026-06-02"), (finance, "sign", "2026-03-05")]
        assert kinds(f"unit={finance}&due_within=100") == [
            (finance, "reply", "2026-06-02"),
            (finance, "sign", "2026-03-05"),
        ]
        assert kinds(f"overdue=true&unit={finance}") == []
        # A unit sees only its own deadlines, whatever filter it asks for.
        assert kinds(f"unit={finance}", api(cast.henry)) == []
        assert {u for u, _, _ in kinds("", api(cast.henry))} == {water}
        # Bad filter values are a 400 naming the parameter, never a 500.
        for bad in ("due_within=-1", "due_within=abc", "overdue=maybe", "unit=x"):
            response = staff.get(f"/api/v1/deadlines/?{bad}")
            assert response.status_code == 400, (bad, response.status_code)
            assert bad.split("=")[0] in response.json(), (bad, response.json())

    # Signing satisfies the sign deadline: it leaves due_within.
    with at(2026, 3, 4, 11):
        services.assignment_sign(assignment=lead_assignment(fresh), actor=cast.ivan)
        assert kinds("due_within=1") == [(water, "sign", "2026-03-05")]


def test_holiday_override_in_2027_moves_a_deadline(cast):
    HolidayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 12, 29, 10):  # Tuesday
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water])
    sign = lead_assignment(suggestion).deadlines.get(kind="sign")
    # 30 Dec (1), 31 Dec (2), 1 Jan 2027 off by override, 2-3 Jan weekend, 4 Jan (3)
    assert sign.due_date == D(2027, 1, 4)
    assert sign.explanation["skipped"] == [
        {"date": "2027-01-01", "why": "元旦"},
        {"date": "2027-01-02", "why": "weekend"},
        {"date": "2027-01-03", "why": "weekend"},
    ]


def test_deadline_states_are_derived_not_stored(cast):
    from suggestions.deadlines import deadline_status

    suggestion = suggestion_in_state("registered", cast=cast)
    with at(2026, 3, 2, 10):
        services.suggestion_assign(suggestion=suggestion, actor=cast.sam, lead_units=[cast.water])
    reply = Deadline.objects.get(assignment__suggestion=suggestion, kind="reply")
    assert deadline_status(reply, D(2026, 5, 1)) == "open"
    assert deadline_status(reply, D(2026, 5, 26)) == "due_soon"
    assert deadline_status(reply, D(2026, 6, 2)) == "due_today"
    assert deadline_status(reply, D(2026, 6, 3)) == "overdue"
