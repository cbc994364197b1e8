from rest_framework.routers import SimpleRouter

from .api import views as api

router = SimpleRouter()
router.register("audit-events", api.AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
