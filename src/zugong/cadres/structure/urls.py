"""URL patterns of the cadres part ``structure`` (included by ``cadres.urls``, namespace ``cadres``):
干部结构分析 page and ``.xlsx``, the 干部名册 ``.xlsx``, and the 导入干部名册 pages (``core.import_views``)."""

from django.urls import include, path

from zugong.cadres.structure import views
from zugong.core.import_views import import_urlpatterns

urlpatterns: list = [
    path("structure/", views.structure_page, name="structure"),
    path("structure/xlsx/", views.structure_xlsx_view, name="structure_xlsx"),
    path("roster/xlsx/", views.roster_xlsx_view, name="roster_xlsx"),
    path("roster/import/", include(import_urlpatterns("cadre_roster"))),
]
