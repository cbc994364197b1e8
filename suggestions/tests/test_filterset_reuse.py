"""The API's FilterSet (`common.api.FilterSet`) builds its form class once per class and copies its
filters shallowly: each request still gets its own filters and its own form, with its own errors."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from suggestions.filters import DeadlineFilter, SuggestionFilter
from suggestions.models import Suggestion
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db


def test_each_filterset_has_its_own_filters_and_form_of_one_class():
    first = SuggestionFilter(QueryDict("status=handling"), queryset=Suggestion.objects.all())
    second = SuggestionFilter(QueryDict("overdue=maybe"), queryset=Suggestion.objects.all())
    assert first.get_form_class() is second.get_form_class()
    assert first.get_form_class() is not DeadlineFilter(QueryDict()).get_form_class()
    for name in SuggestionFilter.base_filters:
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name] is not SuggestionFilter.base_filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        if first.filters[name].method is not None:  # `filter_unit`, `filter_mine`… of their own FilterSet
            assert first.filters[name].filter.f is first.filters[name]
    assert first.is_valid() and not second.is_valid()
    assert first.form is not second.form
    assert "overdue" in second.errors and not first.errors


def test_filters_filter_as_before(cast, api):
    registered = suggestion_in_state("registered", cast=cast)
    assigned = suggestion_in_state("assigned", cast=cast)
    client = api(cast.sam)
    for _ in range(2):  # the second request reuses the form class the first one built
        rows = client.get("/api/v1/suggestions/?status=registered").json()["results"]
        assert [r["id"] for r in rows] == [registered.pk]
        rows = client.get(f"/api/v1/suggestions/?status=assigned&session={cast.session.pk}").json()["results"]
        assert [r["id"] for r in rows] == [assigned.pk]
        response = client.get("/api/v1/suggestions/?overdue=ture")
        assert response.status_code == 400 and "overdue" in response.json()
        rows = client.get(f"/api/v1/suggestions/?unit={cast.water.pk}&overdue=false").json()["results"]
        assert [r["id"] for r in rows] == [assigned.pk]
        assert api(cast.alice).get("/api/v1/suggestions/?mine=true").json()["count"] == 2
        response = client.get("/api/v1/suggestions/?status=nonsense")
        assert response.status_code == 400 and "status" in response.json()


def test_a_deputys_own_list_alone_skips_the_filterset(cast, api, monkeypatch):
    """`?mine=true` alone: the list already holds the deputy's own rows, so no FilterSet is built;
    with another filter, or a bad value, the FilterSet runs (and answers a bad value with a 400)."""
    led = suggestion_in_state("registered", cast=cast)
    suggestion_in_state("assigned", cast=cast, public=True)
    built = []
    original = SuggestionFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(SuggestionFilter, "__init__", counting_init)
    alice = api(cast.alice)
    assert alice.get("/api/v1/suggestions/?mine=true&page_size=50").json()["count"] == 2
    assert built == []
    rows = alice.get("/api/v1/suggestions/?mine=true&status=registered").json()["results"]
    assert [r["id"] for r in rows] == [led.pk] and built == [1]
    assert alice.get("/api/v1/suggestions/?mine=maybe").status_code == 400
    assert api(cast.carol).get("/api/v1/suggestions/?mine=true").json()["count"] == 0
