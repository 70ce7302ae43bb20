from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zugong.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from zugong.core import checks  # noqa: F401  (registers system checks)
        from zugong.core.import_jobs import remove_leftover_uploads

        # Start-up: delete upload files (plaintext ID numbers) left by a process that died mid-import.
        # Files of imports running in other processes are locked and stay (see core/import_jobs.py).
        remove_leftover_uploads()
