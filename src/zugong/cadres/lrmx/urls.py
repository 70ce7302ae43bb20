"""URL patterns of the cadres part ``lrmx`` (included by ``cadres.urls``, namespace ``cadres``): the
appointment-form downloads of one cadre."""

from django.urls import path

from zugong.cadres.lrmx import views

urlpatterns: list = [
    path("<int:pk>/form.lrmx", views.form_lrmx, name="form_lrmx"),
    path("<int:pk>/form.docx", views.form_docx, name="form_docx"),
]
