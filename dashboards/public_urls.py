from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.public_reports, name="public_reports"),
    path("<int:year>/", public_views.public_report, name="public_report"),
]
