"""党组织 sheet import (``rules.md`` §8): create, rename and move organizations of the tree.

Columns (``*`` = required): 组织代码*, 组织名称*, 上级组织代码 (empty only for a root), 组织类别*
(党委/党工委/党组/党总支/党支部/联合党支部/临时党支部/党小组, or the codes of ``ORG_TYPE``), 单位属性
(机关/事业单位/企业/社会组织/街道/乡镇/社区/行政村), 成立日期, 所在单位代码.

所在单位代码 (党组织所在单位情况, optional column): one 单位代码 → the organization is set up in that
legal-entity unit (``legal_entity_unit``); two or more codes separated by 、 , ; → a 联合党支部 covering
those units (``joint``, only for the type 联合党支部); the text 「与上级党组织相同」 → ``same_as_parent``;
an empty cell clears the record. Units must be visible to the importing user on the unit tree
(``basic.view``); the rules are ``orgs.validators.check_unit_relation``, written by
``orgs.services.organization_units_bulk_set``.

Semantics:

- 组织代码 is the key. A new code creates the organization under its parent; an existing code updates its
  name, type, unit category and founding date, and a changed parent MOVES it (with its subtree;
  treebeard ``move`` to the last child of the new parent). Same file twice → nothing changes.
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
- Roots (empty 上级组织代码): creating a root, or moving an organization to the top, is allowed only to a
  user who holds a subtree ``party.import`` grant on an existing root — the top administrators of the
  deployment. The new top-level organization is then outside everyone's scope until a security
  administrator grants it (a warning says so; grants are not changed by imports — 三权分立). The very
  first root of an empty installation is created by setup (``orgs.services.organization_create``),
  since grants themselves hang on organizations. Updating an existing root in place only needs a
  grant covering it.
- An unknown parent code and an out-of-scope parent get the same message. An out-of-scope existing
  code is reported as taken without naming where it lives.

The importer parses, validates and plans; the write is ``orgs.services.organizations_bulk_write`` (the
one write path of the tree), which re-checks versions and, after writing, the scope of every written
organization inside the transaction. Value rules come from ``orgs.validators`` (shared with the pages
and the API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from zugong.core import importing
from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.dates import DateParseError
from zugong.core.importing import Column, Importer, ImportResult, Issues, Sheet, Ticker, cell_text, run_import
from zugong.core.scoping import can, user_scope
from zugong.orgs.choices import UNIT_RELATION
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.services import (
    OrgUnitWrite,
    OrgWrite,
    organization_units_bulk_set,
    organizations_bulk_write,
    unit_problems,
)
from zugong.orgs.validators import check_founded_date, check_parent_type

ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "组织代码", True, aliases=("党组织代码",), width=16, text=True),
    Column("name", "组织名称", True, aliases=("党组织名称", "名称"), width=30),
    Column("parent", "上级组织代码", aliases=("上级党组织代码", "上级代码"), width=16, text=True),
    Column("org_type", "组织类别", True, aliases=("党组织类别", "组织类型"), width=12,
           values=ORG_TYPE.names),
    Column("unit_category", "单位属性", width=12, values=UNIT_CATEGORY.names),
    Column("founded_date", "成立日期", aliases=("成立时间",), width=12),
    Column("unit", "所在单位代码", aliases=("单位代码",), width=20, text=True),
)
HEADER = {c.key: c.header for c in ORG_COLUMNS}
UNIT_SEPARATORS = "、,，;；"


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


@dataclass(slots=True)
class OrgRow:
    """One validated row; ``unit_category``/``founded_date`` are ``None`` when the column is absent."""

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


@dataclass
class OrgPlan(importing.KeyedPlan):
    """Rows in write order (parents first), the existing organizations by code, the counts, and the
    codes of existing organizations whose parent changes (``moves``)."""

    moves: set[str] = field(default_factory=set)


class OrganizationImporter(Importer):
    """Importer of the 党组织 sheet; see the module docstring. Use ``import_organizations``."""

    kind = "orgs"
    data_label = "party"
    models_written = (PartyOrganization,)
    title = "党组织"
    columns = ORG_COLUMNS
    sheet_names = ("党组织", "组织")
    identity_keys = ("code", "name")

    # --- validation ----------------------------------------------------------------------------------
    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> OrgPlan:
        parsed: list[OrgRow] = []
        for source in sheet.rows:
            row = self._validate_row(sheet, source.number, source.cells, issues)
            if row is not None:
                parsed.append(row)
            ticker.step()
        rows: dict[str, OrgRow] = self.unique_rows(parsed, issues, HEADER["code"])

        tree = _FinalTree(rows)
        plan = OrgPlan(existing=tree.existing)
        nodes = user_scope(self.user, "party", "import")
        subtree_anchor_ids = {n.org_id for n in nodes if n.include_subtree}
        root_admin = any(n.include_subtree and len(n.path) == PartyOrganization.steplen for n in nodes)

        for row in rows.values():
            existing = tree.existing.get(row.code)
            if existing is not None and not can(self.user, "party", "import", existing):
                issues.error(row.number, HEADER["code"], f"组织代码「{row.code}」已被其他组织使用（不在您的管理范围内）")
                continue
            moving = existing is None or tree.parent_changed(row.code)
            if row.parent:
                if row.parent not in rows and row.parent not in tree.existing:
                    issues.error(row.number, HEADER["parent"], f"上级组织「{row.parent}」不存在或不在您的管理范围内")
                    continue
                if tree.in_cycle(row.code):
                    issues.error(row.number, HEADER["parent"],
                                 f"上级组织「{row.parent}」是本组织自身或其下级组织，不能作为上级（会形成循环）")
                    continue
                # Placing an organization under a parent (new or moved) needs a subtree grant covering the
                # parent's final position; a grant on the moved organization itself is not enough.
                if moving and not tree.covered(row.parent, subtree_anchor_ids):
                    issues.error(row.number, HEADER["parent"], f"上级组织「{row.parent}」不存在或不在您的管理范围内")
                    continue
                problems = check_parent_type(tree.org_type(row.parent), row.parent)
                if problems:
                    issues.error(row.number, HEADER["parent"], problems[0].reason)
                    continue
            elif moving and not root_admin:
                issues.error(row.number, HEADER["parent"],
                             "上级组织代码为空表示顶级组织；只有持有顶级组织导入权限的用户才能新建顶级组织或把组织调整为顶级")
                continue
            if not row.parent and moving:
                issues.warning(row.number, HEADER["parent"],
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
        plan.rows = self.parents_first(rows)
        return plan

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

    def _validate_row(self, sheet: Sheet, number: int, cells: dict, issues: Issues) -> OrgRow | None:
        code = _required_text(cells, "code", 50, number, issues)
        name = _required_text(cells, "name", 200, number, issues)
        ok = bool(code and name)
        parent = cell_text(cells.get("parent"))
        if parent and parent == code:
            issues.error(number, HEADER["parent"], "上级组织代码不能是本组织自身（会形成循环）")
            ok = False
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
        founded = None
        if sheet.has("founded_date"):
            raw = cells.get("founded_date")
            try:
                founded, unknown = self.date_value(raw)
            except DateParseError as exc:
                issues.error(number, HEADER["founded_date"], str(exc))
                ok = False
            else:
                problems = check_founded_date(founded, today=timezone.localdate())
                if problems:
                    issues.error(number, HEADER["founded_date"], problems[0].reason)
                    ok = False
                elif unknown:
                    issues.warning(number, HEADER["founded_date"],
                                   f"日期只有年月（{cell_text(raw)}），按 {founded.isoformat()} 记录")
        if not ok:
            return None
        return OrgRow(number=number, code=code, name=name, parent=parent, org_type=org_type,
                      unit_category=unit_category, founded_date=founded, has_founded_date=sheet.has("founded_date"),
                      unit_cell=cell_text(cells.get("unit")) if sheet.has("unit") else None)

    def count(self, plan: OrgPlan, result: ImportResult) -> None:
        plan.count_into(result)
        result.details = {"moved": len(plan.moves)}

    def audit_data(self, result: ImportResult) -> dict:
        return {"moved": result.details.get("moved", 0)}

    # --- writing -------------------------------------------------------------------------------------
    def write(self, plan: OrgPlan, result: ImportResult, ticker: Ticker) -> None:
        """Hand the plan to ``orgs.services.organizations_bulk_write`` (the one write path of the tree);
        its typed errors become row errors of the import (everything rolls back)."""
        items = []
        for row in plan.rows:
            fields = {"name": row.name, "org_type": row.org_type}
            if row.unit_category is not None:
                fields["unit_category"] = row.unit_category
            if row.has_founded_date:
                fields["founded_date"] = row.founded_date
            existing = plan.existing.get(row.code)
            items.append(OrgWrite(row=row.number, code=row.code, fields=fields, parent_code=row.parent,
                                  move=row.code in plan.moves,
                                  expected_version=existing.version if existing is not None else None))
        with self.service_errors():
            organizations_bulk_write(user=self.user, items=items, action="import")
            organization_units_bulk_set(user=self.user, items=[r.unit_write for r in plan.rows if r.unit_write])
        for _ in items:
            ticker.step()
        self.count(plan, result)


def _changes(org: PartyOrganization, row: OrgRow) -> bool:
    if org.name != row.name or org.org_type != row.org_type:
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
    """An empty 党组织 import template (headers only, plus a 「说明」 sheet)."""
    from zugong.core.files import VALUES_SHEET, xlsx_bytes

    notes = [
        "每行一个党组织；表头按名称识别，顺序可调整；带 * 的列必填。",
        "上级组织代码：已有组织或本表中的组织均可，顺序不限；只有顶级组织可以为空。",
        f"组织类别、单位属性：在单元格的下拉列表中选择，可选值见「{VALUES_SHEET}」表。",
        "已存在的组织代码会更新名称、类别、单位属性和成立日期；上级组织代码变化会移动该组织（连同下级）。",
        "所在单位代码：党组织所在的法人单位的单位代码；联合党支部填覆盖的各单位代码，用「、」分隔；"
        "填「与上级党组织相同」表示与上级党组织在同一单位；单位须先在「导入单位」中建立。",
    ]
    return xlsx_bytes(headers=[c.template_header for c in ORG_COLUMNS], rows=[], sheet_title="党组织",
                      formats=[c.format for c in ORG_COLUMNS], notes=notes)
