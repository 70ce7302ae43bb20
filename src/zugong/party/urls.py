"""Party member pages. Import/export routes live in ``import_urls`` (same namespace)."""

from django.urls import include, path

from zugong.party import views

app_name = "party"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("roster/", include("zugong.party.import_urls")),
]
