"""Organization pages (``core.generic`` views in ``orgs.views``); the import pages come from the
registered import kind ``orgs`` (``core.import_views.import_urlpatterns``)."""

from django.urls import include, path

from zugong.core.import_views import import_urlpatterns
from zugong.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.OrganizationDetail.as_view(), name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/add-child/", views.OrganizationCreateChild.as_view(), name="create_child"),
    path("<int:pk>/edit/", views.OrganizationEdit.as_view(), name="edit"),
    path("<int:pk>/move/", views.OrganizationMove.as_view(), name="move"),
    path("<int:pk>/dissolve/", views.OrganizationDissolve.as_view(), name="dissolve"),
    path("<int:pk>/reactivate/", views.OrganizationReactivate.as_view(), name="reactivate"),
    path("picker/", views.picker, name="picker"),
    path("import/", include(import_urlpatterns("orgs"))),
]
