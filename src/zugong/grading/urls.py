"""Pages of the grading app (达标晋级, issue #11); see ``grading.views``."""

from django.urls import path

from zugong.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.GradingList.as_view(), name="list"),
    path("export/", views.GradingExport.as_view(), name="export"),
    path("<int:pk>/", views.GradingDetail.as_view(), name="detail"),
    path("<int:pk>/edit/", views.GradingEdit.as_view(), name="edit"),
    path("branches/<int:pk>/new/", views.GradingCreate.as_view(), name="create"),
    path("branches/<int:pk>/weak/new/", views.WeakCreate.as_view(), name="weak_create"),
    path("weak/", views.WeakList.as_view(), name="weak_list"),
    path("weak/export/", views.WeakExport.as_view(), name="weak_export"),
    path("weak/<int:pk>/rectify/", views.WeakRectify.as_view(), name="weak_rectify"),
    path("weak/<int:pk>/verify/", views.WeakVerify.as_view(), name="weak_verify"),
]
