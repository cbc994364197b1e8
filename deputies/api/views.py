"""`GET deputies/{id}/record/?year=|term=`: the deputy's record of duty (履职档案)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors


class SuggestionLineOut(serializers.Serializer):
    id = serializers.IntegerField(source="suggestion.pk")
    display_number = serializers.CharField(source="suggestion.display_number")
    title = serializers.CharField(source="suggestion.title")
    year = serializers.IntegerField(source="suggestion.session.year")
    status = serializers.CharField(source="suggestion.status")
    reply_classes = serializers.ListField(child=serializers.CharField(), help_text="Classes of released lead replies")
    rating = serializers.SerializerMethodField(help_text="The deputy's last rating: {round, attitude, result} or null")

    def get_rating(self, obj) -> dict | None:
        e = obj.rating
        return None if e is None else {"round": e.round, "attitude": e.attitude, "result": e.result}


class ConsultationLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    suggestion = serializers.IntegerField(source="suggestion_id")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    asked_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class InspectionLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    held_on = serializers.DateField()
    suggestion = serializers.IntegerField(source="suggestion_id", allow_null=True)
    key_item = serializers.IntegerField(source="key_item_id", allow_null=True)


class CommitteeLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class KeyItemLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    topic = serializers.CharField()
    committee = serializers.CharField()


class ScoreLineOut(serializers.Serializer):
    key_item = serializers.IntegerField(source="key_item_id")
    year = serializers.IntegerField()
    rating = serializers.CharField()
    score = serializers.IntegerField()


class RecordOut(serializers.Serializer):
    deputy = serializers.IntegerField(source="deputy.pk")
    full_name = serializers.CharField(source="deputy.display_name")
    years = serializers.ListField(child=serializers.IntegerField(), source="period.years")
    term = serializers.IntegerField(source="period.term", allow_null=True)
    summary = serializers.DictField(child=serializers.IntegerField())
    led = SuggestionLineOut(many=True)
    cosigned = SuggestionLineOut(many=True)
    consultations = ConsultationLineOut(many=True)
    inspections = InspectionLineOut(many=True)
    meetings = InspectionLineOut(many=True)
    committees = CommitteeLineOut(many=True)
    key_items = KeyItemLineOut(many=True)
    year_end_scores = ScoreLineOut(many=True)


class DeputyRecordView(APIView):
    @extend_schema(
        responses=RecordOut,
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year (default: this year)"),
            OpenApiParameter("term", OpenApiTypes.INT, description="A term (届) instead of a year"),
        ],
        summary="A deputy's record of duty (the deputy, staff, or their delegation's leader)",
    )
    def get(self, request, pk):
        deputy = selectors.get_deputy_for(request.user, pk)
        period = selectors.parse_period(
            year=request.query_params.get("year"), term=request.query_params.get("term"), today=timezone.localdate()
        )
        return Response(RecordOut(selectors.deputy_record(deputy, period)).data)
