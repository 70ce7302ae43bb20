"""Organization and unit (单位) pages. The 党组织 import routes live in ``import_urls`` (same namespace)."""

from django.urls import include, path

from zugong.orgs import unit_import_views, unit_views, views

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
    path("<int:pk>/unit/", unit_views.organization_unit_edit, name="unit_set"),
    path("import/", include("zugong.orgs.import_urls")),
    # 单位 (units): the second tree
    path("units/", unit_views.unit_list_view, name="unit_list"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/add-child/", unit_views.unit_create_child, name="unit_create_child"),
    path("units/<int:pk>/edit/", unit_views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", unit_views.unit_move, name="unit_move"),
    path("units/<int:pk>/dissolve/", unit_views.unit_dissolve, name="unit_dissolve"),
    path("units/<int:pk>/reactivate/", unit_views.unit_reactivate, name="unit_reactivate"),
    path("units/import/", unit_import_views.import_form, name="unit_import"),
    path("units/import/template/", unit_import_views.import_template, name="unit_import_template"),
    path("units/import/jobs/<int:pk>/", unit_import_views.import_job, name="unit_import_job"),
    path("units/import/jobs/<int:pk>/status/", unit_import_views.import_job_status, name="unit_import_job_status"),
    path("units/import/jobs/<int:pk>/errors/", unit_import_views.import_job_errors, name="unit_import_job_errors"),
]
