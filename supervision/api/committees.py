"""`committees/`: list and read for members, staff and supervisors; create and update for staff."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import User
from common.api import request_object
from common.errors import ActionForbidden
from suggestions.models import Category

from .. import committees
from ..models import Committee, CommitteeKind


class CommitteeOut(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Committee
        fields = ["id", "name", "kind", "members", "categories", "description", "active"]

    def get_members(self, obj) -> list[int]:
        return [u.pk for u in obj.members.all()]

    def get_categories(self, obj) -> list[int]:
        return [c.pk for c in obj.categories.all()]


class CommitteeIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=CommitteeKind.choices)
    members = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    categories = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), many=True, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)


def _staff_first(user) -> None:
    # The role is answered (403) before ids are resolved (400), so a caller learns nothing of which exist.
    if not user.is_office_staff:
        raise ActionForbidden("Only deputy-affairs staff may do this.")


@extend_schema_view(
    list=extend_schema(summary="Committees and deputies' groups the caller sits on (all for staff and supervisors)"),
    retrieve=extend_schema(summary="A committee"),
)
class CommitteeViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Committee.objects.none()  # for the schema generator; requests use get_queryset
    serializer_class = CommitteeOut
    filterset_fields = ["kind", "active"]

    def get_queryset(self):
        return committees.committee_list(self.request.user).order_by("kind", "name")

    def get_object(self):
        return committees.get_committee_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=CommitteeIn, responses={201: CommitteeOut}, summary="Create a committee (staff)")
    def create(self, request):
        _staff_first(request.user)
        data = CommitteeIn(data=request.data)
        data.is_valid(raise_exception=True)
        committee = committees.committee_save(actor=request.user, **data.validated_data)
        return Response(CommitteeOut(committees.committee_list(request.user).get(pk=committee.pk)).data, status=201)

    @extend_schema(request=CommitteeIn, responses=CommitteeOut, summary="Update a committee (staff)")
    def partial_update(self, request, pk=None):
        committee = self.get_object()
        _staff_first(request.user)
        current = {
            "name": committee.name,
            "kind": committee.kind,
            "members": [u.pk for u in committee.members.all()],
            "categories": [c.pk for c in committee.categories.all()],
            "description": committee.description,
            "active": committee.active,
        }
        data = CommitteeIn(data={**current, **request_object(request)})
        data.is_valid(raise_exception=True)
        committees.committee_save(actor=request.user, committee=committee, **data.validated_data)
        fresh = committees.committee_list(request.user).get(pk=committee.pk)
        return Response(CommitteeOut(fresh).data, status=status.HTTP_200_OK)
