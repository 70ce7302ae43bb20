"""Serializers of the organization API (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from zugong.orgs.models import PartyOrganization


class OrganizationSerializer(serializers.ModelSerializer):
    """党组织. ``parent_code`` is the parent's 组织代码 when the parent is within the caller's scope
    (``null`` for the top of the scope); ``numchild`` counts direct children."""

    org_type_label = serializers.CharField(read_only=True, help_text="组织类别名称")
    unit_category_label = serializers.CharField(source="get_unit_category_display", read_only=True,
                                                help_text="单位属性名称")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")
    parent_code = serializers.CharField(read_only=True, allow_null=True, help_text="上级组织代码（数据范围内）")

    class Meta:
        model = PartyOrganization
        fields = ["id", "code", "name", "org_type", "org_type_label", "unit_category", "unit_category_label",
                  "founded_date", "status", "status_label", "dissolved_date", "depth", "numchild", "parent_code"]
        read_only_fields = fields
