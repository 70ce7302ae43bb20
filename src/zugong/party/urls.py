"""Party member pages: the roster (``views``), the member record pages (新增党员, 转接, 转正, 结束组织关系,
党员变动: ``member_views``), the roster export (``export_views``); the roster import pages come from the registered
import kind ``roster`` (``core.import_views.import_urlpatterns``)."""

from django.urls import include, path

from zugong.core.import_views import import_urlpatterns
from zugong.party import export_views, member_views, views

app_name = "party"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/new/", member_views.member_create, name="member_create"),
    path("members/<int:pk>/transfer/", member_views.membership_transfer, name="membership_transfer"),
    path("members/<int:pk>/full-membership/", member_views.membership_full, name="membership_full"),
    path("members/<int:pk>/end/", member_views.membership_end, name="membership_end"),
    # 党员变动 (issue #10): the kind-less form, then one form per kind (the same view and URL name)
    path("members/<int:pk>/events/new/", member_views.event_create, name="event_create"),
    path("members/<int:pk>/events/<slug:kind>/", member_views.event_create, name="event_create"),
    path("members/<int:pk>/events/<int:event_id>/revoke/", member_views.event_revoke, name="event_revoke"),
    path("", include("zugong.party.status_urls")),  # 党员状态 (流动党员, 失联党员, 出国（境）)
    path("roster/import/", include(import_urlpatterns("roster"))),
    path("changes/import/", include(import_urlpatterns("changes"))),
    path("roster/export/", export_views.export_roster_view, name="export_roster"),
    path("roster/export/options/", export_views.export_roster_form, name="export_roster_form"),
    path("", include("zugong.party.transfer_urls")),  # 组织关系转接 (issue #10): members/<pk>/transfer…, transfers/…
]
