"""The layout of the 党内统计年报 tables Zugong fills (issue #10): titles, rows and columns with the labels
the official forms print (``shared/annual-report.md``), shared by the engine (``reports.annual``), the
``.xlsx`` export, the page, the API and the tests. Data only: no counting here.

A table is ``Table(number, title, rows, columns)``. Rows and columns are ``Item(key, label, level)``:
``key`` is the JSON key (unique within the table), ``label`` what the form prints in column 甲 (or the
column head), ``level`` the indentation (0 = top; a ``其中`` item is one deeper than what it is part of).
Keys equal labels except where the form prints one label twice (the shared 工作岗位 rows print 企业管理人员
under both 公有制单位 and 非公有制单位): there the key is ``<group>·<label>``.

JSON of a report (``AnnualReport.to_json``): ``{"年度": 2023, "截至日期": "2023-12-31", "<title>": {"<row
key>": {"<column key>": n}}}``; 第一表 (``党员数量变化情况``) has the special shape of the issue::

    {"上年底总数": n, "本年增加": {"合计": n, "发展党员": n, "重新入党": n, "恢复党籍": n,
     "停止党籍后恢复党籍": n, "转入组织关系": n, "整建制转入": n}, "本年减少": {"合计": n, "出党": n,
     "停止党籍": n, "死亡": n, "转出组织关系": n, "整建制转出": n}, "本年底应有数": n, "本年底实有数": n,
     "实有数与应有数之差": n}

A cell the records cannot fill (e.g. 第十表's 厅局级 / 县处级 rows before cadre ranks exist) is ``None``
in JSON and left blank in the ``.xlsx`` with a 说明 line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """A row or column: ``key`` (JSON), ``label`` (printed), ``level`` (indentation, 0 = top)."""

    key: str
    label: str
    level: int = 0


@dataclass(frozen=True)
class Table:
    """One 年报 table: ``number`` (第N表, an int), ``title`` (the JSON key), ``rows``, ``columns``."""

    number: int
    title: str
    rows: tuple[Item, ...]
    columns: tuple[Item, ...]

    @property
    def heading(self) -> str:
        """``第一表 党员数量变化情况`` …"""
        return f"{number_text(self.number)} {self.title}"

    def row(self, key: str) -> Item:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Item:
        return next(c for c in self.columns if c.key == key)


_DIGITS = "零一二三四五六七八九"


def number_text(n: int) -> str:
    """``1`` → ``第一表``, ``24`` → ``第二十四表``, ``43`` → ``第四十三表``."""
    tens, ones = divmod(n, 10)
    text = ("" if tens <= 1 else _DIGITS[tens]) + ("十" if tens else "") + (_DIGITS[ones] if ones else "")
    return f"第{text}表"


def _i(label: str, level: int = 0, key: str | None = None) -> Item:
    return Item(key or label, label, level)


# --- the shared 工作岗位 rows of 第二、三、四、十六、十八、十九、二十表 ------------------------------------------
PUBLIC, NON_PUBLIC = "公有制单位", "非公有制单位"
OCCUPATION_ROWS: tuple[Item, ...] = (
    _i("总计"),
    _i("一、在岗职工"),
    _i("合计", 1, f"{PUBLIC}·合计"),
    _i("党政机关工作人员", 2, f"{PUBLIC}·党政机关工作人员"),
    _i("事业单位管理人员", 2, f"{PUBLIC}·事业单位管理人员"),
    _i("事业单位专业技术人员", 2, f"{PUBLIC}·事业单位专业技术人员"),
    _i("企业管理人员", 2, f"{PUBLIC}·企业管理人员"),
    _i("企业专业技术人员", 2, f"{PUBLIC}·企业专业技术人员"),
    _i("工勤技能人员", 2, f"{PUBLIC}·工勤技能人员"),
    _i("其中：农民工", 3, f"{PUBLIC}·其中：农民工"),
    _i("合计", 1, f"{NON_PUBLIC}·合计"),
    _i("企业管理人员", 2, f"{NON_PUBLIC}·企业管理人员"),
    _i("企业专业技术人员", 2, f"{NON_PUBLIC}·企业专业技术人员"),
    _i("民办非企业单位管理人员", 2, f"{NON_PUBLIC}·民办非企业单位管理人员"),
    _i("民办非企业专业技术人员", 2, f"{NON_PUBLIC}·民办非企业专业技术人员"),
    _i("工勤技能人员", 2, f"{NON_PUBLIC}·工勤技能人员"),
    _i("其中：农民工", 3, f"{NON_PUBLIC}·其中：农民工"),
    _i("二、农牧渔民"),
    _i("其中：外出务工经商人员", 1),
    _i("三、军人、武警"),
    _i("四、学生"),
    _i("五、离退休人员"),
    _i("六、其他"),
)
"""总计 + the 22 工作岗位 rows. The xlsx prints 公有制单位 / 非公有制单位 as group lines above their 合计.

Which row a member falls in (``Membership`` or ``DevelopmentRecord`` fields ``occupation``,
``occupation_detail``, ``ownership``, ``migrant_worker``, ``migrant_business``; ``OCCUPATION_ROW_RULES``):
党政机关工作人员 and 事业单位 rows are 公有制 whatever ``ownership`` says; 民办非企业 rows are 非公有制; 企业 rows
and 工勤技能人员 go by ``ownership`` — when it is blank the member counts in 一、在岗职工 but in neither sector
(the row sums then fail the consistency check and list the member; the quality report flags them). A coarse
category without a detail: 党政机关工作人员 → 党政机关工作人员; 工人（工勤技能人员） → 工勤技能人员 (by
ownership); 企事业单位、社会组织专业技术人员 / 管理人员 → 一、在岗职工 only (cannot be split, flagged);
农牧渔民, 学生, 离退休人员 → their rows; 其他职业人员 → 六、其他. 农民工: ``migrant_worker`` on a 工勤技能人员;
外出务工经商人员: ``migrant_business`` on a 农牧渔民."""

OCCUPATION_ROW_RULES: dict[str, tuple[str, ...]] = {
    # row key → the detail codes it takes (with the ownership condition in the key's group)
    f"{PUBLIC}·党政机关工作人员": ("government_staff", "@government"),
    f"{PUBLIC}·事业单位管理人员": ("institution_manager",),
    f"{PUBLIC}·事业单位专业技术人员": ("institution_professional",),
    f"{PUBLIC}·企业管理人员": ("enterprise_manager",),
    f"{PUBLIC}·企业专业技术人员": ("enterprise_professional",),
    f"{PUBLIC}·工勤技能人员": ("skilled_worker", "@worker"),
    f"{NON_PUBLIC}·企业管理人员": ("enterprise_manager",),
    f"{NON_PUBLIC}·企业专业技术人员": ("enterprise_professional",),
    f"{NON_PUBLIC}·民办非企业单位管理人员": ("nonprofit_manager",),
    f"{NON_PUBLIC}·民办非企业专业技术人员": ("nonprofit_professional",),
    f"{NON_PUBLIC}·工勤技能人员": ("skilled_worker", "@worker"),
    "二、农牧渔民": ("farmer", "@farmer"),
    "三、军人、武警": ("military",),
    "四、学生": ("student", "@student"),
    "五、离退休人员": ("retired", "@retired"),
    "六、其他": ("other", "@other"),
}
"""Leaf rows → ``occupation_detail`` codes; ``@x`` = ``occupation == x`` with a blank detail. Rows under
公有制单位 / 非公有制单位 that are not always in one sector (企业 rows, 工勤技能人员) also need
``ownership == public / non_public``."""

ALWAYS_PUBLIC = ("government_staff", "institution_manager", "institution_professional", "@government")
ALWAYS_NON_PUBLIC = ("nonprofit_manager", "nonprofit_professional")

# --- columns --------------------------------------------------------------------------------------------
AGE_COLUMNS_2 = ("30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁", "61至65岁",
                 "66至70岁", "71岁及以上")
ERA_COLUMNS_3 = ("1937年7月6日及以前", "1937年7月7日至1945年9月2日", "1945年9月3日至1949年9月",
                 "1949年10月至1966年4月", "1966年5月至1976年10月", "1976年11月至1978年12月",
                 "1979年1月至2002年10月", "2002年11月至2012年10月", "2012年11月及以后")
EDUCATION_COLUMNS = ("研究生", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下")


def _cols(*labels: str, level: int = 0) -> tuple[Item, ...]:
    return tuple(_i(label, level) for label in labels)


TABLE_1 = Table(1, "党员数量变化情况", rows=(
    _i("一、上年底总数", 0, "上年底总数"),
    _i("二、本年增加", 0, "本年增加"),
    _i("发展党员", 1), _i("其中：重新入党", 2, "重新入党"),
    _i("恢复党籍", 1), _i("其中：停止党籍后恢复党籍", 2, "停止党籍后恢复党籍"),
    _i("转入组织关系", 1), _i("其中：整建制转入", 2, "整建制转入"),
    _i("三、本年减少", 0, "本年减少"),
    _i("出党", 1), _i("停止党籍", 1), _i("死亡", 1),
    _i("转出组织关系", 1), _i("其中：整建制转出", 2, "整建制转出"),
    _i("四、本年底应有数", 0, "本年底应有数"),
    _i("五、本年底实有数", 0, "本年底实有数"),
    _i("六、实有数与应有数之差", 0, "实有数与应有数之差"),
), columns=(_i("人数"),))
"""第一表 rows; the JSON nests 本年增加 / 本年减少 items (with 合计) as in the module docstring."""

TABLE_2 = Table(2, "党员基本情况", rows=OCCUPATION_ROWS, columns=(
    _i("总数"), _i("预备党员"), _i("女"), _i("少数民族"), _i("台湾省籍"),
    *_cols(*AGE_COLUMNS_2, level=1),
    _i("专业技术职务·高级", 1), _i("专业技术职务·中级", 1), _i("专业技术职务·初级", 1),
))
"""第二表; the three 专业技术职务 columns are the form's 补充资料 (printed under 补充资料 in the xlsx)."""

TABLE_3 = Table(3, "党员入党时间情况", rows=OCCUPATION_ROWS, columns=(_i("总数"), *_cols(*ERA_COLUMNS_3, level=1)))
TABLE_4 = Table(4, "党员学历情况", rows=OCCUPATION_ROWS, columns=(_i("总数"), *_cols(*EDUCATION_COLUMNS, level=1)))

# --- 第八表 民主评议党员情况 and 第九表 党员培训情况 (issue #11; source of the layout: docs/life-stats.md) ---------
UNIT_COLUMNS_8 = ("建制村", "社区（居委会）", "机关", "事业单位", "公有经济控制企业", "非公有经济控制企业", "社会组织", "其他")
PRIOR_YEARS_COLUMN = "上年开展本年结束评议"

TABLE_8 = Table(8, "民主评议党员情况", rows=(
    Item("开展评议的支部", "开展评议的支部"),
    Item("结束评议的支部", "其中：结束评议的支部", 1),
    Item("参加评议的党员", "参加评议的党员"),
    Item("结束评议的党员", "其中：结束评议的党员", 1),
    Item("表彰党员", "表彰党员"),
    Item("被评定为不合格党员", "被评定为“不合格党员”"),
    Item("组织处置情况", "组织处置情况：合计"),
    Item("限期改正", "限期改正", 1),
    Item("劝退", "劝退", 1),
    Item("劝而不退除名", "劝而不退除名", 1),
    Item("自行脱党除名", "自行脱党除名", 1),
    Item("限期改正期满仍无转变予以劝退以及劝而不退除名", "限期改正期满仍无转变予以劝退以及劝而不退除名"),
), columns=(
    Item("总数", "总数"), Item(PRIOR_YEARS_COLUMN, "其中：上年开展本年结束评议", 1),
    *(Item(c, c, 1) for c in UNIT_COLUMNS_8),
))
"""第八表 as printed by the 2017 党内统计年报 set (source in ``docs/life-stats.md``). Columns: 总数, its 其中
上年开展本年结束评议, and the unit the branch is set up in (the same categories as 第四十三表's rows)."""

TABLE_9 = Table(9, "党员培训情况", rows=(Item("人次", "人次"),), columns=(
    Item("总数", "总数"), Item("基层党组织书记培训", "基层党组织书记培训"), Item("农村党员远程教育培训", "农村党员远程教育培训"),
    Item("非公有制经济组织和社会组织党员培训", "非公有制经济组织和社会组织党员培训"), Item("新党员培训", "新党员培训"),
    Item("流动党员培训", "流动党员培训"), Item("边疆民族地区基层党员教育培训", "边疆民族地区基层党员教育培训"),
    Item("党员创业就业技能培训", "党员创业就业技能培训"),
))
"""第九表 (one row, 人次) as printed by the 2017 set (source in ``docs/life-stats.md``)."""

TABLE_10 = Table(10, "党员出党情况（一）", rows=(
    _i("总计"),
    _i("厅局级", 1), _i("县处级", 1),
    _i("35岁及以下", 1), _i("36岁至54岁", 1), _i("55岁至59岁", 1), _i("60岁及以上", 1),
    _i("1966年4月及以前", 1), _i("1966年5月至1976年10月", 1), _i("1976年11月至1978年12月", 1),
    _i("1979年1月至2002年10月", 1), _i("2002年11月至2012年10月", 1), _i("2012年11月及以后", 1),
), columns=(
    _i("总数"), _i("开除党籍", 1), _i("退党除名", 1), _i("劝退", 1), _i("劝而不退除名", 1), _i("自行脱党除名", 1),
    _i("其中：经多方查找确实无法取得联系", 2, "经多方查找确实无法取得联系"), _i("取消预备党员资格", 1), _i("不予承认", 1),
))
"""第十表: 出党 events of the year; age on the event date, 入党时间 by 入党日期. 厅局级 / 县处级 are ``None``
until cadre ranks exist (issue #12)."""

TABLE_15 = Table(15, "预备党员转正情况", rows=(
    _i("预备期满的党员"),
    _i("已经上级党组织审批：合计", 1, "已经上级党组织审批"),
    _i("转为正式党员", 2), _i("延长预备期转正", 2), _i("推迟讨论转正", 2),
    _i("延长预备期", 2), _i("取消预备党员资格", 2),
    _i("尚未讨论或审批", 1),
    _i("预备期未满被取消预备党员资格"),
), columns=(_i("人数"),))
"""第十五表 (one column 人数)."""

TABLE_16 = Table(16, "发展党员情况（一）", rows=OCCUPATION_ROWS, columns=(
    _i("总数"), _i("女"), _i("少数民族"),
    *_cols("25岁及以下", "26至30岁", "31至35岁", "36至40岁", "41至59岁", "60岁及以上", level=1),
    *_cols(*EDUCATION_COLUMNS, level=1),
))
"""第十六表: 发展党员 (admission events) of the year; age at the 入党日期."""

_PIPELINE_COLUMNS = (
    _i("总数"), _i("女"), _i("少数民族"), _i("35岁及以下"), _i("大专及以上学历"), _i("中专、高中、中技学历"),
    _i("生产、工作第一线"), _i("企业生产", 1), _i("农村生产", 1), _i("教学科研", 1),
)
TABLE_18 = Table(18, "发展对象情况", rows=OCCUPATION_ROWS, columns=_PIPELINE_COLUMNS)
TABLE_19 = Table(19, "入党积极分子情况", rows=OCCUPATION_ROWS, columns=_PIPELINE_COLUMNS)
TABLE_20 = Table(20, "入党申请人情况", rows=OCCUPATION_ROWS, columns=_PIPELINE_COLUMNS)

TABLE_24 = Table(24, "党的基层组织数量情况和换届情况", rows=(
    _i("党的基层组织数"), _i("其中：任届期满", 1, "任届期满"), _i("其中：报告期内换届", 1, "报告期内换届"),
    _i("城市街道"), _i("乡镇"),
    _i("企业"), _i("国有经济控制", 1), _i("集体经济控制", 1), _i("非公有经济控制", 1),
    _i("事业单位"),
    _i("机关"), _i("中央一级", 1), _i("省（区、市）一级", 1), _i("市（地、州、盟）一级", 1), _i("县（市、区、旗）一级", 1),
    _i("其他"),
), columns=(_i("总数"), _i("党委", 1), _i("总支部", 1), _i("支部", 1)))
"""第二十四表: organizations existing on 31 December by the unit they are set up in."""

TABLE_33 = Table(33, "流动党员情况", rows=(
    _i("流出党员总数"), _i("跨省流动", 1), _i("省内跨市（地）流动", 1), _i("持《中国共产党流动党员活动证》", 1),
    _i("外出流向"),
    _i("公有经济控制单位", 1),
    _i("机关", 2, "公有经济控制单位·机关"), _i("事业单位", 2, "公有经济控制单位·事业单位"),
    _i("人才(劳动)服务中心", 2, "公有经济控制单位·人才(劳动)服务中心"),
    _i("港澳台商投资企业", 2, "公有经济控制单位·港澳台商投资企业"), _i("外商投资企业", 2, "公有经济控制单位·外商投资企业"),
    _i("非公有经济控制单位", 1),
    _i("民办非企业单位", 2, "非公有经济控制单位·民办非企业单位"), _i("私营企业", 2, "非公有经济控制单位·私营企业"),
    _i("港澳台商投资企业", 2, "非公有经济控制单位·港澳台商投资企业"),
    _i("外商投资企业", 2, "非公有经济控制单位·外商投资企业"),
    _i("个体工商户", 1), _i("城市社区（居委会）", 1), _i("乡镇社区（居委会）", 1), _i("建制村", 1), _i("其他", 1),
    _i("不掌握流向", 1),
), columns=(
    _i("总数"), _i("公有经济企事业单位管理人员专业技术人员", 1), _i("工勤技能人员", 1), _i("农牧渔民", 1),
    _i("未就业的高校毕业生", 1), _i("中介组织从业人员", 1), _i("执业律师", 1), _i("会计师", 1), _i("其他", 1),
))
"""第三十三表: 流动党员 (``MemberStatus`` kind ``mobile``) open on 31 December; rows' keys under 外出流向 are
the labels of ``party.choices.FLOW_DESTINATION``; columns the labels of ``MOBILE_ORIGINAL_OCCUPATION``."""

TABLE_43 = Table(43, "失去联系党员情况", rows=(
    _i("总计"), _i("建制村", 1), _i("社区（居委会）", 1), _i("机关", 1), _i("事业单位", 1), _i("公有经济控制企业", 1),
    _i("非公有经济控制企业", 1), _i("社会组织", 1), _i("其他", 1),
), columns=(
    _i("总数"), _i("预备党员"), _i("女"), _i("少数民族"),
    *_cols("35岁及以下", "36岁至45岁", "46岁至60岁", "61岁及以上", level=1),
    *_cols("1年以下", "1年至5年", "6年至10年", "11年至20年", "21年及以上", level=1),
    *_cols("大专及以上", "中专、高中、中技", "初中及以下", level=1),
    *_cols("6个月以上不满1年", "1年至5年（失联）", "6年至10年（失联）", "11年及以上", level=1),
    *_cols("外出务工经商", "单位改制或破产", "毕业后去向不明", "工作单位改变", "出国（境）", "居住地改变", "其他", level=1),
))
"""第四十三表: 失联党员 (``MemberStatus`` kind ``lost_contact``) open on 31 December, by the unit of their
organization. Column groups: 年龄 (on 31 December), 党龄 (from 转正日期), 学历, 失去联系时间 (keys of the two
失联 durations that repeat a 党龄 label carry ``（失联）``; printed without it), 失去联系具体情形."""

TABLES: tuple[Table, ...] = (TABLE_1, TABLE_2, TABLE_3, TABLE_4, TABLE_8, TABLE_9, TABLE_10, TABLE_15, TABLE_16, TABLE_18, TABLE_19,
                             TABLE_20, TABLE_24, TABLE_33, TABLE_43)
TABLE_BY_TITLE = {t.title: t for t in TABLES}
TABLE_BY_NUMBER = {t.number: t for t in TABLES}
