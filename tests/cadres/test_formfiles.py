"""导入干部任免审批表 (issue #12 item 4, ``cadres.formfiles``): mapping, matching, diff, all-or-nothing apply,
scope, archives, the CLI and the page flow."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from PIL import Image

from tests import factories
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.cadres.formfiles import services
from zugong.cadres.formfiles.mapping import party_code, plan_from_form, resolve
from zugong.cadres.lrmx.data import AppointmentFormData, EducationBlock, FamilyLine, Month, ResumeLine
from zugong.cadres.lrmx.mapping import form_from_cadre
from zugong.cadres.lrmx.writer import write_lrmx
from zugong.cadres.models import Cadre, CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.core import idnumber
from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.core.models import ImportJob
from zugong.people.models import Person

FIXTURES = Path(__file__).parent / "fixtures" / "lrmx"
AS_OF = dt.date(2024, 12, 1)
BIRTH = Month(1980, 3)


def jpeg(width=40, height=50) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def form(name="张三", id_number=None, *, birth=BIRTH, sex="男", **fields) -> AppointmentFormData:
    """A complete appointment form (every element filled)."""
    number = id_number if id_number is not None else idnumber.make("420102", dt.date(birth.year, birth.month, 15),
                                                                    7, "1" if sex == "男" else "2")
    values = dict(
        name=name, sex=sex, birth=birth, ethnicity="汉族", native_place="湖北武汉", birthplace="湖北黄陂",
        party_joined=Month(2001, 6), work_start=Month(2002, 7), health="健康", professional_title="经济师",
        specialty="农村经济管理",
        full_time=EducationBlock("大学本科", "法学学士", "华中师范大学政治学系思想政治教育专业", "华中师范大学"),
        in_service=EducationBlock("中央党校研究生", "法学硕士", "中央党校函授学院法律专业", "某大学法学院"),
        current_post="甲镇党委副书记", proposed_post="甲镇党委书记", proposed_removal="甲镇党委副书记职务",
        resume=[ResumeLine(Month(1998, 9), Month(2002, 7), "华中师范大学学习"),
                ResumeLine(Month(2002, 7), Month(2010, 3), "甲镇党政办干事"),
                ResumeLine(Month(2005, 9), Month(2008, 7), "在中央党校函授学院法律专业学习", in_service_study=True),
                ResumeLine(Month(2010, 3), None, "甲镇党委副书记")],
        rewards_punishments="2015年被评为优秀公务员。", assessment_results="2023年年度考核优秀。",
        appointment_reason="工作需要",
        family=[FamilyLine("妻子", "李娟", Month(1982, 8), "中共党员", "甲镇中学教师"),
                FamilyLine("父亲", "张大山", None, "群众", "", deceased=True)],
        reporting_unit="中共某县委组织部", age_reference_date=Month(2024, 11, 1), filled_date=Month(2024, 11, 28),
        filled_by="王五", id_number=number, photo=jpeg(), version="3.2.1.16")
    values.update(fields)
    return AppointmentFormData(**values)


def lrmx(data: AppointmentFormData) -> bytes:
    return write_lrmx(data)


def snapshot() -> dict:
    """Every row of every table the import writes (all fields)."""
    return {model.__name__: sorted((tuple(sorted((k, v) for k, v in row.items() if k != "content"))
                                    for row in model.objects.values()), key=repr)
            for model in (Person, Cadre, Education, ResumeEntry, FamilyMember, CadrePhoto)}


@pytest.fixture
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    return tmp_path


def preview(user, *files, **options):
    return services.form_batch_preview(user=user, files=list(files), **options)


def apply_all(user, batch, **options):
    selected = [f.id for f in batch.files if f.selectable]
    return services.form_batch_apply(user=user, job=batch.job, selected=selected, **options)


# ----- mapping --------------------------------------------------------------------------------------------------


def test_mapping_reads_every_field_with_codes_and_the_birth_day_from_the_id_number():
    plan = plan_from_form(form(name="王 建 国"), today=AS_OF)
    assert not plan.errors
    target = resolve(plan, None)
    assert target.person == {"name": "王建国", "sex": "1", "birth_date": dt.date(1980, 3, 15), "ethnicity": "01",
                             "work_start_date": dt.date(2002, 7, 1), "political_status": "01"}
    assert target.cadre["party_joined_date"] == dt.date(2001, 6, 1)
    assert target.cadre["form_filled_date"] == dt.date(2024, 11, 28)
    assert target.cadre["current_post_title"] == "甲镇党委副书记" and target.cadre["assessment_summary"].startswith("2023")
    full_time = target.educations["full_time"][0]
    assert (full_time.education_level, full_time.degree) == ("", "4") or full_time.degree == "4"
    in_service = target.educations["in_service"][0]
    assert in_service.degree == "3" and in_service.education_text == "中央党校研究生"
    assert [r.in_service_study for r in target.resume] == [False, False, True, False]
    assert target.family[1].deceased and target.photo.width == 40 and target.photo.height == 50


def test_birth_day_is_the_first_when_the_id_number_says_another_month_with_a_warning():
    number = idnumber.make("420102", dt.date(1980, 4, 9), 3, "1")
    plan = plan_from_form(form(id_number=number), today=AS_OF)
    assert resolve(plan, None).person["birth_date"] == dt.date(1980, 3, 1)
    assert any("出生年月" in w and "不一致" in w for w in plan.warnings)


def test_political_status_for_a_democratic_party_and_for_no_party():
    plan = plan_from_form(form(party_joined=Month(1997, 7), other_party="民革"), today=AS_OF)
    assert resolve(plan, None).person["political_status"] == "04"
    assert party_code("九三学社") == "10" and party_code("中国民主同盟盟员") == "05" and party_code("某某党") is None
    plan = plan_from_form(form(party_joined=None), today=AS_OF)
    assert resolve(plan, None).person["political_status"] == "13"


def test_bad_checksum_is_an_error_unless_accepted_and_a_masked_number_is_no_number():
    good = idnumber.make("420102", dt.date(1980, 3, 15), 5, "1")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert any("校验码" in e for e in plan_from_form(form(id_number=bad), today=AS_OF).errors)
    accepted = plan_from_form(form(id_number=bad), accept_bad_checksum=True, today=AS_OF)
    assert not accepted.errors and accepted.id_number == bad and any("校验码" in w for w in accepted.warnings)
    masked = plan_from_form(form(id_number="*****************1"), today=AS_OF)
    assert not masked.errors and masked.id_number == "" and any("脱敏" in w for w in masked.warnings)


def test_unknown_sex_and_ethnicity_are_errors_naming_the_element():
    plan = plan_from_form(form(sex="未知", ethnicity="火星族"), today=AS_OF)
    assert any(e.startswith("XingBie") for e in plan.errors) and any(e.startswith("MinZu") for e in plan.errors)


# ----- preview and apply ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_person_is_previewed_with_every_value_and_created_on_confirm(ct):
    batch = preview(ct.cadre_user, ("张三.lrmx", lrmx(form())))
    [result] = batch.files
    assert result.status == "new" and result.person == "张三" and not result.messages
    shown = {(s, label): new for s, label, _old, new in result.diff}
    assert shown[("基本信息", "出生年月")] == "1980.03.15" and shown[("基本信息", "民族")] == "汉族"
    assert shown[("简历", "第4行")].startswith("2010.03--") and shown[("照片", "照片")] == "新照片（40×50）"
    assert not Person.objects.filter(name="张三").exists() and batch.job.status == "mapping" and batch.job.kind == "lrmx"
    assert "张三" not in batch.job.upload_encrypted  # kept encrypted
    done = apply_all(ct.cadre_user, batch)
    assert done.created == 1 and done.updated == 0
    cadre = Cadre.objects.select_related("person").get()
    assert cadre.unit == ct.unit_town_a and cadre.person.name == "张三" and cadre.person.organization is None
    assert cadre.native_place == "湖北武汉" and cadre.reporting_unit == "中共某县委组织部"
    assert [e.text for e in cadre.resume_entries.order_by("position")][-1] == "甲镇党委副书记"
    assert cadre.family_members.count() == 2 and cadre.educations.count() == 2 and cadre.photo.width == 40
    event = AuditEvent.objects.get(kind="cadre_form_import_create")
    assert event.object_id == str(cadre.pk) and "张三" not in event.summary
    job = ImportJob.objects.get(pk=batch.job.pk)
    assert job.status == "succeeded" and job.upload_encrypted == "" and job.created_count == 1
    with pytest.raises(ValidationFailed):  # confirmed once only
        apply_all(ct.cadre_user, batch)


@pytest.mark.django_db
def test_match_by_id_number_shows_the_field_diff_and_updates_only_what_changed(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "张三", native_place="湖北孝感")
    number = cadre.person.id_number
    services.form_import_direct(user=ct.cadre_user, files=[("a.lrmx", lrmx(form(id_number=number)))])
    changed = form(id_number=number, native_place="湖北襄阳", resume=form().resume[:2], health="良好")
    batch = preview(ct.cadre_user, ("b.lrmx", lrmx(changed)))
    [result] = batch.files
    assert result.status == "changed"
    assert ["基本信息", "籍贯", "湖北武汉", "湖北襄阳"] in result.diff
    assert ["基本信息", "健康状况", "健康", "良好"] in result.diff
    assert [line[1] for line in result.diff if line[0] == "简历"] == ["第3行", "第4行"]
    assert not any(line[0] in ("家庭成员", "照片", "学历学位") for line in result.diff)
    family_ids = list(FamilyMember.objects.values_list("pk", flat=True))
    apply_all(ct.cadre_user, batch)
    cadre.refresh_from_db()
    assert cadre.native_place == "湖北襄阳" and cadre.resume_entries.count() == 2
    assert list(FamilyMember.objects.values_list("pk", flat=True)) == family_ids  # untouched rows stay
    event = AuditEvent.objects.filter(kind="cadre_form_import_update").order_by("pk").last()
    assert "籍贯" in event.data["fields"] and "张三" not in event.summary
    assert event.data["changes"]["cadres.cadre.native_place"] == ["湖北武汉", "湖北襄阳"]


@pytest.mark.django_db
def test_match_by_name_and_birth_month_without_id_number_and_ambiguity_is_an_error(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "李四", birth_date=dt.date(1979, 5, 20))
    batch = preview(ct.cadre_user, ("a.lrmx", lrmx(form("李四", "", birth=Month(1979, 5)))))
    [result] = batch.files
    assert result.status == "changed" and result.person == "李四"
    apply_all(ct.cadre_user, batch)
    assert Cadre.objects.count() == 1 and Cadre.objects.get().native_place == "湖北武汉"
    assert Person.objects.get(pk=cadre.person_id).birth_date == dt.date(1979, 5, 20)  # the day is kept
    factories.make_cadre(ct.unit_firm_a, "李四", birth_date=dt.date(1979, 5, 3))
    [result] = preview(ct.cadre_user, ("a.lrmx", lrmx(form("李四", "", birth=Month(1979, 5))))).files
    assert result.status == "error" and "公民身份号码" in result.messages[0] and "2 名" in result.messages[0]
    [result] = preview(ct.cadre_user, ("a.lrmx", lrmx(form("王五", "", birth=Month(1979, 5))))).files
    assert result.status == "error" and "新增人员须填写公民身份号码" in result.messages[0]


@pytest.mark.django_db
def test_unchanged_file_is_reported_and_not_selectable(ct):
    services.form_import_direct(user=ct.cadre_user, files=[("a.lrmx", lrmx(form()))])
    batch = preview(ct.cadre_user, ("a.lrmx", lrmx(form())))
    assert [f.status for f in batch.files] == ["unchanged"] and batch.files[0].diff == []
    with pytest.raises(ValidationFailed) as info:
        services.form_batch_apply(user=ct.cadre_user, job=batch.job, selected=[1])
    assert "无需导入" in info.value.errors[0].reason


@pytest.mark.django_db
def test_apply_is_all_or_nothing_a_failure_on_the_third_file_saves_nothing(ct, monkeypatch):
    files = [(f"{n}.lrmx", lrmx(form(n, idnumber.make("420102", dt.date(1980, 3, 15), i, "1"))))
             for i, n in enumerate(("甲一", "甲二", "甲三"), start=11)]
    batch = preview(ct.cadre_user, *files)
    assert [f.status for f in batch.files] == ["new"] * 3
    before = snapshot()
    calls = []
    from zugong.cadres.formfiles import writing as module

    real = module.record_event

    def failing(kind, **kwargs):
        calls.append(kind)
        if len(calls) == 3:  # two cadres written and audited, then the third fails
            raise RuntimeError("disk full")
        return real(kind, **kwargs)

    monkeypatch.setattr(module, "record_event", failing)
    with pytest.raises(RuntimeError):
        apply_all(ct.cadre_user, batch)
    assert snapshot() == before and not AuditEvent.objects.filter(kind="cadre_form_import_create").exists()
    assert ImportJob.objects.get(pk=batch.job.pk).status == "mapping"  # still waiting: may be confirmed again
    monkeypatch.setattr(module, "record_event", real)
    assert apply_all(ct.cadre_user, batch).created == 3


@pytest.mark.django_db
def test_a_file_with_errors_refuses_the_batch_with_a_row_per_file_and_nothing_saved(ct):
    cadre = factories.make_cadre(ct.unit_town_a, "张三")
    batch = preview(ct.cadre_user, ("ok.lrmx", lrmx(form("赵六"))),
                    ("edit.lrmx", lrmx(form(id_number=cadre.person.id_number))))
    assert [f.status for f in batch.files] == ["new", "changed"]
    Cadre.objects.filter(pk=cadre.pk).update(health="病休")  # changed by someone after the preview
    before = snapshot()
    with pytest.raises(ValidationFailed) as info:
        apply_all(ct.cadre_user, batch)
    assert [e.row for e in info.value.errors] == [2] and "重新上传预览" in info.value.errors[0].reason
    assert snapshot() == before


@pytest.mark.django_db
def test_a_cadre_outside_the_scope_is_refused_without_leaking_its_record(ct):
    other = factories.make_cadre(ct.unit_town_a, "张三", native_place="湖北孝感", health="秘密状况")
    batch = preview(ct.cadre_b_user, ("a.lrmx", lrmx(form(id_number=other.person.id_number))))
    [result] = batch.files
    assert result.status == "error" and result.diff == []
    text = str(result.as_dict())
    assert "孝感" not in text and "秘密状况" not in text and "甲镇" not in text
    assert result.messages[0] in (services.ELSEWHERE, services.NOT_TELLING)
    assert AuditEvent.objects.filter(kind="id_exists_probe").exists()  # answered through the oracle
    with pytest.raises(ValidationFailed):
        services.form_batch_apply(user=ct.cadre_b_user, job=batch.job, selected=[1])
    assert Cadre.objects.get(pk=other.pk).native_place == "湖北孝感"


@pytest.mark.django_db
def test_new_cadres_only_in_a_unit_of_the_add_scope_and_batches_are_owner_scoped(ct):
    with pytest.raises(OutOfScope):
        preview(ct.cadre_user, ("a.lrmx", lrmx(form())), unit=ct.unit_town_b)
    batch = preview(ct.cadre_user, ("a.lrmx", lrmx(form())), unit=ct.unit_firm_a)
    with pytest.raises(OutOfScope):
        services.form_batch_apply(user=ct.cadre_b_user, job=batch.job, selected=[1])
    with pytest.raises(OutOfScope):
        services.form_batch_apply(user=ct.cadre_user, job=batch.job, selected=[1], unit=ct.unit_town_b.pk)
    apply_all(ct.cadre_user, batch)
    assert Cadre.objects.get().unit == ct.unit_firm_a
    # the county user holds grants on one top unit: its default; town_user has no cadre label at all
    assert services.default_unit(ct.county_user) == ct.unit_county
    with pytest.raises(Exception) as info:
        preview(ct.town_user, ("a.lrmx", lrmx(form())))
    assert "权限" in str(info.value)


@pytest.mark.django_db
def test_two_files_of_one_person_in_a_batch(ct):
    data = lrmx(form())
    batch = preview(ct.cadre_user, ("a.lrmx", data), ("b.lrmx", data))
    assert [f.status for f in batch.files] == ["new", "error"] and "同一人员" in batch.files[1].messages[0]


@pytest.mark.django_db
def test_a_record_changed_between_planning_and_writing_is_a_concurrent_edit(ct, monkeypatch):
    from zugong.cadres.formfiles import services as module
    from zugong.core.errors import ConcurrentEdit

    cadre = factories.make_cadre(ct.unit_town_a, "张三")
    batch = preview(ct.cadre_user, ("a.lrmx", lrmx(form(id_number=cadre.person.id_number))))
    real = module._load_existing

    def meanwhile(items):
        real(items)
        Cadre.objects.filter(pk=cadre.pk).update(version=cadre.version + 5)  # someone saves after the read

    monkeypatch.setattr(module, "_load_existing", meanwhile)
    with pytest.raises(ConcurrentEdit):
        apply_all(ct.cadre_user, batch)
    stored = Cadre.objects.get(pk=cadre.pk)
    assert stored.native_place == "" and stored.version == cadre.version + 5 and not stored.resume_entries.exists()
    assert not AuditEvent.objects.filter(kind="cadre_form_import_update").exists()


# ----- archives -------------------------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_zip_with_nested_folders_lrm_and_pic_and_other_files_skipped(ct):
    archive = _zip({"一科/张三.lrmx": lrmx(form()),
                    "二科/sub/every_element.lrm": (FIXTURES / "every_element.lrm").read_bytes(),
                    "二科/sub/every_element.pic": (FIXTURES / "every_element.pic").read_bytes(),
                    "Thumbs.db": b"x"})
    batch = preview(ct.cadre_user, ("forms.zip", archive))
    assert [f.name for f in batch.files] == ["forms.zip/一科/张三.lrmx", "forms.zip/二科/sub/every_element.lrm"]
    assert batch.skipped == ["forms.zip/Thumbs.db"]
    lrm = batch.files[1]
    # the .lrm has no ID number: a new person cannot be created from it
    assert lrm.status == "error" and any("公民身份号码" in m for m in lrm.messages)
    assert any(line[0] == "照片" for line in batch.files[0].diff)
    # … but it updates the cadre of that name and birth month, its .pic photo included
    factories.make_cadre(ct.unit_town_a, "王建国", birth_date=dt.date(1975, 3, 15))
    lrm = preview(ct.cadre_user, ("forms.zip", archive)).files[1]
    assert lrm.status == "changed" and lrm.person == "王建国"
    assert ["基本信息", "政治面貌", "群众", "中国国民党革命委员会会员"] in lrm.diff
    assert any(line[0] == "照片" and line[3].startswith("新照片") for line in lrm.diff)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../evil.lrmx", "/etc/evil.lrmx", "a/../../evil.lrmx", "C:/evil.lrmx"])
def test_zip_with_traversal_names_is_refused_whole(ct, name):
    archive = _zip({"ok.lrmx": lrmx(form()), name: lrmx(form("李四"))})
    with pytest.raises(ValidationFailed) as info:
        preview(ct.cadre_user, ("forms.zip", archive))
    assert "不安全的路径" in info.value.message and not ImportJob.objects.exists()


@pytest.mark.django_db
def test_too_many_files_are_refused(ct, monkeypatch):
    from zugong.cadres.formfiles import files as batchfiles

    monkeypatch.setattr(batchfiles, "MAX_FILES", 2)
    archive = _zip({f"{n}.lrmx": b"x" for n in range(3)})
    with pytest.raises(ValidationFailed) as info:
        preview(ct.cadre_user, ("forms.zip", archive))
    assert "超过上限 2 个" in info.value.message
    with pytest.raises(ValidationFailed):
        preview(ct.cadre_user, *[(f"{n}.lrmx", b"x") for n in range(3)])


@pytest.mark.django_db
def test_zip_bomb_and_damaged_zip_are_refused(ct):
    bomb = _zip({"big.lrmx": b"\0" * (30 * 1024 * 1024)})
    with pytest.raises(ValidationFailed) as info:
        preview(ct.cadre_user, ("bomb.zip", bomb))
    assert "压缩炸弹" in info.value.message
    with pytest.raises(ValidationFailed) as info:
        preview(ct.cadre_user, ("bad.zip", b"PK\x03\x04 not really"))
    assert "无法打开" in info.value.message


@pytest.mark.django_db
def test_archives_over_the_total_decompressed_size_are_refused_whole(ct, monkeypatch):
    from zugong.cadres.formfiles import files as batchfiles
    from zugong.cadres.lrmx.reader import MAX_FILE_BYTES

    # form files are small: 200 MB in all (≈ 5000 files × 40 KB); a member still reaches the reader's 10 MB check
    assert batchfiles.MAX_TOTAL_BYTES == 200 * 1024 * 1024 and batchfiles.MAX_MEMBER_BYTES > MAX_FILE_BYTES
    monkeypatch.setattr(batchfiles, "MAX_TOTAL_BYTES", 1000)
    archive = _zip({"a.lrmx": b"x" * 600, "b.lrmx": b"y" * 600})
    with pytest.raises(ValidationFailed) as info:
        preview(ct.cadre_user, ("forms.zip", archive))
    assert "压缩包「forms.zip」解压后过大：本批文件解压后合计超过上限 0 MB" in info.value.message
    assert "请分批导入" in info.value.message and not ImportJob.objects.exists()
    batch = preview(ct.cadre_user, ("forms.zip", _zip({"a.lrmx": b"x" * 600})))
    assert [f.name for f in batch.files] == ["forms.zip/a.lrmx"]


@pytest.mark.django_db
def test_unreadable_and_hostile_files_are_error_rows(ct):
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Person><XingMing>&x;</XingMing></Person>'
    batch = preview(ct.cadre_user, ("xxe.lrmx", xxe), ("a.docx", b"PK"), ("ok.lrmx", lrmx(form())))
    assert [f.status for f in batch.files] == ["error", "error", "new"]
    assert "root" not in str(batch.files[0].messages) and ".lrmx" in batch.files[1].messages[0]


# ----- round trip -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cadre_user", "county_user"])
def test_round_trip_every_element_import_export_import_changes_nothing(ct, who):
    user = getattr(ct, who)
    first = services.form_import_direct(user=user, files=[("every_element.lrmx",
                                                           (FIXTURES / "every_element.lrmx").read_bytes())],
                                        unit=ct.unit_town_a)
    assert [f.status for f in first.files] == ["new"], first.files[0].messages
    cadre = Cadre.objects.select_related("person").get()
    assert cadre.person.name == "王建国" and cadre.other_party == "民革" and cadre.person.political_status == "04"
    before = snapshot()
    exported = write_lrmx(form_from_cadre(cadre, as_of=AS_OF, user=user))
    again = services.form_import_direct(user=user, files=[("exported.lrmx", exported)])
    assert [(f.status, f.diff, f.messages) for f in again.files] == [("unchanged", [], [])]
    assert snapshot() == before
    built = services.form_import_direct(user=user, files=[("built.lrmx", lrmx(form(name="周七")))])
    assert built.created == 1
    seven = Cadre.objects.get(person__name="周七")
    before = snapshot()
    exported = write_lrmx(form_from_cadre(seven, as_of=AS_OF, user=user))
    again = services.form_import_direct(user=user, files=[("exported.lrmx", exported)])
    assert [(f.status, f.diff) for f in again.files] == [("unchanged", [])] and snapshot() == before


# ----- CLI ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_dry_run_writes_nothing_and_a_real_run_imports_a_folder(ct, tmp_path, capsys):
    folder = tmp_path / "forms" / "sub"
    folder.mkdir(parents=True)
    (folder / "张三.lrmx").write_bytes(lrmx(form()))
    (tmp_path / "forms" / "李四.lrmx").write_bytes(lrmx(form("李四", idnumber.make("420102", dt.date(1981, 1, 2), 9, "2"),
                                                             birth=Month(1981, 1), sex="女")))
    call_command("import_lrmx", str(tmp_path / "forms"), user="cadre_a", dry_run=True, no_progress=True)
    out = capsys.readouterr().out
    assert "[新增] sub/张三.lrmx  张三" in out and "籍贯：（空） → 湖北武汉" in out and "试运行" in out
    assert not Person.objects.filter(name__in=["张三", "李四"]).exists()
    call_command("import_lrmx", str(tmp_path / "forms"), user="cadre_a", unit="U-A-E", no_progress=True)
    assert Cadre.objects.filter(unit=ct.unit_firm_a).count() == 2
    call_command("import_lrmx", str(tmp_path / "forms"), user="cadre_a", no_progress=True)
    assert "无变化 2" in capsys.readouterr().out


@pytest.mark.django_db
def test_cli_exit_codes(ct, tmp_path):
    good, bad = tmp_path / "good.lrmx", tmp_path / "bad.lrmx"
    good.write_bytes(lrmx(form()))
    bad.write_bytes(lrmx(form(sex="未知")))
    with pytest.raises(CommandError) as info:
        call_command("import_lrmx", str(tmp_path), user="cadre_a", no_progress=True)
    assert info.value.returncode == 1 and not Person.objects.filter(name="张三").exists()
    with pytest.raises(CommandError) as info:
        call_command("import_lrmx", str(good), user="cadre_a", unit="U-B", no_progress=True)
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        call_command("import_lrmx", str(good), user="nobody", no_progress=True)
    assert info.value.returncode == 2


# ----- pages ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_flow_upload_preview_confirm(ct, client, private_tmp):
    cadre = factories.make_cadre(ct.unit_town_a, "张三", native_place="湖北孝感")
    login(client, ct.cadre_user)
    url = reverse("cadres:form_import")
    page = client.get(url)
    assert page.status_code == 200 and "导入干部任免审批表" in page.content.decode() and "甲镇" in page.content.decode()
    archive = _zip({"a/张三.lrmx": lrmx(form(id_number=cadre.person.id_number)), "a/新人.lrmx": lrmx(form("新人"))})
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"files": [SimpleUploadedFile("forms.zip", archive)], "unit": ct.unit_town_a.pk})
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="lrmx")
    assert response["Location"] == reverse("cadres:form_import", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "有变化" in page and "新增" in page and "湖北孝感" in page and "湖北武汉" in page
    assert 'class="new">湖北武汉' in page and "确认导入所选文件" in page
    # another user's batch is a 404
    other = login(type(client)(), ct.cadre_b_user)
    assert other.get(response["Location"]).status_code == 404
    assert other.post(response["Location"], {"selected": ["1", "2"]}).status_code == 404
    # confirm only the change
    response = client.post(reverse("cadres:form_import", args=[job.pk]), {"selected": ["1"], "unit": ct.unit_town_a.pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增干部 0 名，更新 1 名" in page and "已导入" in page
    assert Cadre.objects.get(pk=cadre.pk).native_place == "湖北武汉" and not Person.objects.filter(name="新人").exists()


@pytest.mark.django_db
def test_page_refuses_without_the_cadre_import_permission(ct, client):
    login(client, ct.town_user)
    assert client.get(reverse("cadres:form_import")).status_code == 403
