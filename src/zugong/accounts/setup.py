"""First installation (初始化): the root party organization and the first organization-department account.

A fresh database has no organization to import into and nobody to grant roles, so ``install`` creates
both in one transaction: the root organization (the deployment's own committee, e.g. 中共××县委员会) and
an account holding the 组织部门管理员 role on it (covering the whole tree), plus, when asked, the three
separated administrators (三权分立, GB/T 22239-2019 8.1.4.2 c/d: 系统管理员, 安全管理员, 审计管理员).
``zugong setup`` is its command-line form. It runs once: a database that already holds an organization
is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from zugong.accounts import services
from zugong.audit.services import record_event
from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.errors import RowError, ValidationFailed, ZugongError
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.orgs.unit_services import unit_create

FIRST_ROLE = "org_department"  # 组织部门管理员


class AlreadyInstalled(ZugongError):
    """The database already holds organizations: ``install`` runs only once."""


@dataclass
class Installation:
    """What ``install`` created: the root organization, the organization-department account and the
    administrator accounts by kind (``system`` / ``security`` / ``audit``)."""

    root: PartyOrganization
    admin: object
    administrators: dict[str, object] = field(default_factory=dict)
    unit: object = None  # the root unit (orgs.Unit) when asked for


def is_installed() -> bool:
    """True once any party organization exists (installed, imported or demo data)."""
    return PartyOrganization.objects.exists()


def _parse_code(table, value: str, column: str, errors: list[RowError], *, required: bool) -> str:
    if not value:
        if required:
            errors.append(RowError(0, column, "必填"))
        return ""
    code = table.parse(value)
    if code is None:
        names = "、".join(table.entries.values())
        errors.append(RowError(0, column, f"「{value}」不是有效的{table.name}（可填：{names}）"))
        return ""
    return code


@transaction.atomic
def install(*, org_code: str, org_name: str, org_type: str, admin_username: str, admin_password: str,
            admin_full_name: str = "", unit_category: str = "", founded_date: dt.date | None = None,
            must_change_password: bool = False,
            administrators: dict[str, tuple[str, str]] | None = None,
            unit_code: str = "", unit_name: str = "") -> Installation:
    """Create the root organization and the first organization-department account; returns an
    ``Installation``.

    - ``org_type`` / ``unit_category``: code, standard name or short form (``党委``, ``committee``;
      ``机关``); ``founded_date``: the organization's founding date, optional.
    - The account gets the 组织部门管理员 role on the root, subtree included; its password must meet the
      policy; ``must_change_password`` makes the user change it at first login (use it when the password
      came from a script rather than from the user).
    - ``administrators``: ``{"system" | "security" | "audit": (username, password)}``, created with
      ``services.administrator_create`` (they change the password at first login and enrol TOTP).
    - ``unit_code`` / ``unit_name`` (optional, both or neither): also create the root of the unit tree
      (单位, category ``unit_category``, then required) with ``orgs.unit_services.unit_create``; the account
      gets the 组织部门管理员 role on it too (grants on the two trees are separate, ``core.scoping``).

    All-or-nothing. Raises ``AlreadyInstalled`` when an organization already exists, ``ValidationFailed``
    naming the field for a bad code, name, type, username or password, ``ZugongError`` otherwise.
    Audited as ``setup``."""
    if is_installed():
        raise AlreadyInstalled("系统已初始化（数据库中已有党组织），不能再次初始化。")
    errors: list[RowError] = []
    org_code, org_name = (org_code or "").strip(), (org_name or "").strip()
    if not org_code:
        errors.append(RowError(0, "组织代码", "必填"))
    if not org_name:
        errors.append(RowError(0, "组织名称", "必填"))
    type_code = _parse_code(ORG_TYPE, (org_type or "").strip(), "组织类别", errors, required=True)
    category = _parse_code(UNIT_CATEGORY, (unit_category or "").strip(), "单位属性", errors, required=False)
    if founded_date and founded_date > dt.date.today():
        errors.append(RowError(0, "成立日期", "不能晚于今天"))
    unit_code, unit_name = (unit_code or "").strip(), (unit_name or "").strip()
    if (unit_code or unit_name) and not (unit_code and unit_name):
        errors.append(RowError(0, "单位代码" if not unit_code else "单位名称", "创建根单位时单位代码和单位名称都必填"))
    if unit_code and not category:
        errors.append(RowError(0, "单位属性", "创建根单位时必填"))
    for kind in administrators or {}:
        if kind not in services.ADMIN_ROLE_FOR_KIND:
            errors.append(RowError(0, "管理员类别", f"未知的管理员类别：{kind}"))
    if errors:
        raise ValidationFailed(errors, message="；".join(str(e) for e in errors))
    root = organization_create(code=org_code, name=org_name, org_type=type_code, unit_category=category,
                               founded_date=founded_date)
    admin = services.installation_account(username=admin_username, full_name=admin_full_name,
                                          password=admin_password, field="密码",
                                          must_change_password=must_change_password)
    services.grant_role(user=admin, role_code=FIRST_ROLE, organization=root, include_subtree=True)
    unit = None
    if unit_code:
        unit = unit_create(code=unit_code, name=unit_name, unit_category=category)
        services.grant_role(user=admin, role_code=FIRST_ROLE, unit=unit, include_subtree=True)
    created = {kind: services.administrator_create(username=name, kind=kind, password=password)
               for kind, (name, password) in (administrators or {}).items()}
    record_event("setup", object_type="orgs.partyorganization", object_id=root.pk,
                 summary=f"系统初始化：根组织 {root.code}，组织部门管理员 {admin.username}",
                 data={"org_code": root.code, "unit_code": unit.code if unit else "", "admin": admin.username,
                       "administrators": {kind: user.username for kind, user in created.items()}})
    return Installation(root=root, admin=admin, administrators=created, unit=unit)
