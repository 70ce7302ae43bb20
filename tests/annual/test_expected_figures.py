"""The hand-worked figures of ``expected.py`` checked against the contract's layout and against
themselves (needs no database and no engine): every row and column named exists in
``reports.annual_layout`` (so the figures test the published JSON keys), and the literals obey the
identities the 逻辑校验 will check — a slip in the hand arithmetic fails here, not in a confusing
engine comparison."""

from __future__ import annotations

import pytest

from tests.annual.expected import (
    EXPECTED,
    FM,
    IM,
    IP,
    NEM,
    NEP,
    NNM,
    NNP,
    NON_SUM,
    NW,
    NWM,
    OTHER,
    PEM,
    PEP,
    PUB_SUM,
    PW,
    PWM,
    ROWS,
    T1,
    T2,
    T3,
    T4,
    T10,
    T15,
    T16,
    T24,
    T33,
    T43,
    WORK,
    F,
    G,
    M,
    R,
    S,
)
from zugong.reports.annual_layout import AGE_COLUMNS_2, EDUCATION_COLUMNS, ERA_COLUMNS_3, TABLE_BY_TITLE

SCOPES = list(EXPECTED)


@pytest.mark.parametrize("scope", SCOPES)
def test_every_key_is_in_the_layout(scope):
    for title, table in EXPECTED[scope].items():
        layout = TABLE_BY_TITLE[T2 if title == "第二表行合计" else title]
        if title == T1:
            assert set(table) == {"上年底总数", "本年增加", "本年减少", "本年底应有数", "本年底实有数", "实有数与应有数之差"}
            assert set(table["本年增加"]) == {"合计", "发展党员", "重新入党", "恢复党籍", "停止党籍后恢复党籍", "转入组织关系",
                                          "整建制转入"}
            assert set(table["本年减少"]) == {"合计", "出党", "停止党籍", "死亡", "转出组织关系", "整建制转出"}
            row_keys = {r.key for r in layout.rows}
            assert set(table["本年增加"]) - {"合计"} <= row_keys and set(table["本年减少"]) - {"合计"} <= row_keys
            continue
        rows, columns = {r.key for r in layout.rows}, {c.key for c in layout.columns}
        assert set(table) <= rows, (scope, title, set(table) - rows)
        for row, cells in table.items():
            assert set(cells) <= columns, (scope, title, row, set(cells) - columns)


@pytest.mark.parametrize("scope", SCOPES)
def test_first_table_balances(scope):
    t = EXPECTED[scope][T1]
    up, down = t["本年增加"], t["本年减少"]
    assert up["合计"] == up["发展党员"] + up["恢复党籍"] + up["转入组织关系"]
    assert down["合计"] == down["出党"] + down["停止党籍"] + down["死亡"] + down["转出组织关系"]
    assert up["重新入党"] <= up["发展党员"] and up["停止党籍后恢复党籍"] <= up["恢复党籍"]
    assert up["整建制转入"] <= up["转入组织关系"] and down["整建制转出"] <= down["转出组织关系"]
    assert t["本年底应有数"] == t["上年底总数"] + up["合计"] - down["合计"]
    assert t["实有数与应有数之差"] == t["本年底实有数"] - t["本年底应有数"] == 0


@pytest.mark.parametrize("scope", SCOPES)
def test_occupation_rows_add_up_and_match_the_first_table(scope):
    e = EXPECTED[scope]
    total = {row: cells["总数"] for row, cells in e["第二表行合计"].items()}
    assert list(total) == ROWS
    assert total[PUB_SUM] == total[G] + total[IM] + total[IP] + total[PEM] + total[PEP] + total[PW]
    assert total[NON_SUM] == total[NEM] + total[NEP] + total[NNM] + total[NNP] + total[NW]
    assert total[WORK] == total[PUB_SUM] + total[NON_SUM]
    assert total["总计"] == total[WORK] + total[F] + total[M] + total[S] + total[R] + total[OTHER]
    assert total[PWM] <= total[PW] and total[NWM] <= total[NW] and total[FM] <= total[F]
    members = e[T1]["本年底实有数"]
    assert total["总计"] == e[T2]["总计"]["总数"] == e[T3]["总计"]["总数"] == e[T4]["总计"]["总数"] == members
    for row, cells in e[T2].items():
        assert sum(cells[a] for a in AGE_COLUMNS_2) == cells["总数"], (scope, row)
        assert cells["预备党员"] <= cells["总数"] and cells["女"] <= cells["总数"]
        assert cells["总数"] == total[row], (scope, row)
    for row, cells in e[T3].items():
        assert sum(cells[c] for c in ERA_COLUMNS_3) == cells["总数"] == total[row], (scope, row)
    for row, cells in e[T4].items():
        assert sum(cells[c] for c in EDUCATION_COLUMNS) == cells["总数"] == total[row], (scope, row)


@pytest.mark.parametrize("scope", SCOPES)
def test_exit_admission_and_probation_tables_add_up(scope):
    e = EXPECTED[scope]
    t10 = e[T10]
    kinds = ["开除党籍", "退党除名", "劝退", "劝而不退除名", "自行脱党除名", "取消预备党员资格", "不予承认"]
    assert t10["总计"]["总数"] == sum(t10["总计"][k] for k in kinds) == e[T1]["本年减少"]["出党"]
    for group in (["35岁及以下", "36岁至54岁", "55岁至59岁", "60岁及以上"],
                  ["1966年4月及以前", "1966年5月至1976年10月", "1976年11月至1978年12月", "1979年1月至2002年10月",
                   "2002年11月至2012年10月", "2012年11月及以后"]):
        for column in t10["总计"]:
            assert sum(t10[row][column] for row in group) == t10["总计"][column], (scope, column, group)
    for row in t10:
        if t10[row]["总数"] is not None:
            assert t10[row]["经多方查找确实无法取得联系"] <= t10[row]["自行脱党除名"]
    t15 = {row: cells["人数"] for row, cells in e[T15].items()}
    decided = ["转为正式党员", "延长预备期转正", "推迟讨论转正", "延长预备期", "取消预备党员资格"]
    assert t15["已经上级党组织审批"] == sum(t15[r] for r in decided)
    assert t15["预备期满的党员"] == t15["已经上级党组织审批"] + t15["尚未讨论或审批"]
    t16 = e[T16]["总计"]
    assert t16["总数"] == e[T1]["本年增加"]["发展党员"]
    assert sum(t16[c] for c in ("25岁及以下", "26至30岁", "31至35岁", "36至40岁", "41至59岁", "60岁及以上")) == t16["总数"]
    assert sum(t16[c] for c in EDUCATION_COLUMNS) == t16["总数"]
    rows16 = e[T16]
    if WORK in rows16:
        assert rows16[WORK]["总数"] == rows16[PUB_SUM]["总数"] + rows16[NON_SUM]["总数"]


@pytest.mark.parametrize("scope", SCOPES)
def test_organization_and_status_tables_add_up(scope):
    e = EXPECTED[scope]
    t24 = e[T24]
    for row, cells in t24.items():
        assert cells["总数"] == cells["党委"] + cells["总支部"] + cells["支部"], (scope, row)
    for column in ("总数", "党委", "总支部", "支部"):
        assert t24["党的基层组织数"][column] == sum(t24[r][column] for r in ("城市街道", "乡镇", "企业", "事业单位", "机关", "其他"))
        assert t24["企业"][column] == sum(t24[r][column] for r in ("国有经济控制", "集体经济控制", "非公有经济控制"))
        assert t24["机关"][column] == sum(t24[r][column] for r in ("中央一级", "省（区、市）一级", "市（地、州、盟）一级",
                                                               "县（市、区、旗）一级"))
        assert t24["任届期满"][column] <= t24["党的基层组织数"][column]
    t33 = e[T33]
    for row, cells in t33.items():
        assert cells["总数"] == sum(v for k, v in cells.items() if k != "总数"), (scope, row)
    public = [r for r in t33 if r.startswith("公有经济控制单位·")]
    private = [r for r in t33 if r.startswith("非公有经济控制单位·")]
    assert t33["公有经济控制单位"]["总数"] == sum(t33[r]["总数"] for r in public)
    assert t33["非公有经济控制单位"]["总数"] == sum(t33[r]["总数"] for r in private)
    destinations = ["公有经济控制单位", "非公有经济控制单位", "个体工商户", "城市社区（居委会）", "乡镇社区（居委会）", "建制村", "其他",
                    "不掌握流向"]
    assert sum(t33[r]["总数"] for r in destinations) == t33["流出党员总数"]["总数"]
    t43 = e[T43]
    units = ["建制村", "社区（居委会）", "机关", "事业单位", "公有经济控制企业", "非公有经济控制企业", "社会组织", "其他"]
    groups = [["35岁及以下", "36岁至45岁", "46岁至60岁", "61岁及以上"], ["1年以下", "1年至5年", "6年至10年", "11年至20年", "21年及以上"],
              ["大专及以上", "中专、高中、中技", "初中及以下"], ["6个月以上不满1年", "1年至5年（失联）", "6年至10年（失联）", "11年及以上"],
              ["外出务工经商", "单位改制或破产", "毕业后去向不明", "工作单位改变", "出国（境）", "居住地改变", "其他"]]
    for column in t43["总计"]:
        assert t43["总计"][column] == sum(t43[u][column] for u in units), (scope, column)
    for row, cells in t43.items():
        for group in groups:
            assert sum(cells[c] for c in group) == cells["总数"], (scope, row, group)
