"""Serializers of the members API (read-only): one roster row (``party.selectors.RosterRow``)."""

from __future__ import annotations

from rest_framework import serializers

from zugong.core.codes import occupation_label_of
from zugong.party.selectors import roster_row


class OrganizationRefSerializer(serializers.Serializer):
    """所在党组织 (reference)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="组织代码")
    name = serializers.CharField(help_text="组织名称")


class MemberSerializer(serializers.Serializer):
    """党员名册的一行：截至 ``as_of`` 的人员类别和周岁年龄；公民身份号码只给出掩码。民族、学历、工作岗位
    可能未登记（导入时缺少，信息不完整）：代码和名称均为空字符串，页面显示「未填」。"""

    person_id = serializers.IntegerField(help_text="人员ID（/api/members/{person_id}/）")
    name = serializers.CharField(help_text="姓名")
    sex = serializers.CharField(help_text="性别代码（GB/T 2261.1）")
    sex_label = serializers.CharField(help_text="性别")
    ethnicity = serializers.CharField(help_text="民族代码（GB 3304）；未登记为空")
    ethnicity_label = serializers.CharField(help_text="民族；未登记为空")
    birth_date = serializers.DateField(help_text="出生日期")
    age = serializers.IntegerField(help_text="年龄（截至日期的周岁）")
    education_level = serializers.CharField(help_text="学历代码（GB/T 4658-2006）；未登记为空")
    education_label = serializers.CharField(help_text="学历；未登记为空")
    category = serializers.CharField(help_text="人员类别：full 正式党员 / probationary 预备党员（截至日期）")
    category_label = serializers.CharField(help_text="人员类别")
    admission_date = serializers.DateField(allow_null=True, help_text="入党日期")
    full_membership_date = serializers.DateField(allow_null=True, help_text="转正日期（截至日期尚未转正为空）")
    occupation = serializers.CharField(help_text="工作岗位代码（党内统计公报的八类）；未登记为空")
    occupation_label = serializers.CharField(help_text="工作岗位：有党内统计年报岗位（如 事业单位专业技术人员）时为该岗位，否则为公报类别；"
                                                       "岗位不定所有制时前加单位所有制（如 非公有制单位·企业管理人员），"
                                                       "农民工、外出务工经商人员显示为该项；未登记为空。可原样导入")
    occupation_detail = serializers.CharField(help_text="党内统计年报的工作岗位代码（core.codes.OCCUPATION_DETAIL）；没有为空")
    ownership = serializers.CharField(help_text="单位所有制：public 公有制单位 / non_public 非公有制单位；非在岗职工或未确定为空")
    migrant_worker = serializers.BooleanField(help_text="农民工（工勤技能人员 其中）")
    migrant_business = serializers.BooleanField(help_text="外出务工经商人员（农牧渔民 其中）")
    front_line = serializers.BooleanField(help_text="生产工作一线")
    front_line_kind = serializers.CharField(help_text="一线类别：enterprise_production 企业生产 / rural_production 农村生产 / "
                                                      "teaching_research 教学科研 / other 其他一线；不在一线为空")
    organization = OrganizationRefSerializer(help_text="所在党组织")
    id_number_masked = serializers.CharField(help_text="公民身份号码（掩码）")
    start_date = serializers.DateField(help_text="进入所在党组织日期")
    as_of = serializers.DateField(help_text="截至日期")

    def to_representation(self, instance):
        return super().to_representation(roster_row(instance))


class MembershipPeriodSerializer(serializers.Serializer):
    """一段组织关系（``[start_date, end_date)``）；``version`` 为办理转接、结束时须带上的版本号。"""

    id = serializers.IntegerField()
    organization = OrganizationRefSerializer(help_text="党组织")
    start_date = serializers.DateField(help_text="起始日期")
    end_date = serializers.DateField(allow_null=True, help_text="截止日期（不含；空为至今）")
    end_reason = serializers.CharField(help_text="离开原因代码")
    occupation = serializers.CharField(help_text="工作岗位代码；未登记为空")
    occupation_label = serializers.CharField(help_text="工作岗位（显示名，同名册）")
    occupation_detail = serializers.CharField(help_text="党内统计年报的工作岗位代码（core.codes.OCCUPATION_DETAIL）；没有为空")
    ownership = serializers.CharField(help_text="单位所有制：public 公有制单位 / non_public 非公有制单位；非在岗职工或未确定为空")
    migrant_worker = serializers.BooleanField(help_text="农民工（工勤技能人员 其中）")
    migrant_business = serializers.BooleanField(help_text="外出务工经商人员（农牧渔民 其中）")
    front_line = serializers.BooleanField(help_text="生产工作一线")
    front_line_kind = serializers.CharField(help_text="一线类别代码；不在一线为空")
    version = serializers.IntegerField(help_text="版本号")


class MemberRecordSerializer(serializers.Serializer):
    """党员记录与全部组织关系。``version``：党员记录（入党/转正日期）的版本号，转正时须带上。"""

    person_id = serializers.IntegerField()
    admission_date = serializers.DateField(help_text="入党日期")
    full_membership_date = serializers.DateField(allow_null=True, help_text="转正日期")
    version = serializers.IntegerField(help_text="党员记录版本号")
    memberships = MembershipPeriodSerializer(many=True, help_text="组织关系，按起始日期排列")

    def to_representation(self, instance):
        """A ``PartyMember`` (memberships prefetched) or a ``member_record`` dict."""
        return super().to_representation(instance if isinstance(instance, dict) else member_record(instance))


class TransferRequestSerializer(serializers.Serializer):
    """组织关系转接（数据范围内）。"""

    version = serializers.IntegerField(label="版本号", help_text="未结束组织关系的版本号；不一致时返回 409")
    to_organization = serializers.IntegerField(label="转入党组织", help_text="转入党组织ID")
    date = serializers.CharField(label="转接日期", help_text="转接日期 YYYY-MM-DD（自该日起在新组织）")
    occupation = serializers.CharField(label="工作岗位", required=False, allow_blank=True,
                                       help_text="新的工作岗位（不填则不变）：党内统计年报岗位、公报类别或代码，可带单位所有制"
                                                 "（如 非公有制单位·企业管理人员、农民工）")
    front_line = serializers.BooleanField(label="生产工作一线", required=False, allow_null=True, default=None, help_text="生产工作一线（不填则不变）")
    ownership = serializers.CharField(label="单位所有制", required=False, allow_blank=True,
                                      help_text="public 公有制单位 / non_public 非公有制单位（不填则按工作岗位、所在单位确定或不变）")
    migrant_worker = serializers.BooleanField(label="农民工", required=False, allow_null=True, default=None,
                                              help_text="农民工（只用于工勤技能人员；不填则不变）")
    migrant_business = serializers.BooleanField(label="外出务工经商人员", required=False, allow_null=True, default=None,
                                                help_text="外出务工经商人员（只用于农牧渔民；不填则不变）")
    front_line_kind = serializers.CharField(label="一线类别", required=False, allow_blank=True, allow_null=True,
                                            default=None, help_text="一线类别（企业生产/农村生产/教学科研/其他一线；不填则不变）")


class FullMembershipRequestSerializer(serializers.Serializer):
    """转正。"""

    version = serializers.IntegerField(label="版本号", help_text="党员记录版本号；不一致时返回 409")
    full_membership_date = serializers.CharField(label="转正日期", help_text="转正日期 YYYY-MM-DD（入党满一年以后，《党章》第七条）")


class EndRequestSerializer(serializers.Serializer):
    """结束组织关系。"""

    version = serializers.IntegerField(label="版本号", help_text="未结束组织关系的版本号；不一致时返回 409")
    end_date = serializers.CharField(label="截止日期", help_text="截止日期 YYYY-MM-DD")
    reason = serializers.CharField(label="离开原因", help_text="离开原因：death 去世 / withdrawal 退党 / expulsion 开除党籍 / removal 除名 / "
                                             "cancelled 取消预备党员资格 / correction 更正")


def occupation_request(data: dict) -> dict | None:
    """The 工作岗位 of a request body (``occupation`` and the 年报 fields given) as
    ``party.occupations.clean_occupation``'s dict value; ``None`` when none is given (unchanged)."""
    keys = ("occupation", "ownership", "migrant_worker", "migrant_business", "front_line", "front_line_kind")
    value = {k: data[k] for k in keys if data.get(k) is not None and data.get(k) != ""}
    if not value or set(value) == {"front_line"}:
        return None
    return value


def member_record(member) -> dict:
    """``MemberRecordSerializer`` data of a ``PartyMember`` (memberships prefetched with organizations)."""
    return {
        "person_id": member.pk, "admission_date": member.admission_date,
        "full_membership_date": member.full_membership_date, "version": member.version,
        "memberships": [
            {"id": m.pk, "organization": m.organization, "start_date": m.start_date, "end_date": m.end_date,
             "end_reason": m.end_reason, "occupation": m.occupation, "occupation_label": occupation_label_of(m),
             "occupation_detail": m.occupation_detail, "ownership": m.ownership, "migrant_worker": m.migrant_worker,
             "migrant_business": m.migrant_business, "front_line": m.front_line, "front_line_kind": m.front_line_kind,
             "version": m.version}
            for m in sorted(member.person.memberships.all(), key=lambda m: (m.start_date, m.pk))
        ],
    }


class EventSerializer(serializers.Serializer):
    """一条党员变动（``MembershipEvent``）。原党组织、现党组织可能在当前用户数据范围以外（党员本人的变动记录完整显示）。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="人员ID")
    kind = serializers.CharField(help_text="变动类型代码：admission 发展党员 / reinstatement 恢复党籍 / transfer_in 转入组织关系 / "
                                           "exit 出党 / suspension 停止党籍 / death 死亡 / transfer_out 转出组织关系 / "
                                           "transfer 组织关系转接 / full_membership 转正")
    kind_label = serializers.CharField(source="get_kind_display", help_text="变动类型")
    detail = serializers.CharField(help_text="变动情形代码（重新入党、停止党籍后恢复党籍、整建制、出党方式、转正情况）；没有为空")
    detail_label = serializers.CharField(source="get_detail_display", help_text="变动情形")
    date = serializers.DateField(help_text="变动日期（增加自当日起计入，减少自当日起不计入）")
    from_organization = OrganizationRefSerializer(allow_null=True, help_text="原党组织")
    to_organization = OrganizationRefSerializer(allow_null=True, help_text="现党组织")
    counterpart = serializers.CharField(help_text="系统外的对方党组织")
    reason_category = serializers.CharField(help_text="出党原因代码（党内统计年报第十一表）")
    reason_category_label = serializers.CharField(source="get_reason_category_display", help_text="出党原因")
    reason = serializers.CharField(help_text="原因")
    unreachable = serializers.BooleanField(help_text="经多方查找确实无法取得联系（自行脱党除名）")
    extension_months = serializers.IntegerField(allow_null=True, help_text="延长预备期（月）")
    document_number = serializers.CharField(help_text="文号")
    note = serializers.CharField(help_text="备注")


class EventListSerializer(serializers.Serializer):
    """一名人员的全部党员变动，按日期排列；``version`` 为人员记录的版本号，登记变动时须带上。"""

    person_id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="人员记录版本号（每登记一条变动加一）")
    events = EventSerializer(many=True)


class EventRequestSerializer(serializers.Serializer):
    """登记一条党员变动（与人员页面「党员变动」表单相同，由 ``party.services.event_record`` 校验）。"""

    version = serializers.IntegerField(label="版本号", required=False, allow_null=True,
                                       help_text="人员记录版本号（GET 返回的 version）；不一致时返回 409，不填则不检查")
    kind = serializers.CharField(label="变动类型", help_text="变动类型代码或名称，如 exit、出党")
    detail = serializers.CharField(label="变动情形", required=False, allow_blank=True, default="",
                                   help_text="如 readmission 重新入党、after_suspension 停止党籍后恢复党籍、expelled 开除党籍、"
                                             "on_time 按期转正、extended 延长预备期")
    date = serializers.CharField(label="变动日期", help_text="YYYY-MM-DD")
    to_organization = serializers.IntegerField(label="党组织", required=False, allow_null=True,
                                               help_text="接收党组织ID（发展党员、恢复党籍、转入、系统内转接）")
    counterpart = serializers.CharField(label="对方党组织", required=False, allow_blank=True, default="",
                                        help_text="系统外的转入来源或转出去向")
    reason_category = serializers.CharField(label="出党原因", required=False, allow_blank=True, default="",
                                            help_text="出党原因代码或名称（第十一表）")
    reason = serializers.CharField(label="原因", required=False, allow_blank=True, default="")
    unreachable = serializers.BooleanField(label="经多方查找确实无法取得联系", required=False, default=False)
    extension_months = serializers.CharField(label="延长预备期", required=False, allow_blank=True, allow_null=True,
                                             default=None, help_text="月数 6–12，或 半年、一年")
    document_number = serializers.CharField(label="文号", required=False, allow_blank=True, default="")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="")


class EventRevokeRequestSerializer(serializers.Serializer):
    """撤销该人员最近一次党员变动（``party.services.event_revoke``）。"""

    version = serializers.IntegerField(label="版本号", help_text="人员记录版本号（GET …/events/ 返回的 version）；不一致返回 409")
    reason = serializers.CharField(label="撤销原因", required=False, allow_blank=True, default="", max_length=500,
                                   help_text="必填，如「登记有误」")


class EventRevokeResultSerializer(serializers.Serializer):
    """撤销的结果：被撤销（已删除）的变动和人员记录的新版本号。"""

    person_id = serializers.IntegerField()
    event_id = serializers.IntegerField(help_text="已撤销（删除）的党员变动ID")
    kind = serializers.CharField(help_text="变动类型代码")
    date = serializers.DateField(help_text="变动日期")
    version = serializers.IntegerField(help_text="人员记录的新版本号")
