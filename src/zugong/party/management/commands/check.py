"""``zugong check``: Django's system check, plus ``--counts``: whether the 党员计数 table (``party.counts``)
agrees with the memberships.

Without ``--counts`` this is exactly Django's ``check`` (``--deploy``, ``--tag``, ``--fail-level``…). With
``--counts [--org CODE]`` it runs the system checks as usual and then compares, for every organization (of
the subtree of ``CODE``), the stored count of open memberships with the memberships themselves
(``party.counts.count_differences``): one line per organization out of step — 组织代码, 名称, 计数表, 实际,
差 (计数表 − 实际), and the 最近变动日期 when the stored one is behind — then a summary; exit status 1 when
anything is out of step (``zugong rebuild_counts`` fixes it, ``docs/counts.md``), 0 when all agree.
A progress bar on stderr for large installations (``--no-progress`` or ``--verbosity 0`` turns it off).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck
from django.db import DatabaseError

from zugong.core.import_cli import TqdmProgress


def organization_for(code: str | None):
    """The organization whose 组织代码 is ``code`` (any, unscoped: an operator command), ``None`` for no
    code; ``CommandError`` naming the code when there is none."""
    if not code:
        return None
    from zugong.orgs.models import PartyOrganization

    found = PartyOrganization.objects.filter(code=code.strip()).first()
    if found is None:
        raise CommandError(f"组织代码「{code}」不存在。")
    return found


def difference_line(d) -> str:
    """One out-of-step organization as the check and the rebuild print it."""
    line = f"{d.code}\t{d.name}\t计数表 {d.stored}\t实际 {d.actual}\t差 {d.difference:+d}"
    if d.change_behind:
        line += f"\t最近变动日期 计数表 {d.stored_change or '无'} 早于实际 {d.actual_change}"
    return line


class Command(DjangoCheck):
    help = (DjangoCheck.help + " 加 --counts 时另核对党员计数表（各党组织在册组织关系数）与组织关系是否一致，"
            "逐个列出不一致的组织（组织代码、名称、计数表、实际、差），有不一致时以非零状态退出。")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--counts", action="store_true",
                            help="核对党员计数表与组织关系（不一致时以非零状态退出；用 zugong rebuild_counts 修复）")
        parser.add_argument("--org", metavar="CODE", help="只核对该组织代码的组织及其下级（与 --counts 同用）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *app_labels, **options):
        counts, code, quiet = options.pop("counts"), options.pop("org"), options.pop("no_progress")
        if code and not counts:
            raise CommandError("--org 只能与 --counts 一起使用。")
        super().handle(*app_labels, **options)
        if not counts:
            return
        from zugong.party.counts import count_differences

        try:
            organization = organization_for(code)
        except DatabaseError as exc:
            raise CommandError(f"无法读取党组织（{exc}）：数据库未初始化或未升级，先运行 zugong migrate。") from exc
        progress = TqdmProgress(enabled=not quiet and options.get("verbosity", 1) > 0)
        try:
            found = count_differences(organization=organization, progress=progress)
        except DatabaseError as exc:
            raise CommandError(f"无法读取党员计数表（{exc}）：数据库未初始化或未升级，先运行 zugong migrate。") from exc
        finally:
            progress.close()
        where = f"{organization.code} {organization.name} 及其下级" if organization else "全部党组织"
        if not found:
            self.stdout.write(self.style.SUCCESS(f"党员计数一致（{where}）。"))
            return
        self.stdout.write("组织代码\t名称\t计数表\t实际\t差")
        for d in found:
            self.stdout.write(difference_line(d))
        raise CommandError(f"党员计数不一致（{where}）：{len(found)} 个组织，计数表合计差 "
                           f"{sum(d.difference for d in found):+d}。运行 zugong rebuild_counts"
                           f"{' --org ' + organization.code if organization else ''} 修复。")
