"""URL patterns of the cadres part ``reserve`` (included by ``cadres.urls``, namespace ``cadres``)."""

from django.urls import path

from zugong.cadres.reserve import views

urlpatterns: list = [
    path("reserve/", views.ReserveList.as_view(), name="reserve_list"),
    path("reserve/export.xlsx", views.ReserveExport.as_view(), name="reserve_xlsx"),
    path("reserve/<int:pk>/", views.ReserveDetail.as_view(), name="reserve_detail"),
    path("reserve/<int:pk>/move/", views.ReserveMove.as_view(), name="reserve_move"),
    path("reserve/<int:pk>/exit/", views.ReserveExit.as_view(), name="reserve_exit"),
    path("reserve/<int:pk>/review/", views.ReserveReview.as_view(), name="reserve_review"),
    path("reserve/<int:pk>/measures/add/", views.MeasureAdd.as_view(), name="reserve_measure_add"),
    path("reserve/measures/<int:pk>/follow-up/", views.MeasureFollowUp.as_view(), name="reserve_measure_follow_up"),
    path("<int:pk>/reserve/enter/", views.ReserveEnter.as_view(), name="reserve_enter"),
]
