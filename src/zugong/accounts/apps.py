from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from zugong.accounts.roles import sync_builtin_roles

    sync_builtin_roles(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "zugong.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from zugong.core import registry

        post_migrate.connect(_sync_roles, sender=self)
        # 系统管理: the consoles of the administrator roles the user holds (三权分立).
        admin = "系统管理"
        registry.register_nav(section=admin, label="用户管理", url_name="accounts:user_list", order=900,
                              admin_kinds=("system",), app=self.label)
        registry.register_nav(section=admin, label="角色授权", url_name="accounts:grant_list", order=910,
                              admin_kinds=("security",), app=self.label)
        registry.register_nav(section=admin, label="待确认的授权", url_name="accounts:pending_grants", order=911,
                              admin_kinds=("security",), app=self.label)
        registry.register_nav(section=admin, label="角色与数据标签", url_name="accounts:role_list", order=912,
                              admin_kinds=("security",), app=self.label)
        # every administrator kind approves the resets of the other kinds' accounts
        registry.register_nav(section=admin, label="管理员重置审批", url_name="accounts:reset_request_list",
                              order=990, any_admin=True, app=self.label)
