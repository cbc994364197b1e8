"""The list's hand-built representation is exactly DRF's, and a deputy's own list is the UNION of
what they lead and what they co-sign."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from suggestions import selectors
from suggestions.api.serializers import SuggestionOut
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db


def test_fast_representation_matches_drf(cast):
    suggestion_in_state("replied", cast=cast, co_signers=[cast.bob])
    suggestion_in_state("draft", cast=cast, co_signers=[cast.carol])
    suggestion_in_state("closed", cast=cast)
    rows = list(selectors.suggestion_list(cast.sam))
    assert len(rows) >= 3
    for row in rows:
        fast = SuggestionOut(row).data
        generic = serializers.ModelSerializer.to_representation(SuggestionOut(), row)
        assert dict(fast) == dict(generic)
        assert list(fast) == list(generic)  # same keys, same order


def test_a_deputys_own_list_is_what_they_lead_or_co_sign(cast, api):
    led = suggestion_in_state("registered", cast=cast, co_signers=[cast.bob])
    suggestion_in_state("registered", cast=cast)
    rows = api(cast.bob).get("/api/v1/suggestions/?mine=true").json()["results"]
    assert [r["id"] for r in rows] == [led.pk]
    assert len(api(cast.alice).get("/api/v1/suggestions/?mine=true").json()["results"]) == 2
