"""Beyond the main pages: every supervision, dashboard and notification page, on the demo data, in
both languages. The same checker as `test_translations.py`; user data here is every free-text
value stored in the database (choices are interface text and stay in the check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from accounts.models import User
from suggestions.models import Assignment, AssignmentRole, CongressSession, Suggestion
from supervision.models import Campaign, Committee, Inspection, KeySuggestion

from .test_translations import wrong_language_words
from .web_helpers import client_for

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "accounts",
    "suggestions",
    "handling",
    "textanalysis",
    "supervision",
    "deputies",
    "notifications",
    "dashboards",
    "audit",
)


def stored_text() -> list[str]:
    """Every value of every free-text field of our models (names, titles, bodies, messages…)."""
    values: list[str] = []
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField) and not f.choices
            ]
            if fields:
                for row in model.objects.values_list(*fields):
                    values += [str(v) for v in row if v]
    values += [s.display_number for s in Suggestion.objects.select_related("session")]
    values += [u.display_name for u in User.objects.all()]
    values += [s.label for s in CongressSession.objects.all()]
    lines = {line.strip() for value in values for line in value.splitlines() if line.strip()}
    return sorted(lines, key=len, reverse=True)


def demo_pages() -> list[tuple[str, str]]:
    item = KeySuggestion.objects.order_by("pk").first()
    inspection = Inspection.objects.order_by("pk").first()
    lead = Assignment.objects.filter(role=AssignmentRole.LEAD).order_by("pk").first()
    supervised = item.suggestions.order_by("pk").first()
    head = User.objects.get(username="head")
    year = supervised.session.year
    committee = Committee.objects.order_by("pk").first()
    campaign = Campaign.objects.order_by("pk").first()
    deputy = User.objects.get(username="deputy2")
    staff = [
        reverse("supervision:board"),
        reverse("supervision:key_item", args=[item.pk]),
        reverse("supervision:key_item_new"),
        reverse("supervision:inspections"),
        reverse("supervision:inspection", args=[inspection.pk]),
        reverse("supervision:inspection_new") + f"?key_item={item.pk}",
        reverse("supervision:inspection_new") + f"?suggestion={supervised.pk}&kind=look_back",
        reverse("supervision:campaigns"),
        reverse("supervision:campaign_new"),
        reverse("supervision:suggestion", args=[supervised.pk]),
        reverse("dashboards:overview") + f"?year={year}",
        reverse("dashboards:units") + f"?year={year}",
        reverse("dashboards:unit", args=[head.unit_id]) + f"?year={year}",
        reverse("dashboards:categories") + f"?year={year}",
        reverse("dashboards:key_items") + f"?year={year}",
        reverse("dashboards:drill") + f"?metric=replied&year={year}",
        reverse("dashboards:assessment") + f"?year={year}",
        reverse("dashboards:report") + f"?year={year}",
        reverse("dashboards:settings"),
        reverse("dashboards:snapshots"),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("notifications:deliveries"),
        reverse("notifications:urge", args=[lead.pk]),
        # Issue 15: committees, records of duty, key item and campaign editing, the published report.
        reverse("supervision:committees"),
        reverse("supervision:committee", args=[committee.pk]),
        reverse("supervision:committee_new"),
        reverse("supervision:key_item_edit", args=[item.pk]),
        reverse("supervision:campaign_edit", args=[campaign.pk]),
        reverse("deputies:index"),
        reverse("deputies:record", args=[deputy.pk]) + f"?year={year}",
        reverse("dashboards:publish_report"),
        reverse("suggestion_detail", args=[supervised.pk]),
        # The demo's published report (with its delivery rates) and what a delivery rate counted.
        reverse("public_reports"),
        reverse("public_report", args=[year]),
        reverse("dashboards:drill") + f"?metric=delivered&dim=unit&key={head.unit_id}&year={year}",
    ]
    return [
        *[("staff", path) for path in staff],
        ("supervisor", reverse("supervision:board")),
        ("supervisor", reverse("dashboards:overview") + f"?year={year}"),
        ("supervisor", reverse("notifications:list")),
        ("handler", reverse("supervision:unit")),
        ("handler", reverse("notifications:list")),
        ("handler", reverse("notifications:preferences")),
        ("deputy", reverse("supervision:mine")),
        ("deputy2", reverse("supervision:committees")),
        ("deputy2", reverse("supervision:committee", args=[committee.pk])),
        ("deputy2", reverse("deputies:record", args=[deputy.pk]) + f"?year={year}"),
        ("deputy", reverse("notifications:list")),
        # The demo's delegation leader reads a deputy of the delegation.
        ("leader", reverse("deputies:record", args=[User.objects.get(username="deputy").pk]) + f"?year={year}"),
    ]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_supervision_dashboard_and_notification_pages_are_translated(demo, language):
    data = stored_text()
    problems = []
    pages = demo_pages()
    for username, path in pages:
        response = client_for(User.objects.get(username=username), language).get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        found = wrong_language_words(response.content.decode(), data, language)
        if found:
            problems.append(f"{username} {path}: {found[:20]}")
    assert len(pages) > 30
    assert not problems, "\n".join(problems)


def test_every_glossed_string_has_its_english_wording():
    """A source string like "Site visit (现场查看)" reads "Site visit" on English pages, including
    the ones no test renders (admin, exports): the English catalogue must cover all of them."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "english_glosses.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
