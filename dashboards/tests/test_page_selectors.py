"""The dashboards' page reads: a malformed id in a form is a form error, an unknown snapshot a 404."""

from __future__ import annotations

import pytest

from dashboards import page_selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["", "abc", "0", "999999", None])
def test_an_empty_unknown_or_malformed_session_id_is_no_session(raw):
    assert page_selectors.session_or_none(raw) is None


def test_freezing_with_a_malformed_session_is_a_400_on_the_field(client, sam, session_2026):
    client.force_login(sam)
    response = client.post("/dashboards/snapshots/", {"scope": "session", "session": "abc"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert page_selectors.session_or_none(str(session_2026.pk)) == session_2026


def test_an_unknown_snapshot_is_a_404(client, sam):
    client.force_login(sam)
    assert client.get("/dashboards/snapshots/999999/").status_code == 404
