from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api import ApiRootView

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api_urls")),
    path("", include("suggestions.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("dashboards.api_urls")),
]

handler400 = "config.api.bad_request"
handler404 = "config.api.not_found"
handler500 = "config.api.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("accounts/", include("accounts.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("suggestions.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
