from django.apps import AppConfig
from django.db import models
from django.db.models.signals import pre_save


def strip_stored_text(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save`` for every model of a Zugong app: remove control and invisible format characters from
    its text fields before they are stored (``core.text.strip_controls``; text fields keep line breaks).
    Fixture loading (``raw``) is left as it is."""
    if raw or not sender.__module__.startswith("zugong."):
        return
    from zugong.core.text import strip_controls

    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                cleaned = strip_controls(value, multiline=isinstance(field, models.TextField))
                if cleaned is not value:
                    setattr(instance, field.attname, cleaned)


class CoreConfig(AppConfig):
    name = "zugong.core"
    verbose_name = "基础"

    def ready(self) -> None:
        import logging

        from zugong.core import checks, scope_checks  # noqa: F401  (registers system checks)
        from zugong.core.import_jobs import remove_leftover_uploads

        pre_save.connect(strip_stored_text, dispatch_uid="zugong.core.strip_stored_text")

        # Start-up: delete upload files (plaintext ID numbers) left by a process that died mid-import.
        # Files of imports running in other processes are locked and stay (see core/import_jobs.py).
        try:
            remove_leftover_uploads()
        except OSError:  # an unreadable directory must not stop the server; each submission retries
            logging.getLogger(__name__).exception("could not clean the import upload directory")
