"""Organization services: every change to the party organization tree goes through here — the pages,
the API, the 党组织 importer (``organizations_bulk_write``) and scripts call the same functions.

Common to every service (``design.md`` rule 2):

- keyword-only, the acting ``user`` first; ``user=None`` is the installation's own setup (first root,
  fixtures, CLI) and skips the scope checks;
- atomic; the scope is checked before writing (an organization outside the user's ``party.<action>``
  scope is ``OutOfScope`` — "not found", never naming it) and checked again after writing, inside the
  transaction, so a write that would leave the user's scope rolls back;
- values are checked by the pure validators of ``orgs.validators`` (shared with the importer);
  problems raise ``ValidationFailed`` with one ``RowError(0, <Chinese field name>, reason)`` each;
- ``expected_version`` is the ``version`` the editor loaded; a stale copy raises ``ConcurrentEdit`` whose
  message names who last changed the organization, when, and which fields (``stale_message``);
- audited: field changes through ``core.concurrency.save_with_version`` / the change log (``kind=
  "change"``), a move as a change event with the old and new parent.

Permissions (built-in roles in ``accounts/choices.py``): create needs ``party.add`` on the parent,
edit and move ``party.change``, dissolve and reactivate ``party.delete`` (组织部门管理员, 党务工作者;
not 支部书记).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zugong.audit.services import acting_user, record_event
from zugong.core.errors import ValidationFailed, fail
from zugong.core.trees import LIST_LIMIT, Tree, bump_version, clean_values, code_value, date_value, text_value
from zugong.core.trees import names as _names
from zugong.orgs import validators as v
from zugong.orgs.models import PartyOrganization

FIELD_LABELS = {"unit_relation": "党组织所在单位情况", "unit": "所在单位", "joint_units": "联合党支部覆盖的单位",
                "name": "组织名称", "short_name": "党组织简称", "org_type": "组织类别", "unit_category": "单位属性", "founded_date": "成立日期",
                "status": "状态", "dissolved_date": "撤销日期", "dissolution_reason": "撤销原因", "parent": "上级组织",
                "code": "组织代码", "path": "组织位置"}
EDITABLE = ("name", "short_name", "org_type", "unit_category", "founded_date")


def _service(func):
    """``transaction.atomic`` + the change log names the acting ``user`` (``audit.services.acting_user``)."""
    atomic = transaction.atomic(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with acting_user(kwargs.get("user")):
            return atomic(*args, **kwargs)
    return wrapper


TREE = Tree(model=PartyOrganization, noun="组织", parent_field=v.PARENT, event_noun="党组织", key_field=v.CODE,
            field_labels=FIELD_LABELS,
            parent_problems=lambda parent: v.check_parent_type(parent.org_type, parent.name))


def stale_message(org_id: int) -> str:
    """The 409 message for a stale copy of organization ``org_id``: who changed it last, when, and which
    fields (from the newest change-log event), e.g. 「该组织已被 county 于 2026-11-30 08:01 修改（组织名称），
    您的修改未保存。请刷新后重新编辑。」 (``core.trees.Tree.stale_message``)."""
    return TREE.stale_message(org_id)


@_service
def organization_create(*, code: str, name: str, org_type: str, parent: PartyOrganization | None = None,
                        unit_category: str = "", founded_date: dt.date | None = None,
                        user=None) -> PartyOrganization:
    """Create a 党组织 under ``parent`` (a root when ``None``: setup only, ``user=None``).

    Enforces: code/name/type/category/date by ``orgs.validators`` (code unique; founding date not in the
    future); a 党小组 has no sub-organizations and a dissolved organization gets none (支部工作条例,
    第二章 组织设置). The 《中国共产党章程》第三十条 threshold (三名以上正式党员成立党支部) concerns
    members, who join after the organization exists, so it is not checked here. Scope: ``party.add`` on
    ``parent`` through a subtree grant (else the new organization would be outside the creator's scope).
    Audited by the change log (create)."""
    code, name = (code or "").strip(), (name or "").strip()
    problems = (v.check_code(code) + v.check_name(name) + v.check_org_type(org_type)
                + v.check_unit_category(unit_category or "") + v.check_founded_date(founded_date, today=timezone.localdate()))
    parent = TREE.parent_for_create(user, parent)  # fresh path/numchild
    if parent is not None:
        problems += TREE.parent_problems(parent) + TREE.parent_active(parent)
    if code and PartyOrganization.objects.filter(code=code).exists():
        problems.append(v.FieldProblem(v.CODE, f"组织代码 {code} 已存在"))
    fail(problems)
    fields = dict(code=code, name=name, org_type=org_type, unit_category=unit_category or "", founded_date=founded_date)
    return TREE.add(user, parent, fields)


@_service
def organization_update(*, user, organization: PartyOrganization, expected_version: int,
                        changes: dict) -> PartyOrganization:
    """Change ``name`` (rename), ``short_name`` (党组织简称, blank allowed), ``org_type``, ``unit_category`` and/or ``founded_date`` (keys of
    ``changes``; others are refused). Needs ``party.change`` on the organization.

    Enforces the validators of each field; a 党小组 cannot be set as the type of an organization that has
    sub-organizations; the founding date stays before a dissolution date. Stale ``expected_version`` →
    ``ConcurrentEdit`` naming who changed what. Unchanged values write nothing (but a stale copy is still
    refused). Audited by the change log (before/after per field)."""
    org = TREE.scoped(user, organization.pk, "change")
    problems = [v.FieldProblem(k, "该字段不可在此修改") for k in sorted(set(changes) - set(EDITABLE))]
    today = timezone.localdate()

    def type_problems(org_type: str) -> list[v.FieldProblem]:
        found = v.check_org_type(org_type)
        if org_type == "party_group" and org.numchild:
            found.append(v.FieldProblem(v.ORG_TYPE_FIELD, "该组织有下级组织，不能改为党小组", v.BRANCH_REGULATION))
        if org.unit_relation == "joint" and org_type != "joint_branch":
            found.append(v.FieldProblem(v.ORG_TYPE_FIELD, "该组织的所在单位情况为「联合党支部」，"
                                                          "请先修改所在单位情况再修改组织类别", v.BRANCH_REGULATION))
        return found

    cleaned, found = clean_values(changes, {
        "name": (text_value, v.check_name),
        "short_name": (text_value, v.check_short_name),
        "org_type": (code_value, type_problems),
        "unit_category": (code_value, v.check_unit_category),
        "founded_date": (date_value, lambda day: v.check_founded_date(day, today=today)
                         + v.check_founded_before_dissolved(day, org.dissolved_date)),
    })
    problems += found
    fail(problems)
    return TREE.save_changes(org, expected_version, cleaned)


@_service
def organization_move(*, user, organization: PartyOrganization, new_parent: PartyOrganization,
                      expected_version: int | None) -> PartyOrganization:
    """Move ``organization`` with its whole subtree to the last child of ``new_parent``.

    Scope (the rule of the 党组织 importer, ``orgs/importers.py``): ``party.change`` on the organization
    where it is now, and a *subtree* ``party.change`` grant covering ``new_parent`` — a grant on the moved
    organization alone is not enough, so nobody moves their own branch out of their superior's tree, and
    nobody pulls someone else's organization into theirs. Re-checked after the move, in the transaction.
    Refused (``ValidationFailed`` on 「上级组织」): the organization itself or one of its descendants as
    the parent (a cycle), a 党小组 or a dissolved organization as the parent. Moving to the top is a setup
    task (not offered here).

    History: memberships point at the organization, not at its position, so the moved organization's
    own roster and statistics as of any date — before or after the move — are unchanged, and so are
    every member's membership rows (a move is a change of the superior, 隶属关系调整, not a transfer of
    the members). The tree itself is not effective-dated: counts of the *old and new superiors'* subtrees
    follow the current tree for every date. The change event keeps the old and new parent (code and
    path), from which a past tree can be reconstructed.
    Returns the organization with its new ``path``/``version`` (``core.trees.Tree.move``)."""
    return TREE.move(user=user, node=organization, new_parent=new_parent, expected_version=expected_version)


def dissolve_blockers(organization: PartyOrganization, day: dt.date | None = None, *, user=None) -> list[v.FieldProblem]:
    """Why ``organization`` cannot be dissolved (on ``day``): open memberships in it (members must be
    transferred first — 组织关系转接), memberships that end after ``day``, and sub-organizations not
    dissolved. Each problem lists the first ``LIST_LIMIT`` names and the total; sub-organizations are
    named only when ``user`` sees the subtree (a node-only grant gets the count)."""
    from zugong.party.models import Membership

    problems = []
    open_ms = Membership.objects.current().filter(organization_id=organization.pk).select_related("person").order_by("pk")
    total = open_ms.count()
    if total:
        names = [m.person.name for m in open_ms[:LIST_LIMIT]]
        problems.append(v.FieldProblem(v.DISSOLVED, f"该组织还有 {total} 名党员的组织关系（{_names(names, total)}），"
                                                     "请先办理组织关系转接", v.INTEGRITY))
    elif day is not None:
        late = Membership.objects.filter(organization_id=organization.pk, end_date__gt=day).count()
        if late:
            problems.append(v.FieldProblem(v.DISSOLVED, f"有 {late} 条组织关系在撤销日期 {day.isoformat()} 之后才结束"))
    problems += TREE.child_blockers(organization, user=user, source=v.BRANCH_REGULATION)
    return problems


@_service
def organization_dissolve(*, user, organization: PartyOrganization, date: dt.date | None, reason: str,
                          expected_version: int | None) -> PartyOrganization:
    """Dissolve (撤销) the organization on ``date`` for ``reason``; it stays in the tree as 已撤销 with its
    history. Needs ``party.delete`` on it.

    Refused (``ValidationFailed``, nothing written): ``date`` missing, in the future or before the
    founding date; ``reason`` empty; the organization already dissolved; open memberships in it or
    memberships ending after ``date``; sub-organizations not dissolved — each refusal lists the first
    ten names and the total (``dissolve_blockers``). The setting up, adjustment and dissolution of a
    党支部 is decided by the superior party organization (《中国共产党支部工作条例（试行）》第二章 组织设置);
    the system records that decision. Audited by the change log (status, date, reason)."""
    return TREE.dissolve(user=user, node=organization, date=date, reason=reason, expected_version=expected_version,
                         check=v.check_dissolve, blockers=lambda org, day, user: dissolve_blockers(org, day, user=user))


@_service
def organization_reactivate(*, user, organization: PartyOrganization, expected_version: int | None) -> PartyOrganization:
    """Undo a dissolution (恢复): status back to 正常, dissolution date and reason cleared (the change log
    keeps them). Needs ``party.delete`` on the organization; refused when it is not dissolved or its
    superior is dissolved (reactivate the superior first). Audited by the change log."""
    return TREE.reactivate(user=user, node=organization, expected_version=expected_version)


# --- the unit an organization is set up in (党组织所在单位情况) ---------------------------------------------
def unit_problems(*, organization: PartyOrganization, relation: str, unit, joint_units: list) -> list[v.FieldProblem]:
    """The ``check_unit_relation`` problems of giving ``organization`` the ``relation`` with ``unit`` /
    ``joint_units`` (``Unit`` rows already resolved within the caller's scope), plus dissolved joint
    units. Shared by ``organization_set_unit`` and the 党组织 importer."""
    problems = v.check_unit_relation(
        relation=relation, org_type=organization.org_type, has_parent=organization.depth > 1,
        unit_legal_entity=None if unit is None else unit.legal_entity,
        unit_active=None if unit is None else unit.status == "active", joint_count=len(joint_units))
    gone = [u.name for u in joint_units if u.status == "dissolved"]
    if gone:
        problems.append(v.FieldProblem(v.JOINT_UNITS, f"所选单位已撤销：{'、'.join(gone)}"))
    return problems


def _write_units(org: PartyOrganization, *, user, relation: str, unit, joint_units: list,
                 expected_version: int | None) -> PartyOrganization:
    """Store the relation, the unit and the joint units; version +1 and a change-log entry when anything
    changed (the foreign keys through ``save_with_version``, the joint units as their own change event)."""
    old_joint = sorted(org.joint_units.values_list("code", flat=True))
    new_joint = sorted(u.code for u in joint_units)
    fields = [name for name, value in (("unit_relation", relation), ("unit", unit)) if getattr(org, name) != value]
    if not fields and old_joint == new_joint:
        TREE.check_version(org, expected_version)
        return org
    if fields:
        org.unit_relation, org.unit = relation, unit
        TREE.save(org, expected_version, fields)
    else:
        TREE.check_version(org, expected_version)
        bump_version(PartyOrganization, org.pk)
        org.version += 1
    if old_joint != new_joint:
        org.joint_units.set(joint_units)
        record_event("change", user=user, object_type="orgs.partyorganization", object_id=org.pk,
                     summary=f"修改联合党支部覆盖的单位：{org.name}（{'、'.join(new_joint) or '无'}）"[:500],
                     data={"model": "orgs.partyorganization", "action": "set_units",
                           "changes": {"joint_units": [old_joint, new_joint]}})
    return org


@_service
def organization_set_unit(*, user, organization: PartyOrganization, relation: str, unit=None,
                          joint_units=(), expected_version: int | None) -> PartyOrganization:
    """Record the unit ``organization`` is set up in (党组织所在单位情况, ``relation`` a code of
    ``orgs.choices.UNIT_RELATION`` or ``""`` to clear): ``legal_entity_unit`` with ``unit`` (a legal-entity
    unit, not dissolved); ``same_as_parent`` (no unit of its own; not for a top organization); ``joint``
    for a 联合党支部 with ``joint_units`` (at least two, not dissolved). Rules: ``check_unit_relation``.

    Scope: ``party.change`` on the organization, and every unit named must be visible to the user on the
    unit tree (``basic.view``; else 「单位不存在或不在您的数据范围内」 on 所在单位). Stale
    ``expected_version`` → ``ConcurrentEdit``. Audited (change log for the relation and unit, a change
    event for the joint units). Returns the organization with its new ``version``."""
    from zugong.orgs.models import Unit

    org = TREE.scoped(user, organization.pk, "change")
    visible = Unit.objects.all() if user is None else Unit.objects.restrict(user, "view")
    problems: list[v.FieldProblem] = []
    if unit is not None:
        unit = visible.filter(pk=unit.pk).first()
        if unit is None:
            problems.append(v.FieldProblem(v.UNIT_OF_ORG, "单位不存在或不在您的数据范围内"))
    wanted = {u.pk for u in joint_units}
    found = list(visible.filter(pk__in=wanted).order_by("path"))
    if len(found) != len(wanted):
        problems.append(v.FieldProblem(v.JOINT_UNITS, "单位不存在或不在您的数据范围内"))
    fail(problems)
    fail(unit_problems(organization=org, relation=relation or "", unit=unit, joint_units=found))
    return _write_units(org, user=user, relation=relation or "", unit=unit, joint_units=found,
                        expected_version=expected_version)


# --- bulk form for the importer ----------------------------------------------------------------------
@dataclass(slots=True)
class OrgWrite:
    """One planned write of the 党组织 importer: ``fields`` to set (name, type, and the optional columns
    present), ``parent_code`` ("" = root), ``move`` when an existing organization changes parent,
    ``expected_version`` (``None`` for a new organization) and the file ``row`` for error messages."""

    row: int
    code: str
    fields: dict
    parent_code: str
    move: bool
    expected_version: int | None


def organizations_bulk_write(*, user, items: list[OrgWrite], action: str = "import") -> None:
    """Write a validated plan (parents first) in the caller's transaction: create, update (with
    ``update_fields``, version +1) and move (treebeard ``move``, subtree included). The caller (the
    importer) has already checked values with ``orgs.validators``, cycles and scope on the final tree;
    this re-checks each existing organization's version (``ValidationFailed`` naming the row when it
    changed since validation) and, after writing, that every written non-root organization is within the
    user's ``party.<action>`` scope (else ``OutOfScope``: everything rolls back). Audited by the change
    log (creates and field updates) and the import's own event."""
    TREE.require_transaction("organizations_bulk_write")
    manager = PartyOrganization.objects
    now = timezone.now()
    written: list[int] = []
    for item in items:
        org, changed = TREE.upsert(row=item.row, code=item.code, fields=item.fields, parent_code=item.parent_code,
                                   expected_version=item.expected_version, now=now)
        if changed is not None and item.move:
            if item.parent_code:
                manager.move(org, manager.get(code=item.parent_code), "last-child")  # fresh path after moves
            else:
                manager.move(org, manager.get_last_root_node(), "last-sibling")
            if not changed:
                manager.filter(pk=org.pk).update(version=org.version + 1, updated_at=now)
        if item.parent_code:
            written.append(org.pk)
    TREE.check_written(user, written, action, "写入后的组织位置超出了您的管理范围，已全部撤销")


@dataclass(slots=True)
class OrgUnitWrite:
    """The 所在单位 of one organization planned by the 党组织 importer (units already resolved in scope)."""

    row: int
    code: str
    relation: str
    unit: object = None
    joint_units: list = None


def organization_units_bulk_set(*, user, items: list[OrgUnitWrite]) -> None:
    """Write the planned 所在单位 records in the caller's transaction (after ``organizations_bulk_write``):
    re-checks each with ``unit_problems`` on the organization as written (``ValidationFailed`` naming the
    row) and stores it like ``organization_set_unit`` (version +1, change log). The importer has checked
    the scope of the organizations and of the units."""
    TREE.require_transaction("organization_units_bulk_set")
    for item in items:
        org = PartyOrganization.objects.get(code=item.code)
        joint = list(item.joint_units or [])
        problems = unit_problems(organization=org, relation=item.relation, unit=item.unit, joint_units=joint)
        if problems:
            raise ValidationFailed(v.as_row_errors(problems, item.row))
        _write_units(org, user=user, relation=item.relation, unit=item.unit, joint_units=joint, expected_version=None)


@dataclass(slots=True)
class ExternalIdWrite:
    """One 外部标识 the 党组织 importer stores: ``value`` of ``system`` for the organization ``code``."""

    row: int
    code: str
    system: str
    value: str


def organization_external_ids_bulk_set(*, user, items: list[ExternalIdWrite], action: str = "import") -> None:
    """Store the planned external identifiers (``OrganizationExternalId``) in the caller's transaction,
    after ``organizations_bulk_write``: an identifier already stored for the same organization is left
    alone; one stored for another organization, or an organization outside the user's
    ``party.<action>`` scope, → ``ValidationFailed`` naming the file row (everything rolls back). Audited
    by the change log (a registered model)."""
    from zugong.core.errors import RowError
    from zugong.core.scoping import can
    from zugong.orgs.models import OrganizationExternalId

    TREE.require_transaction("organization_external_ids_bulk_set")
    orgs = {o.code: o for o in PartyOrganization.objects.filter(code__in=sorted({i.code for i in items}))}
    for item in items:
        org = orgs.get(item.code)
        if org is None or (user is not None and not can(user, "party", action, org)):
            raise ValidationFailed([RowError(item.row, "党组织唯一标识", "党组织不存在或不在您的管理范围内")])
        stored = OrganizationExternalId.objects.filter(system=item.system, value=item.value).first()
        if stored is None:
            OrganizationExternalId.objects.create(organization=org, system=item.system, value=item.value)
        elif stored.organization_id != org.pk:
            raise ValidationFailed([RowError(item.row, "党组织唯一标识", f"党组织唯一标识「{item.value}」已登记在其他党组织")])
