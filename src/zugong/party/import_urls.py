"""党员花名册 import and export routes (namespace ``party``, mounted at ``party/roster/``)."""

from django.urls import path

from zugong.party import import_views

urlpatterns = [
    path("import/", import_views.import_form, name="import_roster"),
    path("import/template/", import_views.import_template, name="import_roster_template"),
    path("import/jobs/<int:pk>/", import_views.import_job, name="import_roster_job"),
    path("import/jobs/<int:pk>/status/", import_views.import_job_status, name="import_roster_job_status"),
    path("import/jobs/<int:pk>/errors/", import_views.import_job_errors, name="import_roster_job_errors"),
    path("export/", import_views.export_roster_view, name="export_roster"),
    path("export/options/", import_views.export_roster_form, name="export_roster_form"),
]
