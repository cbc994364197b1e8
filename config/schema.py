"""The OpenAPI schema documents every answer an operation can give, errors included, in one place.

drf-spectacular documents the success answer of each operation from its serializers; the error
answers follow from how the API works, so they are derived here rather than written on each of
the ~110 operations:

- 400 `{"field": ["message"], …}` or `{"detail": …}`: the operation reads a body or query parameters,
  or changes something (services refuse bad input with a 400 naming the field);
- 401: every operation that authenticates (a missing or wrong token);
- 403: every operation behind a permission (role) check, and every change (services check the role);
- 404: an id in the path, a page number past the end of a list, or a change that names other objects;
- 409: every change (an action the object's current state does not allow);
- 415: every operation that reads a body (a content type the view has no parser for);
- 429: every operation with a throttle;
- 414: every operation (a URL longer than the HTTP server's request-line limit; answered by the
  server in front of the app, gunicorn or the proxy, with no body of this API's making).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong, for a person to read"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        'Bad input: each offending field (or query parameter) maps to its messages, e.g. `{"year": ["…"]}`; '
        "nested bodies nest the same way; input that is not about one field is under `detail` or "
        "`non_field_errors`."
    ),
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "oneOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}],
    },
}
ERRORS = {
    "400": ("ValidationError", FIELD_ERRORS, "Bad input, named by field"),
    "401": ("Error", DETAIL, "Not signed in: no token, or an invalid one"),
    "403": ("Error", DETAIL, "Signed in, but this role may not do this"),
    "404": ("Error", DETAIL, "No such object, or one the caller may not see (or a page past the end)"),
    "409": ("Error", DETAIL, "The object's current state does not allow this"),
    "415": ("Error", DETAIL, "The request body is in a content type this operation does not read"),
    "429": ("Error", DETAIL, "Too many requests; retry after the number of seconds in Retry-After"),
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _authenticates(self) -> bool:
        return bool(self.view.get_authenticators())

    def _checks_permissions(self) -> bool:
        return any(not isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._get_paginator() is not None and self._is_list_view()

    def error_codes(self, operation: dict) -> list[str]:
        """The error statuses this operation can answer (see the module docstring)."""
        has_body = "requestBody" in operation
        changes = self.method in UNSAFE and self._checks_permissions()
        codes = []
        has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        if has_body or has_query or changes:
            codes.append("400")
        if self._authenticates():
            codes.append("401")
        if self._checks_permissions():
            codes.append("403")
        if "{" in self.path or self._is_paginated_list() or changes:
            codes.append("404")
        if changes:
            codes.append("409")
        if has_body:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        codes.append("414")
        return codes

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self.error_codes(operation):
            if code in responses:
                continue
            if code == "414":
                responses[code] = {"description": "URL too long (answered by the HTTP server, before the app)"}
                continue
            name, schema, description = ERRORS[code]
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            self.registry.register_on_missing(component)
            response = {"description": description, "content": {"application/json": {"schema": component.ref}}}
            if code == "429":
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
            responses[code] = response
        operation["responses"] = dict(sorted(responses.items()))
        return operation
