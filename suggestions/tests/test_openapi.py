"""The OpenAPI schema: valid, free of generator warnings, every operation documented; docs served locally."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import resolve
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate

CORE_SOURCES = ("suggestions/", "accounts/", "config/")


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    reset_generator_stats()
    GENERATOR_STATS.enable_trace_lineno()
    with django_db_blocker.unblock(), GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    reset_generator_stats()
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={})), problems


READS_BODY = re.compile(r"request\.(?:data|FILES|POST)|_input\(|data=request")


def handler_reads_a_body(path: str, method: str) -> bool:
    """Does the view method behind this operation read the request body? (from its source)"""
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    view_class = match.func.cls
    actions = getattr(match.func, "actions", None) or {}
    handler = getattr(view_class, actions.get(method, method))
    return bool(READS_BODY.search(inspect.getsource(handler)))


def operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def test_schema_is_valid_openapi(generated):
    schema, _ = generated
    validate(schema)  # raises on any violation of the OpenAPI 3 specification
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/suggestions/{id}/assign/" in schema["paths"]


def test_core_endpoints_cause_no_generator_warnings(generated):
    _, problems = generated
    core = [p for p in problems if any(src in p.split(": ")[0] for src in CORE_SOURCES) or "Enum" in p]
    assert core == []


def test_whole_schema_generates_without_warnings(generated):
    """`manage.py spectacular --validate --fail-on-warn` passes: no app's endpoint is undocumented."""
    _, problems = generated
    assert problems == []


def test_every_operation_documents_its_response_and_request(generated):
    schema, _ = generated
    missing, seen = [], 0
    for path, method, op in operations(schema):
        seen += 1
        where = f"{method.upper()} {path}"
        success = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not success:
            missing.append(f"{where}: no success response")
        for code, response in success.items():
            if code == "204" or method == "delete":
                continue
            content = response.get("content") or {}
            if not content or not all("schema" in media for media in content.values()):
                missing.append(f"{where}: {code} has no response body schema")
        if method in {"post", "put", "patch"}:
            if "requestBody" in op:
                if not all("schema" in media for media in op["requestBody"]["content"].values()):
                    missing.append(f"{where}: requestBody without a schema")
            elif handler_reads_a_body(path, method):
                missing.append(f"{where}: reads a body but documents no requestBody")
    assert seen > 40
    assert missing == []


def test_every_action_of_the_contract_is_in_the_schema(generated):
    schema, _ = generated
    paths = set(schema["paths"])
    for action in ("cosign", "submit", "accept", "reject", "return", "merge", "assign", "evaluate", "withdraw",
                   "consent-withdraw", "close", "timeline"):  # fmt: skip
        assert f"/api/v1/suggestions/{{id}}/{action}/" in paths, action
    for action in ("sign", "request-return", "approve-return", "refuse-return", "request-extension",
                   "approve-extension", "refuse-extension", "contacts", "reply", "approve-reply", "send-back",
                   "opinion"):  # fmt: skip
        assert f"/api/v1/assignments/{{id}}/{action}/" in paths, action
    assert {"/api/v1/deadlines/", "/api/v1/auth/token/", "/api/v1/me/", "/api/v1/units/", "/api/v1/users/"} <= paths
    assert "/api/v1/commitments/{id}/fulfil/" in paths and "/api/v1/contacts/{id}/dispute/" in paths


def test_no_input_schema_has_a_status_property(generated):
    schema, _ = generated
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") and name.removesuffix("Request").endswith(("In", "Serializer")):
            assert "status" not in component.get("properties", {}), name


@pytest.mark.django_db
def test_schema_endpoint_serves_it(client, sam):
    client.force_login(sam)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "paths" in json.loads(response.content)


@pytest.mark.django_db
def test_api_docs_load_their_assets_locally(client, sam):
    client.force_login(sam)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["']((?:https?:)?//[^"']+)["']""", html)
    assert urls, "the page references no assets at all?"
    for url in urls:
        assert not re.match(r"^(?:https?:)?//", url), f"external asset: {url}"
    assets = [u for u in urls if u.startswith("/static/")]
    assert any(u.endswith(".js") for u in assets) and any(u.endswith(".css") for u in assets), urls
    for url in assets:
        assert finders.find(url.removeprefix("/static/").split("?")[0]), f"missing static file {url}"


def test_the_api_root_lists_every_collection_and_each_one_answers(api, sam, db):
    """`GET /api/v1/` is a map of the API for a newcomer; every address on it is a live endpoint."""
    root = api().get("/api/v1/")
    assert root.status_code == 200
    body = root.json()
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
    endpoints = body["endpoints"]
    for name, path in {
        "suggestion": "/api/v1/suggestions/",
        "assignment": "/api/v1/assignments/",
        "notification": "/api/v1/notifications/",
        "key-item": "/api/v1/key-items/",
        "stats-units": "/api/v1/stats/units/",
        "api-token": "/api/v1/auth/token/",
    }.items():
        assert endpoints[name] == f"http://testserver{path}"
    staff = api(sam)
    # POST-only actions refuse a GET; the drill-down needs to be told which number to open.
    expected = {
        "api-token": 405, "notification-read-all": 405, "stats-drill": 400,
        "suggestion-similar": 405, "routing-suggest": 405,
    }  # fmt: skip
    for name, url in endpoints.items():
        answer = staff.get(url.removeprefix("http://testserver"))
        assert answer.status_code == expected.get(name, 200), (name, answer.status_code)


def test_every_operation_documents_the_errors_it_can_answer(generated):
    """Issue 12: the error statuses come from one place (config.schema.AutoSchema), by how the API works."""
    schema, _ = generated
    missing = []
    for path, method, op in operations(schema):
        codes = set(op["responses"])
        expected = {"401", "414"}
        if "{" in path:
            expected |= {"404"}
        if "requestBody" in op:
            expected |= {"400", "415"}
        if any(p["in"] == "query" for p in op.get("parameters", [])):
            expected |= {"400"}
        if method != "get" and path != "/api/v1/auth/token/":
            expected |= {"400", "403", "404", "409"}
        if not expected <= codes:
            missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
        for code, response in op["responses"].items():
            if code.startswith("4") and code != "414":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in {"Error", "ValidationError"}, (path, method, code)
    assert missing == []
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail"}


def test_a_throttled_operation_documents_429(monkeypatch, db):
    from rest_framework.throttling import SimpleRateThrottle

    from accounts.api.views import TokenView

    class FivePerMinute(SimpleRateThrottle):
        rate = "5/min"

        def get_cache_key(self, request, view):
            return "test"

    monkeypatch.setattr(TokenView, "throttle_classes", [FivePerMinute])
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in responses and "Retry-After" in responses["429"]["headers"]
    assert "429" not in schema["paths"]["/api/v1/me/"]["get"]["responses"]


def test_sub_lists_are_documented_as_paginated(generated):
    schema, _ = generated
    for path in ("/api/v1/suggestions/{id}/replies/", "/api/v1/suggestions/{id}/evaluations/",
                 "/api/v1/suggestions/{id}/attachments/", "/api/v1/assignments/{id}/contacts/",
                 "/api/v1/assignments/{id}/requests/"):  # fmt: skip
        ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[1].startswith("Paginated"), path
