"""``ENGINE = "zugong.core.sqlite_backend"``: Django's SQLite backend, except that the database file is
created with mode 0600 before SQLite opens it (SQLite's own default is 0644, and its ``-wal``, ``-shm``
and ``-journal`` files copy the database file's mode), and files left more open by earlier versions are
restricted (``core.filemodes.prepare_sqlite_file``). ``settings.py`` selects it for every
``sqlite://`` ``DATABASE_URL``. GB/T 22239-2019 8.1.4.8; ``docs/security.md`` §4.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from zugong.core.filemodes import prepare_sqlite_file


class DatabaseWrapper(base.DatabaseWrapper):
    """``django.db.backends.sqlite3``'s wrapper; ``vendor`` stays ``"sqlite"``."""

    def get_new_connection(self, conn_params):
        """Prepare the database file (0600), then open it as Django does; same arguments and errors."""
        prepare_sqlite_file(conn_params.get("database"))
        return super().get_new_connection(conn_params)
