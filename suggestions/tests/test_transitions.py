"""Every action of the API, through HTTP: the right role in the right state succeeds; the wrong role
gets 403, an outsider 404, the wrong state 409; an identical repeat gets 409 and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers as drf_serializers

from suggestions import services
from suggestions.api import serializers as api_serializers
from suggestions.models import (
    Assignment,
    AssignmentRequest,
    Commitment,
    Contact,
    CoSigner,
    Deadline,
    Evaluation,
    Event,
    Opinion,
    Reply,
    Suggestion,
)
from testing.factories import (
    co_assignment,
    commitment_of,
    contact_of,
    draft_reply,
    lead_assignment,
    log_contact,
    suggestion_in_state,
)

from .clock import WORKING_DAY_MORNING, pinned_clock

pytestmark = pytest.mark.django_db

# Every test runs at 10:00 Beijing time on a working day, whatever the real clock says.
_clock = pinned_clock(WORKING_DAY_MORNING)


def snapshot(suggestion: Suggestion) -> dict[str, Any]:
    """Everything an action could touch; equal snapshots mean the call changed nothing."""
    s = Suggestion.objects.get(pk=suggestion.pk)
    assignments = Assignment.objects.filter(suggestion=s)
    return {
        "suggestion": (s.status, s.round, s.number, s.closed_at, s.merged_into_id, s.reason),
        "suggestions": Suggestion.objects.count(),
        "events": Event.objects.filter(suggestion=s).count(),
        "assignments": list(assignments.order_by("id").values_list("id", "status", "due_date")),
        "requests": list(
            AssignmentRequest.objects.filter(assignment__in=assignments).order_by("id").values_list("id", "status")
        ),
        "contacts": list(
            Contact.objects.filter(assignment__in=assignments).order_by("id").values_list("id", "disputed")
        ),
        "replies": list(Reply.objects.filter(assignment__in=assignments).order_by("id").values_list("id", "status")),
        "opinions": Opinion.objects.filter(assignment__in=assignments).count(),
        "evaluations": Evaluation.objects.filter(suggestion=s).count(),
        "commitments": list(
            Commitment.objects.filter(reply__assignment__in=assignments)
            .order_by("id")
            .values_list("id", "fulfilled_at")
        ),
        "cosigners": list(
            CoSigner.objects.filter(suggestion=s).order_by("id").values_list("deputy", "status", "withdraw_consent")
        ),
        "deadlines": list(
            Deadline.objects.filter(suggestion=s)
            .order_by("id")
            .values_list("id", "due_date", "satisfied_at", "cancelled_at")
        ),
    }


@dataclass
class Ctx:
    cast: Any
    suggestion: Suggestion
    extra: dict[str, Any] = field(default_factory=dict)


TARGETS: dict[str, tuple[str, Callable[[Ctx], Any]]] = {
    "suggestion": ("suggestions", lambda c: c.suggestion),
    "lead": ("assignments", lambda c: lead_assignment(c.suggestion)),
    "co": ("assignments", lambda c: co_assignment(c.suggestion)),
    "commitment": ("commitments", lambda c: commitment_of(c.suggestion)),
    "contact": ("contacts", lambda c: contact_of(c.suggestion)),
}


@dataclass
class Case:
    action: str
    target: str
    actor: str
    wrong_role: str
    outsider: str
    state: str
    wrong_state: str | None
    payload: Callable[[Ctx], dict] = lambda c: {}
    prepare: Callable[[Ctx], None] | None = None
    check: Callable[[Ctx, dict], None] = lambda c, body: None
    expect: int = 200
    co_signers: bool = False

    @property
    def id(self) -> str:
        return f"{self.target}-{self.action}"


def _status(expected: str) -> Callable[[Ctx, dict], None]:
    def check(ctx: Ctx, body: dict) -> None:
        ctx.suggestion.refresh_from_db()
        assert ctx.suggestion.status == expected

    return check


def _lead_status(expected: str) -> Callable[[Ctx, dict], None]:
    def check(ctx: Ctx, body: dict) -> None:
        assert lead_assignment(ctx.suggestion).status == expected

    return check


def _request_return(ctx: Ctx) -> None:
    services.assignment_request_return(
        assignment=lead_assignment(ctx.suggestion), actor=ctx.cast.henry, reason="非本单位"
    )


def _extension_date(ctx: Ctx) -> dt.date:
    return lead_assignment(ctx.suggestion).due_date + dt.timedelta(days=30)


def _request_extension(ctx: Ctx) -> None:
    services.assignment_request_extension(
        assignment=lead_assignment(ctx.suggestion),
        actor=ctx.cast.henry,
        reason="需要上级审批",
        due_date=_extension_date(ctx),
    )


def _contact_and_draft(ctx: Ctx) -> None:
    log_contact(lead_assignment(ctx.suggestion), ctx.cast.henry)
    draft_reply(ctx.suggestion, ctx.cast)


def _merge_target(ctx: Ctx) -> None:
    ctx.extra["into"] = suggestion_in_state("registered", cast=ctx.cast, title="关于南冲电排站的另一条建议")


def _merged(ctx: Ctx, body: dict) -> None:
    _status("merged")(ctx, body)
    assert ctx.suggestion.merged_into_id == ctx.extra["into"].pk


def _accepted(ctx: Ctx, body: dict) -> None:
    _status("registered")(ctx, body)
    assert body["number"] == Suggestion.objects.filter(number__isnull=False).count()


def _cosigned(ctx: Ctx, body: dict) -> None:
    assert CoSigner.objects.get(suggestion=ctx.suggestion, deputy=ctx.cast.bob).status == "confirmed"
    _status("draft")(ctx, body)


def _extension_approved(ctx: Ctx, body: dict) -> None:
    lead = lead_assignment(ctx.suggestion)
    wanted = _extension_date_from_request(lead)
    assert lead.due_date == wanted and lead.original_due_date == wanted - dt.timedelta(days=30)
    deadline = lead.deadlines.get(kind="reply")
    assert deadline.due_date == wanted and deadline.original_due_date == lead.original_due_date
    assert deadline.explanation["extensions"][-1]["to"] == wanted.isoformat()


def _extension_date_from_request(lead: Assignment) -> dt.date:
    return lead.requests.get(kind="extension").requested_due_date


def _request_status(kind: str, expected: str) -> Callable[[Ctx, dict], None]:
    def check(ctx: Ctx, body: dict) -> None:
        assert lead_assignment_any(ctx).requests.get(kind=kind).status == expected

    return check


def lead_assignment_any(ctx: Ctx) -> Assignment:
    return ctx.suggestion.assignments.get(role="lead")


def _returned(ctx: Ctx, body: dict) -> None:
    _request_status("return", "approved")(ctx, body)
    assert lead_assignment_any(ctx).status == "returned"
    # The only lead unit left: the suggestion waits for staff to re-assign it.
    _status("registered")(ctx, body)


def _refused_return(ctx: Ctx, body: dict) -> None:
    _request_status("return", "refused")(ctx, body)
    assert lead_assignment(ctx.suggestion).status == "pending"


def _contact_logged(ctx: Ctx, body: dict) -> None:
    assert lead_assignment(ctx.suggestion).contacts.count() == 1 and body["phase"] == "during"


def _reply_waiting(ctx: Ctx, body: dict) -> None:
    _lead_status("awaiting_signoff")(ctx, body)
    assert body["status"] == "awaiting_signoff"
    _status("handling")(ctx, body)


def _released(ctx: Ctx, body: dict) -> None:
    assert body["status"] == "released" and body["signer"] == ctx.cast.hannah.pk
    _status("replied")(ctx, body)
    assert ctx.suggestion.deadlines.filter(kind="evaluation", satisfied_at__isnull=True).count() == 1


def _sent_back(ctx: Ctx, body: dict) -> None:
    assert body["status"] == "superseded"
    _lead_status("accepted")(ctx, body)


def _opinion_sent(ctx: Ctx, body: dict) -> None:
    assert co_assignment(ctx.suggestion).status == "opinion_sent"
    assert co_assignment(ctx.suggestion).deadlines.get(kind="opinion").satisfied_at is not None


def _fulfilled(ctx: Ctx, body: dict) -> None:
    assert body["fulfilled_at"] is not None
    _status("closed")(ctx, body)


def _disputed(ctx: Ctx, body: dict) -> None:
    assert body["disputed"] is True and body["dispute_note"] == "没有见过面"


def _consented(ctx: Ctx, body: dict) -> None:
    assert CoSigner.objects.get(suggestion=ctx.suggestion, deputy=ctx.cast.bob).withdraw_consent
    _status("submitted")(ctx, body)


def _contact_payload(ctx: Ctx) -> dict:
    return {
        "phase": "during",
        "method": "site_visit",
        "met_by": "head",
        "contacted_at": timezone.localdate().isoformat(),
        "summary": "局长陪同代表现场查看电排站",
    }


CASES = [
    # --- suggestions/{id}/<action>/ ---------------------------------------------------------
    Case("cosign", "suggestion", "bob", "alice", "carol", "draft", "submitted", lambda c: {"accept": True},
         check=_cosigned, co_signers=True),
    Case("submit", "suggestion", "alice", "sam", "carol", "draft", "registered", check=_status("submitted")),
    Case("accept", "suggestion", "sam", "alice", "carol", "submitted", "draft", check=_accepted),
    Case("reject", "suggestion", "sam", "alice", "carol", "submitted", "registered",
         lambda c: {"reason": "属于代表来信", "keep_as_letter": True}, check=_status("not_accepted")),
    Case("return", "suggestion", "sam", "alice", "carol", "submitted", "registered",
         lambda c: {"reason": "请补充具体建议"}, check=_status("draft")),
    Case("merge", "suggestion", "sam", "alice", "carol", "submitted", "registered",
         lambda c: {"into": c.extra["into"].pk}, prepare=_merge_target, check=_merged),
    Case("assign", "suggestion", "sam", "alice", "carol", "registered", "submitted",
         lambda c: {"lead_units": [c.cast.water.pk], "co_units": [c.cast.finance.pk]}, check=_status("assigned")),
    Case("evaluate", "suggestion", "alice", "sam", "carol", "replied", "handling",
         lambda c: {"attitude": "satisfied", "result": "basically_satisfied"}, check=_status("closed")),
    Case("withdraw", "suggestion", "alice", "sam", "carol", "submitted", "replied", check=_status("withdrawn")),
    Case("consent-withdraw", "suggestion", "bob", "alice", "carol", "submitted", "replied", check=_consented,
         co_signers=True),
    Case("close", "suggestion", "sam", "alice", "carol", "follow_up", "handling", lambda c: {"note": "二次验收通过"},
         check=_status("closed")),
    # --- assignments/{id}/<action>/ ---------------------------------------------------------
    Case("sign", "lead", "henry", "alice", "oscar", "assigned", "replied", check=_lead_status("accepted")),
    Case("request-return", "lead", "henry", "alice", "oscar", "assigned", "replied",
         lambda c: {"reason": "不属本单位职责"}, check=_lead_status("return_requested"), expect=201),
    Case("approve-return", "lead", "sam", "alice", "oscar", "assigned", "assigned", prepare=_request_return,
         check=_returned),
    Case("refuse-return", "lead", "sam", "alice", "oscar", "assigned", "assigned", prepare=_request_return,
         check=_refused_return),
    Case("request-extension", "lead", "henry", "alice", "oscar", "handling", "replied",
         lambda c: {"reason": "需要上级审批", "due_date": _extension_date(c).isoformat()},
         check=_request_status("extension", "pending"), expect=201),
    Case("approve-extension", "lead", "sam", "alice", "oscar", "handling", "handling", prepare=_request_extension,
         check=_extension_approved),
    Case("refuse-extension", "lead", "sam", "alice", "oscar", "handling", "handling", prepare=_request_extension,
         check=_request_status("extension", "refused")),
    Case("contacts", "lead", "henry", "alice", "oscar", "handling", "assigned", _contact_payload,
         check=_contact_logged, expect=201),
    Case("reply", "lead", "henry", "alice", "oscar", "handling", "assigned",
         lambda c: {"body": "已列入计划。", "result_class": "A", "adoption": "adopted"}, check=_reply_waiting,
         expect=201),
    Case("approve-reply", "lead", "hannah", "henry", "oscar", "handling", "handling", prepare=_contact_and_draft,
         check=_released),
    Case("send-back", "lead", "hannah", "henry", "oscar", "handling", "handling", lambda c: {"note": "请补充数据"},
         prepare=_contact_and_draft, check=_sent_back),
    Case("opinion", "co", "ivan", "alice", "oscar", "handling", "assigned", lambda c: {"body": "财政局安排配套资金。"},
         check=_opinion_sent, expect=201),
    # --- commitments/{id}/fulfil/, contacts/{id}/dispute/ ------------------------------------
    # A commitment's and a contact's only state is "done"; the repeat is their wrong state.
    Case("fulfil", "commitment", "henry", "alice", "oscar", "follow_up", None, lambda c: {"note": "已完工"},
         check=_fulfilled),
    Case("dispute", "contact", "alice", "sam", "carol", "handling", None, lambda c: {"note": "没有见过面"},
         prepare=lambda c: log_contact(lead_assignment(c.suggestion), c.cast.henry), check=_disputed),
]  # fmt: skip

# The wrong state of a staff decision is "no pending request": the same state without `prepare`.
NO_PREPARE_IN_WRONG_STATE = {"approve-return", "refuse-return", "approve-extension", "refuse-extension",
                             "approve-reply", "send-back"}  # fmt: skip


def build(case: Case, cast, state: str, *, prepare: bool = True) -> Ctx:
    co_signers = [cast.bob] if case.co_signers else []
    ctx = Ctx(cast=cast, suggestion=suggestion_in_state(state, cast=cast, co_signers=co_signers))
    if prepare and case.prepare is not None:
        case.prepare(ctx)
    return ctx


def call(case: Case, ctx: Ctx, api, who: str):
    collection, resolve = TARGETS[case.target]
    # Resolve once: after an approved return the assignment is no longer a live one.
    if "target" not in ctx.extra:
        ctx.extra["target"] = resolve(ctx)
    obj = ctx.extra["target"]
    return api(ctx.cast[who]).post(f"/api/v1/{collection}/{obj.pk}/{case.action}/", case.payload(ctx), format="json")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_allowed_actor_in_right_state_then_repeat_is_409(case, cast, api):
    ctx = build(case, cast, case.state)
    events_before = Event.objects.filter(suggestion=ctx.suggestion).count()
    response = call(case, ctx, api, case.actor)
    assert response.status_code == case.expect, response.content
    case.check(ctx, response.json())
    assert Event.objects.filter(suggestion=ctx.suggestion).count() > events_before, "no timeline event written"

    before = snapshot(ctx.suggestion)
    repeat = call(case, ctx, api, case.actor)
    assert repeat.status_code == 409, repeat.content
    assert "detail" in repeat.json()
    assert snapshot(ctx.suggestion) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_wrong_role_gets_403_and_changes_nothing(case, cast, api):
    ctx = build(case, cast, case.state)
    before = snapshot(ctx.suggestion)
    response = call(case, ctx, api, case.wrong_role)
    assert response.status_code == 403, response.content
    assert snapshot(ctx.suggestion) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_outsider_gets_404_and_changes_nothing(case, cast, api):
    ctx = build(case, cast, case.state)
    before = snapshot(ctx.suggestion)
    response = call(case, ctx, api, case.outsider)
    assert response.status_code == 404, response.content
    assert snapshot(ctx.suggestion) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.wrong_state], ids=lambda c: c.id)
def test_wrong_state_gets_409_and_changes_nothing(case, cast, api):
    ctx = build(case, cast, case.wrong_state, prepare=case.action not in NO_PREPARE_IN_WRONG_STATE)
    before = snapshot(ctx.suggestion)
    response = call(case, ctx, api, case.actor)
    assert response.status_code == 409, response.content
    assert snapshot(ctx.suggestion) == before


def test_anonymous_gets_401_on_every_action(cast, api):
    ctx = Ctx(cast=cast, suggestion=suggestion_in_state("handling", cast=cast))
    log_contact(lead_assignment(ctx.suggestion), cast.henry)
    draft_reply(ctx.suggestion, cast, result_class="B")
    for case in CASES:
        collection, resolve = TARGETS[case.target]
        obj = resolve(ctx)
        response = api().post(f"/api/v1/{collection}/{obj.pk}/{case.action}/", {}, format="json")
        assert response.status_code == 401, (case.id, response.status_code)


# --- no serializer writes status ----------------------------------------------------------------


def _input_serializers():
    for name in dir(api_serializers):
        obj = getattr(api_serializers, name)
        if isinstance(obj, type) and issubclass(obj, drf_serializers.BaseSerializer):
            yield name, obj


def test_no_input_serializer_declares_a_status():
    """Inputs are the `*In` serializers and the two writable master-data serializers; outputs
    (`*Out`, `*Brief`) are only ever rendered, never given `data=`."""
    from accounts.api import views as accounts_api

    inputs = [(n, c) for n, c in _input_serializers() if n.endswith(("In", "Serializer"))]
    inputs += [("UserIn", accounts_api.UserIn), ("UnitSerializer", accounts_api.UnitSerializer)]
    assert len(inputs) >= 15, [n for n, _ in inputs]  # the walk really found the input serializers
    for name, serializer_class in inputs:
        assert "status" not in serializer_class().fields, f"input serializer {name} declares `status`"


def test_patch_with_status_does_not_change_a_draft(cast, api):
    suggestion = suggestion_in_state("draft", cast=cast)
    response = api(cast.alice).patch(
        f"/api/v1/suggestions/{suggestion.pk}/",
        {"status": "closed", "title": "关于南冲电排站改造的建议"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    suggestion.refresh_from_db()
    assert suggestion.status == "draft" and suggestion.title == "关于南冲电排站改造的建议"
    assert not Event.objects.filter(suggestion=suggestion).exclude(to_status__in=["", "draft"]).exists()


def test_update_only_in_draft(cast, api):
    suggestion = suggestion_in_state("submitted", cast=cast)
    response = api(cast.alice).patch(f"/api/v1/suggestions/{suggestion.pk}/", {"title": "改标题"}, format="json")
    assert response.status_code == 409
    assert (
        api(cast.sam).patch(f"/api/v1/suggestions/{suggestion.pk}/", {"title": "改标题"}, format="json").status_code
        == 403
    )
    assert (
        api(cast.carol).patch(f"/api/v1/suggestions/{suggestion.pk}/", {"title": "改标题"}, format="json").status_code
        == 404
    )
    suggestion.refresh_from_db()
    assert suggestion.title != "改标题"
