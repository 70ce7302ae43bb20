"""The 党内统计年报 engine (``reports.annual.annual_report``) against the hand-computed dataset of
``tests/reports/annual_dataset.py``: every table, for the whole tree and for subtrees (the subtree rule of
transfers), dates on the boundaries, the consistency checks passing, and the drill-down giving exactly
the people behind each figure. Runs on SQLite and PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports import annual_dataset as ds
from tests.reports.annual_dataset import NON, PUB, expected, non, pub
from zugong.core.errors import OutOfScope
from zugong.reports.annual import annual_records, annual_report
from zugong.reports.annual_layout import (
    TABLE_2,
    TABLE_3,
    TABLE_4,
    TABLE_10,
    TABLE_16,
    TABLE_18,
    TABLE_19,
    TABLE_20,
    TABLE_24,
    TABLE_33,
    TABLE_43,
    TABLES,
)

ERA_NEW, ERA_2002, ERA_1979 = "2012年11月及以后", "2002年11月至2012年10月", "1979年1月至2002年10月"


@pytest.fixture
def data(db):
    return ds.build()


@pytest.fixture
def report(data):
    return annual_report(user=data.county_user, organization=data.R, year=2023)


# --- what each member on 31 December contributes (rows; 第二表 / 第三表 / 第四表 columns), by hand ---------

MEMBERS_ON_D = {
    "m1": (pub("党政机关工作人员"), ["女", "31至35岁", "专业技术职务·中级"], ERA_NEW, "大学本科"),
    "m3": (pub("企业专业技术人员"), ["36至40岁"], ERA_2002, "大学专科"),
    "m4": (non("工勤技能人员", f"{NON}·其中：农民工"), ["女", "30岁及以下"], ERA_NEW, "中专"),  # 28 on D
    "m6": (["总计", "三、军人、武警"], ["51至55岁"], ERA_1979, "研究生"),
    "m7": (["总计", "四、学生"], ["预备党员", "30岁及以下"], ERA_NEW, "大学本科"),
    "m8": (["总计", "六、其他"], ["预备党员", "46至50岁"], ERA_NEW, "高中、中技"),
    "m14": (pub("企业管理人员"), ["46至50岁", "专业技术职务·高级"], ERA_1979, "大学本科"),
    "m9": (["总计", "五、离退休人员"], ["女", "少数民族", "台湾省籍", "61至65岁"], ERA_1979, "研究生"),  # 63 on D
    "n1": (pub("党政机关工作人员"), ["预备党员", "女", "30岁及以下"], ERA_NEW, "大学本科"),
    "n2": (pub("事业单位专业技术人员"), ["预备党员", "36至40岁", "专业技术职务·初级"], ERA_NEW, "研究生"),
    "n3": (non("企业管理人员"), ["41至45岁"], ERA_2002, "大学专科"),  # admitted 2012-10-31
    "n4": (pub("工勤技能人员", f"{PUB}·其中：农民工"), ["预备党员", "少数民族", "36至40岁"], ERA_NEW, "中专"),  # 36 on D
    "n5": (["总计", "二、农牧渔民", "其中：外出务工经商人员"], ["预备党员", "30岁及以下"], ERA_NEW, "大学本科"),  # 30
    "m16": (pub("企业专业技术人员"), ["31至35岁"], ERA_NEW, "大学专科"),  # born 29 February 1992
    "m17": (["总计", "二、农牧渔民"], ["女", "31至35岁"], ERA_NEW, "大学本科"),
}


def test_first_table_for_the_whole_tree(report):
    assert report.to_json()["党员数量变化情况"] == {
        "上年底总数": 15,
        "本年增加": {"合计": 7, "发展党员": 4, "重新入党": 1, "恢复党籍": 1, "停止党籍后恢复党籍": 1, "转入组织关系": 2,
                 "整建制转入": 1},
        "本年减少": {"合计": 7, "出党": 4, "停止党籍": 1, "死亡": 1, "转出组织关系": 1, "整建制转出": 1},
        "本年底应有数": 15, "本年底实有数": 15, "实有数与应有数之差": 0,
    }
    assert report.to_json()["年度"] == 2023 and report.to_json()["截至日期"] == "2023-12-31"
    assert report.as_of == dt.date(2023, 12, 31) and report.organization == ds.PartyOrganization.objects.get(code="R")


def test_the_subtree_rule_of_transfers(data):
    """m3 moves A2 → B1 inside R: nothing for R, 转出 for A, 转入 for B; m9 arrives in A1 from O1 (outside R)."""
    town_a = annual_report(user=data.county_user, organization=data.A, year=2023).tables["党员数量变化情况"]
    assert town_a == {
        "上年底总数": 9,  # m1 m2 m8 m10 (A1), m3 m13 m14 m16 (A2), m4 (A3)
        "本年增加": {"合计": 4, "发展党员": 2, "重新入党": 0, "恢复党籍": 0, "停止党籍后恢复党籍": 0, "转入组织关系": 2,
                 "整建制转入": 1},  # n1 n4; n3 (整建制), m9
        "本年减少": {"合计": 4, "出党": 1, "停止党籍": 0, "死亡": 1, "转出组织关系": 2, "整建制转出": 1},  # m13; m2; m10 m3
        "本年底应有数": 9, "本年底实有数": 9, "实有数与应有数之差": 0,  # m1 m8 m9 n1 n4 m14 m16 m4 n3
    }
    town_b = annual_report(user=data.county_user, organization=data.B, year=2023).tables["党员数量变化情况"]
    assert town_b == {
        "上年底总数": 6,  # m5 m6 m11 m12 m17 (B1), m7 (B2a)
        "本年增加": {"合计": 4, "发展党员": 2, "重新入党": 1, "恢复党籍": 1, "停止党籍后恢复党籍": 1, "转入组织关系": 1,
                 "整建制转入": 0},  # n2 n5; m6; m3
        "本年减少": {"合计": 4, "出党": 3, "停止党籍": 1, "死亡": 0, "转出组织关系": 0, "整建制转出": 0},
        "本年底应有数": 6, "本年底实有数": 6, "实有数与应有数之差": 0,  # m3 m6 m17 n5 m7 n2
    }
    # the town's own user sees the same figures for its town (the transfer to B is visible from the sending side)
    assert annual_report(user=data.town_user, organization=data.A, year=2023).tables["党员数量变化情况"] == town_a
    people = annual_records(user=data.town_user, organization=data.A, year=2023, table=1, row="转出组织关系",
                            column="人数")
    assert sorted(p.name for p in people) == ["m10", "m3"]
    people = annual_records(user=data.county_user, organization=data.B, year=2023, table=1, row="本年增加",
                            column="转入组织关系")
    assert [p.name for p in people] == ["m3"]


def test_the_previous_year_lists_periods_without_events(data):
    """2022: the opening balance of members admitted in 2022 (periods from their 入党日期, no event — members
    recorded before Zugong) does not reconcile; the person-by-person check names each with the cause."""
    report_2022 = annual_report(user=data.county_user, organization=data.R, year=2022)
    first = report_2022.tables["党员数量变化情况"]
    assert (first["上年底总数"], first["本年增加"]["合计"], first["本年减少"]["合计"], first["本年底实有数"]) == (10, 0, 0, 15)
    check = next(c for c in report_2022.checks if c.name.startswith("第一表本年底应有数"))
    assert not check.ok and (check.expected, check.actual) == (10, 15)
    assert [r.name for r in check.records] == ["m11", "m17", "m4", "m7", "m8"]
    m7 = next(r for r in check.records if r.name == "m7")
    assert m7.reason == ("组织关系自 2022-10-10 起在「卫生院第一党支部」，但没有对应的增加变动"
                         "（发展党员、恢复党籍、转入组织关系或组织关系转接）")
    assert m7.organization == "卫生院第一党支部" and m7.person_id == data.m["m7"].pk
    assert sorted(p.name for p in annual_records(user=data.county_user, organization=data.R, year=2022, table=1,
                                                 row="实有数与应有数之差", column="人数")) == ["m11", "m17", "m4", "m7", "m8"]


def test_tables_two_three_four(report):
    t2 = expected(TABLE_2, [(rows, ["总数", *cols]) for rows, cols, _, _ in MEMBERS_ON_D.values()])
    t3 = expected(TABLE_3, [(rows, ["总数", era]) for rows, _, era, _ in MEMBERS_ON_D.values()])
    t4 = expected(TABLE_4, [(rows, ["总数", edu]) for rows, _, _, edu in MEMBERS_ON_D.values()])
    assert report.tables["党员基本情况"] == t2
    assert report.tables["党员入党时间情况"] == t3
    assert report.tables["党员学历情况"] == t4
    assert t2["总计"]["总数"] == 15 and t2["一、在岗职工"]["总数"] == 9 and t2[f"{PUB}·合计"]["总数"] == 7


def test_table_ten_exits(report):
    cancelled = "取消预备党员资格"
    assert report.tables["党员出党情况（一）"] == {
        **expected(TABLE_10, [
            (["总计", "36岁至54岁", ERA_NEW], ["总数", cancelled]),  # m11: 36 on the day
            (["总计", "55岁至59岁", ERA_NEW], ["总数", cancelled]),  # m12: 55 on the day
            (["总计", "60岁及以上", "1966年4月及以前"], ["总数", "自行脱党除名", "经多方查找确实无法取得联系"]),  # m5
            (["总计", "60岁及以上", "1976年11月至1978年12月"], ["总数", "开除党籍"]),  # m13, admitted 1978-12-18
        ]),
        "厅局级": {c.key: None for c in TABLE_10.columns},
        "县处级": {c.key: None for c in TABLE_10.columns},
    }


def test_table_fifteen_full_membership(report):
    assert {k: v["人数"] for k, v in report.tables["预备党员转正情况"].items()} == {
        "预备期满的党员": 6,  # 5 decisions + m8
        "已经上级党组织审批": 5,
        "转为正式党员": 1,  # m4
        "延长预备期转正": 1,  # m16
        "推迟讨论转正": 1,  # m17 (its 推迟讨论 of 01-20 is no decision of its own)
        "延长预备期": 1,  # m7 (still running on D: not 尚未)
        "取消预备党员资格": 1,  # m12, after a whole year
        "尚未讨论或审批": 1,  # m8: expired 2023-06-01, nothing decided
        "预备期未满被取消预备党员资格": 1,  # m11
    }


def test_table_sixteen_development(report):
    assert report.tables["发展党员情况（一）"] == expected(TABLE_16, [
        (pub("党政机关工作人员"), ["总数", "女", "25岁及以下", "大学本科"]),  # n1: 25 on the 入党日期
        (pub("事业单位专业技术人员"), ["总数", "36至40岁", "研究生"]),  # n2: 39 (40 the next day)
        (pub("工勤技能人员", f"{PUB}·其中：农民工"), ["总数", "少数民族", "36至40岁", "中专"]),  # n4 on 12-31
        (["总计", "二、农牧渔民", "其中：外出务工经商人员"], ["总数", "26至30岁", "大学本科"]),  # n5: 30
    ])


def test_tables_eighteen_to_twenty_pipeline(report):
    d1 = (pub("党政机关工作人员"), ["总数", "女", "35岁及以下", "大专及以上学历"])
    d2 = (["总计", "二、农牧渔民"], ["总数", "中专、高中、中技学历", "生产、工作第一线", "农村生产"])
    d3 = (pub("企业专业技术人员"), ["总数", "少数民族", "35岁及以下", "中专、高中、中技学历", "生产、工作第一线", "企业生产"])
    assert report.tables["发展对象情况"] == expected(TABLE_18, [d1])
    assert report.tables["入党积极分子情况"] == expected(TABLE_19, [d1, d2])
    assert report.tables["入党申请人情况"] == expected(TABLE_20, [d1, d2, d3])  # d3 is 35 on D


def test_table_twenty_four_organizations(report):
    committee, general, branch = "党委", "总支部", "支部"
    assert report.tables["党的基层组织数量情况和换届情况"] == expected(TABLE_24, [
        (["党的基层组织数", "机关", "县（市、区、旗）一级"], ["总数", committee]),  # R
        (["党的基层组织数", "任届期满", "乡镇"], ["总数", committee]),  # A (term ends on D)
        (["党的基层组织数", "乡镇"], ["总数", branch]),  # A1 inherits 甲镇
        (["党的基层组织数", "企业", "国有经济控制"], ["总数", branch]),  # A2
        (["党的基层组织数", "企业", "非公有经济控制"], ["总数", branch]),  # A3: first covered unit
        (["党的基层组织数", "乡镇"], ["总数", committee]),  # B
        (["党的基层组织数", "报告期内换届", "其他"], ["总数", branch]),  # B1 (village)
        (["党的基层组织数", "事业单位"], ["总数", general]),  # B2
        (["党的基层组织数", "事业单位"], ["总数", branch]),  # B2a inherits the clinic
    ])  # W (党工委), X (dissolved), Y (founded 2024) are not counted


def test_table_thirty_three_mobile_members(report):
    other = "其他"
    assert report.tables["流动党员情况"] == expected(TABLE_33, [
        (["流出党员总数", "跨省流动", "持《中国共产党流动党员活动证》", "外出流向", "非公有经济控制单位",
          "非公有经济控制单位·私营企业"], ["总数", "公有经济企事业单位管理人员专业技术人员"]),  # m1
        (["流出党员总数", "外出流向", "公有经济控制单位", "公有经济控制单位·机关"], ["总数", other]),  # n3
        (["流出党员总数", "省内跨市（地）流动", "外出流向", "不掌握流向"], ["总数", other]),  # m9
    ])  # m6's status ended on D; m10 left in August


def test_table_forty_three_lost_contact(report):
    assert report.tables["失去联系党员情况"] == expected(TABLE_43, [
        (["总计", "建制村"], ["总数", "36岁至45岁", "11年至20年", "大专及以上", "6个月以上不满1年", "工作单位改变"]),  # m3
        (["总计", "公有经济控制企业"], ["总数", "46岁至60岁", "21年及以上", "大专及以上", "6年至10年（失联）",
                                 "单位改制或破产"]),  # m14
        (["总计", "事业单位"], ["总数", "预备党员", "35岁及以下", "1年以下", "大专及以上", "1年至5年（失联）",
                             "毕业后去向不明"]),  # m7
    ])  # m8 lost contact for less than 6 months


def test_every_table_is_filled_and_every_check_passes(report):
    assert set(report.tables) == {t.title for t in TABLES}
    for table in TABLES[1:]:
        assert set(report.tables[table.title]) == {r.key for r in table.rows}, table.title
    failed = [(c.name, c.expected, c.actual, [r.reason for r in c.records]) for c in report.checks if not c.ok]
    assert not failed
    assert report.ok and len(report.checks) >= 25


def test_boundary_days(data):
    """Dies / is expelled on 31 December → counted in the year's decreases, not on D; admitted on 31
    December → counted on D; admitted on 1 January → in the year's 发展党员."""
    on_d = {p.name for p in annual_records(user=data.county_user, organization=data.R, year=2023, table=1,
                                           row="本年底实有数", column="人数")}
    assert {"m2", "m13"}.isdisjoint(on_d) and {"n4", "n5"} <= on_d and len(on_d) == 15
    died = annual_records(user=data.county_user, organization=data.R, year=2023, table=1, row="死亡", column="人数")
    assert [p.name for p in died] == ["m2"]
    opening = {p.name for p in annual_records(user=data.county_user, organization=data.R, year=2024, table=1,
                                              row="上年底总数", column="人数")}
    assert opening == on_d
    developed = {p.name for p in annual_records(user=data.county_user, organization=data.R, year=2023, table=1,
                                                row="本年增加", column="发展党员")}
    assert developed == {"n1", "n2", "n4", "n5"}


def _names(data, table, row, column, organization=None, user=None):
    return sorted(p.name for p in annual_records(user=user or data.county_user, organization=organization or data.R,
                                                 year=2023, table=table, row=row, column=column))


def test_drill_down_gives_the_people_behind_each_figure(data, report):
    assert _names(data, 2, "总计", "女") == ["m1", "m17", "m4", "m9", "n1"]
    assert _names(data, 2, f"{PUB}·其中：农民工", "总数") == ["n4"]
    assert _names(data, 2, "一、在岗职工", "36至40岁") == ["m3", "n2", "n4"]
    assert _names(data, 3, "总计", ERA_2002) == ["m3", "n3"]
    assert _names(data, "党员学历情况", "总计", "研究生") == ["m6", "m9", "n2"]
    assert _names(data, 10, "60岁及以上", "总数") == ["m13", "m5"]
    assert _names(data, 10, "总计", "经多方查找确实无法取得联系") == ["m5"]
    assert _names(data, 10, "厅局级", "总数") == []
    assert _names(data, 15, "尚未讨论或审批", "人数") == ["m8"]
    assert _names(data, 15, "预备期满的党员", "人数") == ["m12", "m16", "m17", "m4", "m7", "m8"]
    assert _names(data, 15, "预备期未满被取消预备党员资格", "人数") == ["m11"]
    assert _names(data, 16, "总计", "36至40岁") == ["n2", "n4"]
    assert _names(data, 18, "总计", "总数") == ["d1"]
    assert _names(data, 20, "总计", "35岁及以下") == ["d1", "d3"]
    assert _names(data, 20, "二、农牧渔民", "农村生产") == ["d2"]
    assert _names(data, 33, "外出流向", "其他") == ["m9", "n3"]
    assert _names(data, 43, "公有经济控制企业", "总数") == ["m14"]
    assert _names(data, 43, "总计", "毕业后去向不明") == ["m7"]
    assert _names(data, 43, "总计", "1年以下") == ["m7"]
    organizations = annual_records(user=data.county_user, organization=data.R, year=2023, table=24, row="乡镇",
                                   column="党委")
    assert sorted(o.code for o in organizations) == ["R-A", "R-B"]
    assert _names(data, 1, "本年底应有数", "人数") == []  # a computed figure
    # every figure of every table equals the size of its drill-down (a few tables in full)
    for table in (TABLE_2, TABLE_16, TABLE_20, TABLE_43):
        for row in table.rows:
            for column in table.columns:
                figure = report.tables[table.title][row.key][column.key]
                assert len(_names(data, table.number, row.key, column.key)) == figure, (table.title, row.key, column.key)


def test_scope(data):
    with pytest.raises(OutOfScope):
        annual_report(user=data.other_user, organization=data.R, year=2023)
    with pytest.raises(OutOfScope):
        annual_report(user=data.town_user, organization=data.B, year=2023)
    with pytest.raises(OutOfScope):
        annual_records(user=data.town_user, organization=data.R, year=2023, table=2, row="总计", column="总数")
    # the default organization is the user's top one
    assert annual_report(user=data.town_user, year=2023).organization.code == "R-A"
    # another county's report never shows R's people
    other = annual_report(user=data.other_user, organization=data.O, year=2023)
    assert other.tables["党员数量变化情况"]["本年减少"]["转出组织关系"] == 1  # m9 left O1 for A1
    assert _names(data, 1, "转出组织关系", "人数", organization=data.O, user=data.other_user) == ["m9"]
    assert _names(data, 2, "总计", "总数", organization=data.O, user=data.other_user) == []
    with pytest.raises(ValueError):
        annual_records(user=data.county_user, organization=data.R, year=2023, table=2, row="没有这行", column="总数")
    with pytest.raises(ValueError):
        annual_records(user=data.county_user, organization=data.R, year=2023, table=99, row="总计", column="总数")
