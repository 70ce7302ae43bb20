"""Serializers of the organization API: the read shape (``OrganizationSerializer``) and the input of
each write (create, patch, move, dissolve, reactivate), which only parse — the rules are in ``orgs.services``."""

from __future__ import annotations

from rest_framework import serializers

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.orgs.choices import ECONOMIC_CONTROL, ENTERPRISE_SIZE, ORGAN_LEVEL, UNIT_RELATION
from zugong.orgs.models import PartyOrganization, Unit


class OrganizationSerializer(serializers.ModelSerializer):
    """党组织. ``parent_code`` is the parent's 组织代码 when the parent is within the caller's scope
    (``null`` for the top of the scope); ``numchild`` counts direct children."""

    org_type_label = serializers.CharField(read_only=True, help_text="组织类别名称")
    unit_category_label = serializers.CharField(source="get_unit_category_display", read_only=True,
                                                help_text="单位属性名称")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")
    parent_code = serializers.CharField(read_only=True, allow_null=True, help_text="上级组织代码（数据范围内）")
    unit_code = serializers.CharField(source="unit.code", read_only=True, allow_null=True, default=None,
                                      help_text="所在单位代码（法人单位；党组织记录的一部分）")

    class Meta:
        model = PartyOrganization
        fields = ["id", "code", "name", "org_type", "org_type_label", "unit_category", "unit_category_label",
                  "founded_date", "status", "status_label", "dissolved_date", "dissolution_reason", "depth", "numchild",
                  "parent_code", "unit_relation", "unit_code", "version"]
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


# --- units (单位) -----------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    """单位. ``parent_code`` is the parent's 单位代码 when the parent is within the caller's unit scope
    (``null`` for the top of the scope)."""

    unit_category_label = serializers.CharField(source="get_unit_category_display", read_only=True)
    economic_control_label = serializers.CharField(source="get_economic_control_display", read_only=True)
    enterprise_size_label = serializers.CharField(source="get_enterprise_size_display", read_only=True)
    organ_level_label = serializers.CharField(source="get_organ_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    parent_code = serializers.CharField(read_only=True, allow_null=True, help_text="上级单位代码（数据范围内）")

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "unit_category", "unit_category_label", "legal_entity", "credit_code",
                  "economic_control", "economic_control_label", "enterprise_size", "enterprise_size_label",
                  "organ_level", "organ_level_label", "founded_date", "status", "status_label", "dissolved_date",
                  "dissolution_reason", "depth", "numchild", "parent_code", "version"]
        read_only_fields = fields


class _UnitFields(serializers.Serializer):
    name = serializers.CharField(max_length=200, label="单位名称", help_text="单位名称")
    unit_category = CodeOrNameField(UNIT_CATEGORY, max_length=30, label="单位属性",
                                    help_text="单位属性：代码或名称（enterprise/企业 …）")
    legal_entity = serializers.BooleanField(required=False, default=False, label="是否法人单位", help_text="是否法人单位")
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="", label="统一社会信用代码",
                                        help_text="统一社会信用代码（18 位，GB 32100-2015）")
    economic_control = CodeOrNameField(ECONOMIC_CONTROL, max_length=30, required=False, allow_blank=True, default="",
                                       label="经济控制类型",
                                       help_text="经济控制类型（企业）：国有经济控制/集体经济控制/非公有经济控制")
    enterprise_size = CodeOrNameField(ENTERPRISE_SIZE, max_length=10, required=False, allow_blank=True, default="",
                                      label="企业规模",
                                      help_text="企业规模（企业）：大型/中型/小型/微型")
    organ_level = CodeOrNameField(ORGAN_LEVEL, max_length=20, required=False, allow_blank=True, default="",
                                  label="机关层级",
                                  help_text="机关层级（机关）")
    founded_date = serializers.DateField(required=False, allow_null=True, default=None, label="成立日期", help_text="成立日期")


class UnitCreateSerializer(_UnitFields):
    """新增下级单位: under ``parent_code`` (within the caller's ``basic.add`` unit scope; else 404)."""

    parent_code = serializers.CharField(max_length=50, label="上级单位代码", help_text="上级单位代码")
    code = serializers.CharField(max_length=50, label="单位代码", help_text="单位代码")


class UnitPatchSerializer(_UnitFields):
    """修改单位: ``version`` as read (stale → 409) plus any of the editable fields."""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
                field.default = serializers.empty


class UnitMoveSerializer(serializers.Serializer):
    """调整单位隶属关系: the new parent's 单位代码 and the ``version`` as read."""

    new_parent_code = serializers.CharField(max_length=50, label="新的上级单位代码", help_text="新的上级单位代码")
    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")


class OrganizationUnitSerializer(serializers.Serializer):
    """党组织所在单位情况: ``unit_relation`` (same_as_parent/legal_entity_unit/joint or its name; empty clears),
    ``unit_code`` (法人单位) or ``joint_unit_codes`` (联合党支部, at least two), and the ``version``."""

    unit_relation = CodeOrNameField(UNIT_RELATION, max_length=20, allow_blank=True, label="党组织所在单位情况",
                                    help_text="党组织所在单位情况")
    unit_code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="",
                                      help_text="所在单位代码（法人单位）")
    joint_unit_codes = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list,
                                             help_text="联合党支部覆盖的单位代码")
    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号")
