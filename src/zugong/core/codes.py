"""National standard code tables and the lenient parsing of the three forms files carry.

Files carry coded fields as the GB code (``21``), the standard's name (``大学本科毕业``, ``汉族``) or the
short forms people type (``大学本科``, ``汉``, ``男``) — ``rules.md`` §7. ``CodeTable.parse`` accepts all
three and returns the code; ``CodeTable.label`` gives the display name used in pages and exports
(which ``parse`` accepts back, so exports round-trip).

Other systems' exports add two forms (issue #9): a coded value with a ``_digits`` suffix (``男_1``,
``高中及以下_1`` — the option's index in the exporting system), read as the text before the suffix; and
the coarser buckets of the national system's drop-down lists (``初中及以下``, ``高中、中技``, ``博士及以上``),
read as the nearest GB/T 4658 code (documented at ``EDUCATION``).

Sources: GB/T 2261.1-2003 (sex), GB 3304-1991 (ethnicity), GB/T 4658-2006 (education),
GB/T 4762-1984 (political status); the 党内统计 occupation and organization categories follow the
中共中央组织部 党内统计公报, the finer 工作岗位 rows (``OCCUPATION_DETAIL``) the 党内统计年报.

A blank value of a recommended field (民族, 学历, 工作岗位 of a record imported without them) is stored as
``""`` and shown as ``UNFILLED`` (「未填」) on pages; ``label("")`` stays ``""`` so exports write an empty
cell that re-imports as blank.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from zugong.core.text import strip_controls


def normalize_text(value: object) -> str:
    """NFKC-normalise (full-width → half-width), drop control and invisible format characters
    (``core.text.strip_controls``), strip and collapse inner white space."""
    if value is None:
        return ""
    text = strip_controls(unicodedata.normalize("NFKC", str(value)))
    return " ".join(text.split())


UNFILLED = "未填"
"""How pages show a blank recommended field (民族, 学历, 工作岗位): the record is incomplete (数据质量)."""

_CODED_SUFFIX = re.compile(r"^(.*\S)_\d{1,3}$")
"""``男_1``, ``高中及以下_1``: other systems append the option's index to the value."""


@dataclass
class CodeTable:
    """A code table: ``entries`` maps code → standard name; ``aliases`` maps extra accepted texts
    (short forms, old codes) → code; ``labels`` overrides the display name of some codes."""

    name: str
    entries: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for code, name in self.entries.items():
            lookup[code] = code
            lookup[name] = code
        for code, label in self.labels.items():
            lookup[label] = code
        for alias, code in self.aliases.items():
            lookup[alias] = code
        self._lookup = {normalize_text(k): v for k, v in lookup.items()}

    @property
    def choices(self) -> list[tuple[str, str]]:
        """Django ``choices``: (code, display label)."""
        return [(code, self.label(code)) for code in self.entries]

    @property
    def names(self) -> tuple[str, ...]:
        """The display label of every code, in the table's order (the values a template offers)."""
        return tuple(self.label(code) for code in self.entries)

    def label(self, code: str | None) -> str:
        """Display label of ``code`` (``""`` for empty, the code itself if unknown)."""
        if not code:
            return ""
        return self.labels.get(code) or self.entries.get(code, code)

    def parse(self, value: object) -> str | None:
        """Code for ``value`` given as code, standard name or short form; ``None`` if unknown.

        Numeric codes given as Excel numbers (``1.0``) or without a leading zero (``1`` for ``01``) are
        accepted where unambiguous; a value with a ``_digits`` suffix (``男_1``) is read as the text
        before the suffix."""
        text = normalize_text(value)
        if not text:
            return None
        if text in self._lookup:
            return self._lookup[text]
        suffixed = _CODED_SUFFIX.match(text)
        if suffixed:
            return self.parse(suffixed.group(1))
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        if text.isdigit():
            for width in (2, 1, 3):
                padded = text.zfill(width)
                if padded in self.entries:
                    return padded
        return self._lookup.get(text)


SEX = CodeTable(
    "性别",
    {"1": "男性", "2": "女性", "0": "未知的性别", "9": "未说明的性别"},
    aliases={"男": "1", "女": "2"},
    labels={"1": "男", "2": "女"},
)
SEX_MALE, SEX_FEMALE = "1", "2"

_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 "
    "裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ethnic_entries = {f"{i:02d}": f"{n}族" for i, n in enumerate(_ETHNIC_NAMES, start=1)}
_ethnic_entries["97"] = "其他"
_ethnic_entries["98"] = "外国血统中国籍人士"
ETHNICITY = CodeTable(
    "民族",
    _ethnic_entries,
    # Short forms without 族 — except 水/土/京/白 whose one-character form is ambiguous in free text but
    # still the conventional short form in rosters.
    aliases={n: f"{i:02d}" for i, n in enumerate(_ETHNIC_NAMES, start=1)} | {"穿青人": "97"},
)
ETHNICITY_HAN = "01"  # the code of 汉族; who counts as 少数民族 is the rule party.ethnicity_groups

EDUCATION = CodeTable(
    "学历",
    {
        "10": "研究生教育", "11": "博士研究生毕业", "12": "博士研究生结业", "13": "博士研究生肄业",
        "14": "硕士研究生毕业", "15": "硕士研究生结业", "16": "硕士研究生肄业",
        "17": "研究生班毕业", "18": "研究生班结业", "19": "研究生班肄业",
        "20": "大学本科教育", "21": "大学本科毕业", "22": "大学本科结业", "23": "大学本科肄业",
        "28": "大学普通班毕业",
        "30": "大学专科教育", "31": "大学专科毕业", "32": "大学专科结业", "33": "大学专科肄业",
        "40": "中等职业教育", "41": "中等专科毕业", "42": "中等专科结业", "43": "中等专科肄业",
        "44": "职业高中毕业", "45": "职业高中结业", "46": "职业高中肄业",
        "47": "技工学校毕业", "48": "技工学校结业", "49": "技工学校肄业",
        "60": "普通高级中学教育", "61": "普通高中毕业", "62": "普通高中结业", "63": "普通高中肄业",
        "70": "初级中学教育", "71": "初中毕业", "73": "初中肄业",
        "80": "小学教育", "81": "小学毕业", "83": "小学肄业",
        "90": "其他",
    },
    aliases={
        "研究生": "10", "博士": "11", "硕士": "14", "博士研究生": "11", "硕士研究生": "14",
        "本科": "20", "大本": "20", "大学": "20", "专科": "30", "大专": "30",
        "中专": "40", "中技": "47", "技校": "47", "职高": "44", "高中": "60", "初中": "70", "小学": "80",
        "中等专科": "41", "普通高中": "60", "文盲": "90", "半文盲": "90",
        # the buckets of other systems' drop-down lists (全国党员管理信息系统, OWIP …), read as the
        # nearest GB/T 4658 code — the 公报's own education bands (研究生 / 大学本科 / 大学专科 / 中专 /
        # 高中、中技 / 初中及以下) count them where they belong:
        "研究生(博士)": "11", "研究生(硕士)": "14", "博士及以上": "11", "硕士及以上": "14", "研究生及以上": "10",
        "大学本科及以上": "20", "本科及以上": "20", "大学专科及以上": "30", "大专及以上": "30",
        "高中、中技": "60", "高中/中技": "60", "高中、中专": "60", "高中及以下": "60", "高中及同等学历": "60",
        "初中及以下": "70", "小学及以下": "80", "高职": "30", "高专": "30", "大学普通班": "28",
    },
    labels={"10": "研究生", "20": "大学本科", "30": "大学专科", "40": "中专", "60": "高中", "70": "初中", "80": "小学"},
)


POLITICAL_STATUS = CodeTable(
    "政治面貌",
    {
        "01": "中国共产党党员", "02": "中国共产党预备党员", "03": "中国共产主义青年团团员",
        "04": "中国国民党革命委员会会员", "05": "中国民主同盟盟员", "06": "中国民主建国会会员",
        "07": "中国民主促进会会员", "08": "中国农工民主党党员", "09": "中国致公党党员",
        "10": "九三学社社员", "11": "台湾民主自治同盟盟员", "12": "无党派民主人士", "13": "群众",
    },
    aliases={"中共党员": "01", "党员": "01", "中共预备党员": "02", "预备党员": "02", "共青团员": "03",
             "团员": "03", "民革党员": "04", "民盟盟员": "05", "民建会员": "06", "民进会员": "07",
             "农工党党员": "08", "致公党党员": "09", "九三学社社员": "10", "台盟盟员": "11",
             "无党派人士": "12"},
    labels={"01": "中共党员", "02": "中共预备党员", "03": "共青团员", "12": "无党派人士"},
)

# 党内统计 occupation categories (工作岗位), in the 公报's order.
OCCUPATION = CodeTable(
    "工作岗位",
    {
        "worker": "工人（工勤技能人员）",
        "farmer": "农牧渔民",
        "professional": "企事业单位、社会组织专业技术人员",
        "manager": "企事业单位、社会组织管理人员",
        "government": "党政机关工作人员",
        "student": "学生",
        "other": "其他职业人员",
        "retired": "离退休人员",
    },
    aliases={"工人": "worker", "工勤技能人员": "worker", "农民": "farmer", "牧民": "farmer", "渔民": "farmer",
             "专业技术人员": "professional", "管理人员": "manager", "党政机关": "government",
             "机关工作人员": "government", "其他": "other", "离退休": "retired", "离休": "retired",
             "退休": "retired", "离退休人员": "retired",
             # coarse wordings that name no 年报 row (flagged by the quality report until split)
             "企事业单位管理人员": "manager", "企事业单位专业技术人员": "professional",
             "社会组织管理人员": "manager", "社会组织专业技术人员": "professional"},
)

# 党内统计年报 rows of 工作岗位 (党员职业), each counted in one 公报 category above (many-to-one).
# ``Membership.occupation_detail`` keeps the row a file gave, ``Membership.occupation`` its category.
# The rows that ARE a 公报 category (党政机关工作人员, 工勤技能人员, 农牧渔民, 学生, 离退休人员, 其他) are
# listed for completeness; the importer stores a detail only when it says more than the category
# (``occupation_parse``). 军人、武警 are counted with 其他职业人员 (the 公报 has no military row).
#
# The 年报's 其中 rows 农民工 (of 工勤技能人员) and 外出务工经商人员 (of 农牧渔民) are NOT rows of their own:
# they are flags on the membership (``migrant_worker`` / ``migrant_business``, ``OccupationValue``), so a
# 农民工 counts in 工勤技能人员 and again in its 其中 line. Their names stay accepted as values (aliases):
# ``occupation_parse_annual("农民工")`` is 工勤技能人员 with ``migrant_worker`` (issue #10; party migration
# 0008 turned the detail codes ``migrant_worker`` / ``migrant_business`` stored before into the flags).
OCCUPATION_DETAIL = CodeTable(
    "工作岗位（年报）",
    {
        "government_staff": "党政机关工作人员",
        "institution_manager": "事业单位管理人员",
        "institution_professional": "事业单位专业技术人员",
        "enterprise_manager": "企业管理人员",
        "enterprise_professional": "企业专业技术人员",
        "nonprofit_manager": "民办非企业单位管理人员",
        "nonprofit_professional": "民办非企业专业技术人员",  # as the 年报 form prints it (annual-report.md)
        "skilled_worker": "工勤技能人员",
        "farmer": "农牧渔民",
        "military": "军人、武警",
        "student": "学生",
        "retired": "离退休人员",
        "other": "其他",
    },
    aliases={
        "民办非企业单位专业技术人员": "nonprofit_professional", "民办非企业管理人员": "nonprofit_manager",
        "军人": "military", "武警": "military", "军人武警": "military", "军人、武警人员": "military",
        "解放军、武警": "military", "解放军": "military", "现役军人": "military", "武警官兵": "military",
        "中国人民解放军、武警部队": "military",
        # the wording of the national system's 工作岗位 list and of hand-made rosters
        "公务员": "government_staff", "党政机关干部": "government_staff", "机关干部": "government_staff",
        "党政机关公务员": "government_staff", "参照公务员法管理人员": "government_staff",
        "事业单位管理岗位人员": "institution_manager", "事业单位专业技术岗位人员": "institution_professional",
        "事业单位专技人员": "institution_professional", "企业专技人员": "enterprise_professional",
        "企业经营管理人员": "enterprise_manager",
        "工勤人员": "skilled_worker", "工勤技能岗位人员": "skilled_worker", "技术工人": "skilled_worker",
        "产业工人": "skilled_worker",
        "农民": "farmer", "牧民": "farmer", "渔民": "farmer", "农牧民": "farmer", "农牧渔业人员": "farmer",
        "在校学生": "student", "在读学生": "student", "大学生": "student", "研究生在读": "student",
        "在读研究生": "student", "在校研究生": "student", "本科生": "student", "专科生": "student",
        "中专学生": "student", "中职学生": "student", "高中学生": "student",
        "离休人员": "retired", "退休人员": "retired", "离休干部": "retired", "退休干部": "retired",
        "离退休干部": "retired", "退休职工": "retired", "离退休": "retired",
        "其他人员": "other", "其他职业": "other", "无固定职业": "other", "无固定职业人员": "other",
        "自由职业者": "other", "自由职业人员": "other", "待业": "other", "无业": "other",
        "下岗失业人员": "other", "失业人员": "other",
        # the 其中 rows: accepted as their row (the flag comes from ``occupation_parse_annual``)
        "农民工": "skilled_worker", "外出务工经商人员": "farmer",
    },
)
OCCUPATION_OF_DETAIL = {
    "government_staff": "government", "institution_manager": "manager", "institution_professional": "professional",
    "enterprise_manager": "manager", "enterprise_professional": "professional", "nonprofit_manager": "manager",
    "nonprofit_professional": "professional", "skilled_worker": "worker", "farmer": "farmer", "military": "other",
    "student": "student", "retired": "retired", "other": "other",
}
"""OCCUPATION_DETAIL code → the OCCUPATION (公报) code it is counted in."""


IMPLIED_DETAILS = frozenset(d for d, o in OCCUPATION_OF_DETAIL.items()
                            if OCCUPATION_DETAIL.label(d) == OCCUPATION.label(o))
"""年报 rows that are their 公报 category under the same name (党政机关工作人员, 农牧渔民, 学生, 离退休人员): stored
as the category alone; ``occupation_label`` shows the same text either way."""

OWNERSHIP_NAMES = {"public": "公有制单位", "non_public": "非公有制单位"}
"""单位所有制 of 在岗职工 (the 年报's two sectors); the code table with aliases is ``party.choices.OWNERSHIP``."""

PUBLIC_DETAILS = frozenset({"government_staff", "institution_manager", "institution_professional"})
"""年报 rows always under 公有制单位 (党政机关, 事业单位), whatever ``ownership`` says."""
NON_PUBLIC_DETAILS = frozenset({"nonprofit_manager", "nonprofit_professional"})
"""年报 rows always under 非公有制单位 (民办非企业单位)."""
SECTOR_DETAILS = frozenset({"enterprise_manager", "enterprise_professional", "skilled_worker"})
"""年报 rows printed under both sectors (企业管理人员, 企业专业技术人员, 工勤技能人员): placed by ``ownership``."""
EMPLOYEE_OCCUPATIONS = ("worker", "professional", "manager", "government")
"""公报 categories of 在岗职工 (一、在岗职工 of the 年报); the others have no sector."""
COARSE_OCCUPATIONS = ("professional", "manager")
"""公报 categories that span several 年报 rows (企事业单位、社会组织专业技术人员 / 管理人员: 事业单位, 企业 or
民办非企业单位): without ``occupation_detail`` such a member cannot be placed in a 年报 row."""

ROW_OF_OCCUPATION = {"government": "government_staff", "worker": "skilled_worker", "farmer": "farmer",
                     "student": "student", "retired": "retired", "other": "other"}
"""The 年报 row of a 公报 category stored without a detail (``reports.annual_layout.OCCUPATION_ROW_RULES``'s
``@x`` entries); the coarse ``professional`` / ``manager`` have none."""


def ownership_of_detail(occupation: str, detail: str) -> str | None:
    """The sector a 工作岗位 fixes by itself: ``"public"`` (党政机关, 事业单位 rows), ``"non_public"``
    (民办非企业单位 rows), ``""`` (not an 在岗职工: 农牧渔民, 学生 … have no sector), or ``None`` when the
    sector is the unit's (企业 rows, 工勤技能人员, and the coarse 公报 categories of 在岗职工)."""
    if detail in PUBLIC_DETAILS or (not detail and occupation == "government"):
        return "public"
    if detail in NON_PUBLIC_DETAILS:
        return "non_public"
    if occupation in EMPLOYEE_OCCUPATIONS:
        return None
    return ""


def annual_row(occupation: str, detail: str, ownership: str = "") -> str | None:
    """Where a 工作岗位 falls in the 年报's rows, as ``"<sector>·<row code>"`` for an 在岗职工
    (``"public·skilled_worker"``) or the row code alone (``"farmer"``); ``None`` when it cannot be placed:
    blank, a coarse 企事业单位、社会组织专业技术人员/管理人员 without its row, or a 企业/工勤技能 row without
    ``ownership``. Pure; mirrors ``reports.annual_layout.OCCUPATION_ROW_RULES``."""
    row = detail or ROW_OF_OCCUPATION.get(occupation, "")
    if not row:
        return None
    sector = ownership_of_detail(occupation, detail)
    if sector is None:
        sector = ownership if ownership in OWNERSHIP_NAMES else ""
        if not sector:
            return None
    return f"{sector}·{row}" if sector else row


def ownership_from_unit(unit_category: str, economic_control: str = "") -> str:
    """The sector (``"public"``/``"non_public"``/``""`` unknown) of the staff of a unit: a 机关 or 事业单位
    is 公有制; an enterprise by its 经济控制类型 (国有/集体经济控制 → 公有制, 非公有经济控制 → 非公有制;
    党内统计年报 第二十四表's rows). Anything else (街道, 乡镇, 社区, 行政村, 社会组织, an enterprise without
    its control type) is unknown: the 年报 places such members only when their 工作岗位 says the sector."""
    if unit_category in ("government_organ", "public_institution"):
        return "public"
    if unit_category == "enterprise" or not unit_category:
        if economic_control in ("state_controlled", "collective_controlled"):
            return "public"
        if economic_control == "non_public_controlled":
            return "non_public"
    return ""


@dataclass(frozen=True)
class OccupationValue:
    """A 工作岗位 value read for the 党内统计年报: ``occupation`` (公报 category), ``detail`` (年报 row,
    ``""`` when implied or unknown), ``ownership`` (``"public"`` / ``"non_public"`` / ``""`` unknown),
    ``migrant_worker`` (农民工), ``migrant_business`` (外出务工经商人员). Field names are ``Membership``'s."""

    occupation: str
    detail: str = ""
    ownership: str = ""
    migrant_worker: bool = False
    migrant_business: bool = False

    def fields(self) -> dict:
        """The ``Membership`` / ``DevelopmentRecord`` field values."""
        return {"occupation": self.occupation, "occupation_detail": self.detail, "ownership": self.ownership,
                "migrant_worker": self.migrant_worker, "migrant_business": self.migrant_business}


# Sector words before (or in brackets after) a row: ``公有制单位·企业管理人员``, ``国有企业管理人员``,
# ``企业管理人员（非公有制）``. Longest first; ``None`` = a neutral word (``企业工勤技能人员``: sector unknown).
_OWNERSHIP_WORDS: tuple[tuple[str, str | None], ...] = tuple(sorted((
    ("非公有制单位", "non_public"), ("非公有经济控制", "non_public"), ("非公有经济", "non_public"),
    ("非公有制", "non_public"), ("非公有", "non_public"), ("非公", "non_public"), ("私营", "non_public"),
    ("民营", "non_public"), ("民办非企业单位", "non_public"), ("民办", "non_public"),
    ("公有制单位", "public"), ("公有经济控制", "public"), ("公有经济", "public"), ("公有制", "public"),
    ("公有", "public"), ("国有经济控制", "public"), ("国有控股", "public"), ("国有", "public"),
    ("集体经济控制", "public"), ("集体", "public"), ("事业单位", "public"), ("党政机关", "public"), ("机关", "public"),
    ("企业", None), ("单位", None),
), key=lambda item: -len(item[0])))
_SECTOR_WORDS = {word: code for word, code in _OWNERSHIP_WORDS if code is not None}
_SEPARATORS = "·・.、/ -—：:"
_FLAG_WORDS = {
    # 其中 rows and their usual wordings → (the row, flag)
    "农民工": ("skilled_worker", "migrant_worker"), "进城务工人员": ("skilled_worker", "migrant_worker"),
    "进城务工农民": ("skilled_worker", "migrant_worker"), "农民合同制工人": ("skilled_worker", "migrant_worker"),
    "外出务工经商人员": ("farmer", "migrant_business"), "外出务工经商": ("farmer", "migrant_business"),
    "外出务工人员": ("farmer", "migrant_business"), "外出经商人员": ("farmer", "migrant_business"),
    "外出务工经商农民": ("farmer", "migrant_business"), "外出务工经商的农牧渔民": ("farmer", "migrant_business"),
}
_FLAG_LOOKUP = {normalize_text(k): v for k, v in _FLAG_WORDS.items()}
_BRACKETED = re.compile(r"^(?P<head>.+?)\s*[（(](?P<inner>[^（）()]+)[)）]$")


def _strip_row_prefix(text: str) -> str:
    for prefix in ("其中：", "其中:", "其中"):
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):].strip()
    return text


def _read_occupation(text: str) -> tuple[str, str, str | None, str] | None:
    """``(occupation, detail_code or "", ownership word's code or None, flag or "")`` of a normalised value."""
    text = _strip_row_prefix(text)
    flag_hit = _FLAG_LOOKUP.get(text)
    if flag_hit is not None:
        row, flag = flag_hit
        return OCCUPATION_OF_DETAIL[row], row, None, flag
    detail = OCCUPATION_DETAIL.parse(text)
    if detail is not None and detail in OCCUPATION_OF_DETAIL:
        return OCCUPATION_OF_DETAIL[detail], detail, None, ""
    code = OCCUPATION.parse(text)
    if code is not None:
        return code, "", None, ""
    return None


def occupation_parse_annual(value: object) -> OccupationValue | None:
    """Read a 工作岗位 value with everything the 年报 rows need; ``None`` if unknown.

    Accepts, after ``normalize_text``:

    - a 年报 row, a 公报 category, their codes and the common wordings (``OCCUPATION_DETAIL`` aliases:
      ``公务员``, ``退休人员``, ``在校学生``, ``解放军`` …);
    - the 其中 rows as values: ``农民工`` (also ``进城务工人员``) → 工勤技能人员 with ``migrant_worker``,
      ``外出务工经商人员`` → 农牧渔民 with ``migrant_business``; a ``其中：`` in front is ignored;
    - a sector before the row — ``公有制单位·企业管理人员``, ``非公有制单位 工勤技能人员``, ``国有企业管理人员``,
      ``公有经济控制企业专业技术人员``, ``私营企业管理人员``, ``事业单位工勤技能人员`` — or in brackets after it
      (``企业管理人员（非公有制）``, ``工勤技能人员（农民工）``), as the 年报's own keys print it
      (``公有制单位·其中：农民工``).

    The sector of 党政机关 and 事业单位 rows is 公有制, of 民办非企业 rows 非公有制, whatever the words say;
    for 企业 and 工勤技能 rows (and the coarse 公报 categories of 在岗职工) it is the words', else ``""``
    (unknown: filled from the organization's unit by the caller where it can — ``ownership_from_unit`` —
    else flagged by the quality report); rows that are not 在岗职工 have none. Round trip:
    ``occupation_parse_annual(occupation_label(...all fields...))`` gives the same fields back."""
    text = normalize_text(value)
    if not text:
        return None
    ownership: str | None = None
    flag = ""
    bracketed = _BRACKETED.match(text)
    if bracketed and _read_occupation(text) is None:
        inner = _strip_row_prefix(bracketed.group("inner").strip())
        inner_flag = _FLAG_LOOKUP.get(inner)
        inner_sector = _SECTOR_WORDS.get(inner)
        if inner_flag is not None or inner_sector is not None:
            text = bracketed.group("head").strip()
            flag = inner_flag[1] if inner_flag else ""
            ownership = inner_sector
    read = _read_occupation(text)
    rest = text
    for _ in range(2):  # a sector word, then possibly a neutral one (国有企业管理人员 → 国有 + 企业管理人员)
        if read is not None:
            break
        for word, code in _OWNERSHIP_WORDS:
            if rest.startswith(word) and len(rest) > len(word):
                rest = rest[len(word):].lstrip(_SEPARATORS)
                if code is not None and ownership is None:
                    ownership = code
                read = _read_occupation(rest)
                break
        else:
            break
    if read is None:
        return None
    occupation, detail, _, row_flag = read
    flag = row_flag or flag
    if flag == "migrant_worker" and occupation != "worker":
        return None  # 农民工 of another row (e.g. 企业管理人员（农民工）) is not a 年报 line
    if flag == "migrant_business" and occupation != "farmer":
        return None
    fixed = ownership_of_detail(occupation, detail)
    sector = (ownership or "") if fixed is None else fixed
    shown = "" if detail in IMPLIED_DETAILS else detail
    return OccupationValue(occupation, shown, sector, flag == "migrant_worker", flag == "migrant_business")


def occupation_parse(value: object) -> tuple[str, str] | None:
    """``(occupation, occupation_detail)`` codes of a 工作岗位 value, ``None`` if unknown: the first two
    fields of ``occupation_parse_annual`` (which also reads the sector and the 农民工 / 外出务工经商人员 flags).
    A 年报 row gives both (``事业单位专业技术人员`` → ``("professional", "institution_professional")``,
    ``工勤技能人员`` → ``("worker", "skilled_worker")``); a 公报 category gives no detail
    (``企事业单位、社会组织管理人员``, a code), and neither does a row that IS its 公报 category under the
    same name (党政机关工作人员, 农牧渔民, 学生, 离退休人员: the row is implied, so a member stored before the
    年报 rows existed re-imports unchanged)."""
    read = occupation_parse_annual(value)
    return None if read is None else (read.occupation, read.detail)


def occupation_label(occupation: str, detail: str = "", *, ownership: str = "", migrant_worker: bool = False,
                     migrant_business: bool = False) -> str:
    """What pages and exports show for a membership's 工作岗位; ``""`` when blank. The 年报 row when known,
    else the 公报 category; with the sector in front when the row does not fix it (``公有制单位·企业管理人员``,
    ``非公有制单位·工勤技能人员``) and the 其中 row instead of its parent row (``农民工``,
    ``公有制单位·农民工``, ``外出务工经商人员``). ``occupation_parse_annual`` reads every label back to the same
    fields (exports re-import unchanged)."""
    if not occupation:
        return ""
    if migrant_worker and occupation == "worker":
        text = "农民工"
    elif migrant_business and occupation == "farmer":
        return "外出务工经商人员"
    else:
        text = OCCUPATION_DETAIL.label(detail) if detail else OCCUPATION.label(occupation)
    if ownership in OWNERSHIP_NAMES and ownership_of_detail(occupation, detail) is None:
        return f"{OWNERSHIP_NAMES[ownership]}·{text}"
    return text


def occupation_label_of(record) -> str:
    """``occupation_label`` of any record with the ``Membership`` occupation fields (``occupation``,
    ``occupation_detail``, ``ownership``, ``migrant_worker``, ``migrant_business``; missing ones count as
    blank) — a ``Membership``, a ``DevelopmentRecord``, a dict-like row from ``values()``."""
    get = record.get if isinstance(record, dict) else (lambda name, default=None: getattr(record, name, default))
    return occupation_label(get("occupation", "") or "", get("occupation_detail", "") or "",
                            ownership=get("ownership", "") or "", migrant_worker=bool(get("migrant_worker", False)),
                            migrant_business=bool(get("migrant_business", False)))


ORG_TYPE = CodeTable(
    "组织类别",
    {
        "committee": "党委", "working_committee": "党工委", "leading_group": "党组",
        "general_branch": "党总支", "branch": "党支部", "joint_branch": "联合党支部",
        "temporary_branch": "临时党支部", "party_group": "党小组",
    },
    aliases={"基层党委": "committee", "党的基层委员会": "committee", "总支部": "general_branch",
             "党总支部": "general_branch", "支部": "branch", "党的工作委员会": "working_committee",
             # the values real exports carry (全国党员管理信息系统, group platforms, OWIP; issue #9)
             "党的委员会": "committee", "党委员会": "committee", "二级党委": "committee", "分党委": "committee",
             "机关党委": "committee", "院系党委": "committee",
             # OWIP's 院系党组织 is the 院系 level (分党委 / 二级党委), not a 党总支: mapped to 党委
             "院系党组织": "committee", "院（系）党组织": "committee", "院(系)党组织": "committee",
             "党工委": "working_committee", "工委": "working_committee", "党的工作委员会（党工委）": "working_committee",
             "党的总支部委员会": "general_branch", "总支部委员会": "general_branch", "党总支部委员会": "general_branch",
             "党总支委员会": "general_branch", "直属党总支": "general_branch", "总支": "general_branch",
             "党的支部委员会": "branch", "支部委员会": "branch", "党支部委员会": "branch", "直属党支部": "branch",
             "在职教工党支部": "branch", "教工党支部": "branch", "退休教工党支部": "branch", "离退休党支部": "branch",
             "学生党支部": "branch", "研究生党支部": "branch", "本科生党支部": "branch", "离退休教工党支部": "branch",
             "联合支部": "joint_branch", "联合支部委员会": "joint_branch", "联合党支部委员会": "joint_branch",
             "临时支部": "temporary_branch", "临时党支部委员会": "temporary_branch"},
)
# 公报 grouping: 基层党委 / 总支部 / 支部 (支部 = 党支部 + 联合党支部 + 临时党支部).
ORG_TYPES_COMMITTEE = ("committee",)
ORG_TYPES_GENERAL_BRANCH = ("general_branch",)
ORG_TYPES_BRANCH = ("branch", "joint_branch", "temporary_branch")
# Organizations that hold members directly.
ORG_TYPES_HOLDING_MEMBERS = ("committee", "working_committee", "general_branch", *ORG_TYPES_BRANCH)

UNIT_CATEGORY = CodeTable(
    "单位属性",
    {
        "government_organ": "机关", "public_institution": "事业单位", "enterprise": "企业",
        "social_organization": "社会组织", "subdistrict": "街道", "township": "乡镇",
        "community": "社区", "village": "行政村",
    },
    aliases={"党政机关": "government_organ", "事业": "public_institution", "乡": "township", "镇": "township",
             "村": "village", "农村": "village",
             # 单位性质类别 of the national layout and the group platforms (issue #9)
             "机关单位": "government_organ", "政府机关": "government_organ", "党的机关": "government_organ",
             "人大机关": "government_organ", "政协机关": "government_organ", "审判机关": "government_organ",
             "检察机关": "government_organ", "国家机关": "government_organ",
             "公益一类事业单位": "public_institution", "公益二类事业单位": "public_institution",
             "公立医院": "public_institution", "公办高校": "public_institution", "高等学校": "public_institution",
             "公办中小学": "public_institution", "中小学": "public_institution", "科研院所": "public_institution",
             "国有企业": "enterprise", "国有控股企业": "enterprise", "公有制企业": "enterprise",
             "集体企业": "enterprise", "非公有制企业": "enterprise", "私营企业": "enterprise", "民营企业": "enterprise",
             "外商投资企业": "enterprise", "港澳台商投资企业": "enterprise", "股份制企业": "enterprise",
             "社会团体": "social_organization", "民办非企业单位": "social_organization",
             "社会服务机构": "social_organization", "基金会": "social_organization",
             "街道办事处": "subdistrict", "城市街道": "subdistrict", "乡镇政府": "township", "乡镇机关": "township",
             "城市社区": "community", "社区（居委会）": "community", "居委会": "community", "居民委员会": "community",
             "建制村": "village", "村委会": "village", "村民委员会": "village"},
)

MEMBER_CATEGORY = CodeTable(
    "人员类别",
    {"full": "正式党员", "probationary": "预备党员"},
    # 政治面貌 columns of other systems carry the GB/T 4762 names (01 中共党员 = 正式, 02 中共预备党员 = 预备)
    aliases={"正式": "full", "预备": "probationary", "中共党员": "full", "中国共产党党员": "full",
             "中共正式党员": "full", "中共预备党员": "probationary", "中国共产党预备党员": "probationary"},
)

YES_NO = CodeTable("是否", {"1": "是", "0": "否"}, aliases={"y": "1", "n": "0", "Y": "1", "N": "0", "true": "1",
                                                     "false": "0", "√": "1", "×": "0"})


# 专业技术职务 level (党内统计年报 第二表 补充资料: 高级 / 中级 / 初级), issue #10.
TITLE_LEVEL = CodeTable(
    "专业技术职务等级",
    {"senior": "高级", "intermediate": "中级", "junior": "初级"},
    aliases={"正高级": "senior", "副高级": "senior", "正高": "senior", "副高": "senior", "员级": "junior",
             "助理级": "junior"},
)

_TITLE_NAMES = {
    "senior": ("教授", "副教授", "研究员", "副研究员", "主任医师", "副主任医师", "主任药师", "副主任药师", "主任护师",
               "副主任护师", "主任技师", "副主任技师", "编审", "副编审", "译审", "副译审", "研究馆员", "副研究馆员",
               "高级讲师", "高级教师", "正高级教师", "高级记者", "主任记者", "高级编辑", "主任编辑", "一级律师",
               "二级律师", "一级演员", "二级演员"),
    "intermediate": ("讲师", "助理研究员", "主治医师", "主管药师", "主管护师", "主管技师", "工程师", "经济师", "会计师",
                     "统计师", "审计师", "农艺师", "畜牧师", "兽医师", "一级教师", "编辑", "翻译", "馆员", "记者",
                     "三级律师", "三级演员", "中学一级教师", "小学高级教师"),
    "junior": ("助教", "研究实习员", "医师", "药师", "护师", "技师", "医士", "药士", "护士", "技士", "技术员",
               "助理工程师", "助理经济师", "助理会计师", "会计员", "助理统计师", "统计员", "助理审计师", "审计员",
               "二级教师", "三级教师", "助理编辑", "助理馆员", "管理员", "助理农艺师", "助理翻译", "助理记者",
               "四级律师", "律师助理"),
}
_TITLE_LOOKUP = {normalize_text(name): level for level, names in _TITLE_NAMES.items() for name in names}


def title_level_parse(value: object) -> str | None:
    """The 专业技术职务 level (``TITLE_LEVEL`` code) of a value: the level itself (``高级``, ``中级``, ``初级``,
    ``正高级``, ``副高``…) or a title name (GB/T 8561 and the usual series: ``高级工程师``, ``副教授``,
    ``主治医师`` → intermediate, ``助理工程师`` → junior, ``正高级会计师`` → senior). A name not listed is read
    by its first characters: ``正高``/``副高``/``高级`` → senior, ``中级`` → intermediate, ``初级``/``助理``/
    ``员级`` → junior, and a bare series name ending in 师 (``经济师``) → intermediate. ``None`` if unknown
    (``无``, ``未评``, a 职务 that is no title)."""
    text = normalize_text(value)
    if not text:
        return None
    code = TITLE_LEVEL.parse(text)
    if code is not None:
        return code
    if text in _TITLE_LOOKUP:
        return _TITLE_LOOKUP[text]
    for prefixes, level in ((("正高级", "副高级", "正高", "副高", "高级"), "senior"), (("中级",), "intermediate"),
                            (("初级", "助理", "员级"), "junior")):
        if any(text.startswith(p) and len(text) > len(p) for p in prefixes):
            return level
    if text.endswith("师") and len(text) >= 3:
        return "intermediate"
    return None

