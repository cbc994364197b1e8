"""The demo `make run` loads: the article's suggestions over every state, the supervision work of
SPEC section 6 around them, one account per role, and nothing added by loading it again."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, User
from suggestions.models import Suggestion, SuggestionStatus
from supervision.models import Inspection, InspectionKind, KeySuggestion

from .web_helpers import client_for

pytestmark = pytest.mark.django_db

ARTICLE_TITLES = [
    "关于尽快建设南冲电排站的建议",
    "关于扩宽礼睦路全路段工程的建议",
    "关于出台鼓励利用和盘活闲置厂房优惠政策的建议",
    "关于加大对市民进行电动车购买和驾驶等知识的宣传力度的建议",
    "关于农村低保脱保处理的建议",
    "关于尽快对台城广海路口至温泉路段进行整修的建议",
    "关于台城广海路口至武装部仓库路段美化绿化环境的建议",
]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("accounts", "suggestions", "supervision", "notifications")
        for model in apps.get_app_config(app).get_models()
    }


def test_demo_covers_every_state_and_role_and_loads_idempotently():
    call_command("load_demo", verbosity=0)
    first = row_counts()
    call_command("load_demo", verbosity=0)
    assert row_counts() == first

    states = set(Suggestion.objects.values_list("status", flat=True))
    assert states == set(SuggestionStatus.values)
    assert set(Suggestion.objects.filter(title__in=ARTICLE_TITLES).values_list("title", flat=True)) == set(
        ARTICLE_TITLES
    )
    roles = set(
        User.objects.filter(username__in=["deputy", "handler", "head", "staff", "supervisor"]).values_list(
            "role", flat=True
        )
    )
    assert roles == {Role.DEPUTY, Role.UNIT_HANDLER, Role.UNIT_HEAD, Role.STAFF, Role.SUPERVISOR}


def test_demo_supervision_work_and_what_the_unit_may_see_of_it():
    call_command("load_demo", verbosity=0)
    assert KeySuggestion.objects.count() == 2
    kinds = set(Inspection.objects.values_list("kind", flat=True))
    assert {
        InspectionKind.SITE_VISIT,
        InspectionKind.UNANNOUNCED,
        InspectionKind.LOOK_BACK,
        InspectionKind.SECOND_ACCEPTANCE,
        InspectionKind.FACE_TO_FACE,
    } <= kinds
    visit = Inspection.objects.get(kind=InspectionKind.UNANNOUNCED)
    assert visit.report_released_at is None

    staff, handler = User.objects.get(username="staff"), User.objects.get(username="handler")
    # The water bureau's 暗访 is on the staff's list and nowhere for the bureau itself.
    assert client_for(staff).get(reverse("supervision:inspection", args=[visit.pk])).status_code == 200
    assert client_for(handler).get(reverse("supervision:inspection", args=[visit.pk])).status_code == 404
    unit_page = client_for(handler).get(reverse("supervision:unit")).content.decode()
    sewage = KeySuggestion.objects.get(topic="镇村污水管网建设")
    assert reverse("supervision:monthly_report", args=[sewage.pk]) in unit_page  # the report it owes
    assert "管网空置" not in unit_page
