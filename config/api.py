from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import URLPattern, URLResolver, reverse
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ActionError, ActionInvalid


def exception_handler(exc, context):
    """Map domain errors to the SPEC's answers: 400 field errors, 403, 404, 409 `{"detail"}`."""
    if isinstance(exc, ActionInvalid):
        body = dict(exc.errors) if exc.errors else {"detail": exc.message}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionError):
        return Response({"detail": exc.message}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or "Forbidden."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, RecursionError):
        # Input nested beyond reason, met by a parser other than common.api.SafeJSONParser.
        return Response({"detail": "Input nested too deeply."}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _collection_names(patterns) -> list[str]:
    """URL names under /api/v1/ that take no argument: the lists and the stand-alone endpoints."""
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            names += _collection_names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
            names.append(entry.name)
    return names


class ApiRootView(APIView):
    """Lists the endpoints that need no id, by name, with their absolute URLs. Public, like the docs."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        from config.urls import api_v1

        endpoints = {}
        for name in _collection_names(api_v1):
            if name.endswith("-root"):
                continue
            key = name.removesuffix("-list")
            endpoints.setdefault(key, request.build_absolute_uri(reverse(name)))
        return Response(
            {
                "endpoints": dict(sorted(endpoints.items())),
                "schema": request.build_absolute_uri(reverse("schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
            }
        )


# Answers for requests that never reach a view: under /api/ they are JSON like every other answer of
# the API (an id that is not a number, a path that does not exist, a body too large), elsewhere the
# site's pages.
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception, *args, **kwargs):
    if _is_api(request):
        return JsonResponse({"detail": str(ParseError.default_detail)}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception, *args, **kwargs)


def not_found(request, exception, *args, **kwargs):
    if _is_api(request):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    if _is_api(request):
        return JsonResponse({"detail": str(APIException.default_detail)}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request, *args, **kwargs)
