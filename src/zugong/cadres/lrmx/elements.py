"""The elements of the LRMX 3.x ``<Person>`` in the official editor's order (``shared/rules.md`` §8; the
blank template of xvchaoqun/owip ``src/main/resources/xml/adform/rm.xml``), with their Chinese labels, and
the 33 fields of the LRM 2.0 text format in file order.

Shared by ``reader`` and ``writer`` so both follow one list."""

from __future__ import annotations

# (element, 中文名称) in the order the editor writes them.
PERSON_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("XingMing", "姓名"),
    ("XingBie", "性别"),
    ("ChuShengNianYue", "出生年月"),
    ("MinZu", "民族"),
    ("JiGuan", "籍贯"),
    ("ChuShengDi", "出生地"),
    ("RuDangShiJian", "入党时间"),
    ("CanJiaGongZuoShiJian", "参加工作时间"),
    ("JianKangZhuangKuang", "健康状况"),
    ("ZhuanYeJiShuZhiWu", "专业技术职务"),
    ("ShuXiZhuanYeYouHeZhuanChang", "熟悉专业有何专长"),
    ("QuanRiZhiJiaoYu_XueLi", "全日制教育学历"),
    ("QuanRiZhiJiaoYu_XueWei", "全日制教育学位"),
    ("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "全日制教育学历毕业院校系及专业"),
    ("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "全日制教育学位毕业院校系及专业"),
    ("ZaiZhiJiaoYu_XueLi", "在职教育学历"),
    ("ZaiZhiJiaoYu_XueWei", "在职教育学位"),
    ("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "在职教育学历毕业院校系及专业"),
    ("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "在职教育学位毕业院校系及专业"),
    ("XianRenZhiWu", "现任职务"),
    ("NiRenZhiWu", "拟任职务"),
    ("NiMianZhiWu", "拟免职务"),
    ("JianLi", "简历"),
    ("JiangChengQingKuang", "奖惩情况"),
    ("NianDuKaoHeJieGuo", "年度考核结果"),
    ("RenMianLiYou", "任免理由"),
    ("JiaTingChengYuan", "家庭主要成员及重要社会关系"),
    ("ChengBaoDanWei", "呈报单位"),
    ("JiSuanNianLingShiJian", "计算年龄时间"),
    ("TianBiaoShiJian", "填表时间"),
    ("TianBiaoRen", "填表人"),
    ("ShenFenZheng", "身份证号"),
    ("ZhaoPian", "照片"),
    ("Version", "版本"),
)
LABELS: dict[str, str] = dict(PERSON_ELEMENTS)

# The children of JiaTingChengYuan/Item, in order.
FAMILY_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("ChengWei", "称谓"),
    ("XingMing", "姓名"),
    ("ChuShengRiQi", "出生日期"),
    ("ZhengZhiMianMao", "政治面貌"),
    ("GongZuoDanWeiJiZhiWu", "工作单位及职务"),
)
FAMILY_LABELS: dict[str, str] = dict(FAMILY_ELEMENTS)

# Elements a form must carry, non-empty (the person cannot be matched without them).
REQUIRED = ("XingMing", "XingBie", "ChuShengNianYue")

VERSION = "3.2.1.16"

# LRM 2.0 (field order as the 干部管理信息系统 exports write and read it — public code composing the .lrm
# text field by field, ``createLrmStr``/``txtToRmTable``): 33 double-quoted fields separated by ``","`` (GBK text). Fields 9 and 10 hold the two
# education blocks as ``全日制学历#全日制学位@在职学历#在职学位`` and the schools likewise; fields 20–24 the
# family columns, rows separated by ``@``; 12–15 are unused by the editors (written empty).
LRM_FIELDS: tuple[str, ...] = (
    "XingMing", "XingBie", "ChuShengNianYue", "MinZu", "JiGuan", "RuDangShiJian", "JianKangZhuangKuang",
    "ChuShengDi", "CanJiaGongZuoShiJian", "@XueLiXueWei", "@BiYeYuanXiao", "ZhuanYeJiShuZhiWu",
    "", "", "", "", "ShuXiZhuanYeYouHeZhuanChang", "JianLi", "JiangChengQingKuang", "NianDuKaoHeJieGuo",
    "@ChengWei", "@XingMing", "@ChuShengRiQi", "@ZhengZhiMianMao", "@GongZuoDanWeiJiZhiWu",
    "XianRenZhiWu", "NiRenZhiWu", "NiMianZhiWu", "RenMianLiYou", "ChengBaoDanWei", "JiSuanNianLingShiJian",
    "TianBiaoRen", "TianBiaoShiJian",
)
