"""The ``zugong`` console script: Django management with Zugong's own commands.

``zugong demo`` runs the demo; ``zugong import orgs FILE``, ``zugong import roster FILE``,
``zugong stats party …`` and every Django command (``migrate``, ``createsuperuser`` …) work as with
``manage.py``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point. ``argv`` defaults to ``sys.argv``; exits with the command's status."""
    argv = list(sys.argv if argv is None else argv)
    if not (os.environ.get("ZUGONG_SECRET_KEY") or os.environ.get("DATABASE_URL")):
        # Any command on the embedded default (no DATABASE_URL, no secret key configured) runs in
        # development mode; a deployment that configures either gets production settings, where
        # ``zugong demo`` refuses to run (a demo on PostgreSQL needs ZUGONG_DEBUG=1 said explicitly).
        os.environ.setdefault("ZUGONG_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zugong.settings")
    if len(argv) > 2 and argv[1] == "import":
        # ``zugong import orgs FILE`` → ``import_orgs FILE``
        argv = [argv[0], f"import_{argv[2]}", *argv[3:]]
    elif len(argv) > 2 and argv[1] == "stats":
        argv = [argv[0], f"stats_{argv[2]}", *argv[3:]]
    elif len(argv) > 2 and argv[1] == "audit":
        argv = [argv[0], f"audit_{argv[2]}", *argv[3:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
