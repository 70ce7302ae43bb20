"""URL patterns of the cadres part ``formfiles`` (included by ``cadres.urls``, namespace ``cadres``):
``cadres:form_import`` — the upload page, and (with the batch id) the preview/result page of one batch."""

from django.urls import path

from zugong.cadres.formfiles.views import form_import

urlpatterns: list = [
    path("form-import/", form_import, name="form_import"),
    path("form-import/<int:batch>/", form_import, name="form_import"),
]
