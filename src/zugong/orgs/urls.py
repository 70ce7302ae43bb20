"""Organization pages. Import routes live in ``import_urls`` (same namespace)."""

from django.urls import include, path

from zugong.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("import/", include("zugong.orgs.import_urls")),
]
