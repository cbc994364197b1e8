"""Thin API views: fetch through selectors (404), validate input, call one service, render output."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.views import IsStaffOrReadOnly
from common.api import SafeJSONParser, names_a_filter
from common.errors import ActionInvalid
from suggestions import selectors, services
from suggestions.filters import DeadlineFilter, StrictBooleanField, SuggestionFilter
from suggestions.list_page import suggestion_page
from suggestions.models import (
    Assignment,
    Category,
    Commitment,
    CongressSession,
    Contact,
    Deadline,
    Suggestion,
)
from suggestions.search import search_highlights

from . import serializers as s


class SessionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """届次: read by everyone signed in, created by staff."""

    queryset = CongressSession.objects.all()
    serializer_class = s.SessionSerializer
    permission_classes = [IsStaffOrReadOnly]


class CategoryViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer
    permission_classes = [IsStaffOrReadOnly]


def _ok(data, code=status.HTTP_200_OK):
    return Response(data, status=code)


def _page(view, rows, serializer_class):
    """A sub-list (`suggestions/{id}/replies/` …), paginated like every list (SPEC section 9)."""
    page = view.paginate_queryset(rows)
    return view.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Suggestions the caller may see", responses=s.SuggestionOut(many=True)),
    retrieve=extend_schema(summary="One suggestion", responses=s.SuggestionOut),
)
class SuggestionViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Suggestion.objects.none()
    serializer_class = s.SuggestionOut
    filterset_class = SuggestionFilter
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        # The list pages through keys, then loads its page's rows as plain dicts (`list`). `?mine=`
        # is applied by the filter; knowing it here lets a deputy's visibility rule be narrowed to
        # their own rows first (a bad value is the filter's 400).
        own = self.action == "list" and StrictBooleanField().clean_or_none(self.request.query_params.get("mine"))
        return selectors.suggestion_list_keys(self.request.user, own=bool(own))

    def filter_queryset(self, queryset):
        # `?mine=true` alone on a deputy's own rows (`get_queryset` already narrowed them, and
        # `filter_mine` would return them unchanged): nothing left for the FilterSet to do.
        params = self.request.query_params
        named = {key for key in params if names_a_filter({key: None}, SuggestionFilter.base_filters)}
        if named == {"mine"} and isinstance(queryset, selectors.OwnSuggestions) and params.get("mine") is not None:
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginator.paginate_queryset(queryset, request, view=self, load=suggestion_page)
        participated = selectors.participated_among(request.user, rows)
        text, tz = s.search_text({"request": request}), timezone.get_current_timezone()
        # A search page's highlights in one query, with the reply passages the caller may read.
        highlights = (
            search_highlights(
                [SimpleNamespace(pk=row["id"], title=row["title"], body=row["body"]) for row in rows],
                text,
                user=request.user,
            )
            if text
            else {}
        )
        data = [
            s.suggestion_out(row, participated=row["id"] in participated, highlight=highlights.get(row["id"]), tz=tz)
            for row in rows
        ]
        return self.get_paginated_response(data)

    def get_object(self):
        if self.action == "retrieve":
            # A published suggestion is found by anyone signed in; non-participants get its public view.
            return selectors.get_suggestion_for(self.request.user, self.kwargs["pk"])
        # Sub-resources (timeline, evaluations, replies, attachments) and actions: participants only.
        return selectors.get_suggestion_participated_for(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        context = {
            **super().get_serializer_context(),
            "participated": selectors.participation_checker(self.request.user),
        }
        return context

    def retrieve(self, request, pk=None):
        suggestion = self.get_object()
        fresh = selectors.suggestion_detail(suggestion.pk)
        return _ok(s.SuggestionOut(fresh, context=self.get_serializer_context()).data)

    def _out(self, suggestion, code=status.HTTP_200_OK):
        fresh = selectors.suggestion_list(self.request.user).get(pk=suggestion.pk)
        return _ok(s.SuggestionOut(fresh, context=self.get_serializer_context()).data, code)

    @staticmethod
    def _input(serializer_class, request, partial=False):
        serializer = serializer_class(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=s.SuggestionIn, responses={201: s.SuggestionOut}, summary="Draft a suggestion")
    def create(self, request):
        data = self._input(s.SuggestionIn, request)
        co_signers = [u.pk for u in data.pop("co_signers", [])]
        files = data.pop("attachments", []) or request.FILES.getlist("attachments")
        suggestion = services.suggestion_create(author=request.user, co_signers=co_signers, attachments=files, **data)
        return self._out(suggestion, status.HTTP_201_CREATED)

    @extend_schema(request=s.SuggestionIn, responses=s.SuggestionOut, summary="Edit a draft (lead deputy)")
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=s.SuggestionIn, responses=s.SuggestionOut, summary="Edit part of a draft (lead deputy)")
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, partial):
        suggestion = self.get_object()
        data = self._input(s.SuggestionIn, request, partial=partial)
        data.pop("lead_deputy", None)
        data.pop("attachments", None)
        co_signers = data.pop("co_signers", None)
        services.suggestion_update(
            suggestion=suggestion,
            actor=request.user,
            co_signers=[u.pk for u in co_signers] if co_signers is not None else None,
            **data,
        )
        return self._out(suggestion)

    # --- lifecycle actions -------------------------------------------------------------------

    @extend_schema(request=s.CosignIn, responses=s.SuggestionOut, summary="A co-signer confirms or declines")
    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.CosignIn, request)
        services.suggestion_cosign(suggestion=suggestion, actor=request.user, accept=data["accept"])
        return self._out(suggestion)

    @extend_schema(request=None, responses=s.SuggestionOut, summary="Submit (lead deputy)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        suggestion = self.get_object()
        services.suggestion_submit(suggestion=suggestion, actor=request.user)
        return self._out(suggestion)

    @extend_schema(request=None, responses=s.SuggestionOut, summary="立案: accept and number (staff)")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        suggestion = self.get_object()
        services.suggestion_accept(suggestion=suggestion, actor=request.user)
        return self._out(suggestion)

    @extend_schema(request=s.RejectIn, responses=s.SuggestionOut, summary="不予立案 (staff)")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.RejectIn, request)
        services.suggestion_reject(suggestion=suggestion, actor=request.user, **data)
        return self._out(suggestion)

    @extend_schema(request=s.ReasonIn, responses=s.SuggestionOut, summary="Return for revision (staff)")
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.ReasonIn, request)
        services.suggestion_return(suggestion=suggestion, actor=request.user, reason=data["reason"])
        return self._out(suggestion)

    @extend_schema(request=s.MergeIn, responses=s.SuggestionOut, summary="并案: merge into another (staff)")
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.MergeIn, request)
        services.suggestion_merge(suggestion=suggestion, actor=request.user, into=data["into"])
        return self._out(suggestion)

    @extend_schema(request=s.AssignIn, responses=s.SuggestionOut, summary="交办 to lead and co-units (staff)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.AssignIn, request)
        services.suggestion_assign(
            suggestion=suggestion,
            actor=request.user,
            lead_units=data["lead_units"],
            co_units=data.get("co_units", []),
            complex=data.get("complex", False),
            due_date=data.get("due_date"),
        )
        return self._out(suggestion)

    @extend_schema(request=s.EvaluateIn, responses=s.SuggestionOut, summary="满意度测评 (deputies)")
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.EvaluateIn, request)
        services.suggestion_evaluate(suggestion=suggestion, actor=request.user, **data)
        return self._out(suggestion)

    @extend_schema(request=None, responses=s.SuggestionOut, summary="Withdraw (lead deputy)")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        suggestion = self.get_object()
        services.suggestion_withdraw(suggestion=suggestion, actor=request.user)
        return self._out(suggestion)

    @extend_schema(request=None, responses=s.SuggestionOut, summary="A co-signer consents to withdrawal")
    @action(detail=True, methods=["post"], url_path="consent-withdraw")
    def consent_withdraw(self, request, pk=None):
        suggestion = self.get_object()
        services.suggestion_consent_withdraw(suggestion=suggestion, actor=request.user)
        return self._out(suggestion)

    @extend_schema(request=s.NoteIn, responses=s.SuggestionOut, summary="Close with a note (staff)")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        suggestion = self.get_object()
        data = self._input(s.NoteIn, request)
        services.suggestion_close(suggestion=suggestion, actor=request.user, note=data["note"])
        return self._out(suggestion)

    # --- reads -------------------------------------------------------------------------------

    @extend_schema(responses=s.EventOut(many=True), summary="The append-only timeline")
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        suggestion = self.get_object()
        events = selectors.events_visible_to(request.user, suggestion)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(s.EventOut(page, many=True).data)

    @extend_schema(responses=s.ReplyOut(many=True), summary="Released replies (and, for the unit, drafts)")
    @action(detail=True, methods=["get"])
    def replies(self, request, pk=None):
        suggestion = self.get_object()
        replies = selectors.replies_visible_to(request.user, suggestion)
        return _page(self, replies, s.ReplyOut)

    @extend_schema(responses=s.EvaluationOut(many=True), summary="Evaluations")
    @action(detail=True, methods=["get"])
    def evaluations(self, request, pk=None):
        suggestion = self.get_object()
        return _page(self, suggestion.evaluations.order_by("round", "id"), s.EvaluationOut)

    @extend_schema(methods=["GET"], responses=s.AttachmentOut(many=True), summary="Attachments of the suggestion")
    @extend_schema(methods=["POST"], request={"multipart/form-data": s.FileIn}, responses={201: s.AttachmentOut})
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request, pk=None):
        suggestion = self.get_object()
        if request.method == "GET":
            return _page(self, suggestion.attachments.order_by("id"), s.AttachmentOut)
        files = request.FILES.getlist("file")
        if not files:
            raise ActionInvalid.field("file", "No file was submitted.")
        made = services.suggestion_attach(suggestion=suggestion, actor=request.user, files=files)
        return _ok(s.AttachmentOut(made[0]).data, status.HTTP_201_CREATED)


class AssignmentViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A unit's share of a suggestion, and the unit's and staff's actions on it."""

    # For the schema generator (it has no user); requests go through get_queryset.
    queryset = Assignment.objects.none()
    serializer_class = s.AssignmentOut
    filterset_fields = ["status", "role", "unit", "suggestion"]

    def get_queryset(self):
        return selectors.assignments_visible_to(self.request.user).order_by("-assigned_at", "-id")

    def get_object(self):
        return selectors.get_assignment_for(self.request.user, self.kwargs["pk"])

    @staticmethod
    def _input(serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _out(self, assignment):
        assignment.refresh_from_db()
        return _ok(s.AssignmentOut(assignment).data)

    @extend_schema(request=None, responses=s.AssignmentOut, summary="签收: sign for the assignment")
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        assignment = self.get_object()
        services.assignment_sign(assignment=assignment, actor=request.user)
        return self._out(assignment)

    @extend_schema(request=s.ReasonIn, responses={201: s.RequestOut}, summary="申请退回: ask to return it")
    @action(detail=True, methods=["post"], url_path="request-return")
    def request_return(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.ReasonIn, request)
        req = services.assignment_request_return(assignment=assignment, actor=request.user, reason=data["reason"])
        return _ok(s.RequestOut(req).data, status.HTTP_201_CREATED)

    @extend_schema(request=s.ExtensionIn, responses={201: s.RequestOut}, summary="申请延期: ask for an extension")
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.ExtensionIn, request)
        req = services.assignment_request_extension(assignment=assignment, actor=request.user, **data)
        return _ok(s.RequestOut(req).data, status.HTTP_201_CREATED)

    @extend_schema(request=s.OptionalNoteIn, responses=s.AssignmentOut, summary="Approve a return request (staff)")
    @action(detail=True, methods=["post"], url_path="approve-return")
    def approve_return(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.OptionalNoteIn, request)
        services.assignment_approve_return(assignment=assignment, actor=request.user, note=data["note"])
        return self._out(assignment)

    @extend_schema(request=s.OptionalNoteIn, responses=s.AssignmentOut, summary="Refuse a return request (staff)")
    @action(detail=True, methods=["post"], url_path="refuse-return")
    def refuse_return(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.OptionalNoteIn, request)
        services.assignment_refuse_return(assignment=assignment, actor=request.user, note=data["note"])
        return self._out(assignment)

    @extend_schema(request=s.DecisionIn, responses=s.AssignmentOut, summary="Approve an extension (staff)")
    @action(detail=True, methods=["post"], url_path="approve-extension")
    def approve_extension(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.DecisionIn, request)
        services.assignment_approve_extension(
            assignment=assignment, actor=request.user, due_date=data.get("due_date"), note=data["note"]
        )
        return self._out(assignment)

    @extend_schema(request=s.OptionalNoteIn, responses=s.AssignmentOut, summary="Refuse an extension (staff)")
    @action(detail=True, methods=["post"], url_path="refuse-extension")
    def refuse_extension(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.OptionalNoteIn, request)
        services.assignment_refuse_extension(assignment=assignment, actor=request.user, note=data["note"])
        return self._out(assignment)

    @extend_schema(methods=["GET"], responses=s.ContactOut(many=True), summary="The contact log")
    @extend_schema(methods=["POST"], request=s.ContactIn, responses={201: s.ContactOut}, summary="Log a contact")
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        assignment = self.get_object()
        if request.method == "GET":
            return _page(self, assignment.contacts.order_by("contacted_at", "id"), s.ContactOut)
        data = self._input(s.ContactIn, request)
        contact = services.contact_log(assignment=assignment, actor=request.user, **data)
        return _ok(s.ContactOut(contact).data, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReplyIn, responses={201: s.ReplyOut}, summary="Draft the reply (waits for sign-off)")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.ReplyIn, request)
        reply = services.reply_draft(assignment=assignment, actor=request.user, **data)
        return _ok(s.ReplyOut(reply).data, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ReplyOut, summary="签发: the unit head signs off and releases")
    @action(detail=True, methods=["post"], url_path="approve-reply")
    def approve_reply(self, request, pk=None):
        assignment = self.get_object()
        reply = services.reply_approve(assignment=assignment, actor=request.user)
        return _ok(s.ReplyOut(reply).data)

    @extend_schema(request=s.NoteIn, responses=s.ReplyOut, summary="The unit head sends the draft back")
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.NoteIn, request)
        reply = services.reply_send_back(assignment=assignment, actor=request.user, note=data["note"])
        return _ok(s.ReplyOut(reply).data)

    @extend_schema(request=s.OpinionIn, responses={201: s.OpinionOut}, summary="会办意见: the co-unit's opinion")
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        assignment = self.get_object()
        data = self._input(s.OpinionIn, request)
        opinion = services.opinion_send(assignment=assignment, actor=request.user, body=data["body"])
        return _ok(s.OpinionOut(opinion).data, status.HTTP_201_CREATED)

    @extend_schema(responses=s.RequestOut(many=True), summary="Return and extension requests")
    @action(detail=True, methods=["get"])
    def requests(self, request, pk=None):
        assignment = self.get_object()
        return _page(self, assignment.requests.order_by("-requested_at", "-id"), s.RequestOut)


class ContactViewSet(viewsets.GenericViewSet):
    queryset = Contact.objects.none()
    serializer_class = s.ContactOut

    def get_queryset(self):
        return selectors.contacts_visible_to(self.request.user)

    @extend_schema(request=s.DisputeIn, responses=s.ContactOut, summary="The deputy disputes a logged contact")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        contact = self.get_object()
        serializer = s.DisputeIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contact_dispute(contact=contact, actor=request.user, note=serializer.validated_data["note"])
        contact.refresh_from_db()
        return _ok(s.ContactOut(contact).data)


class CommitmentViewSet(viewsets.GenericViewSet):
    queryset = Commitment.objects.none()
    serializer_class = s.CommitmentOut

    def get_queryset(self):
        return selectors.commitments_visible_to(self.request.user)

    @extend_schema(request=s.NoteIn, responses=s.CommitmentOut, summary="The unit reports a commitment fulfilled")
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        commitment = self.get_object()
        serializer = s.NoteIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.commitment_fulfil(commitment=commitment, actor=request.user, note=serializer.validated_data["note"])
        commitment.refresh_from_db()
        return _ok(s.CommitmentOut(commitment).data)

    @extend_schema(
        request=s.DeliveryIn, responses=s.CommitmentOut, summary="落实: the deputy confirms whether it was delivered"
    )
    @action(detail=True, methods=["post"], url_path="confirm-delivery")
    def confirm_delivery(self, request, pk=None):
        commitment = self.get_object()
        serializer = s.DeliveryIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        commitment = services.commitment_confirm_delivery(
            commitment=commitment, actor=request.user, **serializer.validated_data
        )
        return _ok(s.CommitmentOut(commitment).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("overdue", OpenApiTypes.BOOL), OpenApiParameter("due_within", OpenApiTypes.INT)]
    )
)
class DeadlineViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Deadlines as records, with the facts that explain each due date."""

    queryset = Deadline.objects.none()
    serializer_class = s.DeadlineOut
    filterset_class = DeadlineFilter
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.deadlines_visible_to(self.request.user).order_by("due_date", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
