"""Serializers of the organization API: the read shape (``OrganizationSerializer``) and the input of
each write (create, patch, move, dissolve, reactivate), which only parse — the rules are in ``orgs.services``."""

from __future__ import annotations

from rest_framework import serializers

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
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
                  "founded_date", "status", "status_label", "dissolved_date", "dissolution_reason", "depth", "numchild",
                  "parent_code", "version"]
        read_only_fields = fields


class CodeOrNameField(serializers.CharField):
    """A code of ``table`` given as code, standard name or short form (``branch``, ``党支部``, ``支部``), as
    the importer and the people API take it; an unknown value is passed on for the service to refuse
    by field."""

    def __init__(self, table, **kwargs):
        self.table = table
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return self.table.parse(value) or value


class OrganizationCreateSerializer(serializers.Serializer):
    """新增下级组织: under ``parent_code`` (within the caller's ``party.add`` scope; else 404)."""

    parent_code = serializers.CharField(label="上级组织", max_length=50, help_text="上级组织代码")
    code = serializers.CharField(label="组织代码", max_length=50, help_text="组织代码")
    name = serializers.CharField(label="组织名称", max_length=200, help_text="组织名称")
    org_type = CodeOrNameField(ORG_TYPE, label="组织类别", max_length=20, help_text="组织类别：代码或名称（branch/党支部、committee/党委 …）")
    unit_category = CodeOrNameField(UNIT_CATEGORY, label="单位属性", max_length=30, required=False, allow_blank=True, default="",
                                    help_text="单位属性：代码或名称（township/乡镇 …）")
    founded_date = serializers.DateField(label="成立日期", required=False, allow_null=True, default=None, help_text="成立日期")


class OrganizationPatchSerializer(serializers.Serializer):
    """修改组织: ``version`` as read (stale → 409) plus any of the editable fields."""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")
    name = serializers.CharField(label="组织名称", max_length=200, required=False, help_text="组织名称")
    org_type = CodeOrNameField(ORG_TYPE, label="组织类别", max_length=20, required=False, help_text="组织类别：代码或名称")
    unit_category = CodeOrNameField(UNIT_CATEGORY, label="单位属性", max_length=30, required=False, allow_blank=True,
                                    help_text="单位属性：代码或名称")
    founded_date = serializers.DateField(label="成立日期", required=False, allow_null=True, help_text="成立日期")


class OrganizationMoveSerializer(serializers.Serializer):
    """调整隶属关系: the new parent's 组织代码 and the ``version`` as read."""

    new_parent_code = serializers.CharField(label="上级组织", max_length=50, help_text="新的上级组织代码")
    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")


class OrganizationDissolveSerializer(serializers.Serializer):
    """撤销组织: date, reason and the ``version`` as read."""

    date = serializers.DateField(label="撤销日期", help_text="撤销日期")
    reason = serializers.CharField(label="撤销原因", max_length=200, help_text="撤销原因")
    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")


class OrganizationVersionSerializer(serializers.Serializer):
    """恢复组织: the ``version`` as read."""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")
