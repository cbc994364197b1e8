from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import views as api

router = SimpleRouter()
router.register("consultations", api.ConsultationViewSet, basename="consultation")

urlpatterns = [
    path("suggestions/<int:pk>/consult/", api.ConsultView.as_view(), name="suggestion-consult"),
    path("assignments/<int:pk>/plan/", api.PlanView.as_view(), name="assignment-plan"),
    path("plan-steps/<int:pk>/done/", api.PlanStepDoneView.as_view(), name="plan-step-done"),
    *router.urls,
]
