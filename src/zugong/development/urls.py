"""Pages of the development app (issue #11); see ``views``."""

from django.urls import path

from zugong.development import views

app_name = "development"
urlpatterns = [
    path("", views.PipelineList.as_view(), name="list"),
    path("<int:pk>/", views.RecordDetail.as_view(), name="detail"),
    path("<int:pk>/step/", views.StepRecord.as_view(), name="step"),
    path("<int:pk>/participants/", views.Participants.as_view(), name="participants"),
    path("<int:pk>/close/", views.Close.as_view(), name="close"),
    path("start/<int:pk>/", views.Start.as_view(), name="start"),
]
