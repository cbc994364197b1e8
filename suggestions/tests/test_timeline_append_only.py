import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from suggestions import services
from suggestions.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(alice, session_2026):
    suggestion = services.suggestion_create(author=alice, title="关于甲的建议", body="正文", session=session_2026)
    return Event.objects.get(suggestion=suggestion, action="create")


def test_the_orm_refuses_to_change_or_delete_an_event(event):
    event.action = "forged"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.postgres_only
def test_the_database_refuses_updates_and_deletes(event):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    for statement in (
        Event.objects.filter(pk=event.pk).update,
        Event.objects.filter(pk=event.pk).delete,
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement(action="forged") if statement.__name__ == "update" else statement()
    event.refresh_from_db()
    assert event.action == "create"
