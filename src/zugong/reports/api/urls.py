from django.urls import path

from zugong.reports.api.views import PartyStatisticsView

urlpatterns = [
    path("stats/party/", PartyStatisticsView.as_view(), name="party-stats"),
]
