from django.urls import path

from .api import views as api

urlpatterns = [
    path("suggestions/similar/", api.SimilarView.as_view(), name="suggestion-similar"),
    path("routing/suggest/", api.RoutingSuggestView.as_view(), name="routing-suggest"),
    path("assignments/<int:pk>/reply-check/", api.ReplyCheckView.as_view(), name="assignment-reply-check"),
]
