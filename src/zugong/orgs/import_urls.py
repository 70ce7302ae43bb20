"""党组织 import routes (namespace ``orgs``, mounted at ``orgs/import/``)."""

from django.urls import path

from zugong.orgs import import_views

urlpatterns = [
    path("", import_views.import_form, name="import"),
    path("template/", import_views.import_template, name="import_template"),
    path("jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path("jobs/<int:pk>/status/", import_views.import_job_status, name="import_job_status"),
    path("jobs/<int:pk>/errors/", import_views.import_job_errors, name="import_job_errors"),
]
