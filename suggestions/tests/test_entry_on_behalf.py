"""Staff enter a suggestion handed in on paper (代录): it becomes the deputy's draft, the deputy is
told and submits it themselves (SPEC section 3: only the lead deputy submits)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from suggestions import services
from suggestions.models import CoSignerStatus, Suggestion, SuggestionStatus

from .web_helpers import client_for

pytestmark = pytest.mark.django_db


def paper(session, **extra) -> dict:
    return {
        "title": "关于修缮村道的建议",
        "body": "纸质建议的正文。",
        "session": session.pk,
        "during_session": "on",
        **extra,
    }


def test_staff_enter_a_paper_suggestion_as_the_deputys_draft(sam, alice, bob, session_2026):
    page = client_for(sam).get(reverse("suggestion_create"))
    assert page.status_code == 200 and 'name="lead_deputy"' in page.content.decode()
    # "submit" is not offered to staff, and is ignored if posted: the deputy submits.
    response = client_for(sam).post(
        reverse("suggestion_create"), paper(session_2026, lead_deputy=alice.pk, co_signers=[bob.pk], submit="")
    )
    assert response.status_code == 302
    s = Suggestion.objects.get()
    assert (s.lead_deputy, s.status) == (alice, SuggestionStatus.DRAFT)
    assert s.events.get(action="create").actor == sam
    told = Notification.objects.get(recipient=alice)
    assert told.kind == Kind.DRAFTED_FOR_YOU and told.suggestion == s
    assert Notification.objects.get(recipient=bob).kind == Kind.COSIGN_INVITE
    assert not Notification.objects.filter(recipient=sam).exists()

    services.suggestion_cosign(suggestion=s, actor=bob, accept=True)
    services.suggestion_submit(suggestion=s, actor=alice)
    s.refresh_from_db()
    assert s.status == SuggestionStatus.SUBMITTED and s.cosignatures.get().status == CoSignerStatus.CONFIRMED


def test_entry_without_a_deputy_keeps_the_text_and_marks_the_field(sam, session_2026):
    response = client_for(sam).post(reverse("suggestion_create"), paper(session_2026))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="lead_deputy"' in html and "纸质建议的正文。" in html
    assert not Suggestion.objects.exists()


def test_the_lead_cannot_also_be_a_co_signer(sam, alice, session_2026):
    response = client_for(sam).post(
        reverse("suggestion_create"), paper(session_2026, lead_deputy=alice.pk, co_signers=[alice.pk])
    )
    assert response.status_code == 400 and not Suggestion.objects.exists()


def test_only_deputies_and_staff_open_the_form(henry, victor, alice):
    for user in (henry, victor):
        assert client_for(user).get(reverse("suggestion_create")).status_code == 403
    assert 'name="lead_deputy"' not in client_for(alice).get(reverse("suggestion_create")).content.decode()


def test_the_deputy_drafting_alone_is_not_told_about_it(alice, session_2026):
    client_for(alice).post(reverse("suggestion_create"), paper(session_2026))
    assert Suggestion.objects.get().lead_deputy == alice
    assert not Notification.objects.filter(kind=Kind.DRAFTED_FOR_YOU).exists()
