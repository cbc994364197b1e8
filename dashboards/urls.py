from django.urls import path

from . import public_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/", views.unit_sheet, name="unit"),
    path("categories/", views.categories, name="categories"),
    path("key-items/", views.key_items, name="key_items"),
    path("drill/", views.drill, name="drill"),
    path("assessment/", views.assessment, name="assessment"),
    path("report/", views.report, name="report"),
    path("report/publish/", public_views.manage, name="publish_report"),
    path("report/publish/do/", public_views.publish, name="publish_report_do"),
    path("settings/", views.settings_view, name="settings"),
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
]
