"""Party member pages. Import/export routes live in ``import_urls`` (same namespace); the member record
pages (新增党员, 转接, 转正, 结束组织关系) in ``member_views``."""

from django.urls import include, path

from zugong.party import member_views, views

app_name = "party"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/new/", member_views.member_create, name="member_create"),
    path("members/<int:pk>/transfer/", member_views.membership_transfer, name="membership_transfer"),
    path("members/<int:pk>/full-membership/", member_views.membership_full, name="membership_full"),
    path("members/<int:pk>/end/", member_views.membership_end, name="membership_end"),
    path("roster/", include("zugong.party.import_urls")),
]
