from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("suggestions/mine/", views.my_suggestions, name="my_suggestions"),
    path("suggestions/new/", views.suggestion_create, name="suggestion_create"),
    path("suggestions/deputies/", views.deputy_search, name="deputy_search"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/edit/", views.suggestion_edit, name="suggestion_edit"),
    path("suggestions/<int:pk>/assign/", views.suggestion_assign, name="suggestion_assign"),
    path("suggestions/<int:pk>/replies/<int:reply_pk>/", views.reply_letter, name="reply_letter"),
    path("suggestions/<int:pk>/do/<slug:action>/", views.suggestion_action, name="suggestion_action"),
    path("assignments/<int:pk>/do/<slug:action>/", views.assignment_action, name="assignment_action"),
    path("contacts/<int:pk>/dispute/", views.contact_dispute, name="contact_dispute"),
    path("commitments/<int:pk>/fulfil/", views.commitment_fulfil, name="commitment_fulfil"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("inbox/", views.inbox, name="inbox"),
    path("intake/", views.intake, name="intake"),
    path("requests/", views.request_queue, name="request_queue"),
    path("overview/", views.overview, name="overview"),
]
