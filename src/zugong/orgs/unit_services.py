"""Unit services (单位): every change to the unit tree goes through here — the unit pages, ``/api/units/``,
the 单位 importer (``units_bulk_write``), ``zugong setup`` and the demo call the same functions.

The same rules as the organization services (``orgs.services``): keyword-only, the acting ``user`` first
(``user=None`` is the installation's own setup and skips the scope checks); atomic; the scope is checked
before writing (a unit outside the user's ``basic.<action>`` scope **on the unit tree** is ``OutOfScope`` —
"not found") and again after writing, inside the transaction; values go through the pure validators of
``orgs.validators`` (shared with the form, the API and the importer) and problems raise
``ValidationFailed``; a stale ``expected_version`` raises ``ConcurrentEdit`` naming who changed what;
audited by the change log (``orgs.Unit`` is an audited model) and, for a move, a change event with the old
and new parent.

Permissions: a unit carries the data label ``basic``; create needs ``basic.add`` on the parent through a
*subtree* grant on the unit tree, edit and move ``basic.change``, dissolve and reactivate ``basic.delete``.
Grants on party organizations do not reach units (``core.scoping``: two trees).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.concurrency import save_with_version
from zugong.core.errors import ConcurrentEdit, OutOfScope, RowError, ValidationFailed, ZugongError
from zugong.core.scoping import user_scope
from zugong.orgs import validators as v
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.services import LIST_LIMIT, _fail, _names, _service

NOT_FOUND = "单位不存在或不在您的数据范围内。"
FIELD_LABELS = {"name": v.UNIT_NAME, "unit_category": v.UNIT_FIELD, "legal_entity": v.LEGAL_ENTITY,
                "credit_code": v.CREDIT_CODE, "economic_control": v.ECONOMIC_CONTROL_FIELD,
                "enterprise_size": v.SIZE_FIELD, "organ_level": v.ORGAN_LEVEL_FIELD, "founded_date": v.FOUNDED,
                "status": "状态", "dissolved_date": v.DISSOLVED, "dissolution_reason": v.REASON,
                "parent": v.UNIT_PARENT, "code": v.UNIT_CODE, "path": "单位位置"}
EDITABLE = ("name", "unit_category", "legal_entity", "credit_code", "economic_control", "enterprise_size",
            "organ_level", "founded_date")
ATTRIBUTES = ("unit_category", "legal_entity", "credit_code", "economic_control", "enterprise_size", "organ_level")


def _scoped(user, pk: int, action: str) -> Unit:
    """The unit ``pk`` fresh from the database, if ``user`` holds ``basic.<action>`` on it (unit tree)."""
    qs = Unit.objects.all() if user is None else Unit.objects.restrict(user, action)
    unit = qs.filter(pk=pk).first()
    if unit is None:
        raise OutOfScope(NOT_FOUND)
    return unit


def _subtree_covered(user, unit: Unit, action: str) -> bool:
    """True if a subtree grant of ``basic.<action>`` on the unit tree covers ``unit``."""
    return user is None or any(n.include_subtree and unit.path.startswith(n.path)
                               for n in user_scope(user, Unit.data_label, action, "unit"))


def stale_message(unit_id: int) -> str:
    """The 409 message for a stale copy of unit ``unit_id``: who changed it last, when, which fields."""
    from zugong.audit.models import AuditEvent

    event = (AuditEvent.objects.filter(kind="change", object_type="orgs.unit", object_id=str(unit_id))
             .order_by("-id").first())
    if event is None:
        return "该单位已被他人修改，您的修改未保存。请刷新后重新编辑。"
    changes = (event.data or {}).get("changes") or {}
    fields = "、".join(dict.fromkeys(FIELD_LABELS.get(k.removesuffix("_id"), k) for k in changes)) or "内容"
    when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
    return f"该单位已被 {event.actor_username or '系统'} 于 {when} 修改（{fields}），您的修改未保存。请刷新后重新编辑。"


def _save(unit: Unit, expected_version: int | None, fields: list[str]) -> None:
    """Save ``fields`` with the version check (``None``: the version the service just read, no client copy)."""
    try:
        save_with_version(unit, unit.version if expected_version is None else expected_version, fields)
    except ConcurrentEdit:
        raise ConcurrentEdit(stale_message(unit.pk)) from None


def _check_version(unit: Unit, expected_version: int | None) -> None:
    current = Unit.objects.select_for_update().filter(pk=unit.pk).values_list("version", flat=True).first()
    if current is None:
        raise OutOfScope(NOT_FOUND)
    if expected_version is not None and int(current) != int(expected_version):
        raise ConcurrentEdit(stale_message(unit.pk))


def clean_unit_values(values: dict, *, today: dt.date) -> tuple[dict, list[v.FieldProblem]]:
    """Normalise and check the editable values of a unit (``EDITABLE`` keys present in ``values``; the
    category-dependent rules need all of ``ATTRIBUTES``, which the callers supply). Returns the cleaned
    values and the problems. Shared by the services and the importer."""
    cleaned: dict = {}
    problems: list[v.FieldProblem] = []
    if "name" in values:
        cleaned["name"] = str(values["name"] or "").strip()
        problems += v.check_unit_name(cleaned["name"])
    if "unit_category" in values:
        cleaned["unit_category"] = values["unit_category"] or ""
        problems += v.check_required_unit_category(cleaned["unit_category"])
    if "legal_entity" in values:
        cleaned["legal_entity"] = bool(values["legal_entity"])
    if "credit_code" in values:
        cleaned["credit_code"] = v.normalize_credit_code(values["credit_code"])
        problems += v.check_credit_code(cleaned["credit_code"])
    for key in ("economic_control", "enterprise_size", "organ_level"):
        if key in values:
            cleaned[key] = values[key] or ""
    if "founded_date" in values:
        cleaned["founded_date"] = values["founded_date"] or None
        problems += v.check_founded_date(cleaned["founded_date"], today=today)
    if all(k in cleaned for k in ATTRIBUTES):
        problems += v.check_unit_attributes(**{k: cleaned[k] for k in ATTRIBUTES})
    return cleaned, problems


def _credit_code_taken(code: str, exclude_pk: int | None = None) -> list[v.FieldProblem]:
    if not code:
        return []
    other = Unit.objects.filter(credit_code=code).exclude(pk=exclude_pk).values_list("code", flat=True).first()
    return [v.FieldProblem(v.CREDIT_CODE, f"统一社会信用代码 {code} 已登记在单位 {other}")] if other else []


@_service
def unit_create(*, code: str, name: str, unit_category: str, parent: Unit | None = None, legal_entity: bool = False,
                credit_code: str = "", economic_control: str = "", enterprise_size: str = "", organ_level: str = "",
                founded_date: dt.date | None = None, user=None) -> Unit:
    """Create a 单位 under ``parent`` (a root when ``None``: setup only, ``user=None``).

    Enforces: code (unique, no spaces) / name / category (required) / dates by ``orgs.validators``; the
    统一社会信用代码 (GB 32100-2015 check character, unique); 经济控制类型 and 企业规模 only for an
    enterprise, 机关层级 only for a 机关, a credit code only on a legal entity (``check_unit_attributes``);
    no child under a dissolved unit. Scope: ``basic.add`` on ``parent`` through a subtree grant on the
    unit tree. Audited by the change log (create)."""
    code = (code or "").strip()
    cleaned, problems = clean_unit_values(
        dict(name=name, unit_category=unit_category, legal_entity=legal_entity, credit_code=credit_code,
             economic_control=economic_control, enterprise_size=enterprise_size, organ_level=organ_level,
             founded_date=founded_date), today=timezone.localdate())
    problems = v.check_unit_code(code) + problems
    if parent is not None:
        parent = _scoped(user, parent.pk, "add")
        if not _subtree_covered(user, parent, "add"):
            raise OutOfScope(NOT_FOUND)
        if parent.status == "dissolved":
            problems.append(v.FieldProblem(v.UNIT_PARENT, f"上级单位「{parent.name}」已撤销"))
    elif user is not None:
        raise OutOfScope("新建顶级单位只能由系统初始化完成。")
    if code and Unit.objects.filter(code=code).exists():
        problems.append(v.FieldProblem(v.UNIT_CODE, f"单位代码 {code} 已存在"))
    problems += _credit_code_taken(cleaned["credit_code"])
    _fail(problems)
    fields = dict(code=code, **cleaned)
    unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    if user is not None and not Unit.objects.restrict(user, "add").filter(pk=unit.pk).exists():
        raise OutOfScope(NOT_FOUND)
    return unit


@_service
def unit_update(*, user, unit: Unit, expected_version: int, changes: dict) -> Unit:
    """Change any of ``EDITABLE`` (name, category, 法人单位, 统一社会信用代码, 经济控制类型, 企业规模, 机关层级,
    成立日期); other keys are refused. Needs ``basic.change`` on the unit (unit tree). The
    category-dependent rules are checked on the values after the change. Stale ``expected_version`` →
    ``ConcurrentEdit`` naming who changed what; unchanged values write nothing. Audited (change log)."""
    unit = _scoped(user, unit.pk, "change")
    problems = [v.FieldProblem(k, "该字段不可在此修改") for k in sorted(set(changes) - set(EDITABLE))]
    merged = {k: getattr(unit, k) for k in ATTRIBUTES} | {k: val for k, val in changes.items() if k in EDITABLE}
    cleaned, found = clean_unit_values(merged, today=timezone.localdate())
    problems += found
    if "founded_date" in cleaned:
        problems += v.check_founded_before_dissolved(cleaned["founded_date"], unit.dissolved_date)
    problems += _credit_code_taken(cleaned.get("credit_code", ""), exclude_pk=unit.pk)
    _fail(problems)
    fields = [k for k, value in cleaned.items() if getattr(unit, k) != value]
    if not fields:
        _check_version(unit, expected_version)
        return unit
    for k in fields:
        setattr(unit, k, cleaned[k])
    _save(unit, expected_version, fields)
    return unit


@_service
def unit_move(*, user, unit: Unit, new_parent: Unit, expected_version: int | None) -> Unit:
    """Move ``unit`` with its sub-units to the last child of ``new_parent`` (the rule of
    ``organization_move``): ``basic.change`` on the unit, and a *subtree* ``basic.change`` grant covering
    ``new_parent``; re-checked after the move. Refused on 「上级单位」: the unit itself or one of its
    descendants (a cycle), a dissolved unit. The party organizations linked to the unit keep their link.
    Audited: a change event with the old and new parent."""
    unit = _scoped(user, unit.pk, "change")
    parent = (Unit.objects.all() if user is None else Unit.objects.restrict(user, "change")).filter(pk=new_parent.pk).first()
    if parent is None or not _subtree_covered(user, parent, "change"):
        _fail([v.FieldProblem(v.UNIT_PARENT, "上级单位不存在或不在您的管理范围内")])
    who = f"「{parent.name}」"
    if parent.path == unit.path:
        _fail([v.FieldProblem(v.UNIT_PARENT, "上级单位不能是本单位自身（会形成循环）")])
    if parent.path.startswith(unit.path):
        _fail([v.FieldProblem(v.UNIT_PARENT, f"上级单位{who}是本单位的下级单位，不能作为上级（会形成循环）")])
    if parent.status == "dissolved":
        _fail([v.FieldProblem(v.UNIT_PARENT, f"上级单位{who}已撤销")])
    _check_version(unit, expected_version)
    old_parent = Unit.objects.get_parent(unit, update=True)
    if old_parent is not None and old_parent.pk == parent.pk:
        return unit
    old_path = unit.path
    Unit.objects.move(unit, parent, "last-child")
    Unit.objects.filter(pk=unit.pk).update(version=F("version") + 1, updated_at=timezone.now())
    unit = Unit.objects.get(pk=unit.pk)
    record_event("change", user=user, object_type="orgs.unit", object_id=unit.pk,
                 summary=f"调整单位隶属关系：{unit.name}（{old_parent.name if old_parent else '顶级'} → {parent.name}）"[:500],
                 data={"model": "orgs.unit", "action": "move",
                       "changes": {"parent": [old_parent.code if old_parent else None, parent.code],
                                   "path": [old_path, unit.path]}})
    if user is not None and not Unit.objects.restrict(user, "change").filter(pk=unit.pk).exists():
        raise OutOfScope("移动后的单位超出了您的管理范围，已撤销。")
    return unit


def unit_dissolve_blockers(unit: Unit, *, user=None) -> list[v.FieldProblem]:
    """Why ``unit`` cannot be dissolved: sub-units not dissolved, and party organizations not dissolved
    set up in it (``unit``) or covering it as a 联合党支部 (``joint_units``). Each problem lists the first
    ``LIST_LIMIT`` names and the total (organization names are part of the refusal: the unit's own
    record says which organizations are in it)."""
    problems = []
    kids = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).exclude(status="dissolved").order_by("path")
    total = kids.count()
    if total:
        listed = ""
        if _subtree_covered(user, unit, "view"):
            listed = f"（{_names(list(kids.values_list('name', flat=True)[:LIST_LIMIT]), total)}）"
        problems.append(v.FieldProblem(v.UNIT_PARENT, f"该单位还有 {total} 个未撤销的下级单位{listed}，请先撤销或移走下级单位"))
    orgs = (PartyOrganization.objects.filter(Q(unit=unit) | Q(joint_units=unit)).exclude(status="dissolved")
            .distinct().order_by("path"))
    total = orgs.count()
    if total:
        names = list(orgs.values_list("name", flat=True)[:LIST_LIMIT])
        problems.append(v.FieldProblem(v.UNIT_OF_ORG, f"该单位还有 {total} 个未撤销的党组织（{_names(names, total)}），"
                                                      "请先撤销这些党组织或调整其所在单位"))
    return problems


@_service
def unit_dissolve(*, user, unit: Unit, date: dt.date | None, reason: str, expected_version: int | None) -> Unit:
    """Dissolve (撤销) the unit on ``date`` for ``reason``; it stays in the tree as 已撤销. Needs
    ``basic.delete`` on it. Refused (nothing written): date missing, in the future or before the founding
    date; reason empty; already dissolved; sub-units or linked party organizations not dissolved (the
    refusal lists them, ``unit_dissolve_blockers``). Audited (change log)."""
    unit = _scoped(user, unit.pk, "delete")
    if unit.status == "dissolved":
        _fail([v.FieldProblem("状态", "该单位已撤销")])
    problems = v.check_dissolve(day=date, reason=(reason or "").strip(), founded=unit.founded_date,
                                today=timezone.localdate())
    problems += unit_dissolve_blockers(unit, user=user)
    _fail(problems)
    unit.status, unit.dissolved_date, unit.dissolution_reason = "dissolved", date, (reason or "").strip()
    _save(unit, expected_version, ["status", "dissolved_date", "dissolution_reason"])
    return unit


@_service
def unit_reactivate(*, user, unit: Unit, expected_version: int | None) -> Unit:
    """Undo a dissolution (恢复): status 正常, date and reason cleared (the change log keeps them). Needs
    ``basic.delete``; refused when the unit is not dissolved or its superior unit is. Audited."""
    unit = _scoped(user, unit.pk, "delete")
    if unit.status != "dissolved":
        _fail([v.FieldProblem("状态", "该单位未撤销，无需恢复")])
    parent = Unit.objects.get_parent(unit, update=True)
    if parent is not None and parent.status == "dissolved":
        _fail([v.FieldProblem(v.UNIT_PARENT, f"上级单位「{parent.name}」已撤销")])
    unit.status, unit.dissolved_date, unit.dissolution_reason = "active", None, ""
    _save(unit, expected_version, ["status", "dissolved_date", "dissolution_reason"])
    return unit


# --- bulk form for the importer ----------------------------------------------------------------------
@dataclass(slots=True)
class UnitWrite:
    """One planned write of the 单位 importer: ``fields`` to set, ``parent_code`` ("" = keep / root),
    ``expected_version`` (``None`` for a new unit) and the file ``row`` for error messages."""

    row: int
    code: str
    fields: dict
    parent_code: str
    expected_version: int | None


def units_bulk_write(*, user, items: list[UnitWrite], action: str = "import") -> None:
    """Write a validated plan (parents first) in the caller's transaction: create new units, update the
    fields of existing ones (version +1; a version changed since validation → ``ValidationFailed`` naming
    the row). The importer does not move units (a different 上级单位代码 of an existing unit is refused
    at validation; moves go through ``unit_move``). Afterwards every written unit must be within the
    user's ``basic.<action>`` scope on the unit tree (else ``OutOfScope``: everything rolls back).
    Audited by the change log and the import's own event."""
    if not transaction.get_connection().in_atomic_block:
        raise ZugongError("units_bulk_write 必须在事务中调用")
    manager = Unit.objects
    now = timezone.now()
    written: list[int] = []
    for item in items:
        fields = dict(item.fields)
        unit = manager.filter(code=item.code).first()
        if unit is None:
            parent = manager.get(code=item.parent_code) if item.parent_code else None
            fields["code"] = item.code
            unit = manager.add_child(parent, fields) if parent else manager.add_root(fields)
        else:
            if item.expected_version is not None and item.expected_version != unit.version:
                raise ValidationFailed([RowError(item.row, v.UNIT_CODE, "该单位在校验之后被他人修改，请重新导入")])
            changed = [name for name, value in fields.items() if getattr(unit, name) != value]
            if changed:
                for name in changed:
                    setattr(unit, name, fields[name])
                unit.version += 1
                unit.updated_at = now
                unit.save(update_fields=[*changed, "version", "updated_at"])
        written.append(unit.pk)
    in_scope = manager.restrict(user, action).filter(pk__in=written).count() if user is not None else len(written)
    if in_scope != len(written):
        raise OutOfScope("写入后的单位超出了您的管理范围，已全部撤销")
