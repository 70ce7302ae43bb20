"""单位 sheet import (import kind ``units``, ``design.md`` rule 5: all-or-nothing): create and update units.

Columns (``*`` = required): 单位代码*, 单位名称*, 上级单位代码, 单位属性* (机关/事业单位/企业/社会组织/街道/
乡镇/社区/行政村), 是否法人单位 (是/否), 统一社会信用代码 (GB 32100-2015, check character verified),
经济控制类型 (国有经济控制/集体经济控制/非公有经济控制, enterprises only), 企业规模 (大型/中型/小型/微型,
enterprises only), 机关层级 (机关 only), 成立日期.

Semantics:

- 单位代码 is the key. A new code creates the unit under its 上级单位代码 — an existing unit or a row of
  the same file, in any order (rows are written parents first); an existing code updates its fields.
  Same file twice → nothing changes. An absent optional column leaves that field alone; present but
  empty clears it (是否法人单位 empty = 否).
- The importer does not move units: an existing unit whose 上级单位代码 differs from its current superior
  is refused (调整隶属关系 is done on the unit page or through ``/api/units/{id}/move/``). New top-level
  units are created only by ``zugong setup``.
- Scope (unit tree, data label ``basic``): an existing unit must be within the user's ``basic.import``
  scope; a new unit needs a subtree ``basic.import`` grant covering its parent's final position. Unknown
  and out-of-scope parents get the same message; an out-of-scope existing code is reported as taken
  without naming where it lives.

Values are checked by ``orgs.unit_services.clean_unit_values`` (the validators the pages and the API use);
the write is ``orgs.unit_services.units_bulk_write``, which re-checks versions and the scope of every
written unit inside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from zugong.core import importing
from zugong.core.codes import UNIT_CATEGORY, YES_NO
from zugong.core.dates import DateParseError
from zugong.core.importing import Column, Importer, ImportResult, Issues, Sheet, Ticker, cell_text, run_import
from zugong.core.scoping import can, user_scope
from zugong.orgs import validators as v
from zugong.orgs.choices import ECONOMIC_CONTROL, ENTERPRISE_SIZE, ORGAN_LEVEL
from zugong.orgs.models import Unit
from zugong.orgs.unit_services import ATTRIBUTES, UnitWrite, clean_unit_values, units_bulk_write

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "单位代码", True, width=16, text=True),
    Column("name", "单位名称", True, aliases=("名称",), width=30),
    Column("parent", "上级单位代码", aliases=("上级代码",), width=16, text=True),
    Column("unit_category", "单位属性", True, width=12, values=UNIT_CATEGORY.names),
    Column("legal_entity", "是否法人单位", aliases=("法人单位",), width=10, values=("是", "否")),
    Column("credit_code", "统一社会信用代码", aliases=("信用代码",), width=22, text=True),
    Column("economic_control", "经济控制类型", width=16, values=ECONOMIC_CONTROL.names),
    Column("enterprise_size", "企业规模", width=10, values=ENTERPRISE_SIZE.names),
    Column("organ_level", "机关层级", width=18, values=ORGAN_LEVEL.names),
    Column("founded_date", "成立日期", aliases=("成立时间",), width=12),
)
HEADER = {c.key: c.header for c in UNIT_COLUMNS}
# The Chinese field name of the validators → the header of this sheet (same words except the parent).
_FIELD_TO_HEADER = {v.UNIT_PARENT: HEADER["parent"]}
_CODED = {"unit_category": UNIT_CATEGORY, "economic_control": ECONOMIC_CONTROL, "enterprise_size": ENTERPRISE_SIZE,
          "organ_level": ORGAN_LEVEL}


@dataclass(slots=True)
class UnitRow:
    number: int
    code: str
    parent: str
    values: dict  # the fields present in the file, cleaned


UnitPlan = importing.KeyedPlan  # rows parents first, the existing units by code, the counts


class UnitImporter(Importer):
    """Importer of the 单位 sheet; see the module docstring. Use ``import_units``."""

    kind = "units"
    data_label = "basic"
    models_written = (Unit,)
    title = "单位"
    columns = UNIT_COLUMNS
    sheet_names = ("单位",)
    identity_keys = ("code", "name")

    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> UnitPlan:
        parsed: list[UnitRow] = []
        for source in sheet.rows:
            row = self._row(sheet, source.number, source.cells, issues)
            if row is not None:
                parsed.append(row)
            ticker.step()
        rows: dict[str, UnitRow] = self.unique_rows(parsed, issues, HEADER["code"])
        codes = sorted(set(rows) | {r.parent for r in rows.values() if r.parent})
        # Unscoped on purpose (like the 党组织 importer): the scope checks below need the real positions and
        # the taken codes; nothing about an out-of-scope unit is revealed beyond "taken / not found".
        existing = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        credit = {r.values["credit_code"]: r for r in rows.values() if r.values.get("credit_code")}
        by_credit: dict[str, list[int]] = {}
        for r in rows.values():
            if r.values.get("credit_code"):
                by_credit.setdefault(r.values["credit_code"], []).append(r.number)
        repeated = {n: numbers for numbers in by_credit.values() if len(numbers) > 1 for n in numbers}
        taken = dict(Unit.objects.filter(credit_code__in=sorted(credit)).values_list("credit_code", "code"))
        subtree_paths = [n.path for n in user_scope(self.user, "basic", "import", "unit") if n.include_subtree]
        plan = UnitPlan(existing=existing)
        for row in rows.values():
            if row.number in repeated:  # one credit code names one legal entity (GB 32100-2015 §4)
                others = "、".join(f"第 {o} 行" for o in repeated[row.number] if o != row.number)
                issues.error(row.number, HEADER["credit_code"],
                             f"统一社会信用代码 {row.values['credit_code']} 与{others}重复（一个代码只对应一个单位）")
                continue
            unit = existing.get(row.code)
            owner = taken.get(row.values.get("credit_code"))
            if owner and owner != row.code:
                issues.error(row.number, HEADER["credit_code"], f"统一社会信用代码 {row.values['credit_code']} 已登记在其他单位")
                continue
            if unit is not None:
                if not can(self.user, "basic", "import", unit):
                    issues.error(row.number, HEADER["code"], f"单位代码「{row.code}」已被其他单位使用（不在您的管理范围内）")
                    continue
                current_parent = self._parent_code(unit)
                if row.parent != current_parent:
                    issues.error(row.number, HEADER["parent"], f"单位「{row.code}」现在的上级单位是「{current_parent or '无'}」；"
                                                               "导入不调整隶属关系，请在单位页面办理")
                    continue
                merged = {k: getattr(unit, k) for k in ATTRIBUTES} | row.values
                _, problems = clean_unit_values(merged, today=timezone.localdate())
                if self._report(row, problems, issues):
                    continue
                if any(getattr(unit, k) != val for k, val in row.values.items()):
                    plan.updated += 1
                else:
                    plan.unchanged += 1
                continue
            if not row.parent:
                issues.error(row.number, HEADER["parent"], "必填项为空（新建顶级单位只能由系统初始化完成）")
                continue
            # the parent's final position: a unit of the file (walk up to an existing unit) or an existing one
            chain, current = [], row.parent
            while current in rows and current not in chain and current != row.code:
                chain.append(current)
                current = rows[current].parent
            if current == row.code or current in chain:
                issues.error(row.number, HEADER["parent"], f"上级单位「{row.parent}」是本单位自身或其下级（会形成循环）")
                continue
            anchor = existing.get(current) if current else None
            if anchor is None or not any(anchor.path.startswith(p) for p in subtree_paths):
                issues.error(row.number, HEADER["parent"], f"上级单位「{row.parent}」不存在或不在您的管理范围内")
                continue
            if anchor.status == "dissolved":
                issues.error(row.number, HEADER["parent"], f"上级单位「{anchor.name}」已撤销")
                continue
            _, problems = clean_unit_values({k: "" for k in ATTRIBUTES} | row.values, today=timezone.localdate())
            if self._report(row, problems, issues):
                continue
            plan.created += 1
        plan.rows = self.parents_first(rows)
        return plan

    @staticmethod
    def _report(row: UnitRow, problems, issues: Issues) -> bool:
        for p in problems:
            issues.error(row.number, _FIELD_TO_HEADER.get(p.field, p.field), p.reason)
        return bool(problems)

    @staticmethod
    def _parent_code(unit: Unit) -> str:
        if unit.depth <= 1:
            return ""
        parent = Unit.objects.filter(path=unit.path[:-Unit.steplen]).values_list("code", flat=True).first()
        return parent or ""

    def _row(self, sheet: Sheet, number: int, cells: dict, issues: Issues) -> UnitRow | None:
        ok = True
        code = cell_text(cells.get("code"))
        for p in v.check_unit_code(code):
            issues.error(number, HEADER["code"], p.reason)
            ok = False
        values: dict = {"name": cell_text(cells.get("name"))}
        for p in v.check_unit_name(values["name"]):
            issues.error(number, HEADER["name"], p.reason)
            ok = False
        for key, table in _CODED.items():
            if not sheet.has(key):
                continue
            text = cell_text(cells.get(key))
            values[key] = table.parse(text) if text else ""
            if values[key] is None:
                issues.error(number, HEADER[key], f"无法识别的{table.name}「{text}」（应为 {'/'.join(table.names)}）")
                ok = False
        if sheet.has("legal_entity"):
            text = cell_text(cells.get("legal_entity"))
            flag = YES_NO.parse(text) if text else "0"
            if flag is None:
                issues.error(number, HEADER["legal_entity"], f"「{text}」应为 是 或 否")
                ok = False
            values["legal_entity"] = flag == "1"
        if sheet.has("credit_code"):
            values["credit_code"] = v.normalize_credit_code(cell_text(cells.get("credit_code")))
        if sheet.has("founded_date"):
            raw = cells.get("founded_date")
            try:
                values["founded_date"], _ = self.date_value(raw)
            except DateParseError as exc:
                issues.error(number, HEADER["founded_date"], str(exc))
                ok = False
        parent = cell_text(cells.get("parent"))
        if parent and parent == code:
            issues.error(number, HEADER["parent"], "上级单位代码不能是本单位自身（会形成循环）")
            ok = False
        return UnitRow(number=number, code=code, parent=parent, values=values) if ok else None

    def count(self, plan: UnitPlan, result: ImportResult) -> None:
        plan.count_into(result)

    def write(self, plan: UnitPlan, result: ImportResult, ticker: Ticker) -> None:
        """Hand the plan to ``orgs.unit_services.units_bulk_write``; its typed errors become row errors."""
        today = timezone.localdate()
        items = []
        for row in plan.rows:
            unit = plan.existing.get(row.code)
            base = {k: getattr(unit, k) for k in ATTRIBUTES} if unit else {k: "" for k in ATTRIBUTES}
            cleaned, _ = clean_unit_values(base | row.values, today=today)
            fields = {k: cleaned[k] for k in row.values}
            items.append(UnitWrite(row=row.number, code=row.code, fields=fields, parent_code=row.parent,
                                   expected_version=unit.version if unit else None))
        with self.service_errors():
            units_bulk_write(user=self.user, items=items, action="import")
        for _ in items:
            ticker.step()
        self.count(plan, result)


def import_units(file, *, user, filename: str = "", dry_run: bool = False, progress=None,
                 mapping: dict[str, str] | None = None) -> ImportResult:
    """Import a 单位 sheet (.xlsx or .csv) as ``user``; see the module docstring. Returns ``ImportResult``;
    raises ``ValidationFailed`` (every ``RowError``; nothing written) and ``PermissionDeniedError`` when the
    user holds no ``basic.import`` grant."""
    return run_import(UnitImporter(user=user), file, filename=filename, dry_run=dry_run, progress=progress,
                      mapping=mapping)


def units_template() -> bytes:
    """An empty 单位 import template (headers with drop-down lists, plus a 「说明」 sheet)."""
    from zugong.core.files import VALUES_SHEET, xlsx_bytes

    notes = [
        "每行一个单位；表头按名称识别，顺序可调整；带 * 的列必填。",
        "上级单位代码：已有单位或本表中的单位均可，顺序不限；新建顶级单位只能由系统初始化完成。",
        f"单位属性、经济控制类型、企业规模、机关层级：在下拉列表中选择，可选值见「{VALUES_SHEET}」表。",
        "统一社会信用代码：18 位，按 GB 32100-2015 核对校验位；填写了信用代码的单位应为法人单位。",
        "经济控制类型、企业规模只适用于企业（企业规模按《统计上大中小微型企业划分办法（2017）》）；机关层级只适用于机关。",
        "已存在的单位代码会更新各列；导入不调整上级单位，请在单位页面办理。",
    ]
    return xlsx_bytes(headers=[c.template_header for c in UNIT_COLUMNS], rows=[], sheet_title="单位",
                      formats=[c.format for c in UNIT_COLUMNS], notes=notes)
