from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import views
from .api.committees import CommitteeViewSet

router = SimpleRouter()
router.register("key-items", views.KeyItemViewSet, basename="key-item")
router.register("monthly-reports", views.MonthlyReportViewSet, basename="monthly-report")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("follow-up-actions", views.FollowUpActionViewSet, basename="follow-up-action")
router.register("suggestion-supervisors", views.SuggestionSupervisorViewSet, basename="suggestion-supervisor")
router.register("instructions", views.InstructionViewSet, basename="instruction")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("committees", CommitteeViewSet, basename="committee")

urlpatterns = [
    path("suggestions/<int:pk>/repeat-chain/", views.RepeatChainView.as_view(), name="suggestion-repeat-chain"),
    path(
        "suggestions/<int:pk>/repeat-candidates/",
        views.RepeatCandidatesView.as_view(),
        name="suggestion-repeat-candidates",
    ),
    path("suggestions/<int:pk>/link-repeat/", views.LinkRepeatView.as_view(), name="suggestion-link-repeat"),
    path("suggestions/<int:pk>/link-follow-up/", views.LinkFollowUpView.as_view(), name="suggestion-link-follow-up"),
    *router.urls,
]
