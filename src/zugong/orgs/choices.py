"""Code tables of units (单位) and of the link between a party organization and its unit.

- ``ECONOMIC_CONTROL`` (经济控制类型) of an enterprise: the rows 国有经济控制 / 集体经济控制 / 非公有经济控制
  of 党内统计年报 第二十四表 (党的基层组织数量情况); ``shared/annual-report.md``.
- ``ORGAN_LEVEL`` (机关层级) of a 机关: the rows 中央一级 / 省（区、市）一级 / 市（地、州、盟）一级 /
  县（市、区、旗）一级 of the same table.
- ``ENTERPRISE_SIZE`` (企业规模) 大型/中型/小型/微型: 《统计上大中小微型企业划分办法（2017）》
  (国家统计局 国统字〔2017〕213号), which applies the thresholds of 工信部联企业〔2011〕300号 by industry.
  The system records the size the unit reports; it does not compute it from employees and revenue.
- ``UNIT_RELATION`` (党组织所在单位情况) of a party organization: 与上级党组织相同 / 法人单位 / 联合党支部
  (glossary: ``same_as_parent``, ``legal_entity_unit``, ``joint``).
"""

from __future__ import annotations

from zugong.core.codes import CodeTable

ECONOMIC_CONTROL = CodeTable(
    "经济控制类型",
    {"state_controlled": "国有经济控制", "collective_controlled": "集体经济控制",
     "non_public_controlled": "非公有经济控制"},
    aliases={"国有": "state_controlled", "国有控股": "state_controlled", "国有企业": "state_controlled",
             "集体": "collective_controlled", "集体企业": "collective_controlled",
             "非公有": "non_public_controlled", "非公": "non_public_controlled", "非公有制": "non_public_controlled",
             "非公有制经济控制": "non_public_controlled",
             # 企业控制（控股）情况 of the national layout (issue #9)
             "国有绝对控股": "state_controlled", "国有相对控股": "state_controlled", "国有独资": "state_controlled",
             "国有控股企业": "state_controlled", "集体控股": "collective_controlled", "集体控股企业": "collective_controlled",
             "私人控股": "non_public_controlled", "私营控股": "non_public_controlled",
             "港澳台商控股": "non_public_controlled", "外商控股": "non_public_controlled",
             "非公有制控股": "non_public_controlled"},
)
ENTERPRISE_SIZE = CodeTable(
    "企业规模",
    {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"},
    aliases={"大型企业": "large", "中型企业": "medium", "小型企业": "small", "微型企业": "micro",
             "大": "large", "中": "medium", "小": "small", "微": "micro"},
)
ORGAN_LEVEL = CodeTable(
    "机关层级",
    {"central": "中央一级", "provincial": "省（区、市）一级", "prefectural": "市（地、州、盟）一级",
     "county": "县（市、区、旗）一级"},
    aliases={"中央": "central", "省级": "provincial", "省": "provincial", "市级": "prefectural", "地市级": "prefectural",
             "市": "prefectural", "县级": "county", "县": "county"},
)
UNIT_RELATION = CodeTable(
    "党组织所在单位情况",
    {"same_as_parent": "与上级党组织相同", "legal_entity_unit": "法人单位", "joint": "联合党支部"},
    aliases={"与上级相同": "same_as_parent", "同上级": "same_as_parent", "法人": "legal_entity_unit",
             "联合": "joint",
             # the national layout's wording (issue #9)
             "与上级党组织所在单位相同": "same_as_parent", "同上级党组织": "same_as_parent",
             "法人单位建立党组织": "legal_entity_unit", "单独建立": "legal_entity_unit", "法人单位单独建立": "legal_entity_unit",
             "单独组建": "legal_entity_unit", "联合建立": "joint", "联合组建": "joint",
             "多个法人单位联合建立": "joint", "联合建立党组织": "joint"},
)
