"""Organization pages. Import routes live in ``import_urls`` (same namespace)."""

from django.urls import include, path

from zugong.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/add-child/", views.create_child, name="create_child"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("picker/", views.picker, name="picker"),
    path("import/", include("zugong.orgs.import_urls")),
]
