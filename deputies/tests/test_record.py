"""The deputy's record of duty (履职档案): its content, who may read it, the page and the workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import DeputyProfile
from handling.services import consultation_request
from supervision import committees
from supervision import services as supervision
from supervision.models import CommitteeKind, InspectionKind
from testing.factories import draft, suggestion_in_state

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def record_data(cast, alice, bob, water, sam):
    """alice led a suggestion (bob co-signed) that water answered with class A and alice rated;
    she consulted water on a draft, met the unit face to face; bob went on a site visit."""
    s = suggestion_in_state("closed", cast=cast, co_signers=[bob], co_unit=False, result_class="A")
    unsubmitted = draft(cast, title="草稿")
    consultation_request(suggestion=unsubmitted, actor=alice, unit=water, question="可行吗?")
    supervision.inspection_create(
        actor=sam, kind=InspectionKind.FACE_TO_FACE, held_on=dt.date(2026, 5, 20), suggestion=s,
        participants=[alice], answers="说明办理情况",
    )  # fmt: skip
    supervision.inspection_create(
        actor=sam, kind=InspectionKind.SITE_VISIT, held_on=dt.date(2026, 5, 21), suggestion=s,
        participants=[bob], findings="现场查看", report="督查报告",
    )  # fmt: skip
    committees.committee_save(
        actor=sam, name="城建专业小组", kind=CommitteeKind.DEPUTY_GROUP, members=[alice], categories=[cast.category]
    )
    return s


def test_record_holds_suggestions_with_outcomes_consultations_meetings_and_groups(record_data, alice, api):
    body = api(alice).get(f"/api/v1/deputies/{alice.pk}/record/?year=2026").json()
    assert [line["id"] for line in body["led"]] == [record_data.pk]  # the draft is not on the record
    assert body["led"][0]["reply_classes"] == ["A"] and body["led"][0]["rating"]["result"] == "satisfied"
    assert body["cosigned"] == []
    assert len(body["consultations"]) == 1 and body["consultations"][0]["unit_name"] == "水务局"
    assert [m["kind"] for m in body["meetings"]] == ["face_to_face"] and body["inspections"] == []
    assert [c["name"] for c in body["committees"]] == ["城建专业小组"]
    assert body["summary"]["led"] == 1 and body["summary"]["solved"] == 1 and body["summary"]["rated"] == 1
    # Another year is empty but for the standing membership.
    other = api(alice).get(f"/api/v1/deputies/{alice.pk}/record/?year=2025").json()
    assert other["led"] == [] and other["consultations"] == [] and other["meetings"] == []


def test_cosigner_record_and_term_selector(record_data, bob, api):
    body = api(bob).get(f"/api/v1/deputies/{bob.pk}/record/?term=16").json()
    assert body["years"] == [2026] and body["term"] == 16
    assert [line["id"] for line in body["cosigned"]] == [record_data.pk] and body["cosigned"][0]["rating"] is None
    assert [i["kind"] for i in body["inspections"]] == ["site_visit"]
    assert api(bob).get(f"/api/v1/deputies/{bob.pk}/record/?year=abc").status_code == 200  # falls back


def test_who_reads_a_record(record_data, alice, bob, carol, sam, victor, henry, api):
    url = f"/api/v1/deputies/{alice.pk}/record/"
    assert api().get(url).status_code in (401, 403)
    assert api(alice).get(url).status_code == 200 and api(sam).get(url).status_code == 200
    for user in (bob, carol, victor, henry):
        assert api(user).get(url).status_code == 404
    # carol leads the delegation alice and bob belong to; once bob moves, she no longer reads his.
    DeputyProfile.objects.filter(user=carol).update(is_delegation_leader=True)
    carol = type(carol).objects.get(pk=carol.pk)  # a request loads the user afresh, not the cached profile
    assert api(carol).get(url).status_code == 200
    DeputyProfile.objects.filter(user=bob).update(delegation="江海区代表团")
    assert api(carol).get(f"/api/v1/deputies/{bob.pk}/record/").status_code == 404
    assert api(sam).get(f"/api/v1/deputies/{henry.pk}/record/").status_code == 404  # not a deputy


def test_record_runs_a_fixed_number_of_queries(record_data, cast, alice, sam, api, django_assert_num_queries):
    client = api(alice)
    url = f"/api/v1/deputies/{alice.pk}/record/?year=2026"
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(3):
        s = suggestion_in_state("handling", cast=cast, title=f"更多{n}", co_unit=False)
        supervision.inspection_create(
            actor=sam, kind=InspectionKind.FORUM, held_on=dt.date(2026, 5, 1), suggestion=s, participants=[alice]
        )
    with django_assert_num_queries(11):
        assert len(client.get(url).json()["led"]) == 4


def test_record_pages_by_role_and_my_record(record_data, client, alice, bob, sam, victor):
    client.force_login(alice)
    r = client.get(reverse("deputies:mine"))
    assert r.status_code == 302 and r["Location"] == reverse("deputies:record", args=[alice.pk])
    page = client.get(r["Location"] + "?year=2026").content.decode()
    assert record_data.title in page and "水务局" in page
    assert client.get(reverse("deputies:record", args=[bob.pk])).status_code == 404
    assert client.get(reverse("deputies:index")).status_code == 403
    assert client.get(reverse("deputies:export")).status_code == 403
    client.force_login(victor)
    assert client.get(reverse("deputies:record", args=[alice.pk])).status_code == 404
    assert client.get(reverse("deputies:mine")).status_code == 404
    client.force_login(sam)
    assert alice.display_name in client.get(reverse("deputies:index")).content.decode()
    assert client.get(reverse("deputies:record", args=[alice.pk]) + "?term=16").status_code == 200


def test_everyone_record_workbook_for_staff_keeps_formulas_as_text(record_data, client, alice, bob, carol, sam):
    carol.full_name = '=HYPERLINK("http://x","y")'
    carol.save()
    client.force_login(sam)
    r = client.get(reverse("deputies:export") + "?year=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert [c.value for c in rows[alice.full_name][3:10]] == [1, 0, 1, 1, 1, 0, 1]
    assert rows[alice.full_name][10].value == "城建专业小组"
    assert [c.value for c in rows[bob.full_name][3:10]] == [0, 1, 0, 0, 0, 1, 0]
    formula = rows[carol.full_name][0]
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")


def test_records_workbook_runs_a_fixed_number_of_queries(record_data, django_assert_num_queries):
    from deputies.selectors import records_summary

    with django_assert_num_queries(6):
        rows = records_summary(2026)
    assert len(rows) == 3
