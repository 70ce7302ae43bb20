"""URLs of the 三会一课晾晒 (included by ``life/urls.py`` under ``compliance/``, in the ``life`` namespace)."""

from django.urls import path

from zugong.life import compliance_views

urlpatterns = [
    path("", compliance_views.compliance, name="compliance"),
    path("xlsx/", compliance_views.compliance_export, name="compliance_xlsx"),
    path("branch/", compliance_views.compliance_branch, name="compliance_branch"),
]
