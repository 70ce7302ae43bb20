"""Reports API serializers: the query parameters of ``/api/stats/party/`` and the response schema
(derived from the rule table, so the OpenAPI document always lists the 公报's exact keys)."""

from __future__ import annotations

from rest_framework import serializers

from zugong.core.codes import OCCUPATION
from zugong.reports.services import COMMUNIQUE_RULES, DEVELOPMENT_LABELS, ORG_LABELS, SHARE_LABELS


class PartyStatisticsQuerySerializer(serializers.Serializer):
    """``org`` 组织代码 (required) and ``as_of`` 截至日期 (``YYYY-MM-DD``, default today)."""

    org = serializers.CharField(max_length=50, help_text="组织代码（统计该组织及其下级组织）",
                                error_messages={"required": "请指定组织代码（org）。",
                                                "blank": "请指定组织代码（org）。"})
    as_of = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="截至日期 YYYY-MM-DD，默认今天",
                                  error_messages={"invalid": "截至日期格式应为 YYYY-MM-DD。"})


def _counts(labels) -> dict:
    return {"type": "object", "properties": {label: {"type": "integer"} for label in labels},
            "required": list(labels)}


def party_statistics_schema() -> dict:
    """OpenAPI schema of the ``party_statistics`` result."""
    occupations = [OCCUPATION.label(code) for code in COMMUNIQUE_RULES.occupations]
    development = _counts(DEVELOPMENT_LABELS)
    development["properties"]["职业"] = _counts(occupations)
    development["required"].append("职业")
    shares = {"type": "object", "description": "占党员总数的百分比，保留一位小数；党员总数为 0 时为 null",
              "properties": {label: {"type": "number", "nullable": True} for label in SHARE_LABELS}}
    properties = {
        "截至日期": {"type": "string", "format": "date"},
        "党员总数": {"type": "integer"},
        "正式党员": {"type": "integer"},
        "预备党员": {"type": "integer"},
        "基层组织": _counts(ORG_LABELS),
        **{label: {"type": "integer"} for label in SHARE_LABELS},
        "占比": shares,
        "年龄": _counts([band.label for band in COMMUNIQUE_RULES.age_bands]),
        "入党时间": _counts([era.label for era in COMMUNIQUE_RULES.admission_eras]),
        "职业": _counts(occupations),
        "发展党员": development,
        "入党申请人": {"type": "integer"},
        "入党积极分子": {"type": "integer"},
    }
    return {"type": "object", "properties": properties, "required": list(properties)}
