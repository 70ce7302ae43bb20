"""``zugong export lrmx --id-number NUMBER --output FILE --user USERNAME [--format lrmx|docx] [--as-of DATE]``:
write the 干部任免审批表 of the cadre with that ID number as ``.lrmx`` (default) or Word ``.docx``.

Runs as ``--user``: the cadre must be in the user's ``cadre.export`` scope — otherwise (or when no cadre has
that number) a Chinese error and exit status 2, nothing written. The ID number is written in clear only
when the user may unmask it (``cadre.unmask`` / ``basic.unmask``), else masked. The file is created with
mode 0600 (``<output>.part`` renamed when complete). Audited (one ``export`` event)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.cadres.lrmx import exports
from zugong.core.errors import OutOfScope
from zugong.core.filemodes import open_private
from zugong.core.import_cli import acting_user, as_of_option


class Command(BaseCommand):
    help = "导出干部任免审批表（.lrmx，或 --format docx 导出 Word）：按身份证号指定干部。"

    def add_arguments(self, parser):
        parser.add_argument("--id-number", dest="id_number", required=True, help="干部的公民身份号码")
        parser.add_argument("--output", required=True, help="输出文件路径（.lrmx 或 .docx）")
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其权限范围导出并记入审计日志")
        parser.add_argument("--format", dest="fmt", choices=exports.FORMATS, default=None,
                            help="lrmx（默认，按输出文件扩展名）或 docx")
        parser.add_argument("--as-of", dest="as_of", default=None, help="现任职务的截至日期，YYYY-MM-DD（默认今天）")

    def handle(self, *args, **options):
        user = acting_user(options.get("user"))
        output = Path(options["output"])
        fmt = options["fmt"] or ("docx" if output.suffix.lower() == ".docx" else "lrmx")
        as_of = as_of_option(options["as_of"]) if options["as_of"] else None
        try:
            cadre = exports.cadre_by_id_number(user=user, number=options["id_number"])
        except OutOfScope as exc:
            raise CommandError(exc.message, returncode=2) from None
        result = exports.export_form(user=user, cadre=cadre, fmt=fmt, as_of=as_of)
        partial = output.with_name(output.name + ".part")
        with open_private(partial) as stream:
            stream.write(result.content)
        partial.replace(output)
        note = "" if result.plaintext else "（身份证号已脱敏）"
        self.stdout.write(self.style.SUCCESS(f"已导出「{cadre.person.name}」的干部任免审批表到 {output}{note}"))
