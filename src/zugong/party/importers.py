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

from django.db.models import F
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
    OccupationValue,
    occupation_parse_annual,
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
from zugong.party import lifecycle
from zugong.party import validators as party_rules
from zugong.party.choices import DECREASE_KINDS, EVENT_KIND, EXIT_KIND, FRONT_LINE_KIND, INCREASE_KINDS
from zugong.party.import_history import (
    ENTRY_KIND,
    EXIT_KIND_TEXT,
    kind_hint,
    needs_ownership,
    organization_ownership,
    parse_extension_months,
    parse_front_line_kind,
    parse_kind,
    parse_title_level,
)
from zugong.party.models import DevelopmentRecord, MemberCount, Membership, MembershipEvent, PartyMember
from zugong.party.rules import probation_years
from zugong.party.services import TransferMove, membership_transfer_bulk
from zugong.people import validators as people_rules
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer

# --- rules (with their sources): the thresholds and checks live in the validators ----------------------
TERMINAL_END_REASONS = ("death", "withdrawal", "expulsion", "removal", "cancelled")
"""Membership end reasons an import must not undo."""
REENTRY_END_REASONS = ("exit", "suspension", "transfer_out")
"""End reasons after which a roster row needs a 进入类型 (恢复党籍, 转入 …) to open a membership again."""
POLITICAL_STATUS_AFTER_EXIT = "13"
"""政治面貌 after 出党: 13 群众 (as ``party.services.event_record``)."""

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

ROSTER_HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("entry_kind", "进入类型",
           aliases=("进入支部类型", "进入当前支部类型", "进入本支部类型", "进入党支部类型", "进入党组织类型", "进入方式",
                    "党员增加信息", "增加类型", "增加方式", "党员增加类型"),
           width=14, values=ENTRY_KIND.names),
    Column("entry_date", "进入日期",
           aliases=("进入支部日期", "进入当前支部日期", "进入本支部日期", "进入党支部日期", "进入支部时间", "进入当前支部时间",
                    "进入党支部时间", "进入时间", "进入党组织日期", "增加日期", "党员增加日期"),
           width=12),
    Column("exit_kind", "离开类型",
           aliases=("转离支部类型", "离开支部类型", "离开当前支部类型", "离开党支部类型", "离开方式", "党员减少信息", "减少类型",
                    "减少方式", "党员减少类型"),
           width=14, values=EXIT_KIND_TEXT.names),
    Column("exit_date", "离开日期",
           aliases=("转离支部日期", "转离支部时间", "离开支部日期", "离开当前支部日期", "离开支部时间", "离开时间",
                    "离开党组织日期", "减少日期", "党员减少日期"),
           width=12),
    Column("exit_way", "出党方式", aliases=("出党类型", "出党情形"), width=14, values=EXIT_KIND.names),
    Column("counterpart", "对方党组织",
           aliases=("转入来源", "转出去向", "组织关系转往", "转往党组织", "转入前所在党组织", "原所在党组织", "转出党组织",
                    "接收党组织"),
           width=24),
    Column("extension", "延长预备期时间",
           aliases=("延长预备期", "延长预备期时长", "预备期延长时间", "延长预备期(月)", "延长预备期月数", "延长时间"),
           width=12, values=("6个月", "12个月", "半年", "一年")),
)
"""The history columns of issue #10 (the national system's exports carry them as 进入支部类型 / 进入当前支部日期 /
转离支部类型 …): see ``RosterImporter`` and ``party.import_history`` for the values."""

ROSTER_ATTRIBUTE_COLUMNS: tuple[Column, ...] = (
    Column("taiwan_origin", "台湾省籍", aliases=("是否台湾省籍", "台湾省籍人员", "是否台籍", "台籍"), width=8,
           values=YES_NO.names),
    Column("title_level", "专业技术职务",
           aliases=("从事专业技术职务", "专业技术职务等级", "专业技术职务级别", "专业技术职称", "职称", "职称等级", "职称级别",
                    "专技职务"),
           width=14, values=("高级", "中级", "初级")),
    Column("front_line_kind", "一线类别",
           aliases=("生产工作一线类别", "一线情况", "生产工作一线情况", "在生产工作一线情况", "生产、工作第一线情况",
                    "工作第一线类别"),
           width=12, values=FRONT_LINE_KIND.names),
)
"""The 年报 attributes a roster carries (issue #10, item 4): 台湾省籍 (是/否 → ``Person.taiwan_origin``),
专业技术职务 (a level or a title name → ``Person.title_level``), 一线类别 (→ ``Membership.front_line_kind``,
which also sets 生产工作一线)."""

ROSTER_IMPORT_COLUMNS = (*ROSTER_IMPORT_COLUMNS, *ROSTER_HISTORY_COLUMNS, *ROSTER_ATTRIBUTE_COLUMNS)
"""What the importer reads: the layout's columns plus those of other systems' exports — the organization
by another system's identifier (``organization_ref``, looked up as ``OrganizationMatcher.resolve(...,
external_id=)``; OWIP files carry the 分党委's too, ``committee_ref``, used for a member directly under the
分党委 whose branch cells are empty), 政治面貌 (中共党员 = 正式, 中共预备党员 = 预备) as a source of the category —
and the history and attribute columns of issue #10."""
HISTORY_KEYS = tuple(c.key for c in ROSTER_HISTORY_COLUMNS)
HEADER = {c.key: c.header for c in ROSTER_IMPORT_COLUMNS}

_NO_OCCUPATION = OccupationValue("")

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
    # --- issue #10 ---
    ownership: str = ""
    migrant_worker: bool = False
    migrant_business: bool = False
    front_line_kind: str | None = None  # None: neither 一线类别 nor a kind in 生产工作一线 (stored value kept)
    taiwan_origin: bool | None = None  # None: column absent
    title_level: str | None = None  # None: column absent
    history: History | None = None
    events: list[ProposedEvent] = field(default_factory=list)  # planned events (new people; ``_plan``)

    @property
    def political_status(self) -> str:
        """GB/T 4762: 01 中共党员 (正式党员) / 02 中共预备党员; 13 群众 for a row that left by 出党."""
        if self.history is not None and self.history.exit is not None and self.history.exit[0] == "exit":
            return POLITICAL_STATUS_AFTER_EXIT
        return "01" if self.category == "full" else "02"

    @property
    def occupation_fields(self) -> dict:
        """The 工作岗位 fields of a period this row opens (``lifecycle.OCCUPATION_FIELDS``)."""
        return {"occupation": self.occupation, "occupation_detail": self.occupation_detail, "ownership": self.ownership,
                "migrant_worker": self.migrant_worker, "migrant_business": self.migrant_business,
                "front_line": bool(self.front_line), "front_line_kind": self.front_line_kind or ""}


@dataclass(slots=True)
class History:
    """The history cells of one row (issue #10): ``entry`` (进入类型 as ``(kind, detail)``) and ``entry_date``
    (进入日期), ``exit`` (离开类型 with 出党方式 as ``(kind, detail)``) and ``exit_date`` (离开日期), the
    ``counterpart`` (对方党组织 outside Zugong, for 转入 / 转出), ``extension_months`` (延长预备期时间, ``0`` =
    none)."""

    entry: tuple[str, str] | None = None
    entry_date: dt.date | None = None
    exit: tuple[str, str] | None = None
    exit_date: dt.date | None = None
    counterpart: str = ""
    extension_months: int = 0

    @property
    def moves(self) -> bool:
        """Whether the row changes the membership periods (an entry or an exit)."""
        return self.entry is not None or self.exit is not None


@dataclass(slots=True)
class ProposedEvent:
    """A ``MembershipEvent`` the import will write: ``kind``/``detail``/``date``, ``from_org``/``to_org``
    (ids), ``counterpart``, ``extension_months``, and ``column`` (the header its problems are reported
    on)."""

    kind: str
    detail: str
    date: dt.date
    column: str
    date_column: str
    from_org: int | None = None
    to_org: int | None = None
    counterpart: str = ""
    extension_months: int | None = None

    @property
    def label(self) -> str:
        """「转入组织关系」, 「出党（开除党籍）」 … for messages."""
        from zugong.party.choices import EVENT_DETAIL

        text = EVENT_KIND.label(self.kind)
        if self.detail and self.kind != "full_membership":
            return f"{text}（{EVENT_DETAIL.label(self.detail)}）"
        return EVENT_DETAIL.label(self.detail) if self.detail else text

    def model(self, person_id: int) -> MembershipEvent:
        """The unsaved ``MembershipEvent`` of ``person_id`` (scope anchor: ``to_org``, else ``from_org``)."""
        return MembershipEvent(person_id=person_id, kind=self.kind, detail=self.detail, date=self.date,
                               organization_id=self.to_org or self.from_org, from_organization_id=self.from_org,
                               to_organization_id=self.to_org, counterpart=self.counterpart,
                               extension_months=self.extension_months)


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
    events: list[tuple[int, ProposedEvent, dict | None]] = field(default_factory=list)
    """Events of existing people, in write order: (person id, event, occupation of a period it opens); written
    one by one with ``lifecycle.apply_event`` after the bulk updates. New people's are ``RosterRow.events``."""
    admitted: list[tuple[int, dt.date]] = field(default_factory=list)  # existing people admitted (发展记录 closed)
    event_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
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
    models_written = (Person, PartyMember, Membership, MembershipEvent, MemberCount)  # MemberCount: written by the triggers
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
        self._has_history = any(sheet.has(key) for key in HISTORY_KEYS)
        self._has_taiwan = sheet.has("taiwan_origin")
        self._has_title = sheet.has("title_level")
        self._has_front_kind = sheet.has("front_line_kind")
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
        self._fill_ownership(rows)
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
        occupation_value = self._occupation(number, cells.get("occupation"), issues)
        if occupation_value is None:
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
        front_line_kind = None
        if has_front_line:
            text, flag = memo.code(YES_NO, cells.get("front_line"))
            if text and flag is None:
                kind = parse_front_line_kind(text)
                if kind:  # 企业生产一线 … in the 是/否 column: in the front line, of that kind
                    flag, front_line_kind = "1", kind
                else:
                    error(number, HEADER["front_line"], f"「{text}」应填写「是」或「否」（或一线类别，如 企业生产一线）")
                    ok = False
            front_line = flag == "1"
            if not front_line:
                front_line_kind = ""  # not in the front line: no kind
        if self._has_front_kind:
            text = cell_text(cells.get("front_line_kind"))
            kind = parse_front_line_kind(text) if text else ""
            if kind is None:
                error(number, HEADER["front_line_kind"],
                      f"无法识别的一线类别「{text}」（应为 {'、'.join(FRONT_LINE_KIND.entries.values())}）")
                ok = False
            elif kind:
                if has_front_line and front_line is False and cell_text(cells.get("front_line")):
                    error(number, HEADER["front_line_kind"], f"生产工作一线填的是「否」，一线类别「{text}」应为空")
                    ok = False
                front_line, front_line_kind, has_front_line = True, kind, True
            elif front_line_kind is None and front_line:
                front_line_kind = ""  # 是, with the kind column present and empty: the kind is unknown
        taiwan = title = None
        if self._has_taiwan:
            text, flag = memo.code(YES_NO, cells.get("taiwan_origin"))
            if text and flag is None:
                error(number, HEADER["taiwan_origin"], f"「{text}」应填写「是」或「否」")
                ok = False
            taiwan = flag == "1"
        if self._has_title:
            text = cell_text(cells.get("title_level"))
            title = parse_title_level(text)
            if title is None:
                error(number, HEADER["title_level"], f"无法识别的专业技术职务「{text}」（应为 高级、中级、初级，"
                                                     "或职务名称，如 高级工程师、讲师、助理工程师）")
                ok = False
        history = None
        if self._has_history:
            history = self._history(number, cells, memo, issues, admission_date)
            if history is False:
                ok, history = False, None

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
            occupation=occupation_value.occupation, occupation_detail=occupation_value.detail, org=org,
            work_start_date=work_start, phone=phone, front_line=front_line,
            has_work_start=has_work_start, has_front_line=has_front_line, full_estimated=full_estimated,
            ownership=occupation_value.ownership, migrant_worker=occupation_value.migrant_worker,
            migrant_business=occupation_value.migrant_business, front_line_kind=front_line_kind,
            taiwan_origin=taiwan, title_level=title, history=history,
        )

    def _id_number(self, number: int, raw: object, issues: Issues) -> idnumber.IdNumberInfo | None:
        return id_number_cell(number, raw, issues, column=HEADER["id_number"], today=self.today,
                              accept_bad_checksum=self.accept_bad_checksum)

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

    def _occupation(self, number: int, raw: object, issues: Issues) -> OccupationValue | None:
        """The 工作岗位 as the 年报 reads it (``core.codes.occupation_parse_annual``: 公报 category, 年报 row, sector
        prefix 公有制/非公有制, 农民工 / 外出务工经商人员 as flags), memoised per cell value; an empty or absent
        cell gives an empty value (recommended, counted as incomplete); ``None`` after an error."""
        entry = self._occupation_memo.get(raw) if raw.__class__ is not bool else None  # True == 1
        if entry is None:
            text = cell_text(raw)
            entry = (text, occupation_parse_annual(text) if text else _NO_OCCUPATION)
            if raw.__class__ is not bool:
                self._occupation_memo[raw] = entry
        text, parsed = entry
        if parsed is None:
            issues.error(number, HEADER["occupation"], f"无法识别的工作岗位「{text}」（{_HINTS['occupation']}）")
            return None
        return parsed

    def _fill_ownership(self, rows: list[RosterRow]) -> None:
        """The sector of 企业 and 工勤技能 rows whose 工作岗位 did not say it (公有制单位… / 非公有制单位…): from
        the unit of the row's organization (``import_history.organization_ownership``), one lookup per file."""
        wanted = [r for r in rows if not r.ownership and needs_ownership(r.occupation, r.occupation_detail)]
        if not wanted:
            return
        sectors = organization_ownership({r.org.id for r in wanted})
        for row in wanted:
            row.ownership = sectors.get(row.org.id, "")

    def _history(self, number: int, cells: dict, memo: _Memo, issues: Issues,
                 admission_date: dt.date | None) -> History | None | bool:
        """The history cells of a row (``History``; ``None`` when they are all empty, ``False`` after an
        error). Rules: a 进入类型 needs its 进入日期 (发展党员: the 入党日期, which it must equal — the 预备期 runs
        from the branch meeting, 《党章》第七条) and a 进入日期 its 进入类型; the same for 离开类型 / 离开日期;
        离开类型 出党 needs the 出党方式 (第十表), a 出党方式 goes only with 出党; 离开日期 not before 进入日期;
        延长预备期时间 a length (6–12 months, ``lifecycle.extension_bounds``). The event guards
        (``lifecycle.check_event``) run in ``_plan``."""
        ok = True
        history = History()

        def fail(key: str, reason: str) -> None:
            nonlocal ok
            issues.error(number, HEADER[key], reason)
            ok = False

        def day_of(key: str) -> tuple[dt.date | None, bool]:
            raw = cells.get(key)
            if not _filled(raw):
                return None, True
            day, unknown, reason = memo.date(raw)
            if reason:
                fail(key, reason)
                return None, False
            if unknown:
                issues.warning(number, HEADER[key], f"日期只有年月（{cell_text(raw)}），按 {day.isoformat()} 记录")
            return day, True

        # 进入类型 / 进入日期
        text = cell_text(cells.get("entry_kind"))
        if text:
            history.entry = parse_kind(ENTRY_KIND, text)
            if history.entry is None:
                fail("entry_kind", f"无法识别的进入类型「{text}」（{kind_hint(ENTRY_KIND)}）")
        history.entry_date, readable = day_of("entry_date")
        if history.entry_date is not None and not text:
            fail("entry_kind", "填写了进入日期，须同时填写进入类型（如 发展党员、转入组织关系、恢复党籍）")
        if history.entry is not None:
            label = ENTRY_KIND.label(":".join(filter(None, history.entry)))
            if history.entry[0] == "admission":
                if history.entry_date is None and readable:
                    history.entry_date = admission_date
                elif history.entry_date and admission_date and history.entry_date != admission_date:
                    fail("entry_date", f"进入类型为{label}，进入日期 {history.entry_date.isoformat()} 应与入党日期 "
                                       f"{admission_date.isoformat()} 相同（预备期从支部大会通过其为预备党员之日算起，"
                                       "《党章》第七条）")
            elif history.entry_date is None and readable:
                fail("entry_date", f"进入类型为{label}，进入日期不能为空")
        # 离开类型 / 出党方式 / 离开日期
        text = cell_text(cells.get("exit_kind"))
        way_text = cell_text(cells.get("exit_way"))
        if text:
            history.exit = parse_kind(EXIT_KIND_TEXT, text)
            if history.exit is None:
                fail("exit_kind", f"无法识别的离开类型「{text}」（{kind_hint(EXIT_KIND_TEXT)}）")
        if way_text:
            way = EXIT_KIND.parse(way_text)
            if way is None:
                fail("exit_way", f"无法识别的出党方式「{way_text}」（应为 {'、'.join(EXIT_KIND.entries.values())}，"
                                 "党内统计年报第十表）")
            elif not text:
                fail("exit_way", "填写了出党方式，须同时在离开类型中填写「出党」和离开日期")
            elif history.exit is not None:
                if history.exit[0] != "exit":
                    fail("exit_way", f"离开类型为{EXIT_KIND_TEXT.label(history.exit[0])}，不应填写出党方式")
                elif history.exit[1] and history.exit[1] != way:
                    fail("exit_way", f"出党方式「{way_text}」与离开类型「{text}」不一致")
                else:
                    history.exit = ("exit", way)
        if history.exit == ("exit", "") and ok:
            fail("exit_way", f"离开类型为出党，须在出党方式中填写 {'、'.join(EXIT_KIND.entries.values())} 之一"
                             "（党内统计年报第十表）")
        history.exit_date, readable = day_of("exit_date")
        if history.exit_date is not None and not text:
            fail("exit_kind", "填写了离开日期，须同时填写离开类型（如 出党、停止党籍、死亡、转出组织关系）")
        if history.exit is not None and history.exit_date is None and readable:
            fail("exit_date", f"离开类型为{EXIT_KIND_TEXT.label(history.exit[0])}，离开日期不能为空")
        if history.entry_date and history.exit_date and history.exit_date < history.entry_date:
            fail("exit_date", f"离开日期 {history.exit_date.isoformat()} 早于进入日期 {history.entry_date.isoformat()}")
        history.counterpart = cell_text(cells.get("counterpart"))[:200]
        # 延长预备期时间
        raw = cells.get("extension")
        if _filled(raw):
            months = parse_extension_months(raw)
            if months is None:
                fail("extension", f"无法识别的延长预备期时间「{cell_text(raw)}」（应为 6个月、12个月、半年、一年 或月数）")
            elif months:
                on = add_years(admission_date, probation_years(on=admission_date)) if admission_date else self.today
                low, high = lifecycle.extension_bounds(on=on)
                if not low <= months <= high:
                    fail("extension", f"延长预备期 {months} 个月不在 {low} 至 {high} 个月之间（延长时间不能少于半年，"
                                      "最长不超过一年：《党章》第七条、《发展党员工作细则》第三十二条）")
                else:
                    history.extension_months = months
        if not ok:
            return False
        if history.entry is None and history.exit is None and not history.extension_months:
            return None
        return history

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
        self._load_targets({r.org.id for r in rows if r.history is not None or self._has_history})
        for i in range(0, len(rows), LOOKUP_CHUNK):
            chunk = rows[i:i + LOOKUP_CHUNK]
            known = {r.id_hash for r in chunk if r.id_hash in all_known}
            persons: dict[str, Person] = {}
            memberships: dict[int, list[Membership]] = defaultdict(list)
            states: dict[int, lifecycle.MemberState] = {}
            if known:
                persons = {p.id_number_hash: p for p in scoped_people.filter(id_number_hash__in=sorted(known))}
                for m in scoped_memberships.filter(person_id__in=[p.pk for p in persons.values()]):
                    memberships[m.person_id].append(m)
                if self._has_history:  # the guards need each person's record (four queries per chunk)
                    states = lifecycle.load_states([p.pk for p in persons.values()])
            for row in chunk:
                plan.org_ids.add(row.org.id)
                if row.id_hash not in known:
                    if row.history is not None:
                        self._plan_new_history(row, plan, issues)
                    plan.new.append(row)
                    _count_incomplete(plan, row.education, row.ethnicity, row.occupation)
                    continue
                person = persons.get(row.id_hash)
                if person is None:
                    elsewhere.append(row.number)
                    continue
                self._plan_existing(row, person, memberships.get(person.pk, []), plan, issues, now,
                                    state=states.get(person.pk))
        self._answer_existence(plan, elsewhere, issues)
        self._guard_transfers(plan, issues)
        if self._history_before:
            issues.warning(0, HEADER["extension"],
                           f"{self._history_before} 名党员的延长预备期在转正之前或进入本组织之前，属于以往的记录，"
                           "未登记为本系统的党员变动")
        return plan

    # --- history (issue #10): the events a row implies, checked by the lifecycle guards -------------------
    def _load_targets(self, org_ids) -> None:
        """The organizations events may open a membership in (the rows' organizations), with the fields
        ``lifecycle.check_event`` reads (one query)."""
        self._targets: dict[int, PartyOrganization] = {}
        self._history_before = 0
        if org_ids:
            self._targets = {o.pk: o for o in PartyOrganization.objects.filter(pk__in=sorted(org_ids)).only(
                "id", "name", "org_type", "status", "founded_date", "dissolved_date")}

    def _guard_transfers(self, plan: RosterPlan, issues: Issues) -> None:
        """The lifecycle guards of the 组织关系转接 of today that a changed 所在党组织 means
        (``party.services.membership_transfer_bulk`` writes the ``transfer`` events; its guards are the
        caller's): the states of those members only (``lifecycle.load_states``, four queries per 2,000)."""
        if not plan.transfers:
            return
        missing = {r.org.id for _, r in plan.transfers} - set(self._targets)
        if missing:
            self._targets.update({o.pk: o for o in PartyOrganization.objects.filter(pk__in=sorted(missing)).only(
                "id", "name", "org_type", "status", "founded_date", "dissolved_date")})
        states = lifecycle.load_states([m.person_id for m, _ in plan.transfers])
        for membership, row in plan.transfers:
            state = states.get(membership.person_id)
            if state is not None:
                event = ProposedEvent("transfer", "", self.today, HEADER["organization"], HEADER["organization"],
                                      to_org=row.org.id)
                self._guard(row, state, [event], issues)
        plan.event_counts["transfer"] += len(plan.transfers)

    def _org_name(self, pk: int | None) -> str:
        org = self._targets.get(pk) if pk else None
        return org.name if org is not None else ""

    def _extension_event(self, row: RosterRow, *, since: dt.date | None, will_be_full: bool) -> ProposedEvent | None:
        """The 延长预备期 a row states (``History.extension_months``), dated when the one-year 预备期 was full
        (入党日期 + 1 year: the branch decides then, 《党章》第七条). Not written (counted in a summary warning)
        when it happened before the membership on record began (``since``) or belongs to a 正式党员 whose 转正
        is not written by this import (history before Zugong)."""
        months = row.history.extension_months if row.history is not None else 0
        if not months:
            return None
        day = add_years(row.admission_date, probation_years(on=row.admission_date))
        if (since is not None and day < since) or (row.category == "full" and not will_be_full):
            self._history_before += 1
            return None
        return ProposedEvent("full_membership", "extended", day, HEADER["extension"], HEADER["extension"],
                             extension_months=months)

    def _full_event(self, row: RosterRow, extended: bool) -> ProposedEvent:
        """The 转正 at the row's 转正日期 (延长预备期后转正 after an extension, else 按期转正)."""
        return ProposedEvent("full_membership", "after_extension" if extended else "on_time", row.full_membership_date,
                             HEADER["full_membership_date"], HEADER["full_membership_date"])

    def _exit_event(self, row: RosterRow) -> ProposedEvent:
        history = row.history
        kind, detail = history.exit
        return ProposedEvent(kind, detail, history.exit_date, HEADER["exit_way"] if kind == "exit" else HEADER["exit_kind"],
                             HEADER["exit_date"], from_org=row.org.id,
                             counterpart=history.counterpart if kind == "transfer_out" else "")

    def _entry_event(self, row: RosterRow, kind: str, detail: str, *, from_org: int | None = None) -> ProposedEvent:
        history = row.history
        return ProposedEvent(kind, detail, history.entry_date, HEADER["entry_kind"], HEADER["entry_date"],
                             from_org=from_org, to_org=row.org.id,
                             counterpart=history.counterpart if kind == "transfer_in" else "")

    def _plan_new_history(self, row: RosterRow, plan: RosterPlan, issues: Issues) -> None:
        """The events of a row creating a person (or giving a known person a party record): the entry
        (进入类型 at 进入日期: the membership starts then, not at the 入党日期), the 延长预备期, the 转正 when it
        falls after the entry (it happened in Zugong), the exit (离开类型 at 离开日期: the membership ends then).
        A row with none of them is the opening balance. Checked with ``lifecycle.check_event`` on the state
        the row describes (``MemberState`` of a person not written yet); planned into ``row.events``."""
        history = row.history
        org = row.org.id
        entry = history.entry
        start = history.entry_date if entry else row.admission_date
        admitted = not (entry and entry[0] == "admission")
        full = row.full_membership_date
        full_here = bool(full and entry and full > start and not row.full_estimated)
        # a person entering (重新入党, 恢复党籍 …) with no record here: what happened before lies before Zugong
        # (``MemberState.has_history`` is false, the guards that need the earlier 出党 / 停止党籍 do not apply)
        state = lifecycle.MemberState(
            name=row.name, birth_date=row.birth_date, political_status=row.political_status,
            admission_date=row.admission_date if admitted else None,
            full_membership_date=None if full_here or not admitted else full,
            periods=[] if entry else [lifecycle.Period(org, row.admission_date)],
            organization_names={org: self._org_name(org)})
        events = [self._entry_event(row, *entry)] if entry else []
        extension = self._extension_event(row, since=start, will_be_full=full_here)
        if extension is not None:
            events.append(extension)
        if full_here:
            events.append(self._full_event(row, extension is not None))
        if history.exit is not None:
            events.append(self._exit_event(row))
        if self._guard(row, state, events, issues) is not None:
            row.events = events
            for event in events:
                plan.event_counts[event.kind] += 1

    def _existing_events(self, row: RosterRow, state: lifecycle.MemberState, issues: Issues) -> list[ProposedEvent]:
        """The events a row adds to an existing member's record (``state``): what it states and is not on
        record yet. 进入类型: nothing when the membership at the row's organization from 进入日期 is on
        record, a warning when the member is already at the row's organization since another day, a
        组织关系转接 (``transfer``) when a 转入 comes from another organization in Zugong, else the entry
        itself (an entry dated after the membership on record began is refused by the guards: an increase
        for someone who is a member); 延长预备期 unless one is recorded; 转正 when the member is 预备 on record and the row gives
        the 转正日期; 离开类型 unless that event is on record."""
        history = row.history
        org = row.org.id
        events: list[ProposedEvent] = []
        if history is not None and history.entry is not None:
            kind, detail = history.entry
            day = history.entry_date
            current = state.current
            if _entry_recorded(state, day, org):
                pass
            elif current is not None and current.organization_id == org and day <= current.start:
                if day < current.start:  # history before the record of this membership: not rewritten
                    issues.warning(row.number, HEADER["entry_date"],
                                   f"该党员的组织关系已在本组织（自 {current.start.isoformat()} 起），进入类型和进入日期"
                                   "未另行登记为党员变动")
            elif current is not None and kind == "transfer_in":
                events.append(self._entry_event(row, "transfer", detail, from_org=current.organization_id))
            else:
                events.append(self._entry_event(row, kind, detail))
        full_here = bool(self._has_history and row.full_membership_date and not row.full_estimated
                         and state.full_membership_date is None and state.admission_date is not None)
        if state.extension is None and state.full_membership_date is None:
            latest = state.latest_date
            since = max(d for d in (latest, events[0].date if events else None) if d) if latest or events else None
            extension = self._extension_event(row, since=since, will_be_full=full_here)
            if extension is not None:
                events.append(extension)
        if full_here:
            events.append(self._full_event(row, state.extension is not None
                                           or any(e.detail == "extended" for e in events)))
        if history is not None and history.exit is not None:
            kind, detail = history.exit
            if not any(e.kind == kind and e.date == history.exit_date for e in state.events):
                events.append(self._exit_event(row))
        return events

    def _guard(self, row: RosterRow, state: lifecycle.MemberState, events: list[ProposedEvent],
               issues: Issues) -> lifecycle.MemberState | None:
        """Check ``events`` in date order with ``lifecycle.check_event`` (the state advancing by
        ``MemberState.after``), reporting each problem on the row's column it concerns, prefixed by the
        event (「转入组织关系：…」); an exit must leave from the row's organization. Fills each event's
        ``from_org`` (the membership in force on its date). Returns the final state, ``None`` after an error."""
        events.sort(key=lambda e: e.date)
        for event in events:
            in_force = state.member_on(event.date)
            if event.kind not in INCREASE_KINDS:
                if event.kind in DECREASE_KINDS and in_force is not None and event.from_org \
                        and in_force.organization_id != event.from_org:
                    issues.error(row.number, HEADER["organization"],
                                 f"{event.label}：{event.date.isoformat()} 时该党员的组织关系在「"
                                 f"{state.org_name(in_force.organization_id) or '其他党组织'}」，与所在党组织不一致"
                                 "（组织关系转接请先办理转接）")
                    return None
                if in_force is not None:
                    event.from_org = in_force.organization_id
            target = self._targets.get(event.to_org) if event.to_org else None
            problems = lifecycle.check_event(state, kind=event.kind, detail=event.detail, date=event.date,
                                             to_organization=target, extension_months=event.extension_months,
                                             today=self.today)
            blocking = False
            for problem in problems:
                column = _PROBLEM_COLUMN.get(problem.field) or (
                    event.date_column if problem.field == "变动日期" else event.column)
                if problem.warning:
                    issues.warning(row.number, column, f"{event.label}：{with_source(problem)}")
                else:
                    issues.error(row.number, column, f"{event.label}：{with_source(problem)}")
                    blocking = True
            if blocking:
                return None
            state = state.after(kind=event.kind, detail=event.detail, date=event.date, to_organization_id=event.to_org,
                                to_organization_name=self._org_name(event.to_org),
                                extension_months=event.extension_months)
        return state

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
                       issues: Issues, now, *, state: lifecycle.MemberState | None = None) -> None:
        """Plan the update of an existing in-scope ``person`` from ``row`` (changes applied in memory;
        only changed objects are queued, with the version they had, for ``_check_versions``). ``state``
        (when the file has history columns): the person's record for the events the row adds
        (``_existing_events``); a row whose 进入类型 / 离开类型 is given decides the membership by its events,
        not by the organization-change rule below."""
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
        if row.taiwan_origin is not None:
            changed_person |= _assign(person, {"taiwan_origin": row.taiwan_origin})
        if row.title_level is not None:
            changed_person |= _assign(person, {"title_level": row.title_level})
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
            if row.history is not None:
                self._plan_new_history(row, plan, issues)
                if row.history.entry and row.history.entry[0] == "admission":
                    plan.admitted.append((person.pk, row.history.entry_date))
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
        events: list[ProposedEvent] = []
        if state is not None:
            events = self._existing_events(row, state, issues)
            if self._guard(row, state, events, issues) is None:
                return
            for event in events:
                plan.event_counts[event.kind] += 1
                opens = event.kind in INCREASE_KINDS or event.kind == "transfer"
                plan.events.append((person.pk, event, self._opened_occupation(current, row) if opens else None))
                if event.kind == "admission":
                    plan.admitted.append((person.pk, event.date))
            changed_membership = bool(events)
        if row.history is not None and row.history.moves:
            # the membership follows the row's events (or is already as the row says)
            if current is not None and current.organization_id == row.org.id:
                changed_membership |= self._update_current(current, row, plan, now)
        elif current is None:
            last = max(history, key=lambda m: (m.end_date, m.pk), default=None)
            if last is not None and last.end_reason in TERMINAL_END_REASONS + REENTRY_END_REASONS:
                reason = dict(Membership.END_REASONS).get(last.end_reason, last.end_reason)
                how = ("，不能通过导入恢复" if last.end_reason in TERMINAL_END_REASONS else
                       "；再次进入本组织请在「进入类型」「进入日期」列填写（如 恢复党籍、转入组织关系）")
                issues.error(row.number, HEADER["organization"],
                             f"该党员的组织关系已于 {last.end_date.isoformat()} 终止（{reason}）{how}")
                return
            plan.open.append((row, person))
            changed_membership = True
        elif current.organization_id != row.org.id:
            plan.versions[("membership", current.pk)] = current.version
            plan.transfers.append((current, row))
            plan.transferred += 1
            changed_membership = True
        else:
            changed_membership |= self._update_current(current, row, plan, now)
        if person.organization_id != row.org.id and not (current is None and row.history is not None
                                                        and row.history.moves and not events):
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

    def audit_data(self, result: ImportResult) -> dict:
        """The 党员变动 the import recorded, by kind (no personal data)."""
        events = result.details.get("events") or {}
        return {"events": events} if events else {}

    def _update_current(self, current: Membership, row: RosterRow, plan: RosterPlan, now) -> bool:
        """Apply the row's 工作岗位 / 一线 values to the open membership ``current`` (queued when changed)."""
        version = current.version
        values = _occupation_values(current, row)
        if row.has_front_line:
            values["front_line"] = bool(row.front_line)
        if _assign(current, values):
            plan.versions[("membership", current.pk)] = version
            _touch(current, now)
            plan.memberships.append(current)
            return True
        return False

    @staticmethod
    def _opened_occupation(current: Membership | None, row: RosterRow) -> dict:
        """The ``lifecycle.OCCUPATION_FIELDS`` of a period an event opens: the row's values over the current
        period's (``apply_event`` takes the person's latest period for what is missing)."""
        if current is None:
            values = {k: row.occupation_fields[k] for k in _OCCUPATION_KEYS} if row.occupation else {}
        else:
            values = _occupation_values(current, row)
        if row.has_front_line:
            values["front_line"] = bool(row.front_line)
        if row.front_line_kind is not None:
            values["front_line_kind"] = row.front_line_kind
        return values

    def count(self, plan: RosterPlan, result: ImportResult) -> None:
        result.created = len(plan.new) + len(plan.attach)
        result.updated = plan.updated
        result.unchanged = plan.unchanged
        result.details = {"transferred": plan.transferred, "incomplete": dict(plan.incomplete),
                          "events": {EVENT_KIND.label(k): n for k, n in sorted(plan.event_counts.items()) if n}}

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

        events: list[MembershipEvent] = []
        if plan.new:
            events += self._insert_new(plan.new, now, ticker)
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
                [Membership(person_id=p.pk, organization_id=r.org.id, **_period_values(r)) for r, p in plan.attach])
            log(PartyMember, len(plan.attach), "bulk_create")
            log(Membership, len(plan.attach), "bulk_create")
            events += [e.model(p.pk) for r, p in plan.attach for e in r.events]
        if plan.members:
            PartyMember.objects.bulk_update(plan.members, ["admission_date", "full_membership_date", "version",
                                                           "updated_at"], batch_size=500)
            log(PartyMember, len(plan.members), "bulk_update")
        if plan.memberships:
            Membership.objects.bulk_update(plan.memberships, [*_OCCUPATION_KEYS, "front_line", "front_line_kind",
                                                              "version", "updated_at"], batch_size=500)
            log(Membership, len(plan.memberships), "bulk_update")
        if plan.transfers:
            try:
                # the bulk transfer writes the 组织关系转接 events (issue #10) and the new periods with every
                # 年报 field of the row
                membership_transfer_bulk(
                    user=self.user, action="import", date=today, now=now, summary=summary,
                    data={"filename": result.filename},
                    moves=[_transfer_move(m, r) for m, r in plan.transfers])
            except ValidationFailed as exc:
                raise ImportFailed(exc.errors)
        if plan.open:
            Membership.objects.bulk_create(
                [Membership(person_id=p.pk, organization_id=r.org.id, start_date=today,
                            **{k: v for k, v in r.occupation_fields.items()})
                 for r, p in plan.open], batch_size=BATCH_SIZE)
            log(Membership, len(plan.open), "bulk_create")
        if events:
            MembershipEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        for person_id, event, occupation in plan.events:
            # existing members: one by one through the lifecycle rule (few per file)
            saved = event.model(person_id)
            saved.save()
            try:
                lifecycle.apply_event(saved, occupation=occupation)
            except ValueError:  # the record changed since validation (guarded by the versions above)
                raise ImportFailed([RowError(0, "", "导入过程中党员的组织关系被他人修改，请重新导入")]) from None
        for person_id, day in plan.admitted:  # 发展党员 ends the person's 发展党员 record (as event_record does)
            DevelopmentRecord.objects.filter(person_id=person_id, admission_date__isnull=True,
                                             closed_date__isnull=True).update(admission_date=day,
                                                                              version=F("version") + 1)
        if events:  # the existing members' events were saved one by one (the change log saw each)
            log(MembershipEvent, len(events), "bulk_create")
        ticker.step(result.total_rows - ticker.done)
        # Re-check inside the transaction that every target organization is still in scope (an
        # organization moved out of the user's subtree meanwhile rolls the whole import back).
        org_ids = sorted(plan.org_ids)
        in_scope = PartyOrganization.objects.restrict(self.user, "import").filter(pk__in=org_ids).count()
        if in_scope != len(org_ids):
            raise ImportFailed([RowError(0, HEADER["organization"], "导入过程中有党组织被调整出您的管理范围，请重新导入")])
        self.count(plan, result)

    def _insert_new(self, rows: list[RosterRow], now, ticker: Ticker) -> list[MembershipEvent]:
        """Insert new members: ``Person`` (ID number and phone encrypted, hashed and masked as the
        model's ``set_id_number``/``set_phone`` do), ``PartyMember`` and the ``Membership`` (from the
        入党日期, or from the 进入日期 and up to the 离开日期 for a row with history: ``_period_values``), with
        ``RowInserter``: on PostgreSQL one streaming ``COPY`` per table, so
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
        memberships = RowInserter(Membership, ["person_id", "organization_id", *_PERIOD_FIELDS], now=now,
                                  batch_size=BATCH_SIZE)
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
                           phone_hash, phone_masked, r.org.id, bool(r.taiwan_origin), r.title_level or "")
                    position += 1
                ticker.step(len(chunk))  # people are the bulk of the write (encryption)

        people.insert(person_rows())
        members.insert((pk, r.admission_date, r.full_membership_date) for pk, r in zip(ids, rows, strict=True))
        memberships.insert((pk, r.org.id, *_period_values(r).values()) for pk, r in zip(ids, rows, strict=True))
        return [e.model(pk) for pk, r in zip(ids, rows, strict=True) for e in r.events]

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
                         "phone_encrypted", "phone_hash", "phone_masked", "organization_id", "taiwan_origin",
                         "title_level"]
_PERSON_FIELDS = ["name", "sex", "ethnicity", "birth_date", "education_level", "political_status", "work_start_date",
                  "phone_encrypted", "phone_hash", "phone_masked", "organization", "taiwan_origin", "title_level",
                  "version", "updated_at"]
_PERIOD_FIELDS = ["start_date", "end_date", "end_reason", "occupation", "occupation_detail", "ownership",
                  "migrant_worker", "migrant_business", "front_line", "front_line_kind"]


def _period_values(row: RosterRow) -> dict:
    """The ``Membership`` of a row creating a party record (``_PERIOD_FIELDS`` order): from the 进入日期
    (else the 入党日期: the opening balance) to the 离开日期 (``end_reason`` of the 离开类型,
    ``lifecycle.END_REASON_OF_KIND``), with the row's 工作岗位 and 一线 values."""
    history = row.history
    start = history.entry_date if history is not None and history.entry is not None else row.admission_date
    end = history.exit_date if history is not None and history.exit is not None else None
    return {"start_date": start, "end_date": end,
            "end_reason": lifecycle.END_REASON_OF_KIND[history.exit[0]] if end is not None else "",
            **{k: v for k, v in row.occupation_fields.items()}}


def id_number_cell(number: int, raw: object, issues: Issues, *, column: str, today: dt.date,
                   accept_bad_checksum: bool = False) -> idnumber.IdNumberInfo | None:
    """The 公民身份号码 of a cell (GB 11643-1999, ``people.validators.check_id_number``), ``None`` after an
    error reported on ``column``: an Excel number cell is refused (Excel keeps 15 significant digits,
    ``rules.md`` §8); a wrong check character is a warning only with ``accept_bad_checksum``. The digits are
    never echoed (messages are stored with the job and shown on pages)."""
    if is_number_cell(raw):
        issues.error(number, column,
                     "公民身份号码是数字格式的单元格（Excel 显示为 1.10105E+17 这样的科学计数法），Excel 只保留 15 位"
                     "有效数字，末几位可能已丢失；请将该列设为「文本」格式后重新填写")
        return None
    info, problems = people_rules.check_id_number(cell_text(raw), today=today, accept_bad_checksum=accept_bad_checksum,
                                                  field=column)
    for problem in problems:
        if problem.warning:
            issues.warning(number, column, problem.reason)
        else:
            issues.error(number, column, problem.reason)
    return info


def _count_incomplete(plan: RosterPlan, education: str, ethnicity: str, occupation: str) -> None:
    """Count a record whose resulting 学历/民族/工作岗位 is blank (``RosterPlan.incomplete``)."""
    if not education:
        plan.incomplete["学历"] += 1
    if not ethnicity:
        plan.incomplete["民族"] += 1
    if not occupation:
        plan.incomplete["工作岗位"] += 1


_OCCUPATION_KEYS = ("occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business")


def _transfer_move(current: Membership, row: RosterRow) -> TransferMove:
    """The move of ``membership_transfer_bulk`` for a member whose row names another organization: the new
    period takes the row's 工作岗位 fields (``_occupation_values``), 生产工作一线 and its 一线类别 (the stored
    one while the member stays on the front line and the row does not say which)."""
    values = _occupation_values(current, row)
    front_line = bool(row.front_line)
    if not row.has_front_line or row.front_line_kind is None:
        values["front_line_kind"] = current.front_line_kind if front_line else ""
    return TransferMove(membership=current, to_organization_id=row.org.id, front_line=front_line, row=row.number,
                        occupation=values.pop("occupation"), occupation_detail=values.pop("occupation_detail"),
                        more=values)


def _occupation_values(current: Membership, row: RosterRow) -> dict:
    """The 工作岗位 fields (``occupation``, ``occupation_detail``, ``ownership``, ``migrant_worker``,
    ``migrant_business``; ``front_line_kind`` when the row gives it) a membership whose current values are
    ``current``'s takes from ``row``: not given → unchanged; a 年报 row → it and its category, its sector
    and flags (the stored sector and flags of the same row are kept when the row does not say them: the
    export writes 工勤技能人员 for a 农民工); a category → it, keeping a stored 年报 row of the same category
    (less precise, not contradicting it). A sector the row's unit gives fills a blank stored one."""
    values = {name: getattr(current, name) for name in _OCCUPATION_KEYS}
    # the sector of a row that always lies in one (党政机关, 事业单位, 民办非企业) is implied: not a change
    ownership = row.ownership if needs_ownership(row.occupation, row.occupation_detail) else ""
    if row.occupation_detail:
        same = row.occupation_detail == current.occupation_detail
        values.update(occupation=row.occupation, occupation_detail=row.occupation_detail,
                      ownership=ownership or (current.ownership if same else ""),
                      migrant_worker=row.migrant_worker or (same and current.migrant_worker),
                      migrant_business=row.migrant_business or (same and current.migrant_business))
    elif row.occupation and row.occupation != current.occupation:
        values.update(occupation=row.occupation, occupation_detail="", ownership=ownership,
                      migrant_worker=row.migrant_worker, migrant_business=row.migrant_business)
    elif row.occupation and ownership and not current.ownership:
        values["ownership"] = ownership
    if row.front_line_kind is not None:
        values["front_line_kind"] = row.front_line_kind
    return values


def with_source(problem) -> str:
    """A guard's reason naming its regulation: ``Problem.source`` appended when the reason does not cite one
    already (the issue asks every message to name the article)."""
    if problem.source and "《" not in problem.reason:
        return f"{problem.reason}（{problem.source}）"
    return problem.reason


def _entry_recorded(state: lifecycle.MemberState, day: dt.date, org_id: int) -> bool:
    """Whether ``state`` records an entry to ``org_id`` on ``day`` (a membership there from that day, opened
    by an increase or a transfer event of that day): importing the same file twice adds nothing."""
    return (any(p.start == day and p.organization_id == org_id for p in state.periods)
            and any(e.date == day and (e.kind in INCREASE_KINDS or e.kind == "transfer") for e in state.events))


_PROBLEM_COLUMN = {"党组织": "所在党组织", "延长预备期": "延长预备期时间", "入党日期": "入党日期"}
"""``check_event``'s problem fields that name a roster column of their own (others go to the event's columns)."""


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
