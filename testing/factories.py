"""Build a suggestion in a given state by driving the real services (no status written by hand).

`suggestion_in_state("replied", cast=cast)` walks draft -> submitted -> registered -> assigned ->
handling -> replied with the cast's personas: alice leads, bob co-signs (optional), sam is staff,
water (henry/hannah) is the lead unit and finance (ivan) the co-unit.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from suggestions import services
from suggestions.models import (
    Assignment,
    AssignmentRole,
    Commitment,
    Contact,
    Suggestion,
    SuggestionStatus,
)

REPLY_BODY = "已列入年度水利建设计划。"

# The order in which the main path reaches each state.
MAIN_PATH = ["draft", "submitted", "registered", "assigned", "handling", "awaiting_signoff", "replied"]
STATES = [*MAIN_PATH, "rehandling", "follow_up", "closed", "not_accepted", "withdrawn", "merged", "returned_request"]


def draft(
    cast, *, title: str = "关于改造南冲电排站的建议", co_signers=(), confidential: bool = False, **kw
) -> Suggestion:
    return services.suggestion_create(
        author=kw.pop("lead", cast.alice),
        title=title,
        body=kw.pop("body", "南冲电排站年久失修，汛期排涝能力不足。建议尽快立项改造。"),
        session=kw.pop("session", None) or cast.session,
        category=kw.pop("category", cast.category),
        co_signers=[u.pk for u in co_signers],
        confidential=confidential,
        **kw,
    )


def lead_assignment(suggestion: Suggestion) -> Assignment:
    return suggestion.assignments.live().get(role=AssignmentRole.LEAD)


def co_assignment(suggestion: Suggestion) -> Assignment:
    return suggestion.assignments.live().get(role=AssignmentRole.CO)


def log_contact(assignment: Assignment, actor, *, phase: str = "before", summary: str = "电话沟通办理思路") -> Contact:
    return services.contact_log(
        assignment=assignment,
        actor=actor,
        phase=phase,
        method="phone",
        met_by="division",
        contacted_at=timezone.now() - dt.timedelta(minutes=5),
        summary=summary,
    )


def release_reply(
    suggestion: Suggestion, cast, *, result_class: str = "A", public: bool = False, body: str = REPLY_BODY
) -> None:
    """The lead unit (water) logs a contact, drafts and signs off a reply."""
    lead = lead_assignment(suggestion)
    if not lead.contacts.exists():
        log_contact(lead, cast.henry)
    draft_reply(suggestion, cast, result_class=result_class, public=public, body=body)
    services.reply_approve(assignment=lead_assignment(suggestion), actor=cast.hannah)


def draft_reply(suggestion: Suggestion, cast, *, result_class: str = "A", public: bool = False, body: str = REPLY_BODY):
    commitments = []
    if result_class in {"B", "C"}:
        commitments = [{"description": "年底前完成改造", "target_date": timezone.localdate() + dt.timedelta(days=200)}]
    return services.reply_draft(
        assignment=lead_assignment(suggestion),
        actor=cast.henry,
        body=body,
        result_class=result_class,
        adoption="adopted",
        public=public,
        commitments=commitments,
    )


def suggestion_in_state(
    state: str,
    *,
    cast,
    co_signers=(),
    co_unit: bool = True,
    confidential: bool = False,
    result_class: str = "A",
    public: bool = False,
    complex: bool = False,
    due_date: dt.date | None = None,
    title: str = "关于改造南冲电排站的建议",
    session=None,
    repeat_of: Suggestion | None = None,
    reply_body: str = REPLY_BODY,
    category=None,
) -> Suggestion:
    """A suggestion of alice's in `state`, reached through the services only.

    Co-signers stay invited in "draft" and confirm on the way to any later state. The reply is
    private by default so that only the suggestion's own people can see it. `session` defaults to
    the cast's (2026); `repeat_of` is given when drafting, as a deputy would.
    """
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    suggestion = draft(
        cast,
        co_signers=co_signers,
        confidential=confidential,
        title=title,
        session=session,
        repeat_of=repeat_of,
        category=category or cast.category,
    )
    if state == "draft":
        return suggestion
    for deputy in co_signers:
        services.suggestion_cosign(suggestion=suggestion, actor=deputy, accept=True)
    services.suggestion_submit(suggestion=suggestion, actor=cast.alice)
    if state == "submitted":
        return suggestion
    if state == "not_accepted":
        services.suggestion_reject(suggestion=suggestion, actor=cast.sam, reason="不属于建议范围")
        return suggestion
    if state == "withdrawn":
        for deputy in co_signers:
            services.suggestion_consent_withdraw(suggestion=suggestion, actor=deputy)
        services.suggestion_withdraw(suggestion=suggestion, actor=cast.alice)
        return suggestion
    if state == "merged":
        target = suggestion_in_state("registered", cast=cast, title="关于南冲电排站的另一建议")
        services.suggestion_merge(suggestion=suggestion, actor=cast.sam, into=target)
        return suggestion
    services.suggestion_accept(suggestion=suggestion, actor=cast.sam)
    if state == "registered":
        return suggestion
    services.suggestion_assign(
        suggestion=suggestion,
        actor=cast.sam,
        lead_units=[cast.water],
        co_units=[cast.finance] if co_unit else [],
        complex=complex,
        due_date=due_date,
    )
    if state == "assigned":
        return suggestion
    if state == "returned_request":
        services.assignment_request_return(
            assignment=lead_assignment(suggestion), actor=cast.henry, reason="非本单位职责"
        )
        return suggestion
    services.assignment_sign(assignment=lead_assignment(suggestion), actor=cast.henry)
    if co_unit:
        services.assignment_sign(assignment=co_assignment(suggestion), actor=cast.ivan)
    if state == "handling":
        return suggestion
    if state == "awaiting_signoff":
        log_contact(lead_assignment(suggestion), cast.henry)
        draft_reply(suggestion, cast, result_class=result_class, public=public, body=reply_body)
        return suggestion
    release_reply(
        suggestion, cast, result_class="B" if state == "follow_up" else result_class, public=public, body=reply_body
    )
    if state == "replied":
        return suggestion
    if state == "rehandling":
        services.suggestion_evaluate(
            suggestion=suggestion, actor=cast.alice, attitude="satisfied", result="unsatisfied", comment="尚未动工"
        )
        return suggestion
    # follow_up (class B reply) or closed (class A reply)
    services.suggestion_evaluate(suggestion=suggestion, actor=cast.alice, attitude="satisfied", result="satisfied")
    suggestion.refresh_from_db()
    expected = SuggestionStatus.FOLLOW_UP if state == "follow_up" else SuggestionStatus.CLOSED
    assert suggestion.status == expected, (state, suggestion.status)
    return suggestion


def commitment_of(suggestion: Suggestion) -> Commitment:
    return Commitment.objects.filter(reply__assignment__suggestion=suggestion).latest("id")


def contact_of(suggestion: Suggestion) -> Contact:
    return Contact.objects.filter(assignment__suggestion=suggestion).latest("id")
