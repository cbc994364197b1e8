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


def test_the_lists_plain_rows_print_what_one_suggestion_prints(cast, api):
    """The list reads plain rows (`selectors.suggestion_rows`), one suggestion goes through the
    serializer: every row of every reader's list equals that reader's view of the one suggestion,
    the public view included (carol reads bob's published suggestion without his reply times)."""
    published = suggestion_in_state("replied", cast=cast, co_signers=[cast.bob], public=True)
    suggestion_in_state("draft", cast=cast, co_signers=[cast.carol])
    suggestion_in_state("closed", cast=cast, public=True)
    suggestion_in_state("assigned", cast=cast, co_signers=[cast.bob, cast.carol])
    seen = {}
    for who in ("sam", "alice", "bob", "carol", "henry", "ivan", "victor"):
        client = api(cast[who])
        rows = client.get("/api/v1/suggestions/?page_size=50").json()["results"]
        for row in rows:
            assert row == client.get(f"/api/v1/suggestions/{row['id']}/").json(), (who, row["id"])
        seen[who] = {row["id"]: row for row in rows}
    assert len(seen["sam"]) == 4 and len(seen["alice"]) == 4
    staff_view, public_view = seen["sam"][published.pk], seen["carol"][published.pk]
    assert staff_view["co_signer_status"][0]["responded_at"] is not None
    assert public_view["co_signer_status"] == [{**staff_view["co_signer_status"][0], "responded_at": None}]


def test_search_rows_carry_their_highlight(cast, api):
    suggestion_in_state("registered", cast=cast, title="关于改造南冲电排站的建议")
    rows = api(cast.sam).get("/api/v1/suggestions/?search=电排站").json()["results"]
    assert rows and all("<mark>" in row["highlight"]["title"] for row in rows)


def test_a_deputys_own_list_narrowed_to_their_rows_is_the_same_rows(cast, api):
    """`own_suggestions_visible_to` equals the whole visibility rule among the deputy's own rows,
    declined co-signatures included: a declined draft drops out, a declined published one stays."""
    from suggestions.models import CoSigner, CoSignerStatus

    draft = suggestion_in_state("draft", cast=cast, co_signers=[cast.bob])
    published = suggestion_in_state("replied", cast=cast, co_signers=[cast.bob], public=True)
    confirmed = suggestion_in_state("registered", cast=cast, co_signers=[cast.bob])
    CoSigner.objects.filter(suggestion__in=[draft, published], deputy=cast.bob).update(status=CoSignerStatus.DECLINED)
    for who in ("alice", "bob", "carol"):
        user = cast[who]
        whole = selectors.suggestions_visible_to(user).filter(pk__in=selectors.own_suggestion_ids(user))
        assert set(selectors.own_suggestions_visible_to(user)) == set(whole), who
    rows = api(cast.bob).get("/api/v1/suggestions/?mine=true").json()["results"]
    assert {r["id"] for r in rows} == {published.pk, confirmed.pk}
    assert api(cast.bob).get("/api/v1/suggestions/?mine=maybe").status_code == 400


def test_list_rows_read_live_assignments_and_every_co_signer_in_one_query(cast, api, django_assert_num_queries):
    """A returned assignment is no longer on the row; co-signers come in their order, with their
    times and consent; the row equals the single suggestion's view."""
    from suggestions.models import Assignment, AssignmentStatus

    suggestion = suggestion_in_state("handling", cast=cast, co_signers=[cast.bob, cast.carol])
    returned = Assignment.objects.filter(suggestion=suggestion).order_by("id").first()
    Assignment.objects.filter(pk=returned.pk).update(status=AssignmentStatus.RETURNED)
    client = api(cast.sam)
    with django_assert_num_queries(1):
        row = client.get("/api/v1/suggestions/").json()["results"][0]
    assert returned.pk not in {a["id"] for a in row["assignments"]}
    assert [c["deputy"] for c in row["co_signer_status"]] == [cast.bob.pk, cast.carol.pk]
    assert row == client.get(f"/api/v1/suggestions/{suggestion.pk}/").json()
