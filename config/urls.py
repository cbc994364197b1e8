from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config.api import ApiRootView

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api_urls")),
    path("", include("textanalysis.api_urls")),  # before suggestions/<pk>/ would take "similar"
    path("", include("suggestions.api_urls")),
    path("", include("handling.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("dashboards.api_urls")),
    path("", include("deputies.api_urls")),
    path("", include("audit.api_urls")),
]

handler400 = "config.api.bad_request"
handler404 = "config.api.not_found"
handler500 = "config.api.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Redoc renders with styled-components (inline <style>) and a blob: worker; allowed on this page only.
    path(
        "api/redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="api-redoc",
    ),
    path("accounts/", include("accounts.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("handling/", include("handling.urls")),
    path("deputies/", include("deputies.urls")),
    path("public/report/", include("dashboards.public_urls")),
    path("audit/", include("audit.urls")),
    path("text/", include("textanalysis.urls")),
    path("", include("suggestions.urls")),
]

# No /media/ route in any mode (issue 12): uploaded files go out only through the attachment view,
# which applies the visibility rule.
