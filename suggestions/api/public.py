"""Open data (SPEC section 8): published suggestions and their public replies, read-only, for
anyone, throttled. Exactly what the public pages show: no deputies' contact details, no contact
log, evaluations, requests, timeline or attachments, and nothing confidential. `?format=csv`
downloads the same rows as CSV, `?format=json` as JSON."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle

from common.renderers import CSVRenderer

from .. import selectors
from ..filters import SearchLastMixin
from ..models import Reply, Suggestion
from .views import SuggestionFilter


class PublicRateThrottle(AnonRateThrottle):
    """Anonymous callers by address; the rate is the `public` entry of DEFAULT_THROTTLE_RATES."""

    scope = "public"

    def get_cache_key(self, request, view):
        # Signed-in callers are throttled too (the open data is the same for them), by user id.
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return super().get_cache_key(request, view)


class PublicUnitOut(serializers.Serializer):
    unit = serializers.CharField(source="unit.name")
    role = serializers.CharField()


class PublicReplyOut(serializers.ModelSerializer):
    suggestion = serializers.IntegerField(source="assignment.suggestion_id")
    unit = serializers.CharField(source="assignment.unit.name")
    role = serializers.CharField(source="assignment.role")

    class Meta:
        model = Reply
        fields = ["id", "suggestion", "unit", "role", "round", "result_class", "adoption", "released_at", "body"]


class PublicSuggestionOut(serializers.ModelSerializer):
    display_number = serializers.CharField()
    session = serializers.CharField(source="session.label")
    year = serializers.IntegerField(source="session.year")
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    lead_deputy = serializers.CharField(source="lead_deputy.display_name")
    co_signers = serializers.SerializerMethodField()
    units = PublicUnitOut(source="assignments", many=True)

    class Meta:
        model = Suggestion
        fields = [
            "id", "display_number", "title", "session", "year", "category", "lead_deputy", "co_signers", "units",
            "status", "body",
        ]  # fmt: skip

    def get_co_signers(self, obj) -> list[str]:
        return [c.deputy.display_name for c in obj.confirmed_cosigners]


class PublicSuggestionDetailOut(PublicSuggestionOut):
    replies = serializers.SerializerMethodField()

    class Meta(PublicSuggestionOut.Meta):
        fields = [*PublicSuggestionOut.Meta.fields, "replies"]

    def get_replies(self, obj) -> list[dict]:
        return list(PublicReplyOut(obj.public_replies, many=True).data)


class PublicSuggestionFilter(SearchLastMixin, django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="words in the title or body, or a number")
    year = django_filters.NumberFilter(field_name="session__year")

    class Meta:
        model = Suggestion
        fields = ["session", "category"]

    filter_search = SuggestionFilter.filter_search


RENDERERS = [JSONRenderer, CSVRenderer]


class OpenDataMixin:
    """CSV is for the data; an error (400, 404, 429) is always answered as JSON, as documented."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Published suggestions (open data; anonymous; ?format=csv for CSV)"),
    retrieve=extend_schema(
        summary="A published suggestion with its public replies", responses=PublicSuggestionDetailOut
    ),
)
class PublicSuggestionViewSet(OpenDataMixin, viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Suggestion.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = PublicSuggestionOut
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    renderer_classes = RENDERERS
    filterset_class = PublicSuggestionFilter

    def get_queryset(self):
        return selectors.open_data_suggestions(with_replies=self.action == "retrieve")

    def get_object(self):
        obj = super().get_object()
        obj.public_replies = [r for a in obj.assignments.all() for r in a.replies.all()]
        return obj

    def get_serializer_class(self):
        return PublicSuggestionDetailOut if self.action == "retrieve" else PublicSuggestionOut


@extend_schema_view(list=extend_schema(summary="Public replies of published suggestions (open data; ?format=csv)"))
class PublicReplyViewSet(OpenDataMixin, viewsets.GenericViewSet, mixins.ListModelMixin):
    queryset = Reply.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = PublicReplyOut
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    renderer_classes = RENDERERS
    filterset_fields = ["result_class", "adoption"]

    def get_queryset(self):
        return selectors.open_data_replies()
