from django.urls import path

from . import views

app_name = "handling"

urlpatterns = [
    path("suggestions/<int:pk>/consult/", views.consult, name="consult"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/answer/", views.answer, name="answer"),
    path("assignments/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("steps/<int:pk>/done/", views.step_done, name="step_done"),
    path("commitments/<int:pk>/delivery/", views.confirm_delivery, name="confirm_delivery"),
]
