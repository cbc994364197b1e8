"""Notifications API (SPEC section 9): the caller's own notifications, mark read, and the urge notice."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ActionForbidden
from suggestions.selectors import get_assignment_for

from .. import selectors, services
from ..models import Kind, Notification


class NotificationOut(serializers.ModelSerializer):
    message = serializers.CharField(read_only=True)
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "suggestion", "message", "read", "created_at"]


class UrgeIn(serializers.Serializer):
    message = serializers.CharField(max_length=services.URGE_MAX_LENGTH, trim_whitespace=True)


class UrgeOut(serializers.Serializer):
    assignment = serializers.IntegerField()
    event = serializers.IntegerField()
    notified = serializers.IntegerField()


class MarkedOut(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationOut
    filterset_fields = ["kind"]

    def get_queryset(self):
        read = self.request.query_params.get("read")
        return selectors.notification_list(self.request.user, read={"true": True, "false": False}.get(read))

    @extend_schema(
        parameters=[
            OpenApiParameter("read", bool, description=str(_("true: read only; false: unread only"))),
            OpenApiParameter("kind", str, enum=Kind.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationOut, summary="Mark one of my notifications read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationOut(notification).data)

    @extend_schema(request=None, responses={200: MarkedOut}, summary="Mark all my notifications read")
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class AssignmentUrgeView(APIView):
    """催办函: staff urge the unit holding an assignment."""

    @extend_schema(request=UrgeIn, responses={201: UrgeOut}, summary="催办函: send an urge notice to the unit")
    def post(self, request, pk):
        assignment = get_assignment_for(request.user, pk)  # 404 for what the caller may not see
        if not request.user.is_office_staff:
            # Checked before the input, so a unit user learns "not allowed" rather than "message missing".
            raise ActionForbidden(_("Only staff may send an urge notice."))
        data = UrgeIn(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.assignment_urge(
            assignment=assignment, actor=request.user, message=data.validated_data["message"]
        )
        body = {"assignment": assignment.pk, "event": event.pk, "notified": event.notifications.count()}
        return Response(body, status=status.HTTP_201_CREATED)
