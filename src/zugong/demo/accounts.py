"""Demo accounts at three levels of the demo tree, the county's 干部工作人员 (``ganbu``, granted on the demo
unit tree only: cadre work is scoped by unit), plus the three separated administrators.

All share the documented demo password ``DEMO_PASSWORD`` (it satisfies the password policy of
``accounts/passwords.py``: ≥ 12 characters, 4 character classes). They are for the demo only — anyone
reading the README knows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.db import transaction

from zugong.accounts.models import RoleGrant
from zugong.accounts.passwords import PublishedPasswordValidator
from zugong.accounts.services import grant_role
from zugong.audit.services import record_event
from zugong.core.errors import ZugongError
from zugong.orgs.models import PartyOrganization

DEMO_PASSWORD = "Zugong-Demo-2023"  # nosec B105 # noqa: S105 (documented public demo password)
# The usernames ``create_demo_accounts`` creates (``_targets``); the deploy check looks for them.
DEMO_USERNAMES = ("zzb", "xiangzhen", "zhibu", "ganbu", "sysadmin", "secadmin", "auditadmin")


@dataclass(frozen=True)
class DemoAccount:
    """One demo login: username, the role's Chinese name, where it is granted and what it is for."""

    username: str
    full_name: str
    role_code: str
    role_name: str
    organization: str  # organization name ("全系统" for administrator roles)
    organization_code: str
    password: str = DEMO_PASSWORD


def _targets(root: PartyOrganization) -> list[tuple[str, str, str, PartyOrganization | None]]:
    """(username, full name, role code, organization) for each demo account; organization ``None`` for an
    account granted on the demo unit root only (``ganbu``)."""
    subtree = PartyOrganization.objects.filter(path__startswith=root.path)
    township = subtree.filter(org_type="committee", unit_category="township").order_by("path").first() or root
    branch = (subtree.filter(path__startswith=township.path, org_type="branch", unit_category="village")
              .order_by("path").first()
              or subtree.filter(path__startswith=township.path, org_type__in=("branch", "joint_branch"))
              .order_by("path").first()
              or subtree.filter(org_type__in=("branch", "joint_branch")).order_by("path").first()
              or township)
    return [
        ("zzb", "县委组织部管理员", "org_department", root),
        ("xiangzhen", f"{township.name}党务工作者", "party_affairs", township),
        ("zhibu", f"{branch.name}书记", "branch_secretary", branch),
        ("ganbu", "县委组织部干部科干部工作人员", "cadre_affairs", None),
        ("sysadmin", "系统管理员", "system_admin", root),
        ("secadmin", "安全管理员", "security_admin", root),
        ("auditadmin", "审计管理员", "audit_admin", root),
    ]


class DemoRefused(ZugongError):
    """The demo was asked for under production settings."""


def refuse_in_production() -> None:
    """Raise ``DemoRefused`` unless the settings are for development (``ZUGONG_DEBUG``) or tests
    (``ZUGONG_TESTING``): demo data and accounts with a published password never enter a production
    database (GB/T 22239-2019 8.1.4.1 a; 8.1.4.2 e 删除或停用多余的、过期的账户)."""
    if not (settings.DEBUG or getattr(settings, "TESTING", False)):
        raise DemoRefused("演示数据和演示账号只能在开发或演示环境中生成（设置 ZUGONG_DEBUG=1）；"
                          "当前为生产环境配置，已拒绝。")


@transaction.atomic
def create_demo_accounts(root: PartyOrganization) -> list[DemoAccount]:
    """Create (or complete) the demo accounts for the demo tree under ``root`` and return them.

    Existing accounts keep their password; a missing grant is added with
    ``accounts.services.grant_role`` (audited). Raises ``django.core.exceptions.ValidationError`` if
    ``DEMO_PASSWORD`` ever stops satisfying the password policy."""
    refuse_in_production()
    User = get_user_model()
    policy = [v for v in get_default_password_validators() if not isinstance(v, PublishedPasswordValidator)]
    accounts = []
    for username, full_name, role_code, org in _targets(root):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name)
            validate_password(DEMO_PASSWORD, user=user, password_validators=policy)
            user.set_password(DEMO_PASSWORD)
            user.save()
            record_event("user_create", object_type="user", object_id=user.pk,
                         summary=f"创建演示账号 {username}", data={"username": username, "full_name": full_name})
        if org is None:  # a unit-tree account (干部工作人员): its grant is on the demo unit root
            unit = _grant_unit(user, role_code, org)
            accounts.append(DemoAccount(username=username, full_name=full_name, role_code=role_code,
                                        role_name=_role_name(role_code), organization=unit.name if unit else "",
                                        organization_code=unit.code if unit else ""))
            continue
        grant = (RoleGrant.objects.active().filter(user=user, role__code=role_code, unit__isnull=True)
                 .select_related("role", "organization").order_by("pk").first())
        if grant is None:
            grant = grant_role(user=user, role_code=role_code, organization=org)
        where = grant.organization
        accounts.append(DemoAccount(username=username, full_name=full_name, role_code=role_code,
                                    role_name=grant.role.name, organization=where.name if where else "全系统",
                                    organization_code=where.code if where else ""))
        _grant_unit(user, role_code, org)
    return accounts


def _role_name(role_code: str) -> str:
    from zugong.accounts.models import Role

    return Role.objects.filter(code=role_code).values_list("name", flat=True).first() or role_code


def _grant_unit(user, role_code: str, org: PartyOrganization | None):
    """The unit-tree grant beside the organization grant (``demo.units``): 县委组织部 and the 干部工作人员
    (``cadre_affairs``, no organization grant) on the county unit, the 乡镇 party-affairs worker on the 乡镇's
    unit; none for the others (a 支部书记 sees no units). Returns the unit (or ``None``)."""
    from zugong.demo.units import demo_unit_root

    unit = None
    if role_code in ("org_department", "cadre_affairs"):
        unit = demo_unit_root()
    elif role_code == "party_affairs":
        unit = org.unit if org.unit_id and org.unit_relation == "legal_entity_unit" else None
    if unit is not None and not RoleGrant.objects.active().filter(user=user, role__code=role_code, unit=unit).exists():
        grant_role(user=user, role_code=role_code, unit=unit)
    return unit
