"""Supervision demo data (SPEC section 6), from the source article, driven through the real services.

Runs after the core demo's suggestions exist. Idempotent: everything here is created together, in
one transaction, only when the first key item's topic is not in the database yet.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from suggestions.demo import unit_account
from suggestions.models import Category, Suggestion

from . import committees, services
from .models import Committee, CommitteeKind, InspectionKind, KeyItemStatus, KeySuggestion, Verdict

ROAD_TOPIC = "礼睦路全路段扩宽工程"
SEWAGE_TOPIC = "镇村污水管网建设"


def _suggestion(title: str) -> Suggestion:
    return Suggestion.objects.get(title=title)


def load() -> None:
    if not KeySuggestion.objects.filter(topic=ROAD_TOPIC).exists():
        with transaction.atomic():
            _load()
    with transaction.atomic():
        _load_committees()


XINHUI_GROUP = "新会区代表农业农村专业小组"
URBAN_COMMITTEE = "城乡建设环境保护工作委员会"


def _load_committees() -> None:
    """SPEC section 12: 新会 has its deputies' professional groups follow their field's suggestions;
    the standing committee's 城建环保工委 is responsible for the road key item. Idempotent by name."""
    if Committee.objects.filter(name=XINHUI_GROUP).exists():
        return
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    staff = users["staff"]
    categories = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    committees.committee_save(
        actor=staff,
        name=XINHUI_GROUP,
        kind=CommitteeKind.DEPUTY_GROUP,
        members=[users["deputy2"], users["deputy3"]],
        categories=[categories["农业农村"]],
        description="新会区人大常委会组织代表按专业分组,跟踪督办本领域的代表建议。",
    )
    urban = Committee.objects.filter(name=URBAN_COMMITTEE).first()  # the key items' migration may have made it
    urban = committees.committee_save(
        actor=staff,
        committee=urban,
        name=URBAN_COMMITTEE,
        kind=CommitteeKind.WORKING,
        members=[users["supervisor"], staff],
        categories=[categories["城乡建设"]],
        description="常委会城建环保工委,负责城乡建设类重点建议的督办(一建议一工委)。",
    )
    road = KeySuggestion.objects.filter(topic=ROAD_TOPIC, status=KeyItemStatus.ACTIVE).first()
    if road is not None and road.committee_ref_id is None:
        services.key_item_update(key_item=road, actor=staff, committee_ref=urban)


def _load() -> None:
    today = timezone.localdate()
    year, month_start = today.year, today.replace(day=1)
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    staff, chair = users["staff"], users["supervisor"]
    deputies = [users["deputy"], users["deputy2"], users["deputy3"]]
    units = {u.code: u for u in Unit.objects.all()}

    # 重点督办: chosen by the chair's council in March; the demo's regime starts this month, as if
    # entered into the system now, so that its deadlines lie ahead rather than all overdue.
    road = services.key_item_create(
        actor=staff,
        year=year,
        topic=ROAD_TOPIC,
        suggestions=[_suggestion("关于扩宽礼睦路全路段工程的建议")],
        leaders=[chair],
        description="江海区各级代表多次提出的建议,常委会确定为重点建议,多年跟踪督办。",
        committee="城乡建设环境保护工作委员会",
        government_leader="分管副市长",
        council_meeting=f"{year}年第3次主任会议",
        council_date=dt.date(year, 3, 15),
        work_plan="一、明确征地拆迁责任单位和时间表;二、落实建设资金;三、分段施工,年底前完成主体工程。",
        milestones=[
            {"title": "完成征地拆迁", "target_date": today + dt.timedelta(days=30)},
            {"title": "主体工程完工", "target_date": today + dt.timedelta(days=120)},
        ],
        regime_starts_on=month_start,
    )
    sewage = services.key_item_create(
        actor=staff,
        year=year,
        topic=SEWAGE_TOPIC,
        suggestions=[_suggestion("关于完善镇村污水管网建设的建议")],
        leaders=[chair],
        description="区委书记、区长分别领办一件重点代表建议,起示范作用。",
        committee="农业与农村工作委员会",
        government_leader="市长(领办)",
        council_meeting=f"{year}年第3次主任会议",
        council_date=dt.date(year, 3, 15),
        work_plan="摸清镇村管网底数,分批次推进管网建设和雨污分流改造。",
        regime_starts_on=month_start,
    )

    # 一月一情况: the road's lead unit has written this month's report; the water bureau (the demo's
    # `handler`) still owes its report on the sewage item.
    services.monthly_report_submit(
        key_item=road,
        actor=users[unit_account("JTJ", "handler")],
        period=month_start,
        progress="征地拆迁已完成七成,施工单位已进场。",
        problems="部分路段管线迁改协调难度大。",
        next_steps="本月内完成剩余路段的征地拆迁。",
    )
    services.instruction_record(
        actor=chair, key_item=road, text="请交通运输局倒排工期,每月报告进度,确保年底前主体工程完工。"
    )

    # 一季一检查 on site, with a released report and a follow-up action the unit owes.
    site_visit = services.inspection_create(
        actor=staff,
        kind=InspectionKind.SITE_VISIT,
        held_on=today,
        key_item=road,
        participants=[chair, staff, deputies[0]],
        findings="现场查看施工进度,代表反映夜间施工噪音扰民。",
        report="礼睦路扩宽工程总体按计划推进;请承办单位合理安排施工时间,减少对周边居民的影响。",
        follow_up_actions=[
            {
                "unit": units["JTJ"],
                "description": "调整夜间施工安排并向周边居民公告",
                "due_date": today + dt.timedelta(days=14),
            }
        ],
    )
    services.inspection_release_report(inspection=site_visit, actor=staff)
    # 暗访 of the sewage works: invisible to the water bureau until staff release its report.
    services.inspection_create(
        actor=staff,
        kind=InspectionKind.UNANNOUNCED,
        held_on=today,
        key_item=sewage,
        participants=[staff, deputies[2]],
        findings="部分村的污水管网建成后未接户,管网空置。",
        report="请承办单位核查管网接户情况,制定整改计划。",
    )

    # 回头看 of the 台城广海路口 suggestion with its deputy (who then raised the 美化绿化 one).
    services.inspection_create(
        actor=staff,
        kind=InspectionKind.LOOK_BACK,
        held_on=today,
        suggestion=_suggestion("关于尽快对台城广海路口至温泉路段进行整修的建议"),
        participants=[staff, deputies[1]],
        findings="路面整修已完成,代表建议对路口至武装部仓库路段进一步美化绿化。",
    )
    # 二次验收 of the drainage station, raised ten years running and finally built.
    services.inspection_create(
        actor=staff,
        kind=InspectionKind.SECOND_ACCEPTANCE,
        held_on=today,
        suggestion=_suggestion("关于尽快建设南冲电排站的建议"),
        participants=[chair, staff, deputies[0]],
        findings="南冲电排站已建成投入使用,排涝能力达到设计要求。",
        verdict=Verdict.PASS,
    )

    # 三个面对面: the industry bureau meets the deputy about idle factory buildings.
    services.inspection_create(
        actor=staff,
        kind=InspectionKind.FACE_TO_FACE,
        held_on=today,
        suggestion=_suggestion("关于出台鼓励利用和盘活闲置厂房优惠政策的建议"),
        participants=[staff, deputies[1]],
        answers="市工业和信息化局介绍了盘活闲置厂房的扶持政策和下一步工作安排。",
        renewed_opinions="代表建议政策出台后加强宣传,让企业知晓。",
    )

    # A leader supervising a suggestion the deputy was not satisfied with, with a 批示.
    low_income = _suggestion("关于农村低保脱保处理的建议")
    services.supervisor_attach(suggestion=low_income, user=chair, actor=staff)
    services.instruction_record(
        actor=chair, suggestion=low_income, text="请民政局认真研究代表意见,重新办理,并当面向代表反馈。"
    )

    # 督办周, in May and June as Kaiping holds it every year.
    services.campaign_save(
        actor=staff,
        name=f"{year}年代表建议重点督办活动",
        starts_on=dt.date(year, 5, 11),
        ends_on=dt.date(year, 6, 12),
        key_items=[road, sewage],
        outcome="常委会主任领衔督办,副主任分别带队,采取现场查看、代表座谈等方式督查。",
    )
