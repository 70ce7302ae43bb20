"""URL patterns of the cadres part ``eligibility`` (included by ``cadres.urls``, namespace ``cadres``)."""

from django.urls import path

from zugong.cadres.eligibility import views

urlpatterns: list = [
    path("<int:pk>/eligibility/", views.EligibilityView.as_view(), name="eligibility"),
    path("<int:pk>/supervision/add/", views.SupervisionAdd.as_view(), name="supervision_add"),
    path("supervision/<int:pk>/edit/", views.SupervisionEdit.as_view(), name="supervision_edit"),
    path("supervision/<int:pk>/delete/", views.SupervisionDelete.as_view(), name="supervision_delete"),
]
