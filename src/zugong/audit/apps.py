from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zugong.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from zugong.audit import changelog
        from zugong.core import registry

        changelog.connect()
        registry.register_nav(section="系统管理", label="审计日志", url_name="audit:event_list", order=920,
                              admin_kinds=("audit",), app=self.label)
