"""``zugong import lrmx PATH --user USERNAME [--dry-run] [--unit CODE] [--accept-bad-checksum]``: import
干部任免审批表 files.

``PATH``: one ``.lrmx``/``.lrm`` file, a folder (read recursively: ``.lrmx``, ``.lrm`` with their ``.pic``,
``.zip``) or a ``.zip``. Runs ``cadres.formfiles.services.form_import_direct`` as ``--user`` (the same scope
rules and audit as the page): prints each file's status (新增 / 有变化 / 无变化 / 有错误) with its diff
(原值 → 新值) or its errors, then writes every new or changed file in one transaction — unless
``--dry-run`` or any file has an error (then nothing is written). ``--unit CODE``: the unit new cadres go
to (default: the one top unit of the user's ``cadre.add`` scope). Progress bar on stderr.

Exit status: 0 done (or a clean dry run); 1 some file has errors, nothing written; 2 a usage or scope error
(unknown user or unit, a unit outside the scope, no permission, a refused archive).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.cadres.formfiles import services
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.core.import_cli import TqdmProgress, acting_user

SUFFIXES = (".lrmx", ".lrm", ".pic", ".zip")


def read_path(path: Path) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of the file ``path``, or of every form/photo/zip file under the folder ``path``
    (names relative to it, sorted)."""
    if path.is_dir():
        return [(str(p.relative_to(path)).replace("\\", "/"), p.read_bytes())
                for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]
    files = [(path.name, path.read_bytes())]
    if path.suffix.lower() == ".lrm":
        for pic in (path.with_suffix(".pic"), path.with_suffix(".PIC")):
            if pic.is_file():
                files.append((pic.name, pic.read_bytes()))
                break
    return files


class Command(BaseCommand):
    help = "导入干部任免审批表（.lrmx/.lrm 文件、文件夹或 .zip）：逐个显示差异；任何一个文件有错误则全部不写入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="文件、文件夹或 .zip")
        parser.add_argument("--user", required=True, help="操作用户（按其权限范围导入，记入审计日志）")
        parser.add_argument("--dry-run", action="store_true", help="只预览差异，不写入")
        parser.add_argument("--unit", default="", help="新增干部所在单位的单位代码")
        parser.add_argument("--accept-bad-checksum", action="store_true",
                            help="接受校验码错误的公民身份号码（作为警告）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def fail(self, message: str, code: int = 2):
        raise CommandError(message, returncode=code)

    def handle(self, *args, **options):
        try:
            user = acting_user(options["user"])
        except CommandError as exc:
            self.fail(str(exc))
        path = Path(options["path"])
        if not path.exists():
            self.fail(f"路径「{path}」不存在。")
        unit = None
        if options["unit"]:
            unit = services.units_for_new_cadres(user).filter(code=options["unit"]).first()
            if unit is None:
                self.fail(f"单位「{options['unit']}」不存在或不在您的干部新增范围内。")
        progress = TqdmProgress(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            batch = services.form_import_direct(user=user, files=read_path(path), unit=unit,
                                                accept_bad_checksum=options["accept_bad_checksum"],
                                                dry_run=options["dry_run"], progress=progress)
        except ValidationFailed as exc:
            self.fail("；".join(e.reason for e in exc.errors) or exc.message)
        except (OutOfScope, PermissionDeniedError) as exc:
            self.fail(exc.message)
        except ConcurrentEdit as exc:
            self.fail(exc.message, 1)
        finally:
            progress.close()
        out = self.stdout
        for f in batch.files:
            person = f"  {f.person}" if f.person else ""
            out.write(f"[{f.status_label}] {f.name}{person}")
            for message in f.messages:
                out.write(f"    错误：{message}")
            for warning in f.warnings:
                out.write(f"    提示：{warning}")
            for section, label, old, new in f.diff:
                out.write(f"    {section}·{label}：{_one_line(old) or '（空）'} → {_one_line(new) or '（空）'}")
        if batch.skipped:
            out.write(f"已忽略压缩包中的 {len(batch.skipped)} 个非任免审批表文件。")
        counts = "，".join(f"{label} {batch.count(code)}" for code, label in services.STATUSES.items())
        out.write(f"共 {len(batch.files)} 个文件：{counts}。")
        if batch.has_errors:
            self.stderr.write("有文件存在错误，未写入任何数据。")
            raise CommandError("有文件存在错误，未写入任何数据。", returncode=1)
        if options["dry_run"]:
            out.write("试运行：未写入任何数据。")
        else:
            out.write(f"导入完成：新增干部 {batch.created} 名，更新 {batch.updated} 名。")


def _one_line(text: str) -> str:
    return (text or "").replace("\n", " / ")
