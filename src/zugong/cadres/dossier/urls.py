"""URL patterns of the cadres part ``dossier`` (included by ``cadres.urls``, namespace ``cadres``); see
``dossier.views``."""

from django.urls import path

from zugong.cadres.dossier import views

urlpatterns: list = [
    path("dossier/", views.DossierList.as_view(), name="dossier_list"),
    path("dossier/export.xlsx", views.DossierExport.as_view(), name="dossier_xlsx"),
    path("dossier/<int:pk>/", views.DossierDetail.as_view(), name="dossier_detail"),
    path("dossier/<int:pk>/decide/", views.DossierDecide.as_view(), name="dossier_decide"),
    path("dossier/run/<int:pk>/", views.DossierRun.as_view(), name="dossier_run"),
]
