"""Locust: the session peak (issue 13). Run by `bench/peak.sh`, which starts the server and makes the people.

Deputies draft a suggestion, edit it, look at their own list and submit it, then come back now and then
to read it (and, half the time, their notifications). Staff accept (立案) and assign (交办) what is submitted; each staff member takes the
suggestions whose id falls to them (id modulo the number of staff), so two never race for one. Each unit
has a handler who signs (签收), logs a contact and drafts the reply, and a head who signs it off (签发).
Every answer other than 2xx counts as a failure: the run is expected to end with none.

People and tokens come from $PEAK_PEOPLE (written by `bench/peak.py setup`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task

with open(os.environ.get("PEAK_PEOPLE", "people.json"), encoding="utf-8") as f:
    PEOPLE = json.load(f)

API = "/api/v1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_deputies = iter(PEOPLE["deputies"])
_staff = itertools.count()
_handlers = iter(PEOPLE["handlers"])
_heads = iter(PEOPLE["heads"])

TITLES = [
    "关于加快建设排涝站的建议",
    "关于改善农村公路养护的建议",
    "关于增加社区医疗服务点的建议",
    "关于完善校车安全管理的建议",
]
BODY = "江门某片区每逢暴雨即内涝,群众出行困难。建议尽快立项建设,并明确责任单位和完成时限。" * 5


class ApiUser(HttpUser):
    abstract = True

    def authorize(self, token: str) -> None:
        self.client.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})

    def results(self, url: str, name: str) -> list[dict]:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return []
            return response.json().get("results", [])

    def post(self, url: str, name: str, data: dict | None = None, expect: int = 200) -> dict | None:
        with self.client.post(url, json=data or {}, name=name, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()


class Deputy(ApiUser):
    """Draft, edit, check the list, submit; then come back every two to five minutes to read it."""

    weight = 1

    def on_start(self) -> None:
        token = next(_deputies, None)
        if token is None:  # more deputies spawned than made: stand still
            self.stop()
            return
        self.authorize(token)
        self.suggestion: int | None = None
        self.step = 0

    def wait_time(self) -> float:
        return random.uniform(3, 10) if self.step < 3 else random.uniform(120, 300)

    @task
    def act(self) -> None:
        if self.step == 0:
            made = self.post(
                f"{API}/suggestions/",
                "POST /suggestions/ (draft)",
                {
                    "title": random.choice(TITLES),
                    "body": BODY,
                    "session": PEOPLE["session"],
                    "category": random.choice(PEOPLE["categories"]),
                    "suggested_unit": random.choice(PEOPLE["units"]),
                },
                expect=201,
            )
            if made:
                self.suggestion, self.step = made["id"], 1
        elif self.step == 1:
            edited = self.client.patch(
                f"{API}/suggestions/{self.suggestion}/",
                json={"body": BODY + "(补充:附近学校师生也受影响。)"},
                name="PATCH /suggestions/[id]/ (edit draft)",
            )
            if edited.ok:
                self.step = 2
        elif self.step == 2:
            self.results(f"{API}/suggestions/?mine=true", "GET /suggestions/?mine=true")
            if self.post(f"{API}/suggestions/{self.suggestion}/submit/", "POST /suggestions/[id]/submit/"):
                self.step = 3
        else:
            self.client.get(f"{API}/suggestions/{self.suggestion}/", name="GET /suggestions/[id]/")
            if random.random() < 0.5:
                self.client.get(f"{API}/notifications/", name="GET /notifications/")


class Staff(ApiUser):
    """Accept and assign the submitted suggestions that fall to this staff member."""

    fixed_count = len(PEOPLE["staff"])
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.index = next(_staff) % len(PEOPLE["staff"])
        self.authorize(PEOPLE["staff"][self.index])

    @task
    def work(self) -> None:
        n = len(PEOPLE["staff"])
        waiting = self.results(
            f"{API}/suggestions/?status=submitted&page_size=50", "GET /suggestions/?status=submitted"
        )
        for s in [s for s in waiting if s["id"] % n == self.index][:10]:
            if not self.post(f"{API}/suggestions/{s['id']}/accept/", "POST /suggestions/[id]/accept/"):
                continue
            unit = s.get("suggested_unit") or PEOPLE["units"][s["id"] % len(PEOPLE["units"])]
            self.post(f"{API}/suggestions/{s['id']}/assign/", "POST /suggestions/[id]/assign/", {"lead_units": [unit]})


class Handler(ApiUser):
    """Sign what arrived, then log a contact and draft the reply for what is signed."""

    fixed_count = len(PEOPLE["handlers"])
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.authorize(next(_handlers)["token"])

    @task
    def work(self) -> None:
        for a in self.results(f"{API}/assignments/?status=pending&page_size=50", "GET /assignments/?status=pending"):
            self.post(f"{API}/assignments/{a['id']}/sign/", "POST /assignments/[id]/sign/")
        for a in self.results(f"{API}/assignments/?status=accepted&page_size=20", "GET /assignments/?status=accepted"):
            contact = {
                "phase": "before",
                "method": "phone",
                "met_by": "staff",
                "contacted_at": dt.datetime.now(SHANGHAI).date().isoformat(),
                "summary": "电话联系代表,了解诉求。",
            }
            if self.post(f"{API}/assignments/{a['id']}/contacts/", "POST /assignments/[id]/contacts/", contact, 201):
                self.post(
                    f"{API}/assignments/{a['id']}/reply/",
                    "POST /assignments/[id]/reply/",
                    {"body": "已列入年度计划,年内实施。", "result_class": "A", "adoption": "adopted"},
                    201,
                )


class Head(ApiUser):
    """Sign off the drafted replies of the unit."""

    fixed_count = len(PEOPLE["heads"])
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.authorize(next(_heads)["token"])

    @task
    def work(self) -> None:
        waiting = self.results(
            f"{API}/assignments/?status=awaiting_signoff&page_size=50", "GET /assignments/?status=awaiting_signoff"
        )
        for a in waiting:
            self.post(f"{API}/assignments/{a['id']}/approve-reply/", "POST /assignments/[id]/approve-reply/")
