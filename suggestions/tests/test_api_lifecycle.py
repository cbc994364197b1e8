"""One suggestion through every state of SPEC section 3, over the HTTP API only."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from conftest import PASSWORD

from .clock import WORKING_DAY_MORNING, pinned_clock

pytestmark = pytest.mark.django_db

# Every test runs at 10:00 Beijing time on a working day, whatever the real clock says.
_clock = pinned_clock(WORKING_DAY_MORNING)


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def post(client, url, data=None, expect=200):
    response = client.post(url, data or {}, format="json")
    assert response.status_code == expect, (url, response.status_code, response.content)
    return response.json()


def test_suggestion_travels_its_whole_life(
    alice, bob, henry, hannah, ivan, iris, sam, water, finance, session_2026, category
):
    deputy, cosigner, staff = login("alice"), login("bob"), login("sam")
    handler, head, co_handler = login("henry"), login("hannah"), login("ivan")

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        created = post(
            deputy,
            "/api/v1/suggestions/",
            {
                "title": "关于尽快建设南冲电排站的建议",
                "body": "礼乐农户长期受水浸困扰……建议尽快立项建设电排站。",
                "session": session_2026.pk,
                "category": category.pk,
                "co_signers": [bob.pk],
            },
            expect=201,
        )
        sid = created["id"]
        assert created["status"] == "draft" and created["co_signers"] == [bob.pk]
        post(deputy, f"/api/v1/suggestions/{sid}/submit/", expect=409)  # co-signer has not answered
        post(cosigner, f"/api/v1/suggestions/{sid}/cosign/", {"accept": True})
        assert post(deputy, f"/api/v1/suggestions/{sid}/submit/")["status"] == "submitted"
        accepted = post(staff, f"/api/v1/suggestions/{sid}/accept/")
        assert accepted["status"] == "registered" and accepted["number"] == 1
        assert accepted["display_number"] == "十六届四次第0001号"
        assigned = post(
            staff,
            f"/api/v1/suggestions/{sid}/assign/",
            {"lead_units": [water.pk], "co_units": [finance.pk], "complex": False},
        )
        assert assigned["status"] == "assigned"
        lead = next(a for a in assigned["assignments"] if a["role"] == "lead")
        co = next(a for a in assigned["assignments"] if a["role"] == "co")
        # 2 March + 3 months = 2 June 2026, a Tuesday.
        assert lead["due_date"] == "2026-06-02"

    with time_machine.travel(dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC), tick=False):
        post(handler, f"/api/v1/assignments/{lead['id']}/sign/")
        post(co_handler, f"/api/v1/assignments/{co['id']}/sign/")
        assert deputy.get(f"/api/v1/suggestions/{sid}/").json()["status"] == "handling"
        post(
            handler,
            f"/api/v1/assignments/{lead['id']}/contacts/",
            {
                "phase": "before",
                "method": "site_visit",
                "met_by": "head",
                "contacted_at": "2026-03-03",
                "summary": "现场查看",
            },
            expect=201,
        )
        post(co_handler, f"/api/v1/assignments/{co['id']}/opinion/", {"body": "财政局将安排配套资金。"}, expect=201)
        post(
            handler,
            f"/api/v1/assignments/{lead['id']}/reply/",
            {"body": "已列入计划。", "result_class": "A", "adoption": "adopted", "public": True},
            expect=201,
        )
        assert deputy.get(f"/api/v1/suggestions/{sid}/").json()["status"] == "handling"
        post(handler, f"/api/v1/assignments/{lead['id']}/approve-reply/", expect=403)  # a handler cannot sign off
        post(head, f"/api/v1/assignments/{lead['id']}/approve-reply/")
        assert deputy.get(f"/api/v1/suggestions/{sid}/").json()["status"] == "replied"

        rated = post(
            deputy,
            f"/api/v1/suggestions/{sid}/evaluate/",
            {"attitude": "satisfied", "result": "unsatisfied", "comment": "尚未动工"},
        )
        assert rated["status"] == "rehandling" and rated["round"] == 2

        post(
            handler,
            f"/api/v1/assignments/{lead['id']}/reply/",
            {
                "body": "已立项,年内动工。",
                "result_class": "B",
                "adoption": "adopted",
                "commitments": [{"description": "年底前动工", "target_date": "2026-12-31"}],
            },
            expect=201,
        )
        post(head, f"/api/v1/assignments/{lead['id']}/approve-reply/")
        rated = post(deputy, f"/api/v1/suggestions/{sid}/evaluate/", {"attitude": "satisfied", "result": "satisfied"})
        assert rated["status"] == "follow_up"

        replies = deputy.get(f"/api/v1/suggestions/{sid}/replies/").json()["results"]
        commitment = replies[-1]["commitments"][0]["id"]
        post(handler, f"/api/v1/commitments/{commitment}/fulfil/", {"note": "已动工"})
        assert deputy.get(f"/api/v1/suggestions/{sid}/").json()["status"] == "closed"

    timeline = deputy.get(f"/api/v1/suggestions/{sid}/timeline/?page_size=200").json()["results"]
    statuses = [e["to_status"] for e in timeline if e["to_status"]]
    assert statuses == [
        "draft", "submitted", "registered", "assigned", "handling", "replied", "rehandling", "replied",
        "follow_up", "closed",
    ]  # fmt: skip


def test_side_paths_reject_return_merge_withdraw(alice, bob, sam, session_2026):
    deputy, staff, cosigner = login("alice"), login("sam"), login("bob")

    def draft(title, co_signers=()):
        sid = post(
            deputy,
            "/api/v1/suggestions/",
            {"title": title, "body": "正文", "session": session_2026.pk, "co_signers": list(co_signers)},
            expect=201,
        )["id"]
        return sid

    first = draft("关于甲的建议")
    post(deputy, f"/api/v1/suggestions/{first}/submit/")
    assert post(staff, f"/api/v1/suggestions/{first}/return/", {"reason": "请补充"})["status"] == "draft"
    post(deputy, f"/api/v1/suggestions/{first}/submit/")
    rejected = post(staff, f"/api/v1/suggestions/{first}/reject/", {"reason": "不属于建议范围", "keep_as_letter": True})
    assert rejected["status"] == "not_accepted"

    target, merged = draft("关于乙的建议"), draft("关于乙的另一建议")
    for sid in (target, merged):
        post(deputy, f"/api/v1/suggestions/{sid}/submit/")
    post(staff, f"/api/v1/suggestions/{target}/accept/")
    assert post(staff, f"/api/v1/suggestions/{merged}/merge/", {"into": target})["status"] == "merged"

    joint = draft("关于丙的建议", [bob.pk])
    post(cosigner, f"/api/v1/suggestions/{joint}/cosign/", {"accept": True})
    post(deputy, f"/api/v1/suggestions/{joint}/submit/")
    post(deputy, f"/api/v1/suggestions/{joint}/withdraw/", expect=409)  # bob has not consented
    post(cosigner, f"/api/v1/suggestions/{joint}/consent-withdraw/")
    assert post(deputy, f"/api/v1/suggestions/{joint}/withdraw/")["status"] == "withdrawn"
