"""`Suggestion.has_published_reply`, kept by the database (migration 0015), equals the live rule
(`selectors.published_reply_exists_q`: a released public reply exists) after every kind of change
to replies: drafted, released public or not, superseded by a later one, sent back, confidential,
flipped by a queryset update, bulk-inserted, deleted, moved with its assignment; and an instance
saved from before the change does not write the old value back. The public rule built on it picks
the same suggestions as the rule asked of the replies themselves."""

from __future__ import annotations

import pytest
from django.db.models import Q

from suggestions import selectors, services
from suggestions.models import (
    PUBLISHED_STATUSES,
    Assignment,
    AssignmentRole,
    Reply,
    ReplyStatus,
    Suggestion,
)
from testing.factories import (
    draft_reply,
    lead_assignment,
    log_contact,
    release_reply,
    suggestion_in_state,
)

pytestmark = pytest.mark.django_db


def assert_flag_is_the_live_rule() -> None:
    live = set(Suggestion.objects.filter(selectors.published_reply_exists_q()).values_list("pk", flat=True))
    stored = set(Suggestion.objects.filter(has_published_reply=True).values_list("pk", flat=True))
    assert stored == live
    # And the public rule on the stored flag picks what the rule asked of the replies picks.
    asked = Q(confidential=False, status__in=PUBLISHED_STATUSES) & selectors.published_reply_exists_q()
    assert set(selectors.published_suggestions().values_list("pk", flat=True)) == set(
        Suggestion.objects.filter(asked).values_list("pk", flat=True)
    )


def flag(suggestion: Suggestion) -> bool:
    return Suggestion.objects.values_list("has_published_reply", flat=True).get(pk=suggestion.pk)


def test_the_flag_follows_every_kind_of_reply_change(cast):
    s = suggestion_in_state("handling", cast=cast)
    assert_flag_is_the_live_rule()
    assert not flag(s)
    # Drafted, waiting for sign-off: not published; sent back: still not.
    lead = lead_assignment(s)
    log_contact(lead, cast.henry)
    draft_reply(s, cast, public=True)
    assert not flag(s)
    assert_flag_is_the_live_rule()
    services.reply_send_back(assignment=lead_assignment(s), actor=cast.hannah, note="再核实")
    assert not flag(s)
    # Released, public: published.
    draft_reply(s, cast, public=True)
    services.reply_approve(assignment=lead_assignment(s), actor=cast.hannah)
    assert flag(s)
    assert_flag_is_the_live_rule()
    # Rated unsatisfied: re-handling; the released reply stays published.
    services.suggestion_evaluate(
        suggestion=s, actor=cast.alice, attitude="satisfied", result="unsatisfied", comment="未解决"
    )
    assert flag(s)
    assert_flag_is_the_live_rule()
    # A queryset update that unpublishes, then publishes again (no service: the database still knows).
    Reply.objects.filter(assignment__suggestion=s).update(public=False)
    assert not flag(s)
    assert_flag_is_the_live_rule()
    Reply.objects.filter(assignment__suggestion=s, status=ReplyStatus.RELEASED).update(public=True)
    assert flag(s)
    assert_flag_is_the_live_rule()
    # Superseded by a status update, then deleted.
    Reply.objects.filter(assignment__suggestion=s).update(status=ReplyStatus.SUPERSEDED)
    assert not flag(s)
    Reply.objects.filter(assignment__suggestion=s).update(status=ReplyStatus.RELEASED)
    assert flag(s)
    Reply.objects.filter(assignment__suggestion=s).delete()
    assert not flag(s)
    assert_flag_is_the_live_rule()


def test_a_later_non_public_reply_unpublishes_and_a_confidential_one_never_publishes(cast):
    s = suggestion_in_state("replied", cast=cast, public=True)
    assert flag(s)
    # The same unit's next reply, not public, supersedes the public one (SPEC 8: the current reply).
    Reply.objects.create(
        assignment=lead_assignment(s), round=2, body="补充答复", result_class="A", adoption="adopted",
        public=False, status=ReplyStatus.RELEASED, drafted_by=cast.henry,
    )  # fmt: skip
    Reply.objects.filter(assignment__suggestion=s, public=True).update(status=ReplyStatus.SUPERSEDED)
    assert not flag(s)
    assert_flag_is_the_live_rule()
    secret = suggestion_in_state("replied", cast=cast, public=True, confidential=True)
    assert not Reply.objects.filter(assignment__suggestion=secret, public=True).exists()
    assert not flag(secret)
    assert secret.pk not in set(selectors.published_suggestions().values_list("pk", flat=True))
    assert_flag_is_the_live_rule()


def test_bulk_inserted_replies_and_a_moved_assignment_carry_the_flag(cast):
    a = suggestion_in_state("handling", cast=cast)
    b = suggestion_in_state("handling", cast=cast)
    Reply.objects.bulk_create(
        [
            Reply(assignment=lead_assignment(s), body="答复", result_class="A", adoption="adopted", public=True,
                  status=ReplyStatus.RELEASED, drafted_by=cast.henry)
            for s in (a, b)
        ]
    )  # fmt: skip
    assert flag(a) and flag(b)
    assert_flag_is_the_live_rule()
    # An assignment moved to another suggestion takes its published reply along.
    c = suggestion_in_state("registered", cast=cast)
    Assignment.objects.filter(pk=lead_assignment(a).pk).update(suggestion=c)
    assert not flag(a) and flag(c)
    assert_flag_is_the_live_rule()


def test_withdrawn_merged_and_co_unit_replies(cast):
    s = suggestion_in_state("replied", cast=cast, public=True)
    other = suggestion_in_state("submitted", cast=cast)
    # Withdrawn or merged: the flag stays (a reply is still published) but the public rule's states drop it.
    services.suggestion_merge(suggestion=other, actor=cast.sam, into=s)
    assert_flag_is_the_live_rule()
    # Withdrawn while handled, with a public reply of an earlier round released (made by hand).
    withdrawn = suggestion_in_state("handling", cast=cast)
    Reply.objects.create(
        assignment=lead_assignment(withdrawn), body="答复", result_class="A", adoption="adopted", public=True,
        status=ReplyStatus.RELEASED, drafted_by=cast.henry,
    )  # fmt: skip
    services.suggestion_withdraw(suggestion=withdrawn, actor=cast.alice)
    assert flag(withdrawn)
    assert withdrawn.pk not in set(selectors.published_suggestions().values_list("pk", flat=True))
    assert_flag_is_the_live_rule()
    assert other.pk not in set(selectors.published_suggestions().values_list("pk", flat=True))
    assert s.pk in set(selectors.published_suggestions().values_list("pk", flat=True))
    co = s.assignments.filter(role=AssignmentRole.CO).first()
    if co is not None:
        Reply.objects.filter(assignment__suggestion=s).update(public=False)
        Reply.objects.create(
            assignment=co, body="会办", result_class="A", adoption="adopted", public=True,
            status=ReplyStatus.RELEASED, drafted_by=cast.ivan,
        )  # fmt: skip
        assert flag(s)  # any assignment's published reply counts, as the rule says
    assert_flag_is_the_live_rule()


def test_saving_a_suggestion_read_before_a_reply_changed_keeps_the_flag(cast):
    s = suggestion_in_state("handling", cast=cast)
    stale = Suggestion.objects.get(pk=s.pk)
    assert stale.has_published_reply is False
    release_reply(s, cast, public=True)
    assert flag(s)
    stale.title = "关于改造南冲电排站的建议（修订）"
    stale.save()
    assert flag(s)  # the old False was not written back
    assert Suggestion.objects.get(pk=s.pk).title.endswith("（修订）")
    deferred = Suggestion.objects.defer("body").get(pk=s.pk)
    deferred.save()
    assert flag(s)
    assert_flag_is_the_live_rule()
