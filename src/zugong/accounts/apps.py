from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from zugong.accounts.roles import sync_builtin_roles

    sync_builtin_roles(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "zugong.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)
