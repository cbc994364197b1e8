from __future__ import annotations

from collections.abc import Mapping

from axes.handlers.proxy import AxesProxyHandler
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from common.api import SafeJSONParser

from .. import services
from ..models import Unit, User


class IsStaffOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return request.user.is_authenticated and request.user.is_office_staff


class IsOfficeStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.is_office_staff


class TokenOut(serializers.Serializer):
    token = serializers.CharField()


class TokenIn(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


@extend_schema(request=TokenIn, responses=TokenOut, summary="Exchange username and password for an API token")
class TokenView(ObtainAuthToken):
    """Throttled per address (DRF, scope `token`) and guarded by django-axes' lockouts, like the login page."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = (FormParser, MultiPartParser, SafeJSONParser)

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except serializers.ValidationError:
            body = request.data if isinstance(request.data, Mapping) else {}
            credentials = {"username": str(body.get("username") or "")}
            if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(request._request, credentials):
                from common.lockout import api_lockout_response

                return api_lockout_response(request._request)
            raise


class MeOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "unit"]


class MeView(APIView):
    @extend_schema(responses=MeOut, summary="The caller")
    def get(self, request):
        return Response(MeOut(request.user).data)


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id", "name", "code", "kind", "parent", "head_name", "liaison_name", "liaison_phone", "active", "duties",
        ]  # fmt: skip

    def validate_parent(self, parent):
        if parent is not None and self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError("A unit cannot be its own parent.")
        return parent


@extend_schema(tags=["units"])
class UnitViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """承办单位: everyone signed in reads; staff create and update."""

    queryset = Unit.objects.all().order_by("code")
    serializer_class = UnitSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_fields = ["kind", "active"]


class UserIn(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    class Meta:
        model = User
        fields = ["id", "username", "password", "full_name", "role", "unit", "email"]

    def create(self, validated_data):
        # The service checks role against unit and the password (400 naming the field) and gives a
        # deputy its profile.
        return services.user_create(**validated_data)


class UserOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "unit", "email", "is_active"]


@extend_schema(tags=["users"])
class UserViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Accounts, managed by staff."""

    queryset = User.objects.all().order_by("id")
    permission_classes = [IsOfficeStaff]
    filterset_fields = ["role", "unit"]

    def get_serializer_class(self):
        return UserIn if self.action == "create" else UserOut

    @extend_schema(request=UserIn, responses={201: UserOut})
    def create(self, request, *args, **kwargs):
        serializer = UserIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        return Response(UserOut(user).data, status=201)
