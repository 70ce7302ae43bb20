"""The known-truth dataset of issue #10: a county-like tree, an opening roster, then the year 2023 of every
kind of increase, decrease, transfer and 转正, entered the way users enter them — the person-page forms
(Django test client), the API, the roster import (进入/离开 columns) and the change-ledger import
(``zugong import changes``) — plus 流动/失联 statuses and organization terms.

The expected 年报 figures are NOT computed here: ``test_annual_figures.py`` holds them as literal numbers,
each derived by hand in a comment from the story below. This module only writes the story.

Tree (org code, type, the unit it is set up in → the 第二十四表 row)::

    X      中共某县委员会        党委    U     某县县委机关 (机关, 县级)          → 机关·县（市、区、旗）一级
    ├ X-A    中共甲镇委员会      党委    U-A   甲镇 (乡镇)                     → 乡镇
    │ ├ X-A-1  甲镇机关党支部    支部    same_as_parent (U-A)                → 乡镇
    │ │ └ X-A-1-G 党小组        党小组  (never counted)
    │ ├ X-A-2  甲镇东村党支部    支部    U-A-V 东村 (行政村)                  → 其他
    │ ├ X-A-3  甲镇农机厂党总支  总支部  U-A-E 农机厂 (企业, 集体经济控制)     → 企业·集体经济控制
    │ │ └ X-A-3-1 农机厂第一党支部 支部  same_as_parent (U-A-E)              → 企业·集体经济控制
    │ ├ X-A-4  甲镇中学党支部    支部    U-A-S 甲镇中学 (事业单位)            → 事业单位
    │ └ X-A-5  甲镇砖厂党支部    支部    U-A-K 砖厂 (企业, 非公有)  整建制转出 2023-08-15, then dissolved
    ├ X-B    中共乙镇委员会      党委    U-B   乙镇 (乡镇)                     → 乡镇
    │ ├ X-B-1  乙镇机关党支部    支部    same_as_parent (U-B)                → 乡镇
    │ ├ X-B-2  乙镇食品公司党支部 支部   U-B-E 食品公司 (企业, 非公有)         → 企业·非公有经济控制
    │ ├ X-B-3  乙镇社区党支部    支部    U-B-C 社区 (社区)                    → 其他
    │ ├ X-B-4  乙镇老街党支部    支部    U-B-L 老街村 (行政村)  整建制 to X-A-2 2023-07-01, then dissolved
    │ └ X-B-5  乙镇物流公司党支部 支部   U-B-W 物流公司 (企业, 非公有), founded 2023-06-01
    └ X-C    县财政局党支部      支部    U-F   县财政局 (机关, 县级)              → 机关·县（市、区、旗）一级

Terms (imported with the 党组织 file's 换届日期 / 本届任期开始 / 届满日期 columns)::

    X       2021-10-01 → 2026-10-01           neither
    X-A     2021-06-01 → 2026-06-01           neither
    X-A-1   2020-03-01 → 2023-03-01           任届期满 (ended before 31 Dec, no new term)
    X-A-2   elected 2023-01-08, 2023-01-10 → 2028-01-10   报告期内换届
    X-A-3   2020-12-01 → 2023-12-01           任届期满
    X-A-5   elected 2023-03-01 → 2026-03-01   (dissolved 2023-08-15: counted nowhere)
    X-B     elected 2023-09-15 → 2028-09-15   报告期内换届
    X-B-2   2019-05-01 → 2022-05-01           任届期满
    X-B-3   2020-12-31 → 2023-12-31           任届期满 (届满日期 = 31 Dec: "end_date <= D", contract)
    X-B-4   2017-05-01 → 2022-05-01           (dissolved 2023-07-01: counted nowhere)
    X-C     elected 2023-06-01 → 2026-06-01   报告期内换届

People (``PEOPLE``; key, name, branch at the start, sex, 民族, birth, 学历, 入党, 转正, 工作岗位 as the file
writes it → the 年报 row) and what happens to each (``enter_year``). "opening" = the opening roster
(imported, no 进入/离开 columns); "year roster" = the roster import with 进入/离开 columns.

Users: ``county`` (组织部门管理员 at X), ``town_a`` (党务工作者 at X-A), ``town_b`` (党务工作者 at X-B).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.core.management import call_command
from django.test import Client

from tests.annual.channels import api_post, form_submit, xlsx_bytes
from tests.factories import make_id, make_user
from zugong.accounts.services import grant_role
from zugong.core.errors import ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create, organization_set_unit
from zugong.orgs.unit_services import unit_create
from zugong.party.importers import import_roster
from zugong.people.models import Person

D = dt.date
YEAR = 2023

# --- the tree -----------------------------------------------------------------------------------------
# code: (name, org_type, parent, 单位属性, founded)
ORGS = {
    "X": ("中共某县委员会", "committee", None, "government_organ", D(1950, 1, 1)),
    "X-A": ("中共甲镇委员会", "committee", "X", "township", D(1958, 1, 1)),
    "X-A-1": ("甲镇机关党支部", "branch", "X-A", "township", D(1960, 1, 1)),
    "X-A-1-G": ("甲镇机关第一党小组", "party_group", "X-A-1", "township", D(1960, 1, 1)),
    "X-A-2": ("甲镇东村党支部", "branch", "X-A", "village", D(1960, 1, 1)),
    "X-A-3": ("甲镇农机厂党总支部", "general_branch", "X-A", "enterprise", D(1985, 3, 1)),
    "X-A-3-1": ("甲镇农机厂第一党支部", "branch", "X-A-3", "enterprise", D(1985, 3, 1)),
    "X-A-4": ("甲镇中学党支部", "branch", "X-A", "public_institution", D(1960, 9, 1)),
    "X-A-5": ("甲镇砖厂党支部", "branch", "X-A", "enterprise", D(1995, 1, 1)),
    "X-B": ("中共乙镇委员会", "committee", "X", "township", D(1958, 1, 1)),
    "X-B-1": ("乙镇机关党支部", "branch", "X-B", "township", D(1960, 1, 1)),
    "X-B-2": ("乙镇食品公司党支部", "branch", "X-B", "enterprise", D(2005, 1, 1)),
    "X-B-3": ("乙镇社区党支部", "branch", "X-B", "community", D(1990, 1, 1)),
    "X-B-4": ("乙镇老街党支部", "branch", "X-B", "village", D(1960, 1, 1)),
    "X-B-5": ("乙镇物流公司党支部", "branch", "X-B", "enterprise", D(2023, 6, 1)),
    "X-C": ("县财政局党支部", "branch", "X", "government_organ", D(1952, 1, 1)),
}

# unit code: (name, category, parent, extra fields)
UNITS = {
    "U": ("某县县委机关", "government_organ", None, {"organ_level": "county"}),
    "U-F": ("县财政局", "government_organ", "U", {"organ_level": "county"}),
    "U-A": ("甲镇", "township", "U", {}),
    "U-A-V": ("甲镇东村", "village", "U-A", {}),
    "U-A-E": ("甲镇农机厂", "enterprise", "U-A", {"economic_control": "collective_controlled", "enterprise_size": "small"}),
    "U-A-S": ("甲镇中学", "public_institution", "U-A", {}),
    "U-A-K": ("甲镇砖厂", "enterprise", "U-A", {"economic_control": "non_public_controlled", "enterprise_size": "micro"}),
    "U-B": ("乙镇", "township", "U", {}),
    "U-B-E": ("乙镇食品公司", "enterprise", "U-B", {"economic_control": "non_public_controlled", "enterprise_size": "small"}),
    "U-B-C": ("乙镇社区", "community", "U-B", {}),
    "U-B-L": ("乙镇老街村", "village", "U-B", {}),
    "U-B-W": ("乙镇物流公司", "enterprise", "U-B", {"economic_control": "non_public_controlled", "enterprise_size": "micro"}),
}

# org code → unit code (legal_entity_unit) or None (same_as_parent); the 党小组 gets no relation.
ORG_UNIT = {
    "X": "U", "X-A": "U-A", "X-A-1": None, "X-A-2": "U-A-V", "X-A-3": "U-A-E", "X-A-3-1": None, "X-A-4": "U-A-S",
    "X-A-5": "U-A-K", "X-B": "U-B", "X-B-1": None, "X-B-2": "U-B-E", "X-B-3": "U-B-C", "X-B-4": "U-B-L",
    "X-B-5": "U-B-W", "X-C": "U-F",
}

# org code: (换届日期, 本届任期开始, 届满日期)
TERMS = {
    "X": (D(2021, 10, 1), D(2021, 10, 1), D(2026, 10, 1)),
    "X-A": (D(2021, 6, 1), D(2021, 6, 1), D(2026, 6, 1)),
    "X-A-1": (D(2020, 3, 1), D(2020, 3, 1), D(2023, 3, 1)),
    "X-A-2": (D(2023, 1, 8), D(2023, 1, 10), D(2028, 1, 10)),
    "X-A-3": (D(2020, 12, 1), D(2020, 12, 1), D(2023, 12, 1)),
    "X-A-5": (D(2023, 3, 1), D(2023, 3, 1), D(2026, 3, 1)),
    "X-B": (D(2023, 9, 15), D(2023, 9, 15), D(2028, 9, 15)),
    "X-B-2": (D(2019, 5, 1), D(2019, 5, 1), D(2022, 5, 1)),
    "X-B-3": (D(2020, 12, 31), D(2020, 12, 31), D(2023, 12, 31)),
    "X-B-4": (D(2017, 5, 1), D(2017, 5, 1), D(2022, 5, 1)),
    "X-C": (D(2023, 6, 1), D(2023, 6, 1), D(2026, 6, 1)),
}


# --- the people -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class P:
    """One person of the story as the roster files write them."""

    name: str
    org: str
    sex: str  # 男 / 女
    ethnicity: str
    birth: dt.date
    education: str  # as files write it
    admission: dt.date
    full: dt.date | None
    occupation: str  # the 工作岗位 text of the file
    title: str = ""  # 专业技术职务
    taiwan: bool = False
    front_line: str = ""  # 一线类别 (生产工作一线 = 是 when given)
    extension: str = ""  # 延长预备期时间
    entry: tuple = ()  # (进入类型, 进入日期)
    leave: tuple = ()  # (离开类型, 离开日期[, 出党方式])

    @property
    def sex_code(self) -> str:
        return "2" if self.sex == "女" else "1"


BK, MS, ZK, ZZ, GZ, CZ, XX = "大学本科毕业", "硕士研究生毕业", "大学专科毕业", "中等专科毕业", "普通高中毕业", "初中毕业", "小学毕业"

# The opening roster (members before Zugong; imported without 进入/离开 columns). Row in [brackets]: the 年报
# 工作岗位 row the value means (G 党政机关工作人员, IM/IP 事业单位管理/专业技术, PEM/PEP/PW 公有制企业管理/
# 企业专业技术/工勤技能, NEM/NEP/NNM/NNP/NW 非公有制 …, F 农牧渔民, M 军人、武警, S 学生, R 离退休, O 其他).
OPENING = {
    # 甲镇机关党支部 X-A-1 (unit: 乡镇 by same_as_parent)
    "P01": P("周文", "X-A-1", "男", "汉族", D(1975, 3, 10), BK, D(2000, 6, 1), D(2001, 6, 1), "党政机关工作人员"),  # [G]
    "P02": P("吴芳", "X-A-1", "女", "汉族", D(1990, 8, 20), MS, D(2015, 7, 1), D(2016, 7, 1), "党政机关工作人员",
             title="中级"),  # [G] transfer X-A-1 → X-B-1 (pages: sent 05-08 by town_a, accepted 05-15 by town_b)
    "P03": P("郑强", "X-A-1", "男", "回族", D(1968, 11, 5), ZK, D(1992, 5, 1), D(1993, 5, 1), "党政机关工作人员"),
    # [G] 死亡 2023-02-14 (page)
    "P04": P("王磊", "X-A-1", "男", "汉族", D(1985, 1, 15), BK, D(2010, 7, 1), D(2011, 7, 1), "事业单位专业技术人员",
             title="高级"),  # [IP] transfer X-A-1 → X-A-4 (API: start 09-01, accept 09-05, town_a both)
    "P05": P("孙丽", "X-A-1", "女", "汉族", D(2000, 4, 12), BK, D(2022, 3, 1), None, "党政机关工作人员"),
    # [G] 预备, 按期转正 2023-03-06 (page)
    "P06": P("钱进", "X-A-1", "男", "汉族", D(1998, 9, 9), ZK, D(2022, 4, 10), None, "公有制单位工勤技能人员"),
    # [PW] 预备, 延长预备期 12个月 on 2023-04-20 (page): still 预备 on 31 Dec
    "P07": P("冯雪", "X-A-1", "女", "汉族", D(1999, 12, 1), BK, D(2022, 11, 15), None, "其他"),
    # [O] 预备, probation ends 2023-11-15, no decision in 2023 (尚未讨论或审批)
    "P08": P("陈刚", "X-A-1", "男", "汉族", D(1955, 2, 2), CZ, D(1980, 6, 1), D(1981, 6, 1), "离退休人员"),
    # [R] 停止党籍 2023-03-01 (ledger), 停止党籍后恢复党籍 2023-10-09 into X-A-1 (page)
    "P09": P("刘外", "X-A-1", "男", "汉族", D(1988, 8, 28), BK, D(2012, 6, 1), D(2013, 6, 1), "党政机关工作人员"),
    # [G] 转出 2023-06-12 to 中共某省某市某局机关委员会 (ledger, outside Zugong)
    # 甲镇东村党支部 X-A-2 (行政村)
    "P10": P("李大山", "X-A-2", "男", "汉族", D(1960, 5, 5), CZ, D(1978, 12, 20), D(1979, 12, 20), "农牧渔民",
             front_line="农村生产"),  # [F] 入党 1978-12-20: era 1976年11月至1978年12月 (months, not 12-18)
    "P11": P("李二妹", "X-A-2", "女", "汉族", D(1988, 3, 3), GZ, D(2012, 11, 1), D(2013, 11, 1), "外出务工经商人员"),
    # [F + 外出务工经商] 入党 2012-11-01: era 2012年11月及以后; 流动党员 since 2021-03-01 (跨省, 私营企业,
    # 原职业 农牧渔民, 持证)
    "P12": P("张老三", "X-A-2", "男", "汉族", D(1945, 1, 20), XX, D(1966, 5, 10), D(1967, 5, 10), "农牧渔民"),
    # [F] 失联 since 2015-04-01 (居住地改变)
    "P13": P("赵四", "X-A-2", "男", "汉族", D(1970, 7, 7), CZ, D(1995, 6, 1), D(1996, 6, 1), "农牧渔民"),
    # [F] transfer X-A-2 → X-B-3 on 2023-08-01 (ledger 转出 with 对方党组织 乙镇社区党支部, in Zugong)
    "P14": P("马兰", "X-A-2", "女", "回族", D(1993, 10, 10), ZK, D(2022, 6, 15), None, "农牧渔民"),
    # [F] 预备; 出党 取消预备党员资格 2023-06-20 after the probation ended 06-15 (ledger)
    # 甲镇农机厂第一党支部 X-A-3-1 (集体企业; 工勤/企业 values without a sector take it from the unit)
    "P15": P("刘工", "X-A-3-1", "男", "汉族", D(1978, 6, 6), ZZ, D(2005, 5, 1), D(2006, 5, 1), "工勤技能人员",
             title="初级"),  # [PW]
    "P16": P("黄师傅", "X-A-3-1", "男", "汉族", D(1983, 2, 2), GZ, D(2009, 9, 9), D(2010, 9, 9), "农民工"),
    # [PW + 农民工] 失联 since 2012-01-01 (单位改制或破产)
    "P17": P("何经理", "X-A-3-1", "女", "汉族", D(1972, 9, 9), BK, D(1998, 7, 1), D(1999, 7, 1), "企业管理人员",
             title="中级"),  # [PEM] 出党 开除党籍 2023-07-10 (page)
    "P18": P("钟技术", "X-A-3-1", "男", "汉族", D(1980, 4, 4), ZK, D(2003, 1, 1), D(2004, 1, 1), "企业专业技术人员",
             title="中级"),  # [PEP]
    "P19": P("孔劝", "X-A-3-1", "男", "汉族", D(1965, 9, 29), CZ, D(1994, 1, 1), D(1995, 1, 1), "工勤技能人员"),
    # [PW] 出党 劝退 2023-09-18 (ledger)
    # 甲镇中学党支部 X-A-4 (事业单位)
    "P20": P("林老师", "X-A-4", "女", "汉族", D(1965, 12, 12), BK, D(1988, 9, 1), D(1989, 9, 1), "事业单位专业技术人员",
             title="高级", taiwan=True, front_line="教学科研"),  # [IP] 台湾省籍
    "P21": P("许校长", "X-A-4", "男", "汉族", D(1970, 1, 1), MS, D(1996, 7, 1), D(1997, 7, 1), "事业单位管理人员"),  # [IM]
    "P22": P("周预", "X-A-4", "女", "汉族", D(1997, 7, 7), BK, D(2022, 5, 20), None, "事业单位专业技术人员"),
    # [IP] 预备; 按期转正 2023-05-22 (ledger)
    "P56": P("林延", "X-A-4", "女", "汉族", D(1996, 6, 6), BK, D(2021, 9, 1), None, "事业单位专业技术人员",
             extension="一年"),  # [IP] 预备, extended 12 months (roster column) → ends 2023-09-01;
    # 延长预备期后转正 2023-09-08 (page)
    # 甲镇砖厂党支部 X-A-5 (非公有制企业): 整建制转出 2023-08-15 to 邻县某镇党委 (page), branch dissolved
    "P23": P("砖一", "X-A-5", "男", "汉族", D(1976, 3, 3), CZ, D(2001, 7, 1), D(2002, 7, 1), "非公有制单位工勤技能人员"),
    "P24": P("砖二", "X-A-5", "男", "汉族", D(1986, 5, 5), GZ, D(2011, 6, 1), D(2012, 6, 1), "非公有制单位农民工"),
    # 乙镇机关党支部 X-B-1
    "P25": P("高明", "X-B-1", "男", "汉族", D(1981, 7, 7), BK, D(2006, 6, 1), D(2007, 6, 1), "党政机关工作人员"),
    # [G] 流动党员 since 2023-10-01 (跨省, 不掌握流向, 原职业 其他)
    "P26": P("罗敏", "X-B-1", "女", "壮族", D(1992, 2, 2), BK, D(2021, 7, 1), D(2022, 7, 1), "党政机关工作人员"),
    # [G] 转出 with a 介绍信 2023-04-03 (page)
    "P27": P("秦岭", "X-B-1", "男", "汉族", D(1950, 10, 10), GZ, D(1972, 3, 1), D(1973, 3, 1), "离退休人员"),
    # [R] 死亡 2023-11-20 (ledger)
    "P28": P("谢军", "X-B-1", "男", "汉族", D(1997, 5, 5), ZK, D(2022, 1, 10), None, "军人、武警"),
    # [M] 预备; 按期转正 2023-01-12 (API)
    "P29": P("曹复", "X-B-1", "男", "汉族", D(1966, 6, 16), ZK, D(1991, 7, 1), D(1992, 7, 1), "党政机关工作人员"),
    # [G] 出党 开除党籍 2022-08-01 (API: last year), 恢复党籍 2023-04-18 into X-B-1 (API)
    # 乙镇食品公司党支部 X-B-2 (非公有制企业)
    "P30": P("邓经理", "X-B-2", "男", "汉族", D(1979, 9, 19), BK, D(2008, 5, 1), D(2009, 5, 1), "企业管理人员",
             title="中级"),  # [NEM]
    "P31": P("潘工", "X-B-2", "女", "汉族", D(1991, 1, 21), ZK, D(2016, 6, 1), D(2017, 6, 1), "工勤技能人员"),
    # [NW] 失联 since 2023-03-01 (工作单位改变; API)
    "P32": P("范技", "X-B-2", "男", "汉族", D(1987, 8, 8), BK, D(2013, 7, 1), D(2014, 7, 1), "企业专业技术人员"),
    # [NEP] 出党 自行脱党除名, 经多方查找确实无法取得联系, 2023-05-22 (API)
    # 乙镇社区党支部 X-B-3 (社区)
    "P33": P("韩梅", "X-B-3", "女", "汉族", D(1984, 4, 14), BK, D(2009, 6, 1), D(2010, 6, 1), "民办非企业单位管理人员"),  # [NNM]
    "P34": P("唐专", "X-B-3", "男", "满族", D(1977, 7, 17), ZK, D(2004, 4, 1), D(2005, 4, 1), "民办非企业专业技术人员"),
    # [NNP] 失联 since 2020-06-01 (外出务工经商)
    "P35": P("宋退休", "X-B-3", "女", "汉族", D(1940, 3, 3), XX, D(1960, 1, 1), D(1961, 1, 1), "离退休人员"),  # [R]
    "P36": P("流动甲", "X-B-3", "男", "汉族", D(1995, 5, 15), BK, D(2018, 6, 1), D(2019, 6, 1), "其他"),
    # [O] 流动党员 since 2022-09-01 (市（地）内流动, 个体工商户, 原职业 其他)
    "P37": P("韦否", "X-B-3", "男", "汉族", D(1980, 8, 18), GZ, D(2019, 3, 1), D(2020, 3, 1), "其他"),
    # [O] 出党 不予承认 2023-03-30 (ledger)
    "P55": P("蒋未满", "X-B-3", "男", "汉族", D(1998, 9, 8), BK, D(2022, 10, 10), None, "其他"),
    # [O] 预备; 取消预备党员资格 2023-08-08, before the probation ended 2023-10-10 (page)
    # 乙镇老街党支部 X-B-4 (行政村): 整建制 to X-A-2 on 2023-07-01 (page), branch dissolved
    "P38": P("老街一", "X-B-4", "男", "汉族", D(1958, 8, 8), CZ, D(1983, 3, 3), D(1984, 3, 3), "农牧渔民"),  # [F]
    "P39": P("老街二", "X-B-4", "女", "汉族", D(1963, 6, 6), GZ, D(1990, 10, 1), D(1991, 10, 1), "农牧渔民"),  # [F]
    # 县财政局党支部 X-C (机关)
    "P40": P("财一", "X-C", "男", "汉族", D(1973, 3, 23), MS, D(1999, 1, 1), D(2000, 1, 1), "党政机关工作人员",
             title="高级"),  # [G] 流动党员 since 2023-02-01 (省内跨市, 机关, 原职业 公有经济…, 持证; API)
    "P41": P("财二", "X-C", "女", "汉族", D(1989, 12, 25), BK, D(2014, 6, 1), D(2015, 6, 1), "党政机关工作人员"),
    # [G] 流动党员 2021-01-01 … ended 2023-06-30 (not counted)
    "P42": P("财三", "X-C", "男", "汉族", D(1994, 3, 3), MS, D(2022, 7, 20), None, "党政机关工作人员"),
    # [G] 预备; 推迟讨论 2023-07-25 (page, county), 推迟讨论后转正 2023-09-01 (API, county)
}

# The year's roster (imported with 进入/离开 columns by the county): new people only.
YEAR_ROSTER = {
    "P43": P("新发一", "X-A-2", "男", "汉族", D(1996, 2, 2), ZK, D(2023, 3, 15), None, "农牧渔民",
             entry=("发展党员", D(2023, 3, 15))),  # [F] 27 at admission
    "P44": P("新发二", "X-A-3-1", "女", "土家族", D(2001, 5, 5), ZZ, D(2023, 6, 28), None, "工勤技能人员",
             front_line="企业生产", entry=("发展党员", D(2023, 6, 28))),  # [PW] 22 at admission
    "P45": P("重入", "X-B-2", "男", "汉族", D(1975, 11, 11), BK, D(2023, 9, 10), None, "企业管理人员",
             entry=("重新入党", D(2023, 9, 10))),  # [NEM] 47 at admission
    "P46": P("转来", "X-A-4", "女", "汉族", D(1986, 6, 26), MS, D(2010, 5, 4), D(2011, 5, 4), "事业单位专业技术人员",
             title="中级", entry=("转入", D(2023, 4, 10))),  # [IP]
    "P47": P("物流一", "X-B-5", "男", "汉族", D(1982, 12, 12), ZK, D(2007, 7, 1), D(2008, 7, 1), "企业管理人员",
             entry=("整建制转入", D(2023, 6, 1))),  # [NEM]
    "P48": P("物流二", "X-B-5", "男", "汉族", D(1990, 10, 20), GZ, D(2016, 3, 1), D(2017, 3, 1), "农民工",
             entry=("整建制转入", D(2023, 6, 1))),  # [NW + 农民工]
    "P49": P("故老", "X-A-2", "男", "汉族", D(1938, 4, 4), XX, D(1958, 7, 1), D(1959, 7, 1), "农牧渔民",
             leave=("死亡", D(2023, 5, 1))),  # [F]
    "P50": P("除名", "X-B-1", "男", "汉族", D(1962, 2, 14), GZ, D(1985, 12, 1), D(1986, 12, 1), "其他",
             leave=("出党", D(2023, 10, 16), "劝而不退除名")),  # [O] 61 on 10-16
    "P51": P("过客", "X-B-3", "女", "汉族", D(1992, 9, 9), BK, D(2017, 6, 1), D(2018, 6, 1), "其他",
             entry=("转入", D(2023, 2, 1)), leave=("转出", D(2023, 9, 30))),  # [O]
    "P52": P("退党", "X-A-1", "男", "汉族", D(1990, 1, 30), ZK, D(2008, 11, 1), D(2009, 11, 1), "其他",
             leave=("退党除名", D(2023, 12, 5))),  # [O] 33 on 12-05
}

# Entered on pages (not in any roster file).
P53 = P("小红", "X-A-4", "女", "汉族", D(2005, 3, 1), GZ, D(2023, 6, 1), None, "学生")
"""[S] 发展党员 2023-06-01 on the 新增党员 page (entry kind 发展党员), 18 at admission."""
P54 = P("入来", "X-B-1", "女", "汉族", D(1993, 3, 13), BK, D(2018, 7, 1), D(2019, 7, 1), "党政机关工作人员")
"""[G] arrives with a 介绍信 from 外县某镇党委 on 2023-05-06 (转入 page)."""

ALL_PEOPLE = {**OPENING, **YEAR_ROSTER, "P53": P53, "P54": P54}

ROSTER_HEADERS = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "入党日期", "转正日期", "人员类别", "工作岗位",
                  "所在党组织", "生产工作一线", "一线类别", "台湾省籍", "专业技术职务", "延长预备期时间"]
HISTORY_HEADERS = ["进入类型", "进入日期", "离开类型", "离开日期", "出党方式"]
LEDGER_HEADERS = ["公民身份号码", "姓名", "变动类型", "变动日期", "对方党组织", "出党方式", "原因", "延长预备期时间", "转正情况",
                  "文号"]


def roster_row(p: P, number: str, *, history: bool = False) -> list:
    """One roster row of ``p`` (dates as ISO text)."""
    row = [p.name, p.sex, p.ethnicity, number, p.birth.isoformat(), p.education, p.admission.isoformat(),
           p.full.isoformat() if p.full else "", "正式党员" if p.full else "预备党员", p.occupation, p.org,
           "是" if p.front_line else "否", p.front_line, "是" if p.taiwan else "否", p.title, p.extension]
    if history:
        entry_kind, entry_date = p.entry or ("", None)
        leave = (*p.leave, "", "", "")[:3] if p.leave else ("", None, "")
        row += [entry_kind, entry_date.isoformat() if entry_date else "", leave[0],
                leave[1].isoformat() if leave[1] else "", leave[2]]
    return row


# --- building -------------------------------------------------------------------------------------------
def build_tree() -> SimpleNamespace:
    """Units, organizations (with their units) and the three users; no members yet."""
    s = SimpleNamespace(units={}, orgs={}, people={}, numbers={}, files={})
    for code, (name, category, parent, extra) in UNITS.items():
        s.units[code] = unit_create(code=code, name=name, unit_category=category, legal_entity=True,
                                    parent=s.units[parent] if parent else None,
                                    founded_date=D(2023, 5, 1) if code == "U-B-W" else None, **extra)
    for code, (name, org_type, parent, category, founded) in ORGS.items():
        s.orgs[code] = organization_create(code=code, name=name, org_type=org_type, unit_category=category,
                                           parent=s.orgs[parent] if parent else None, founded_date=founded)
    for code, unit in ORG_UNIT.items():
        org = PartyOrganization.objects.get(code=code)
        if unit is None:
            organization_set_unit(user=None, organization=org, relation="same_as_parent", expected_version=None)
        else:
            organization_set_unit(user=None, organization=org, relation="legal_entity_unit", unit=s.units[unit],
                                  expected_version=None)
    s.county = make_user("county", "org_department", s.orgs["X"])
    grant_role(user=s.county, role_code="org_department", unit=s.units["U"])
    s.town_a = make_user("town_a", "party_affairs", s.orgs["X-A"])
    s.town_b = make_user("town_b", "party_affairs", s.orgs["X-B"])
    return s


def org(code: str) -> PartyOrganization:
    return PartyOrganization.objects.get(code=code)


def import_terms(s: SimpleNamespace, tmp: Path) -> None:
    """The 党组织 file with the term columns (本届任期开始, 届满日期, 换届日期), re-imported over the tree
    by the county (``zugong import orgs``): one term per organization."""
    headers = ["组织代码", "组织名称", "上级组织代码", "组织类别", "换届日期", "本届任期开始", "届满日期"]
    types = {"committee": "党委", "general_branch": "党总支", "branch": "党支部", "party_group": "党小组"}
    rows = []
    for code, (name, org_type, parent, _category, _founded) in ORGS.items():
        election, start, end = TERMS.get(code, (None, None, None))
        rows.append([code, name, parent or "", types[org_type], election.isoformat() if election else "",
                     start.isoformat() if start else "", end.isoformat() if end else ""])
    path = tmp / "党组织.xlsx"
    path.write_bytes(xlsx_bytes([headers, *rows]))
    s.files["orgs"] = path
    call_command("import_orgs", str(path), "--user", "county", "--no-progress", stdout=io.StringIO(),
                 stderr=io.StringIO())


def import_opening(s: SimpleNamespace) -> None:
    """The opening roster (``OPENING``), imported by the county through the roster import."""
    rows = []
    for key, p in OPENING.items():
        s.numbers[key] = make_id(p.birth, p.sex_code)
        rows.append(roster_row(p, s.numbers[key]))
    try:
        import_roster(xlsx_bytes([ROSTER_HEADERS, *rows]), user=s.county, filename="期初党员花名册.xlsx")
    except ValidationFailed as exc:
        raise AssertionError("期初花名册未导入：" + "；".join(str(e) for e in exc.errors)) from exc
    for key in OPENING:
        s.people[key] = Person.objects.get(id_number_hash=Person.hash_id_number(s.numbers[key]))


def person(s: SimpleNamespace, key: str) -> Person:
    return Person.objects.get(pk=s.people[key].pk)


def build_opening(tmp: Path) -> SimpleNamespace:
    """Tree, terms and the opening roster: the state before the year (for the bad-input tests)."""
    s = build_tree()
    import_terms(s, tmp)
    import_opening(s)
    return s


def clients(s: SimpleNamespace) -> SimpleNamespace:
    c = SimpleNamespace(county=Client(), town_a=Client(), town_b=Client())
    c.county.force_login(s.county)
    c.town_a.force_login(s.town_a)
    c.town_b.force_login(s.town_b)
    return c


def ledger_file(s: SimpleNamespace, tmp: Path, rows: list[list], name: str = "党员变动.xlsx") -> Path:
    path = tmp / name
    path.write_bytes(xlsx_bytes([LEDGER_HEADERS, *rows]))
    return path


def run_ledger(path: Path, username: str) -> str:
    """``zugong import changes FILE --user U``; returns stdout (raises ``CommandError`` on a rejected file)."""
    out = io.StringIO()
    call_command("import_changes", str(path), "--user", username, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def page_event(client, s, key: str, kind: str, **values):
    """An event entered on the person page's form ``party:event_create`` (``kind`` in the URL)."""
    from django.urls import reverse

    return form_submit(client, reverse("party:event_create", kwargs={"pk": s.people[key].pk, "kind": kind}), values)


def api_event(client, s, key: str, **body):
    """``POST /api/members/{person_id}/events/`` (body as ``party.services.event_record``; the receiving
    organization is sent under both names, ``to_organization_id`` and the API's ``to_organization``)."""
    if "to_organization_id" in body:
        body["to_organization"] = body["to_organization_id"]
    return api_post(client, f"/api/members/{s.people[key].pk}/events/", body)


def enter_year(s: SimpleNamespace, tmp: Path) -> None:
    """The year 2023 (and one 2022 event), channel by channel. Per person, events are entered in date
    order (history is appended in order)."""
    from django.urls import reverse

    from zugong.party.models import MembershipTransfer

    c = clients(s)
    n = s.numbers

    # --- API: last year's expulsion of 曹复 (so he is not in 上年底总数) -----------------------------------
    api_event(c.town_b, s, "P29", kind="exit", detail="expelled", date="2022-08-01", reason_category="违反廉洁纪律",
              reason="严重违反廉洁纪律")

    # --- the change ledger (county) ---------------------------------------------------------------------
    ledger = [
        [n["P08"], "陈刚", "停止党籍", "2023-03-01", "", "", "长期不参加党的组织生活", "", "", ""],
        [n["P09"], "刘外", "转出组织关系", "2023-06-12", "中共某省某市某局机关委员会", "", "工作调动", "", "", "甲组转〔2023〕6号"],
        [n["P13"], "赵四", "转出组织关系", "2023-08-01", "乙镇社区党支部", "", "迁居", "", "", ""],
        [n["P14"], "马兰", "出党", "2023-06-20", "", "取消预备党员资格", "预备期间不履行党员义务", "", "", ""],
        [n["P19"], "孔劝", "出党", "2023-09-18", "", "劝退", "理想信念动摇，经教育仍无转变", "", "", ""],
        [n["P22"], "周预", "转正", "2023-05-22", "", "", "", "", "按期转正", ""],
        [n["P27"], "秦岭", "死亡", "2023-11-20", "", "", "病故", "", "", ""],
        [n["P37"], "韦否", "出党", "2023-03-30", "", "不予承认", "入党时弄虚作假", "", "", ""],
    ]
    s.files["ledger"] = ledger_file(s, tmp, ledger)
    run_ledger(s.files["ledger"], "county")

    # --- the year's roster with 进入/离开 columns (county) ---------------------------------------------------
    rows = []
    for key, p in YEAR_ROSTER.items():
        n[key] = make_id(p.birth, p.sex_code)
        rows.append(roster_row(p, n[key], history=True))
    s.files["year_roster"] = tmp / "党员花名册（2023年变动）.xlsx"
    s.files["year_roster"].write_bytes(xlsx_bytes([ROSTER_HEADERS + HISTORY_HEADERS, *rows]))
    call_command("import_roster", str(s.files["year_roster"]), "--user", "county", "--no-progress",
                 stdout=io.StringIO(), stderr=io.StringIO())
    for key in YEAR_ROSTER:
        s.people[key] = Person.objects.get(id_number_hash=Person.hash_id_number(n[key]))

    # --- person-page forms (Django test client) -------------------------------------------------------------
    page_event(c.town_a, s, "P03", "death", date="2023-02-14")
    page_event(c.town_a, s, "P05", "full_membership", detail="on_time", date="2023-03-06")
    page_event(c.town_a, s, "P06", "full_membership", detail="extended", extension_months=12, date="2023-04-20")
    page_event(c.town_a, s, "P17", "exit", detail="expelled", date="2023-07-10", reason_category="integrity",
               reason="利用职务便利收受财物")
    page_event(c.town_a, s, "P56", "full_membership", detail="after_extension", date="2023-09-08")
    page_event(c.town_a, s, "P08", "reinstatement", detail="after_suspension", date="2023-10-09",
               to_organization=s.orgs["X-A-1"].pk)
    page_event(c.county, s, "P42", "full_membership", detail="postponed", date="2023-07-25")
    page_event(c.town_b, s, "P55", "exit", detail="probation_cancelled", date="2023-08-08",
               reason="预备期间严重违纪")

    # 发展党员 on the person page: 小红, registered as a person (群众, ``POST /api/people/``), is admitted
    s.numbers["P53"] = make_id(P53.birth, P53.sex_code)
    created = api_post(c.town_a, "/api/people/", dict(
        organization=s.orgs["X-A-4"].pk, name=P53.name, sex="2", ethnicity="01", id_number=s.numbers["P53"],
        birth_date=P53.birth.isoformat(), education_level="61", political_status="13"))
    s.people["P53"] = Person.objects.get(pk=created.json()["id"])
    page_event(c.town_a, s, "P53", "admission", date="2023-06-01", to_organization=s.orgs["X-A-4"].pk,
               occupation="student")

    # 组织关系转接 across townships: sent by 甲镇 (town_a), accepted by 乙镇 (town_b)
    form_submit(c.town_a, reverse("party:transfer_start", kwargs={"pk": s.people["P02"].pk}),
                dict(to_organization="X-B-1", date="2023-05-08", note="工作调动"))  # the receiving 组织代码
    transfer = MembershipTransfer.objects.get(person=s.people["P02"], state="pending")
    form_submit(c.town_b, reverse("party:transfer_accept", kwargs={"pk": transfer.pk}), dict(date="2023-05-15"))

    # 转出 with a 介绍信 (town_b)
    form_submit(c.town_b, reverse("party:transfer_out", kwargs={"pk": s.people["P26"].pk}), dict(
        counterpart="中共某市某区委员会组织部", letter_number="乙组转〔2023〕3号", validity_days=30,
        dues_paid_through="2023-03", date="2023-04-03"))

    # 转入 with a 介绍信 from outside (town_b)
    s.numbers["P54"] = make_id(P54.birth, P54.sex_code)
    form_submit(c.town_b, reverse("party:transfer_in"), dict(
        organization=s.orgs["X-B-1"].pk, name=P54.name, sex="2", ethnicity="01", id_number=s.numbers["P54"],
        birth_date=P54.birth.isoformat(), education_level="21", category="full", admission_date="2018-07-01",
        full_membership_date="2019-07-01", occupation="government", counterpart="中共外县某镇委员会",
        letter_number="外组转〔2023〕12号", date="2023-05-06"))
    s.people["P54"] = Person.objects.get(id_number_hash=Person.hash_id_number(s.numbers["P54"]))

    # 整建制: 乙镇老街党支部 into 甲镇东村党支部 (in Zugong), 甲镇砖厂党支部 out of Zugong (county)
    form_submit(c.county, reverse("party:whole_unit_transfer", kwargs={"org_pk": s.orgs["X-B-4"].pk}),
                dict(to_organization="X-A-2", date="2023-07-01"))
    form_submit(c.county, reverse("party:whole_unit_transfer", kwargs={"org_pk": s.orgs["X-A-5"].pk}),
                dict(counterpart="中共邻县某镇委员会", date="2023-08-15", letter_number="甲组转〔2023〕9号",
                     validity_days=30, dues_paid_through="2023-07"))

    # --- API ------------------------------------------------------------------------------------------------
    api_event(c.town_b, s, "P28", kind="full_membership", detail="on_time", date="2023-01-12")
    api_event(c.town_b, s, "P29", kind="reinstatement", date="2023-04-18", to_organization_id=s.orgs["X-B-1"].pk,
              reason="经复查撤销原处分")
    api_event(c.town_b, s, "P32", kind="exit", detail="lapsed_removed", unreachable=True, date="2023-05-22",
              reason_category="其他", reason="连续六个月不参加组织生活，经多方查找无法取得联系")
    api_event(c.county, s, "P42", kind="full_membership", detail="after_postponement", date="2023-09-01")
    # a transfer inside 甲镇 through the API: X-A-1 → X-A-4 (sent and accepted by town_a)
    api_post(c.town_a, "/api/transfers/", {"person": s.people["P04"].pk, "person_id": s.people["P04"].pk,
                                           "to_organization": s.orgs["X-A-4"].pk,
                                           "to_organization_id": s.orgs["X-A-4"].pk, "date": "2023-09-01"})
    transfer = MembershipTransfer.objects.get(person=s.people["P04"], state="pending")
    api_post(c.town_a, f"/api/transfers/{transfer.pk}/accept/",
             {"date": "2023-09-05", "version": transfer.version, "expected_version": transfer.version})

    record_statuses(s, c)


def record_statuses(s: SimpleNamespace, c: SimpleNamespace) -> None:
    """流动党员 and 失联党员 (``party.statuses`` services and ``/api/members/{id}/statuses/``)."""
    from zugong.party.models import MemberStatus
    from zugong.party.statuses import status_end, status_start

    def start(key, kind, day, user=None, **extra):
        return status_start(user=user or s.county, person_id=s.people[key].pk, kind=kind, start_date=day, **extra)

    start("P11", "mobile", D(2021, 3, 1), flow_scope="cross_province", destination_type="nonpublic_private",
          destination="广东省东莞市某电子厂", original_occupation="farmer", has_certificate=True)
    start("P36", "mobile", D(2022, 9, 1), user=s.town_b, flow_scope="within_city",
          destination_type="individual_business", destination="县城某餐馆", original_occupation="other",
          has_certificate=False)
    start("P25", "mobile", D(2023, 10, 1), user=s.town_b, flow_scope="cross_province", destination_type="unknown",
          original_occupation="other", has_certificate=False)
    ended = start("P41", "mobile", D(2021, 1, 1), flow_scope="cross_province", destination_type="other",
                  original_occupation="other")
    status_end(user=s.county, status_id=ended.pk, end_date=D(2023, 6, 30),
               expected_version=MemberStatus.objects.get(pk=ended.pk).version)
    start("P12", "lost_contact", D(2015, 4, 1), user=s.town_a, lost_situation="residence_change")
    start("P34", "lost_contact", D(2020, 6, 1), user=s.town_b, lost_situation="migrant_work")
    start("P16", "lost_contact", D(2012, 1, 1), user=s.town_a, lost_situation="restructuring")
    found = start("P10", "lost_contact", D(2019, 1, 1), user=s.town_a, lost_situation="other")
    status_end(user=s.town_a, status_id=found.pk, end_date=D(2023, 4, 1),
               expected_version=MemberStatus.objects.get(pk=found.pk).version)
    api_post(c.county, f"/api/members/{s.people['P40'].pk}/statuses/", {
        "kind": "mobile", "start_date": "2023-02-01", "flow_scope": "cross_city", "destination_type": "public_organ",
        "destination": "市某局", "original_occupation": "public_staff", "has_certificate": True})
    api_post(c.town_b, f"/api/members/{s.people['P31'].pk}/statuses/", {
        "kind": "lost_contact", "start_date": "2023-03-01", "lost_situation": "job_change"})


def build_year(tmp: Path) -> SimpleNamespace:
    """The whole story: tree, terms, opening roster, the year 2023, statuses."""
    s = build_opening(tmp)
    enter_year(s, tmp)
    return s
