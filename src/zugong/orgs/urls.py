"""Organization pages (``core.generic`` views in ``orgs.views``) and unit (单位) pages (``orgs.unit_views``);
the import pages come from the registered import kinds ``orgs`` and ``units``
(``core.import_views.import_urlpatterns``)."""

from django.urls import include, path

from zugong.core.import_views import import_urlpatterns
from zugong.orgs import term_views, unit_views, views

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
    path("<int:pk>/unit/", unit_views.OrganizationUnitEdit.as_view(), name="unit_set"),
    # 届次 (issue #10): 换届日期, 本届任期开始, 届满日期
    path("<int:pk>/terms/new/", term_views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", term_views.term_edit, name="term_edit"),
    path("units/picker/", unit_views.unit_picker, name="unit_picker"),
    path("import/", include(import_urlpatterns("orgs"))),
    # 单位 (units): the second tree
    path("units/", unit_views.UnitList.as_view(), name="unit_list"),
    path("units/<int:pk>/", unit_views.UnitDetail.as_view(), name="unit_detail"),
    path("units/<int:pk>/add-child/", unit_views.UnitCreateChild.as_view(), name="unit_create_child"),
    path("units/<int:pk>/edit/", unit_views.UnitEdit.as_view(), name="unit_edit"),
    path("units/<int:pk>/move/", unit_views.UnitMove.as_view(), name="unit_move"),
    path("units/<int:pk>/dissolve/", unit_views.UnitDissolve.as_view(), name="unit_dissolve"),
    path("units/<int:pk>/reactivate/", unit_views.UnitReactivate.as_view(), name="unit_reactivate"),
    path("units/import/", include(import_urlpatterns("units"))),
]
