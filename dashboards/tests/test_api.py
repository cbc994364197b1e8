"""The statistics API: contract fields, access, bad input, settings, frozen snapshots."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dashboards.models import MetricSetting, Snapshot
from suggestions.models import Suggestion

from .test_metrics import WATER_2026, WATER_RATES

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/stats/units/"


def _by_unit(response):
    return {row["unit"]: row for row in response.json()["results"]}


def test_stats_units_has_the_contract_fields(dataset, api, sam):
    response = api(sam).get(UNITS, {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"] is None
    water = _by_unit(response)[dataset.water.pk]
    # SPEC section 9 names these; they never change.
    contract = {
        "unit": dataset.water.pk,
        "assigned": 7,
        "replied": 5,
        "replied_on_time": 4,
        "reply_rate": 0.8333,
        "on_time_rate": 0.8,
        "completion_rate": 0.4286,
        "satisfaction_rate": 0.75,
        "contact_rate": 0.8,
        "overdue": 2,
    }
    assert {k: water[k] for k in contract} == contract
    assert {k: water[k] for k in WATER_2026} == WATER_2026
    assert {k: water[k] for k in WATER_RATES} == WATER_RATES
    assert water["unit_name"] == "水务局"
    education = _by_unit(response)[dataset.education.pk]
    assert education["reply_rate"] is None and education["co_assigned"] == 1


def test_supervisor_may_read(dataset, api, victor):
    assert api(victor).get(UNITS, {"year": 2026}).status_code == 200


@pytest.mark.parametrize("who", ["alice", "henry", "hannah"])
def test_others_are_forbidden(dataset, api, who, request):
    user = request.getfixturevalue(who)
    for url in (UNITS, "/api/v1/stats/overview/", "/api/v1/stats/drill/?metric=replied", "/api/v1/stats/settings/"):
        assert api(user).get(url).status_code == 403, url


def test_anonymous_is_unauthenticated(db, api):
    assert api().get(UNITS).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"session": "999999"}, "session"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
    ],
)
def test_bad_period_is_a_400_naming_the_field(db, api, sam, params, field):
    response = api(sam).get(UNITS, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [("metric=nope", "metric"), ("metric=replied&dim=planet&key=1", "dim"), ("metric=replied&dim=unit&key=x", "key")],
)
def test_bad_drill_is_a_400_naming_the_field(db, api, sam, query, field):
    response = api(sam).get(f"/api/v1/stats/drill/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_drill_api_lists_the_counted_suggestions(dataset, api, sam):
    response = api(sam).get(
        "/api/v1/stats/drill/", {"metric": "overdue", "dim": "unit", "key": dataset.water.pk, "year": 2026}
    )
    assert response.status_code == 200
    assert {r["suggestion"] for r in response.json()["results"]} == {dataset.s[4].pk, dataset.s[5].pk}


def test_other_breakdowns(dataset, api, sam):
    client = api(sam)
    categories = {r["key"]: r for r in client.get("/api/v1/stats/categories/", {"year": 2026}).json()["results"]}
    assert categories[dataset.cat1.pk]["assigned"] == 4
    assert categories[None]["registered"] == 1
    sessions = client.get("/api/v1/stats/sessions/", {"year": 2026}).json()["results"]
    assert [s["key"] for s in sessions] == [dataset.session_2026.pk]
    years = {r["key"]: r for r in client.get("/api/v1/stats/years/").json()["results"]}
    assert years[2026]["registered"] == 9
    overview = client.get("/api/v1/stats/overview/", {"year": 2026}).json()
    assert overview["totals"]["registered"] == 9
    assert overview["as_of"] == "2026-09-01"
    ranking = client.get("/api/v1/stats/assessment/", {"year": 2026}).json()["results"]
    assert [(r["unit"], r["rank"], r["score"]) for r in ranking][:2] == [
        (dataset.finance.pk, 1, 80.0),
        (dataset.water.pk, 2, 70.1),
    ]
    assert client.get("/api/v1/stats/key-items/", {"year": 2026}).status_code == 200


def test_settings_change_flags_and_weights(dataset, api, sam, victor):
    url = "/api/v1/stats/settings/"
    assert api(victor).put(url, {"small_sample": 2}, format="json").status_code == 403
    bad = api(sam).put(
        url, {"metrics": {"reply_rate": {"weight": 10, "green_at": "0.5", "amber_at": "0.9"}}}, format="json"
    )
    assert bad.status_code == 400
    assert "reply_rate.amber_at" in bad.json()
    response = api(sam).put(
        url,
        {"small_sample": 2, "metrics": {"reply_rate": {"weight": 0, "green_at": "0.80", "amber_at": "0.70"}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert MetricSetting.objects.get(metric="reply_rate").green_at == Decimal("0.8")
    water = _by_unit(api(sam).get(UNITS, {"year": 2026}))[dataset.water.pk]
    assert water["flags"]["reply_rate"] == "green"  # 83.3% >= 80%
    assert water["small"]["satisfaction_rate"] is False  # 4 rated >= 2
    # Without the reply rate's weight: (20·.8 + 15·.4286 + 10·.5 + 20·.75 + 10·.8 + 5·.6) / 80 · 100
    # = 53.429 / 80 · 100 = 66.786 -> 66.79
    ranking = {r["unit"]: r for r in api(sam).get("/api/v1/stats/assessment/", {"year": 2026}).json()["results"]}
    assert ranking[dataset.water.pk]["score"] == 66.79


def test_frozen_figures_do_not_drift(dataset, api, sam, victor):
    assert api(victor).post("/api/v1/stats/snapshots/", {"year": 2026}, format="json").status_code == 403
    assert api(sam).post("/api/v1/stats/snapshots/", {}, format="json").status_code == 400
    response = api(sam).post("/api/v1/stats/snapshots/", {"year": 2026, "label": "年中"}, format="json")
    assert response.status_code == 201
    snap_id = response.json()["id"]
    frozen = {u["key"]: u for u in response.json()["data"]["units"]}
    assert frozen[dataset.water.pk]["closed"] == 3
    assert response.json()["definitions"]["rates"]["reply_rate"] == {"numerator": "replied", "denominator": "due"}

    Suggestion.objects.filter(pk=dataset.s[5].pk).update(status="closed")  # the records move on

    live = _by_unit(api(sam).get(UNITS, {"year": 2026}))[dataset.water.pk]
    assert live["closed"] == 4
    again = api(sam).get(f"/api/v1/stats/snapshots/{snap_id}/").json()
    assert {u["key"]: u for u in again["data"]["units"]}[dataset.water.pk]["closed"] == 3
    assert Snapshot.objects.get(pk=snap_id).config["metrics"]["reply_rate"]["weight"] == "20"
    listed = api(sam).get("/api/v1/stats/snapshots/").json()["results"]
    assert [s["id"] for s in listed] == [snap_id]


def test_session_snapshot(dataset, api, sam):
    response = api(sam).post("/api/v1/stats/snapshots/", {"session": dataset.session_2025.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["scope"] == "session"
    assert response.json()["data"]["totals"]["registered"] == 1


def test_schema_documents_the_stats_endpoints(db, api, sam):
    response = api(sam).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/stats/units/" in schema["paths"]
    get = schema["paths"]["/api/v1/stats/units/"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"year", "session", "date_from", "date_to", "page"}
    fields = schema["components"]["schemas"]["UnitStats"]["properties"]
    for name in ("unit", "assigned", "replied", "replied_on_time", "reply_rate", "on_time_rate", "completion_rate",
                 "satisfaction_rate", "contact_rate", "overdue"):  # fmt: skip
        assert name in fields


def test_the_schema_documents_the_delivery_figures(api, sam):
    schema = api(sam).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("UnitStats", "GroupStats", "Metrics"):
        properties = components[name]["properties"]
        assert {"delivery_confirmed", "delivered", "delivery_rate"} <= set(properties), name
        assert properties["delivery_rate"]["nullable"] is True
    assert "delivery_rate" in components["Assessment"]["properties"]
