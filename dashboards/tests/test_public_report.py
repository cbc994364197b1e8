"""The annual handling report published on the public portal: staff publish a year's figures,
frozen at that moment; anyone reads them at /public/report/<year>/; an unpublished year is a 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dashboards import publication
from dashboards.models import PublishedReport
from suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_staff_publish_and_anyone_reads_the_frozen_figures(dataset, client, sam, water):
    assert Client().get(reverse("public_report", args=[2026])).status_code == 404
    client.force_login(sam)
    r = client.post(reverse("dashboards:publish_report_do"), {"year": "2026"})
    assert r.status_code == 302
    report = PublishedReport.objects.get(year=2026)
    assert report.published_by == sam and report.figures["totals"]["registered"] > 0
    anonymous = Client()
    page = anonymous.get(reverse("public_report", args=[2026]))
    assert page.status_code == 200
    html = page.content.decode()
    assert water.name in html
    registered = report.figures["totals"]["registered"]
    # Later records do not move the published figures.
    Suggestion.objects.filter(session__year=2026).delete()
    assert PublishedReport.objects.get(year=2026).figures["totals"]["registered"] == registered
    assert str(registered) in anonymous.get(reverse("public_report", args=[2026])).content.decode()
    assert "2026" in anonymous.get(reverse("public_reports")).content.decode()
    assert reverse("public_reports") in anonymous.get(reverse("public_list")).content.decode()


def test_only_staff_publish_or_withdraw(dataset, client, sam, victor, alice, henry):
    for user in (victor, alice, henry):
        client.force_login(user)
        assert client.post(reverse("dashboards:publish_report_do"), {"year": "2026"}).status_code == 403
        assert client.get(reverse("dashboards:publish_report")).status_code == 403
    assert not PublishedReport.objects.exists()
    assert Client().post(reverse("dashboards:publish_report_do"), {"year": "2026"}).status_code == 302  # to login
    assert not PublishedReport.objects.exists()
    publication.report_publish(actor=sam, year=2026)
    client.force_login(victor)
    client.post(reverse("dashboards:publish_report_do"), {"year": "2026", "action": "unpublish"})
    assert PublishedReport.objects.filter(year=2026).exists()
    client.force_login(sam)
    r = client.post(reverse("dashboards:publish_report_do"), {"year": "2026", "action": "unpublish"})
    assert r.status_code == 302 and not PublishedReport.objects.exists()
    assert Client().get(reverse("public_report", args=[2026])).status_code == 404
    r = client.post(reverse("dashboards:publish_report_do"), {"year": "2026", "action": "unpublish"})
    assert r.status_code == 404  # nothing left to withdraw


def test_bad_year_is_a_400_and_publishing_again_replaces(dataset, client, sam):
    client.force_login(sam)
    assert client.post(reverse("dashboards:publish_report_do"), {"year": "abc"}).status_code == 400
    assert client.post(reverse("dashboards:publish_report_do"), {"year": "1800"}).status_code == 400
    first = publication.report_publish(actor=sam, year=2026)
    second = publication.report_publish(actor=sam, year=2026)
    assert PublishedReport.objects.count() == 1 and second.published_at >= first.published_at
