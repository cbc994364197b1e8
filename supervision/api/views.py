"""Thin API views: fetch through selectors (404), validate input, call one service, render output."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import FilterSet, IdFilter
from common.errors import ActionForbidden, ActionInvalid, ActionNotFound
from suggestions.selectors import (
    get_suggestion_for,
    get_suggestion_participated_for,
)

from .. import detail_selectors as reads
from .. import selectors, services
from ..exports import inspections_workbook
from ..models import (
    FollowUpAction,
    Inspection,
    InspectionKind,
    Instruction,
    KeySuggestion,
    MonthlyReport,
    SuggestionSupervisor,
)
from . import serializers as s


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _staff_first(user) -> None:
    """For staff-only writes that name other objects: answer the role (403) before resolving ids (400),
    so a non-staff caller learns nothing about which ids exist. The service checks the role again."""
    if not user.is_office_staff:
        raise ActionForbidden("Only deputy-affairs staff may do this.")


def _visible_suggestions(user, ids, field: str):
    """Suggestions by id among those the caller may see; an unknown or hidden id is a 400 on `field`."""
    ids = list(dict.fromkeys(ids))
    found = reads.visible_suggestions_by_id(user, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ActionInvalid.field(field, f"Unknown suggestion {missing[0]}.")
    return [found[i] for i in ids]


# ---------------------------------------------------------------------------------------------
# Supervisors and instructions


@extend_schema_view(list=extend_schema(summary="Supervisors attached to suggestions the caller may see"))
class SuggestionSupervisorViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    queryset = SuggestionSupervisor.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.SupervisorOut
    filterset_fields = ["suggestion", "user"]

    def get_queryset(self):
        return reads.supervisor_links_visible_to(self.request.user)

    @extend_schema(request=s.SupervisorIn, responses={201: s.SupervisorOut}, summary="Attach a supervisor (staff)")
    def create(self, request):
        data = _input(s.SupervisorIn, request)
        suggestion = get_suggestion_for(request.user, data["suggestion"])
        link = services.supervisor_attach(suggestion=suggestion, user=data["user"], actor=request.user)
        return Response(s.SupervisorOut(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Detach a supervisor (staff)")
    def destroy(self, request, pk=None):
        try:
            link = self.get_queryset().get(pk=int(pk))
        except (SuggestionSupervisor.DoesNotExist, ValueError, TypeError):
            raise ActionNotFound("Not found.") from None
        services.supervisor_detach(suggestion=link.suggestion, user=link.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructionFilter(FilterSet):
    suggestion = IdFilter()
    key_item = IdFilter()


@extend_schema_view(list=extend_schema(summary="批示 on suggestions and key items the caller may see"))
class InstructionViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    queryset = Instruction.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.InstructionOut
    filterset_class = InstructionFilter

    def get_queryset(self):
        return selectors.instructions_visible_to(self.request.user)

    @extend_schema(request=s.InstructionIn, responses={201: s.InstructionOut}, summary="Record an instruction (批示)")
    def create(self, request):
        data = _input(s.InstructionIn, request)
        suggestion = get_suggestion_participated_for(request.user, data["suggestion"]) if "suggestion" in data else None
        key_item = selectors.get_key_item_for(request.user, data["key_item"]) if "key_item" in data else None
        instruction = services.instruction_record(
            actor=request.user, text=data["text"], suggestion=suggestion, key_item=key_item
        )
        return Response(s.InstructionOut(instruction).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Key items


class KeyItemFilter(FilterSet):
    class Meta:
        model = KeySuggestion
        fields = ["year", "status"]


@extend_schema_view(
    list=extend_schema(summary="Key suggestions (重点督办事项) with their red/amber/green flag"),
    retrieve=extend_schema(
        summary="One key item with its regime, milestones and results", responses=s.KeyItemDetailOut
    ),
)
class KeyItemViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = KeySuggestion.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.KeyItemOut
    filterset_class = KeyItemFilter

    def get_queryset(self):
        return selectors.key_items_with_progress(self.request.user)

    def get_object(self):
        item = selectors.get_key_item_for(self.request.user, self.kwargs["pk"])
        return self.get_queryset().get(pk=item.pk)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def retrieve(self, request, pk=None):
        return Response(s.KeyItemDetailOut(self.get_object(), context=self.get_serializer_context()).data)

    def _out(self, item, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(s.KeyItemDetailOut(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.KeyItemIn, responses={201: s.KeyItemDetailOut}, summary="Create a key item (staff)")
    def create(self, request):
        _staff_first(request.user)
        data = _input(s.KeyItemIn, request)
        data["suggestions"] = _visible_suggestions(request.user, data["suggestions"], "suggestions")
        item = services.key_item_create(actor=request.user, **data)
        return self._out(item, status.HTTP_201_CREATED)

    @extend_schema(request=s.KeyItemUpdateIn, responses=s.KeyItemDetailOut, summary="Edit a key item (staff)")
    def partial_update(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        _staff_first(request.user)
        serializer = s.KeyItemUpdateIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "suggestions" in data:
            data["suggestions"] = _visible_suggestions(request.user, data["suggestions"], "suggestions")
        services.key_item_update(key_item=item, actor=request.user, **data)
        return self._out(item)

    @extend_schema(request=s.CompleteIn, responses=s.KeyItemDetailOut, summary="End supervision of the item (staff)")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        data = _input(s.CompleteIn, request)
        services.key_item_complete(key_item=item, actor=request.user, note=data.get("note", ""))
        return self._out(item)

    @extend_schema(request=None, responses=s.KeyItemDetailOut, summary="Add missing regime deadlines (staff)")
    @action(detail=True, methods=["post"], url_path="regenerate-regime")
    def regenerate_regime(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        services.regime_regenerate(key_item=item, actor=request.user)
        return self._out(item)

    @extend_schema(request=s.MilestoneDoneIn, responses=s.MilestoneOut, summary="Mark a work-plan milestone done")
    @action(detail=True, methods=["post"], url_path="milestone-done")
    def milestone_done(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        data = _input(s.MilestoneDoneIn, request)
        milestone = reads.milestone_of(item, data["milestone"])
        if milestone is None:
            raise ActionNotFound("Not found.")
        return Response(s.MilestoneOut(services.milestone_done(milestone=milestone, actor=request.user)).data)

    @extend_schema(request=s.HalfYearReportIn, responses={201: s.HalfYearReportOut}, summary="半年一汇报 (staff)")
    @action(detail=True, methods=["post"], url_path="half-year-report")
    def half_year_report(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        report = services.half_year_report_record(
            key_item=item, actor=request.user, **_input(s.HalfYearReportIn, request)
        )
        return Response(s.HalfYearReportOut(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.YearEndScoreIn, responses={201: s.YearEndScoreOut}, summary="年度一测评: submit a form")
    @action(detail=True, methods=["post"], url_path="year-end-scores")
    def year_end_scores(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        form = services.year_end_score_submit(key_item=item, actor=request.user, **_input(s.YearEndScoreIn, request))
        return Response(s.YearEndScoreOut(form).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.YearEndResultIn, responses={201: s.YearEndResultOut}, summary="Record the year's result")
    @action(detail=True, methods=["post"], url_path="year-end-result")
    def year_end_result(self, request, pk=None):
        item = selectors.get_key_item_for(request.user, pk)
        result = services.year_end_result_record(
            key_item=item, actor=request.user, **_input(s.YearEndResultIn, request)
        )
        return Response(s.YearEndResultOut(result).data, status=status.HTTP_201_CREATED)


class MonthlyReportFilter(FilterSet):
    key_item = IdFilter()


@extend_schema_view(
    list=extend_schema(summary="一月一情况 reports of key items the caller may see"),
    retrieve=extend_schema(summary="One monthly report"),
)
class MonthlyReportViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = MonthlyReport.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.MonthlyReportOut
    filterset_class = MonthlyReportFilter

    def get_queryset(self):
        return selectors.monthly_reports_of_visible_items(self.request.user)

    @extend_schema(request=s.MonthlyReportIn, responses={201: s.MonthlyReportOut}, summary="Submit (lead unit)")
    def create(self, request):
        data = _input(s.MonthlyReportIn, request)
        item = selectors.get_key_item_for(request.user, data.pop("key_item"))
        report = services.monthly_report_submit(key_item=item, actor=request.user, **data)
        return Response(s.MonthlyReportOut(report).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Inspections, meetings, follow-up actions


class InspectionFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices)
    key_item = IdFilter()
    suggestion = IdFilter()
    released = django_filters.BooleanFilter(field_name="report_released_at", lookup_expr="isnull", exclude=True)


def _create_inspection(request, data, kind):
    suggestion_id, key_item_id = data.pop("suggestion", None), data.pop("key_item", None)
    suggestion = get_suggestion_participated_for(request.user, suggestion_id) if suggestion_id else None
    key_item = selectors.get_key_item_for(request.user, key_item_id) if key_item_id else None
    follow_ups = [dict(f) for f in data.pop("follow_up_actions", [])]
    inspection = services.inspection_create(
        actor=request.user,
        kind=kind,
        suggestion=suggestion,
        key_item=key_item,
        follow_up_actions=follow_ups,
        **data,
    )
    fresh = selectors.get_inspection_for(request.user, inspection.pk)
    return Response(s.InspectionOut(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Inspections (督查) the caller may see"),
    retrieve=extend_schema(summary="One inspection"),
)
class InspectionViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Inspection.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.InspectionOut
    filterset_class = InspectionFilter

    def get_queryset(self):
        return selectors.inspection_list(self.request.user)

    def get_object(self):
        return selectors.get_inspection_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=s.InspectionIn, responses={201: s.InspectionOut}, summary="Record an inspection")
    def create(self, request):
        data = _input(s.InspectionIn, request)
        return _create_inspection(request, data, data.pop("kind"))

    @extend_schema(request=None, responses=s.InspectionOut, summary="Release the written report to the unit (staff)")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        inspection = self.get_object()
        services.inspection_release_report(inspection=inspection, actor=request.user)
        return Response(s.InspectionOut(self.get_object(), context={"request": request}).data)

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
        summary="The inspections the caller may see, as an Excel workbook",
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        qs = self.filter_queryset(self.get_queryset())
        content = inspections_workbook(request.user, qs)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="inspections.xlsx"'
        return response


@extend_schema_view(
    list=extend_schema(summary="Face-to-face meetings (三个面对面) the caller may see"),
    retrieve=extend_schema(summary="One face-to-face meeting"),
)
class MeetingViewSet(InspectionViewSet):
    def get_queryset(self):
        return reads.meetings_for(self.request.user)

    def get_object(self):
        inspection = selectors.get_inspection_for(self.request.user, self.kwargs["pk"])
        if inspection.kind != InspectionKind.FACE_TO_FACE:
            raise ActionNotFound("Not found.")
        return inspection

    @extend_schema(request=s.MeetingIn, responses={201: s.InspectionOut}, summary="Record a face-to-face meeting")
    def create(self, request):
        return _create_inspection(request, _input(s.MeetingIn, request), InspectionKind.FACE_TO_FACE)


class FollowUpFilter(FilterSet):
    inspection = IdFilter()
    done = django_filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)


@extend_schema_view(
    list=extend_schema(summary="Follow-up actions (整改事项) the caller may see"),
    retrieve=extend_schema(summary="One follow-up action"),
)
class FollowUpActionViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = FollowUpAction.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = s.FollowUpOut
    filterset_class = FollowUpFilter

    def get_queryset(self):
        return selectors.follow_up_actions_visible_to(self.request.user).order_by("due_date", "id")

    def get_object(self) -> FollowUpAction:
        return selectors.get_follow_up_action_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=s.CompleteActionIn, responses=s.FollowUpOut, summary="Report the action done (unit)")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        follow_up = self.get_object()
        data = _input(s.CompleteActionIn, request)
        return Response(
            s.FollowUpOut(services.follow_up_action_complete(action=follow_up, actor=request.user, **data)).data
        )


# ---------------------------------------------------------------------------------------------
# Campaigns


@extend_schema_view(
    list=extend_schema(summary="Supervision campaigns (督办周)"), retrieve=extend_schema(summary="One campaign")
)
class CampaignViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.CampaignOut

    def get_queryset(self):
        return reads.campaigns_with_members(self.request.user)

    def get_object(self):
        return selectors.get_campaign_for(self.request.user, self.kwargs["pk"])

    def _save(self, request, campaign=None, code=status.HTTP_200_OK):
        _staff_first(request.user)
        data = _input(s.CampaignIn, request)
        data["suggestions"] = _visible_suggestions(request.user, data.get("suggestions", []), "suggestions")
        campaign = services.campaign_save(actor=request.user, campaign=campaign, **data)
        return Response(s.CampaignOut(campaign).data, status=code)

    @extend_schema(request=s.CampaignIn, responses={201: s.CampaignOut}, summary="Record a campaign (staff)")
    def create(self, request):
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.CampaignIn, responses=s.CampaignOut, summary="Edit a campaign (staff)")
    def update(self, request, pk=None):
        return self._save(request, campaign=self.get_object())


# ---------------------------------------------------------------------------------------------
# Repeated and follow-up suggestions


def _chain_out(user, chain) -> list[dict]:
    visible = reads.visible_suggestion_ids(user, [x.pk for x in chain])
    return [s.chain_item(x, title_visible=x.pk in visible) for x in chain]


class RepeatChainView(APIView):
    @extend_schema(responses=s.RepeatChainOut, summary='"Raised N times since YEAR" and the chain')
    def get(self, request, pk):
        suggestion = get_suggestion_participated_for(request.user, pk)
        summary = selectors.repeat_summary(suggestion)
        return Response({**summary, "chain": _chain_out(request.user, summary["chain"])})


class RepeatCandidatesView(APIView):
    @extend_schema(responses=s.RepeatCandidateOut(many=True), summary="Earlier suggestions on the same matter (staff)")
    def get(self, request, pk):
        suggestion = get_suggestion_for(request.user, pk)
        _staff_first(request.user)
        pairs = selectors.repeat_candidates(suggestion)
        return Response([{**s.chain_item(x), "score": score} for x, score in pairs])


class LinkRepeatView(APIView):
    @extend_schema(request=s.LinkRepeatIn, responses=s.RepeatChainOut, summary="Link to an earlier suggestion (staff)")
    def post(self, request, pk):
        suggestion = get_suggestion_for(request.user, pk)
        _staff_first(request.user)
        data = _input(s.LinkRepeatIn, request)
        earlier = _visible_suggestions(request.user, [data["repeat_of"]], "repeat_of")[0]
        services.suggestion_link_repeat(suggestion=suggestion, earlier=earlier, actor=request.user)
        summary = selectors.repeat_summary(suggestion)
        return Response({**summary, "chain": _chain_out(request.user, summary["chain"])})


class LinkFollowUpView(APIView):
    @extend_schema(request=s.LinkFollowUpIn, responses=s.ChainItemOut, summary="Link to the look-back it follows up")
    def post(self, request, pk):
        suggestion = get_suggestion_for(request.user, pk)
        _staff_first(request.user)
        data = _input(s.LinkFollowUpIn, request)
        try:
            look_back = selectors.inspections_visible_to(request.user).get(pk=data["look_back"])
        except Inspection.DoesNotExist:
            raise ActionInvalid.field("look_back", "Unknown look-back.") from None
        suggestion = services.suggestion_link_follow_up(suggestion=suggestion, look_back=look_back, actor=request.user)
        fresh = get_suggestion_for(request.user, suggestion.pk)
        return Response({**s.chain_item(fresh), "follows_up": fresh.follows_up_id})
