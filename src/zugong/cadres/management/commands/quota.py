"""``zugong quota``: the 干部配备一览表 (领导职数 against 实配 per unit and level) of a unit subtree as of a date.

    zugong quota --org UNIT_CODE --as-of YYYY-MM-DD --user USERNAME [--format json|xlsx] [--output FILE]

``--org`` is a **unit** code (单位代码, the unit tree), not a party organization code. Scoped by ``--user``
(``cadre.view``; ``xlsx`` is an export, like the page's download: it needs ``cadre.export``, counts only the
units of the subtree in the user's ``cadre.export`` scope and is audited; ``json`` is the view-scoped table,
the same as ``/api/cadres/quota-table/``). Files written with ``--output`` are created owner-only (0600,
``core.filemodes.open_private``). ``json`` (default) prints
``{"<单位代码>": {"<职务级别>": {"职数": n, "实配": n, "超配": n, "空缺": n}}}`` for every unit of the
subtree, the level keyed by its Chinese label (``POST_LEVEL``: 正处级, 副科级 …), only the levels with a quota
or a holder (``{}`` for a unit with neither); the counting rule is ``cadres.posts.selectors``'. An unknown
user, an unknown unit or one outside the user's scope, or a bad date: a Chinese message, exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zugong.cadres.posts.exporters import quota_table_xlsx
from zugong.cadres.posts.selectors import quota_table, subtree_units, unit_in_scope
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ZugongError
from zugong.core.filemodes import open_private


class Command(BaseCommand):
    help = ("干部配备一览表：单位（含下级单位）各职务级别的领导职数、实配、超配、空缺。--org 为单位代码；"
            "JSON 输出 {\"单位代码\": {\"职务级别中文名（如 正处级）\": {\"职数\", \"实配\", \"超配\", \"空缺\"}}}。")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="单位代码（统计该单位及其下级单位）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--user", required=True, help="以该用户的干部数据范围统计（用户名）")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json",
                            help="输出格式：json（级别键为中文名，如「正处级」）或 xlsx（默认 json）")
        parser.add_argument("--output", help="输出文件路径（xlsx 必填；json 缺省时输出到屏幕）")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **options):
        from django.contrib.auth import get_user_model

        fmt, output = options["format"], options.get("output")
        if fmt == "xlsx" and not output:
            self.fail("输出 Excel 时必须用 --output 指定文件路径。")
        username = options["user"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_active:
            self.fail(f"用户「{username}」不存在或已停用。")
        day = timezone.localdate()
        if options.get("as_of"):
            try:
                day, unknown = parse_date(options["as_of"])
            except DateParseError as exc:
                self.fail(f"截至日期无效：{exc}")
            if day is None or unknown:
                self.fail("截至日期无效：应为完整日期 YYYY-MM-DD。")
        root = unit_in_scope(user=user, code=options["org"])
        if root is None:
            self.fail(f"单位「{options['org']}」不存在或不在用户「{username}」的干部管理范围内。")
        try:
            if fmt == "xlsx":
                # an export, like the page's download: only the units the user may export (cadre.export)
                units = subtree_units(user=user, root=root, action="export")
                table = quota_table(user=user, day=day, units=units)
                data = quota_table_xlsx(user=user, table=table, title=f"{root.name}干部配备一览表")
                self._write(output, data)
                self.stdout.write(f"已导出：{output}")
                return
        except ZugongError as exc:
            raise CommandError(exc.message, returncode=2)
        table = quota_table(user=user, day=day, root=root)
        text = json.dumps(table.as_json(), ensure_ascii=False, indent=2) + "\n"
        if output:
            self._write(output, text.encode("utf-8"))
            self.stdout.write(f"已写入：{output}")
        else:
            self.stdout.write(text, ending="")

    def _write(self, output: str, data: bytes) -> None:
        """Write ``data`` to ``output`` owner-only (0600) through a ``.part`` file renamed into place, so a
        failed write leaves no partial file; an unwritable path: a Chinese message, exit status 2."""
        target = Path(output)
        partial = target.with_name(target.name + ".part")
        try:
            with open_private(partial) as stream:
                stream.write(data)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            self.fail(f"无法写入文件「{output}」：{exc.strerror or exc}")
