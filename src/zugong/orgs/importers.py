"""党组织 sheet import (``rules.md`` §8, issue #9): create, rename and move organizations of the tree, from our
template or from the organization sheets of real systems (全国党员管理信息系统, group platforms, OWIP).

Columns (``*`` = required; aliases of real layouts in ``ORG_COLUMNS``): 组织代码 (党组织编码, 党组织代码),
组织名称* (党组织全称), 党组织简称, 党组织唯一标识 (an external identifier), the parent given by 上级组织代码, by
name (批准成立的上级党组织, 上级党组织), by path (组织树) or by external identifier (上一级党组织唯一标识), 组织类别*
(党委/党工委/党组/党总支/党支部/联合党支部/临时党支部/党小组 and the real values: 党的总支部委员会, 联合支部,
二级党委, 院系党组织, 在职教工党支部 … — ``core.codes.ORG_TYPE``), 单位属性, 成立日期, 所在单位代码, and the national
layout's unit columns: 党组织所在单位情况, 单位名称, 法人单位统一社会信用代码, 单位性质类别, 企业控制（控股）情况,
企业规模 and a second 成立日期 (the unit's: ``Column.repeat_key``); and the term of the organization (issue #10,
党内统计年报 第二十四表): 本届任期开始, 届满日期, 换届日期 (``orgs.terms``: blanks take their defaults — 本届任期开始
= 换届日期, 届满日期 by the term rule, 3 years or 5 for villages, communities and 党委; a term with the same
本届任期开始 is updated, any other is recorded as a new term; ``orgs.terms.terms_bulk_set``).

所在单位代码 (党组织所在单位情况, optional column): one 单位代码 → the organization is set up in that
legal-entity unit (``legal_entity_unit``); two or more codes separated by 、 , ; → a 联合党支部 covering
those units (``joint``, only for the type 联合党支部); the text 「与上级党组织相同」 → ``same_as_parent``;
an empty cell clears the record. Units must be visible to the importing user on the unit tree
(``basic.view``); the rules are ``orgs.validators.check_unit_relation``, written by
``orgs.services.organization_units_bulk_set``.

Identity of a row (which organization it is):

- 组织代码 when given. A numeric code that Excel stripped of its leading zeros is flagged: when zero-padded
  it equals exactly one organization's code in the user's scope the row is that organization (warning);
  a numeric code shorter than the file's usual numeric length is warned about.
- Without a code: the organization holding the row's 党组织唯一标识 (in scope); else the organization of the
  same name (exact or normalised, ``orgs.matching.name_key``) directly under the row's final parent; else a
  NEW organization whose code is the 党组织唯一标识 when that is a usable, free code, else generated from the
  parent's code (``<parent code>-<n>``, the first free number) — a warning names the code given.
- 党组织唯一标识 is stored as the organization's external identifier (``OrganizationExternalId``, system
  ``""``), so the roster's 党组织唯一标识 resolves on the next import. The same identifier on two rows, or
  one already stored for another organization, is an error.

Parent of a row, the first parent column present and filled: 上级组织代码 (a row of the file by code, else
``OrganizationMatcher.resolve_parent``: code, leading zeros, names), 上一级党组织唯一标识 (a row's 党组织唯一标识,
else a stored identifier), 上级党组织 by name (a row of the file by exact or normalised name, else the
matcher), 组织树 (a path; its last part is dropped when it is the row's own name; the file's rows by the last
remaining name, else the matcher). Unknown, out-of-scope and ambiguous parents are errors (same text for
unknown and out of scope; ambiguous names the candidates in scope). **No parent column at all** → new
organizations go under the importing user's own root (``default_parent``: the top of the user's
``party.import`` subtree grants; several roots → a file-level error asking for a parent column), never as
roots; existing organizations stay where they are.

Units (national layout): the unit columns fill the unit the organization is set up in (relation
``legal_entity_unit``): its current unit, else the unit with that 统一社会信用代码, else the one unit of that
name in the user's ``basic.import`` unit scope, else a new legal-entity unit (code = the credit code, else
``<org code>-DW``) under the unit of the parent organization (when a subtree unit grant covers it) or the
user's own unit root. Written through ``orgs.unit_services.units_bulk_write`` (scope re-checked there).
「与上级党组织相同」 records ``same_as_parent`` (unit columns then unused, with a warning); a joint relation
needs the 所在单位代码 column. Without a unit grant the unit columns are an error on the rows that fill them.

Semantics:

- An existing code updates its name, short name, type, unit category and founding date, and a changed
  parent MOVES it (with its subtree; treebeard ``move`` to the last child of the new parent). Same file
  twice → nothing changes.
- The parent may be an existing organization or a row of the same file, in any order: rows are
  written parents-first (topological order of the final tree).
- A parent that is the organization itself or one of its descendants — in the file, in the database,
  or across both (the final tree after the import) — is refused as a cycle.
- An absent optional column leaves that field alone; present but empty clears it.

Scope (``design.md`` rule 1; every check runs on the *final* tree the import would produce):

- An existing organization must be in the user's ``party.import`` scope where it is now (nobody can
  pull someone else's organization into their subtree by naming its code); that is enough to update
  its name, type, category and date.
- Placing an organization under a parent — creating it, or moving it — needs a subtree grant covering
  the parent's final position (the parent itself or one of its final ancestors). A grant on the moved
  organization alone is not enough, so nobody can move their own branch out of their superior's tree.
- A 党小组 cannot have children.
- Roots (empty parent): creating a root, or moving an organization to the top, is allowed only to a
  user who holds a subtree ``party.import`` grant on an existing root — the top administrators of the
  deployment. The new top-level organization is then outside everyone's scope until a security
  administrator grants it (a warning says so; grants are not changed by imports — 三权分立). The very
  first root of an empty installation is created by setup (``orgs.services.organization_create``),
  since grants themselves hang on organizations. Updating an existing root in place only needs a
  grant covering it.
- An unknown parent and an out-of-scope parent get the same message. An out-of-scope existing code is
  reported as taken without naming where it lives.

The importer parses, validates and plans; the writes are ``orgs.services.organizations_bulk_write`` (the
one write path of the tree), ``orgs.unit_services.units_bulk_write``, ``organization_units_bulk_set`` and
``organization_external_ids_bulk_set``, which re-check versions and scope inside the transaction. Value
rules come from ``orgs.validators`` (shared with the pages and the API).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from zugong.core import importing
from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.dates import DateParseError
from zugong.core.errors import RowError, ValidationFailed
from zugong.core.importing import Column, Importer, ImportResult, Issues, Sheet, Ticker, cell_text, run_import
from zugong.core.scoping import can, user_scope
from zugong.orgs import validators as v
from zugong.orgs.choices import ECONOMIC_CONTROL, ENTERPRISE_SIZE, UNIT_RELATION
from zugong.orgs.matching import OrganizationMatcher, name_key, split_path
from zugong.orgs.models import OrganizationExternalId, OrganizationTerm, PartyOrganization, Unit
from zugong.orgs.services import (
    ExternalIdWrite,
    OrgUnitWrite,
    OrgWrite,
    organization_external_ids_bulk_set,
    organization_units_bulk_set,
    organizations_bulk_write,
    unit_problems,
)
from zugong.orgs.terms import TermWrite, check_term, terms_bulk_set
from zugong.orgs.unit_services import ATTRIBUTES, UnitWrite, clean_unit_values, units_bulk_write
from zugong.orgs.validators import check_founded_date, check_parent_type

ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "组织代码", aliases=("党组织代码", "党组织编码", "组织编码"), width=16, text=True),
    Column("name", "组织名称", True, aliases=("党组织名称", "名称", "党组织全称", "组织全称"), width=30),
    Column("short_name", "党组织简称", aliases=("组织简称", "简称"), width=20),
    Column("external_id", "党组织唯一标识", aliases=("组织唯一标识", "唯一标识", "外部标识"), width=24, text=True),
    Column("parent", "上级组织代码", aliases=("上级党组织代码", "上级代码", "上级党组织编码", "上级组织编码"),
           width=16, text=True),
    Column("parent_name", "上级党组织", aliases=("批准成立的上级党组织", "上级党组织名称", "上级组织名称", "上级组织"),
           width=30),
    Column("parent_path", "组织树", aliases=("组织路径", "党组织路径"), width=40),
    Column("parent_ref", "上一级党组织唯一标识", aliases=("上级党组织唯一标识", "上级组织唯一标识"), width=24, text=True),
    Column("org_type", "组织类别", True, aliases=("党组织类别", "组织类型", "党组织类型"), width=12,
           values=ORG_TYPE.names),
    Column("unit_category", "单位属性", width=12, values=UNIT_CATEGORY.names),
    Column("founded_date", "成立日期", aliases=("成立时间", "党组织成立日期"), width=12, repeat_key="unit_founded_date"),
    Column("unit", "所在单位代码", aliases=("单位代码",), width=20, text=True),
    # the national layout's unit columns (全国党员管理信息系统 «党组织和单位信息»)
    Column("unit_relation", "党组织所在单位情况", width=18, values=UNIT_RELATION.names),
    Column("unit_name", "单位名称", aliases=("所在单位名称",), width=30),
    Column("credit_code", "法人单位统一社会信用代码", aliases=("统一社会信用代码", "单位统一社会信用代码"), width=22,
           text=True),
    Column("unit_nature", "单位性质类别", aliases=("单位性质",), width=16),
    Column("economic_control", "企业控制（控股）情况", aliases=("企业控制情况", "企业控股情况", "经济控制类型"), width=16),
    Column("enterprise_size", "企业规模", width=10),
    Column("unit_founded_date", "单位成立日期", width=12),
    # 届次 (issue #10, 党内统计年报 第二十四表)
    Column("election_date", "换届日期", aliases=("换届时间", "本次换届日期", "最近换届日期", "换届选举日期", "最近一次换届日期",
                                          "选举日期"), width=12),
    Column("term_start", "本届任期开始", aliases=("本届任期开始日期", "本届任期起始日期", "任期开始日期", "本届任期开始时间",
                                            "任期起始日期"), width=12),
    Column("term_end", "届满日期", aliases=("任期届满日期", "本届任期届满日期", "届满时间", "任期届满时间", "本届届满日期"),
           width=12),
)
HEADER = {c.key: c.header for c in ORG_COLUMNS}
TERM_HEADER = {"换届日期": HEADER["election_date"], "本届任期开始": HEADER["term_start"], "届满日期": HEADER["term_end"]}
PARENT_KEYS = ("parent", "parent_ref", "parent_name", "parent_path")
UNIT_VALUE_KEYS = ("unit_name", "credit_code", "unit_nature", "economic_control", "enterprise_size", "unit_founded_date")
UNIT_SEPARATORS = "、,，;；"
TEMPLATE_KEYS = ("code", "name", "parent", "org_type", "unit_category", "founded_date", "unit", "election_date",
                 "term_start", "term_end")
TERM_KEYS = ("election_date", "term_start", "term_end")
GENERATED_UNIT_SUFFIX = "-DW"


def split_unit_codes(text: str) -> list[str]:
    """The 单位代码 of a 所在单位代码 cell, in order, without repeats (``、 , ; `` or spaces between)."""
    for sep in UNIT_SEPARATORS:
        text = text.replace(sep, " ")
    return list(dict.fromkeys(text.split()))


def _required_text(cells: dict, key: str, max_length: int, number: int, issues: Issues) -> str:
    """The required text cell ``key`` of row ``number``; records an error (empty or longer than
    ``max_length`` characters) and returns ``""`` when it is not usable."""
    text = cell_text(cells.get(key))
    if not text:
        issues.error(number, HEADER[key], "必填项为空")
        return ""
    if len(text) > max_length:
        issues.error(number, HEADER[key], f"{HEADER[key].rstrip('*')}超过 {max_length} 个字符")
        return ""
    return text


def default_parent(user) -> PartyOrganization:
    """Where the organizations of a sheet without any parent column go: the importing user's own root —
    the one top-most organization of the user's *subtree* ``party.import`` grants (grants inside another
    grant's subtree do not count). Never a new root. Raises ``ValidationFailed`` (one file-level
    ``RowError``) when the user holds no such grant, or several roots (naming them: the user must add a
    parent column or choose on the mapping page). One query."""
    nodes = [n for n in user_scope(user, "party", "import") if n.include_subtree]
    tops = [n for n in nodes if not any(o.path != n.path and n.path.startswith(o.path) for o in nodes)]
    ids = sorted({n.org_id for n in tops})
    if not ids:
        raise ValidationFailed([RowError(0, "", "文件没有上级党组织列，新组织应放在您管理范围的顶级组织下，"
                                                "但您没有可以在其下新建组织的导入权限")])
    roots = list(PartyOrganization.objects.filter(pk__in=ids).order_by("path"))
    if len(roots) > 1:
        names = "、".join(f"{o.name}（{o.code}）" for o in roots[:5])
        raise ValidationFailed([RowError(0, "", f"文件没有上级党组织列，而您在多个组织有导入权限（{names}），"
                                                "无法确定新组织放在哪一个下；请在文件中增加「上级党组织」或「上级组织代码」列")])
    return roots[0]


@dataclass(slots=True)
class OrgRow:
    """One validated row; ``unit_category``/``founded_date`` are ``None`` when the column is absent.
    ``code`` is ``""`` until the identity is settled (no code column, or an empty cell); ``parent`` is the
    final parent's code (``""`` = root)."""

    number: int
    code: str
    name: str
    parent: str  # "" = root
    org_type: str
    unit_category: str | None
    founded_date: dt.date | None
    has_founded_date: bool
    unit_cell: str | None = None  # None: column absent; else the 所在单位代码 cell text
    unit_write: OrgUnitWrite | None = None
    short_name: str | None = None  # None: column absent
    external_id: str = ""
    parent_key: str = ""  # which parent column gave the parent ("" = none filled)
    parent_text: str = ""
    parent_row: OrgRow | None = None  # the parent when it is a row of this file
    parent_org: int | None = None  # the parent when it is an existing organization (pk, in scope)
    parent_code_given: str = ""  # a parent code the matcher does not see: left to the final-tree checks
    keep_parent: bool = False  # no parent column: an existing organization stays where it is
    unit_values: dict | None = None  # the national unit columns of the row (cleaned), None: nothing to fill
    unit_relation: str | None = None  # None: column absent or empty
    unit_plan: UnitPlanRow | None = None
    term: dict | None = None  # {"election_date", "start_date", "end_date"} when a term column is filled


@dataclass(slots=True)
class UnitPlanRow:
    """The unit one organization row fills: an existing unit to update (``unit``) or a new one (``code``
    under ``parent_code``), with the cleaned ``fields`` to write."""

    row: int
    code: str
    fields: dict
    parent_code: str
    unit: Unit | None


@dataclass
class OrgPlan(importing.KeyedPlan):
    """Rows in write order (parents first), the existing organizations by code, the counts, and the
    codes of existing organizations whose parent changes (``moves``)."""

    moves: set[str] = field(default_factory=set)
    units: list[UnitPlanRow] = field(default_factory=list)
    external_ids: list[ExternalIdWrite] = field(default_factory=list)
    terms: list[TermWrite] = field(default_factory=list)
    terms_changed: int = 0


class OrganizationImporter(Importer):
    """Importer of the 党组织 sheet; see the module docstring. Use ``import_organizations``."""

    kind = "orgs"
    data_label = "party"
    models_written = (PartyOrganization, Unit, OrganizationTerm, OrganizationExternalId)
    title = "党组织"
    columns = ORG_COLUMNS
    sheet_names = ("党组织", "组织", "党组织信息", "党组织和单位信息")
    identity_keys = ("code", "name")

    def mapping_notes(self, layout) -> list[str]:
        """What the mapping page asks the user to confirm besides the columns (``core.import_views``): for a
        sheet without any parent column, where its new organizations will go (``default_parent``) or why
        they cannot go anywhere. ``layout``: the ``core.layout.Layout`` being confirmed."""
        if any(key in layout.positions for key in PARENT_KEYS):
            return []
        try:
            root = default_parent(self.user)
        except ValidationFailed as exc:
            return [exc.errors[0].reason]
        return [f"文件没有上级党组织列：文件中的新组织将建在「{root.name}」（{root.code}）之下；已有的组织位置不变。"
                "如需放在其他组织下，请在文件中增加「上级党组织」或「上级组织代码」列"]

    # --- validation ----------------------------------------------------------------------------------
    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> OrgPlan:
        self.matcher = OrganizationMatcher(self.user, action="import")
        parsed: list[OrgRow] = []
        for source in sheet.rows:
            row = self._validate_row(sheet, source.number, source.cells, issues)
            if row is not None:
                parsed.append(row)
            ticker.step()
        parsed = self._settle_identity(sheet, parsed, issues)
        rows: dict[str, OrgRow] = self.unique_rows(parsed, issues, HEADER["code"])

        tree = _FinalTree(rows)
        for row in rows.values():
            if row.keep_parent:  # no parent column: an existing organization stays where it is
                row.parent = tree.db_parent(row.code) if row.code in tree.existing else ""
        plan = OrgPlan(existing=tree.existing)
        nodes = user_scope(self.user, "party", "import")
        subtree_anchor_ids = {n.org_id for n in nodes if n.include_subtree}
        root_admin = any(n.include_subtree and len(n.path) == PartyOrganization.steplen for n in nodes)

        for row in rows.values():
            column = HEADER[row.parent_key or "parent"]
            shown = row.parent_text or row.parent
            existing = tree.existing.get(row.code)
            if existing is not None and not can(self.user, "party", "import", existing):
                issues.error(row.number, HEADER["code"], f"组织代码「{row.code}」已被其他组织使用（不在您的管理范围内）")
                continue
            moving = existing is None or tree.parent_changed(row.code)
            if row.parent:
                if row.parent not in rows and row.parent not in tree.existing:
                    issues.error(row.number, column, f"上级组织「{shown}」不存在或不在您的管理范围内")
                    continue
                if tree.in_cycle(row.code):
                    issues.error(row.number, column,
                                 f"上级组织「{shown}」是本组织自身或其下级组织，不能作为上级（会形成循环）")
                    continue
                # Placing an organization under a parent (new or moved) needs a subtree grant covering the
                # parent's final position; a grant on the moved organization itself is not enough.
                if moving and not tree.covered(row.parent, subtree_anchor_ids):
                    issues.error(row.number, column, f"上级组织「{shown}」不存在或不在您的管理范围内")
                    continue
                problems = check_parent_type(tree.org_type(row.parent), shown)
                if problems:
                    issues.error(row.number, column, problems[0].reason)
                    continue
            elif moving and not root_admin:
                issues.error(row.number, column,
                             "上级组织为空表示顶级组织；只有持有顶级组织导入权限的用户才能新建顶级组织或把组织调整为顶级")
                continue
            if not row.parent and moving:
                issues.warning(row.number, column,
                               f"「{row.code}」将成为顶级组织，不在任何人的管理范围内，需由安全管理员授权后才能管理")
            if existing is None:
                plan.created += 1
            elif _changes(existing, row) or tree.parent_changed(row.code):
                plan.updated += 1
                if tree.parent_changed(row.code):
                    plan.moves.add(row.code)
            else:
                plan.unchanged += 1
        if sheet.has("unit"):
            self._validate_units([r for r in rows.values() if r.unit_cell is not None], tree, issues)
        self._validate_national_units([r for r in rows.values() if r.unit_values is not None or r.unit_relation],
                                      tree, plan, issues)
        self._validate_external_ids(rows, tree, plan, issues)
        self._validate_terms([r for r in rows.values() if r.term is not None], tree, plan, issues)
        plan.rows = self.parents_first(rows)
        return plan

    def _validate_terms(self, rows: list[OrgRow], tree: _FinalTree, plan: OrgPlan, issues: Issues) -> None:
        """Check each row's term (``orgs.terms.check_term``) on the organization as the import leaves it
        (type, 单位属性 and 成立日期 of the row, else the stored ones), plan the writes, and count those that
        create or change a term (one query for the stored terms)."""
        if not rows:
            return
        codes = [r.code for r in rows]
        stored = {o.code: o for o in PartyOrganization.objects.select_related("unit").filter(code__in=codes)}
        known = {(t.organization.code, t.start_date): (t.election_date, t.end_date) for t in
                 OrganizationTerm.objects.filter(organization__code__in=codes).select_related("organization")}
        today = timezone.localdate()
        for row in rows:
            org = stored.get(row.code)
            standin = PartyOrganization(
                name=row.name, org_type=row.org_type,
                unit_category=row.unit_category if row.unit_category is not None else (org.unit_category if org else ""),
                founded_date=row.founded_date if row.has_founded_date else (org.founded_date if org else None),
                unit=org.unit if org is not None and org.unit_id else None)
            problems, (election, start, end) = check_term(standin, today=today, election_date=row.term.get("election_date"),
                                                          start_date=row.term.get("start_date"),
                                                          end_date=row.term.get("end_date"))
            if problems:
                for p in problems:
                    issues.error(row.number, TERM_HEADER.get(p.field, p.field), p.reason)
                continue
            plan.terms.append(TermWrite(row=row.number, code=row.code, election_date=election, start_date=start,
                                        end_date=end))
            if known.get((row.code, start)) != (election, end):
                plan.terms_changed += 1

    # --- identity and parents ------------------------------------------------------------------------
    def _settle_identity(self, sheet: Sheet, parsed: list[OrgRow], issues: Issues) -> list[OrgRow]:
        """Resolve each row's parent (a row of the file or an organization in scope), then give every row
        its code in parents-first order (found by external id or by name under the parent, or generated).
        Rows whose parent or identity cannot be settled get an error and are dropped."""
        matcher = self.matcher
        self._flag_leading_zeros(parsed, issues)
        by_code: dict[str, list[OrgRow]] = {}
        by_ext: dict[str, list[OrgRow]] = {}
        by_name: dict[str, list[OrgRow]] = {}
        by_key: dict[str, list[OrgRow]] = {}
        for row in parsed:
            if row.code:
                by_code.setdefault(row.code, []).append(row)
            if row.external_id:
                by_ext.setdefault(row.external_id, []).append(row)
            names = {row.name} | ({row.short_name} if row.short_name else set())
            for name in names:
                by_name.setdefault(_clean(name), []).append(row)
            for key in {name_key(n) for n in names}:
                by_key.setdefault(key, []).append(row)
        repeated_ext = {e for e, found in by_ext.items() if len(found) > 1}
        has_parent_column = any(sheet.has(k) for k in PARENT_KEYS)
        # codes given, and identifiers that may become codes (``_new_code``): which exist anywhere (one query)
        given = sorted({r.code for r in parsed if r.code} | {r.external_id for r in parsed if r.external_id})
        self._db_codes = set()
        for i in range(0, len(given), 2000):
            self._db_codes.update(PartyOrganization.objects.filter(code__in=given[i:i + 2000]).values_list("code", flat=True))
        ok_rows: list[OrgRow] = []
        for row in parsed:
            if row.external_id in repeated_ext:
                others = "、".join(f"第 {o.number} 行" for o in by_ext[row.external_id] if o is not row)
                issues.error(row.number, HEADER["external_id"], f"党组织唯一标识「{row.external_id}」与{others}重复")
                continue
            if not has_parent_column:
                row.keep_parent = True
            elif row.parent_key and not self._resolve_row_parent(row, by_code, by_ext, by_name, by_key, issues):
                continue
            ok_rows.append(row)
        placed: set[int] = set()  # rows whose identity is settled
        accepted = {id(r) for r in ok_rows}
        fallback: PartyOrganization | None = None
        seen: set[int] = set()
        for row in self._rows_parents_first(ok_rows):
            seen.add(id(row))
            if row.parent_row is not None:
                parent_failed = id(row.parent_row) in seen and id(row.parent_row) not in placed
                if id(row.parent_row) not in accepted or parent_failed:
                    issues.error(row.number, HEADER[row.parent_key],
                                 f"上级党组织（第 {row.parent_row.number} 行）有错误，请先改正该行")
                    continue
                if not row.parent_row.code:  # only in a loop of rows without codes (else parents come first)
                    issues.error(row.number, HEADER[row.parent_key],
                                 f"上级组织「{row.parent_text}」是本组织自身或其下级组织，不能作为上级（会形成循环）")
                    continue
                row.parent = row.parent_row.code
            elif row.parent_org is not None:
                row.parent = matcher.field(row.parent_org, "code")
            elif row.parent_code_given:
                row.parent = row.parent_code_given
            if not row.code:
                self._find_existing(row)
            if row.keep_parent and not self._exists(row.code):
                # a new organization and no parent column: under the user's own root, never a new root
                if fallback is None:
                    try:
                        fallback = default_parent(self.user)
                    except ValidationFailed as exc:
                        issues.error(row.number, HEADER["name"], exc.errors[0].reason)
                        continue
                row.keep_parent = False
                row.parent_org, row.parent, row.parent_text = fallback.pk, fallback.code, fallback.name
                if not row.code:
                    self._find_existing(row)
                if not self._exists(row.code):
                    issues.warning(row.number, HEADER["name"],
                                   f"文件没有上级党组织列，新组织「{row.name}」放在您管理范围的顶级组织「{fallback.name}」下")
            if not row.code:
                row.code = self._new_code(row, issues)
            placed.add(id(row))
        return [r for r in ok_rows if id(r) in placed]

    def _flag_leading_zeros(self, parsed: list[OrgRow], issues: Issues) -> None:
        """Numeric codes that lost their leading zeros: padded to an in-scope code → that code (warning);
        shorter than the file's usual numeric length → a warning."""
        lengths = Counter(len(r.code) for r in parsed if r.code.isdigit())
        usual = lengths.most_common(1)[0][0] if lengths else 0
        for row in parsed:
            if not row.code.isdigit():
                continue
            if self._existing_pk(row.code) is None:
                match = self.matcher.resolve(row.code)
                found = match.organization
                if found is not None and match.warning and found.code.lstrip("0") == row.code.lstrip("0"):
                    issues.warning(row.number, HEADER["code"], match.warning)
                    row.code = found.code
                    continue
            if len(row.code) < usual:
                issues.warning(row.number, HEADER["code"],
                               f"组织代码「{row.code}」比本文件其他编码（{usual} 位）短，可能丢失了前导 0；"
                               "请把该列设为文本格式后核对")

    def _exists(self, code: str) -> bool:
        """True if ``code`` is an existing organization's (given in the file, or found in scope)."""
        return bool(code) and (code in self._db_codes or self._existing_pk(code) is not None)

    def _existing_pk(self, code: str) -> int | None:
        matcher = self.matcher
        return matcher.pk_of_code(code)

    def _resolve_row_parent(self, row: OrgRow, by_code, by_ext, by_name, by_key, issues: Issues) -> bool:
        """Set ``row.parent_row`` / ``row.parent_org`` from the parent column it filled; False (with an
        error) when the parent is unknown, out of scope or ambiguous."""
        key, text = row.parent_key, row.parent_text
        column = HEADER[key]
        matcher = self.matcher

        def in_file(found: list[OrgRow]) -> bool | None:
            found = [r for r in found if r is not row]
            if len(found) == 1:
                row.parent_row = found[0]
                return True
            if len(found) > 1:
                rows = "、".join(f"第 {r.number} 行" for r in found[:5])
                issues.error(row.number, column, f"上级党组织「{text}」在本文件中有 {len(found)} 行（{rows}），"
                                                 "请改填组织代码或唯一标识")
                return False
            return None

        if key == "parent":
            if text == row.code:
                issues.error(row.number, column, "上级组织代码不能是本组织自身（会形成循环）")
                return False
            decided = in_file(by_code.get(text, []))
            match = None if decided is not None else matcher.resolve_parent(text)
        elif key == "parent_ref":
            decided = in_file(by_ext.get(text, []))
            match = None if decided is not None else matcher.resolve_parent("", external_id=text)
        else:
            target = text
            if key == "parent_path":
                parts = split_path(text)
                if parts and (_clean(parts[-1]) == _clean(row.name) or name_key(parts[-1]) == name_key(row.name)):
                    parts = parts[:-1]
                if not parts:
                    row.parent_key, row.parent_text = "", ""
                    return True  # the path names only the organization itself: a root
                target = "/".join(parts)
                last = parts[-1]
            else:
                last = text
            decided = in_file(by_name.get(_clean(last), []))
            if decided is None:
                decided = in_file(by_key.get(name_key(last), []))
                if decided and not _same_name(row.parent_row.name, last):
                    issues.warning(row.number, column, f"上级党组织「{text}」按名称近似匹配为本文件第 "
                                                       f"{row.parent_row.number} 行「{row.parent_row.name}」，请核对")
            match = None if decided is not None else matcher.resolve_parent(target)
        if decided is False:
            return False
        if decided:
            return True
        if match.error:
            if match.problem != "unknown":
                issues.error(row.number, column, match.error.replace("党组织「", "上级组织「", 1))
                return False
            # Not in the user's scope: an existing organization may still name its CURRENT parent (a node-only
            # grant updates in place); the final-tree checks decide, with the same message for the rest.
            current = self._current_parent(row, key, text)
            if current is None:
                issues.error(row.number, column, f"上级组织「{text}」不存在或不在您的管理范围内")
                return False
            row.parent_code_given = current
            return True
        if match.warning:
            issues.warning(row.number, column, match.warning)
        row.parent_org = match.organization.pk
        return True

    def _current_parent(self, row: OrgRow, key: str, text: str) -> str | None:
        """For a parent the matcher does not see (out of scope): the code to hand to the final-tree checks —
        the text itself in the code column; for a name, path or identifier, the current parent's code of the
        row's existing organization when the text names that parent; else ``None`` (unknown)."""
        if key == "parent":
            return text
        if not row.code:
            return None
        org = PartyOrganization.objects.filter(code=row.code).only("path", "depth").first()
        if org is None or org.depth <= 1:
            return None
        parent = PartyOrganization.objects.filter(path=org.path[:-PartyOrganization.steplen]).first()
        if parent is None:
            return None
        if key == "parent_ref":
            same = OrganizationExternalId.objects.filter(organization=parent, value=text).exists()
        else:
            last = split_path(text)[-1] if key == "parent_path" else text
            same = any(n and (_same_name(n, last) or name_key(n) == name_key(last))
                       for n in (parent.name, parent.short_name))
        return parent.code if same else None

    def _find_existing(self, row: OrgRow) -> None:
        """The code of the existing organization a code-less row is: by its 党组织唯一标识 (in scope), else by
        name (exact or normalised) directly under its parent."""
        matcher = self.matcher
        if row.external_id:
            match = matcher.resolve("", external_id=row.external_id)
            if match.organization is not None:
                row.code = match.organization.code
                return
        parent_pk = row.parent_org
        if row.parent_row is not None:
            parent_pk = self._existing_pk(row.parent_row.code) if row.parent_row.code else None
        if parent_pk is None:
            return
        clean, key = _clean(row.name), name_key(row.name)
        exact, near = [], []
        for pk in matcher.children(parent_pk):
            names = [matcher.field(pk, "name"), matcher.field(pk, "short_name")]
            if any(n and _clean(n) == clean for n in names):
                exact.append(pk)
            elif any(n and name_key(n) == key for n in names):
                near.append(pk)
        found = exact or near
        if len(found) == 1:
            row.code = matcher.field(found[0], "code")

    def _new_code(self, row: OrgRow, issues: Issues) -> str:
        """A code for a new organization of a row without one: its 党组织唯一标识 when usable and free,
        else ``<parent code>-<n>`` (first free n); a warning names it."""
        taken = self._taken_codes
        if row.external_id and not v.check_code(row.external_id) and row.external_id not in taken:
            code = row.external_id
        else:
            base = row.parent if row.parent and len(row.parent) <= v.CODE_MAX - 5 else "ORG"
            if base not in self._code_counters:
                prefix = f"{base}-"
                self._code_counters[base] = 0
                taken.update(PartyOrganization.objects.filter(code__startswith=prefix).values_list("code", flat=True))
            n = self._code_counters[base]
            while True:
                n += 1
                code = f"{base}-{n}"
                if code not in taken:
                    break
            self._code_counters[base] = n
        taken.add(code)
        issues.warning(row.number, HEADER["code"], f"未填写组织代码，新组织「{row.name}」的组织代码为「{code}」")
        return code

    @staticmethod
    def _rows_parents_first(rows: list[OrgRow]) -> list[OrgRow]:
        depth: dict[int, int] = {}

        def file_depth(row: OrgRow) -> int:
            if id(row) not in depth:
                d, current, seen = 0, row.parent_row, {id(row)}
                while current is not None and id(current) not in seen:
                    seen.add(id(current))
                    d, current = d + 1, current.parent_row
                depth[id(row)] = d
            return depth[id(row)]

        return sorted(rows, key=file_depth)

    # --- units -----------------------------------------------------------------------------------------
    def _validate_units(self, rows: list[OrgRow], tree: _FinalTree, issues: Issues) -> None:
        """Resolve each 所在单位代码 cell (units within the user's ``basic.view`` unit scope, one query) and
        check the relation with ``orgs.services.unit_problems`` on the row's final type and position."""
        codes = {c for r in rows for c in split_unit_codes(r.unit_cell or "")}
        units = {u.code: u for u in Unit.objects.restrict(self.user, "view").filter(code__in=sorted(codes))}
        for row in rows:
            text = row.unit_cell or ""
            relation, unit, joint = "", None, []
            if text and UNIT_RELATION.parse(text) == "same_as_parent":
                relation = "same_as_parent"
            elif text:
                found = split_unit_codes(text)
                unknown = [c for c in found if c not in units]
                if unknown:
                    issues.error(row.number, HEADER["unit"], f"单位「{'、'.join(unknown)}」不存在或不在您的数据范围内")
                    continue
                if len(found) == 1:
                    relation, unit = "legal_entity_unit", units[found[0]]
                else:
                    relation, joint = "joint", [units[c] for c in found]
            probe = PartyOrganization(org_type=row.org_type, depth=2 if row.parent else 1)
            problems = unit_problems(organization=probe, relation=relation, unit=unit, joint_units=joint)
            if problems:
                issues.error(row.number, HEADER["unit"], "；".join(p.reason for p in problems))
                continue
            row.unit_write = OrgUnitWrite(row=row.number, code=row.code, relation=relation, unit=unit,
                                          joint_units=joint)

    def _validate_national_units(self, rows: list[OrgRow], tree: _FinalTree, plan: OrgPlan, issues: Issues) -> None:
        """Plan the unit each row's national unit columns fill (see the module docstring)."""
        if not rows:
            return
        import_nodes = [n for n in user_scope(self.user, "basic", "import", "unit")]
        subtree_paths = [n.path for n in import_nodes if n.include_subtree]
        tops = [p for p in subtree_paths if not any(o != p and p.startswith(o) for o in subtree_paths)]
        credit_codes = sorted({r.unit_values.get("credit_code") for r in rows if r.unit_values
                               and r.unit_values.get("credit_code")})
        by_credit = {u.credit_code: u for u in Unit.objects.filter(credit_code__in=credit_codes)}
        importable = Unit.objects.restrict(self.user, "import")
        names = sorted({r.unit_values.get("name") for r in rows if r.unit_values and r.unit_values.get("name")})
        by_name: dict[str, list[Unit]] = {}
        for unit in importable.filter(name__in=names):
            by_name.setdefault(unit.name, []).append(unit)
        linked_ids = {o.unit_id for o in tree.existing.values() if o.unit_id}
        linked = {u.pk: u for u in Unit.objects.filter(pk__in=linked_ids)}
        root_unit = Unit.objects.filter(path=tops[0]).first() if len(tops) == 1 else None
        planned_codes: set[str] = set()
        maybe = sorted({c for r in rows for c in ((r.unit_values or {}).get("credit_code"), f"{r.code}{GENERATED_UNIT_SUFFIX}") if c})
        taken_unit_codes = set()
        for i in range(0, len(maybe), 2000):
            taken_unit_codes.update(Unit.objects.filter(code__in=maybe[i:i + 2000]).values_list("code", flat=True))
        ancestor_units = {u.pk: u for u in Unit.objects.filter(pk__in={o.unit_id for o in tree.by_path.values() if o.unit_id})}
        for row in rows:
            if row.unit_write is not None:
                continue  # the 所在单位代码 column decided
            relation = row.unit_relation or ""
            values = row.unit_values or {}
            column = HEADER["unit_name"] if "name" in values else HEADER["unit_relation"]
            if relation == "same_as_parent":
                if any(values.get(k) for k in values):
                    issues.warning(row.number, HEADER["unit_relation"],
                                   "党组织所在单位情况为「与上级党组织相同」，本行的单位信息未使用")
                if not row.parent:
                    issues.error(row.number, HEADER["unit_relation"], "顶级组织没有上级党组织，不能选「与上级党组织相同」")
                    continue
                row.unit_write = OrgUnitWrite(row=row.number, code=row.code, relation="same_as_parent")
                continue
            if relation == "joint":
                issues.error(row.number, HEADER["unit_relation"],
                             "联合党支部覆盖的单位请在「所在单位代码」列填写各单位代码（用「、」分隔）")
                continue
            if not any(values.get(k) for k in ("name", "credit_code")):
                if relation == "legal_entity_unit":
                    issues.error(row.number, HEADER["unit_name"], "党组织所在单位情况为「法人单位」时必须填写单位名称")
                continue
            existing_org = tree.existing.get(row.code)
            unit = linked.get(existing_org.unit_id) if existing_org is not None and existing_org.unit_id else None
            credit = values.get("credit_code", "")
            if unit is None and credit and credit in by_credit:
                unit = by_credit[credit]
            if unit is None and values.get("name"):
                same = by_name.get(values["name"], [])
                if len(same) > 1:
                    issues.error(row.number, column, f"单位「{values['name']}」有 {len(same)} 个同名单位，"
                                                     "请填写法人单位统一社会信用代码")
                    continue
                unit = same[0] if same else None
            if unit is not None and not can(self.user, "basic", "import", unit):
                issues.error(row.number, column, "所在单位不在您的单位管理范围内（需要单位导入权限）")
                continue
            if credit and credit in by_credit and unit is not None and by_credit[credit].pk != unit.pk:
                issues.error(row.number, HEADER["credit_code"], f"统一社会信用代码 {credit} 已登记在其他单位")
                continue
            base = {k: getattr(unit, k) for k in ATTRIBUTES} if unit is not None else {k: "" for k in ATTRIBUTES}
            wanted = {k: val for k, val in values.items() if k != "name" or val}
            if unit is None:
                wanted.setdefault("unit_category", row.unit_category or "")
            wanted["legal_entity"] = True
            merged = base | wanted
            cleaned, problems = clean_unit_values(merged, today=timezone.localdate())
            if unit is None and not values.get("name"):
                problems.append(v.FieldProblem(HEADER["unit_name"], "新建单位需要单位名称"))
            if problems:
                for p in problems:
                    issues.error(row.number, _UNIT_FIELD_HEADER.get(p.field, p.field), p.reason)
                continue
            fields = {k: cleaned[k] for k in wanted}
            if unit is None:
                code = credit or f"{row.code}{GENERATED_UNIT_SUFFIX}"
                if code in planned_codes or code in taken_unit_codes:
                    issues.error(row.number, column, f"单位代码「{code}」已被使用，请在「所在单位代码」列指定单位")
                    continue
                parent_unit = self._parent_unit(row, tree, subtree_paths, ancestor_units) or root_unit
                if parent_unit is None:
                    issues.error(row.number, column, "无法新建所在单位：您没有单位的导入权限（或有多个单位范围，无法确定上级单位），"
                                                     "请先导入单位，再在「所在单位代码」列填写单位代码")
                    continue
                planned_codes.add(code)
                unit_plan = UnitPlanRow(row=row.number, code=code, fields=fields, parent_code=parent_unit.code, unit=None)
            else:
                changed = {k: val for k, val in fields.items() if getattr(unit, k) != val}
                unit_plan = UnitPlanRow(row=row.number, code=unit.code, fields=changed, parent_code="", unit=unit)
            row.unit_plan = unit_plan
            plan.units.append(unit_plan)

    @staticmethod
    def _parent_unit(row: OrgRow, tree: _FinalTree, subtree_paths: list[str], units: dict[int, Unit]) -> Unit | None:
        """The unit of the nearest existing ancestor organization, when a subtree unit import grant covers
        it (a new unit goes under it). ``units``: the units of the loaded organizations by id."""
        for code in tree.chain(row.code):
            org = tree.existing.get(code)
            if org is not None and org.unit_id:
                unit = units.get(org.unit_id)
                if unit is not None and any(unit.path.startswith(p) for p in subtree_paths):
                    return unit
                return None
        return None

    def _validate_external_ids(self, rows: dict[str, OrgRow], tree: _FinalTree, plan: OrgPlan, issues: Issues) -> None:
        """Plan the 党组织唯一标识 to store; one stored for another organization is an error (named only when
        it is in scope)."""
        values = sorted({r.external_id for r in rows.values() if r.external_id})
        if not values:
            return
        stored: dict[str, tuple[str, str]] = {}
        for value, code, name in OrganizationExternalId.objects.filter(system="", value__in=values).values_list(
                "value", "organization__code", "organization__name"):
            stored[value] = (code, name)
        for row in rows.values():
            if not row.external_id:
                continue
            owner = stored.get(row.external_id)
            if owner is not None and owner[0] != row.code:
                where = (f"「{owner[1]}（{owner[0]}）」" if self.matcher.pk_of_code(owner[0]) is not None
                         else "其他党组织（不在您的管理范围内）")
                issues.error(row.number, HEADER["external_id"], f"党组织唯一标识「{row.external_id}」已登记在{where}")
                continue
            if owner is None:
                plan.external_ids.append(ExternalIdWrite(row=row.number, code=row.code, system="",
                                                         value=row.external_id))

    def _validate_row(self, sheet: Sheet, number: int, cells: dict, issues: Issues) -> OrgRow | None:
        code = cell_text(cells.get("code"))
        ok = True
        if code:
            problems = v.check_code(code)
            if problems:
                issues.error(number, HEADER["code"], problems[0].reason)
                ok = False
        name = _required_text(cells, "name", 200, number, issues)
        ok = ok and bool(name)
        short_name = None
        if sheet.has("short_name"):
            short_name = cell_text(cells.get("short_name"))
            if len(short_name) > 100:
                issues.error(number, HEADER["short_name"], "党组织简称超过 100 个字符")
                ok = False
        external_id = cell_text(cells.get("external_id")) if sheet.has("external_id") else ""
        if len(external_id) > 100:
            issues.error(number, HEADER["external_id"], "党组织唯一标识超过 100 个字符")
            ok = False
        parent_key, parent_text = "", ""
        for key in PARENT_KEYS:
            text = cell_text(cells.get(key)) if sheet.has(key) else ""
            if text:
                parent_key, parent_text = key, text
                break
        type_text = cell_text(cells.get("org_type"))
        org_type = ORG_TYPE.parse(type_text) if type_text else None
        if not type_text:
            issues.error(number, HEADER["org_type"], "必填项为空")
            ok = False
        elif org_type is None:
            issues.error(number, HEADER["org_type"],
                         f"无法识别的组织类别「{type_text}」（应为 {'/'.join(ORG_TYPE.entries.values())}）")
            ok = False
        unit_category = None
        if sheet.has("unit_category"):
            text = cell_text(cells.get("unit_category"))
            unit_category = UNIT_CATEGORY.parse(text) if text else ""
            if unit_category is None:
                issues.error(number, HEADER["unit_category"],
                             f"无法识别的单位属性「{text}」（应为 {'/'.join(UNIT_CATEGORY.entries.values())}）")
                ok = False
        founded, ok = self._date(cells, "founded_date", number, issues, ok, check=True)
        term, ok = self._term_values(sheet, cells, number, issues, ok)
        unit_values, unit_relation, ok = self._unit_values(sheet, cells, number, issues, ok)
        if unit_category is None and unit_values and unit_values.get("unit_category"):
            unit_category = unit_values["unit_category"]  # 单位性质类别 gives the org's 单位属性 when that is absent
        if not ok:
            return None
        return OrgRow(number=number, code=code, name=name, parent="", org_type=org_type,
                      unit_category=unit_category, founded_date=founded, has_founded_date=sheet.has("founded_date"),
                      unit_cell=cell_text(cells.get("unit")) if sheet.has("unit") else None,
                      short_name=short_name, external_id=external_id, parent_key=parent_key, parent_text=parent_text,
                      unit_values=unit_values, unit_relation=unit_relation, term=term)

    def _term_values(self, sheet: Sheet, cells: dict, number: int, issues: Issues, ok: bool):
        """The 届次 columns of a row: ``({"election_date", "start_date", "end_date"} or None, ok)`` — ``None``
        when none of them is present and filled. Dates are read as the other dates of the file (a 届满日期
        may lie in the future); the rules are checked on the whole plan (``_validate_terms``)."""
        values: dict = {}
        for key, target in (("election_date", "election_date"), ("term_start", "start_date"), ("term_end", "end_date")):
            raw = cells.get(key) if sheet.has(key) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                day, unknown = self.date_value(raw)
            except DateParseError as exc:
                issues.error(number, HEADER[key], str(exc))
                ok = False
                continue
            if unknown:
                issues.warning(number, HEADER[key], f"日期只有年月（{cell_text(raw)}），按 {day.isoformat()} 记录")
            values[target] = day
        return (values or None), ok

    def _date(self, cells: dict, key: str, number: int, issues: Issues, ok: bool, *, check: bool):
        raw = cells.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, ok
        try:
            day, unknown = self.date_value(raw)
        except DateParseError as exc:
            issues.error(number, HEADER[key], str(exc))
            return None, False
        problems = check_founded_date(day, today=timezone.localdate())
        if problems:
            issues.error(number, HEADER[key], problems[0].reason)
            return None, False
        if unknown:
            issues.warning(number, HEADER[key], f"日期只有年月（{cell_text(raw)}），按 {day.isoformat()} 记录")
        return day, ok

    def _unit_values(self, sheet: Sheet, cells: dict, number: int, issues: Issues, ok: bool):
        """The national unit columns of a row: ``(values or None, relation or None, ok)``; values keyed by
        the ``Unit`` field (name, credit_code, unit_category, economic_control, enterprise_size,
        founded_date), only those whose column is present and filled."""
        relation = None
        if sheet.has("unit_relation"):
            text = cell_text(cells.get("unit_relation"))
            if text:
                relation = UNIT_RELATION.parse(text)
                if relation is None:
                    issues.error(number, HEADER["unit_relation"], f"无法识别的党组织所在单位情况「{text}」"
                                                                  f"（应为 {'/'.join(UNIT_RELATION.names)}）")
                    ok = False
        if not any(sheet.has(k) for k in UNIT_VALUE_KEYS):
            return None, relation, ok
        values: dict = {}
        if sheet.has("unit_name") and cell_text(cells.get("unit_name")):
            values["name"] = cell_text(cells.get("unit_name"))
        if sheet.has("credit_code") and cell_text(cells.get("credit_code")):
            values["credit_code"] = v.normalize_credit_code(cell_text(cells.get("credit_code")))
        for key, target, table in (("unit_nature", "unit_category", UNIT_CATEGORY),
                                   ("economic_control", "economic_control", ECONOMIC_CONTROL),
                                   ("enterprise_size", "enterprise_size", ENTERPRISE_SIZE)):
            text = cell_text(cells.get(key)) if sheet.has(key) else ""
            if not text:
                continue
            code = table.parse(text)
            if code is None:
                issues.error(number, HEADER[key], f"无法识别的{HEADER[key]}「{text}」（应为 {'/'.join(table.names)}）")
                ok = False
                continue
            values[target] = code
        day, ok = self._date(cells, "unit_founded_date", number, issues, ok, check=True) \
            if sheet.has("unit_founded_date") else (None, ok)
        if day is not None:
            values["founded_date"] = day
        return (values or None), relation, ok

    def count(self, plan: OrgPlan, result: ImportResult) -> None:
        plan.count_into(result)
        result.details = {"moved": len(plan.moves), "units_created": sum(1 for u in plan.units if u.unit is None),
                          "units_updated": sum(1 for u in plan.units if u.unit is not None and u.fields),
                          "external_ids": len(plan.external_ids), "terms": plan.terms_changed}

    def audit_data(self, result: ImportResult) -> dict:
        return {k: result.details.get(k, 0) for k in ("moved", "units_created", "units_updated", "external_ids",
                                                      "terms")}

    # --- writing -------------------------------------------------------------------------------------
    def write(self, plan: OrgPlan, result: ImportResult, ticker: Ticker) -> None:
        """Hand the plan to ``orgs.services.organizations_bulk_write`` (the one write path of the tree),
        then the units (``units_bulk_write``), the 所在单位 links and the external identifiers; their typed
        errors become row errors of the import (everything rolls back)."""
        items = []
        for row in plan.rows:
            fields = {"name": row.name, "org_type": row.org_type}
            if row.unit_category is not None:
                fields["unit_category"] = row.unit_category
            if row.has_founded_date:
                fields["founded_date"] = row.founded_date
            if row.short_name is not None:
                fields["short_name"] = row.short_name
            existing = plan.existing.get(row.code)
            items.append(OrgWrite(row=row.number, code=row.code, fields=fields, parent_code=row.parent,
                                  move=row.code in plan.moves,
                                  expected_version=existing.version if existing is not None else None))
        unit_items = [UnitWrite(row=u.row, code=u.code, fields=u.fields, parent_code=u.parent_code,
                                expected_version=u.unit.version if u.unit is not None else None)
                      for u in plan.units if u.unit is None or u.fields]
        with self.service_errors():
            organizations_bulk_write(user=self.user, items=items, action="import")
            if unit_items:
                units_bulk_write(user=self.user, items=unit_items, action="import")
            units = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in plan.units])}
            links = [r.unit_write for r in plan.rows if r.unit_write]
            links += [OrgUnitWrite(row=r.number, code=r.code, relation="legal_entity_unit", unit=units[r.unit_plan.code])
                      for r in plan.rows if r.unit_plan is not None]
            organization_units_bulk_set(user=self.user, items=links)
            organization_external_ids_bulk_set(user=self.user, items=plan.external_ids)
            terms_bulk_set(user=self.user, items=plan.terms, action="import")
        for _ in items:
            ticker.step()
        self.count(plan, result)

    # state of one run
    @property
    def _taken_codes(self) -> set[str]:
        if not hasattr(self, "_taken"):
            self._taken: set[str] = self.matcher.codes | set(self._db_codes)
            self._code_counters: dict[str, int] = {}
        return self._taken


_UNIT_FIELD_HEADER = {v.UNIT_NAME: HEADER["unit_name"], v.CREDIT_CODE: HEADER["credit_code"],
                      v.UNIT_FIELD: HEADER["unit_nature"], v.ECONOMIC_CONTROL_FIELD: HEADER["economic_control"],
                      v.SIZE_FIELD: HEADER["enterprise_size"], v.FOUNDED: HEADER["unit_founded_date"]}


def _clean(text: str) -> str:
    return "".join(cell_text(text).split())


def _same_name(a: str, b: str) -> bool:
    return _clean(a) == _clean(b)


def _changes(org: PartyOrganization, row: OrgRow) -> bool:
    if org.name != row.name or org.org_type != row.org_type:
        return True
    if row.short_name is not None and org.short_name != row.short_name:
        return True
    if row.unit_category is not None and org.unit_category != row.unit_category:
        return True
    return row.has_founded_date and org.founded_date != row.founded_date


class _FinalTree:
    """The tree as it would be after the import: file rows override the database parent of their code.

    Loads the existing organizations named in the file (as code or parent) and their ancestors."""

    def __init__(self, rows: dict[str, OrgRow]):
        self.rows = rows
        codes = set(rows) | {r.parent for r in rows.values() if r.parent}
        self.existing: dict[str, PartyOrganization] = {}
        code_list = sorted(codes)
        for i in range(0, len(code_list), 2000):
            # Unscoped on purpose: the final-tree cycle and scope checks need the real positions; nothing
            # about an out-of-scope organization is revealed beyond "not found / not in your scope".
            for org in PartyOrganization.objects.filter(code__in=code_list[i:i + 2000]):
                self.existing[org.code] = org
        steplen = PartyOrganization.steplen
        ancestor_paths = {org.path[:k] for org in self.existing.values()
                          for k in range(steplen, len(org.path), steplen)}
        self.by_path: dict[str, PartyOrganization] = {o.path: o for o in self.existing.values()}
        missing = sorted(ancestor_paths - set(self.by_path))
        for i in range(0, len(missing), 2000):
            for org in PartyOrganization.objects.filter(path__in=missing[i:i + 2000]):
                self.by_path[org.path] = org
                self.existing.setdefault(org.code, org)

    def db_parent(self, code: str) -> str:
        org = self.existing[code]
        if org.depth <= 1:
            return ""
        parent = self.by_path.get(org.path[: (org.depth - 1) * PartyOrganization.steplen])
        return parent.code if parent else ""

    def parent(self, code: str) -> str:
        """Final parent code of ``code`` ("" = root)."""
        row = self.rows.get(code)
        if row is not None:
            return row.parent
        return self.db_parent(code) if code in self.existing else ""

    def parent_changed(self, code: str) -> bool:
        return code in self.existing and code in self.rows and self.db_parent(code) != self.rows[code].parent

    def chain(self, code: str):
        """Final ancestors of ``code`` (nearest first); stops at a root, an unknown code or a repeat."""
        seen = {code}
        current = self.parent(code)
        while current and current not in seen:
            yield current
            seen.add(current)
            if current not in self.rows and current not in self.existing:
                return
            current = self.parent(current)
        if current in seen:
            yield current  # the repeated code closes the loop

    def in_cycle(self, code: str) -> bool:
        """True if ``code`` is its own ancestor in the final tree."""
        return any(a == code for a in self.chain(code))

    def covered(self, code: str, subtree_ids: set[int]) -> bool:
        """True if ``code``'s final position lies under a subtree grant: the grant is on ``code`` itself
        (an existing organization) or on one of its final ancestors."""
        org = self.existing.get(code)
        if org is not None and org.pk in subtree_ids:
            return True
        for ancestor in self.chain(code):
            anc = self.existing.get(ancestor)
            if anc is not None and anc.pk in subtree_ids:
                return True
        return False

    def org_type(self, code: str) -> str:
        """Final ``org_type`` of ``code`` (the file row's, else the database's)."""
        row = self.rows.get(code)
        if row is not None:
            return row.org_type
        org = self.existing.get(code)
        return org.org_type if org is not None else ""


def import_organizations(file, *, user, filename: str = "", dry_run: bool = False, progress=None,
                         mapping: dict[str, str] | None = None) -> ImportResult:
    """Import a 党组织 sheet (.xlsx or .csv) as ``user``; see the module docstring.

    ``file``: path, bytes or binary file object; ``filename`` for the extension check and the audit
    log. Returns ``ImportResult`` (``details["moved"]`` = organizations moved to another parent).
    Raises ``ValidationFailed`` (``FileRejected`` or ``ImportFailed`` with every ``RowError``; nothing
    written) and ``PermissionDeniedError`` when the user holds no ``party.import`` grant."""
    importer = OrganizationImporter(user=user)
    return run_import(importer, file, filename=filename, dry_run=dry_run, progress=progress, mapping=mapping)


def organizations_template() -> bytes:
    """An empty 党组织 import template (headers only, plus a 「说明」 sheet): our own layout (``TEMPLATE_KEYS``,
    组织代码 marked required there);
    the other layouts' columns (parent by name or path, the national unit columns) are accepted on import
    but not offered here."""
    from zugong.core.files import VALUES_SHEET, xlsx_bytes

    notes = [
        "每行一个党组织；表头按名称识别，顺序可调整；带 * 的列必填。",
        "组织代码是下次导入识别组织的依据，本模板中请填写（其他系统导出的文件可以没有，按党组织唯一标识或上级组织下的同名组织识别）。",
        "上级组织代码：已有组织或本表中的组织均可，顺序不限；只有顶级组织可以为空。也可用「上级党组织」（名称）、"
        "「组织树」（路径，如 某县委/某镇党委）或「上一级党组织唯一标识」列；没有上级列时新组织放在您管理范围的顶级组织下。",
        "党组织唯一标识：其他系统（如全国党员管理信息系统）的党组织标识，导入后登记为本组织的外部标识，花名册可按它识别党组织。",
        f"组织类别、单位属性：在单元格的下拉列表中选择，可选值见「{VALUES_SHEET}」表。",
        "已存在的组织代码会更新名称、类别、单位属性和成立日期；上级组织代码变化会移动该组织（连同下级）。",
        "所在单位代码：党组织所在的法人单位的单位代码；联合党支部填覆盖的各单位代码，用「、」分隔；"
        "填「与上级党组织相同」表示与上级党组织在同一单位；单位须先在「导入单位」中建立。",
        "换届日期、本届任期开始、届满日期（党内统计年报第二十四表）：本届任期开始不填则为换届日期；届满日期不填则按每届任期计算"
        "（党委和村、社区党组织5年，其他党总支、党支部3年）；同一本届任期开始的届次按文件更新，不同的另记一届。"
        "党工委、党组、临时党支部、党小组不实行任期制，不填。",
    ]
    columns = [c for c in ORG_COLUMNS if c.key in TEMPLATE_KEYS]
    # our own layout asks for the code (the key of the next import); other layouts may leave it out
    headers = [f"{c.header}*" if c.key == "code" else c.template_header for c in columns]
    return xlsx_bytes(headers=headers, rows=[], sheet_title="党组织",
                      formats=[c.format for c in columns], notes=notes)
