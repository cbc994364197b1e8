"""The unit sheet's figures without ranking every unit whole (`selectors.unit_standing`), its list's
count from the unit's figures (`selectors.unit_assignments_count`), and the float flags of 300-unit
tables (`selectors.decorate`) against the exact `Settings.flag`."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest

from accounts.models import Unit
from dashboards import figures, selectors
from dashboards import metrics as m

pytestmark = pytest.mark.django_db


def _year() -> m.Period:
    return m.Period(year=2026)  # today as the data set's clock says


def _assessment_row(unit_id: int):
    ranked = selectors.assessment(_year(), selectors.dashboard_settings())
    return next((r for r in ranked if r["key"] == unit_id), None), len(ranked)


def test_each_units_standing_is_its_row_of_the_assessment(dataset):
    figures.build()
    settings = selectors.dashboard_settings()
    for unit in Unit.objects.all():
        assert selectors.unit_standing(unit, _year(), settings) == _assessment_row(unit.pk)
    water, count = selectors.unit_standing(dataset.water, _year(), settings)
    assert (water["rank"], water["score"], count) == (2, 70.1, 3)
    # A unit with only co-assignments is listed without a score or rank; one with nothing is not.
    education, _ = selectors.unit_standing(dataset.education, _year(), settings)
    assert (education["score"], education["rank"]) == (None, None)
    nobody = Unit.objects.create(name="无任务局", code="NONE")
    assert selectors.unit_standing(nobody, _year(), settings) == (None, 3)


def test_units_tied_on_their_score_share_its_rank(dataset):
    figures.build()
    settings = selectors.dashboard_settings()
    real = figures.unit_counts

    def everyone_like_water(period, names):
        counts = real(period, names)
        return {key: dict(counts[dataset.water.pk]) for key in counts}

    with mock.patch.object(figures, "unit_counts", side_effect=everyone_like_water):
        water, _ = selectors.unit_standing(dataset.water, _year(), settings)
    assert water["rank"] == 1  # finance scores as water does: both first
    finance, _ = selectors.unit_standing(dataset.finance, _year(), settings)
    water, _ = selectors.unit_standing(dataset.water, _year(), settings)
    assert (finance["rank"], water["rank"]) == (1, 2)


def test_the_unit_sheet_counts_a_long_list_from_the_units_figures_for_staff(dataset, client, sam):
    figures.build()
    client.force_login(sam)
    water, _ = selectors.unit_standing(dataset.water, _year(), selectors.dashboard_settings())
    listed = selectors.unit_assignments(dataset.water, _year(), reader=sam)
    assert water["assigned"] + water["co_assigned"] == listed.count() == 7
    with mock.patch.object(selectors, "COUNT_LIMIT", 5):
        with mock.patch.object(selectors, "capped_count", side_effect=AssertionError("counted")):
            counted = selectors.unit_assignments_count(water, listed, reader=sam)
            assert (counted.value, counted.exact) == (7, True)
            response = client.get(f"/dashboards/units/{dataset.water.pk}/", {"year": 2026})
        assert response.context["page"].paginator.count == 7
        # Whoever else reads it (a supervisor's list is their visible share of it) is counted.
        supervisor = SimpleNamespace(is_office_staff=False)
        assert selectors.unit_assignments_count(water, listed, reader=supervisor).value == 7
    # Within the limit the list itself is counted, for staff too.
    with mock.patch.object(selectors, "capped_count", wraps=selectors.capped_count) as capped:
        assert selectors.unit_assignments_count(water, listed, reader=sam).value == 7
    assert capped.called


def test_float_flags_say_what_the_exact_decimal_flags_say(dataset):
    settings = selectors.dashboard_settings()
    # Thresholds on and between the defaults, at the settings' 4 places.
    for green, amber in [("0.95", "0.85"), ("0.9999", "0.0001"), ("0.3333", "0.3332"), ("1", "0"), ("0.5", "0.5")]:
        for name in m.RATES:
            settings.green_at[name], settings.amber_at[name] = Decimal(green), Decimal(amber)
        targets = selectors._float_targets(settings)
        for k in range(10001):
            value = m.rate(k, 10000)
            row = selectors.decorate(dict.fromkeys(m.RATES, value), settings, targets)
            assert row["flags"] == {name: settings.flag(name, value) for name in m.RATES}, (green, amber, value)
    # Rates of any fraction are rounded to 4 places first (`metrics.rate`).
    for numerator, denominator in [(1, 3), (2, 3), (5, 6), (17, 19), (949, 1000), (9499, 10000), (18999, 20000)]:
        value = m.rate(numerator, denominator)
        row = selectors.decorate(dict.fromkeys(m.RATES, value), settings)
        assert row["flags"] == {name: settings.flag(name, value) for name in m.RATES}
