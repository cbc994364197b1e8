import pytest

from accounts.models import Role
from conftest import make_user
from supervision.models import KeySuggestion, SuggestionSupervisor
from supervision.selectors import supervised_suggestion_ids, supervisor_ids_for_suggestions

pytestmark = pytest.mark.django_db


def test_supervised_ids_direct_and_through_key_items(drainage, session_2026, alice, victor, sam, make_suggestion):
    other = make_suggestion(session_2026, title="关于另一件事的建议")
    third = make_suggestion(session_2026, title="关于第三件事的建议")
    wendy = make_user("wendy", Role.SUPERVISOR)
    SuggestionSupervisor.objects.create(suggestion=drainage, user=victor, assigned_by=sam)
    item = KeySuggestion.objects.create(year=2026, topic="排涝", regime_starts_on="2026-03-01", created_by=sam)
    item.suggestions.set([drainage, other])
    item.leaders.set([victor, wendy])

    assert set(supervised_suggestion_ids(victor)) == {drainage.pk, other.pk}
    assert set(supervised_suggestion_ids(wendy)) == {drainage.pk, other.pk}
    assert third.pk not in set(supervised_suggestion_ids(victor))
    assert list(supervised_suggestion_ids(sam)) == []


def test_supervisor_ids_for_suggestions_constant_queries(
    drainage, session_2026, alice, victor, sam, django_assert_num_queries, make_suggestion
):
    wendy = make_user("wendy", Role.SUPERVISOR)
    other = make_suggestion(session_2026, title="关于另一件事的建议")
    lonely = make_suggestion(session_2026, title="关于无人督办的建议")
    SuggestionSupervisor.objects.create(suggestion=drainage, user=victor, assigned_by=sam)
    item = KeySuggestion.objects.create(year=2026, topic="排涝", regime_starts_on="2026-03-01", created_by=sam)
    item.suggestions.set([drainage, other])
    item.leaders.set([wendy])

    with django_assert_num_queries(2):
        result = supervisor_ids_for_suggestions([drainage.pk, other.pk, lonely.pk])
    assert result == {drainage.pk: {victor.pk, wendy.pk}, other.pk: {wendy.pk}}
    with django_assert_num_queries(0):
        assert supervisor_ids_for_suggestions([]) == {}
