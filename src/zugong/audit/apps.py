from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zugong.audit"
    verbose_name = "审计"
