"""Serializers of the members API (read-only): one roster row (``party.selectors.RosterRow``)."""

from __future__ import annotations

from rest_framework import serializers

from zugong.party.selectors import roster_row


class OrganizationRefSerializer(serializers.Serializer):
    """所在党组织 (reference)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="组织代码")
    name = serializers.CharField(help_text="组织名称")


class MemberSerializer(serializers.Serializer):
    """党员名册的一行：截至 ``as_of`` 的人员类别和周岁年龄；公民身份号码只给出掩码。"""

    person_id = serializers.IntegerField(help_text="人员ID（/api/members/{person_id}/）")
    name = serializers.CharField(help_text="姓名")
    sex = serializers.CharField(help_text="性别代码（GB/T 2261.1）")
    sex_label = serializers.CharField(help_text="性别")
    ethnicity = serializers.CharField(help_text="民族代码（GB 3304）")
    ethnicity_label = serializers.CharField(help_text="民族")
    birth_date = serializers.DateField(help_text="出生日期")
    age = serializers.IntegerField(help_text="年龄（截至日期的周岁）")
    education_level = serializers.CharField(help_text="学历代码（GB/T 4658-2006）")
    education_label = serializers.CharField(help_text="学历")
    category = serializers.CharField(help_text="人员类别：full 正式党员 / probationary 预备党员（截至日期）")
    category_label = serializers.CharField(help_text="人员类别")
    admission_date = serializers.DateField(allow_null=True, help_text="入党日期")
    full_membership_date = serializers.DateField(allow_null=True, help_text="转正日期（截至日期尚未转正为空）")
    occupation = serializers.CharField(help_text="工作岗位代码")
    occupation_label = serializers.CharField(help_text="工作岗位")
    front_line = serializers.BooleanField(help_text="生产工作一线")
    organization = OrganizationRefSerializer(help_text="所在党组织")
    id_number_masked = serializers.CharField(help_text="公民身份号码（掩码）")
    start_date = serializers.DateField(help_text="进入所在党组织日期")
    as_of = serializers.DateField(help_text="截至日期")

    def to_representation(self, instance):
        return super().to_representation(roster_row(instance))
