"""Builders of files in the real-world layouts of issue #9: rosters (党员花名册) and organization sheets
(党组织) as other systems export them and as clerks keep them, written byte for byte the way those tools
write them (openpyxl for .xlsx with merged cells, xlwt for legacy .xls, an HTML table named .xls, GBK CSV).

Where the headers come from (public material found with the ``search`` tool, 2026-11; third-party
reference, paraphrased, nothing copied):

- 全国党员管理信息系统 «党组织和党员信息库», 党员基本信息采集表 / 党员基本信息汇总表 (中组部
  2017 信息采集, 附件 2/4: 16 items): the column list of a public exporter of that sheet (GitHub code,
  Node script exporting the 党员信息采集 register) is 序号, 姓名, 所在党支部, 公民身份证号, 性别, 民族,
  出生日期, 学历, 人员类别, 加入党组织日期, 转为正式党员日期, 工作岗位, 手机号, 固定电话, 家庭住址,
  党籍状态, 是否为流动党员, 外出流向; a JeeSite 党员信息 entity of a 基层党建 platform lists the same items
  (证件类别, 身份号码, 民族, 学历, 党员类别, 所在党支部全称, 入党日期, 转正, 工作岗位, 联系电话-移动电话,
  联系电话-固定电话, 家庭住址, 党籍状态, 是否为失联党员, 失联日期, 是否为流动党员, 外出流向_省/市/县).
  The national 党籍状态 is 正常 / 停止党籍 (not 正式/预备; 人员类别 carries 正式党员 / 预备党员).
- 党组织和所在单位基本信息采集表 (附件 1, the 采集说明 published by several universities, e.g.
  m.1wenmi.com «党组织和党员基本信息采集说明»): 党组织名称 is the full name on the seal, "中共" + unit +
  organization type; 组织类别 from a drop-down; 党组织所在单位情况 is one of 与上级党组织相同 / 法人单位 /
  联合党支部, and only for 法人单位 the unit's columns (单位名称, 法人单位统一社会信用代码, 单位性质类别,
  企业控制（控股）情况, 企业规模, 成立日期) are filled.
- OWIP (github.com/xvchaoqun/owip, ``MemberController.importInSchoolMember``): the 党员信息（校内人员）
  template is read by position: 学工号, 姓名, 所在分党委编码, 分党委名称, 所在党支部编码, 党支部名称,
  党籍状态 (正式党员 / 预备党员, its MEMBER_POLITICAL_STATUS_MAP), 转入时间, 提交书面申请书时间,
  确定为入党积极分子时间, 确定为发展对象时间, 入党介绍人, 入党时间, 入党时所在党支部, 转正时间,
  转正时所在党支部, 党内职务, 党内奖励, 其他奖励; its member views carry 人员类别 as 教职工 / 学生 and a
  member status 正常 / 已转出 / 已出党. OWIP's templates carry no 学历 or 工作岗位 (they live in the
  teacher/student records).
- Everything else (group-platform exports, hint rows, two-row headers, 填表说明 sheets, 年报 occupation
  rows, coded values 男_1 / 高中及以下_1, the date forms, leading zeros lost) follows the facts listed in
  issue #9.

Names and places are those of the issue's example (汶上县康驿镇) or invented (北方师范大学, 华源能源集团);
ID numbers are valid (GB 11643 check character, ``core.idnumber.make``), 统一社会信用代码 too
(GB 32100, ``orgs.validators.credit_code_check_char``).

Each builder returns a ``Built``: the file's ``content`` and ``filename`` and what the test expects to find
in the database afterwards (``members`` / ``orgs``). The organization tree the files refer to is made by
``tests/imports/test_real_layouts.py``'s fixture; the expected codes below are its codes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field

import xlwt
from openpyxl import Workbook
from openpyxl.styles import Alignment

from zugong.core import idnumber
from zugong.orgs.validators import credit_code_check_char

REGION = "370830"  # 汶上县 (a GB/T 2260 county code; the ID numbers' first six digits)
_seq = itertools.count(1)
_numbers: dict[tuple, str] = {}

# The 党内统计年报 rows of 工作岗位 (issue #9) → the 公报 category (``core.codes.OCCUPATION``) each one
# counts in; ``None`` where the test only checks that the 年报 row is kept (``occupation_detail``).
ANNUAL_OCCUPATIONS: dict[str, str | None] = {
    "党政机关工作人员": "government",
    "事业单位管理人员": "manager",
    "事业单位专业技术人员": "professional",
    "企业管理人员": "manager",
    "企业专业技术人员": "professional",
    "民办非企业单位管理人员": "manager",
    "民办非企业专业技术人员": "professional",
    "工勤技能人员": "worker",
    "农民工": None,
    "农牧渔民": "farmer",
    "外出务工经商人员": None,
    "军人、武警": None,
    "学生": "student",
    "离退休人员": "retired",
    "其他": "other",
}

# 学历 as written in real files → the prefix the stored ``EDUCATION`` code must have (1x 研究生,
# 2x 本科, 3x 专科, 4x 中专/职高/技校, 6x 高中, 7x 初中).
EDUCATION_FORMS: dict[str, str] = {
    "大学本科": "2", "大学专科": "3", "中专": "4", "硕士研究生": "14", "研究生（硕士）": "14",
    "博士及以上": "1", "高中及以下": "6", "初中及以下": "7",
}


@dataclass(frozen=True)
class Member:
    """One party member as the source file holds them, and what must land: ``sex`` "1"/"2",
    ``ethnicity`` the code (``ethnicity_text`` as written), ``education_text`` as written (expected
    code prefix in ``EDUCATION_FORMS``), ``occupation_text`` a 年报 row (or "" when the file has none),
    ``org_text`` the organization as the file names it, ``org_code`` the code it must resolve to."""

    name: str
    sex: str
    birth: dt.date
    id_number: str
    admission: dt.date
    full: dt.date | None
    org_text: str
    org_code: str
    ethnicity: str = "01"
    ethnicity_text: str = "汉族"
    education_text: str = "大学本科"
    occupation_text: str = "党政机关工作人员"
    phone: str = ""
    staff_type: str = ""  # OWIP 人员类别 (教职工 / 学生), not the party category
    org_ref: str = ""  # another system's identifier of the organization (党组织唯一标识 / 所在党支部编码)

    @property
    def category(self) -> str:
        """``full`` / ``probationary`` (``MEMBER_CATEGORY`` code)."""
        return "full" if self.full else "probationary"

    @property
    def category_text(self) -> str:
        return "正式党员" if self.full else "预备党员"

    @property
    def sex_text(self) -> str:
        return "男" if self.sex == "1" else "女"

    @property
    def education_prefix(self) -> str:
        return EDUCATION_FORMS.get(self.education_text, "")


@dataclass(frozen=True)
class Org:
    """One organization row of an organization sheet and what must land: ``name`` (full), ``short_name``,
    ``org_type`` (code), ``parent_code`` of an existing organization or ``parent_name`` of a row of the
    same file, ``external_id`` (党组织唯一标识), ``founded`` (the organization's date), the unit columns
    (``unit_name`` … ``unit_founded``) and ``code`` when the sheet has a code column."""

    name: str
    org_type: str
    type_text: str
    short_name: str = ""
    code: str = ""
    external_id: str = ""
    parent_code: str = ""
    parent_name: str = ""
    parent_text: str = ""
    parent_external_id: str = ""
    founded: dt.date | None = None
    relation_text: str = ""
    relation: str = ""
    unit_name: str = ""
    credit_code: str = ""
    unit_category_text: str = ""
    unit_category: str = ""
    control_text: str = ""
    economic_control: str = ""
    size_text: str = ""
    enterprise_size: str = ""
    unit_founded: dt.date | None = None


@dataclass
class Built:
    """A built file: ``content`` (bytes), ``filename`` (its extension tells the reader the format),
    the ``members``/``orgs`` it carries, the data ``sheet`` and how many data ``rows`` it holds
    (for the builders' self-test)."""

    content: bytes
    filename: str
    members: list[Member] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)
    sheet: str = ""
    header: list[str] = field(default_factory=list)
    rows: int = 0


# --- values ------------------------------------------------------------------------------------------


def member(name: str, sex: str, birth: dt.date, admission: dt.date, full: dt.date | None, *, org_text: str,
           org_code: str, **extra) -> Member:
    """A ``Member`` with a fresh valid ID number (region 370830, ``birth``, ``sex``)."""
    # the same person built again (another builder of the same members) keeps the same number
    key = (name, birth, sex)
    if key not in _numbers:
        _numbers[key] = idnumber.make(REGION, birth, next(_seq), sex)
    number = _numbers[key]
    return Member(name=name, sex=sex, birth=birth, id_number=number, admission=admission, full=full,
                  org_text=org_text, org_code=org_code, **extra)


def credit_code(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters (GB 32100 check character appended)."""
    return body + credit_code_check_char(body)


def date_text(day: dt.date | None, form: str) -> object:
    """``day`` written as real files write it: ``cell`` (an Excel date cell), ``iso`` 2019-10-08,
    ``dots`` 2019.10.08, ``slash`` 2019/10/8, ``month_dots`` 1985.07, ``month_cn`` 1985年7月,
    ``yyyymm`` 198507, ``yyyymmdd`` 20191008."""
    if day is None:
        return ""
    return {
        "cell": day,
        "iso": day.isoformat(),
        "dots": f"{day:%Y.%m.%d}",
        "slash": f"{day.year}/{day.month}/{day.day}",
        "month_dots": f"{day:%Y.%m}",
        "month_cn": f"{day.year}年{day.month}月",
        "yyyymm": f"{day:%Y%m}",
        "yyyymmdd": f"{day:%Y%m%d}",
    }[form]


MONTH_FORMS = ("month_dots", "month_cn", "yyyymm")


def stored_date(day: dt.date | None, form: str) -> dt.date | None:
    """The date the importer keeps for ``day`` written in ``form``: month-only forms keep the 1st."""
    if day is None:
        return None
    return day.replace(day=1) if form in MONTH_FORMS else day


def coded(text: str, code: str) -> str:
    """A coded value as some systems export it: ``男_1``, ``高中及以下_1``."""
    return f"{text}_{code}"


# --- writers ---------------------------------------------------------------------------------------


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _put_row(ws, row: int, values: list[object], *, text_columns: tuple[int, ...] = ()) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        elif col in text_columns:
            cell.number_format = "@"


def _merge(ws, cell_range: str, value: object, *, wrap: bool = False) -> None:
    ws[cell_range.split(":")[0]] = value
    ws.merge_cells(cell_range)
    if wrap:
        ws[cell_range.split(":")[0]].alignment = Alignment(wrap_text=True, vertical="top")


def xls_bytes(sheets: list[tuple[str, list[list[object]]]], *, merges: dict[str, list[tuple]] | None = None) -> bytes:
    """A legacy BIFF8 ``.xls`` written with xlwt (as WPS and older Excel save it): ``sheets`` =
    ``[(name, rows)]``; dates become date cells; ``merges[name]`` = ``[(r1, r2, c1, c2, text)]`` (0-based)."""
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.XFStyle()
    date_style.num_format_str = "YYYY-MM-DD"
    text_style = xlwt.XFStyle()
    text_style.num_format_str = "@"
    for name, rows in sheets:
        ws = book.add_sheet(name)
        merged = (merges or {}).get(name, [])
        covered = {(r, c) for r1, r2, c1, c2, _ in merged for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if (r, c) in covered or value in (None, ""):
                    continue
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value, text_style if isinstance(value, str) else xlwt.XFStyle())
        for r1, r2, c1, c2, text in merged:
            ws.write_merge(r1, r2, c1, c2, text)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csv_text(rows: list[list[object]]) -> str:
    """Rows as CSV text (CRLF, commas; no quoting needed for these values)."""
    return "".join(",".join("" if v is None else str(v) for v in r) + "\r\n" for r in rows)


# --- the organization trees the files refer to (made by the test fixture) ---------------------------

KANGYI = {  # 康驿镇 under the factory tree's 某县委 (C)
    "KY": ("康驿镇党委", "committee"),
    "KY-1": ("康驿镇第一党支部", "branch"),
    "KY-2": ("康驿镇第二党支部", "branch"),
    "KY-3": ("康驿镇机关党支部", "branch"),
}
KANGYI_FULL = {  # the official full names (seal) of the same organizations
    "KY": "中共汶上县康驿镇委员会",
    "KY-1": "中共汶上县康驿镇第一支部委员会",
    "KY-2": "中共汶上县康驿镇第二支部委员会",
    "KY-3": "中共汶上县康驿镇机关支部委员会",
}
HUAYUAN = {  # a group company (root) and its branches
    "HY": ("中国共产党华源能源集团有限公司委员会", "committee"),
    "HY-1": ("华源能源集团有限公司机关党支部", "branch"),
    "HY-2": ("华源能源集团有限公司生产运行党支部", "branch"),
    "HY-3": ("华源能源集团有限公司市场营销党支部", "branch"),
}
HUAYUAN_FULL = {
    "HY-1": "中国共产党华源能源集团有限公司机关支部委员会",
    "HY-2": "中国共产党华源能源集团有限公司生产运行支部委员会",
    "HY-3": "中国共产党华源能源集团有限公司市场营销支部委员会",
}
UNIVERSITY = {"BNU": ("中共北方师范大学委员会", "committee")}  # a root; OWIP's organizations are imported


# --- rosters -----------------------------------------------------------------------------------------


def kangyi_members(*, names: str = "long") -> list[Member]:
    """Six members of 康驿镇's branches, organizations named by their full official name (``names="long"``)
    or the local short form (``"short"``); varied education and 年报 occupation rows."""

    def org(code: str) -> dict:
        text = KANGYI_FULL[code] if names == "long" else KANGYI[code][0]
        return {"org_text": text, "org_code": code}

    return [
        member("孔繁荣", "1", dt.date(1968, 3, 12), dt.date(1992, 7, 1), dt.date(1993, 7, 1), **org("KY-1"),
               education_text="高中及以下", occupation_text="农牧渔民", phone="13905371101"),
        member("刘桂兰", "2", dt.date(1975, 11, 2), dt.date(2001, 6, 20), dt.date(2002, 6, 20), **org("KY-1"),
               education_text="初中及以下", occupation_text="农民工", phone="13905371102"),
        member("马振华", "1", dt.date(1983, 5, 30), dt.date(2008, 12, 1), dt.date(2009, 12, 1), **org("KY-2"),
               education_text="大学专科", occupation_text="外出务工经商人员"),
        member("王晓燕", "2", dt.date(1996, 8, 17), dt.date(2024, 6, 28), None, **org("KY-2"),
               education_text="大学本科", occupation_text="企业专业技术人员", phone="13905371104"),
        member("张建国", "1", dt.date(1979, 1, 8), dt.date(2003, 7, 1), dt.date(2004, 7, 1), **org("KY-3"),
               education_text="研究生（硕士）", occupation_text="党政机关工作人员", phone="13905371105"),
        member("杜明远", "1", dt.date(1955, 9, 9), dt.date(1978, 10, 1), dt.date(1979, 10, 1), **org("KY-3"),
               education_text="中专", occupation_text="离退休人员"),
    ]


NATIONAL_HEADER = ["序号", "姓名", "所在党支部", "公民身份证号", "性别", "民族", "出生日期", "学历", "人员类别",
                   "加入党组织日期", "转为正式党员日期", "工作岗位", "手机号", "固定电话", "家庭住址", "党籍状态",
                   "是否为失联党员", "是否为流动党员", "外出流向"]
NATIONAL_IGNORED = ["序号", "固定电话", "家庭住址", "党籍状态", "是否为失联党员", "是否为流动党员", "外出流向"]


def national_member_sheet(members: list[Member] | None = None) -> Built:
    """全国党员管理信息系统 党员基本信息汇总表 (.xlsx) as a 乡镇党委 fills it: a merged title row, a
    填报单位 row, the header, a hint row right under it (必填 / 预备党员或正式党员 / 格式), data rows with
    full official branch names, dates as Excel date cells and ``2019.10.08`` text, ID numbers as text;
    党籍状态 holds 正常 (not the category; 人员类别 does)."""
    members = members or kangyi_members(names="long")
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    last = len(NATIONAL_HEADER)
    _merge(ws, f"A1:{_letter(last)}1", "党员基本信息汇总表")
    _merge(ws, f"A2:{_letter(last)}2", "填报单位（盖章）：中共汶上县康驿镇委员会　　　　填报日期：2024年12月31日")
    _put_row(ws, 3, NATIONAL_HEADER)
    hint = ["", "必填", "必填，填写党支部全称", "必填，18位", "", "", "格式：1985-07-15", "", "预备党员或正式党员",
            "必填", "预备党员不填", "按党内统计年报口径", "", "", "", "正常或停止党籍", "是或否", "是或否", ""]
    _put_row(ws, 4, hint)
    for i, m in enumerate(members, start=1):
        form = "cell" if i % 2 else "dots"
        _put_row(ws, 4 + i, [
            i, m.name, m.org_text, m.id_number, m.sex_text, m.ethnicity_text, date_text(m.birth, "cell"),
            m.education_text, m.category_text, date_text(m.admission, form), date_text(m.full, form),
            m.occupation_text, m.phone, "0537-7211001" if i == 1 else "", "汶上县康驿镇", "正常", "否", "否", "",
        ], text_columns=(4, 13))
    return Built(_save(wb), "党员基本信息汇总表.xlsx", members=members, sheet="党员信息", header=NATIONAL_HEADER,
                 rows=len(members))


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


# The export of the national system: coded values (男_1, 汉族_01, 高中及以下_1), the organization by
# 党组织唯一标识 (and its name), 党籍状态（正式党员或预备党员）.
NATIONAL_EXPORT_HEADER = ["序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历",
                          "党籍状态（正式党员或预备党员）", "入党日期", "转正日期", "工作岗位", "党组织唯一标识",
                          "党支部名称", "手机号码"]
_EDU_CODE = {"高中及以下": "1", "初中及以下": "2", "大学专科": "3", "大学本科": "4", "研究生（硕士）": "5",
             "中专": "6"}


def national_member_export(members: list[Member]) -> Built:
    """The national system's member export (sheet 党员信息, after an instruction sheet is NOT present):
    coded values ``男_1`` / ``汉族_01`` / ``高中及以下_1``, the organization given by ``党组织唯一标识``
    (``Member.org_ref``) next to 党支部名称, dates ``yyyymmdd`` / ``2019.10.08``."""
    rows = [NATIONAL_EXPORT_HEADER]
    for i, m in enumerate(members, start=1):
        form = "yyyymmdd" if i % 2 else "dots"
        rows.append([
            i, m.name, coded(m.sex_text, m.sex), m.id_number, coded(m.ethnicity_text, m.ethnicity),
            date_text(m.birth, "dots"), coded(m.education_text, _EDU_CODE.get(m.education_text, "9")),
            m.category_text, date_text(m.admission, form), date_text(m.full, form), m.occupation_text,
            m.org_ref, m.org_text, m.phone,
        ])
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    for r, values in enumerate(rows, start=1):
        _put_row(ws, r, values, text_columns=(4, 12, 14))
    return Built(_save(wb), "党员信息导出.xlsx", members=members, sheet="党员信息", header=NATIONAL_EXPORT_HEADER,
                 rows=len(members))


def huayuan_members() -> list[Member]:
    """Members of the group company's branches, named by the full official names (中国共产党…支部委员会)."""
    def org(code: str) -> dict:
        return {"org_text": HUAYUAN_FULL[code], "org_code": code}

    return [
        member("周立新", "1", dt.date(1976, 4, 18), dt.date(2000, 6, 1), dt.date(2001, 6, 1), **org("HY-1"),
               education_text="硕士研究生", occupation_text="企业管理人员", phone="13806371201"),
        member("陈静", "2", dt.date(1988, 12, 5), dt.date(2012, 5, 20), dt.date(2013, 5, 20), **org("HY-1"),
               education_text="大学本科", occupation_text="企业管理人员"),
        member("赵铁军", "1", dt.date(1981, 2, 27), dt.date(2006, 7, 1), dt.date(2007, 7, 1), **org("HY-2"),
               education_text="大学专科", occupation_text="工勤技能人员", phone="13806371203"),
        member("孙海涛", "1", dt.date(1990, 6, 15), dt.date(2015, 11, 1), dt.date(2016, 11, 1), **org("HY-2"),
               education_text="大学本科", occupation_text="企业专业技术人员", ethnicity="03",
               ethnicity_text="回族"),
        member("李文娟", "2", dt.date(1999, 3, 3), dt.date(2024, 12, 1), None, **org("HY-3"),
               education_text="大学本科", occupation_text="企业专业技术人员", phone="13806371205"),
    ]


GROUP_HEADER_TOP = ["序号", "基本信息", "", "", "", "", "学历", "政治面貌", "入党情况", "", "所属党支部", "工作岗位",
                    "联系电话"]
GROUP_HEADER_SUB = ["", "姓名", "性别", "民族", "身份证号码", "出生年月", "", "", "入党时间", "转正时间", "", "", ""]


def group_platform_export(members: list[Member] | None = None) -> Built:
    """A group company's 党建平台 export (.xlsx): a title row, a TWO-ROW header — merged group cells
    基本信息 (over 姓名 / 性别 / 民族 / 身份证号码 / 出生年月) and 入党情况 (over 入党时间 / 转正时间), the other
    headers merged vertically over both rows —; 政治面貌 中共党员 / 中共预备党员 is the category;
    所属党支部 the full official name; dates ``2019/10/8`` and ``1985年7月``."""
    members = members or huayuan_members()
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    _merge(ws, "A1:M1", "华源能源集团有限公司党员名册（导出时间：2025-01-06 09:12）")
    _put_row(ws, 2, GROUP_HEADER_TOP)
    _put_row(ws, 3, GROUP_HEADER_SUB)
    ws.merge_cells("B2:F2")
    ws.merge_cells("I2:J2")
    for col in "AGHKLM":
        ws.merge_cells(f"{col}2:{col}3")
    for i, m in enumerate(members, start=1):
        _put_row(ws, 3 + i, [
            i, m.name, m.sex_text, m.ethnicity_text, m.id_number, date_text(m.birth, "month_cn"),
            m.education_text, "中共党员" if m.full else "中共预备党员", date_text(m.admission, "slash"),
            date_text(m.full, "slash"), m.org_text, m.occupation_text, m.phone,
        ], text_columns=(5, 13))
    return Built(_save(wb), "党员名册导出.xlsx", members=members, sheet="党员名册",
                 header=[t or s for t, s in zip(GROUP_HEADER_TOP, GROUP_HEADER_SUB, strict=True)], rows=len(members))


def group_dangling_group_cell() -> Built:
    """Bad input: a two-row header whose merged group cell 入党情况 spans columns with no sub-header."""
    members = huayuan_members()[:2]
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    top = ["姓名", "身份证号码", "政治面貌", "所属党支部", "入党情况", "", "工作岗位"]
    _put_row(ws, 1, top)
    _put_row(ws, 2, ["", "", "", "", "", "", ""])
    ws.merge_cells("E1:F1")
    for col in "ABCDG":
        ws.merge_cells(f"{col}1:{col}2")
    for i, m in enumerate(members, start=1):
        _put_row(ws, 2 + i, [m.name, m.id_number, "中共党员", m.org_text, date_text(m.admission, "iso"),
                             date_text(m.full, "iso"), m.occupation_text], text_columns=(2,))
    return Built(_save(wb), "党员名册_表头不全.xlsx", members=members, sheet="党员名册", header=top, rows=2)


HANDKEPT_HEADER = ["序号", "姓名（必填）", "性别", "民族", "公民身份号码（必填）", "出生年月", "学历", "所属党支部（必填）",
                   "入党时间（必填）", "转正时间", "人员类型（必填）", "工作岗位", "联系电话", "备注"]


def handkept_roster(members: list[Member] | None = None) -> tuple[Built, list[str]]:
    """A 花名册 kept by hand (.xlsx): title and 填报单位 rows, headers with 「（必填）」 suffixes, a hint row
    under the header, short organization names (康驿镇第一党支部), the date forms ``1985.07`` /
    ``1985年7月`` / ``198507`` / ``2019.10.08``, 学历 ``初中及以下`` / ``高中及以下`` / ``研究生（硕士）``, and a
    MERGED INSTRUCTION BLOCK inside the data area (between the 3rd and 4th members) spanning all columns.

    Returns the file and, per member, the form its 入党时间 / 转正时间 were written in (month-only forms
    are kept as the 1st of the month)."""
    members = members or kangyi_members(names="short")
    forms = ["month_dots", "month_cn", "yyyymm", "dots", "dots", "iso"]
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    last = _letter(len(HANDKEPT_HEADER))
    _merge(ws, f"A1:{last}1", "康驿镇党委党员花名册")
    _merge(ws, f"A2:{last}2", "填报单位：康驿镇党委组织办　　　　　　　　　　　　截至：2024年12月31日")
    _put_row(ws, 3, HANDKEPT_HEADER)
    _put_row(ws, 4, ["", "必填", "男/女", "如：汉族", "必填，18位，文本格式", "格式：1985.07", "最高学历",
                     "填写党支部名称", "格式：1985.07", "预备党员不填", "预备党员或正式党员", "按年报口径", "手机", ""])
    row = 5
    for i, m in enumerate(members):
        if i == 3:
            _merge(ws, f"A{row}:{last}{row + 2}", "说明：1. 本表由各党支部填写，党委组织委员汇总；2. 出生年月、入党时间"
                   "按「1985.07」格式填写；3. 以下为机关党支部和第二党支部人员。", wrap=True)
            row += 3
        form = forms[i % len(forms)]
        _put_row(ws, row, [
            i + 1, m.name, m.sex_text, m.ethnicity_text, m.id_number, date_text(m.birth, "month_dots"),
            m.education_text, m.org_text, date_text(m.admission, form), date_text(m.full, form), m.category_text,
            m.occupation_text, m.phone, "",
        ], text_columns=(5, 13))
        row += 1
    return (Built(_save(wb), "康驿镇党员花名册.xlsx", members=members, sheet="花名册", header=HANDKEPT_HEADER,
                  rows=len(members)), [forms[i % len(forms)] for i in range(len(members))])


INSTRUCTIONS = ["填表说明", "1. 本表用于采集党员基本信息，请勿改动表头。", "2. 公民身份号码须为 18 位，单元格设为文本格式。",
                "3. 所在党支部填写党支部全称（与公章一致）。", "4. 人员类别填「正式党员」或「预备党员」。",
                "5. 工作岗位按《党内统计年报》口径填写。"]
SIMPLE_HEADER = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "所在党支部", "入党日期", "转正日期",
                 "人员类别", "工作岗位", "手机号码"]


def _simple_rows(members: list[Member], *, date_form: str = "cell") -> list[list[object]]:
    return [[m.name, m.sex_text, m.ethnicity_text, m.id_number, date_text(m.birth, date_form), m.education_text,
             m.org_text, date_text(m.admission, date_form), date_text(m.full, date_form), m.category_text,
             m.occupation_text, m.phone] for m in members]


def instruction_sheet_first(members: list[Member] | None = None) -> Built:
    """A template whose FIRST sheet is 填表说明 (merged text block, no header) and whose second sheet 党员信息
    holds the data (full official names)."""
    members = members or kangyi_members(names="long")
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        notes.cell(row=i, column=1, value=line)
    notes.merge_cells("A1:F1")
    data = wb.create_sheet("党员信息")
    _put_row(data, 1, SIMPLE_HEADER)
    for r, values in enumerate(_simple_rows(members), start=2):
        _put_row(data, r, values, text_columns=(4, 12))
    return Built(_save(wb), "党员信息采集模板.xlsx", members=members, sheet="党员信息", header=SIMPLE_HEADER,
                 rows=len(members))


def instruction_sheet_only() -> Built:
    """Bad input: a workbook holding only its 填表说明 sheet (no header anywhere)."""
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        notes.cell(row=i, column=1, value=line)
    return Built(_save(wb), "只有填表说明.xlsx", sheet="填表说明", rows=0)


def header_without_rows() -> Built:
    """Bad input: a title row, the header and a hint row, but no data row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    _merge(ws, "A1:L1", "党员基本信息汇总表")
    _put_row(ws, 2, SIMPLE_HEADER)
    _put_row(ws, 3, ["必填", "", "", "必填", "", "", "必填", "必填", "预备党员不填", "预备党员或正式党员", "", ""])
    return Built(_save(wb), "空表.xlsx", sheet="党员信息", header=SIMPLE_HEADER, rows=0)


def legacy_xls(members: list[Member] | None = None) -> Built:
    """A legacy ``.xls`` (BIFF8, xlwt) as WPS saves it: a merged title row, then the header, date cells,
    ID numbers as text; short organization names."""
    members = members or kangyi_members(names="short")
    rows = [["康驿镇党员花名册"], SIMPLE_HEADER, *_simple_rows(members)]
    content = xls_bytes([("Sheet1", rows)], merges={"Sheet1": [(0, 0, 0, len(SIMPLE_HEADER) - 1, "康驿镇党员花名册")]})
    return Built(content, "党员花名册.xls", members=members, sheet="Sheet1", header=SIMPLE_HEADER, rows=len(members))


def html_xls(members: list[Member] | None = None) -> Built:
    """An "Excel" export of a web system: an HTML page with one plain ``<table>`` saved as ``.xls`` —
    a title cell spanning every column (``colspan``), a two-row header (``rowspan`` on single headers,
    ``colspan`` on 入党情况 over 入党日期 / 转正日期), UTF-8 with Excel's ``mso-number-format`` text cells."""
    members = members or huayuan_members()
    singles = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "所在党支部", "工作岗位"]
    head1 = "".join(f'<th rowspan="2">{h}</th>' for h in singles) + '<th colspan="2">入党情况</th>'
    head2 = "<th>入党日期</th><th>转正日期</th>"
    body = []
    for m in members:
        cells = [m.name, m.sex_text, m.ethnicity_text, m.id_number, date_text(m.birth, "iso"), m.education_text,
                 m.category_text, m.org_text, m.occupation_text, date_text(m.admission, "iso"),
                 date_text(m.full, "iso")]
        body.append("<tr>" + "".join(f'<td style="mso-number-format:\'\\@\'">{c}</td>' for c in cells) + "</tr>")
    page = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
            '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>党员信息</title></head>'
            '<body><table border="1">'
            f'<tr><td colspan="11">党员信息列表</td></tr><tr>{head1}</tr><tr>{head2}</tr>{"".join(body)}'
            "</table></body></html>")
    return Built(page.encode("utf-8"), "党员信息列表.xls", members=members, sheet="",
                 header=[*singles, "入党日期", "转正日期"], rows=len(members))


def html_xls_not_a_table() -> Built:
    """Bad input: an ".xls" that is an HTML page without a data table (a login page saved by the browser)."""
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录</title></head><body>'
            '<div class="login"><form action="/login" method="post"><p>会话已过期，请重新登录</p>'
            '<input name="username"><input type="password" name="password"><button>登录</button></form></div>'
            "<script>window.location='/login';</script></body></html>")
    return Built(page.encode("utf-8"), "党员信息导出.xls", rows=0)


GBK_HEADER = ["姓名", "性别", "民族", "身份证号", "出生日期", "文化程度", "学历", "所在党支部", "入党时间", "转正时间",
              "党员类别", "工作岗位", "联系电话"]


def gbk_csv(members: list[Member] | None = None) -> Built:
    """A CSV saved by Excel on a Chinese Windows (GBK, CRLF): 文化程度 (unknown, ignored) next to 学历,
    dates ``2019/10/8``, full official names; the ID numbers as plain digits (CSV keeps them)."""
    members = members or kangyi_members(names="long")
    rows = [GBK_HEADER]
    for m in members:
        rows.append([m.name, m.sex_text, m.ethnicity_text, m.id_number, date_text(m.birth, "slash"), "", m.education_text,
                     m.org_text, date_text(m.admission, "slash"), date_text(m.full, "slash"), m.category_text,
                     m.occupation_text, m.phone])
    return Built(csv_text(rows).encode("gbk"), "党员名单.csv", members=members, header=GBK_HEADER, rows=len(members))


def occupation_roster() -> Built:
    """One member per 党内统计年报 工作岗位 row (all fifteen), organization by short name, 学历 forms of the
    issue in turn; .xlsx, plain header."""
    edu = list(EDUCATION_FORMS)
    members = []
    for i, (row, _) in enumerate(ANNUAL_OCCUPATIONS.items()):
        code = ("KY-1", "KY-2", "KY-3")[i % 3]
        birth = dt.date(1960 + i * 2, 1 + i % 12, 1 + i)
        if row == "学生":
            birth = dt.date(2001, 5, 6)
        admission = dt.date(birth.year + 22, 7, 1)
        members.append(member(f"年报{i + 1:02d}", "1" if i % 2 else "2", birth, admission,
                              admission.replace(year=admission.year + 1), org_text=KANGYI[code][0], org_code=code,
                              education_text=edu[i % len(edu)], occupation_text=row))
    wb = Workbook()
    ws = wb.active
    ws.title = "党员"
    _put_row(ws, 1, SIMPLE_HEADER)
    for r, values in enumerate(_simple_rows(members, date_form="iso"), start=2):
        _put_row(ws, r, values, text_columns=(4,))
    return Built(_save(wb), "年报口径工作岗位.xlsx", members=members, sheet="党员", header=SIMPLE_HEADER,
                 rows=len(members))


MINIMAL_HEADER = ["姓名", "公民身份号码", "组织关系所在党支部", "入党日期", "人员类别"]


def minimal_roster(members: list[Member] | None = None) -> Built:
    """Only the identifying columns (no 性别, 出生日期, 民族, 学历, 工作岗位): sex and birth date come from
    the ID number; 学历 / 民族 / 工作岗位 missing make each record incomplete, not the file invalid."""
    members = members or kangyi_members(names="short")[:4]
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    _put_row(ws, 1, MINIMAL_HEADER)
    for r, m in enumerate(members, start=2):
        _put_row(ws, r, [m.name, m.id_number, m.org_text, date_text(m.admission, "dots"), m.category_text],
                 text_columns=(2,))
    return Built(_save(wb), "最简名单.xlsx", members=members, sheet="名单", header=MINIMAL_HEADER, rows=len(members))


def ambiguous_names(members: list[Member]) -> Built:
    """Bad input: rows naming an organization ("第一党支部") that two organizations in the scope carry."""
    wb = Workbook()
    ws = wb.active
    _put_row(ws, 1, SIMPLE_HEADER)
    for r, values in enumerate(_simple_rows(members, date_form="iso"), start=2):
        _put_row(ws, r, values, text_columns=(4,))
    return Built(_save(wb), "重名支部.xlsx", members=members, header=SIMPLE_HEADER, rows=len(members))


def two_columns_one_field(members: list[Member]) -> Built:
    """A roster with two name columns (姓名 and 曾用名 — the user's mapping maps both to 姓名: bad input)."""
    header = ["姓名", "曾用名", *SIMPLE_HEADER[1:]]
    wb = Workbook()
    ws = wb.active
    _put_row(ws, 1, header)
    for r, values in enumerate(_simple_rows(members, date_form="iso"), start=2):
        _put_row(ws, r, [values[0], values[0] + "某", *values[1:]], text_columns=(5,))
    return Built(_save(wb), "两列同一字段.xlsx", members=members, header=header, rows=len(members))


# --- OWIP (university) -------------------------------------------------------------------------------

OWIP_ORGS_HEADER = ["序号", "党组织编码", "党组织全称", "党组织简称", "组织类别", "组织树", "成立时间", "联系电话"]


def owip_org_sheet() -> Built:
    """The university's organizations as an OWIP-style sheet: 党组织编码 (text codes with leading zeros),
    党组织全称 / 党组织简称, 组织类别 with the
    university values (二级党委, 院系党组织, 在职教工党支部, 党支部), the parent as 组织树 (a path from the
    root, names separated by 「/」), no parent-code column."""
    root = UNIVERSITY["BNU"][0]
    chem = "中共北方师范大学化学学院委员会"
    phys = "中共北方师范大学物理学院委员会"
    orgs = [
        Org(chem, "committee", "二级党委", short_name="化学学院党委", code="0102", parent_code="BNU",
            parent_text=root, founded=dt.date(1998, 9, 1)),
        Org("中共北方师范大学化学学院教工第一支部委员会", "branch", "在职教工党支部", short_name="化学学院教工第一党支部",
            code="010201", parent_name=chem, parent_text=f"{root}/{chem}", founded=dt.date(2005, 3, 1)),
        Org("中共北方师范大学化学学院本科生第一支部委员会", "branch", "党支部", short_name="化学学院本科生第一党支部",
            code="010202", parent_name=chem, parent_text=f"{root}/{chem}", founded=dt.date(2010, 10, 1)),
        Org(phys, "", "院系党组织", short_name="物理学院党委", code="0103", parent_code="BNU", parent_text=root,
            founded=dt.date(1998, 9, 1)),
        Org("中共北方师范大学物理学院教工支部委员会", "branch", "在职教工党支部", short_name="物理学院教工党支部",
            code="010301", parent_name=phys, parent_text=f"{root}/{phys}", founded=dt.date(2006, 4, 1)),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "基层党组织"
    _put_row(ws, 1, OWIP_ORGS_HEADER)
    for r, o in enumerate(orgs, start=2):
        _put_row(ws, r, [r - 1, o.code, o.name, o.short_name, o.type_text, o.parent_text,
                         date_text(o.founded, "cell"), "010-5880000"], text_columns=(2,))
    return Built(_save(wb), "基层党组织录入样表.xlsx", orgs=orgs, sheet="基层党组织", header=OWIP_ORGS_HEADER,
                 rows=len(orgs))


def owip_members() -> list[Member]:
    """University members: teachers (人员类别 教职工) and students (学生), organizations by OWIP code."""
    return [
        member("钱学敏", "2", dt.date(1972, 10, 3), dt.date(1995, 6, 1), dt.date(1996, 6, 1), org_text="化学学院教工第一党支部",
               org_code="010201", org_ref="010201", staff_type="教职工", education_text="博士及以上",
               occupation_text="事业单位专业技术人员", phone="13701101001"),
        member("吴志刚", "1", dt.date(1980, 1, 21), dt.date(2004, 12, 1), dt.date(2005, 12, 1), org_text="化学学院教工第一党支部",
               org_code="010201", org_ref="010201", staff_type="教职工", education_text="硕士研究生",
               occupation_text="事业单位管理人员"),
        member("郑雨萱", "2", dt.date(2003, 9, 14), dt.date(2023, 11, 20), dt.date(2024, 11, 20),
               org_text="化学学院本科生第一党支部", org_code="010202", org_ref="10202", staff_type="学生",
               occupation_text="学生", education_text="高中及以下"),
        member("冯子航", "1", dt.date(2004, 2, 28), dt.date(2024, 12, 10), None, org_text="化学学院本科生第一党支部",
               org_code="010202", org_ref="010202", staff_type="学生", occupation_text="学生",
               education_text="高中及以下"),
        member("韩立平", "1", dt.date(1966, 7, 7), dt.date(1988, 5, 4), dt.date(1989, 5, 4), org_text="物理学院教工党支部",
               org_code="010301", org_ref="010301", staff_type="教职工", ethnicity="04", ethnicity_text="藏族"),
    ]


OWIP_EXPORT_HEADER = ["学工号", "姓名", "性别", "出生日期", "身份证号", "民族", "人员类别", "所在分党委", "所在党支部",
                      "党籍状态", "入党时间", "转正时间", "学历", "手机号码", "状态"]


def owip_member_export(members: list[Member] | None = None) -> Built:
    """OWIP's 党员库 export: 人员类别 is 教职工 / 学生 (NOT the category: must be ignored with a note),
    党籍状态 正式党员 / 预备党员 is the category, the organization by short names (所在分党委 + 所在党支部),
    dates as Excel date cells and ``2019.10.08``, 状态 正常."""
    members = members or owip_members()
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    _put_row(ws, 1, OWIP_EXPORT_HEADER)
    for r, m in enumerate(members, start=2):
        party = m.org_text[:4] + "党委"
        form = "cell" if r % 2 else "dots"
        _put_row(ws, r, [f"2019{r:04d}", m.name, m.sex_text, date_text(m.birth, "cell"), m.id_number, m.ethnicity_text,
                         m.staff_type, party, m.org_text, m.category_text, date_text(m.admission, form),
                         date_text(m.full, form), m.education_text,
                         m.phone, "正常"], text_columns=(1, 5, 14))
    return Built(_save(wb), "党员信息导出.xlsx", members=members, sheet="党员信息", header=OWIP_EXPORT_HEADER,
                 rows=len(members))


OWIP_TEMPLATE_HEADER = ["学工号", "姓名", "身份证号", "所在分党委编码", "分党委名称", "所在党支部编码", "党支部名称",
                        "政治面貌", "党籍状态", "人员类别", "入党时间", "入党时所在党支部", "转正时间", "转正时所在党支部",
                        "民族", "党内职务"]


def owip_import_template(members: list[Member] | None = None) -> Built:
    """OWIP's 党员信息 import template, filled: the organization by 所在分党委编码 / 所在党支部编码 (one
    branch code typed as a number, 10202, its leading 0 lost), 政治面貌 中共党员 / 中共预备党员 as the
    category, 党籍状态 正常 and 人员类别 普通编制 / 学生 (neither is the category), NO 学历 and NO 工作岗位
    columns (optional columns absent), no sex or birth date (from the ID number)."""
    members = members or owip_members()
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    _put_row(ws, 1, OWIP_TEMPLATE_HEADER)
    for r, m in enumerate(members, start=2):
        branch: object = int(m.org_ref) if m.org_ref.isdigit() and not m.org_ref.startswith("0") else m.org_ref
        staff = "普通编制" if m.staff_type == "教职工" else "学生"
        _put_row(ws, r, [f"2019{r:04d}", m.name, m.id_number, m.org_code[:4], m.org_text[:4] + "党委", branch, m.org_text,
                         "中共党员" if m.full else "中共预备党员", "正常", staff, date_text(m.admission, "dots"),
                         m.org_text, date_text(m.full, "dots"), m.org_text if m.full else "", m.ethnicity_text, ""],
                 text_columns=(1, 3, 4))
    return Built(_save(wb), "党员信息录入样表.xlsx", members=members, sheet="Sheet1", header=OWIP_TEMPLATE_HEADER,
                 rows=len(members))


# --- organization sheets -----------------------------------------------------------------------------

NATIONAL_ORG_HEADER = ["序号", "党组织全称", "党组织简称", "党组织唯一标识", "组织类别", "批准成立的上级党组织",
                       "上一级党组织唯一标识", "成立日期", "党组织书记", "党组织所在单位情况", "单位名称",
                       "法人单位统一社会信用代码", "单位性质类别", "企业控制（控股）情况", "企业规模", "成立日期", "联系电话"]


def national_org_sheet() -> Built:
    """全国党员管理信息系统 党组织 sheet for new organizations under 康驿镇党委: no code column, the
    organization by 党组织唯一标识 (32 hex digits), parent by name (批准成立的上级党组织, the full official
    name of 康驿镇党委 with the county prefix) and, for rows under a row of the same file, also by
    上一级党组织唯一标识; 成立日期 appears TWICE (the organization's, then the unit's); the unit's columns
    are filled for 法人单位 rows (a 中心小学 事业单位, a private 纺织 company) and empty for 与上级党组织相同."""
    town = KANGYI_FULL["KY"]
    school = "中共汶上县康驿镇中心小学总支部委员会"
    school_id = "3708300000A1B2C3D4E5F60718293A4B"
    orgs = [
        Org(school, "general_branch", "党的总支部委员会", short_name="康驿镇中心小学党总支", external_id=school_id,
            parent_code="KY", parent_text=town, founded=dt.date(1987, 9, 10), relation_text="法人单位",
            relation="legal_entity_unit", unit_name="汶上县康驿镇中心小学", credit_code=credit_code("12370830MB2851130"),
            unit_category_text="事业单位", unit_category="public_institution", unit_founded=dt.date(1952, 8, 1)),
        Org("中共汶上县康驿镇中心小学在职教师支部委员会", "branch", "党支部", short_name="康驿镇中心小学在职教师党支部",
            external_id="3708300000A1B2C3D4E5F60718293A4C", parent_name=school, parent_text=school,
            parent_external_id=school_id, founded=dt.date(1995, 3, 1), relation_text="与上级党组织相同",
            relation="same_as_parent"),
        Org("中共汶上县康驿镇中心小学退休教师支部委员会", "branch", "党支部", short_name="康驿镇中心小学退休教师党支部",
            external_id="3708300000A1B2C3D4E5F60718293A4D", parent_name=school, parent_text=school,
            parent_external_id=school_id, founded=dt.date(2012, 6, 1), relation_text="与上级党组织相同",
            relation="same_as_parent"),
        Org("中共山东华鲁纺织有限公司支部委员会", "branch", "党支部", short_name="华鲁纺织党支部",
            external_id="3708300000A1B2C3D4E5F60718293A4E", parent_code="KY", parent_text=town,
            founded=dt.date(2016, 5, 4), relation_text="法人单位", relation="legal_entity_unit",
            unit_name="山东华鲁纺织有限公司", credit_code=credit_code("91370830MA3C4R5T2"),
            unit_category_text="企业", unit_category="enterprise", control_text="非公有经济控制",
            economic_control="non_public_controlled", size_text="小型企业", enterprise_size="small",
            unit_founded=dt.date(2009, 11, 18)),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "党组织信息"
    _put_row(ws, 1, NATIONAL_ORG_HEADER)
    for r, o in enumerate(orgs, start=2):
        _put_row(ws, r, [r - 1, o.name, o.short_name, o.external_id, o.type_text, o.parent_text, o.parent_external_id,
                         date_text(o.founded, "cell"), "某某", o.relation_text, o.unit_name, o.credit_code,
                         o.unit_category_text, o.control_text, o.size_text, date_text(o.unit_founded, "cell"),
                         "0537-7211000"], text_columns=(4, 7, 12))
    return Built(_save(wb), "党组织信息.xlsx", orgs=orgs, sheet="党组织信息", header=NATIONAL_ORG_HEADER,
                 rows=len(orgs))


def national_org_members(orgs: list[Org]) -> list[Member]:
    """Members of the organizations of ``national_org_sheet`` given by their 党组织唯一标识 (for
    ``national_member_export``: the identifiers stored by the organization import keep working)."""
    teachers, retired, firm = orgs[1], orgs[2], orgs[3]
    return [
        member("曹雪梅", "2", dt.date(1984, 4, 4), dt.date(2010, 6, 30), dt.date(2011, 6, 30), org_text=teachers.name,
               org_code="", org_ref=teachers.external_id, education_text="大学本科",
               occupation_text="事业单位专业技术人员", phone="13905371301"),
        member("彭国强", "1", dt.date(1952, 2, 14), dt.date(1975, 7, 1), dt.date(1976, 7, 1), org_text=retired.name,
               org_code="", org_ref=retired.external_id, education_text="中专", occupation_text="离退休人员"),
        member("范晓东", "1", dt.date(1990, 10, 10), dt.date(2018, 12, 25), dt.date(2019, 12, 25), org_text=firm.name,
               org_code="", org_ref=firm.external_id, education_text="高中及以下", occupation_text="企业管理人员",
               phone="13905371303"),
    ]


def national_org_sheet_duplicate_id() -> Built:
    """Bad input: a 党组织 sheet where two organizations carry the same 党组织唯一标识."""
    built = national_org_sheet()
    wb = Workbook()
    ws = wb.active
    _put_row(ws, 1, NATIONAL_ORG_HEADER)
    same = built.orgs[1].external_id
    for r, o in enumerate(built.orgs[:3], start=2):
        _put_row(ws, r, [r - 1, o.name, o.short_name, same if r > 2 else o.external_id, o.type_text, o.parent_text,
                         o.parent_external_id, date_text(o.founded, "iso"), "", o.relation_text, o.unit_name,
                         o.credit_code, o.unit_category_text, "", "", date_text(o.unit_founded, "iso"), ""],
                 text_columns=(4, 7, 12))
    return Built(_save(wb), "党组织信息_标识重复.xlsx", orgs=built.orgs[:3], header=NATIONAL_ORG_HEADER, rows=3)


GROUP_ORG_HEADER = ["党组织名称", "党组织简称", "党组织编码", "组织类别", "成立时间", "党员人数"]


def group_org_sheet_no_parent() -> Built:
    """A group platform's organization list WITHOUT a parent column: the organizations go under the
    importing user's own root (华源能源集团党委); 组织类别 党支部 / 党总支 / 联合支部. Codes are numeric; one (``030104``) was typed into Excel
    as a number and lost its leading zero (``30104``): flagged with a warning."""
    orgs = [
        Org("中国共产党华源能源集团有限公司财务共享中心支部委员会", "branch", "党支部", short_name="财务共享中心党支部",
            code="030101", parent_code="HY", founded=dt.date(2019, 3, 12)),
        Org("中国共产党华源能源集团有限公司第二发电厂总支部委员会", "general_branch", "党总支",
            short_name="第二发电厂党总支", code="030102", parent_code="HY", founded=dt.date(2003, 7, 1)),
        Org("中国共产党华源能源集团有限公司检修公司支部委员会", "branch", "党支部", short_name="检修公司党支部",
            code="030104", parent_code="HY", founded=dt.date(2011, 1, 20)),
        Org("中国共产党华源能源集团有限公司驻外项目联合支部委员会", "joint_branch", "联合支部",
            short_name="驻外项目联合党支部", code="030105", parent_code="HY", founded=dt.date(2021, 6, 18)),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "组织列表"
    _put_row(ws, 1, GROUP_ORG_HEADER)
    for r, o in enumerate(orgs, start=2):
        code: object = int(o.code) if o.code == "030104" else o.code
        _put_row(ws, r, [o.name, o.short_name, code, o.type_text, date_text(o.founded, "dots"), 3 + r],
                 text_columns=(3,))
    return Built(_save(wb), "组织列表.xlsx", orgs=orgs, sheet="组织列表", header=GROUP_ORG_HEADER, rows=len(orgs))


# --- issue #10: the history and 年报 attribute columns of the national system's member export -------------------

NATIONAL_HISTORY_HEADER = ["序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "入党日期", "转正日期",
                           "工作岗位", "所在党支部", "进入当前支部类型", "进入当前支部日期", "转离支部类型", "转离支部日期",
                           "出党方式", "延长预备期时间", "从事专业技术职务", "台湾省籍", "是否农民工"]
"""The member export of the national system (全国党员管理信息系统) with the columns its 党员信息 carries beyond the
collection sheet (public exporters of that system list 进入支部类型 / 进入当前支部日期 with the values 新发展,
组织关系恢复, 组织关系转入; 转离支部类型 / 转离支部日期; 出党方式; 延长预备期时间; 从事专业技术职务; 是否农民工 —
issue #10). 是否农民工 is not read (the 工作岗位 carries 农民工) and is listed as ignored."""


def national_history_export(tree, *, leave_before_entry: bool = False) -> Built:
    """Four members of the factory tree's 甲镇 (``tree.branch_a1`` / ``branch_a2``, named by name) as the national
    export writes them: 孔新发 entered by 新发展 (预备党员), 刘转入 by 组织关系转入, 马出党 an opening member who
    left by 出党 (出党方式 自行脱党除名), 张台籍 an opening member of 台湾省籍 with a 中级 title (工程师). Dates as
    Excel date cells and ``2025.04.15`` text. ``leave_before_entry``: 刘转入 also has 转离支部类型 死亡 dated before
    her entry (a bad row)."""
    a1, a2 = tree.branch_a1.name, tree.branch_a2.name
    people = [
        member("孔新发", "1", dt.date(2001, 3, 4), dt.date(2025, 7, 1), None, org_text=a1, org_code="C-A-1",
               occupation_text="学生"),
        member("刘转入", "2", dt.date(1985, 5, 6), dt.date(2010, 6, 1), dt.date(2011, 6, 1), org_text=a2,
               org_code="C-A-2", occupation_text="企业管理人员"),
        member("马出党", "1", dt.date(1965, 7, 8), dt.date(1990, 7, 1), dt.date(1991, 7, 1), org_text=a2,
               org_code="C-A-2", occupation_text="农牧渔民"),
        member("张台籍", "2", dt.date(1988, 9, 10), dt.date(2012, 7, 1), dt.date(2013, 7, 1), org_text=a1,
               org_code="C-A-1", occupation_text="企业专业技术人员"),
    ]
    history = {
        "孔新发": ["新发展", dt.date(2025, 7, 1), "", "", "", "", "", "否"],
        "刘转入": ["组织关系转入", "2025.04.15", "死亡" if leave_before_entry else "",
                  "2025.01.01" if leave_before_entry else "", "", "", "", "否"],
        "马出党": ["", "", "出党", dt.date(2025, 9, 12), "自行脱党除名", "", "", "否"],
        "张台籍": ["", "", "", "", "", "", "工程师", "是"],
    }
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    _put_row(ws, 1, NATIONAL_HISTORY_HEADER)
    for i, m in enumerate(people, start=1):
        _put_row(ws, i + 1, [i, m.name, coded(m.sex_text, m.sex), m.id_number, m.ethnicity_text, date_text(m.birth, "cell"),
                             m.education_text, m.category_text, date_text(m.admission, "cell"), date_text(m.full, "dots"),
                             m.occupation_text, m.org_text, *history[m.name], "否"], text_columns=(4,))
    return Built(_save(wb), "党员信息（含进出记录）.xlsx", members=people, sheet="党员信息",
                 header=NATIONAL_HISTORY_HEADER, rows=len(people))
