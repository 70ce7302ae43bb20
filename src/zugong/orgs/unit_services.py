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

from django.db.models import Q
from django.utils import timezone

from zugong.core.errors import fail
from zugong.core.trees import LIST_LIMIT, Tree, clean_values, code_value, date_value, text_value
from zugong.core.trees import names as _names
from zugong.orgs import validators as v
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.services import _service

FIELD_LABELS = {"name": v.UNIT_NAME, "unit_category": v.UNIT_FIELD, "legal_entity": v.LEGAL_ENTITY,
                "credit_code": v.CREDIT_CODE, "economic_control": v.ECONOMIC_CONTROL_FIELD,
                "enterprise_size": v.SIZE_FIELD, "organ_level": v.ORGAN_LEVEL_FIELD, "founded_date": v.FOUNDED,
                "status": "状态", "dissolved_date": v.DISSOLVED, "dissolution_reason": v.REASON,
                "parent": v.UNIT_PARENT, "code": v.UNIT_CODE, "path": "单位位置"}
EDITABLE = ("name", "unit_category", "legal_entity", "credit_code", "economic_control", "enterprise_size",
            "organ_level", "founded_date")
ATTRIBUTES = ("unit_category", "legal_entity", "credit_code", "economic_control", "enterprise_size", "organ_level")


TREE = Tree(model=Unit, noun="单位", parent_field=v.UNIT_PARENT, event_noun="单位", key_field=v.UNIT_CODE,
            field_labels=FIELD_LABELS)


def stale_message(unit_id: int) -> str:
    """The 409 message for a stale copy of unit ``unit_id``: who changed it last, when, which fields."""
    return TREE.stale_message(unit_id)


def clean_unit_values(values: dict, *, today: dt.date) -> tuple[dict, list[v.FieldProblem]]:
    """Normalise and check the editable values of a unit (``EDITABLE`` keys present in ``values``; the
    category-dependent rules need all of ``ATTRIBUTES``, which the callers supply). Returns the cleaned
    values and the problems. Shared by the services and the importer."""
    cleaned, problems = clean_values(values, {
        "name": (text_value, v.check_unit_name),
        "unit_category": (code_value, v.check_required_unit_category),
        "legal_entity": (bool, None),
        "credit_code": (v.normalize_credit_code, v.check_credit_code),
        "economic_control": (code_value, None),
        "enterprise_size": (code_value, None),
        "organ_level": (code_value, None),
        "founded_date": (date_value, lambda day: v.check_founded_date(day, today=today)),
    })
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
    parent = TREE.parent_for_create(user, parent)
    if parent is not None:
        problems += TREE.parent_active(parent)
    if code and Unit.objects.filter(code=code).exists():
        problems.append(v.FieldProblem(v.UNIT_CODE, f"单位代码 {code} 已存在"))
    problems += _credit_code_taken(cleaned["credit_code"])
    fail(problems)
    return TREE.add(user, parent, dict(code=code, **cleaned))


@_service
def unit_update(*, user, unit: Unit, expected_version: int, changes: dict) -> Unit:
    """Change any of ``EDITABLE`` (name, category, 法人单位, 统一社会信用代码, 经济控制类型, 企业规模, 机关层级,
    成立日期); other keys are refused. Needs ``basic.change`` on the unit (unit tree). The
    category-dependent rules are checked on the values after the change. Stale ``expected_version`` →
    ``ConcurrentEdit`` naming who changed what; unchanged values write nothing. Audited (change log)."""
    unit = TREE.scoped(user, unit.pk, "change")
    problems = [v.FieldProblem(k, "该字段不可在此修改") for k in sorted(set(changes) - set(EDITABLE))]
    merged = {k: getattr(unit, k) for k in ATTRIBUTES} | {k: val for k, val in changes.items() if k in EDITABLE}
    cleaned, found = clean_unit_values(merged, today=timezone.localdate())
    problems += found
    if "founded_date" in cleaned:
        problems += v.check_founded_before_dissolved(cleaned["founded_date"], unit.dissolved_date)
    problems += _credit_code_taken(cleaned.get("credit_code", ""), exclude_pk=unit.pk)
    fail(problems)
    return TREE.save_changes(unit, expected_version, cleaned)


@_service
def unit_move(*, user, unit: Unit, new_parent: Unit, expected_version: int | None) -> Unit:
    """Move ``unit`` with its sub-units to the last child of ``new_parent`` (the rule of
    ``organization_move``): ``basic.change`` on the unit, and a *subtree* ``basic.change`` grant covering
    ``new_parent``; re-checked after the move. Refused on 「上级单位」: the unit itself or one of its
    descendants (a cycle), a dissolved unit. The party organizations linked to the unit keep their link.
    Audited: a change event with the old and new parent (``core.trees.Tree.move``)."""
    return TREE.move(user=user, node=unit, new_parent=new_parent, expected_version=expected_version)


def unit_dissolve_blockers(unit: Unit, *, user=None) -> list[v.FieldProblem]:
    """Why ``unit`` cannot be dissolved: sub-units not dissolved, and party organizations not dissolved
    set up in it (``unit``) or covering it as a 联合党支部 (``joint_units``). Each problem lists the first
    ``LIST_LIMIT`` names and the total (organization names are part of the refusal: the unit's own
    record says which organizations are in it)."""
    problems = TREE.child_blockers(unit, user=user, source=v.INTEGRITY)
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
    return TREE.dissolve(user=user, node=unit, date=date, reason=reason, expected_version=expected_version,
                         check=v.check_dissolve, blockers=lambda unit, day, user: unit_dissolve_blockers(unit, user=user))


@_service
def unit_reactivate(*, user, unit: Unit, expected_version: int | None) -> Unit:
    """Undo a dissolution (恢复): status 正常, date and reason cleared (the change log keeps them). Needs
    ``basic.delete``; refused when the unit is not dissolved or its superior unit is. Audited."""
    return TREE.reactivate(user=user, node=unit, expected_version=expected_version)


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
    TREE.require_transaction("units_bulk_write")
    now = timezone.now()
    written = [TREE.upsert(row=item.row, code=item.code, fields=item.fields, parent_code=item.parent_code,
                           expected_version=item.expected_version, now=now)[0].pk for item in items]
    TREE.check_written(user, written, action, "写入后的单位超出了您的管理范围，已全部撤销")
