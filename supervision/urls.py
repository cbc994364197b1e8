from django.urls import path

from . import committee_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("key-items/new/", views.key_item_new, name="key_item_new"),
    path("key-items/<int:pk>/", views.key_item_detail, name="key_item"),
    path("key-items/<int:pk>/edit/", views.key_item_edit, name="key_item_edit"),
    path("key-items/<int:pk>/regenerate-regime/", views.key_item_regenerate, name="key_item_regenerate"),
    path("key-items/<int:pk>/instruct/", views.key_item_instruct, name="key_item_instruct"),
    path("key-items/<int:pk>/half-year-report/", views.key_item_half_year, name="key_item_half_year"),
    path("key-items/<int:pk>/year-end-score/", views.key_item_score, name="key_item_score"),
    path("key-items/<int:pk>/year-end-result/", views.key_item_result, name="key_item_result"),
    path("key-items/<int:pk>/complete/", views.key_item_complete, name="key_item_complete"),
    path("key-items/<int:pk>/monthly-report/", views.monthly_report, name="monthly_report"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/export.xlsx", views.inspection_export, name="inspection_export"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/release/", views.inspection_release, name="inspection_release"),
    path("follow-up-actions/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("unit/", views.unit_page, name="unit"),
    path("mine/", views.mine, name="mine"),
    path("suggestions/<int:pk>/", views.suggestion_supervision, name="suggestion"),
    path("suggestions/<int:pk>/supervisors/", views.suggestion_attach, name="suggestion_attach"),
    path("suggestions/<int:pk>/supervisors/<int:link_pk>/detach/", views.suggestion_detach, name="suggestion_detach"),
    path("suggestions/<int:pk>/instruct/", views.suggestion_instruct, name="suggestion_instruct"),
    path("suggestions/<int:pk>/link-repeat/", views.suggestion_link_repeat, name="suggestion_link_repeat"),
    path("suggestions/<int:pk>/link-follow-up/", views.suggestion_link_follow_up, name="suggestion_link_follow_up"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("committees/", committee_views.committee_list, name="committees"),
    path("committees/new/", committee_views.committee_new, name="committee_new"),
    path("committees/<int:pk>/", committee_views.committee_detail, name="committee"),
    path("committees/<int:pk>/edit/", committee_views.committee_edit, name="committee_edit"),
]
