"""Issue 15's pages in headless Chromium on the demo data: a deputies' professional group's page
as one of its deputies sees it, a handling plan with an overdue milestone on the suggestion page,
and a deputy's record of duty. No request leaves the server, axe-core finds no serious or
critical violation, and the README's screenshots of these pages come from here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from conftest import PASSWORD
from handling.services import StepInput, plan_record
from suggestions.demo import unit_account
from suggestions.models import Assignment, AssignmentRole, AssignmentStatus
from suggestions.tests.e2e import DESKTOP, PHONE, assert_accessible, assert_fits, screenshot, start_browser
from supervision.models import Committee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chrome(live_server):
    browser = start_browser(live_server.url)
    yield browser
    browser.close()


def test_committee_plan_and_record_pages(chrome):
    call_command("load_demo", verbosity=0)
    lead = (
        Assignment.objects.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.ACCEPTED)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    assert lead is not None
    handler = User.objects.get(username=unit_account(lead.unit.code, "handler"))
    for user in User.objects.filter(username__in=["staff", "deputy2", handler.username]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    today = timezone.localdate()
    plan_record(
        assignment=lead, actor=handler, summary="成立专班,分三步推进:摸底、设计、施工。",
        steps=[
            StepInput("现场摸底,形成问题清单", "王科长", today - dt.timedelta(days=3), "规划科"),
            StepInput("完成改造设计方案", "李工", today + dt.timedelta(days=20), "建设科"),
            StepInput("组织施工并向代表反馈", "张副局长", today + dt.timedelta(days=60), "局领导"),
        ],
        meeting_on=today - dt.timedelta(days=5), meeting_notes="收件后召开专题会议,明确分管领导和责任科室。",
    )  # fmt: skip

    group = Committee.objects.get(name="新会区代表农业农村专业小组")
    deputy = chrome.page_for("deputy2", viewport=DESKTOP)
    chrome.goto(deputy, f"/supervision/committees/{group.pk}/")
    assert group.name in deputy.content()
    assert_accessible(deputy, "committee page")
    screenshot(deputy, "committee-deputy-group")

    chrome.goto(deputy, f"/deputies/{User.objects.get(username='deputy2').pk}/record/")
    assert deputy.locator("[data-record-summary]").count() == 1
    assert_accessible(deputy, "record of duty")
    screenshot(deputy, "deputy-record")

    unit = chrome.page_for(handler.username, viewport=DESKTOP)
    chrome.goto(unit, f"/suggestions/{lead.suggestion_id}/")
    assert "成立专班" in unit.content()
    assert_accessible(unit, "suggestion page with a handling plan")
    screenshot(unit, "handling-plan")

    phone = chrome.page_for("staff", viewport=PHONE)
    chrome.goto(phone, f"/deputies/{User.objects.get(username='deputy2').pk}/record/")
    assert_fits(phone, PHONE["width"], "record of duty on a phone")
    assert chrome.outside_requests == []
