"""A second dataset where the consistency checks (逻辑校验) must fail and name the records to fix: records
the lifecycle services would refuse, as an older system or a hand-edited database leaves them — written
here straight into the tables (``member_register``, the unscoped fixture service, and the ORM).

- 郭旧 (X-A-1): a membership opened on 2023-06-01 with no increase event (an "opening balance" row
  dated inside the year): counted on 31 Dec but neither last year nor among the year's increases →
  本年底实有数 − 应有数 = 1, and the check lists 郭旧.
- 钱无 (X-B-2): 企业管理人员 with no sector (``ownership`` blank): counted in 一、在岗职工 but in neither
  公有制单位 nor 非公有制单位 → the row sums of 第二表 (and 第三、四表) fail and list 钱无 (the layout's rule).
- 周正, 吴常: ordinary opening members (X-A-1).

第一表 for the whole tree: 上年底 3 (周正 吴常 钱无), no event → 应有 3; 实有 4 (+ 郭旧); 差 1."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.annual.story import build_tree
from tests.factories import make_id
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, MembershipEvent
from zugong.party.services import member_register
from zugong.reports.annual import annual_report

pytestmark = pytest.mark.django_db
D = dt.date


def register(org_code, name, birth, admission, full, occupation, sex="1"):
    return member_register(name=name, id_number=make_id(birth, sex), sex=sex, ethnicity="01", birth_date=birth,
                           education_level="21", organization=PartyOrganization.objects.get(code=org_code),
                           admission_date=admission, full_membership_date=full, occupation=occupation)


@pytest.fixture
def flawed(db):
    s = build_tree()
    s.zhou = register("X-A-1", "周正", D(1980, 1, 1), D(2005, 7, 1), D(2006, 7, 1), "government")
    s.wu = register("X-A-1", "吴常", D(1982, 2, 2), D(2008, 7, 1), D(2009, 7, 1), "government", sex="2")
    s.guo = register("X-A-1", "郭旧", D(1990, 3, 3), D(2023, 6, 1), None, "government")
    s.qian = register("X-B-2", "钱无", D(1975, 4, 4), D(2001, 7, 1), D(2002, 7, 1), "manager")
    Membership.objects.filter(person=s.qian).update(occupation_detail="enterprise_manager", ownership="")
    assert not MembershipEvent.objects.exists()
    return s


def failing(report) -> dict[str, set[int]]:
    return {c.name: {r.person_id for r in c.records} for c in report.checks if not c.ok}


def test_unexplained_difference_and_unsplit_sector_are_listed(flawed):
    report = annual_report(user=flawed.county, organization=PartyOrganization.objects.get(code="X"), year=2023)
    assert report.tables["党员数量变化情况"] == {
        "上年底总数": 3,
        "本年增加": {"合计": 0, "发展党员": 0, "重新入党": 0, "恢复党籍": 0, "停止党籍后恢复党籍": 0, "转入组织关系": 0,
                 "整建制转入": 0},
        "本年减少": {"合计": 0, "出党": 0, "停止党籍": 0, "死亡": 0, "转出组织关系": 0, "整建制转出": 0},
        "本年底应有数": 3, "本年底实有数": 4, "实有数与应有数之差": 1}
    assert not report.ok
    failed = failing(report)
    # 本年底应有数 = 实有数 fails and names 郭旧 (and only records that explain the difference)
    balance = [name for name in failed if "应有数" in name]
    assert balance, failed
    assert any(flawed.guo.pk in failed[name] for name in balance)
    assert all(flawed.zhou.pk not in ids and flawed.wu.pk not in ids for ids in failed.values())
    # the 工作岗位 row sums fail and name 钱无
    assert any(flawed.qian.pk in ids for name, ids in failed.items() if name not in balance), failed
    table2 = report.tables["党员基本情况"]
    assert table2["一、在岗职工"]["总数"] == 4  # 周正 吴常 郭旧 (党政机关) + 钱无
    assert table2["公有制单位·合计"]["总数"] == 3 and table2["非公有制单位·合计"]["总数"] == 0
    # the checks that hold still pass: 第十表 总数 = 出党 (0), 第十六表 总数 = 发展党员 (0)
    passed = [c.name for c in report.checks if c.ok]
    assert any("第十表" in name for name in passed) and any("第十六表" in name for name in passed), passed


def test_a_clean_subtree_of_the_flawed_tree_passes(flawed):
    """乙镇's 钱无 and 甲镇's 郭旧 do not spoil the county's 财政局 (an empty branch) — checks are per subtree."""
    report = annual_report(user=flawed.county, organization=PartyOrganization.objects.get(code="X-C"), year=2023)
    assert report.ok, [(c.name, c.expected, c.actual) for c in report.checks if not c.ok]
    a = annual_report(user=flawed.county, organization=PartyOrganization.objects.get(code="X-A"), year=2023)
    assert set().union(*failing(a).values()) == {flawed.guo.pk}
