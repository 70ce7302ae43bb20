"""``zugong create_admin USERNAME --kind system|security|audit``: create one of the three separated
administrator accounts (三权分立) at installation time, before any security administrator exists to
grant roles (``accounts.services.administrator_create``). The password is read from the terminal twice
(or from the environment variable named by ``--password-env`` for unattended installs), must meet the
policy, and must be changed at first login."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from zugong.accounts import services
from zugong.core.errors import ValidationFailed, ZugongError


class Command(BaseCommand):
    help = "创建三权分立管理员账号（系统管理员、安全管理员、审计管理员）；首次登录须修改密码并绑定动态口令。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--kind", required=True, choices=sorted(services.ADMIN_ROLE_FOR_KIND), help="管理员类别")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--password-env", default="", help="从该环境变量读取初始密码（无人值守安装）")

    def handle(self, *args, username, kind, full_name="", password_env="", **options):
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"环境变量 {password_env} 为空。")
        else:
            password = getpass.getpass("初始密码：")
            if password != getpass.getpass("再次输入："):
                raise CommandError("两次输入的密码不一致。")
        try:
            services.administrator_create(username=username, kind=kind, password=password, full_name=full_name)
        except ValidationFailed as exc:
            raise CommandError("；".join(f"{e.column}：{e.reason}" for e in exc.errors) or exc.message)
        except ZugongError as exc:
            raise CommandError(exc.message)
        self.stdout.write(self.style.SUCCESS(
            f"已创建{services.ADMIN_KIND_LABELS[kind]} {username}；首次登录须修改密码并绑定动态口令。"))
