"""Pages of the branches app (issue #11), mounted at ``/branches/`` (namespace ``branches``)."""

from django.urls import include, path

from zugong.branches import views

app_name = "branches"
urlpatterns: list = [
    # 班子成员 (branches.officers)
    path("orgs/<int:pk>/officers/new/", views.officer_appoint, name="officer_appoint"),
    path("officers/<int:pk>/end/", views.officer_end, name="officer_end"),
    path("officers/<int:pk>/edit/", views.officer_edit, name="officer_edit"),
    # 党支部达标情况 (branches.standards)
    path("standards/", views.standards_list, name="standards"),
    path("standards/xlsx/", views.standards_export, name="standards_xlsx"),
    # 支部书记持证上岗 (branches.certification)
    path("certification/", include("zugong.branches.certification_urls")),
]
