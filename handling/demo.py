"""Demo data for consultations, handling plans and delivery (run after the suggestions' demo).

Idempotent: each step looks for what it would create first.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from suggestions import services as core
from suggestions.demo import Demo
from suggestions.models import AssignmentRole, Commitment, Suggestion, SuggestionStatus

from . import services
from .models import Consultation, HandlingPlan


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _lead(suggestion: Suggestion):
    return suggestion.assignments.live().get(role=AssignmentRole.LEAD)


@transaction.atomic
def load() -> None:
    today = timezone.localdate()
    deputy = _user("deputy")
    demo = Demo()
    demo.master_data()

    # 提办对接: before submitting, the deputy asks the water bureau, which answers.
    draft = demo.suggestion("关于在礼乐街道增设排涝泵站的建议", to=SuggestionStatus.DRAFT, category="农业农村")
    water_handler = _user("handler")
    if not Consultation.objects.filter(suggestion=draft).exists():
        consultation = services.consultation_request(
            suggestion=draft,
            actor=deputy,
            unit=water_handler.unit,
            question="英南片区的排涝泵站是否已列入市水利规划?建议应向哪个部门提出?",
        )
        services.consultation_answer(
            consultation=consultation,
            actor=water_handler,
            answer="该片区排涝工程已列入“十五五”水利规划储备项目,建议由水利局主办、财政局会办;可补充具体选址和受益范围。",
        )

    # 办理方案: the transport bureau's plan for 礼睦路, one milestone met and one overdue.
    road = Suggestion.objects.filter(title="关于扩宽礼睦路全路段工程的建议", status=SuggestionStatus.HANDLING).first()
    if road is not None and not HandlingPlan.objects.filter(assignment__suggestion=road).exists():
        lead = _lead(road)
        handler = User.objects.filter(unit=lead.unit, role="unit_handler").first()
        if handler is not None:
            plan = services.plan_record(
                assignment=lead,
                actor=handler,
                summary="收件后召开专题会议研究,分勘测设计、资金筹措、施工三步推进礼睦路拓宽。",
                meeting_on=today - dt.timedelta(days=30),
                meeting_notes="局长主持,规划、建设、财务科室参加,明确分工。",
                steps=[
                    services.StepInput("完成全路段勘测和初步设计", "陈科长", today - dt.timedelta(days=12), "规划科"),
                    services.StepInput("落实建设资金并报批", "林科长", today - dt.timedelta(days=2), "财务科"),
                    services.StepInput("启动施工招标", "黄科长", today + dt.timedelta(days=60), "建设科"),
                ],
            )
            services.plan_step_complete(step=plan.steps.order_by("milestone_on")[0], actor=handler, note="初设已批复")

    # 落实: the 台城广海路口 commitment reported done but found not delivered (back under follow-up).
    road_b = Suggestion.objects.filter(title="关于尽快对台城广海路口至温泉路段进行整修的建议").first()
    if road_b is not None:
        commitment = Commitment.objects.filter(reply__assignment__suggestion=road_b).first()
        if commitment is not None and commitment.delivery == "":
            lead = commitment.reply.assignment
            handler = User.objects.filter(unit=lead.unit, role="unit_handler").first()
            if commitment.fulfilled_at is None and handler is not None and road_b.status == SuggestionStatus.FOLLOW_UP:
                core.commitment_fulfil(commitment=commitment, actor=handler, note="已完成路面修补。")
            commitment.refresh_from_db()
            if commitment.fulfilled_at is not None:
                core.commitment_confirm_delivery(
                    commitment=commitment,
                    actor=road_b.lead_deputy,
                    delivered=False,
                    note="现场查看:只修补了坑洼,路口渠化和排水未整治。",
                )

    # ... and one confirmed delivered: a class B reply on old residential compounds, reported done.
    compounds = demo.suggestion(
        "关于加快推进老旧小区改造的建议", deputy="deputy3", to=SuggestionStatus.FOLLOW_UP, lead="ZJJ", result_class="B"
    )
    commitment = Commitment.objects.filter(reply__assignment__suggestion=compounds).first()
    if commitment is not None and commitment.delivery == "":
        lead = commitment.reply.assignment
        handler = User.objects.filter(unit=lead.unit, role="unit_handler").first()
        if commitment.fulfilled_at is None and handler is not None:
            core.commitment_fulfil(commitment=commitment, actor=handler, note="年度改造计划已完成。")
        core.commitment_confirm_delivery(
            commitment=commitment, actor=compounds.lead_deputy, delivered=True, note="小区改造已完工,居民满意。"
        )
