from django.urls import path

from .api.views import DeputyRecordView

urlpatterns = [
    path("deputies/<int:pk>/record/", DeputyRecordView.as_view(), name="deputy-record"),
]
