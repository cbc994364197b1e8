from django.urls import path

from . import views

app_name = "deputies"

urlpatterns = [
    path("", views.record_index, name="index"),
    path("mine/", views.my_record, name="mine"),
    path("records.xlsx", views.records_export, name="export"),
    path("<int:pk>/record/", views.record, name="record"),
]
