"""``zugong export_roster --user U --org CODE --as-of YYYY-MM-DD --output F.xlsx [--unmask] [--no-progress]``:
write the 党员花名册 of an organization's subtree as of a date, in the import layout (a progress bar on
stderr while it writes). The file is created with mode 0600 (names, birth dates — and plaintext numbers
with ``--unmask``): written as ``<output>.part`` and renamed when complete.

Runs ``party.exporters.export_roster_to`` as ``--user``: needs ``party.export`` on the organization
(an organization outside the scope is refused like an unknown one); ``--unmask`` writes plaintext ID
and phone numbers of the people the user may unmask (``basic.unmask`` on their organization; the others
stay masked) and needs a ``basic.unmask`` grant. Audited (one ``export`` event).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import OutOfScope, ZugongError
from zugong.core.filemodes import open_private
from zugong.core.import_cli import TqdmProgress, acting_user, as_of_option
from zugong.orgs.selectors import organization_by_ref
from zugong.party.exporters import export_roster_to


class Command(BaseCommand):
    help = "导出党员花名册（.xlsx，格式与导入相同）：指定组织（含下级）和截至日期。"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其权限范围导出并记入审计日志")
        parser.add_argument("--org", required=True, help="组织代码（导出该组织及其下级组织的党员）")
        parser.add_argument("--as-of", dest="as_of", required=True, help="截至日期，YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--unmask", action="store_true", help="导出公民身份号码、手机号码明文（需查看明文权限）")
        parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="不显示进度条")

    def handle(self, *args, **options):
        user = acting_user(options.get("user"))
        as_of = as_of_option(options["as_of"])
        organization = organization_by_ref(user=user, ref=options["org"], action="export")
        if organization is None or organization.code != options["org"].strip():
            raise CommandError(f"组织「{options['org']}」不存在或不在您的导出权限范围内。")
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须为 .xlsx。")
        partial = output.with_name(output.name + ".part")
        progress = TqdmProgress(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            with open_private(partial) as stream:  # personal data, masked or not: owner-only (0600)
                count = export_roster_to(stream, user=user, organization=organization, as_of=as_of,
                                         unmask=options["unmask"], progress=progress)
        except OutOfScope:
            partial.unlink(missing_ok=True)
            raise CommandError(f"组织「{options['org']}」不存在或不在您的导出权限范围内。")
        except ZugongError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(exc.message)
        finally:
            progress.close()
        partial.replace(output)
        note = "（含明文，请妥善保管）" if options["unmask"] else "（身份证号、手机号已脱敏，不能用于导入）"
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 名党员到 {output}{note}"))
