"""三会一课台账 import (``zugong import meetings FILE``; import kind ``meetings``, issue #11): one row per meeting
a branch held, recorded through the same check as the pages (``life.services.meeting_check``) — all or
nothing, with a row report.

Columns (headers matched by name, ``core.layout``; * = required): 党组织*, 会议类型*, 日期*, 主题*, 主持人, 记录人,
应到*, 实到*, 缺席人员, and optionally 主讲人, 会议地点.

- 党组织: 组织代码 or name (full, short, or a path), resolved like the roster's 所在党组织
  (``orgs.matching.OrganizationMatcher``) among the organizations of the user's ``party.import`` scope; one
  outside the scope reads as unknown (a row error, nothing to probe).
- 会议类型: a ``MEETING_TYPE`` name or alias (支部党员大会 / 党员大会 / 支部大会, 支委会, 党小组会, 党课, 主题党日 …).
- 日期: the date forms of the other importers (an Excel date cell, ``YYYY-MM-DD``, ``YYYY/MM/DD``,
  ``YYYY.MM.DD``, ``YYYYMMDD``); a month without a day is refused (a meeting has a day).
- 应到 / 实到: numbers of people as the ledger gives them (实到 ≤ 应到).
- 缺席人员: names separated by 、，, ；; or spaces, each optionally with its reason in brackets
  (``张三（病假）``). A name that is one member of the organization's roster on that day becomes an attendance
  row (缺席, with the reason, or 「台账未注明原因」); the others are kept as text (``absentee_note``).

Every row is checked as a page entry would be (type held by the organization, date not in the future nor
outside the organization's life, 实到 ≤ 应到). A row whose meeting (organization, type, date, topic) is on
record already, or repeats an earlier row, counts as unchanged: the same file twice adds nothing. A 支委会 of
a branch without a committee on record that day is a row warning and is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone

from zugong.core.dates import DateParseError
from zugong.core.errors import OutOfScope, RowError
from zugong.core.importing import (
    Column,
    Importer,
    ImportFailed,
    ImportResult,
    Issues,
    Sheet,
    Ticker,
    cell_text,
    is_number_cell,
    run_import,
)
from zugong.life import selectors, services
from zugong.life.choices import MEETING_TYPE
from zugong.life.models import Meeting, MeetingAttendance
from zugong.orgs.matching import OrganizationMatcher

NO_REASON = "台账未注明原因"

MEETING_COLUMNS: tuple[Column, ...] = (
    Column("organization", "党组织", True,
           aliases=("所在党组织", "党支部", "党组织名称", "党支部名称", "支部名称", "组织名称", "组织代码", "党组织代码",
                    "所在党支部", "召开单位"),
           width=22, text=True),
    Column("meeting_type", "会议类型", True, aliases=("会议类别", "类型", "会议形式", "活动类型"), width=14,
           values=MEETING_TYPE.names),
    Column("date", "日期", True, aliases=("会议日期", "召开日期", "会议时间", "时间", "活动日期"), width=12),
    Column("topic", "主题", True, aliases=("会议主题", "议题", "会议内容", "主要内容", "活动主题", "内容"), width=30),
    Column("presenter", "主持人", width=10),
    Column("recorder", "记录人", width=10),
    Column("expected_count", "应到", True, aliases=("应到人数", "应到人员"), width=8),
    Column("attended_count", "实到", True, aliases=("实到人数", "实到人员", "参会人数"), width=8),
    Column("absentees", "缺席人员", aliases=("缺席人员及原因", "请假人员", "缺席", "未到人员", "缺席人员名单"), width=24),
    Column("lecturer", "主讲人", aliases=("授课人",), width=10),
    Column("location", "会议地点", aliases=("地点",), width=16),
)
"""The ledger's layout (template and import)."""
HEADER = {c.key: c.header for c in MEETING_COLUMNS}

_SPLIT = re.compile(r"[、,，;；\s]+")
_NAME_REASON = re.compile(r"^(?P<name>[^（(]+?)\s*[（(](?P<reason>[^）)]*)[）)]\s*$")
_FIELD_COLUMN = {"党组织": "organization", "会议类型": "meeting_type", "会议日期": "date", "会议主题": "topic",
                 "主持人": "presenter", "记录人": "recorder", "主讲人": "lecturer", "会议地点": "location",
                 "应到人数": "expected_count", "实到人数": "attended_count", "缺席人员": "absentees",
                 "出席情况": "absentees", "缺席原因": "absentees"}


def split_absentees(text: str) -> list[tuple[str, str]]:
    """``"张三（病假）、李四"`` → ``[("张三", "病假"), ("李四", "")]``."""
    out = []
    depth, current = 0, ""
    parts = []
    text = re.sub(r"\s+(?=[（(])", "", text or "")  # 「王五 (出差)」: the reason belongs to the name before it
    for ch in text:  # split outside brackets only (a reason may hold 、 or spaces)
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(depth - 1, 0)
        if depth == 0 and _SPLIT.fullmatch(ch):
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    for part in (p.strip() for p in parts):
        if not part:
            continue
        match = _NAME_REASON.match(part)
        out.append((match["name"].strip(), match["reason"].strip()) if match else (part, ""))
    return out


@dataclass
class MeetingImportPlan:
    """The checked meetings to write (``plans``: ``(row number, services.MeetingPlan)``) and ``unchanged``."""

    plans: list = field(default_factory=list)
    unchanged: int = 0


class MeetingImporter(Importer):
    """Importer of the 三会一课台账; see the module docstring. Use ``import_meetings``."""

    kind = "meetings"
    data_label = "party"
    title = "三会一课台账"
    models_written = (Meeting, MeetingAttendance)
    columns = MEETING_COLUMNS
    sheet_names = ("三会一课台账", "三会一课", "组织生活", "会议台账")
    identity_keys = ("organization", "topic")

    def __init__(self, *, user, today: dt.date | None = None):
        super().__init__(user=user)
        self.today = today or timezone.localdate()

    def _count_cell(self, raw, key: str, number: int, issues: Issues) -> int | None:
        text = cell_text(raw)
        if not text:
            issues.error(number, HEADER[key], "必填项为空")
            return None
        if is_number_cell(raw) and float(raw).is_integer():
            return int(raw)
        match = re.fullmatch(r"(\d+)\s*人?", text)
        if not match:
            issues.error(number, HEADER[key], f"「{text}」不是人数")
            return None
        return int(match.group(1))

    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> MeetingImportPlan:
        plan = MeetingImportPlan()
        matcher = OrganizationMatcher(self.user, label=self.data_label, action="import")
        parsed = []
        for row in sheet.rows:
            ticker.step()
            cells, number = row.cells, row.number
            errors_before = len(issues.errors)
            org_text = cell_text(cells.get("organization"))
            org = None
            if not org_text:
                issues.error(number, HEADER["organization"], "必填项为空")
            else:
                match = matcher.resolve(org_text)
                if match.organization is None:
                    issues.error(number, HEADER["organization"], match.error or f"党组织「{org_text}」不存在或不在您的管理范围内")
                else:
                    org = match.organization
                    if match.warning:
                        issues.warning(number, HEADER["organization"], match.warning)
            day = None
            raw_date = cells.get("date")
            if cell_text(raw_date) == "":
                issues.error(number, HEADER["date"], "必填项为空")
            else:
                try:
                    day, day_unknown = self.date_value(raw_date)
                except DateParseError as exc:
                    issues.error(number, HEADER["date"], str(exc))
                else:
                    if day_unknown:
                        issues.error(number, HEADER["date"], "会议日期须精确到日")
                        day = None
            expected = self._count_cell(cells.get("expected_count"), "expected_count", number, issues)
            attended = self._count_cell(cells.get("attended_count"), "attended_count", number, issues)
            if len(issues.errors) > errors_before:
                continue
            parsed.append((number, org, day, expected, attended, cells))
        existing = selectors.existing_meeting_keys(organization_ids={p[1].pk for p in parsed},
                                                   dates={p[2] for p in parsed})
        seen: dict[tuple, int] = {}
        for number, org, day, expected, attended, cells in parsed:
            code = MEETING_TYPE.parse(cell_text(cells.get("meeting_type")))
            topic = cell_text(cells.get("topic"))
            key = (org.pk, code, day, topic)
            if code and key in existing:
                plan.unchanged += 1
                continue
            if code and key in seen:
                issues.warning(number, "", f"与第 {seen[key]} 行是同一次会议（党组织、会议类型、日期、主题相同），未重复登记")
                plan.unchanged += 1
                continue
            roster = selectors.roster_on(org, day) if day is not None else []
            by_name: dict[str, list[int]] = {}
            for entry in roster:
                by_name.setdefault(entry.name, []).append(entry.person_id)
            matched, unmatched = [], []
            for name, reason in split_absentees(cell_text(cells.get("absentees"))):
                ids = by_name.get(name, [])
                if len(ids) == 1 and ids[0] not in {m[0] for m in matched}:
                    matched.append((ids[0], "absent", reason or NO_REASON))
                else:
                    unmatched.append(f"{name}（{reason}）" if reason else name)
            checked, problems = services.meeting_check(
                organization=org, meeting_type=cell_text(cells.get("meeting_type")), date=day, topic=topic,
                presenter=cell_text(cells.get("presenter")), recorder=cell_text(cells.get("recorder")),
                lecturer=cell_text(cells.get("lecturer")), location=cell_text(cells.get("location")),
                attendance=matched or None, expected_count=expected, attended_count=attended,
                absentee_note="、".join(unmatched), source="import", today=self.today)
            for p in problems:
                issues.error(number, HEADER.get(_FIELD_COLUMN.get(p.field, ""), p.field), p.reason)
            if checked is None:
                continue
            for warning in checked.warnings:
                issues.warning(number, HEADER["meeting_type"], warning)
            seen[key] = number
            plan.plans.append((number, checked))
        return plan

    def count(self, plan: MeetingImportPlan, result: ImportResult) -> None:
        result.created, result.unchanged = len(plan.plans), plan.unchanged

    def write(self, plan: MeetingImportPlan, result: ImportResult, ticker: Ticker) -> None:
        for number, checked in plan.plans:
            try:
                services.meeting_create_checked(actor=self.user, plan=checked)
            except OutOfScope as exc:
                raise ImportFailed([RowError(number, HEADER["organization"], exc.message)]) from None
            ticker.step()
        self.count(plan, result)

    def audit_data(self, result: ImportResult) -> dict:
        return {"meetings": result.created}


def import_meetings(file_obj_or_path, *, user, filename: str = "", dry_run: bool = False, progress=None,
                    mapping: dict[str, str] | None = None, today: dt.date | None = None, **_options) -> ImportResult:
    """Import a 三会一课台账 (.xlsx, .xls or .csv) as ``user``; see the module docstring.

    Returns ``ImportResult``: ``created`` = meetings recorded, ``unchanged`` = rows on record already (or
    repeated in the file). ``dry_run``: check everything, record nothing. Raises ``ValidationFailed``
    (``ImportFailed`` with every ``RowError``: row, column, Chinese reason) — nothing written — and
    ``PermissionDeniedError`` without a ``party.import`` grant. ``today``: the reference day (tests)."""
    importer = MeetingImporter(user=user, today=today)
    return run_import(importer, file_obj_or_path, filename=filename, dry_run=dry_run, progress=progress,
                      mapping=mapping)


def meetings_template() -> bytes:
    """An empty 三会一课台账 template (headers, drop-down list of meeting types, a 「说明」 sheet)."""
    from zugong.core.files import xlsx_bytes

    notes = [
        "每行登记一次会议；表头按名称识别，顺序可调整；带 * 的列必填。",
        "党组织：填写组织代码或名称（须在您的管理范围内）。会议类型：支部党员大会、支部委员会会议（支委会）、党小组会、党课、"
        "主题党日、组织生活会、民主评议党员、谈心谈话。",
        "日期：YYYY-MM-DD（也可填 YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD 或日期格式单元格），须精确到日，不能晚于今天。",
        "应到、实到：人数，实到不能多于应到。缺席人员：姓名用顿号分隔，可在括号中注明原因，如「张三（病假）、李四（出差）」；"
        "能与当日党员名单对应的姓名登记为缺席，其余照录。",
        "任何一行有错误则全部不写入；同一文件重复导入不会重复登记（党组织、会议类型、日期、主题相同视为同一次会议）。",
    ]
    return xlsx_bytes(headers=[c.template_header for c in MEETING_COLUMNS], rows=[], sheet_title="三会一课台账",
                      formats=[c.format for c in MEETING_COLUMNS], notes=notes)
