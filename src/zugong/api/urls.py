"""API root: each app's viewsets on one router; the OpenAPI schema at ``/api/schema/`` and its
browsable docs at ``/api/docs/``."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView  # noqa: F401

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
