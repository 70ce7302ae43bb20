"""Routes of 组织关系转接 (``party.transfer_views``), included by ``party/urls.py`` at its root (namespace
``party``): the person-page actions under ``members/<pk>/``, the rest under ``transfers/``."""

from django.urls import path

from zugong.party import transfer_views as views

urlpatterns = [
    path("members/<int:pk>/transfers/new/", views.transfer_start, name="transfer_start"),
    path("members/<int:pk>/transfer-out/", views.transfer_out, name="transfer_out"),
    path("transfers/", views.transfer_list_view, name="transfer_list"),
    path("transfers/in/new/", views.transfer_in, name="transfer_in"),
    path("transfers/targets/", views.transfer_target_picker, name="transfer_target_picker"),
    path("transfers/whole-unit/<int:org_pk>/", views.whole_unit_transfer, name="whole_unit_transfer"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/return/", views.transfer_return, name="transfer_return"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/<int:pk>/letter/", views.transfer_letter, name="transfer_letter"),
]
