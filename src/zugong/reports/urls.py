from django.urls import path

from zugong.reports import annual_views, life_views, quality_views, views

app_name = "reports"
urlpatterns = [
    path("party-stats/", views.party_stats, name="party_stats"),
    path("party-stats/xlsx/", views.party_stats_xlsx, name="party_stats_xlsx"),
    path("quality/", quality_views.quality, name="quality"),
    path("quality/xlsx/", quality_views.quality_export, name="quality_xlsx"),
    path("annual/", annual_views.annual_page, name="annual"),
    path("annual/xlsx/", annual_views.annual_xlsx, name="annual_xlsx"),
    path("annual/records/", annual_views.annual_records, name="annual_records"),
    path("life/", life_views.life_page, name="life"),
]
