"""The suggestion form's deputy choice (issue 13): 83,000 deputies at 10^6 suggestions were each an
<option> of the co-signer select. Now only the chosen ones are options; a small JSON search finds
more (the form's script), and without JavaScript the form's "Search" button brings the form back
with the matches. What is posted is still checked on the server against every active deputy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from conftest import make_user
from suggestions.forms import DEPUTY_SEARCH_LIMIT
from suggestions.models import CoSigner, Suggestion

from .web_helpers import client_for

pytestmark = pytest.mark.django_db


def options_of(html: str, select_id: str) -> str:
    start = html.index(f'id="{select_id}"')
    return html[start : html.index("</select>", start)]


def test_the_form_lists_no_deputy_and_its_query_count_does_not_grow_with_them(alice, bob, session_2026):
    url = reverse("suggestion_create")
    client = client_for(alice)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    for i in range(40):
        make_user(f"deputy{i}", Role.DEPUTY, full_name=f"代表{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    html = response.content.decode()
    assert "<option" not in options_of(html, "id_co_signers")
    assert 'data-deputy-search="/suggestions/deputies/"' in html


def test_search_finds_active_deputies_by_name_at_most_the_limit(alice, bob, carol, sam, victor):
    make_user("gone", Role.DEPUTY, full_name="包走了", is_active=False)
    for i in range(DEPUTY_SEARCH_LIMIT + 5):
        make_user(f"wang{i:02d}", Role.DEPUTY, full_name=f"王{i:02d}")
    url = reverse("deputy_search")

    found = client_for(alice).get(url, {"q": "包"}).json()["results"]
    assert [d["id"] for d in found] == [bob.pk] and found[0]["label"].startswith("包博")
    assert client_for(alice).get(url, {"q": "王"}).json()["results"][0]["label"].startswith("王00")
    assert len(client_for(alice).get(url, {"q": "王"}).json()["results"]) == DEPUTY_SEARCH_LIMIT
    # The deputy is not offered as their own co-signer; staff (entering a paper one) find everyone.
    assert client_for(alice).get(url, {"q": "alice"}).json()["results"] == []
    assert [d["id"] for d in client_for(sam).get(url, {"q": "alice"}).json()["results"]] == [alice.pk]
    # Nothing asked, nothing found; a long or odd query is just a query.
    assert client_for(alice).get(url).json()["results"] == []
    assert client_for(alice).get(url, {"q": "%_\\'" * 100}).status_code == 200
    # Others may not list deputies; anonymous readers are sent to sign in.
    assert client_for(victor).get(url, {"q": "包"}).status_code == 403
    from django.test import Client

    assert Client().get(url, {"q": "包"}).status_code == 302
    assert client_for(alice).post(url, {"q": "包"}).status_code == 405


def test_a_chosen_co_signer_is_saved_and_shown_again_when_editing(alice, bob, session_2026):
    client = client_for(alice)
    response = client.post(
        reverse("suggestion_create"),
        {"title": "关于河道保洁的建议", "body": "正文", "session": session_2026.pk, "co_signers": [bob.pk], "save": ""},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert list(CoSigner.objects.filter(suggestion=suggestion).values_list("deputy_id", flat=True)) == [bob.pk]
    html = client.get(reverse("suggestion_edit", args=[suggestion.pk])).content.decode()
    options = options_of(html, "id_co_signers")
    assert f'value="{bob.pk}" selected' in options and options.count("<option") == 1


def test_a_co_signer_who_is_not_an_active_deputy_is_refused_by_the_server(alice, bob, sam, session_2026):
    gone = make_user("gone", Role.DEPUTY, full_name="包走了", is_active=False)
    for bad in (sam.pk, gone.pk, alice.pk, 999999, "x"):
        response = client_for(alice).post(
            reverse("suggestion_create"),
            {"title": "标题", "body": "正文", "session": session_2026.pk, "co_signers": [bad], "save": ""},
        )
        assert response.status_code == 400, bad
        assert 'data-field-error="co_signers"' in response.content.decode()
    assert not Suggestion.objects.exists()


def test_without_javascript_search_brings_the_form_back_with_the_matches(alice, bob, carol, session_2026):
    response = client_for(alice).post(
        reverse("suggestion_create"),
        {
            "title": "已输入的标题",
            "body": "已输入的正文",
            "session": session_2026.pk,
            "co_signers": [carol.pk],
            "find": "co_signers",
            "find_co_signers": "包",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已输入的标题" in html and "已输入的正文" in html
    options = options_of(html, "id_co_signers")
    assert f'value="{carol.pk}" selected' in options
    assert f'value="{bob.pk}">' in options
    assert "data-field-error" not in html
    assert not Suggestion.objects.exists()


def test_staff_entering_a_paper_suggestion_search_the_lead_deputy(alice, sam, session_2026):
    response = client_for(sam).post(
        reverse("suggestion_create"), {"title": "纸质建议", "find": "lead_deputy", "find_lead_deputy": "李爱"}
    )
    assert response.status_code == 200
    assert f'value="{alice.pk}">' in options_of(response.content.decode(), "id_lead_deputy")
    # A search for a field that is not a deputy field offers nothing and saves nothing.
    response = client_for(sam).post(reverse("suggestion_create"), {"title": "纸质建议", "find": "title"})
    assert response.status_code == 200
    assert not Suggestion.objects.exists()


@pytest.mark.postgres_only
def test_the_search_is_written_as_the_trigram_index_reads(alice):
    """accounts 0005's trigram index serves the search only while both agree: UPPER(full_name) and
    UPPER(username) LIKE '%…%' (Django's ICONTAINS), among active deputies. At 83,000 deputies the
    plan then answers the LIKE from the index (0.2 ms instead of 55-132 ms; docs/benchmarks.md); a
    change on either side (lower(), another role condition) would bring the scan back. The planner
    prefers a scan on a test-sized table, so the two shapes are compared, not a plan."""
    from suggestions.forms import search_deputies

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'user_deputy_name_trgm'")
        (indexdef,) = cursor.fetchone()
    assert "USING gin (upper((full_name)::text) gin_trgm_ops, upper((username)::text) gin_trgm_ops)" in indexdef
    assert "WHERE (((role)::text = 'deputy'::text) AND is_active)" in indexdef
    make_user("dep_0833", Role.DEPUTY, full_name="代表0833")
    with CaptureQueriesContext(connection) as queries:
        assert [u.full_name for u in search_deputies("代表0833", exclude=alice)] == ["代表0833"]
    sql = queries.captured_queries[-1]["sql"]
    assert 'UPPER("accounts_user"."full_name"::text) LIKE UPPER(' in sql
    assert 'UPPER("accounts_user"."username"::text) LIKE UPPER(' in sql
    assert '"accounts_user"."is_active"' in sql and '"accounts_user"."role" = \'deputy\'' in sql
