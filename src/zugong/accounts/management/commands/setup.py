"""``zugong setup``: first installation on an empty database (``accounts.setup.install``).

    zugong setup --org-code CODE --org-name NAME --org-type 党委 --admin USERNAME
                 [--admin-name 姓名] [--unit-category 机关] [--founded YYYY-MM-DD]
                 [--unit-code CODE --unit-name NAME]
                 [--system-admin NAME] [--security-admin NAME] [--audit-admin NAME]

Migrates the database, then creates the root party organization and the first organization-department
account (组织部门管理员 on the whole tree), optionally the root unit (单位, ``--unit-code``/``--unit-name``,
category from ``--unit-category``; the account is granted on it too) and, when named, the three separated
administrators. Passwords
come from ``ZUGONG_SETUP_PASSWORD`` (the account) and ``ZUGONG_SETUP_SYSTEM_PASSWORD`` /
``ZUGONG_SETUP_SECURITY_PASSWORD`` / ``ZUGONG_SETUP_AUDIT_PASSWORD`` for scripts — such passwords must be
changed at first login — or from a prompt (asked twice). Refuses to run a second time. Prints what to do
next.
"""

from __future__ import annotations

import getpass
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zugong.accounts.services import ADMIN_KIND_LABELS
from zugong.accounts.setup import install, is_installed
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ValidationFailed, ZugongError

ADMIN_OPTIONS = {"system": "system_admin", "security": "security_admin", "audit": "audit_admin"}


class Command(BaseCommand):
    help = "首次安装：创建根党组织和第一个组织部门管理员账号（可同时创建三类管理员）。只能执行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--org-code", required=True, help="根党组织的组织代码")
        parser.add_argument("--org-name", required=True, help="根党组织名称，如 中共××县委员会")
        parser.add_argument("--org-type", required=True, help="组织类别：党委、党工委、党组、党总支、党支部……")
        parser.add_argument("--unit-category", default="",
                            help="单位属性：机关、事业单位、企业、乡镇……（可选；创建根单位时必填，也是根单位的单位属性）")
        parser.add_argument("--unit-code", default="", help="根单位的单位代码（可选，与 --unit-name 一起创建单位树的根）")
        parser.add_argument("--unit-name", default="", help="根单位名称，如 ××县")
        parser.add_argument("--founded", default="", help="成立日期 YYYY-MM-DD（可选）")
        parser.add_argument("--admin", required=True, help="组织部门管理员的用户名")
        parser.add_argument("--admin-name", default="", help="组织部门管理员的姓名")
        for kind, dest in ADMIN_OPTIONS.items():
            parser.add_argument(f"--{kind}-admin", dest=dest, default="",
                                help=f"同时创建{ADMIN_KIND_LABELS[kind]}（用户名）")

    def _password(self, variable: str, who: str) -> tuple[str, bool]:
        """(password, from_environment) for ``who``: the variable if set, else asked twice."""
        value = os.environ.get(variable, "")
        if value:
            return value, True
        if not os.isatty(0):
            raise CommandError(f"请设置环境变量 {variable}（{who}的密码），或在终端中运行以输入密码。")
        value = getpass.getpass(f"{who}的密码：")
        if value != getpass.getpass("再次输入："):
            raise CommandError("两次输入的密码不一致。")
        return value, False

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if is_installed():
            raise CommandError("系统已初始化（数据库中已有党组织），不能再次执行 zugong setup。")
        try:
            founded, _ = parse_date(options["founded"]) if options["founded"] else (None, False)
        except DateParseError as exc:
            raise CommandError(f"成立日期：{exc}")
        password, scripted = self._password("ZUGONG_SETUP_PASSWORD", f"组织部门管理员 {options['admin']} ")
        administrators = {}
        for kind, dest in ADMIN_OPTIONS.items():
            if options[dest]:
                name = options[dest]
                administrators[kind] = (name, self._password(f"ZUGONG_SETUP_{kind.upper()}_PASSWORD",
                                                             f"{ADMIN_KIND_LABELS[kind]} {name} ")[0])
        try:
            done = install(org_code=options["org_code"], org_name=options["org_name"], org_type=options["org_type"],
                           unit_category=options["unit_category"], founded_date=founded,
                           admin_username=options["admin"], admin_full_name=options["admin_name"],
                           admin_password=password, must_change_password=scripted, administrators=administrators,
                           unit_code=options["unit_code"], unit_name=options["unit_name"])
        except ValidationFailed as exc:
            raise CommandError("；".join(f"{e.column}：{e.reason}" for e in exc.errors) or exc.message)
        except ZugongError as exc:
            raise CommandError(exc.message)
        root, admin = done.root, done.admin
        out = self.stdout
        out.write(self.style.SUCCESS(f"已初始化：根党组织 {root.name}（组织代码 {root.code}），"
                                     f"组织部门管理员 {admin.username}。"))
        if done.unit is not None:
            out.write(self.style.SUCCESS(f"已创建根单位 {done.unit.name}（单位代码 {done.unit.code}），"
                                         f"{admin.username} 同时管理单位树。"))
        for kind, user in done.administrators.items():
            out.write(self.style.SUCCESS(f"已创建{ADMIN_KIND_LABELS[kind]} {user.username}（首次登录须修改密码并绑定动态口令）。"))
        out.write("")
        out.write("下一步：")
        out.write(f"  1. 导入下级党组织（上级组织代码填 {root.code} 或其下级的代码）：")
        out.write(f"     zugong import orgs 党组织.xlsx --user {admin.username}")
        if done.unit is not None:
            out.write(f"     导入下级单位（上级单位代码填 {done.unit.code}）：zugong import units 单位.xlsx --user {admin.username}")
        out.write(f"  2. 导入党员花名册：zugong import roster 党员花名册.xlsx --user {admin.username}")
        out.write("     （模板可在网页「数据导入」中下载；两个命令都可先加 --dry-run 只校验不写入）")
        out.write("     也可以登录后在网页上逐个办理：「组织树」→ 组织页面的「新增下级组织」「新增党员」，"
                  "「数据导入」→「导入党员花名册」。")
        out.write(f"  3. 启动网站（生产环境用 WSGI 服务器部署 zugong.wsgi），以 {admin.username} 登录"
                  + ("，首次登录须修改密码" if scripted else "") + "。")
        if len(done.administrators) < 3:
            out.write("  4. 创建三权分立管理员（尚未全部创建）：zugong create_admin 用户名 --kind system|security|audit")
