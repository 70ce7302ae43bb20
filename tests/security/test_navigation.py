"""The left navigation each role sees, pinned: it is built from the apps' registrations
(``core.registry.register_nav``) and must stay what the hard-coded list showed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from zugong.accounts.models import Role, RoleGrant
from zugong.core.registry import navigation_for

ADMIN = ["用户管理", "角色授权", "待确认的授权", "角色与数据标签", "审计日志", "管理员重置审批"]
BUSINESS_FULL = [("党组织", [("组织树", "orgs:tree"), ("单位", "orgs:unit_list")]),
                 ("党员", [("党员名册", "party:member_list"), ("组织关系转接", "party:transfer_list"),
                           ("发展党员", "development:list")]),
                 ("基层党建", [("组织生活记录", "life:meeting_list"), ("三会一课晾晒", "life:compliance"),
                           ("党支部达标情况", "branches:standards"), ("达标晋级", "grading:list"),
                           ("软弱涣散党组织", "grading:weak_list"), ("书记持证上岗", "branches:certification")]),
                 ("数据导入", [("导入党组织", "orgs:import"), ("导入单位", "orgs:unit_import"),
                           ("导入党员花名册", "party:import_roster"), ("导入党员变动", "party:import_changes"),
                           ("导入三会一课台账", "life:meeting_import")]),
                 ("统计报表", [("党内统计", "reports:party_stats"), ("党内统计年报", "reports:annual"),
                           ("数据质量", "reports:quality"), ("组织生活统计", "reports:life")])]
BUSINESS_NO_IMPORT = [s for s in BUSINESS_FULL if s[0] != "数据导入"]
# 干部工作 (issue #12): whoever holds the cadre label (the 组织部门管理员 here; the 党务工作者 and 支部书记 do not)
CADRES = ("干部", [("干部名册", "cadres:cadre_list"), ("干部配备", "cadres:quota_table"), ("职务岗位", "cadres:post_list"),
                 ("后备干部", "cadres:reserve_list"), ("档案专项审核", "cadres:dossier_list")])
CADRE_IMPORTS = [("导入干部任免审批表", "cadres:form_import"), ("导入干部名册", "cadres:roster_import")]
CADRE_STATS = [("干部结构分析", "cadres:structure")]
BUSINESS_WITH_CADRES = [*BUSINESS_FULL[:3], CADRES, (BUSINESS_FULL[3][0], BUSINESS_FULL[3][1] + CADRE_IMPORTS),
                        (BUSINESS_FULL[4][0], BUSINESS_FULL[4][1] + CADRE_STATS)]
RESET = ("管理员重置审批", "accounts:reset_request_list")


@pytest.mark.django_db
def test_navigation_per_role(sec):
    """The navigation of each role, pinned (the same as the hard-coded list it replaced)."""
    assert navigation_for(sec.county_user) == BUSINESS_WITH_CADRES
    assert navigation_for(sec.town_user) == BUSINESS_FULL
    assert navigation_for(sec.branch_user) == BUSINESS_NO_IMPORT
    assert navigation_for(sec.nogrant_user) == []
    assert navigation_for(sec.sysadm) == [("系统管理", [("用户管理", "accounts:user_list"), RESET])]
    assert navigation_for(sec.secadm) == [("系统管理", [
        ("角色授权", "accounts:grant_list"), ("待确认的授权", "accounts:pending_grants"),
        ("角色与数据标签", "accounts:role_list"), RESET])]
    assert navigation_for(sec.audadm) == [("系统管理", [("审计日志", "audit:event_list"), RESET])]
    every = factories.make_user("every_admin")  # impossible through grant_role (三权分立); rows made directly
    for role in ("system_admin", "security_admin", "audit_admin"):
        RoleGrant.objects.create(user=every, role=Role.objects.get(code=role), include_subtree=True)
    assert [label for label, _ in navigation_for(every)[0][1]] == ADMIN


@pytest.mark.django_db
def test_navigation_rendered_in_page(sec, client):
    client.force_login(sec.branch_user)
    html = client.get(reverse("party:member_list")).content.decode()
    assert 'href="/party/members/"' in html and "导入党员花名册" not in html and "用户管理" not in html


