"""Sensitive person routes (included in the ``people`` namespace): 查看明文 and 编辑."""

from django.urls import path

from zugong.people import sensitive_views

urlpatterns = [
    path("<int:pk>/unmask/", sensitive_views.unmask, name="unmask"),
    path("<int:pk>/edit/", sensitive_views.person_edit, name="edit"),
]
