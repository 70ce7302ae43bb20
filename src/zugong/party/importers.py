"""党员花名册 import (``rules.md`` §7–8; issue #9 for other systems' layouts): one row per party member,
headers matched by name.

Columns. Required (``*``): 姓名*, 公民身份号码*, 所在党组织* (or 党组织唯一标识: ``Column.group
"organization"``), 入党日期*, 人员类别* (正式党员/预备党员; or 政治面貌: ``Column.group "category"``).
Derived when absent: 性别 and 出生日期 (from the ID number; checked against it when given). Recommended
(``Column.recommended``): 学历, 民族, 工作岗位 — a record without them (column absent or cell empty) is
imported and counted as incomplete (``ImportResult.details["incomplete"] = {"学历": n, "民族": n,
"工作岗位": n}`` and one summary warning per field; 数据质量 lists them). Optional: 转正日期 (empty for
预备党员), 参加工作日期, 手机号码, 生产工作一线 (是/否). ``ROSTER_COLUMNS`` is our template and export
layout; ``ROSTER_IMPORT_COLUMNS`` adds the columns only other systems' files carry.

Header aliases of real layouts (全国党员管理信息系统, group platforms, OWIP, hand-kept 花名册): 所在党支部,
组织关系所在党支部, 党支部名称, 所属党支部, 隶属党组织, 党支部, 所在党组织代码 … (所在党组织: a code, full or short
name or path); 党组织唯一标识, 所在党支部编码, 所在分党委编码 (another system's identifier); 身份证号码,
公民身份证号 …; 人员类别, 党员类别, 党籍状态, 党籍状态（正式党员或预备党员）, 人员类型 (正式/预备) and 政治面貌
(中共党员/中共预备党员) with a content check (``category_values``, ``Column.accepts``): OWIP's 人员类别
(教职工/学生/普通编制) and 党籍状态 (正常/异常) are not the category and are left unmapped by the layout engine.

Values. Coded values are accepted as code, standard name, short form, the buckets of other systems'
lists (学历 初中及以下, 高中、中技, 博士及以上 …) or with an index suffix (``男_1``) — ``CodeTable.parse``;
工作岗位 also as the 党内统计年报 rows (事业单位专业技术人员, 农民工, 军人、武警 …: ``core.codes
.occupation_parse``), whose category goes to ``Membership.occupation`` and the row itself to
``Membership.occupation_detail``. Dates in the forms of ``core.dates.parse_date`` (``1985.07``,
``1985年7月``, ``198507``, ``2019.10.08``, ``2019/10/8``, date cells, and number cells holding those digit
forms); a day-unknown date is read as the 1st and reported as a warning.

Decisions (issue #9): the organization is resolved by ``orgs.matching.OrganizationMatcher`` (the
identifier first, then code/name/path; a name matched only after normalising is accepted with a warning,
given once per distinct value). With no 人员类别/政治面貌 column, 正式/预备 follows the 转正日期 column
(filled = 正式党员) with a file-level warning. With no 转正日期 column, a 正式党员's 转正日期 is taken as the
end of the one-year probation (入党日期 + 1 year, 按期转正, 《党章》第七条) — a stored 转正日期 is kept —
with a summary warning; a 正式党员 admitted less than a year ago is then an error.

Semantics:

- The 公民身份号码 identifies the person (lookup by ``Person.hash_id_number``). An unknown number creates
  ``Person`` (political status 01 中共党员 / 02 中共预备党员 by category, ``organization`` = the row's
  党组织) + ``PartyMember`` + an open ``Membership`` starting on the 入党日期.
- A known number UPDATES that person (name, sex, ethnicity, birth date, education, political status,
  work start, phone), the party record (入党/转正日期) and the open membership (occupation, front-line).
  If the 所在党组织 changed, the open membership is closed today (``end_reason = "transfer"``) and a new
  one opens today at the new organization (``party.services.membership_transfer_bulk``, the bulk form of
  the transfer service); the person's scope anchor moves with it. A member without
  an open membership whose last one ended by transfer gets a new one from today; one that ended by
  death, withdrawal, expulsion, removal or cancellation is an error (not restored by an import).
- An optional column that is absent from the file leaves that field alone; present but empty clears it —
  except the recommended 学历/民族/工作岗位, which an empty cell never clears (a partial export must not
  erase what is known). A 工作岗位 category equal to the stored 年报 row's category keeps that row.
- Importing the same file twice creates nothing new and changes nothing the second time.

Rules checked per row (errors unless marked *warning*), each with its source — the checks are the shared
validators (``people.validators``, ``party.validators``) that the person forms and the API also call; a
*warning* here is refused when the same value is entered by hand:

- 公民身份号码: GB 11643-1999 format and check character (``core.idnumber``); a wrong check character
  is a *warning* only when the caller passes ``accept_bad_checksum=True`` (``rules.md`` §7); an Excel
  number cell or scientific notation is refused (Excel keeps 15 significant digits, so the number may
  already be damaged — ``rules.md`` §8: never silently rounded); a masked number (``*``) is refused;
  the birth date and sex encoded in it must agree with 出生日期/性别; duplicates inside the file are
  reported on every row involved, naming the other rows.
- 入党日期 at age ≥ 18 (《中国共产党章程》第一条；《中国共产党发展党员工作细则》第三条), not in the future.
- 正式党员 need a 转正日期, 预备党员 must not have one; 转正日期 after 入党日期; less than one year after
  is a *warning* (预备期为一年，《党章》第七条); a 预备党员 admitted two or more years ago is a *warning*
  (预备期最长延长一年，《党章》第七条).
- 参加工作日期 before age 16 is a *warning* (《劳动法》第十五条; ``rules.md`` §6 dossier check).
- 所在党组织: must be in the user's ``party.import`` scope — an unknown code and an out-of-scope code
  get the same message, so the file cannot probe for codes; it must hold members directly (not a
  党小组/党组) and not be dissolved.
- A number registered to a person outside the user's scope is refused without naming the other
  organization or person (transfers go through 组织关系转接). Each such answer is audited and counted
  against the user's daily budget (``people.oracle``, ``ZUGONG_ID_PROBE_DAILY_LIMIT``, default 20 numbers
  a day, dry runs included); beyond it those rows and every new-person row are refused with one neutral
  message and the security administrator is alerted.

Performance: one pass over the rows with per-column memoisation of code and date parsing, lookups by
hash in chunks, ``bulk_create``/``bulk_update`` in batches of ``BATCH_SIZE``; see
``benchmarks/bench_import.py`` (≥ 5,000 rows/s for 100,000 rows on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from zugong.audit.changelog import log_bulk_change
from zugong.core import crypto, idnumber
from zugong.core.bulk import RowInserter, existing_values, reserve_ids
from zugong.core.codes import (
    EDUCATION,
    ETHNICITY,
    MEMBER_CATEGORY,
    OCCUPATION,
    ORG_TYPE,
    ORG_TYPES_HOLDING_MEMBERS,
    SEX,
    SEX_FEMALE,
    SEX_MALE,
    YES_NO,
    CodeTable,
    occupation_parse,
)
from zugong.core.dates import DateParseError, add_years, is_date_number, parse_date
from zugong.core.errors import RowError, ValidationFailed
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
from zugong.core.sealing import Sealer, seal_people
from zugong.orgs.matching import OrganizationMatcher
from zugong.orgs.models import PartyOrganization
from zugong.party import validators as party_rules
from zugong.party.models import Membership, PartyMember
from zugong.party.rules import probation_years
from zugong.party.services import TransferMove, membership_transfer_bulk
from zugong.people import validators as people_rules
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer

# --- rules (with their sources): the thresholds and checks live in the validators ----------------------
TERMINAL_END_REASONS = ("death", "withdrawal", "expulsion", "removal", "cancelled")
"""Membership end reasons an import must not undo."""

ELSEWHERE_MESSAGE = "该公民身份号码已在其他党组织登记，请通过组织关系转接办理"

RECOMMENDED = ("学历", "民族", "工作岗位")
"""The recommended fields (数据质量): a record without them is imported and counted as incomplete."""
_KEY_OF = {"学历": "education", "民族": "ethnicity", "工作岗位": "occupation"}

BATCH_SIZE = 2000
LOOKUP_CHUNK = 2000

def _mostly(table: CodeTable, share: float = 0.8):
    """A ``Column.accepts`` check: at least ``share`` of the sampled non-empty values are values of
    ``table`` (an empty sample accepts). OWIP's 人员类别 (教职工/学生/普通编制) and 党籍状态 (正常/异常)
    fail it for ``MEMBER_CATEGORY`` and are listed as ignored instead of read as 正式/预备."""

    def accepts(samples) -> bool:
        values = [text for text in (cell_text(v) for v in samples) if text]
        if not values:
            return True
        return sum(1 for text in values if table.parse(text) is not None) >= share * len(values)

    accepts.__doc__ = f"Mostly {table.name} values (≥ {share:.0%} of the samples)."
    return accepts


category_values = _mostly(MEMBER_CATEGORY)
"""``accepts`` of the 正式/预备 columns (人员类别, 党籍状态, 政治面貌 …)."""

ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, aliases=("党员姓名",), width=10),
    Column("sex", "性别", width=6, values=(SEX.label(SEX_MALE), SEX.label(SEX_FEMALE))),
    Column("ethnicity", "民族", width=10, values=ETHNICITY.names, recommended=True),
    Column("id_number", "公民身份号码", True,
           aliases=("身份证号", "身份证号码", "公民身份证号码", "身份证", "公民身份证号", "身份证件号码", "公民身份号",
                    "身份证号码(18位)"),
           width=21, text=True),
    Column("birth_date", "出生日期", aliases=("出生年月", "出生时间", "出生年月日"), width=12),
    Column("education", "学历", aliases=("最高学历", "文化程度", "现有文化程度", "学历(最高)"), width=12,
           values=EDUCATION.names, recommended=True),
    Column("admission_date", "入党日期", True, aliases=("入党时间", "入党年月", "加入党组织日期", "加入中国共产党日期"),
           width=12),
    Column("full_membership_date", "转正日期", aliases=("转正时间", "转为正式党员日期", "转正年月"), width=12,
           group="category"),
    Column("category", "人员类别", True,
           aliases=("党员类别", "党籍状态", "党籍状态(正式党员或预备党员)", "人员类型", "党员类型", "党员身份",
                    "正式党员/预备党员", "正式/预备"),
           width=10, values=MEMBER_CATEGORY.names, group="category", accepts=category_values),
    Column("occupation", "工作岗位", aliases=("党员职业", "职业", "工作岗位(党员职业)", "现工作岗位", "党员工作岗位"),
           width=30, values=OCCUPATION.names, recommended=True),
    Column("organization", "所在党组织", True,
           aliases=("所在党组织代码", "党组织代码", "所在党支部", "组织关系所在党支部", "党支部名称", "所属党支部",
                    "隶属党组织", "党支部", "所在党组织名称", "所属党组织", "所在支部", "组织关系所在党组织",
                    "所在党支部名称"),
           width=14, text=True, group="organization"),
    Column("work_start_date", "参加工作日期", aliases=("参加工作时间",), width=12),
    Column("phone", "手机号码", aliases=("手机号", "联系电话", "手机", "移动电话"), width=14, text=True),
    Column("front_line", "生产工作一线", aliases=("是否生产工作一线", "在生产工作一线", "是否在生产工作一线"),
           width=12, values=YES_NO.names),
)
"""The 党员花名册 layout: the template's and the export's columns, in their order."""

ROSTER_IMPORT_COLUMNS: tuple[Column, ...] = (
    *ROSTER_COLUMNS,
    Column("organization_ref", "党组织唯一标识",
           aliases=("所在党支部编码", "所在党组织唯一标识", "党支部唯一标识", "所在党组织编码"),
           width=20, text=True, group="organization"),
    Column("committee_ref", "所在分党委编码", aliases=("所在分党委唯一标识", "所在二级党委编码"), width=20, text=True,
           group="organization"),
    Column("political_status", "政治面貌", width=10, group="category", accepts=category_values),
)
"""What the importer reads: the layout's columns plus those of other systems' exports — the organization
by another system's identifier (``organization_ref``, looked up as ``OrganizationMatcher.resolve(...,
external_id=)``; OWIP files carry the 分党委's too, ``committee_ref``, used for a member directly under the
分党委 whose branch cells are empty) and 政治面貌 (中共党员 = 正式, 中共预备党员 = 预备) as a source of the category."""
HEADER = {c.key: c.header for c in ROSTER_IMPORT_COLUMNS}

_HINTS = {
    "sex": "应为 男/女 或代码 1/2",
    "category": "应为 正式党员 或 预备党员",
    "occupation": "应为 " + "、".join(OCCUPATION.entries.values()) + "，或党内统计年报的工作岗位，如 事业单位专业技术人员",
    "education": "应为 GB/T 4658-2006 学历代码或名称，如 21、大学本科、大专",
    "ethnicity": "应为 GB 3304 民族名称或代码，如 汉族、汉、01",
}


@dataclass(slots=True)
class OrgRef:
    """The few organization fields the roster import needs."""

    id: int
    code: str
    path: str


@dataclass(slots=True)
class RosterRow:
    """One validated file row (``number`` = Excel row). ``phone``/``work_start_date``/``front_line`` are
    ``None`` when their column is absent (then the stored value is kept). ``ethnicity``/``education``/
    ``occupation`` are ``""`` when not given (column absent or cell empty): a new record is then incomplete,
    an existing one keeps its stored value. ``occupation_detail``: the 年报 row (``""`` for a category)."""

    number: int
    name: str
    sex: str
    ethnicity: str
    id_number: str
    id_hash: str
    birth_date: dt.date
    education: str
    admission_date: dt.date
    full_membership_date: dt.date | None
    category: str
    occupation: str
    occupation_detail: str
    org: OrgRef
    work_start_date: dt.date | None
    phone: str | None
    front_line: bool | None
    has_work_start: bool
    has_front_line: bool
    full_estimated: bool = False

    @property
    def political_status(self) -> str:
        """GB/T 4762: 01 中共党员 (正式党员) / 02 中共预备党员."""
        return "01" if self.category == "full" else "02"


@dataclass
class RosterPlan:
    """What ``write`` will do. ``new``: rows creating a person; ``attach``: (row, person) where the person
    exists without a party record; ``open``: (row, person) needing a new open membership from today
    (no open membership); ``transfers``: (open membership, row) moving to the row's organization today
(``party.services.membership_transfer_bulk``); ``persons``,
    ``members``, ``memberships``: changed objects to save; ``versions``: (model, pk) → version seen at
    validation (checked again inside the transaction)."""

    new: list[RosterRow] = field(default_factory=list)
    attach: list[tuple[RosterRow, Person]] = field(default_factory=list)
    open: list[tuple[RosterRow, Person]] = field(default_factory=list)
    transfers: list[tuple[Membership, RosterRow]] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    members: list[PartyMember] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    versions: dict[tuple[str, int], int] = field(default_factory=dict)
    org_ids: set[int] = field(default_factory=set)
    incomplete: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECOMMENDED, 0))
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0


class _Memo:
    """Memoised parsing of the cells that repeat a lot in rosters (codes and dates), keyed by the raw
    cell value, so a repeated value costs one dictionary lookup. Results carry the error reason
    instead of raising, so they can be cached too."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.codes: dict[str, dict[object, tuple[str, str | None]]] = defaultdict(dict)  # per code table
        self.dates: dict[object, tuple[dt.date | None, bool, str]] = {}

    def code(self, table: CodeTable, raw: object) -> tuple[str, str | None]:
        """``(text, code)``: the cell as text and its code (``None`` if unknown, ``text`` empty if the
        cell is). Booleans are never memoised: ``True == 1`` would share the number 1's entry."""
        if raw.__class__ is bool:
            text = cell_text(raw)
            return text, table.parse(text) if text else None
        table_memo = self.codes[table.name]
        result = table_memo.get(raw)
        if result is None:
            text = cell_text(raw)
            result = table_memo[raw] = (text, table.parse(text) if text else None)
        return result

    def date(self, raw: object) -> tuple[dt.date | None, bool, str]:
        """``(date, day_unknown, error_reason)`` of a non-empty cell; dates after today are errors."""
        if raw.__class__ is bool:
            return self._parse(raw)
        result = self.dates.get(raw)
        if result is None:
            result = self.dates[raw] = self._parse(raw)
        return result

    def _parse(self, raw: object) -> tuple[dt.date | None, bool, str]:
        if is_number_cell(raw) and not is_date_number(raw):
            return None, False, f"「{cell_text(raw)}」不是日期（应为日期格式单元格或 YYYY-MM-DD 文本）"
        day = None
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:  # fast path for the ISO form most files use; anything else goes through parse_date
                day, unknown = dt.date.fromisoformat(raw), False
            except ValueError:
                day = None
        if day is None:
            try:
                day, unknown = parse_date(raw)
            except DateParseError as exc:
                return None, False, str(exc)
        if day > self.today:
            return None, False, f"日期 {day.isoformat()} 晚于今天"
        return day, unknown, ""


class RosterImporter(Importer):
    """Importer of the 党员花名册; see the module docstring. Use ``import_roster``."""

    kind = "roster"
    data_label = "party"
    title = "党员花名册"
    models_written = (Person, PartyMember, Membership)
    columns = ROSTER_IMPORT_COLUMNS
    sheet_names = ("党员花名册", "花名册", "党员信息", "党员名册")
    identity_keys = ("name", "id_number")

    def __init__(self, *, user, accept_bad_checksum: bool = False, today: dt.date | None = None):
        super().__init__(user=user)
        self.accept_bad_checksum = accept_bad_checksum
        self.today = today or timezone.localdate()
        self._org_memo: dict[tuple[object, object], tuple[OrgRef | None, str, str]] = {}
        self._org_warned: set[tuple[object, object]] = set()
        self._occupation_memo: dict[object, tuple[str, tuple[str, str] | None]] = {}
        self._rows_of_id: dict[str, list[int]] = defaultdict(list)
        self._sealer: Sealer | None = None
        self._early: dict[int, tuple] = {}  # file row number → (future, position) of its sealed values

    # --- validation ----------------------------------------------------------------------------------
    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> RosterPlan:
        self._check_sources(sheet, issues)
        self._sheet_has_category = sheet.has("category") or sheet.has("political_status")
        self._sheet_has_full = sheet.has("full_membership_date")
        self._estimated_full = 0
        orgs = OrganizationMatcher(self.user, label=self.data_label, action="import")
        memo = _Memo(self.today)
        rows: list[RosterRow] = []
        self._rows_of_id = defaultdict(list)  # ID number → file rows carrying it (valid rows or not)
        # Large files: seal (encrypt) valid rows in worker processes WHILE validating the next ones, so
        # the write finds them ready. Rows that turn out not to be new cost wasted work only.
        sealer = Sealer(len(sheet.rows)) if not self.dry_run else None
        if sealer is not None and not sealer.workers:
            sealer.close()
            sealer = None
        self._sealer = sealer
        pending: list[RosterRow] = []
        for source in sheet.rows:
            row = self._validate_row(sheet, source.number, source.cells, orgs, memo, issues)
            if row is not None:
                rows.append(row)
                if sealer is not None:
                    pending.append(row)
                    if len(pending) == BATCH_SIZE:
                        self._seal_early(pending)
                        pending = []
            ticker.step()
        if pending and sealer is not None:
            self._seal_early(pending)
        duplicates = {number for number, found in self._rows_of_id.items() if len(found) > 1}
        for number in duplicates:
            found = self._rows_of_id[number]
            for r in found:
                others = "、".join(f"第 {o} 行" for o in found if o != r)
                issues.error(r, HEADER["id_number"], f"公民身份号码与{others}重复")
        if duplicates:
            rows = [r for r in rows if r.id_number not in duplicates]
        plan = self._plan(rows, issues)
        if self._estimated_full:
            issues.warning(0, HEADER["full_membership_date"],
                           f"文件没有转正日期列：{self._estimated_full} 名正式党员的转正日期按入党满一年（按期转正）记录"
                           "（已登记转正日期的不变），请核对")
        for label, count in plan.incomplete.items():
            if count:
                how = "文件没有该列" if not sheet.has(_KEY_OF[label]) else "单元格为空"
                issues.warning(0, label, f"{count} 条记录没有{label}（{how}），已导入，记为信息不完整，请在「数据质量」中补全")
        return plan

    def _check_sources(self, sheet: Sheet, issues: Issues) -> None:
        """The required groups (also checked by the layout engine, ``Column.group``): the organization by
        name/code or identifier, and 正式/预备 by 人员类别/政治面貌 — or, when neither column exists, by
        the 转正日期 column (filled = 正式党员, empty = 预备党员; a warning says so). Raises ``ImportFailed``."""
        errors = []
        if not (sheet.has("organization") or sheet.has("organization_ref") or sheet.has("committee_ref")):
            errors.append(RowError(0, HEADER["organization"], f"缺少必填列「{HEADER['organization']}」"
                                                              f"（或「{HEADER['organization_ref']}」）"))
        if not (sheet.has("category") or sheet.has("political_status")):
            if sheet.has("full_membership_date"):
                issues.warning(0, HEADER["category"], "文件没有「人员类别」（正式党员/预备党员）列，按转正日期判断："
                                                      "填有转正日期的记为正式党员，未填的记为预备党员")
            else:
                errors.append(RowError(0, HEADER["category"], f"缺少必填列「{HEADER['category']}」"))
        if errors:
            raise ImportFailed(errors, sheet=sheet)

    def _seal_early(self, rows: list[RosterRow]) -> None:
        """Submit ``rows`` to the sealing workers; ``_sealed_values`` collects the result by row."""
        future = self._sealer.submit([(r.id_number, r.phone or "") for r in rows])
        for position, row in enumerate(rows):
            self._early[row.number] = (future, position)

    def _sealed_values(self, chunk: list[RosterRow]) -> list[tuple]:
        """The sealed columns of ``chunk`` (``core.sealing.seal_people`` order): from the early
        submissions when there are any, else sealed now in this process."""
        if not self._early:
            return seal_people([(r.id_number, r.phone or "") for r in chunk])
        out = []
        for row in chunk:
            future, position = self._early[row.number]
            out.append(self._sealer.result(future)[position])
        return out

    def close(self) -> None:
        """Stop the sealing workers started by ``validate`` (killed if their work was abandoned)."""
        if self._sealer is not None:
            self._sealer.close(kill=True)
            self._sealer = None
        self._early = {}

    def _validate_row(self, sheet: Sheet, number: int, cells: dict, orgs: OrganizationMatcher, memo: _Memo,
                      issues: Issues) -> RosterRow | None:
        ok = True
        error = issues.error
        known_dates = memo.dates

        def date_cell(key: str, required: bool, warn_partial: bool = True) -> dt.date | None:
            nonlocal ok
            raw = cells.get(key)
            entry = known_dates.get(raw) if raw.__class__ is not bool else None  # only non-empty cells are memoised
            if entry is None:
                if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                    if required:
                        error(number, HEADER[key], "必填项为空")
                        ok = False
                    return None
                entry = memo.date(raw)
            day, unknown, reason = entry
            if reason:
                error(number, HEADER[key], reason)
                ok = False
                return None
            if unknown and warn_partial:
                issues.warning(number, HEADER[key], f"日期只有年月（{cell_text(raw)}），按 {day.isoformat()} 记录")
            return day

        # 姓名
        name = cell_text(cells.get("name"))
        if name and len(name) <= 50 and name.isprintable():
            pass  # the common case, without a call
        else:
            for problem in people_rules.validate_name(name):
                error(number, HEADER["name"], problem.reason)
                ok = False

        def optional_code(key: str, table: CodeTable) -> str | None:
            """The code of a non-required coded cell: ``""`` if empty or absent, ``None`` if unknown."""
            nonlocal ok
            text, code = memo.code(table, cells.get(key))
            if not text:
                return ""
            if code is None:
                ok = False
                error(number, HEADER[key], f"无法识别的{table.name}「{text}」（{_HINTS.get(key, '请填写规范名称或代码')}）")
            return code

        sex_given = optional_code("sex", SEX)  # from the ID number when not given
        ethnicity = optional_code("ethnicity", ETHNICITY)
        info = self._id_number(number, cells.get("id_number"), issues)
        if info is None:
            ok = False
        else:
            self._rows_of_id[info.number].append(number)
        # from the ID number when not given; a month-only 出生日期 (1985.07) is checked against it, and the
        # ID number's full date is kept (no 「只有年月」 warning then)
        birth_given = date_cell("birth_date", False, warn_partial=info is None)
        education = optional_code("education", EDUCATION)
        admission_date = date_cell("admission_date", True)
        full_date = date_cell("full_membership_date", False)
        category = self._category(number, cells, memo, full_date, issues)
        if category is None:
            ok = False
        occupation, occupation_detail = self._occupation(number, cells.get("occupation"), issues)
        if occupation is None:
            ok = False
        org = self._organization(number, cells, orgs, issues)
        if org is None:
            ok = False
        full_estimated = False
        if category == "full" and not self._sheet_has_full and admission_date is not None:
            # no 转正日期 column: a 正式党员 turned full when the one-year probation ended (按期转正,
            # 《党章》第七条) — recorded so, and counted in a summary warning; a stored date is kept
            full_date = add_years(admission_date, probation_years(on=admission_date))
            full_estimated = True
            self._estimated_full += 1
            if full_date > self.today:
                error(number, HEADER["category"], "人员类别为正式党员，但入党未满一年；文件没有转正日期列，无法确定转正日期")
                ok = False
        has_work_start = sheet.has("work_start_date")
        work_start = date_cell("work_start_date", False) if has_work_start else None
        phone = self._phone(number, cells.get("phone"), issues) if sheet.has("phone") else None
        if phone is False:
            ok, phone = False, None
        has_front_line = sheet.has("front_line")
        front_line = None
        if has_front_line:
            text, flag = memo.code(YES_NO, cells.get("front_line"))
            if text and flag is None:
                error(number, HEADER["front_line"], f"「{text}」应填写「是」或「否」")
                ok = False
            front_line = flag == "1"

        # Cross-field checks: the shared validators (people.validators, party.validators).
        problems = []
        if info is not None:
            problems += people_rules.validate_id_number_matches(
                info, birth_date=birth_given, sex=sex_given or None,
                birth_day_unknown=birth_given is not None and memo.date(cells.get("birth_date"))[1])
        # 出生日期/性别: those the ID number encodes (GB 11643-1999 §4–5) — a given value was checked against it
        # above (a month-only one agrees with the ID number's month), so the ID number's full date is kept
        birth_date = info.birth_date if info else birth_given
        sex = sex_given or (info.sex if info else "")
        birth = birth_date
        problems += party_rules.validate_admission(birth, admission_date)
        problems += party_rules.validate_category(category, full_date if not full_estimated else None,
                                                  full_date_given=full_estimated or _filled(cells.get("full_membership_date")))
        if not full_estimated:
            problems += party_rules.validate_full_membership(admission_date, full_date)
        problems += party_rules.validate_probation_length(category, admission_date, today=self.today)
        problems += people_rules.validate_work_start(birth, work_start)
        for problem in problems:
            if problem.warning:
                issues.warning(number, problem.field, problem.reason)
            else:
                error(number, problem.field, problem.reason)
                ok = False
        if not ok:
            return None
        lookup_hash = crypto.cipher().lookup_hash  # = Person.hash_id_number of the normalised number
        return RosterRow(
            number=number, name=name, sex=sex, ethnicity=ethnicity, id_number=info.number,
            id_hash=lookup_hash(info.number), birth_date=birth_date, education=education,
            admission_date=admission_date, full_membership_date=full_date, category=category,
            occupation=occupation, occupation_detail=occupation_detail, org=org, work_start_date=work_start, phone=phone, front_line=front_line,
            has_work_start=has_work_start, has_front_line=has_front_line, full_estimated=full_estimated,
        )

    def _id_number(self, number: int, raw: object, issues: Issues) -> idnumber.IdNumberInfo | None:
        column = HEADER["id_number"]
        if is_number_cell(raw):
            # The digits are not echoed: messages are stored with the job and shown on pages.
            issues.error(number, column,
                         "公民身份号码是数字格式的单元格（Excel 显示为 1.10105E+17 这样的科学计数法），Excel 只保留 15 位"
                         "有效数字，末几位可能已丢失；请将该列设为「文本」格式后重新填写")
            return None
        info, problems = people_rules.check_id_number(cell_text(raw), today=self.today,
                                                      accept_bad_checksum=self.accept_bad_checksum, field=column)
        for problem in problems:
            if problem.warning:
                issues.warning(number, column, problem.reason)
            else:
                issues.error(number, column, problem.reason)
        return info

    def _organization(self, number: int, cells: dict, orgs: OrganizationMatcher, issues: Issues) -> OrgRef | None:
        """The row's organization: 所在党组织 (code, full or short name, path) and/or 党组织唯一标识 (another
        system's identifier), resolved by ``orgs`` (``orgs.matching.OrganizationMatcher``). Answers are
        memoised per pair of cells; a matcher warning (matched after normalising the name, a code that lost
        its leading zeros) is reported once per distinct value, on its first row."""
        key = (cells.get("organization"), cells.get("organization_ref"))
        if not (_filled(key[0]) or _filled(key[1])):  # a member directly under the 分党委 (OWIP)
            key = (None, cells.get("committee_ref"))
        try:
            ref, reason, warning = self._org_memo[key]
        except KeyError:
            ref, reason, warning = self._org_memo[key] = self._resolve_organization(
                cell_text(key[0]), cell_text(key[1]), orgs)
        column = HEADER["organization"] if _filled(key[0]) or not _filled(key[1]) else HEADER["organization_ref"]
        if reason:
            issues.error(number, column, reason)
        elif warning and key not in self._org_warned:
            self._org_warned.add(key)
            issues.warning(number, column, f"{warning}（同一写法的其他行不再提示）")
        return ref

    @staticmethod
    def _resolve_organization(text: str, external_id: str, orgs: OrganizationMatcher) -> tuple[OrgRef | None, str, str]:
        """``(OrgRef, "", warning)`` for a usable organization, else ``(None, reason, "")``. With only an
        identifier column, its value is also tried as a code or name (``所在党支部编码`` often is our code)."""
        if not text and not external_id:
            return None, "必填项为空", ""
        match = orgs.resolve(text or external_id, external_id=external_id)
        org = match.organization
        if org is None:
            # unknown and out-of-scope give the matcher's same message: the file must not probe for codes
            reason = match.error or f"党组织「{text or external_id}」不存在或不在您的管理范围内"
            return None, ("所在" + reason if reason.startswith("党组织「") else reason), ""
        shown = text or external_id
        if org.status != "active":
            return None, f"所在党组织「{shown}」已撤销", ""
        if org.org_type not in ORG_TYPES_HOLDING_MEMBERS:
            return None, (f"「{shown}」是{ORG_TYPE.label(org.org_type)}，不直接管理党员组织关系，"
                          "请填写其所属党支部或党委的组织代码"), ""
        return OrgRef(org.pk, org.code, org.path), "", match.warning

    def _category(self, number: int, cells: dict, memo: _Memo, full_date: dt.date | None,
                  issues: Issues) -> str | None:
        """正式/预备 (``"full"``/``"probationary"``, ``None`` after an error): from 人员类别 (or its aliases 党籍状态,
        人员类型 …); when that cell is empty or the column absent, from 政治面貌 (中共党员/中共预备党员); when
        neither column exists, from 转正日期 (filled = 正式党员; ``_check_sources`` warned). Both given and
        different → error."""
        text, code = memo.code(MEMBER_CATEGORY, cells.get("category"))
        p_text, p_code = memo.code(MEMBER_CATEGORY, cells.get("political_status"))
        if text and code is None:
            issues.error(number, HEADER["category"], f"无法识别的人员类别「{text}」（{_HINTS['category']}）")
            return None
        if p_text and p_code is None:
            issues.error(number, HEADER["political_status"],
                         f"无法识别的政治面貌「{p_text}」（应为 中共党员 或 中共预备党员）")
            return None
        if code and p_code and code != p_code:
            issues.error(number, HEADER["political_status"],
                         f"政治面貌「{p_text}」与人员类别「{text}」不一致")
            return None
        if code or p_code:
            return code or p_code
        if self._sheet_has_category:
            issues.error(number, HEADER["category"], "必填项为空")
            return None
        return "full" if full_date is not None else "probationary"

    def _occupation(self, number: int, raw: object, issues: Issues) -> tuple[str | None, str]:
        """``(occupation, occupation_detail)``: ``("", "")`` when empty or absent (recommended), ``(None, "")``
        after an error; a 年报 row gives its 公报 category and itself as detail (``core.codes.occupation_parse``,
        memoised per cell value)."""
        entry = self._occupation_memo.get(raw) if raw.__class__ is not bool else None  # True == 1
        if entry is None:
            text = cell_text(raw)
            entry = (text, occupation_parse(text) if text else ("", ""))
            if raw.__class__ is not bool:
                self._occupation_memo[raw] = entry
        text, parsed = entry
        if parsed is None:
            issues.error(number, HEADER["occupation"], f"无法识别的工作岗位「{text}」（{_HINTS['occupation']}）")
            return None, ""
        return parsed

    @staticmethod
    def _phone(number: int, raw: object, issues: Issues) -> str | bool:
        text = cell_text(raw)
        if not text:
            return ""
        digits = people_rules.normalize_phone(text)
        problems = people_rules.validate_phone(digits)
        for problem in problems:  # the value is not echoed (sensitive)
            issues.error(number, HEADER["phone"], problem.reason)
        return False if problems else digits

    # --- planning against the database ---------------------------------------------------------------
    def _plan(self, rows: list[RosterRow], issues: Issues) -> RosterPlan:
        """Decide create / update / unchanged for every row against the database, ``LOOKUP_CHUNK``
        rows at a time (memory stays bounded: only changed objects are kept for the write)."""
        plan = RosterPlan()
        now = timezone.now()
        # Timestamps and the encrypted ID are never compared; ``updated_at`` is assigned before any
        # bulk_update reads it, so deferring them costs no extra query.
        scoped_people = (Person.objects.restrict(self.user, "import", label="party").select_related("party_member")
                         .defer("id_number_encrypted", "created_at", "updated_at", "party_member__created_at",
                                "party_member__updated_at"))
        scoped_memberships = Membership.objects.restrict(self.user, "import").defer("created_at", "updated_at")
        # Uniqueness check over ALL people: necessarily unscoped, and its result is only ever shown as
        # the generic message below (never which organization or person holds the number).
        all_known = existing_values(Person, "id_number_hash", [r.id_hash for r in rows], chunk=LOOKUP_CHUNK)
        elsewhere: list[int] = []  # file rows whose number a person outside the scope holds
        for i in range(0, len(rows), LOOKUP_CHUNK):
            chunk = rows[i:i + LOOKUP_CHUNK]
            known = {r.id_hash for r in chunk if r.id_hash in all_known}
            persons: dict[str, Person] = {}
            memberships: dict[int, list[Membership]] = defaultdict(list)
            if known:
                persons = {p.id_number_hash: p for p in scoped_people.filter(id_number_hash__in=sorted(known))}
                for m in scoped_memberships.filter(person_id__in=[p.pk for p in persons.values()]):
                    memberships[m.person_id].append(m)
            for row in chunk:
                plan.org_ids.add(row.org.id)
                if row.id_hash not in known:
                    plan.new.append(row)
                    _count_incomplete(plan, row.education, row.ethnicity, row.occupation)
                    continue
                person = persons.get(row.id_hash)
                if person is None:
                    elsewhere.append(row.number)
                    continue
                self._plan_existing(row, person, memberships.get(person.pk, []), plan, issues, now)
        self._answer_existence(plan, elsewhere, issues)
        return plan

    def _answer_existence(self, plan: RosterPlan, elsewhere: list[int], issues: Issues) -> None:
        """Report the rows whose number is held outside the scope, within the user's daily budget
        (``people.oracle.existence_answer``: audited, counted per number). Once the budget is spent,
        those rows and every new-person row get the same neutral refusal, so the refusal reveals nothing."""
        answer = existence_answer(user=self.user, unknown=len(elsewhere) + len(plan.new), elsewhere=len(elsewhere),
                                  context=f"导入{self.title}" + ("（仅校验）" if self.dry_run else ""),
                                  object_type=self.kind)
        for number in elsewhere[:answer.answered]:
            issues.error(number, HEADER["id_number"], ELSEWHERE_MESSAGE)
        if answer.throttled:
            for number in sorted([*elsewhere[answer.answered:], *(r.number for r in plan.new)]):
                issues.error(number, HEADER["id_number"], THROTTLED_MESSAGE)

    def _plan_existing(self, row: RosterRow, person: Person, history: list[Membership], plan: RosterPlan,
                       issues: Issues, now) -> None:
        """Plan the update of an existing in-scope ``person`` from ``row`` (changes applied in memory;
        only changed objects are queued, with the version they had, for ``_check_versions``)."""
        person_version = person.version
        values = {"name": row.name, "sex": row.sex, "birth_date": row.birth_date,
                  "political_status": row.political_status}
        if row.ethnicity:  # recommended: not given → the stored value stays
            values["ethnicity"] = row.ethnicity
        if row.education:
            values["education_level"] = row.education
        changed_person = _assign(person, values)
        if row.has_work_start:
            changed_person |= _assign(person, {"work_start_date": row.work_start_date})
        if row.phone is not None and person.phone_hash != _phone_hash(row.phone):
            person.set_phone(row.phone)
            changed_person = True
        # Reverse one-to-one: Django's RelatedObjectDoesNotExist is an AttributeError, so getattr works.
        member = getattr(person, "party_member", None)
        current = next((m for m in history if m.end_date is None), None) if member is not None else None
        occupation = row.occupation or (current.occupation if current is not None else "")
        _count_incomplete(plan, person.education_level, person.ethnicity, occupation)
        if member is None:
            # A person known from another record (e.g. a cadre) becomes a party member.
            plan.attach.append((row, person))
            if person.organization_id != row.org.id:
                person.organization_id = row.org.id
            plan.versions[("person", person.pk)] = person_version
            _touch(person, now)
            plan.persons.append(person)
            return
        member_version = member.version
        full_date = row.full_membership_date
        if row.full_estimated and member.full_membership_date is not None:
            full_date = member.full_membership_date  # the stored 转正日期 is better than the estimate
        changed_member = _assign(member, {"admission_date": row.admission_date, "full_membership_date": full_date})
        changed_membership = False
        if current is None:
            last = max(history, key=lambda m: (m.end_date, m.pk), default=None)
            if last is not None and last.end_reason in TERMINAL_END_REASONS:
                reason = dict(Membership.END_REASONS).get(last.end_reason, last.end_reason)
                issues.error(row.number, HEADER["organization"],
                             f"该党员的组织关系已于 {last.end_date.isoformat()} 终止（{reason}），不能通过导入恢复")
                return
            plan.open.append((row, person))
            changed_membership = True
        elif current.organization_id != row.org.id:
            plan.versions[("membership", current.pk)] = current.version
            plan.transfers.append((current, row))
            plan.transferred += 1
            changed_membership = True
        else:
            membership_version = current.version
            values = _occupation_values(current, row)
            if row.has_front_line:
                values["front_line"] = bool(row.front_line)
            if _assign(current, values):
                plan.versions[("membership", current.pk)] = membership_version
                _touch(current, now)
                plan.memberships.append(current)
                changed_membership = True
        if person.organization_id != row.org.id:
            person.organization_id = row.org.id
            changed_person = True
        if changed_person:
            plan.versions[("person", person.pk)] = person_version
            _touch(person, now)
            plan.persons.append(person)
        if changed_member:
            plan.versions[("member", member.pk)] = member_version
            _touch(member, now)
            plan.members.append(member)
        if changed_person or changed_member or changed_membership:
            plan.updated += 1
        else:
            plan.unchanged += 1

    def count(self, plan: RosterPlan, result: ImportResult) -> None:
        result.created = len(plan.new) + len(plan.attach)
        result.updated = plan.updated
        result.unchanged = plan.unchanged
        result.details = {"transferred": plan.transferred, "incomplete": dict(plan.incomplete)}

    # --- writing (inside the transaction) ------------------------------------------------------------
    def write(self, plan: RosterPlan, result: ImportResult, ticker: Ticker) -> None:
        self._check_versions(plan)
        today = self.today
        now = timezone.now()
        summary = f"导入党员花名册「{result.filename}」"

        def log(model, count: int, action: str, **data) -> None:
            # bulk writes bypass the change-log signals: one event per table and action
            if count:
                log_bulk_change(model, count, summary, action=action, data={"filename": result.filename, **data})

        if plan.new:
            self._insert_new(plan.new, now, ticker)
            for model in (Person, PartyMember, Membership):
                log(model, len(plan.new), "bulk_create")
        if plan.persons:
            Person.objects.bulk_update(plan.persons, _PERSON_FIELDS, batch_size=500)
            log(Person, len(plan.persons), "bulk_update")
        if plan.attach:
            PartyMember.objects.bulk_create(
                [PartyMember(person_id=p.pk, admission_date=r.admission_date,
                             full_membership_date=r.full_membership_date) for r, p in plan.attach])
            Membership.objects.bulk_create(
                [Membership(person_id=p.pk, organization_id=r.org.id, start_date=r.admission_date,
                            occupation=r.occupation, occupation_detail=r.occupation_detail,
                            front_line=bool(r.front_line)) for r, p in plan.attach])
            log(PartyMember, len(plan.attach), "bulk_create")
            log(Membership, len(plan.attach), "bulk_create")
        if plan.members:
            PartyMember.objects.bulk_update(plan.members, ["admission_date", "full_membership_date", "version",
                                                           "updated_at"], batch_size=500)
            log(PartyMember, len(plan.members), "bulk_update")
        if plan.memberships:
            Membership.objects.bulk_update(plan.memberships, ["occupation", "occupation_detail", "front_line",
                                                              "version", "updated_at"], batch_size=500)
            log(Membership, len(plan.memberships), "bulk_update")
        if plan.transfers:
            try:
                membership_transfer_bulk(
                    user=self.user, action="import", date=today, now=now, summary=summary,
                    data={"filename": result.filename},
                    moves=[TransferMove(membership=m, to_organization_id=r.org.id, front_line=bool(r.front_line),
                                        row=r.number, **_occupation_values(m, r))
                           for m, r in plan.transfers])
            except ValidationFailed as exc:
                raise ImportFailed(exc.errors)
        if plan.open:
            Membership.objects.bulk_create(
                [Membership(person_id=p.pk, organization_id=r.org.id, start_date=today, occupation=r.occupation,
                            occupation_detail=r.occupation_detail, front_line=bool(r.front_line))
                 for r, p in plan.open], batch_size=BATCH_SIZE)
            log(Membership, len(plan.open), "bulk_create")
        ticker.step(result.total_rows - ticker.done)
        # Re-check inside the transaction that every target organization is still in scope (an
        # organization moved out of the user's subtree meanwhile rolls the whole import back).
        org_ids = sorted(plan.org_ids)
        in_scope = PartyOrganization.objects.restrict(self.user, "import").filter(pk__in=org_ids).count()
        if in_scope != len(org_ids):
            raise ImportFailed([RowError(0, HEADER["organization"], "导入过程中有党组织被调整出您的管理范围，请重新导入")])
        self.count(plan, result)

    def _insert_new(self, rows: list[RosterRow], now, ticker: Ticker) -> None:
        """Insert new members: ``Person`` (ID number and phone encrypted, hashed and masked as the
        model's ``set_id_number``/``set_phone`` do), ``PartyMember`` and the open ``Membership``
        (from the 入党日期), with ``RowInserter``: on PostgreSQL one streaming ``COPY`` per table, so
        the server inserts people while this process produces the next ones; elsewhere batches of
        ``BATCH_SIZE`` rows. Primary keys are reserved up front (``reserve_ids``), so the three tables
        need no read-back.

        The sensitive columns come from ``_sealed_values``: for large files they were sealed by worker
        processes (``core.sealing.Sealer``) while ``validate`` went on with the next rows, so here
        they are ready; small files are sealed here, in this process. (A helper
        *thread* was tried and measured slower: while it holds the GIL, every re-acquisition by the
        writing thread — the drivers release the GIL around each row or network wait — waits for
        the thread switch interval; SQLite's Person insert went from 2.0 s to 7.0 s.)"""
        people = RowInserter(Person, ["id", *_PERSON_INSERT_FIELDS], now=now, batch_size=BATCH_SIZE)
        members = RowInserter(PartyMember, ["person_id", "admission_date", "full_membership_date"], now=now,
                              batch_size=BATCH_SIZE)
        memberships = RowInserter(Membership, ["person_id", "organization_id", "start_date", "occupation",
                                               "occupation_detail", "front_line"], now=now, batch_size=BATCH_SIZE)
        ids = reserve_ids(Person, len(rows))  # one round trip for the whole file
        chunks = [rows[i:i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]

        def person_rows():
            position = 0
            for chunk in chunks:
                sealed = self._sealed_values(chunk)
                for r, (id_encrypted, id_masked, phone_encrypted, phone_hash, phone_masked) in zip(
                        chunk, sealed, strict=True):
                    # _PERSON_INSERT_FIELDS order; the ID hash was computed while validating
                    yield (ids[position], r.name, r.sex, r.ethnicity, r.birth_date, id_encrypted, r.id_hash,
                           id_masked, r.education, r.political_status, r.work_start_date, phone_encrypted,
                           phone_hash, phone_masked, r.org.id)
                    position += 1
                ticker.step(len(chunk))  # people are the bulk of the write (encryption)

        people.insert(person_rows())
        members.insert((pk, r.admission_date, r.full_membership_date) for pk, r in zip(ids, rows, strict=True))
        memberships.insert((pk, r.org.id, r.admission_date, r.occupation, r.occupation_detail, bool(r.front_line))
                           for pk, r in zip(ids, rows, strict=True))

    def _check_versions(self, plan: RosterPlan) -> None:
        """Optimistic locking: every existing row the plan changes must still carry the version seen
        during validation (``SELECT … FOR UPDATE`` on PostgreSQL). Raises ``ImportFailed``."""
        models = {"person": Person, "member": PartyMember, "membership": Membership}
        stale = 0
        for label, model in models.items():
            expected = {pk: v for (kind, pk), v in plan.versions.items() if kind == label}
            pks = sorted(expected)
            for i in range(0, len(pks), LOOKUP_CHUNK):
                rows = (model.objects.select_for_update().filter(pk__in=pks[i:i + LOOKUP_CHUNK])
                        .values_list("pk", "version"))
                stale += sum(1 for pk, version in rows if expected[pk] != version)
        if stale:
            raise ImportFailed([RowError(0, "", f"有 {stale} 条记录在校验之后被他人修改，请重新导入")])


_PERSON_INSERT_FIELDS = ["name", "sex", "ethnicity", "birth_date", "id_number_encrypted", "id_number_hash",
                         "id_number_masked", "education_level", "political_status", "work_start_date",
                         "phone_encrypted", "phone_hash", "phone_masked", "organization_id"]
_PERSON_FIELDS = ["name", "sex", "ethnicity", "birth_date", "education_level", "political_status", "work_start_date",
                  "phone_encrypted", "phone_hash", "phone_masked", "organization", "version", "updated_at"]


def _count_incomplete(plan: RosterPlan, education: str, ethnicity: str, occupation: str) -> None:
    """Count a record whose resulting 学历/民族/工作岗位 is blank (``RosterPlan.incomplete``)."""
    if not education:
        plan.incomplete["学历"] += 1
    if not ethnicity:
        plan.incomplete["民族"] += 1
    if not occupation:
        plan.incomplete["工作岗位"] += 1


def _occupation_values(current: Membership, row: RosterRow) -> dict[str, str]:
    """The 工作岗位 fields a membership whose current values are ``current``'s takes from ``row``: not
    given → unchanged; a 年报 row → it and its category; a category → it, keeping a stored 年报 row of the
    same category (less precise, not contradicting it)."""
    occupation, detail = current.occupation, current.occupation_detail
    if row.occupation_detail:
        occupation, detail = row.occupation, row.occupation_detail
    elif row.occupation and row.occupation != occupation:
        occupation, detail = row.occupation, ""
    return {"occupation": occupation, "occupation_detail": detail}


def _filled(value: object) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _phone_hash(phone: str) -> str:
    return crypto.cipher().lookup_hash(phone)


def _assign(obj, values: dict) -> bool:
    """Set ``values`` on ``obj``; True if any attribute changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _touch(obj, now) -> None:
    """Mark ``obj`` as changed by this import: bump the optimistic-locking version and ``updated_at``
    (``bulk_update`` does not run ``auto_now``). Idempotent per import run."""
    if not getattr(obj, "_zugong_touched", False):
        obj.version += 1
        obj._zugong_touched = True
    obj.updated_at = now


def import_roster(file_obj_or_path, *, user, filename: str = "", accept_bad_checksum: bool = False,
                  dry_run: bool = False, progress=None, mapping: dict[str, str] | None = None) -> ImportResult:
    """Import a 党员花名册 (.xlsx, .xls or .csv) as ``user``; see the module docstring for columns and rules.

    ``file_obj_or_path``: path, bytes or binary file object; ``filename`` names it for the extension
    check and the audit log (defaults to the path's name). ``accept_bad_checksum``: a wrong ID check
    character becomes a warning. ``dry_run``: validate and count only. ``progress(phase, done, total)``.

    Returns ``ImportResult`` (``created``/``updated``/``unchanged``/``warnings``; ``details["transferred"]``
    = members moved to another organization; ``details["incomplete"]`` = ``{"学历": n, "民族": n,
    "工作岗位": n}``, the records of the file left without that field). ``mapping``: see ``run_import``. Raises ``ValidationFailed`` (``FileRejected`` for the file,
    ``ImportFailed`` with every ``RowError``) — then nothing was written — and
    ``PermissionDeniedError`` when the user holds no ``party.import`` grant."""
    importer = RosterImporter(user=user, accept_bad_checksum=accept_bad_checksum)
    return run_import(importer, file_obj_or_path, filename=filename, dry_run=dry_run, progress=progress,
                      mapping=mapping)
