"""Root URL configuration: each app's pages under its own prefix, the API under ``/api/``."""

from django.urls import include, path

from zugong.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("zugong.accounts.urls")),
    path("orgs/", include("zugong.orgs.urls")),
    path("people/", include("zugong.people.urls")),
    path("party/", include("zugong.party.urls")),
    path("life/", include("zugong.life.urls")),
    path("branches/", include("zugong.branches.urls")),
    path("grading/", include("zugong.grading.urls")),
    path("development/", include("zugong.development.urls")),
    path("cadres/", include("zugong.cadres.urls")),
    path("reports/", include("zugong.reports.urls")),
    path("audit/", include("zugong.audit.urls")),
    path("imports/", include("zugong.core.import_urls")),
    path("api/", include("zugong.api.urls")),
]

handler403 = "zugong.core.views.error_403"
handler404 = "zugong.core.views.error_404"
handler500 = "zugong.core.views.error_500"
