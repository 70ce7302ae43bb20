"""Serializers of the people API: a person with masked sensitive values and its ``version``."""

from __future__ import annotations

from rest_framework import serializers

from zugong.people.models import Person


class PersonSerializer(serializers.ModelSerializer):
    """人员（公民身份号码、手机号码只给出掩码）。修改时须带上读取时的 ``version``。"""

    sex_label = serializers.CharField(read_only=True, help_text="性别")
    ethnicity_label = serializers.CharField(read_only=True, help_text="民族")
    education_label = serializers.CharField(read_only=True, help_text="学历")
    political_status_label = serializers.CharField(read_only=True, help_text="政治面貌")
    title_level_label = serializers.CharField(read_only=True, help_text="专业技术职务等级（高级/中级/初级）；无为空")
    organization_code = serializers.CharField(source="organization.code", read_only=True, default=None,
                                              help_text="所属组织代码")

    class Meta:
        model = Person
        fields = ["id", "name", "sex", "sex_label", "ethnicity", "ethnicity_label", "birth_date", "id_number_masked",
                  "phone_masked", "education_level", "education_label", "political_status", "political_status_label",
                  "work_start_date", "taiwan_origin", "title_level", "title_level_label", "organization",
                  "organization_code", "version", "updated_at"]
        read_only_fields = fields


class PersonPatchSerializer(serializers.Serializer):
    """``PATCH /api/people/{id}/``: ``version`` (required, the one read) plus any fields to change;
    ``id_number`` and ``phone`` in plaintext (stored encrypted, never echoed)."""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号；与当前版本不一致时返回 409")
    name = serializers.CharField(label="姓名", required=False, max_length=50)
    sex = serializers.CharField(label="性别", required=False)
    ethnicity = serializers.CharField(label="民族", required=False)
    birth_date = serializers.CharField(label="出生日期", required=False)
    education_level = serializers.CharField(label="学历", required=False, allow_blank=True)
    political_status = serializers.CharField(label="政治面貌", required=False, allow_blank=True)
    work_start_date = serializers.CharField(label="参加工作日期", required=False, allow_blank=True, allow_null=True)
    id_number = serializers.CharField(label="公民身份号码", required=False, allow_blank=True, write_only=True)
    phone = serializers.CharField(label="手机号码", required=False, allow_blank=True, write_only=True)
    taiwan_origin = serializers.BooleanField(label="台湾省籍", required=False, help_text="台湾省籍（党内统计年报第二表）")
    title_level = serializers.CharField(label="专业技术职务等级", required=False, allow_blank=True,
                                        help_text="专业技术职务等级：senior 高级 / intermediate 中级 / junior 初级，或名称、职称"
                                                  "（如 高级工程师）；空为无")


class PersonCreateSerializer(serializers.Serializer):
    """``POST /api/people/``: a new person in ``organization`` (id). Codes as GB code, standard name or
    short form; dates ``YYYY-MM-DD``; ``id_number``/``phone`` in plaintext (stored encrypted, never echoed).
    With ``admission_date`` the person is registered as a party member (新增党员): ``occupation`` is then
    required and ``full_membership_date``/``category``/``front_line``/``start_date`` and the 年报 fields of
    the 工作岗位 (``ownership``, ``migrant_worker``, ``migrant_business``, ``front_line_kind``) apply. The checks are
    the roster import's (``people.validators``, ``party.validators``)."""

    organization = serializers.IntegerField(label="所在党组织", help_text="所在党组织ID（须有该组织的「基本信息·新增」权限；党员另须「党员信息·新增」）")
    name = serializers.CharField(label="姓名", max_length=50, help_text="姓名")
    sex = serializers.CharField(label="性别", help_text="性别：1/2、男/女")
    ethnicity = serializers.CharField(label="民族", help_text="民族：GB 3304 代码或名称")
    birth_date = serializers.CharField(label="出生日期", help_text="出生日期")
    id_number = serializers.CharField(label="公民身份号码", write_only=True, help_text="公民身份号码（18 位，须与出生日期、性别一致）")
    education_level = serializers.CharField(label="学历", required=False, allow_blank=True, help_text="学历")
    political_status = serializers.CharField(label="政治面貌", required=False, allow_blank=True,
                                             help_text="政治面貌（党员由人员类别决定，忽略此项）")
    work_start_date = serializers.CharField(label="参加工作日期", required=False, allow_blank=True, allow_null=True, help_text="参加工作日期")
    phone = serializers.CharField(label="手机号码", required=False, allow_blank=True, write_only=True, help_text="手机号码")
    taiwan_origin = serializers.BooleanField(label="台湾省籍", required=False, default=False,
                                             help_text="台湾省籍（党内统计年报第二表）")
    title_level = serializers.CharField(label="专业技术职务等级", required=False, allow_blank=True, default="",
                                        help_text="专业技术职务等级：高级 / 中级 / 初级（或代码、职称名称如 高级工程师）；空为无")
    admission_date = serializers.CharField(label="入党日期", required=False, allow_blank=True, allow_null=True,
                                           help_text="入党日期；填写则作为党员登记")
    full_membership_date = serializers.CharField(label="转正日期", required=False, allow_blank=True, allow_null=True, help_text="转正日期")
    category = serializers.ChoiceField(label="人员类别", choices=["full", "probationary"], required=False,
                                       help_text="人员类别：full 正式党员 / probationary 预备党员")
    occupation = serializers.CharField(label="工作岗位", required=False, allow_blank=True,
                                       help_text="工作岗位（党员必填）：党内统计年报岗位（如 事业单位专业技术人员、农民工）、公报类别"
                                                 "或代码，可带单位所有制（如 非公有制单位·企业管理人员）")
    front_line = serializers.BooleanField(label="生产工作一线", required=False, allow_null=True, default=None,
                                          help_text="生产工作一线（填了一线类别即为是）")
    ownership = serializers.CharField(label="单位所有制", required=False, allow_blank=True,
                                      help_text="public 公有制单位 / non_public 非公有制单位；不填按工作岗位或所在单位确定"
                                                "（企业、工勤技能岗位确定不了时须填写）")
    migrant_worker = serializers.BooleanField(label="农民工", required=False, allow_null=True, default=None,
                                              help_text="农民工（只用于工勤技能人员；工作岗位写「农民工」亦可）")
    migrant_business = serializers.BooleanField(label="外出务工经商人员", required=False, allow_null=True, default=None,
                                                help_text="外出务工经商人员（只用于农牧渔民；工作岗位写「外出务工经商人员」亦可）")
    front_line_kind = serializers.CharField(label="一线类别", required=False, allow_blank=True,
                                            help_text="一线类别：企业生产 / 农村生产 / 教学科研 / 其他一线（或代码）")
    start_date = serializers.CharField(label="编入日期", required=False, allow_blank=True, allow_null=True,
                                       help_text="编入该组织日期（默认入党日期）")
