"""``zugong stats snapshots``: compute or check the statistics snapshots (统计快照, ``reports.snapshots``) of an
organization subtree for a day.

    zugong stats snapshots --org CODE --as-of YYYY-MM-DD --user USERNAME [--check]

Without ``--check`` the day's snapshots of the subtree are brought up to date (e.g. at midnight for the new
day, so the first user of the day does not wait for them; they are otherwise computed on the first
statistic of the day). ``--check`` verifies that the statistics triggers are installed and that the 公报's
figures and the 信息不完整 counts read from the snapshots equal the live query; it exits non-zero naming the
figures that differ. Scoped like ``stats party`` (``--user``'s ``party.view`` scope).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user, as_of_option
from zugong.reports.quality import incomplete_counts
from zugong.reports.services import (
    party_statistics,
    party_statistics_with_incomplete,
    scoped_organization,
    snapshot_counts,
)
from zugong.reports.snapshot_triggers import TRIGGER_NAMES, installed_triggers


def _differences(snapshot, live, prefix: str = "") -> list[str]:
    """The keys (``a/b`` paths) whose values differ between two result dicts."""
    out = []
    for key in sorted(set(snapshot) | set(live)):
        a, b = snapshot.get(key), live.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}/")
        elif a != b:
            out.append(f"{prefix}{key}：快照 {a}，实时 {b}")
    return out


class Command(BaseCommand):
    help = "统计快照：计算或核对某组织（含下级组织）在截至日期的统计快照。"
    requires_system_checks: list = []  # a maintenance task of the statistics, like stats party

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（该组织及其下级组织）")
        parser.add_argument("--as-of", required=True, dest="as_of", help="截至日期，YYYY-MM-DD")
        parser.add_argument("--user", required=True, help="以该用户的数据范围（用户名）")
        parser.add_argument("--check", action="store_true", help="核对快照与实时统计是否一致（不一致时返回非零）")

    def handle(self, *args, **options):
        as_of = as_of_option(options["as_of"])
        user = acting_user(options["user"])
        try:
            organization = scoped_organization(user=user, code=options["org"])
            if options["check"]:
                self._check(user, organization, as_of)
                return
            started = time.perf_counter()
            counts = snapshot_counts(user=user, root=organization, as_of=as_of)
        except ZugongError as exc:
            raise CommandError(exc.message)
        if counts is None:
            raise CommandError("该日期的统计口径分量过多，无法使用统计快照（统计时将按实时查询）。")
        self.stdout.write(self.style.SUCCESS(
            f"统计快照已是最新：{organization.name}（{organization.code}）截至 {as_of.isoformat()}，"
            f"党员 {counts['total']:,} 名，用时 {time.perf_counter() - started:.1f} 秒。"))

    def _check(self, user, organization, as_of) -> None:
        missing = set(TRIGGER_NAMES) - installed_triggers(connection)
        problems = [f"缺少统计触发器：{'、'.join(sorted(missing))}（运行 zugong migrate 重新安装）"] if missing else []
        stats, incomplete = party_statistics_with_incomplete(user=user, organization=organization, as_of=as_of)
        problems += _differences(stats, party_statistics(user=user, organization=organization, as_of=as_of, live=True))
        problems += _differences(incomplete, incomplete_counts(user=user, organization=organization, as_of=as_of,
                                                               live=True), "信息不完整/")
        if problems:
            raise CommandError("统计快照与实时统计不一致：\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS(
            f"统计快照与实时统计一致：{organization.name}（{organization.code}）截至 {as_of.isoformat()}，"
            f"党员 {stats['党员总数']:,} 名。"))
