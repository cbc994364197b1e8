"""Open data (SPEC section 8): public/suggestions/ and public/replies/ answer anyone, read-only and
throttled, with exactly the public pages' fields, as JSON or CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from suggestions.models import Suggestion

from .test_public import published  # noqa: F401  (fixture)
from .web_helpers import make_suggestion  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
PRIVATE = ("13800000001", "JM-0042", "0750-3999999", "王科长", "电话沟通", "contact", "evaluation", "timeline")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the throttle counts in the cache; each test starts with a clean slate
    yield
    cache.clear()


def test_anyone_lists_and_searches_only_published_suggestions(published):  # noqa: F811
    body = APIClient().get("/api/v1/public/suggestions/").json()
    assert [row["id"] for row in body["results"]] == [published["shown"].pk]
    row = body["results"][0]
    assert set(row) == {
        "id", "display_number", "title", "session", "year", "category", "lead_deputy", "co_signers", "units",
        "status", "body",
    }  # fmt: skip
    text = str(body)
    for private in PRIVATE:
        assert private not in text, private
    assert APIClient().get("/api/v1/public/suggestions/?search=电排站").json()["count"] == 1
    assert APIClient().get("/api/v1/public/suggestions/?search=不存在").json()["count"] == 0


def test_detail_carries_the_public_replies_and_hidden_ones_are_404(published):  # noqa: F811
    shown = published["shown"]
    body = APIClient().get(f"/api/v1/public/suggestions/{shown.pk}/").json()
    assert [r["body"] for r in body["replies"]] == ["已列入年度计划。"]
    assert "contact_person" not in body["replies"][0] and "王科长" not in str(body)
    for hidden in ("confidential", "private_reply", "handling", "draft"):
        assert APIClient().get(f"/api/v1/public/suggestions/{published[hidden].pk}/").status_code == 404, hidden


def test_replies_endpoint_lists_only_public_released_replies_of_published_suggestions(published):  # noqa: F811
    body = APIClient().get("/api/v1/public/replies/").json()
    assert [r["suggestion"] for r in body["results"]] == [published["shown"].pk]
    assert "内部答复内容" not in str(body)


def test_read_only(published, api, sam):  # noqa: F811
    for method in ("post", "put", "patch", "delete"):
        r = getattr(APIClient(), method)(f"/api/v1/public/suggestions/{published['shown'].pk}/", {}, format="json")
        assert r.status_code in (403, 405), method
    assert APIClient().post("/api/v1/public/replies/", {}, format="json").status_code in (403, 405)


def test_csv_download_is_the_same_rows_with_formulas_neutralised(published):  # noqa: F811
    Suggestion.objects.filter(pk=published["shown"].pk).update(title='=HYPERLINK("http://x","点击")')
    r = APIClient().get("/api/v1/public/suggestions/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["id"] == str(published["shown"].pk)
    assert rows[0]["title"].startswith("'=HYPERLINK")
    replies = list(
        csv.DictReader(io.StringIO(APIClient().get("/api/v1/public/replies/?format=csv").content.decode("utf-8-sig")))
    )
    assert replies[0]["body"] == "已列入年度计划。"
    assert APIClient().get("/api/v1/public/suggestions/?format=json")["Content-Type"].startswith("application/json")


def test_anonymous_callers_are_throttled(published, settings):  # noqa: F811
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        from suggestions.api.public import PublicRateThrottle

        PublicRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        codes = [APIClient().get("/api/v1/public/suggestions/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
        PublicRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_list_runs_a_fixed_number_of_queries(published, make_suggestion, django_assert_num_queries):  # noqa: F811
    client = APIClient()
    with django_assert_num_queries(4):
        client.get("/api/v1/public/suggestions/")
    make_suggestion("replied", title="关于另一件的建议")
    with django_assert_num_queries(4):
        assert client.get("/api/v1/public/suggestions/").json()["count"] == 2
    with django_assert_num_queries(2):
        client.get("/api/v1/public/replies/")
