"""Services of the cadre record (cadres.record.services): each refusal writes nothing, stale edits are
refused, the person's basic fields change through the cadre, child records, the photo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from tests import factories
from zugong.audit.models import AuditEvent
from zugong.cadres.models import AnnualAssessment, Cadre, CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.cadres.record import services
from zugong.cadres.record.validators import education_code_of_text, parse_month, resume_warnings
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1982, 5, 17)


def _counts():
    return (Person.objects.count(), Cadre.objects.count(), Education.objects.count(), ResumeEntry.objects.count(),
            FamilyMember.objects.count(), AnnualAssessment.objects.count(), CadrePhoto.objects.count())


def _new(ct, **kw):
    values = dict(user=ct.cadre_user, unit_code="U-A", name="赵干部", id_number=factories.make_id(BIRTH, "1"), sex="男",
                  ethnicity="汉族", birth_date="1982-05-17", education_level="大学本科")
    values.update(kw)
    return services.cadre_create(**values)


def _reasons(exc) -> str:
    return "；".join(f"{e.column}:{e.reason}" for e in exc.value.errors)


def jpeg(size=(80, 100)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


# ----- cadre_create -----------------------------------------------------------------------------------------


def test_create_new_person_kept_by_the_unit(ct):
    cadre = _new(ct, profile={"native_place": "浙江杭州", "establishment_type": "行政编制",
                              "party_joined_date": "2004.06"})
    person = cadre.person
    assert (cadre.unit, person.name, person.sex, person.ethnicity, person.education_level) == (
        ct.unit_town_a, "赵干部", "1", "01", "20")
    assert person.organization is None and person.birth_date == BIRTH
    assert (cadre.native_place, cadre.establishment_type, cadre.party_joined_date) == (
        "浙江杭州", "administrative", dt.date(2004, 6, 1))
    event = AuditEvent.objects.get(kind="cadre_create")
    assert (event.object_type, event.object_id, event.data["unit"]) == ("cadres.cadre", str(cadre.pk), "U-A")


@pytest.mark.parametrize("kw, field, reason", [
    ({"id_number": "110105198205171234"}, "公民身份号码", "校验码"),
    ({"birth_date": "1982-05-18"}, "出生日期", "不一致"),
    ({"sex": "女"}, "性别", "不一致"),
    ({"ethnicity": "火星族"}, "民族", "无法识别"),
    ({"name": ""}, "姓名", "必填"),
    ({"profile": {"party_joined_date": "1985.13"}}, "入党时间", "不是有效日期"),
    ({"profile": {"establishment_type": "临时工"}}, "编制类型", "无法识别"),
])
def test_create_refusals_write_nothing(ct, kw, field, reason):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        _new(ct, **kw)
    assert any(e.column == field and reason in e.reason for e in exc.value.errors), _reasons(exc)
    assert _counts() == before


def test_create_in_a_unit_outside_the_scope_is_not_found(ct):
    before = _counts()
    with pytest.raises(OutOfScope):
        _new(ct, unit_code="U-B")
    with pytest.raises(OutOfScope):  # 党务工作者 on U-A holds no cadre label
        _new(ct, user=ct.town_user)
    assert _counts() == before


def test_create_links_an_existing_person_by_id_number(ct):
    member = ct.member_a1_1  # a party member of branch A1, seen by the county user (basic.view)
    people = Person.objects.count()
    cadre = services.cadre_create(user=ct.county_user, unit_code="U-A", name="张伟", id_number=member.id_number)
    assert cadre.person_id == member.pk and Person.objects.count() == people
    assert not AuditEvent.objects.filter(kind="id_exists_probe").exists()  # in scope: no oracle answer
    assert AuditEvent.objects.get(kind="cadre_create").data["linked"] is True
    # a second cadre record of the same person is refused; so is another name for the number
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_create(user=ct.county_user, unit_code="U-B", name="张伟", id_number=member.id_number)
    assert "已有干部信息" in _reasons(exc)
    other = ct.member_b1_1
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_create(user=ct.county_user, unit_code="U-A", name="别人", id_number=other.id_number)
    assert "姓名与已登记的不一致" in _reasons(exc)


def test_create_for_a_person_outside_the_basic_scope_goes_through_the_oracle(ct):
    member = ct.member_a1_1  # the cadre worker holds no grant on the party tree
    cadre = services.cadre_create(user=ct.cadre_user, unit_code="U-A", name="张伟", id_number=member.id_number)
    assert cadre.person_id == member.pk
    assert AuditEvent.objects.filter(kind="id_exists_probe", actor_id=ct.cadre_user.pk).count() == 1


def test_create_refused_once_the_oracle_budget_is_spent(ct, settings):
    settings.ZUGONG_ID_PROBE_DAILY_LIMIT = 1
    services.cadre_create(user=ct.cadre_user, unit_code="U-A", name="张伟", id_number=ct.member_a1_1.id_number)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        _new(ct)
    assert "超过上限" in _reasons(exc)
    assert _counts() == before


# ----- cadre_update / status ----------------------------------------------------------------------------------


def test_update_profile_and_person_fields(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "钱干部", birth_date=BIRTH)
    updated = services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version,
                                    changes={"name": "钱新名", "education_level": "硕士研究生毕业", "health": "健康",
                                             "current_post_since": "2021.03", "unit_code": "U-A-E"})
    person = Person.objects.get(pk=cadre.person_id)
    assert (person.name, person.education_level) == ("钱新名", "14")
    assert (updated.health, updated.current_post_since, updated.unit_id) == ("健康", dt.date(2021, 3, 1),
                                                                               ct.unit_firm_a.pk)
    assert Cadre.objects.get(pk=cadre.pk).version == cadre.version + 1
    event = AuditEvent.objects.get(kind="cadre_update")
    assert "person.name" in event.data["fields"] and "unit" in event.data["fields"]


def test_update_refusals_write_nothing(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "孙干部", birth_date=BIRTH)
    person_before = Person.objects.filter(pk=cadre.person_id).values().first()
    cases = [
        ({"birth_date": "1982-05-18"}, ValidationFailed),  # against the stored ID number
        ({"sex": "女"}, ValidationFailed),
        ({"party_joined_date": "2099-01-01"}, ValidationFailed),
        ({"unit_code": "U-B"}, OutOfScope),
        ({"id_number": factories.make_id(BIRTH, "1")}, PermissionDeniedError),
        ({"version": 1}, ValidationFailed),  # not an editable field
    ]
    for changes, error in cases:
        with pytest.raises(error):
            services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version, changes=changes)
    with pytest.raises(OutOfScope):
        services.cadre_update(user=ct.cadre_b_user, cadre_id=cadre.pk, expected_version=cadre.version,
                              changes={"health": "健康"})
    with pytest.raises(OutOfScope):
        services.cadre_update(user=ct.town_user, cadre_id=cadre.pk, expected_version=cadre.version,
                              changes={"health": "健康"})
    assert Person.objects.filter(pk=cadre.person_id).values().first() == person_before
    assert Cadre.objects.get(pk=cadre.pk).version == cadre.version


def test_stale_update_is_refused_after_the_person_was_written(ct):
    """The person's fields are written first, then the cadre's stale version is refused: both roll back."""
    cadre = factories.make_cadre(ct.unit_town_a, "周干部", birth_date=BIRTH)
    services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version,
                          changes={"health": "良好"})
    with pytest.raises(ConcurrentEdit):
        services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version,
                              changes={"name": "周改名", "health": "一般"})
    assert Person.objects.get(pk=cadre.person_id).name == "周干部"
    assert Cadre.objects.get(pk=cadre.pk).health == "良好"
    with pytest.raises(ConcurrentEdit):  # the person changed since the editor loaded it
        services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version + 1,
                              person_version=0, changes={"name": "周改名"})
    assert Person.objects.get(pk=cadre.person_id).name == "周干部"


def test_set_status(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "吴干部")
    done = services.cadre_set_status(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version,
                                     status="退休", note="2025年退休")
    assert (done.status, done.note) == ("retired", "2025年退休")
    with pytest.raises(ValidationFailed):
        services.cadre_set_status(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=done.version, status="retired")
    with pytest.raises(ValidationFailed):
        services.cadre_set_status(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=done.version, status="下岗")
    with pytest.raises(ConcurrentEdit):
        services.cadre_set_status(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version, status="在职")
    assert Cadre.objects.get(pk=cadre.pk).status == "retired"


# ----- child records -------------------------------------------------------------------------------------------


def test_education_codes_parsed_from_the_text(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "郑干部")
    full = services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="education",
                                     values={"category": "全日制", "education_text": "大学本科", "degree_text": "工学学士",
                                             "school": "浙江大学", "start_date": "2000.09", "end_date": "200407"})
    part = services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="education",
                                     values={"category": "在职教育", "education_text": "省委党校研究生",
                                             "degree_text": "公共管理硕士（MPA）"})
    assert (full.category, full.education_level, full.degree, full.end_date) == ("full_time", "20", "4",
                                                                                  dt.date(2004, 7, 1))
    assert (part.category, part.education_level, part.degree, part.position) == ("in_service", "10", "3", 1)
    changed = services.cadre_record_update(user=ct.cadre_user, kind="education", record_id=part.pk,
                                           expected_version=part.version, changes={"education_text": "中央党校大学"})
    assert changed.education_level == "21"
    with pytest.raises(ConcurrentEdit):
        services.cadre_record_update(user=ct.cadre_user, kind="education", record_id=part.pk,
                                     expected_version=part.version - 1, changes={"school": "x"})


@pytest.mark.parametrize("kind, values, field", [
    ("education", {"category": "夜校", "education_text": "大学"}, "教育类别"),
    ("education", {"category": "全日制"}, "学历"),
    ("education", {"category": "全日制", "education_text": "大学", "start_date": "2004.09", "end_date": "2000.07"},
     "毕业时间"),
    ("resume", {"start_date": "1998.07", "end_date": "1998.07", "text": "某单位"}, "截止时间"),
    ("resume", {"start_date": "1985.13", "text": "某单位"}, "起始时间"),
    ("resume", {"start_date": "1998.07"}, "经历"),
    ("family", {"relation": "父亲"}, "姓名"),
    ("assessment", {"year": "2023", "grade": "很好"}, "考核等次"),
    ("assessment", {"year": "1900", "grade": "优秀"}, "年度"),
])
def test_child_refusals_write_nothing(ct, kind, values, field):
    cadre = factories.make_cadre(ct.unit_town_a, "冯干部")
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind=kind, values=values)
    assert any(e.column == field for e in exc.value.errors), _reasons(exc)
    assert _counts() == before


def test_children_outside_the_scope(ct):
    foreign = factories.make_cadre(ct.unit_town_b, "陈干部")
    for kind, values in (("resume", {"start_date": "2000.09", "text": "x"}), ("family", {"relation": "母亲", "name": "某"}),
                         ("assessment", {"year": "2023", "grade": "称职"})):
        with pytest.raises(OutOfScope):
            services.cadre_record_add(user=ct.cadre_user, cadre_id=foreign.pk, kind=kind, values=values)
    row = ResumeEntry.objects.create(cadre=foreign, start_date=dt.date(2000, 9, 1), text="某校")
    with pytest.raises(OutOfScope):
        services.cadre_record_update(user=ct.cadre_user, kind="resume", record_id=row.pk, expected_version=1,
                                     changes={"text": "改"})
    with pytest.raises(OutOfScope):
        services.cadre_record_delete(user=ct.cadre_user, kind="resume", record_id=row.pk, expected_version=1)
    assert ResumeEntry.objects.get(pk=row.pk).text == "某校"


def test_assessment_needs_the_assessment_label(ct):
    from zugong.accounts.models import Role, RoleGrant

    user = factories.make_user("cadre_no_assessment")
    role = Role.objects.create(code="cadre_only", name="干部信息", permissions=["cadre.view", "cadre.add", "cadre.change"])
    RoleGrant.objects.create(user=user, role=role, unit=ct.unit_town_a)
    cadre = factories.make_cadre(ct.unit_town_a, "褚干部")
    with pytest.raises(PermissionDeniedError):
        services.cadre_record_add(user=user, cadre_id=cadre.pk, kind="assessment", values={"year": "2023", "grade": "优秀"})
    services.cadre_record_add(user=user, cadre_id=cadre.pk, kind="resume", values={"start_date": "2000.09", "text": "x"})
    first = services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="assessment",
                                      values={"year": "2023", "grade": "合格"})
    assert first.grade == "competent"
    with pytest.raises(ValidationFailed) as exc:  # one result per year
        services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="assessment",
                                  values={"year": "2023", "grade": "优秀"})
    assert "已有考核结果" in _reasons(exc)
    with pytest.raises(OutOfScope):  # the row is of label assessment: not visible without it
        services.cadre_record_delete(user=user, kind="assessment", record_id=first.pk, expected_version=first.version)


def test_reorder_move_and_delete(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "卫干部")
    rows = [services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="family",
                                      values={"relation": r, "name": n}) for r, n in (("父亲", "卫甲"), ("母亲", "卫乙"),
                                                                                     ("妻子", "蒋丙"))]
    services.cadre_record_move(user=ct.cadre_user, cadre_id=cadre.pk, kind="family", record_id=rows[2].pk,
                               direction="up")
    order = list(FamilyMember.objects.filter(cadre=cadre).order_by("position").values_list("name", flat=True))
    assert order == ["卫甲", "蒋丙", "卫乙"]
    with pytest.raises(ValidationFailed):
        services.cadre_record_move(user=ct.cadre_user, cadre_id=cadre.pk, kind="family", record_id=rows[0].pk,
                                   direction="up")
    with pytest.raises(ConcurrentEdit):  # the editor's list is not the stored one
        services.cadre_record_reorder(user=ct.cadre_user, cadre_id=cadre.pk, kind="family", order=[rows[0].pk])
    with pytest.raises(ConcurrentEdit):
        services.cadre_record_delete(user=ct.cadre_user, kind="family", record_id=rows[1].pk, expected_version=99)
    services.cadre_record_delete(user=ct.cadre_user, kind="family", record_id=rows[1].pk, expected_version=rows[1].version)
    assert list(FamilyMember.objects.filter(cadre=cadre).values_list("name", flat=True).order_by("position")) == [
        "卫甲", "蒋丙"]
    assert AuditEvent.objects.get(kind="cadre_record_delete").data["values"]["name"] == "卫乙"


# ----- photo ------------------------------------------------------------------------------------------------------


def test_photo_set_replace_and_remove(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "蒋干部")
    photo = services.cadre_photo_set(user=ct.cadre_user, cadre_id=cadre.pk, source=jpeg())
    assert (photo.width, photo.height, len(photo.sha256)) == (80, 100, 64)
    again = services.cadre_photo_set(user=ct.cadre_user, cadre_id=cadre.pk, source=io.BytesIO(jpeg((120, 150))))
    assert again.pk == photo.pk and (again.width, again.height) == (120, 150) and CadrePhoto.objects.count() == 1
    services.cadre_photo_remove(user=ct.cadre_user, cadre_id=cadre.pk)
    assert not CadrePhoto.objects.exists()
    with pytest.raises(ValidationFailed):
        services.cadre_photo_remove(user=ct.cadre_user, cadre_id=cadre.pk)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 50)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("data, reason", [
    (_png(), "检测到 PNG"),  # a PNG renamed 照片.jpg: the bytes decide
    (b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024), "超过 2 MB"),
    (b"\xff\xd8\xff\xe0garbage", "已损坏"),
    (b"", "文件为空"),
    (b"GIF89a....", "检测到 GIF"),
])
def test_photo_refusals_write_nothing(ct, data, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cadre = factories.make_cadre(ct.unit_town_a, "沈干部")
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_photo_set(user=ct.cadre_user, cadre_id=cadre.pk,
                                 source=SimpleUploadedFile("照片.jpg", data, "image/jpeg"))
    assert reason in _reasons(exc)
    assert not CadrePhoto.objects.exists()
    foreign = factories.make_cadre(ct.unit_town_b, "韩干部")
    with pytest.raises(OutOfScope):
        services.cadre_photo_set(user=ct.cadre_user, cadre_id=foreign.pk, source=jpeg())


# ----- validators ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("1994.09", dt.date(1994, 9, 1)), ("199409", dt.date(1994, 9, 1)), ("1994.9", dt.date(1994, 9, 1)),
    ("1994年9月", dt.date(1994, 9, 1)), ("19940915", dt.date(1994, 9, 1)), ("1994.09.15", dt.date(1994, 9, 1)),
    ("1994-09", dt.date(1994, 9, 1)), ("", None),
])
def test_parse_month_variants(text, expected):
    problems = []
    assert parse_month(text, "起始时间", problems) == expected and not problems


@pytest.mark.parametrize("text", ["1985.13", "85.1", "abc", "1899.01"])
def test_parse_month_refusals(text):
    problems = []
    assert parse_month(text, "起始时间", problems) is None and problems[0].field == "起始时间"


@pytest.mark.parametrize("text, code", [
    ("大学本科毕业", "21"), ("大学", "20"), ("研究生", "10"), ("在职研究生", "10"), ("中央党校大学", "21"),
    ("大专", "30"), ("博士研究生", "11"), ("中专", "40"), ("某某学历", ""),
])
def test_education_code_of_text(text, code):
    assert education_code_of_text(text) == code


def test_resume_warnings_gap_overlap_and_study():
    from types import SimpleNamespace as E

    d = dt.date
    entries = [E(start_date=d(1994, 9, 1), end_date=d(1998, 7, 1), in_service_study=False),
               E(start_date=d(1998, 9, 1), end_date=d(2003, 1, 1), in_service_study=False),  # gap
               E(start_date=d(2002, 6, 1), end_date=None, in_service_study=False),  # overlap
               E(start_date=d(2005, 9, 1), end_date=d(2008, 7, 1), in_service_study=True),
               E(start_date=d(1990, 9, 1), end_date=d(1992, 7, 1), in_service_study=True)]  # outside
    kinds = [w.kind for w in resume_warnings(entries)]
    assert kinds == ["gap", "overlap", "outside"]
    continuous = entries[:1] + [E(start_date=d(1998, 7, 1), end_date=None, in_service_study=False)]
    assert resume_warnings(continuous) == []


def test_education_moves_within_its_category(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "杨干部")
    add = lambda cat, text: services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="education",  # noqa: E731
                                                      values={"category": cat, "education_text": text})
    full, study1, study2 = add("全日制", "大学本科"), add("在职", "大学"), add("在职", "研究生")
    with pytest.raises(ValidationFailed):  # the first 在职 row does not move into the 全日制 rows
        services.cadre_record_move(user=ct.cadre_user, cadre_id=cadre.pk, kind="education", record_id=study1.pk,
                                   direction="up")
    services.cadre_record_move(user=ct.cadre_user, cadre_id=cadre.pk, kind="education", record_id=study2.pk,
                               direction="up")
    order = list(Education.objects.filter(cadre=cadre).order_by("position").values_list("pk", flat=True))
    assert order == [full.pk, study2.pk, study1.pk]


def test_replace_all_records_of_a_kind(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "朱干部")
    services.cadre_record_add(user=ct.cadre_user, cadre_id=cadre.pk, kind="resume",
                              values={"start_date": "1990.09", "text": "旧简历"})
    rows = [{"start_date": "1994.09", "end_date": "1998.07", "text": "某大学学习"},
            {"start_date": "1998.07", "text": "某镇科员"},
            {"start_date": "2000.09", "end_date": "2002.07", "text": "省委党校在职研究生学习", "in_service_study": True}]
    records = services.cadre_records_replace(user=ct.cadre_user, cadre_id=cadre.pk, kind="resume", rows=rows)
    assert [(r.text, r.position) for r in records] == [("某大学学习", 0), ("某镇科员", 1), ("省委党校在职研究生学习", 2)]
    assert ResumeEntry.objects.filter(cadre=cadre).count() == 3
    # a bad row names its number and nothing changes
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_records_replace(user=ct.cadre_user, cadre_id=cadre.pk, kind="resume",
                                       rows=[{"start_date": "1994.09", "text": "甲"}, {"start_date": "1985.13", "text": "乙"}])
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "起始时间")]
    assert ResumeEntry.objects.filter(cadre=cadre).count() == 3
    with pytest.raises(ValidationFailed) as exc:
        services.cadre_records_replace(user=ct.cadre_user, cadre_id=cadre.pk, kind="assessment",
                                       rows=[{"year": 2022, "grade": "优秀"}, {"year": 2022, "grade": "称职"}])
    assert exc.value.errors[0].row == 2
    with pytest.raises(OutOfScope):
        services.cadre_records_replace(user=ct.cadre_b_user, cadre_id=cadre.pk, kind="resume", rows=[])
    assert ResumeEntry.objects.filter(cadre=cadre).count() == 3
