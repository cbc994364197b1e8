"""Statistics API (`/api/v1/stats/...`): thin views over `selectors`, explicit output serializers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ActionInvalid
from suggestions.models import CongressSession

from .. import metrics as m
from .. import selectors, services
from ..forms import period_or_400
from ..models import METRIC_DEFAULTS, Snapshot


class DashboardAccess(BasePermission):
    """Staff, supervisors and superusers; everyone else 403 (anonymous 401)."""

    message = "Only deputy-affairs staff and supervisors may see the statistics."

    def has_permission(self, request, view) -> bool:
        return selectors.can_view_dashboards(request.user)


PERIOD_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Session year (default: the latest year with a session)"),
    OpenApiParameter("session", OpenApiTypes.INT, description="Congress session id"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="交办 date from (inclusive)"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="交办 date to (inclusive)"),
]


def _period(request: Request) -> m.Period:
    years = selectors.available_years()
    return period_or_400(request.query_params, years[0] if years else m.today().year)


def _rate_field() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text="Fraction from 0 to 1; null when the denominator is 0")


class MetricsSerializer(serializers.Serializer):
    """Every count and rate of SPEC section 7 (see `dashboards.metrics` for the definitions)."""

    assigned = serializers.IntegerField(help_text="Live lead assignments")
    due = serializers.IntegerField()
    replied = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    contacted = serializers.IntegerField()
    class_a = serializers.IntegerField()
    registered = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_unrated = serializers.IntegerField(
        help_text="Closed because the evaluation window passed with no rating (counted as neither rated nor satisfied)"
    )
    replied_rated = serializers.IntegerField(help_text="Replied, and rated by the lead deputy (round 1)")
    rated_first = serializers.IntegerField()
    satisfied_first = serializers.IntegerField()
    rated_final = serializers.IntegerField()
    satisfied_final = serializers.IntegerField()
    commitments_due = serializers.IntegerField(
        help_text="B/C commitments of the lead unit fallen due (target date come, or reported done): "
        "the delivery rate's denominator"
    )
    delivery_confirmed = serializers.IntegerField(
        help_text="B/C commitments fallen due whose delivery was confirmed (each once, by its latest confirmation)"
    )
    delivered = serializers.IntegerField(help_text="Confirmed commitments whose latest confirmation is delivered")
    rehandled = serializers.IntegerField()
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    reply_rate = _rate_field()
    on_time_rate = _rate_field()
    completion_rate = _rate_field()
    satisfaction_rate_first = _rate_field()
    satisfaction_rate = _rate_field()
    contact_rate = _rate_field()
    solved_rate = _rate_field()
    response_rate = _rate_field()
    delivery_rate = _rate_field()
    flags = serializers.DictField(child=serializers.CharField(allow_null=True), help_text="rate -> green/amber/red")
    small = serializers.DictField(child=serializers.BooleanField(), help_text="rate -> small sample")


class UnitStatsSerializer(MetricsSerializer):
    unit = serializers.IntegerField(source="key")
    unit_name = serializers.CharField(source="label")
    unit_code = serializers.CharField(source="code")
    co_assigned = serializers.IntegerField()


class GroupStatsSerializer(MetricsSerializer):
    key = serializers.IntegerField(allow_null=True, help_text="Id of the category / session / key item, or the year")
    label = serializers.CharField()


class TrendSerializer(serializers.Serializer):
    month = serializers.CharField()
    registered = serializers.IntegerField()
    replied = serializers.IntegerField()
    closed = serializers.IntegerField()


class OverviewSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    session = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    as_of = serializers.DateField()
    totals = MetricsSerializer()
    trend = TrendSerializer(many=True)


class AssessmentSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    unit = serializers.IntegerField(source="key")
    unit_name = serializers.CharField(source="label")
    score = serializers.FloatField(allow_null=True)
    reply_rate = _rate_field()
    on_time_rate = _rate_field()
    completion_rate = _rate_field()
    satisfaction_rate_first = _rate_field()
    satisfaction_rate = _rate_field()
    contact_rate = _rate_field()
    solved_rate = _rate_field()
    response_rate = _rate_field()
    delivery_rate = _rate_field()


class DrillSerializer(serializers.Serializer):
    suggestion = serializers.IntegerField(source="suggestion.pk")
    number = serializers.CharField(source="suggestion.display_number")
    title = serializers.CharField(source="suggestion.title")
    status = serializers.CharField(source="suggestion.status")
    unit = serializers.IntegerField(source="unit.pk", allow_null=True, default=None)
    due_date = serializers.DateField(allow_null=True)


class _StatsList(generics.ListAPIView):
    permission_classes = [DashboardAccess]
    filter_backends: list = []

    def rows(self, period: m.Period, settings: selectors.Settings) -> list[dict[str, Any]]:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        return self.rows(_period(self.request), selectors.dashboard_settings())


@extend_schema(parameters=PERIOD_PARAMETERS, responses=UnitStatsSerializer(many=True))
class UnitStatsView(_StatsList):
    """Per handling unit (SPEC section 9 `stats/units/`), ordered by unit code."""

    serializer_class = UnitStatsSerializer

    def rows(self, period, settings):
        return selectors.units_table(period, settings)


@extend_schema(parameters=PERIOD_PARAMETERS, responses=GroupStatsSerializer(many=True))
class CategoryStatsView(_StatsList):
    serializer_class = GroupStatsSerializer

    def rows(self, period, settings):
        return selectors.category_table(period, settings)


@extend_schema(parameters=PERIOD_PARAMETERS, responses=GroupStatsSerializer(many=True))
class SessionStatsView(_StatsList):
    serializer_class = GroupStatsSerializer

    def rows(self, period, settings):
        return selectors.session_table(period, settings)


@extend_schema(responses=GroupStatsSerializer(many=True))
class YearStatsView(_StatsList):
    serializer_class = GroupStatsSerializer

    def get_queryset(self):
        return selectors.year_table(selectors.dashboard_settings())


@extend_schema(parameters=PERIOD_PARAMETERS, responses=GroupStatsSerializer(many=True))
class KeyItemStatsView(_StatsList):
    serializer_class = GroupStatsSerializer

    def rows(self, period, settings):
        return selectors.key_item_table(period, settings) if selectors.key_items_available() else []


@extend_schema(parameters=PERIOD_PARAMETERS, responses=AssessmentSerializer(many=True))
class AssessmentView(_StatsList):
    """年度考核: the weighted score and rank of each unit."""

    serializer_class = AssessmentSerializer

    def rows(self, period, settings):
        return selectors.assessment(period, settings)


class OverviewView(APIView):
    permission_classes = [DashboardAccess]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OverviewSerializer)
    def get(self, request: Request) -> Response:
        period = _period(request)
        settings = selectors.dashboard_settings()
        data = {
            "year": period.year,
            "session": period.session_id,
            "date_from": period.date_from,
            "date_to": period.date_to,
            "as_of": period.as_of,
            "totals": selectors.totals(period, settings),
            "trend": selectors.monthly_trend(period),
        }
        return Response(OverviewSerializer(data).data)


@extend_schema(
    parameters=[
        *PERIOD_PARAMETERS,
        OpenApiParameter("metric", OpenApiTypes.STR, required=True, enum=list(m.COUNTS)),
        OpenApiParameter("dim", OpenApiTypes.STR, enum=list(m.DIMENSIONS)),
        OpenApiParameter("key", OpenApiTypes.STR, description="Id (or year) of the row; `none` for rows without one"),
    ],
    responses=DrillSerializer(many=True),
)
class DrillView(generics.ListAPIView):
    """The items counted in one number: the same rows the figure counted."""

    permission_classes = [DashboardAccess]
    filter_backends: list = []
    serializer_class = DrillSerializer

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        metric = params.get("metric", "")
        if metric not in m.COUNTS:
            raise ActionInvalid.field("metric", f"Choose one of: {', '.join(m.COUNTS)}.")
        dim = params.get("dim") or None
        if dim is not None and dim not in m.DIMENSIONS:
            raise ActionInvalid.field("dim", f"Choose one of: {', '.join(m.DIMENSIONS)}.")
        key: Any = None
        if dim is not None and params.get("key", "none") != "none":
            try:
                key = int(params["key"])
            except ValueError:
                raise ActionInvalid.field("key", "Enter an id or `none`.")
        qs, self.source = selectors.drill_queryset(metric, _period(self.request), dim, key, reader=self.request.user)
        return qs

    def get_serializer(self, *args, **kwargs):
        if args:
            args = ([selectors.drill_row(f, self.source) for f in args[0]], *args[1:])
        return super().get_serializer(*args, **kwargs)


class MetricSettingSerializer(serializers.Serializer):
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=1000)
    green_at = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    amber_at = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)


class SettingsSerializer(serializers.Serializer):
    small_sample = serializers.IntegerField(min_value=0, max_value=10000)
    metrics = serializers.DictField(child=MetricSettingSerializer())

    def validate_metrics(self, value):
        unknown = set(value) - set(METRIC_DEFAULTS)
        if unknown:
            raise serializers.ValidationError(f"Unknown metric: {', '.join(sorted(unknown))}")
        return value


def _settings_data(settings: selectors.Settings) -> dict[str, Any]:
    return {
        "small_sample": settings.small_sample,
        "metrics": {
            k: {"weight": settings.weights[k], "green_at": settings.green_at[k], "amber_at": settings.amber_at[k]}
            for k in settings.weights
        },
    }


class SettingsView(APIView):
    """Targets and weights: everyone with dashboard access reads; staff write."""

    permission_classes = [DashboardAccess]

    @extend_schema(responses=SettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(SettingsSerializer(_settings_data(selectors.dashboard_settings())).data)

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def put(self, request: Request) -> Response:
        current = _settings_data(selectors.dashboard_settings())
        incoming = SettingsSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        metrics = {**current["metrics"], **incoming.validated_data.get("metrics", {})}
        settings = services.settings_update(
            actor=request.user,
            small_sample=incoming.validated_data.get("small_sample", current["small_sample"]),
            metrics=metrics,
        )
        return Response(SettingsSerializer(_settings_data(settings)).data)


class SnapshotSerializer(serializers.ModelSerializer):
    taken_by = serializers.IntegerField(source="taken_by_id", read_only=True)

    class Meta:
        model = Snapshot
        fields = ["id", "scope", "year", "session", "label", "taken_at", "as_of", "taken_by"]


class SnapshotDetailSerializer(SnapshotSerializer):
    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "definitions", "config", "data"]


class SnapshotCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2200)
    session = serializers.PrimaryKeyRelatedField(queryset=CongressSession.objects.all(), required=False)
    label = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate(self, attrs):
        if ("year" in attrs) == ("session" in attrs):
            raise serializers.ValidationError({"year": ["Give either a year or a session."]})
        return attrs


class SnapshotListView(generics.ListCreateAPIView):
    """Frozen figures; POST (staff) freezes a year or a session now."""

    permission_classes = [DashboardAccess]
    filter_backends: list = []
    serializer_class = SnapshotSerializer
    queryset = Snapshot.objects.defer("data").order_by("-taken_at", "-id")

    @extend_schema(request=SnapshotCreateSerializer, responses={201: SnapshotDetailSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        incoming = SnapshotCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        snap = services.snapshot_freeze(
            actor=request.user,
            year=incoming.validated_data.get("year"),
            session=incoming.validated_data.get("session"),
            label=incoming.validated_data.get("label", ""),
        )
        return Response(SnapshotDetailSerializer(snap).data, status=status.HTTP_201_CREATED)


class SnapshotDetailView(APIView):
    permission_classes = [DashboardAccess]

    @extend_schema(responses=SnapshotDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SnapshotDetailSerializer(get_object_or_404(Snapshot, pk=pk)).data)
