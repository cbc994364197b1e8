"""Every metric on the hand-built data set of conftest.py; expected numbers worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import metrics as m
from dashboards import selectors

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(m.COUNTS, 0)

WATER_2026 = {
    "assigned": 7,  # S1–S7 (S8 withdrawn, S9 returned, S12 merged are not counted)
    "due": 6,  # replied S1 S2 S3 S4 S7 + S5 past its due date; S6 is not due yet
    "replied": 5,
    "replied_on_time": 4,  # S2 was late against its original due date despite the extension
    "contacted": 4,  # S2's contacts came after the release or were "after" contacts
    "class_a": 3,  # S1, S7, and S3 whose current (round 2) reply is A
    "registered": 7,
    "closed": 3,  # S1 S3 S7
    "closed_unrated": 1,  # S7: its evaluation window passed with no rating
    "replied_rated": 4,  # the replied S1 S2 S3 S4 were rated in round 1; S7 was not
    "rated_first": 4,  # S1 S2 S3 S4 (S7 closed without evaluation)
    "satisfied_first": 2,  # S1 S2
    "rated_final": 4,  # S1 S2, S3 round 2, S4 round 1 while being re-handled
    "satisfied_final": 3,  # S1 S2 S3
    # S2's two confirmed commitments, S3's superseded round-1 one, S4's (latest: delivered); not S2's
    # one not yet due, nor S8's (withdrawn) or S9's (water returned it)
    "commitments_due": 4,
    "delivery_confirmed": 4,
    "delivered": 3,  # all but S2's commitment confirmed not delivered
    "rehandled": 2,  # S3 S4
    "overdue": 2,  # S4 (re-handling reply) and S5; S8 is withdrawn
    "due_soon": 1,  # S6 due 09-05
}
WATER_RATES = {
    "reply_rate": 0.8333,  # 5/6
    "on_time_rate": 0.8,  # 4/5
    "completion_rate": 0.4286,  # 3/7
    "satisfaction_rate_first": 0.5,  # 2/4
    "satisfaction_rate": 0.75,  # 3/4
    "contact_rate": 0.8,  # 4/5
    "solved_rate": 0.6,  # 3/5
    "response_rate": 0.8,  # 4/5
    "delivery_rate": 0.75,  # 3/4
}
FINANCE_2026 = {
    **ZERO,
    "assigned": 1,
    "due": 1,
    "replied": 1,
    "contacted": 1,
    "class_a": 1,
    "registered": 1,
    "closed": 1,
    "replied_rated": 1,
    "rated_first": 1,
    "satisfied_first": 1,
    "rated_final": 1,
    "satisfied_final": 1,
}


def _counts(row):
    return {name: row[name] for name in m.COUNTS}


def _rates(row):
    return {name: row[name] for name in m.RATES}


def test_units_table_counts_and_rates(dataset):
    settings = selectors.dashboard_settings()
    rows = {r["key"]: r for r in selectors.units_table(m.Period(year=2026), settings)}
    assert set(rows) == {dataset.water.pk, dataset.finance.pk, dataset.education.pk}

    water = rows[dataset.water.pk]
    assert _counts(water) == WATER_2026
    assert _rates(water) == WATER_RATES
    assert water["co_assigned"] == 0

    finance = rows[dataset.finance.pk]
    assert _counts(finance) == FINANCE_2026
    assert finance["co_assigned"] == 1  # S1
    assert _rates(finance) == {
        "reply_rate": 1.0,
        "on_time_rate": 0.0,  # S9 released 06-10 after its 05-01 due date
        "completion_rate": 1.0,
        "satisfaction_rate_first": 1.0,
        "satisfaction_rate": 1.0,
        "contact_rate": 1.0,
        "solved_rate": 1.0,
        "response_rate": 1.0,  # S9's reply was rated
        "delivery_rate": None,  # S9's class A reply promised nothing
    }


def test_unit_with_only_co_assignments_has_no_rates(dataset):
    rows = {r["key"]: r for r in selectors.units_table(m.Period(year=2026), selectors.dashboard_settings())}
    education = rows[dataset.education.pk]
    assert _counts(education) == ZERO
    assert education["co_assigned"] == 1
    assert _rates(education) == dict.fromkeys(m.RATES)
    assert education["flags"] == dict.fromkeys(m.RATES)


def test_totals_for_the_year(dataset):
    totals = selectors.totals(m.Period(year=2026), selectors.dashboard_settings())
    assert _counts(totals) == {
        "assigned": 8,
        "due": 7,
        "replied": 6,
        "replied_on_time": 4,
        "contacted": 5,
        "class_a": 4,
        "registered": 9,  # S1–S7, S9, S10 (unassigned still registered)
        "closed": 4,
        "closed_unrated": 1,  # S7
        "replied_rated": 5,  # of the 6 replied, all but S7
        "rated_first": 5,
        "satisfied_first": 3,
        "rated_final": 5,
        "satisfied_final": 4,
        "commitments_due": 4,
        "delivery_confirmed": 4,  # all water's (finance promised nothing)
        "delivered": 3,
        "rehandled": 2,
        "overdue": 2,
        "due_soon": 1,
    }
    assert totals["delivery_rate"] == 0.75
    assert totals["completion_rate"] == 0.4444  # 4/9
    assert totals["satisfaction_rate"] == 0.8  # 4/5
    assert totals["satisfaction_rate_first"] == 0.6  # 3/5


def test_categories(dataset):
    rows = {r["key"]: r for r in selectors.category_table(m.Period(year=2026), selectors.dashboard_settings())}
    assert _counts(rows[dataset.cat1.pk]) == {
        "assigned": 4,
        "due": 4,
        "replied": 4,
        "replied_on_time": 3,
        "contacted": 3,
        "class_a": 2,
        "registered": 4,
        "closed": 2,
        "closed_unrated": 0,
        "replied_rated": 4,
        "rated_first": 4,
        "satisfied_first": 2,
        "rated_final": 4,
        "satisfied_final": 3,
        "commitments_due": 4,
        "delivery_confirmed": 4,  # S2 S3 S4
        "delivered": 3,
        "rehandled": 2,
        "overdue": 1,
        "due_soon": 0,
    }
    assert _counts(rows[dataset.cat2.pk]) == {
        "assigned": 4,
        "due": 3,
        "replied": 2,
        "replied_on_time": 1,
        "contacted": 2,
        "class_a": 2,
        "registered": 4,
        "closed": 2,
        "closed_unrated": 1,  # S7
        "replied_rated": 1,  # S7 replied but was never rated
        "rated_first": 1,
        "satisfied_first": 1,
        "rated_final": 1,
        "satisfied_final": 1,
        "commitments_due": 0,
        "delivery_confirmed": 0,  # S8 is withdrawn, S9's commitment was the returned water bureau's
        "delivered": 0,
        "rehandled": 0,
        "overdue": 1,
        "due_soon": 1,
    }
    assert _counts(rows[None]) == {**ZERO, "registered": 1}  # S10 has no category
    assert rows[None]["completion_rate"] == 0.0


def test_sessions_and_years(dataset):
    settings = selectors.dashboard_settings()
    sessions = {r["key"]: r for r in selectors.session_table(m.Period(year=2026), settings)}
    assert set(sessions) == {dataset.session_2026.pk}
    years = {r["key"]: r for r in selectors.year_table(settings)}
    assert set(years) == {2025, 2026}
    assert years[2025]["assigned"] == 1
    assert years[2025]["registered"] == 1
    assert years[2025]["closed"] == 1
    assert (years[2025]["delivery_confirmed"], years[2025]["delivered"]) == (1, 1)  # S11
    # S11's other two commitments fell due unconfirmed: delivered ÷ fallen due (SPEC section 12)
    assert (years[2025]["commitments_due"], years[2025]["delivery_rate"]) == (3, 0.3333)
    assert (years[2026]["delivery_confirmed"], years[2026]["delivered"]) == (4, 3)
    assert years[2026]["registered"] == 9


def test_session_period_matches_its_year(dataset):
    rows = {
        r["key"]: r
        for r in selectors.units_table(m.Period(session_id=dataset.session_2025.pk), selectors.dashboard_settings())
    }
    assert _counts(rows[dataset.water.pk]) == {
        **ZERO,
        "assigned": 1,
        "due": 1,
        "replied": 1,
        "replied_on_time": 1,
        "registered": 1,
        "closed": 1,
        # S11's three commitments have all fallen due: one confirmed delivered, one past its target date
        # that nobody confirmed, one the unit reported done early (fallen due, not yet confirmed)
        "commitments_due": 3,
        "delivery_confirmed": 1,
        "delivered": 1,
    }


def test_date_range_selects_by_assignment_date(dataset):
    period = m.Period(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    assert period.as_of == dt.date(2026, 3, 1)
    rows = {r["key"]: r for r in selectors.units_table(period, selectors.dashboard_settings())}
    water = rows[dataset.water.pk]
    assert water["assigned"] == 4  # S1 S2 S3 S7 were assigned in February
    assert water["due"] == 4  # all four have been replied
    assert water["replied"] == 4
    # S2's two confirmed commitments and S3's; S4 was assigned in March.
    assert (water["delivery_confirmed"], water["delivered"], water["delivery_rate"]) == (3, 2, 0.6667)
    assert water["commitments_due"] == 3  # the confirmed ones; S2's third is due only on 10-01
    assert rows[dataset.finance.pk]["assigned"] == 1


def test_a_year_with_nothing_has_zero_counts_and_empty_rates(dataset):
    settings = selectors.dashboard_settings()
    assert selectors.units_table(m.Period(year=2030), settings) == []
    totals = selectors.totals(m.Period(year=2030), settings)
    assert _counts(totals) == ZERO
    assert _rates(totals) == dict.fromkeys(m.RATES)


def test_monthly_trend(dataset):
    trend = {t["month"]: t for t in selectors.monthly_trend(m.Period(year=2026))}
    # First replies: S3 03-10; S4 04-01, S7 04-15, S1 04-20; S2 05-20; S9 06-10.
    assert {k: v["replied"] for k, v in trend.items() if v["replied"]} == {
        "2026-03": 1,
        "2026-04": 3,
        "2026-05": 1,
        "2026-06": 1,
    }
    # Closures: S1 05-10, S7 05-20, S9 06-20, S3 07-20.
    assert {k: v["closed"] for k, v in trend.items() if v["closed"]} == {"2026-05": 2, "2026-06": 1, "2026-07": 1}
    # Registrations: nine on 01-20 (S1–S9 minus withdrawn S8 = 8) and S10 on 08-01.
    assert {k: v["registered"] for k, v in trend.items() if v["registered"]} == {"2026-01": 8, "2026-08": 1}


def test_flags_and_small_sample(dataset):
    settings = selectors.dashboard_settings()
    water = next(r for r in selectors.units_table(m.Period(year=2026), settings) if r["key"] == dataset.water.pk)
    # Defaults: reply rate green >= 95%, amber >= 85% -> 83.3% is red; contact 80% < 85% red;
    # solved 60% >= 50% green; on-time 80% >= 80% amber.
    assert water["flags"]["reply_rate"] == "red"
    assert water["flags"]["on_time_rate"] == "amber"
    assert water["flags"]["solved_rate"] == "green"
    # Default small sample is 5: 4 rated, 5 replied, 6 due.
    assert water["small"]["satisfaction_rate"] is True
    assert water["small"]["on_time_rate"] is False
    assert water["small"]["reply_rate"] is False


def test_assessment_scores_and_ranks(dataset):
    ranked = selectors.assessment(m.Period(year=2026), selectors.dashboard_settings())
    assert [(r["key"], r["rank"], r["score"]) for r in ranked] == [
        # finance: 20·1 + 20·0 + 15·1 + 10·1 + 20·1 + 10·1 + 5·1 = 80 of 100
        (dataset.finance.pk, 1, 80.0),
        # water: 20·.8333 + 20·.8 + 15·.4286 + 10·.5 + 20·.75 + 10·.8 + 5·.6 = 70.095 -> 70.1
        (dataset.water.pk, 2, 70.1),
        (dataset.education.pk, None, None),
    ]


def test_the_delivery_rate_weighs_in_the_assessment_once_staff_give_it_a_weight(dataset, sam, api):
    from dashboards import services

    def scores():
        ranked = selectors.assessment(m.Period(year=2026), selectors.dashboard_settings())
        return {r["key"]: r["score"] for r in ranked}

    before = scores()
    assert selectors.dashboard_settings().weights["delivery_rate"] == 0  # not weighted by default
    services.settings_update(
        actor=sam, small_sample=5, metrics={"delivery_rate": {"weight": "20", "green_at": "0.9", "amber_at": "0.75"}}
    )
    after = scores()
    # water: (70.095 + 20·0.75) ÷ 120 × 100 = 70.9125 -> 70.91 (was 70.1)
    assert (before[dataset.water.pk], after[dataset.water.pk]) == (70.1, 70.91)
    # finance has no confirmed commitment: the rate is left out and its score stays 80
    assert before[dataset.finance.pk] == after[dataset.finance.pk] == 80.0
    # The same score in the assessment API, which shows the delivery rate beside it.
    rows = {r["unit"]: r for r in api(sam).get("/api/v1/stats/assessment/", {"year": 2026}).json()["results"]}
    assert (rows[dataset.water.pk]["score"], rows[dataset.water.pk]["delivery_rate"]) == (70.91, 0.75)
    assert rows[dataset.finance.pk]["delivery_rate"] is None


def test_drill_down_lists_exactly_the_counted_suggestions(dataset, sam):
    period = m.Period(year=2026)
    s = dataset.s

    def ids(name, dim=None, key=None):
        return set(selectors.drill_suggestions(name, period, dim, key, reader=sam).values_list("pk", flat=True))

    water = dataset.water.pk
    assert ids("assigned", "unit", water) == {s[i].pk for i in (1, 2, 3, 4, 5, 6, 7)}
    assert ids("due", "unit", water) == {s[i].pk for i in (1, 2, 3, 4, 5, 7)}
    assert ids("replied", "unit", water) == {s[i].pk for i in (1, 2, 3, 4, 7)}
    assert ids("replied_on_time", "unit", water) == {s[i].pk for i in (1, 3, 4, 7)}
    assert ids("contacted", "unit", water) == {s[i].pk for i in (1, 3, 4, 7)}
    assert ids("class_a", "unit", water) == {s[i].pk for i in (1, 3, 7)}
    assert ids("closed", "unit", water) == {s[i].pk for i in (1, 3, 7)}
    assert ids("rated_final", "unit", water) == {s[i].pk for i in (1, 2, 3, 4)}
    assert ids("satisfied_first", "unit", water) == {s[i].pk for i in (1, 2)}
    assert ids("rehandled", "unit", water) == {s[i].pk for i in (3, 4)}
    assert ids("delivery_confirmed", "unit", water) == {s[i].pk for i in (2, 3, 4)}
    assert ids("delivered", "unit", water) == {s[i].pk for i in (2, 3, 4)}
    assert ids("delivered", "unit", dataset.finance.pk) == set()
    assert ids("overdue", "unit", water) == {s[i].pk for i in (4, 5)}
    assert ids("due_soon", "unit", water) == {s[6].pk}
    assert ids("registered") == {s[i].pk for i in (1, 2, 3, 4, 5, 6, 7, 9, 10)}
    assert ids("registered", "category", None) == {s[10].pk}


def test_every_drill_down_has_as_many_rows_as_its_number(dataset, sam):
    period = m.Period(year=2026)
    settings = selectors.dashboard_settings()
    for dimension, rows in (
        ("unit", selectors.units_table(period, settings)),
        ("category", selectors.category_table(period, settings)),
    ):
        for row in rows:
            for name in m.COUNTS:
                qs, _source = selectors.drill_queryset(name, period, dimension, row["key"], reader=sam)
                assert qs.count() == row[name], (dimension, row["label"], name)


def test_key_items(dataset, sam):
    from supervision.models import KeySuggestion

    item = KeySuggestion.objects.create(
        year=2026, topic="排水防涝", regime_starts_on=dt.date(2026, 3, 1), created_by=sam
    )
    item.suggestions.add(dataset.s[1], dataset.s[4])
    KeySuggestion.objects.create(year=2026, topic="空项", regime_starts_on=dt.date(2026, 3, 1), created_by=sam)
    rows = {r["label"]: r for r in selectors.key_item_table(m.Period(year=2026), selectors.dashboard_settings())}
    assert _counts(rows["2026 排水防涝"]) == {
        "assigned": 2,
        "due": 2,
        "replied": 2,
        "replied_on_time": 2,
        "contacted": 2,
        "class_a": 1,
        "registered": 2,
        "closed": 1,
        "closed_unrated": 0,
        "replied_rated": 2,  # S1 and S4
        "rated_first": 2,
        "satisfied_first": 1,
        "rated_final": 2,
        "satisfied_final": 1,
        "commitments_due": 1,
        "delivery_confirmed": 1,  # S4's
        "delivered": 1,
        "rehandled": 1,
        "overdue": 1,
        "due_soon": 0,
    }
    assert _counts(rows["2026 空项"]) == ZERO
