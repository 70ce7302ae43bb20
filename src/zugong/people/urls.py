"""Person pages. Sensitive-value routes (unmask) live in ``sensitive_urls`` (same namespace)."""

from django.urls import include, path

from zugong.people import views

app_name = "people"
urlpatterns = [
    path("<int:pk>/", views.person_detail, name="detail"),
    path("", include("zugong.people.sensitive_urls")),
]
