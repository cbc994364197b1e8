"""The reply check before sign-off (SPEC section 11): advice for the unit head, never a block."""

from __future__ import annotations

from django.utils.translation import gettext as _

from common.errors import ActionForbidden
from common.text.checks import Finding, reply_findings
from suggestions.models import Assignment, Reply, ReplyStatus

EARLIER_REPLIES = 200  # the unit's most recent released replies compared for copied passages


def reply_check(
    *, assignment: Assignment, actor, body: str | None = None, result_class: str | None = None
) -> list[Finding]:
    if not (actor.is_unit_user and actor.unit_id == assignment.unit_id):
        raise ActionForbidden(_("Only the assigned unit's users may check its reply."))
    waiting = assignment.replies.filter(status=ReplyStatus.AWAITING_SIGNOFF).prefetch_related("commitments").first()
    if body is None:
        body = waiting.body if waiting else ""
    if result_class is None and waiting is not None:
        result_class = waiting.result_class
    commitments = len(waiting.commitments.all()) if waiting is not None else 0
    earlier = (
        Reply.objects.filter(
            assignment__unit_id=assignment.unit_id, status__in=[ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED]
        )
        .exclude(assignment__suggestion_id=assignment.suggestion_id)
        .order_by("-released_at")
        .values_list("body", flat=True)[:EARLIER_REPLIES]
    )
    return reply_findings(
        suggestion_body=assignment.suggestion.body,
        reply=body,
        earlier_replies=list(earlier),
        result_class=result_class,
        commitments=commitments,
    )
