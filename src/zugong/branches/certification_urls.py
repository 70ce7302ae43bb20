"""URLs of 书记持证上岗 (``branches.certification_views``), included by ``branches/urls.py`` at
``certification/`` (namespace ``branches``)."""

from django.urls import path

from zugong.branches import certification_views as views

urlpatterns = [
    path("", views.CertificationPage.as_view(), name="certification"),
    path("export/", views.CertificationXlsx.as_view(), name="certification_xlsx"),
    path("person/<int:pk>/", views.PersonCertification.as_view(), name="certification_person"),
    path("training/new/", views.TrainingCreate.as_view(), name="training_create"),
    path("training/<int:pk>/certificate/", views.CertificateIssue.as_view(), name="certificate_issue"),
    path("certificates/<int:pk>/revoke/", views.CertificateRevoke.as_view(), name="certificate_revoke"),
    path("certificates/<int:pk>/renew/", views.CertificateRenew.as_view(), name="certificate_renew"),
]
