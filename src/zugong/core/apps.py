from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zugong.core"
    verbose_name = "基础"

    def ready(self) -> None:
        import logging

        from zugong.core import checks  # noqa: F401  (registers system checks)
        from zugong.core.import_jobs import remove_leftover_uploads

        # Start-up: delete upload files (plaintext ID numbers) left by a process that died mid-import.
        # Files of imports running in other processes are locked and stay (see core/import_jobs.py).
        try:
            remove_leftover_uploads()
        except OSError:  # an unreadable directory must not stop the server; each submission retries
            logging.getLogger(__name__).exception("could not clean the import upload directory")
