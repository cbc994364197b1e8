"""Dashboard pages: access, drill-down from the units table, exports read back, settings, snapshots."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dashboards import metrics as m
from dashboards.models import DashboardConfig, Snapshot

pytestmark = pytest.mark.django_db

PAGES = [
    "/dashboards/",
    "/dashboards/units/",
    "/dashboards/categories/",
    "/dashboards/key-items/",
    "/dashboards/assessment/",
    "/dashboards/report/",
    "/dashboards/settings/",
    "/dashboards/snapshots/",
    "/dashboards/drill/?metric=replied",
]


@pytest.fixture
def staff_client(client, sam):
    client.force_login(sam)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_staff_and_supervisors_see_the_pages(dataset, client, sam, victor, url):
    for user in (sam, victor):
        client.force_login(user)
        response = client.get(url, {"year": 2026} if "?" not in url else None)
        assert response.status_code == 200, (user, url)


@pytest.mark.parametrize("url", PAGES)
def test_others_get_403_and_anonymous_the_login(db, client, alice, henry, url):
    for user in (alice, henry):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_metric_shows_its_formula(dataset, staff_client):
    html = staff_client.get("/dashboards/units/", {"year": 2026}).content.decode()
    for rate in m.RATES.values():
        assert str(rate.formula) in unescape(html) or str(rate.formula) in html
    # The water row's reply rate, red against the default 95% target.
    assert '<span class="rag rag-red">83.3%</span>' in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["落实率", "已落实 ÷ 已到期的承诺", "已落实的承诺"]),
        ("en", ["Delivery rate", "delivered ÷ commitments fallen due", "Commitments delivered"]),
    ],
)
def test_units_table_shows_the_delivery_rate_in_both_languages(dataset, staff_client, language, words):
    from django.conf import settings

    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = unescape(staff_client.get("/dashboards/units/", {"year": 2026}).content.decode())
    for word in words:
        assert word in html, word
    # Water's row: 3 delivered of 4 confirmed, drillable; 75% is amber against the default 90/75 targets.
    links = _drill_links(html)
    water = f"dim=unit&key={dataset.water.pk}"
    assert [n for href, n in links.items() if "metric=delivered&" in href and water in href] == ["3"]
    assert [n for href, n in links.items() if "metric=delivery_confirmed&" in href and water in href] == ["4"]
    assert '<span class="rag rag-amber">75.0%</span>' in html


def _drill_links(html: str) -> dict[str, str]:
    return {unescape(href): text for href, text in re.findall(r'<a href="(/dashboards/drill/\?[^"]+)">(\d+)</a>', html)}


def test_drill_down_from_the_units_table_lists_exactly_what_was_counted(dataset, staff_client):
    html = staff_client.get("/dashboards/units/", {"year": 2026}).content.decode()
    links = _drill_links(html)
    water_replied = next(
        href for href in links if "metric=replied&" in href and f"key={dataset.water.pk}" in href and "dim=unit" in href
    )
    assert links[water_replied] == "5"
    page = staff_client.get(water_replied).content.decode()
    listed = {int(x) for x in re.findall(r'<tr data-suggestion="(\d+)">', page)}
    assert listed == {dataset.s[i].pk for i in (1, 2, 3, 4, 7)}
    # And every number on the table: as many rows listed as the number says.
    for href, number in links.items():
        drilled = staff_client.get(href).content.decode()
        assert len(re.findall(r'<tr data-suggestion="\d+">', drilled)) == int(number), href


@pytest.mark.parametrize("built", [False, True], ids=["live", "figures"])
def test_a_long_drill_down_counts_from_the_figures_for_staff_and_caps_otherwise(
    dataset, staff_client, client, victor, monkeypatch, built
):
    """Past COUNT_LIMIT rows the drill-down reads no exact COUNT: staff get the number itself from the
    maintained figures (what they clicked), others "more than COUNT_LIMIT" with a next page while full."""
    from dashboards import figures, selectors, views

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    monkeypatch.setattr(views, "DRILL_PAGE", 2)
    if built:
        figures.build()
    html = staff_client.get("/dashboards/units/", {"year": 2026}).content.decode()
    links = {href: int(n) for href, n in _drill_links(html).items() if int(n) > 2}
    assert links
    for href, number in links.items():
        drilled = staff_client.get(href).content.decode()
        if built:
            assert f"计入 {number} 件。" in drilled, href  # "N items counted."
            assert f"1 / {(number + 1) // 2}" in drilled, href
        else:
            assert "计入超过 2 件。" in drilled, href  # "More than 2 items counted."
    registered = "/dashboards/drill/?metric=registered&year=2026"
    client.force_login(victor)  # a supervisor: his visible share is not a stored figure
    drilled = client.get(registered).content.decode()
    assert "计入超过 2 件。" in drilled
    assert "page=2" in drilled  # a full page has a next one


def test_units_table_sorts(dataset, staff_client):
    html = staff_client.get("/dashboards/units/", {"year": 2026, "sort": "assigned", "dir": "desc"}).content.decode()
    body = html[html.index("<tbody>") :]
    assert body.index("水务局") < body.index("财政局") < body.index("教育局")
    html = staff_client.get("/dashboards/units/", {"year": 2026, "sort": "on_time_rate"}).content.decode()
    body = html[html.index("<tbody>") :]
    assert body.index("财政局") < body.index("水务局") < body.index("教育局")  # 0% < 80% < none


def test_bad_period_shows_the_error_next_to_the_field(dataset, staff_client):
    response = staff_client.get("/dashboards/units/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_date_to"' in html and "is-invalid" in html


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def _sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_units_export_holds_the_api_numbers(dataset, staff_client, api, sam):
    api_rows = {r["unit_code"]: r for r in api(sam).get("/api/v1/stats/units/", {"year": 2026}).json()["results"]}
    wb = _xlsx(staff_client.get("/dashboards/units/", {"year": 2026, "format": "xlsx"}))
    header, rows = _sheet_rows(wb.worksheets[0])
    assert len(rows) == len(api_rows) == 3
    positions = {name: header.index(str(d.label)) for name, d in [*m.COUNTS.items(), *m.RATES.items()]}
    for row in rows:
        expected = api_rows[row[0]]
        for name in list(m.COUNTS) + list(m.RATES):
            assert row[positions[name]] == expected[name], (row[0], name)
    water = next(r for r in rows if r[0] == "SWJ")
    assert water[positions["reply_rate"]] == 0.8333


def test_category_and_assessment_exports(dataset, staff_client, api, sam):
    api_rows = {r["label"]: r for r in api(sam).get("/api/v1/stats/categories/", {"year": 2026}).json()["results"]}
    header, rows = _sheet_rows(_xlsx(staff_client.get("/dashboards/categories/?year=2026&format=xlsx")).worksheets[0])
    for row in rows:
        for name in m.COUNTS:
            assert row[header.index(str(m.COUNTS[name].label))] == api_rows[row[0]][name]
    ranking = api(sam).get("/api/v1/stats/assessment/", {"year": 2026}).json()["results"]
    header, rows = _sheet_rows(_xlsx(staff_client.get("/dashboards/assessment/?year=2026&format=xlsx")).worksheets[0])
    codes = {u.pk: u.code for u in (dataset.water, dataset.finance, dataset.education)}
    assert [(r[0], r[1], r[3]) for r in rows] == [(x["rank"], codes[x["unit"]], x["score"]) for x in ranking]


def test_handling_report_page_and_workbook(dataset, staff_client):
    html = staff_client.get("/dashboards/report/", {"year": 2026}).content.decode()
    assert "代表建议办理情况报告" in html or "Report on the handling" in html
    wb = _xlsx(staff_client.get("/dashboards/report/", {"year": 2026, "format": "xlsx"}))
    assert len(wb.sheetnames) == 4
    _header, overdue = _sheet_rows(wb.worksheets[2])
    assert sorted(r[4].date().isoformat() for r in overdue) == ["2026-08-01", "2026-08-15"]
    assert sorted(r[5] for r in overdue) == [17, 31]  # days overdue on 2026-09-01
    _header, satisfaction = _sheet_rows(wb.worksheets[3])
    # first round: S1 S9 satisfied, S2 basically, S3 S4 unsatisfied; final: S1 S3 S9, S2, S4
    assert [row[1:] for row in satisfaction] == [(2, 1, 2), (3, 1, 1)]
    _header, units = _sheet_rows(wb.worksheets[1])
    assert {r[0] for r in units} == {"SWJ", "CZJ", "JYJ"}


def test_report_page_shows_the_longest_overdue_and_the_export_all(dataset, staff_client, monkeypatch):
    from dashboards import views

    monkeypatch.setattr(views, "REPORT_OVERDUE_ROWS", 1)
    response = staff_client.get("/dashboards/report/", {"year": 2026})
    assert [d.due_date.isoformat() for d in response.context["overdue"]] == ["2026-08-01"]  # S5, the longest
    assert "1 longest overdue are shown of 2" in response.content.decode() or "逾期最久的 1 件（共 2 件）" in (
        response.content.decode()
    )
    _header, overdue = _sheet_rows(
        _xlsx(staff_client.get("/dashboards/report/", {"year": 2026, "format": "xlsx"})).worksheets[2]
    )
    assert len(overdue) == 2
    monkeypatch.setattr(views, "REPORT_OVERDUE_ROWS", 100)
    assert "逾期最久" not in staff_client.get("/dashboards/report/", {"year": 2026}).content.decode()


def test_unit_sheet_and_its_suggestion_list(dataset, staff_client):
    url = f"/dashboards/units/{dataset.water.pk}/"
    html = staff_client.get(url, {"year": 2026}).content.decode()
    assert "70.1" in html  # the assessment score
    wb = _xlsx(staff_client.get(url, {"year": 2026, "format": "xlsx"}))
    _header, rows = _sheet_rows(wb.worksheets[0])
    assert len(rows) == 7  # S1–S7; returned, withdrawn and merged ones are not the unit's
    assert staff_client.get("/dashboards/units/999999/").status_code == 404


def test_unit_sheet_shows_its_suggestions_a_page_at_a_time(dataset, staff_client, monkeypatch):
    from dashboards import views

    monkeypatch.setattr(views, "UNIT_SHEET_PAGE", 3)
    url = f"/dashboards/units/{dataset.water.pk}/"
    pages = [staff_client.get(url, {"year": 2026, "page": n}) for n in (1, 2, 3)]
    shown = [[a.suggestion_id for a in r.context["assignments"]] for r in pages]
    assert [len(ids) for ids in shown] == [3, 3, 1]  # S1–S7 over three pages
    assert sorted(i for ids in shown for i in ids) == sorted(dataset.s[i].pk for i in range(1, 8))
    assert "page=2" in pages[0].content.decode() and "year=2026" in pages[0].content.decode()
    # The export is not paged: every row in one workbook.
    _header, rows = _sheet_rows(_xlsx(staff_client.get(url, {"year": 2026, "format": "xlsx", "page": 2})).worksheets[0])
    assert len(rows) == 7


def test_settings_form(dataset, staff_client, client, victor):
    bad = {"small_sample": "-1"}
    response = staff_client.post("/dashboards/settings/", bad)
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    form = staff_client.get("/dashboards/settings/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["small_sample"] = 3
    data["reply_rate__amber_at"] = "99"  # above green (95): refused next to the field
    response = staff_client.post("/dashboards/settings/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["reply_rate__amber_at"]
    data["reply_rate__amber_at"] = "80"
    assert staff_client.post("/dashboards/settings/", data).status_code == 302
    assert DashboardConfig.objects.get(pk=1).small_sample == 3
    client.force_login(victor)
    assert client.post("/dashboards/settings/", data).status_code == 403


def test_freeze_from_the_page_and_see_frozen_beside_live(dataset, staff_client):
    response = staff_client.post("/dashboards/snapshots/", {"scope": "year", "year": "abc"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    response = staff_client.post("/dashboards/snapshots/", {"scope": "session", "session": dataset.session_2026.pk})
    assert response.status_code == 302
    snap = Snapshot.objects.get()
    html = staff_client.get(f"/dashboards/snapshots/{snap.pk}/").content.decode()
    assert 'class="frozen">83.3%</span> / <span class="live text-muted">83.3%' in html
    wb = _xlsx(staff_client.get(f"/dashboards/snapshots/{snap.pk}/?format=xlsx"))
    assert len(wb.sheetnames) == 2
