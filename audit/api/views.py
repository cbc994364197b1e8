"""GET /api/v1/audit-events/: the audit log, read-only, for staff."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, permissions, serializers, viewsets

from ..models import AuditAction, AuditEvent
from ..selectors import can_read_audit


class IsOfficeStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_read_audit(request.user)


class AuditEventOut(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "username",
            "action",
            "object_type",
            "object_id",
            "ip",
            "user_agent",
            "path",
            "detail",
        ]


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    username = django_filters.CharFilter(lookup_expr="iexact")
    ip = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "username", "ip", "actor"]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AuditEvent.objects.order_by("-at", "-id")
    serializer_class = AuditEventOut
    permission_classes = [IsOfficeStaff]
    filterset_class = AuditEventFilter
