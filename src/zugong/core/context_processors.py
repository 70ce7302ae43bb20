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
    return {"nav": sections}
