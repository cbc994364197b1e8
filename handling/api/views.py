"""API for consultations (提办对接) and handling plans (办理方案): parse, call a service, render."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Unit
from suggestions.selectors import get_assignment_for, get_suggestion_for

from .. import selectors, services
from ..models import Consultation, HandlingPlan, PlanStep


class ConsultationOut(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "suggestion",
            "unit",
            "unit_name",
            "question",
            "draft_title",
            "draft_body",
            "asked_by",
            "asked_at",
            "answer",
            "answered_by",
            "answered_at",
        ]


class ConsultIn(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(active=True))
    question = serializers.CharField(max_length=5000)


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(max_length=10000)


class PlanStepOut(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = ["id", "description", "responsible_person", "division", "milestone_on", "done_at", "done_note"]


class PlanOut(serializers.ModelSerializer):
    steps = PlanStepOut(many=True, read_only=True)

    class Meta:
        model = HandlingPlan
        fields = [
            "assignment",
            "summary",
            "meeting_on",
            "meeting_notes",
            "recorded_by",
            "recorded_at",
            "updated_at",
            "steps",
        ]


class PlanStepIn(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    responsible_person = serializers.CharField(max_length=100)
    division = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    milestone_on = serializers.DateField()


class PlanIn(serializers.Serializer):
    summary = serializers.CharField(max_length=10000)
    meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    meeting_notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    steps = serializers.ListField(child=PlanStepIn(), allow_empty=False, max_length=50)


class StepDoneIn(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ConsultView(APIView):
    """`POST suggestions/{id}/consult/`: the lead deputy asks a unit about the draft."""

    serializer_class = ConsultIn

    @extend_schema(request=ConsultIn, responses={201: ConsultationOut}, summary="提办对接: consult a unit on a draft")
    def post(self, request, pk: int):
        suggestion = get_suggestion_for(request.user, pk)
        data = _valid(ConsultIn, request)
        consultation = services.consultation_request(
            suggestion=suggestion, actor=request.user, unit=data["unit"], question=data["question"]
        )
        return Response(ConsultationOut(consultation).data, status=status.HTTP_201_CREATED)


class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Consultations the caller asked, was asked, or (staff) all; answered by the consulted unit."""

    queryset = Consultation.objects.none()
    serializer_class = ConsultationOut
    filterset_fields = ["suggestion", "unit"]

    def get_queryset(self):
        return selectors.consultations_visible_to(self.request.user)

    def get_object(self):
        return selectors.get_consultation_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AnswerIn, responses=ConsultationOut, summary="The consulted unit answers")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        consultation = self.get_object()
        data = _valid(AnswerIn, request)
        consultation = services.consultation_answer(
            consultation=consultation, actor=request.user, answer=data["answer"]
        )
        return Response(ConsultationOut(consultation).data)


class PlanView(APIView):
    """`assignments/{id}/plan/`: read the lead unit's plan (participants), record or revise it (the unit)."""

    serializer_class = PlanIn

    @extend_schema(responses=PlanOut, summary="办理方案: the assignment's handling plan")
    def get(self, request, pk: int):
        assignment = get_assignment_for(request.user, pk)
        plan = selectors.plan_for_assignment(assignment)
        if plan is None:
            return Response({"detail": "No plan has been recorded yet."}, status=status.HTTP_404_NOT_FOUND)
        return Response(PlanOut(plan).data)

    @extend_schema(request=PlanIn, responses=PlanOut, summary="Record or revise the handling plan")
    def put(self, request, pk: int):
        assignment = get_assignment_for(request.user, pk)
        data = _valid(PlanIn, request)
        plan = services.plan_record(
            assignment=assignment,
            actor=request.user,
            summary=data["summary"],
            meeting_on=data["meeting_on"],
            meeting_notes=data["meeting_notes"],
            steps=[services.StepInput(**step) for step in data["steps"]],
        )
        plan = selectors.plan_for_assignment(plan.assignment)
        return Response(PlanOut(plan).data)


class PlanStepDoneView(APIView):
    serializer_class = StepDoneIn

    @extend_schema(request=StepDoneIn, responses=PlanStepOut, summary="Mark a plan step done")
    def post(self, request, pk: int):
        step = selectors.get_plan_step_for(request.user, pk)
        data = _valid(StepDoneIn, request)
        step = services.plan_step_complete(step=step, actor=request.user, note=data["note"])
        return Response(PlanStepOut(step).data)
