"""``zugong dossier_audit --user USERNAME [--unit CODE] [--as-of YYYY-MM-DD]``: run the dossier audit
(三龄两历一身份专项审核, ``cadres.dossier.services.dossier_audit_run``) as ``--user`` over the cadres of
``--unit``'s subtree, or of the user's whole ``cadre.change`` scope; prints the counts. A unit outside the
scope is refused like an unknown one. Audited (one ``dossier_audit_run`` event)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from zugong.cadres.choices import DOSSIER_CHECK
from zugong.cadres.dossier import selectors
from zugong.cadres.dossier.services import dossier_audit_run
from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user, as_of_option


class Command(BaseCommand):
    help = "档案专项审核（三龄两历一身份）：对指定单位（含下级）或权限范围内全部干部运行自动审核。"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其干部信息修改权限范围审核并记入审计日志")
        parser.add_argument("--unit", default="", help="单位代码（审核该单位及下级单位的干部；不填为权限范围内全部）")
        parser.add_argument("--as-of", dest="as_of", default="", help="截至日期 YYYY-MM-DD（任现职时间按此日计算，默认今天）")
        parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")

    def handle(self, *args, **options):
        user = acting_user(options.get("user"))
        as_of = as_of_option(options["as_of"]) if options["as_of"] else None
        unit = None
        if options["unit"]:
            unit = selectors.unit_by_code(user=user, code=options["unit"], action="change")
            if unit is None:
                raise CommandError(f"单位「{options['unit']}」不存在或不在您的干部信息修改权限范围内。")
        try:
            result = dossier_audit_run(user=user, unit=unit, as_of=as_of)
        except ZugongError as exc:
            raise CommandError(exc.message)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(f"档案专项审核完成：{result.sentence}"))
        for code, n in result.by_check.items():
            self.stdout.write(f"  {DOSSIER_CHECK.label(code)}：{n}")
