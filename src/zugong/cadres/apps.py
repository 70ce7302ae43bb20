from importlib import import_module

from django.apps import AppConfig

# The parts of the app (issue #12), each a package with a ``hooks.register(app_label)`` that registers its
# navigation, views, API, import kinds and to-dos, and a ``urls.urlpatterns`` list (``cadres.urls``).
PARTS = ("posts", "record", "lrmx", "formfiles", "dossier", "reserve", "eligibility", "structure")


class CadresConfig(AppConfig):
    """干部工作 (issue #12): posts, quotas and establishment; appointments and ranks; the cadre record; the
    干部任免审批表 files (LRMX/LRM); the dossier audit; promotion eligibility; the reserve pool; structure
    analysis and the 干部名册. Scoped by the unit tree, data label ``cadre``."""

    name = "zugong.cadres"
    verbose_name = "干部工作"

    def ready(self) -> None:
        for part in PARTS:
            import_module(f"zugong.cadres.{part}.hooks").register(self.label)
