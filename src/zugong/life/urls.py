"""Pages of the life app (组织生活, issue #11): meeting records (``life.views``); the ledger import pages come
from the registered import kind ``meetings`` (``core.import_views.import_urlpatterns``)."""

from django.urls import include, path

from zugong.core.import_views import import_urlpatterns
from zugong.life import evaluation_views, views

app_name = "life"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("meetings/<int:pk>/evaluation/", evaluation_views.member_evaluation_entry, name="member_evaluation_entry"),
    path("orgs/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/import/", include(import_urlpatterns("meetings"))),
    path("compliance/", include("zugong.life.compliance_urls")),  # 三会一课晾晒 (life/compliance_urls.py)
]
