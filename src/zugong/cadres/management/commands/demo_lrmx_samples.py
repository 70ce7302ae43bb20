"""``zugong demo_lrmx_samples --output DIR --count N --user USERNAME [--as-of DATE]``: write ``N`` sample
干部任免审批表 (``.lrmx``) of demo cadres into ``DIR``, for users to try the import (a folder, or zip it).

Runs as ``--user`` and exports only the cadres in that user's ``cadre.export`` scope under the demo unit tree
(``demo.units.demo_unit_root``), spread over the units (every k-th cadre in unit-tree order, so the same
files on every run). Each file goes through ``cadres.lrmx.exports.export_form`` — the same export as the
profile page's button: audited (one ``export`` event per file), the ID number in clear only for a user who
may unmask it (``zzb``), else masked (the import then matches the person by name and birth month). Files are
named ``<序号>-<姓名>.lrmx`` and created with mode 0600. 现任职务 as of ``--as-of`` (default the demo's
reference date, 2023-12-31). Exit status 2 with a Chinese message when there is no demo data or no cadre
in scope."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.filemodes import open_private
from zugong.core.import_cli import acting_user, as_of_option


class Command(BaseCommand):
    help = "为演示数据中的干部生成若干份干部任免审批表（.lrmx）样例文件，供试用导入。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="输出目录（不存在时创建）")
        parser.add_argument("--count", type=int, default=20, help="文件份数（默认 20）")
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其权限范围导出并记入审计日志")
        parser.add_argument("--as-of", dest="as_of", default=None, help="现任职务的截至日期，YYYY-MM-DD（默认 2023-12-31）")

    def handle(self, *args, **options):
        from zugong.cadres.lrmx.exports import export_form
        from zugong.cadres.selectors import cadres_in_scope
        from zugong.demo.distributions import REFERENCE_DATE
        from zugong.demo.units import demo_unit_root

        user = acting_user(options.get("user"))
        count = options["count"]
        if count < 1:
            raise CommandError("--count 必须为正整数。")
        as_of = as_of_option(options["as_of"]) if options["as_of"] else REFERENCE_DATE
        root = demo_unit_root()
        if root is None:
            raise CommandError("没有演示数据：请先运行 zugong demo。", returncode=2)
        cadres = list(cadres_in_scope(user, "export").filter(unit__path__startswith=root.path)
                      .order_by("unit__path", "pk"))
        if not cadres:
            raise CommandError(f"用户 {user.username} 的权限范围内没有演示干部。", returncode=2)
        step = max(1, len(cadres) // count)
        chosen = cadres[::step][:count]
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        for k, cadre in enumerate(chosen, start=1):
            result = export_form(user=user, cadre=cadre, fmt="lrmx", as_of=as_of)
            path = output / f"{k:03d}-{cadre.person.name}.lrmx"
            partial = path.with_name(path.name + ".part")
            with open_private(partial) as stream:
                stream.write(result.content)
            partial.replace(path)
        self.stdout.write(self.style.SUCCESS(f"已在 {output} 生成 {len(chosen)} 份干部任免审批表样例（.lrmx），"
                                             f"可在「干部」→ 导入任免审批表中选择文件夹或打包为 zip 后导入。"))
