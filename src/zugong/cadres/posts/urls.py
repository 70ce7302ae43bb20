"""URL patterns of the cadres part ``posts`` (included by ``cadres.urls``, namespace ``cadres``)."""

from django.urls import path

from zugong.cadres.posts import views

urlpatterns: list = [
    path("quota/", views.QuotaTableView.as_view(), name="quota_table"),
    path("quota/xlsx/", views.QuotaTableXlsxView.as_view(), name="quota_table_xlsx"),
    path("posts/", views.PostListView.as_view(), name="post_list"),
    path("posts/unit/<int:pk>/", views.UnitPostsView.as_view(), name="unit_posts"),
    path("posts/unit/<int:unit>/new/", views.PostCreateView.as_view(), name="post_create"),
    path("posts/unit/<int:unit>/quota/", views.QuotaSetView.as_view(), name="quota_set"),
    path("posts/unit/<int:unit>/establishment/", views.EstablishmentSetView.as_view(), name="establishment_set"),
    path("posts/<int:pk>/edit/", views.PostEditView.as_view(), name="post_edit"),
    path("posts/<int:pk>/close/", views.PostCloseView.as_view(), name="post_close"),
    path("posts/<int:pk>/appoint/", views.PostAppointView.as_view(), name="post_appoint"),
    path("posts/cadre/<int:pk>/appoint/", views.CadreAppointView.as_view(), name="cadre_appoint"),
    path("posts/cadre/<int:pk>/rank/", views.RankSetView.as_view(), name="rank_set"),
    path("posts/appointments/<int:pk>/remove/", views.AppointmentRemoveView.as_view(), name="appointment_remove"),
    path("posts/appointments/<int:pk>/edit/", views.AppointmentEditView.as_view(), name="appointment_edit"),
]
