"""Sensitive person routes (included in the ``people`` namespace): 查看明文 and 编辑 (``views.PersonEdit``)."""

from django.urls import path

from zugong.people import sensitive_views, views

urlpatterns = [
    path("<int:pk>/unmask/", sensitive_views.unmask, name="unmask"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
]
