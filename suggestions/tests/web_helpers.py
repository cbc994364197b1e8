"""Shared helpers for the web UI tests (view tests and browser tests).

Fixtures are imported into the test modules that use them, so this app's tests need no conftest
of their own next to the core's.
"""

from __future__ import annotations

import pytest
from django.test import Client

from suggestions.models import Suggestion
from testing.factories import suggestion_in_state


def client_for(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        from django.conf import settings

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def make_suggestion(cast):
    """alice's suggestion in `stage` (draft, submitted, registered, assigned, handling, replied), bob
    co-signing, water leading and finance co-handling, reached through `testing.factories`; the
    reply is public, as a unit's reply is unless it says otherwise."""

    def make(stage: str = "draft", *, title: str = "关于尽快建设南冲电排站的建议", session=None) -> Suggestion:
        suggestion = suggestion_in_state(
            stage, cast=cast, co_signers=[cast.bob], title=title, session=session, public=True,
            reply_body="已列入年度计划。",
        )  # fmt: skip
        suggestion.refresh_from_db()
        return suggestion

    return make
