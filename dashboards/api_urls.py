from django.urls import path

from .api import views as api

urlpatterns = [
    path("stats/units/", api.UnitStatsView.as_view(), name="stats-units"),
    path("stats/categories/", api.CategoryStatsView.as_view(), name="stats-categories"),
    path("stats/sessions/", api.SessionStatsView.as_view(), name="stats-sessions"),
    path("stats/years/", api.YearStatsView.as_view(), name="stats-years"),
    path("stats/key-items/", api.KeyItemStatsView.as_view(), name="stats-key-items"),
    path("stats/overview/", api.OverviewView.as_view(), name="stats-overview"),
    path("stats/assessment/", api.AssessmentView.as_view(), name="stats-assessment"),
    path("stats/drill/", api.DrillView.as_view(), name="stats-drill"),
    path("stats/settings/", api.SettingsView.as_view(), name="stats-settings"),
    path("stats/snapshots/", api.SnapshotListView.as_view(), name="stats-snapshots"),
    path("stats/snapshots/<int:pk>/", api.SnapshotDetailView.as_view(), name="stats-snapshot"),
]
