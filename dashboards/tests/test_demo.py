"""The demo publishes this year's handling report and has a delegation leader; a unit shows a delivery rate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from dashboards.models import PublishedReport

pytestmark = pytest.mark.django_db


def test_demo_report_leader_and_delivery_rates(client, api):
    call_command("load_demo", verbosity=0)
    year = timezone.localdate().year

    # 落实率 on the dashboards: 住建局 saw its commitment delivered, 交通运输局 its one found undelivered.
    staff = User.objects.get(username="staff")
    rows = {r["unit_code"]: r for r in api(staff).get("/api/v1/stats/units/", {"year": year}).json()["results"]}
    assert (rows["ZJJ"]["delivery_confirmed"], rows["ZJJ"]["delivered"], rows["ZJJ"]["delivery_rate"]) == (1, 1, 1.0)
    assert (rows["JTJ"]["delivery_confirmed"], rows["JTJ"]["delivery_rate"]) == (1, 0.0)

    # The published report, read anonymously on the public portal, with the delivery rate beside the others.
    report = PublishedReport.objects.get(year=year)
    assert report.figures["totals"]["delivery_rate"] == 0.5
    assert str(year) in client.get("/public/report/").content.decode()
    page = client.get(f"/public/report/{year}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "落实率" in html and "50.0%" in html

    # The delegation leader reads the records of their delegation's deputies, and no one else's.
    leader = User.objects.get(username="leader")
    assert leader.is_deputy and leader.deputy_profile.is_delegation_leader
    assert leader.check_password("jiangmen2020")
    client.force_login(leader)
    deputy, other = User.objects.get(username="deputy"), User.objects.get(username="deputy2")
    own = client.get(f"/deputies/{leader.pk}/record/").content.decode()
    assert f"/deputies/{deputy.pk}/record/" in own  # listed among the delegation's deputies
    assert client.get(f"/deputies/{deputy.pk}/record/").status_code == 200
    assert client.get(f"/deputies/{other.pk}/record/").status_code == 404  # 台山市代表团

    # Idempotent: loading again adds nothing and leaves the published figures as they were published.
    published_at, users = report.published_at, User.objects.count()
    call_command("load_demo", verbosity=0)
    assert PublishedReport.objects.get(year=year).published_at == published_at
    assert User.objects.count() == users
