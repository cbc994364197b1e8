from django.urls import path

from . import api

urlpatterns = [
    path("suggestions/similar/", api.SimilarView.as_view(), name="suggestion-similar"),
    path("routing/suggest/", api.RoutingSuggestView.as_view(), name="routing-suggest"),
    path("assignments/<int:pk>/reply-check/", api.ReplyCheckView.as_view(), name="assignment-reply-check"),
]
