"""`insert_ignoring_conflicts` stores exactly what it is given, whatever the text holds (titles are user input)."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Delivery, Notification
from notifications.services.bulk import array_literal, insert_ignoring_conflicts

NASTY = [
    'quote " inside',
    'back\\slash and \\" both',
    "{braces}, commas, and (parens)",
    "NULL",
    "",
    "  spaces around  ",
    "关于“排涝站”的建议\n第二行\t制表",
    "emoji 🚧 and ' apostrophe",
]


def test_array_literal_quotes_every_text_and_leaves_nulls_bare():
    assert array_literal([1, None, True, dt.date(2026, 11, 10)]) == '{1,NULL,t,"2026-11-10"}'
    assert array_literal(['a"b', "c\\d", "NULL"]) == '{"a\\"b","c\\\\d","NULL"}'


@pytest.mark.django_db
def test_rows_round_trip_through_the_database(alice, make_suggestion):
    suggestion = make_suggestion()
    now = timezone.now()
    rows = [
        {"recipient_id": alice.pk, "kind": "urge", "suggestion_id": suggestion.pk, "deadline_id": None,
         "due_date": None, "stage": text[:20], "params": {"title": text, "n": i, "none": None, "list": [text]}}
        for i, text in enumerate(NASTY)
    ]  # fmt: skip
    insert_ignoring_conflicts(Notification, rows)
    stored = list(Notification.objects.order_by("id"))
    assert [n.params for n in stored] == [r["params"] for r in rows]
    assert [n.stage for n in stored] == [r["stage"] for r in rows]
    assert all(n.read_at is None and n.created_at >= now for n in stored)

    outbox = [
        {"key": f"k{i}:{text}"[:200], "channel": "email", "notification_id": n.pk, "user_id": alice.pk,
         "unit_id": None, "params": {}, "next_attempt_at": now}
        for i, (text, n) in enumerate(zip(NASTY, stored, strict=True))
    ]  # fmt: skip
    insert_ignoring_conflicts(Delivery, outbox)
    insert_ignoring_conflicts(Delivery, outbox)  # the unique key makes the second a no-op
    saved = list(Delivery.objects.order_by("id"))
    assert [d.key for d in saved] == [r["key"] for r in outbox]
    assert all(d.status == "pending" and d.attempts == 0 and d.last_error == "" for d in saved)
