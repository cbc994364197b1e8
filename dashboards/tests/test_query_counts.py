"""Each dashboard page and stats endpoint runs the same number of queries for 100 and 1,090 suggestions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Unit
from dashboards import figures
from dashboards import metrics as m
from dashboards.generator import generate
from suggestions.models import Suggestion
from supervision.models import KeySuggestion

pytestmark = pytest.mark.django_db

# Whole requests, including the session and user lookups (2) and, for pages, the template's context
# processors. A table page: period years (1), settings (2), whether maintained figures are built (1
# per table), one GROUP BY per fact source (2-4: assignments, suggestions,
# open deadlines, commitments), the labels of its rows (1) and the session choices
# of the period form (1). With the figures built (PINNED_FIGURES) a table is one query over them;
# the units table reads its co-assignments in that same query and asks once whether they are built.
PINNED = {
    "/dashboards/?year={y}": 28,
    "/dashboards/units/?year={y}": 15,
    "/dashboards/units/?year={y}&format=xlsx": 13,  # +1: the audit log's record of the export
    "/dashboards/categories/?year={y}": 14,
    "/dashboards/key-items/?year={y}": 14,  # +1: the key items' suggestion ids, read first (metrics.breakdown)
    "/dashboards/assessment/?year={y}": 15,
    "/dashboards/report/?year={y}": 24,  # +1: the overdue list's earliest open deadline, read first as a value
    "/dashboards/units/{unit}/?year={y}": 18,  # +1: the capped count of its paged suggestion list
    "/dashboards/drill/?metric=replied&year={y}": 6,
    "/dashboards/drill/?metric=closed&dim=unit&key={unit}&year={y}": 7,
    "/dashboards/snapshots/": 6,
    "/api/v1/stats/units/?year={y}": 12,
    "/api/v1/stats/categories/?year={y}": 11,
    "/api/v1/stats/sessions/?year={y}": 11,
    "/api/v1/stats/years/": 9,
    "/api/v1/stats/key-items/?year={y}": 11,  # +1: the key items' suggestion ids, read first
    "/api/v1/stats/overview/?year={y}": 14,
    "/api/v1/stats/assessment/?year={y}": 12,
    "/api/v1/stats/drill/?metric=overdue&dim=unit&key={unit}&year={y}": 5,
}


PINNED_FIGURES = {
    "/dashboards/?year={y}": 18,
    "/dashboards/units/?year={y}": 11,
    "/dashboards/units/?year={y}&format=xlsx": 9,  # +1: the audit log's record of the export
    "/dashboards/categories/?year={y}": 11,
    "/dashboards/key-items/?year={y}": 14,  # +1: the key items' suggestion ids, read first (metrics.breakdown)
    "/dashboards/assessment/?year={y}": 11,
    "/dashboards/report/?year={y}": 17,  # +1: the overdue list's earliest open deadline, read first as a value
    "/dashboards/units/{unit}/?year={y}": 14,  # +1: the capped count of its paged suggestion list
    "/dashboards/drill/?metric=replied&year={y}": 6,
    "/dashboards/drill/?metric=closed&dim=unit&key={unit}&year={y}": 7,
    "/dashboards/snapshots/": 6,
    "/api/v1/stats/units/?year={y}": 8,
    "/api/v1/stats/categories/?year={y}": 8,
    "/api/v1/stats/sessions/?year={y}": 8,
    "/api/v1/stats/years/": 7,
    "/api/v1/stats/key-items/?year={y}": 11,  # +1: the key items' suggestion ids, read first
    "/api/v1/stats/overview/?year={y}": 9,
    "/api/v1/stats/assessment/?year={y}": 8,
    "/api/v1/stats/drill/?metric=overdue&dim=unit&key={unit}&year={y}": 5,
}


def _counts(client, unit_id: int) -> dict[str, int]:
    year = m.today().year
    counts = {}
    for template in PINNED:
        url = template.format(y=year, unit=unit_id)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[template] = len(queries)
    return counts


@pytest.mark.parametrize("built", [False, True], ids=["live", "figures"])
def test_query_counts_do_not_grow_with_the_data(client, sam, built):
    generate(suggestions=100, units=5, years=2, seed=3)
    # A key item of the year holding a few suggestions, so the key-item table reads real rows.
    item = KeySuggestion.objects.create(year=m.today().year, topic="排涝", regime_starts_on=m.today(), created_by=sam)
    item.suggestions.add(*Suggestion.objects.filter(number__isnull=False).order_by("id")[:5])
    client.force_login(sam)
    # A unit with a closed suggestion of the year, so the drill-down's page query runs in both.
    unit = (
        Unit.objects.filter(
            code__startswith="GEN",
            assignments__role="lead",
            assignments__suggestion__status="closed",
            assignments__suggestion__closed_at__year=m.today().year,
        )
        .order_by("code")
        .first()
    )
    if built:
        figures.build()
    small = _counts(client, unit.pk)
    generate(suggestions=990, units=5, years=2, seed=4)
    if built:
        figures.build()
    large = _counts(client, unit.pk)
    assert small == large
    assert large == (PINNED_FIGURES if built else PINNED)
