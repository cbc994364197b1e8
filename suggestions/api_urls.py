from rest_framework.routers import SimpleRouter

from .api import public, views

router = SimpleRouter()
router.register("sessions", views.SessionViewSet, basename="session")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("public/suggestions", public.PublicSuggestionViewSet, basename="public-suggestion")
router.register("public/replies", public.PublicReplyViewSet, basename="public-reply")

urlpatterns = router.urls
