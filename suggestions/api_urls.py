from rest_framework.routers import SimpleRouter

from .api import views

router = SimpleRouter()
router.register("sessions", views.SessionViewSet, basename="session")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("deadlines", views.DeadlineViewSet, basename="deadline")

urlpatterns = router.urls
