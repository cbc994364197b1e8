from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import views as api

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("assignments/<int:pk>/urge/", api.AssignmentUrgeView.as_view(), name="assignment-urge"),
    *router.urls,
]
