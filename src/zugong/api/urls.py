"""API root, built from the registry: each app registers its viewsets (prefix, viewset, basename) and plain
API paths in its ``AppConfig.ready`` (``core.registry.register_api_viewset`` / ``register_api_path``);
they are put on one router here. The OpenAPI schema is served at ``/api/schema/`` (YAML;
``?format=json`` for JSON)."""

from django.urls import path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from zugong.core.registry import registry

app_name = "api"


def _view(target):
    view = import_string(target) if isinstance(target, str) else target
    return view.as_view() if hasattr(view, "as_view") else view


registry.views  # noqa: B018 — declares (and checks) every registered viewset's routes before routing them
router = SimpleRouter()
for _entry in registry.api_viewsets:
    router.register(_entry.prefix, _entry.view_class, basename=_entry.basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
    *(path(_p.route, _view(_p.view), name=_p.name) for _p in registry.api_paths),
]
