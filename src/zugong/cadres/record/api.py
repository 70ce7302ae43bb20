"""干部信息 API (issue #12 item 3), the same services as the pages:

- ``GET /api/cadres/`` — the cadres of the user's scope (``cadre.view``), filters of ``CadreFilterSet``
  (``?name=``, ``?unit=<单位代码，含下级>``, ``?status=``, ``?sex=``, ``?education=``), paginated without a
  COUNT (``core.api.ScopedPagination``);
- ``GET /api/cadres/{id}/`` — one cadre with 学历学位 (``educations``), 简历 (``resume``), 家庭成员
  (``family``), 年度考核 (``assessments``: only for a user holding ``assessment.view`` on the cadre's unit,
  else ``null``) and the photo's facts (no bytes);
- ``POST /api/cadres/`` — 新增干部 (``services.cadre_create``; ``cadre.add`` on ``unit_code``): 201;
- ``PATCH /api/cadres/{id}/`` — ``services.cadre_update`` with ``version`` (409 when stale) and optional
  ``person_version``.

Outside the scope a cadre is a 404."""

from __future__ import annotations

from rest_framework import serializers

from zugong.cadres.models import AnnualAssessment, Cadre
from zugong.cadres.record import selectors, services
from zugong.cadres.record.filtersets import CadreFilterSet
from zugong.core.api import ScopedModelViewSet
from zugong.core.scoping import can


class EducationOut(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField(help_text="full_time 全日制教育 / in_service 在职教育")
    education_text = serializers.CharField(help_text="学历（原文）")
    education_level = serializers.CharField(help_text="学历代码 GB/T 4658")
    degree_text = serializers.CharField(help_text="学位（原文）")
    degree = serializers.CharField(help_text="学位代码 GB/T 6864 首位")
    education_school_major = serializers.CharField()
    degree_school_major = serializers.CharField()
    school = serializers.CharField()
    major = serializers.CharField()
    start_date = serializers.DateField(allow_null=True, help_text="入学时间（月，记为当月1日）")
    end_date = serializers.DateField(allow_null=True)
    degree_date = serializers.DateField(allow_null=True)
    position = serializers.IntegerField()
    version = serializers.IntegerField()


class ResumeOut(serializers.Serializer):
    id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="空 = 至今")
    text = serializers.CharField()
    in_service_study = serializers.BooleanField(help_text="其间")
    position = serializers.IntegerField()
    version = serializers.IntegerField()


class FamilyOut(serializers.Serializer):
    id = serializers.IntegerField()
    relation = serializers.CharField()
    name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    political_status = serializers.CharField()
    work_unit_and_post = serializers.CharField()
    deceased = serializers.BooleanField()
    position = serializers.IntegerField()
    version = serializers.IntegerField()


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    grade = serializers.CharField(help_text="excellent 优秀 / competent 称职 / basically_competent 基本称职 / "
                                            "incompetent 不称职 / not_graded 不定等次")
    note = serializers.CharField()
    version = serializers.IntegerField()


class CadreListOut(serializers.Serializer):
    """干部名册的一行。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    name = serializers.CharField(source="person.name")
    sex = serializers.CharField(source="person.sex")
    ethnicity = serializers.CharField(source="person.ethnicity")
    birth_date = serializers.DateField(source="person.birth_date")
    education_level = serializers.CharField(source="person.education_level")
    political_status = serializers.CharField(source="person.political_status")
    work_start_date = serializers.DateField(source="person.work_start_date", allow_null=True)
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    unit = serializers.CharField(source="unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="unit.name")
    status = serializers.CharField()
    current_post_title = serializers.CharField(help_text="现任职务（登记值）")
    current_post_since = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class CadreDetailOut(CadreListOut):
    """干部信息（含学历、简历、家庭成员、年度考核）。"""

    person_version = serializers.IntegerField(source="person.version")
    establishment_type = serializers.CharField()
    native_place = serializers.CharField()
    birthplace = serializers.CharField()
    health = serializers.CharField()
    party_joined_date = serializers.DateField(allow_null=True)
    other_party = serializers.CharField()
    professional_title = serializers.CharField()
    specialty = serializers.CharField()
    same_level_since = serializers.DateField(allow_null=True)
    rewards_punishments = serializers.CharField()
    assessment_summary = serializers.SerializerMethodField()  # 年度考核结果: label assessment, like ``assessments``
    identity_since = serializers.DateField(allow_null=True)
    identity_document = serializers.CharField()
    note = serializers.CharField()
    educations = serializers.SerializerMethodField()
    resume = serializers.SerializerMethodField()
    family = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField(help_text="年度考核；无考核评议查看权限时为 null")
    photo = serializers.SerializerMethodField(help_text="照片 {width, height, sha256, url}，无照片为 null")

    def get_educations(self, obj) -> list[dict]:
        return EducationOut(obj.educations.order_by("category", "position", "pk"), many=True).data

    def get_resume(self, obj) -> list[dict]:
        return ResumeOut(obj.resume_entries.order_by("position", "pk"), many=True).data

    def get_family(self, obj) -> list[dict]:
        return FamilyOut(obj.family_members.order_by("position", "pk"), many=True).data

    def get_assessment_summary(self, obj) -> str | None:
        """The form's 年度考核结果 text, ``None`` without ``assessment.view`` on the cadre's unit."""
        return obj.assessment_summary if can(self.context["request"].user, "assessment", "view", obj.unit) else None

    def get_assessments(self, obj) -> list[dict] | None:
        user = self.context["request"].user
        if not can(user, "assessment", "view", obj.unit):
            return None
        rows = AnnualAssessment.objects.restrict(user, "view").filter(cadre=obj).order_by("-year")
        return AssessmentOut(rows, many=True).data

    def get_photo(self, obj) -> dict | None:
        from django.urls import reverse

        from zugong.cadres.models import CadrePhoto

        photo = CadrePhoto.objects.filter(cadre=obj).defer("content").first()
        if photo is None:
            return None
        return {"width": photo.width, "height": photo.height, "sha256": photo.sha256,
                "url": reverse("cadres:cadre_photo", kwargs={"pk": photo.pk})}


class CadreCreateIn(serializers.Serializer):
    """新增干部。"""

    unit_code = serializers.CharField(label="所在单位代码", max_length=50)
    name = serializers.CharField(label="姓名", max_length=50)
    id_number = serializers.CharField(label="公民身份号码", max_length=30)
    sex = serializers.CharField(label="性别", required=False, allow_blank=True, default="")
    ethnicity = serializers.CharField(label="民族", required=False, allow_blank=True, default="")
    birth_date = serializers.CharField(label="出生日期", required=False, allow_blank=True, default="")
    education_level = serializers.CharField(label="学历", required=False, allow_blank=True, default="")
    political_status = serializers.CharField(label="政治面貌", required=False, allow_blank=True, default="")
    work_start_date = serializers.CharField(label="参加工作日期", required=False, allow_blank=True, default="")
    phone = serializers.CharField(label="手机号码", required=False, allow_blank=True, default="")
    profile = serializers.DictField(label="干部信息", required=False, default=dict,
                                    help_text="籍贯、出生地等（字段名同详情）")


class CadrePatchIn(serializers.Serializer):
    """修改干部信息（仅提交要修改的字段）。"""

    version = serializers.IntegerField(label="版本")
    person_version = serializers.IntegerField(label="人员版本", required=False, allow_null=True, default=None)
    unit_code = serializers.CharField(label="所在单位代码", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期", "education_level": "学历",
                  "political_status": "政治面貌", "work_start_date": "参加工作日期", "phone": "手机号码",
                  "id_number": "公民身份号码"}
        for key in (*services.PERSON_FIELDS, "id_number"):
            self.fields[key] = serializers.CharField(label=labels.get(key, key), required=False, allow_blank=True)
        for key in services.PROFILE_FIELDS:
            self.fields[key] = serializers.CharField(label=str(Cadre._meta.get_field(key).verbose_name), required=False,
                                                     allow_blank=True, allow_null=True)


class CadreViewSet(ScopedModelViewSet):
    """干部名册与干部信息 (label ``cadre``; assessments ``assessment``)."""

    model = Cadre
    list_selector = selectors.cadre_list
    serializer_class = CadreListOut
    create_serializer_class = CadreCreateIn
    update_serializer_class = CadrePatchIn
    filterset_class = CadreFilterSet
    not_found = services.NOT_FOUND

    def get_serializer_class(self):
        return CadreListOut if getattr(self, "action", None) == "list" else CadreDetailOut

    def get_queryset(self):
        return super().get_queryset().order_by("unit__path", "pk")

    def create_object(self, data: dict):
        return services.cadre_create(user=self.request.user, **data)

    def update_object(self, obj, *, expected_version: int, changes: dict):
        person_version = changes.pop("person_version", None)
        return services.cadre_update(user=self.request.user, cadre_id=obj.pk, expected_version=expected_version,
                                     person_version=person_version, changes=changes)


