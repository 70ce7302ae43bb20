from django.urls import path

from zugong.orgs import views

urlpatterns = [
    path("", views.import_orgs, name="import"),
]
