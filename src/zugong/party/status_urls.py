"""URLs of the 党员状态 pages (``party.status_views``), included by ``party/urls.py`` in the ``party``
namespace."""

from django.urls import path

from zugong.party import status_views

urlpatterns = [
    path("members/<int:pk>/statuses/", status_views.member_statuses, name="member_statuses"),
    path("members/<int:pk>/statuses/new/", status_views.status_start, name="status_start"),
    path("statuses/<int:pk>/end/", status_views.status_end, name="status_end"),
]
