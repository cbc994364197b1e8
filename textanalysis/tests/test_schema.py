"""The text endpoints are in the OpenAPI schema with their request and response shapes."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


def test_text_endpoints_are_documented(schema):
    validate(schema)
    paths = schema["paths"]
    for path in ("/api/v1/suggestions/similar/", "/api/v1/routing/suggest/", "/api/v1/assignments/{id}/reply-check/"):
        assert "post" in paths[path], path
        assert paths[path]["post"]["requestBody"], path
    routing = paths["/api/v1/routing/suggest/"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert routing["$ref"].endswith("/RoutingOut")
    assert "duties" in schema["components"]["schemas"]["Unit"]["properties"]
    assert "highlight" in schema["components"]["schemas"]["SuggestionOut"]["properties"]


def test_the_search_field_still_lists_suggestions_not_a_suggestion_called_similar(client):
    # /suggestions/similar/ is matched before /suggestions/{id}/ would take it as an id.
    from django.urls import resolve

    assert resolve("/api/v1/suggestions/similar/").url_name == "suggestion-similar"
