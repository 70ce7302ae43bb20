"""Pages of the branches app (issue #11)."""

from django.urls import include, path

app_name = "branches"
urlpatterns: list = [
    path("certification/", include("zugong.branches.certification_urls")),
]
