"""The ``zugong`` console script: Django management with Zugong's own commands.

``zugong demo`` runs the demo; ``zugong setup`` installs; ``zugong import orgs FILE``,
``zugong import roster FILE``, ``zugong stats party …``, ``zugong audit verify`` and every Django command
(``migrate``, ``check`` …) work as with ``manage.py``. Commands named ``<group>_<name>`` (``import_orgs``,
``stats_party``, ``audit_verify``) are called as ``zugong <group> <name>``; ``zugong`` or ``zugong help``
lists Zugong's commands that way, ``zugong <group> --help`` a group's.
"""

from __future__ import annotations

import os
import sys

GROUPS = {"import": "导入", "export": "导出", "stats": "统计报表", "audit": "审计日志"}


def _zugong_commands() -> dict[str, str]:
    """``{"import orgs": help text, "setup": …}``: the commands of Zugong's own apps, grouped names spaced."""
    from django.core.management import get_commands, load_command_class

    found = {}
    for name, app in sorted(get_commands().items()):
        if not app.startswith("zugong."):
            continue
        group, _, rest = name.partition("_")
        shown = f"{group} {rest}" if group in GROUPS and rest else name
        found[shown] = (load_command_class(app, name).help or "").strip()
    return found


def _print_overview(group: str | None = None) -> None:
    import django

    django.setup()
    commands = _zugong_commands()
    if group:
        commands = {k: v for k, v in commands.items() if k.startswith(f"{group} ")}
        print(f"zugong {group} —— {GROUPS[group]}\n")
    else:
        print("组工 Zugong 命令（可执行文件在虚拟环境的 bin/ 下，如 .venv/bin/zugong）：\n")
    width = max(len(k) for k in commands) + 2
    for name, text in commands.items():
        print(f"  zugong {name.ljust(width)}{text}")
    print("\n每个命令的参数：zugong <命令> --help（如 zugong stats party --help）。")
    if not group:
        print("Django 管理命令（migrate、check、collectstatic、createcachetable …）同样可用：zugong help --commands")


def main(argv: list[str] | None = None) -> None:
    """Entry point. ``argv`` defaults to ``sys.argv``; exits with the command's status."""
    argv = list(sys.argv if argv is None else argv)
    if not (os.environ.get("ZUGONG_SECRET_KEY") or os.environ.get("DATABASE_URL")):
        # Any command on the embedded default (no DATABASE_URL, no secret key configured) runs in
        # development mode; a deployment that configures either gets production settings, where
        # ``zugong demo`` refuses to run (a demo on PostgreSQL needs ZUGONG_DEBUG=1 said explicitly).
        os.environ.setdefault("ZUGONG_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zugong.settings")
    if len(argv) == 1 or (len(argv) == 2 and argv[1] in {"help", "-h", "--help"}):
        _print_overview()
        return
    if argv[1] in GROUPS:
        if len(argv) == 2 or argv[2] in {"help", "-h", "--help"}:
            _print_overview(argv[1])
            return
        # ``zugong import orgs FILE`` → ``import_orgs FILE``
        argv = [argv[0], f"{argv[1]}_{argv[2]}", *argv[3:]]
    elif len(argv) > 3 and argv[1] == "help" and argv[2] in GROUPS:
        argv = [argv[0], "help", f"{argv[2]}_{argv[3]}", *argv[4:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
