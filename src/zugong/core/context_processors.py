"""Template context: the left navigation, filtered by what the user may see."""

from __future__ import annotations

from zugong.core.scoping import can


def navigation(request):
    """``nav``: list of (section title, [(label, url name)]) the current user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    sections = []
    if can(user, "party", "view"):
        sections.append(("党组织", [("组织树", "orgs:tree")]))
        sections.append(("党员", [("党员名册", "party:member_list")]))
    imports = [("导入党组织", "orgs:import"), ("导入党员花名册", "party:import_roster")]
    if can(user, "party", "import"):
        sections.append(("数据导入", imports))
    if can(user, "party", "view"):
        sections.append(("统计报表", [("党内统计", "reports:party_stats")]))
    sections += _admin_sections(user)
    return {"nav": sections}


def _admin_sections(user) -> list:
    """系统管理: the consoles of the administrator roles the user holds (三权分立)."""
    from zugong.accounts.services import admin_kinds

    kinds = admin_kinds(user)
    items = []
    if "system" in kinds:
        items.append(("用户管理", "accounts:user_list"))
    if "security" in kinds:
        items += [("角色授权", "accounts:grant_list"), ("待确认的授权", "accounts:pending_grants"),
                  ("角色与数据标签", "accounts:role_list")]
    if "audit" in kinds:
        items.append(("审计日志", "audit:event_list"))
    if kinds:  # every administrator kind approves the resets of the other kinds' accounts
        items.append(("管理员重置审批", "accounts:reset_request_list"))
    return [("系统管理", items)] if items else []
