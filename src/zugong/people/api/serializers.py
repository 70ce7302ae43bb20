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
    organization_code = serializers.CharField(source="organization.code", read_only=True, default=None,
                                              help_text="所属组织代码")

    class Meta:
        model = Person
        fields = ["id", "name", "sex", "sex_label", "ethnicity", "ethnicity_label", "birth_date", "id_number_masked",
                  "phone_masked", "education_level", "education_label", "political_status", "political_status_label",
                  "work_start_date", "organization", "organization_code", "version", "updated_at"]
        read_only_fields = fields


class PersonPatchSerializer(serializers.Serializer):
    """``PATCH /api/people/{id}/``: ``version`` (required, the one read) plus any fields to change;
    ``id_number`` and ``phone`` in plaintext (stored encrypted, never echoed)."""

    version = serializers.IntegerField(help_text="读取时的版本号；与当前版本不一致时返回 409")
    name = serializers.CharField(required=False, max_length=50)
    sex = serializers.CharField(required=False)
    ethnicity = serializers.CharField(required=False)
    birth_date = serializers.CharField(required=False)
    education_level = serializers.CharField(required=False, allow_blank=True)
    political_status = serializers.CharField(required=False, allow_blank=True)
    work_start_date = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, write_only=True)
    phone = serializers.CharField(required=False, allow_blank=True, write_only=True)
