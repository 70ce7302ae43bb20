from django.apps import AppConfig


class LifeConfig(AppConfig):
    """组织生活 (issue #11): meeting records (三会一课、主题党日、组织生活会…), the compliance engine and its
    晾晒 (通报/评比), and the figures of party life for reports."""

    name = "zugong.life"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from zugong.life import compliance_setup

        compliance_setup.register(self)  # compliance engine, 晾晒 and its to-dos (life/compliance_setup.py)
