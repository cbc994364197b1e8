from django.urls import path

from . import views

urlpatterns = [
    path("draft-assist/", views.draft_assist, name="text_draft_assist"),
    path("intake-hint/<int:pk>/", views.intake_hint, name="text_intake_hint"),
    path("routing/<int:pk>/", views.routing_panel, name="text_routing_panel"),
    path("reply-check/<int:pk>/", views.reply_check_panel, name="text_reply_check"),
    path("chronic/", views.chronic_issues, name="text_chronic"),
    path("routing-accuracy/", views.routing_accuracy, name="text_routing_accuracy"),
]
