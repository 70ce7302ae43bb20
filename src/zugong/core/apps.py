from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zugong.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from zugong.core import checks  # noqa: F401  (registers system checks)
