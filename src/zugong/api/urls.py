"""API root. Each app contributes ``zugong.<app>.api.urls`` (its own router); the OpenAPI schema is
served at ``/api/schema/`` (YAML; ``?format=json`` for JSON)."""

from importlib.util import find_spec

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
for _app in ("orgs", "party", "people", "reports", "accounts", "audit"):
    if find_spec(f"zugong.{_app}.api") and find_spec(f"zugong.{_app}.api.urls"):
        urlpatterns.append(path("", include(f"zugong.{_app}.api.urls")))
