"""API of the text features (SPEC section 11): similar suggestions, unit routing, reply check."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import IsOfficeStaff
from accounts.models import Unit
from suggestions.models import ResultClass
from suggestions.selectors import get_assignment_for

from ..replycheck import reply_check
from ..routing import routing_suggest
from ..similar import similar_suggestions


class TextIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    body = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")

    def validate(self, data):
        if not (data["title"].strip() or data["body"].strip()):
            raise serializers.ValidationError({"title": "Give a title or a body."})
        return data


class SimilarOut(serializers.Serializer):
    id = serializers.IntegerField()
    display_number = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.CharField()
    score = serializers.FloatField()


class SimilarListOut(serializers.Serializer):
    results = SimilarOut(many=True)


class SimilarView(APIView):
    """Suggestions like this text that the caller may see (or public ones), at most 10."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=TextIn, responses=SimilarListOut, summary="Similar suggestions", tags=["text"])
    def post(self, request):
        data = TextIn(data=request.data)
        data.is_valid(raise_exception=True)
        rows = similar_suggestions(user=request.user, **data.validated_data)
        return Response({"results": SimilarOut(rows, many=True).data})


class RoutingIn(TextIn):
    suggested_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)


class EvidenceOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["duty", "history", "suggested_unit"])
    text = serializers.CharField()
    suggestion = serializers.IntegerField(required=False)


class CandidateOut(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    role = serializers.ChoiceField(choices=["lead", "co"])
    score = serializers.FloatField()
    evidence = EvidenceOut(many=True)


class RoutingOut(serializers.Serializer):
    candidates = CandidateOut(many=True)
    needs_human = serializers.BooleanField()


class RoutingSuggestView(APIView):
    """智能交办: the likely lead and co-units with their evidence; a person decides (staff)."""

    permission_classes = [IsOfficeStaff]

    @extend_schema(request=RoutingIn, responses=RoutingOut, summary="Suggest handling units", tags=["text"])
    def post(self, request):
        data = RoutingIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(routing_suggest(**data.validated_data))


class ReplyCheckIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000, allow_blank=True)
    result_class = serializers.ChoiceField(choices=ResultClass.choices, required=False)


class FindingOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["boilerplate", "uncovered_point", "reused_text", "missing_commitment_date"])
    text = serializers.CharField()


class FindingsOut(serializers.Serializer):
    findings = FindingOut(many=True)


class ReplyCheckView(APIView):
    """Advice on a draft reply before sign-off (the assigned unit's users); never blocks."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ReplyCheckIn, responses=FindingsOut, summary="Check a draft reply", tags=["text"])
    def post(self, request, pk: int):
        assignment = get_assignment_for(request.user, pk)
        data = ReplyCheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        findings = reply_check(assignment=assignment, actor=request.user, **data.validated_data)
        return Response({"findings": FindingOut(findings, many=True).data})
