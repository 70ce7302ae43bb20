"""The appointment-form export of a cadre (issue #12 item 4): record → form mapping, the ``.lrmx`` and Word
downloads (scoped: a foreign cadre is 404, no cadre label is 403/404; audited; ID number masked unless the
user may unmask), the buttons on the cadre page, and ``zugong export lrmx``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from PIL import Image

from tests import factories
from zugong.audit.models import AuditEvent
from zugong.cadres.lrmx.data import EducationBlock, FamilyLine, Month, ResumeLine
from zugong.cadres.lrmx.mapping import form_from_cadre
from zugong.cadres.lrmx.reader import read_lrmx
from zugong.cadres.models import CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.cadres.panels import actions_for

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 30)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jpeg(width=80, height=100) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (9, 9, 9)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def cadre(ct):
    """A cadre of 甲镇 with every part of the record the form shows."""
    c = factories.make_cadre(ct.unit_town_a, "刘洋", birth_date=dt.date(1980, 3, 15), native_place="湖北武汉",
                             birthplace="湖北黄陂", health="健康", party_joined_date=dt.date(2003, 7, 1),
                             other_party="民革", professional_title="经济师", specialty="农村经济",
                             current_post_title="甲镇党委副书记", proposed_post="乙局局长", proposed_removal="甲镇党委副书记",
                             appointment_reason="工作需要", reporting_unit="中共某县委组织部", form_filled_by="赵干事",
                             form_filled_date=dt.date(2025, 6, 1), age_reference_date=dt.date(2025, 6, 1),
                             rewards_punishments="2020年嘉奖", assessment_summary="2024年度考核优秀")
    Education.objects.create(cadre=c, category="in_service", position=0, education_text="中央党校研究生",
                             degree_text="法学硕士", education_school_major="中央党校法律专业")
    Education.objects.create(cadre=c, category="full_time", position=1, education_text="大专")
    Education.objects.create(cadre=c, category="full_time", position=0, education_text="大学", degree_text="法学学士",
                             education_school_major="某大学法律系法律专业", degree_school_major="某大学")
    ResumeEntry.objects.create(cadre=c, position=0, start_date=dt.date(1998, 9, 1), end_date=dt.date(2002, 7, 1),
                               text="某大学法律系法律专业学习")
    ResumeEntry.objects.create(cadre=c, position=1, start_date=dt.date(2002, 7, 1), text="甲镇干部")
    ResumeEntry.objects.create(cadre=c, position=2, start_date=dt.date(2008, 9, 1), end_date=dt.date(2011, 7, 1),
                               text="在中央党校函授学院学习", in_service_study=True)
    FamilyMember.objects.create(cadre=c, position=0, relation="妻子", name="陈静", birth_date=dt.date(1982, 5, 1),
                                political_status="中共党员", work_unit_and_post="某校教师")
    FamilyMember.objects.create(cadre=c, position=1, relation="父亲", name="刘山", deceased=True,
                                political_status="群众")
    photo = _jpeg()
    CadrePhoto.objects.create(cadre=c, content=photo, width=80, height=100, sha256="x")
    return c


def test_form_from_cadre_maps_the_record(ct, cadre):
    form = form_from_cadre(cadre, as_of=AS_OF, user=ct.cadre_user)
    assert (form.name, form.sex, form.birth, form.ethnicity) == ("刘洋", "男", Month(1980, 3), "汉族")
    assert (form.work_start, form.party_joined, form.other_party) == (Month(2002, 7), Month(2003, 7), "民革")
    assert (form.native_place, form.birthplace, form.health) == ("湖北武汉", "湖北黄陂", "健康")
    assert form.full_time == EducationBlock("大学", "法学学士", "某大学法律系法律专业", "某大学")
    assert form.in_service == EducationBlock("中央党校研究生", "法学硕士", "中央党校法律专业", "")
    assert form.current_post == "甲镇党委副书记"  # no appointment recorded: the recorded title
    assert form.resume == [ResumeLine(Month(1998, 9), Month(2002, 7), "某大学法律系法律专业学习"),
                           ResumeLine(Month(2002, 7), None, "甲镇干部"),
                           ResumeLine(Month(2008, 9), Month(2011, 7), "在中央党校函授学院学习", True)]
    assert form.family == [FamilyLine("妻子", "陈静", Month(1982, 5), "中共党员", "某校教师"),
                           FamilyLine("父亲", "刘山", None, "群众", "", True)]
    assert (form.age_reference_date, form.filled_date, form.filled_by) == (Month(2025, 6, 1), Month(2025, 6, 1), "赵干事")
    assert (form.rewards_punishments, form.assessment_results) == ("2020年嘉奖", "2024年度考核优秀")
    assert form.photo == bytes(CadrePhoto.objects.get(cadre=cadre).content)
    # 干部工作人员 holds no unmask: the masked number
    assert form.id_number == cadre.person.id_number_masked and "*" in form.id_number
    assert form_from_cadre(cadre, as_of=AS_OF, user=ct.county_user).id_number == cadre.person.id_number


def test_current_post_from_appointments(ct, cadre):
    from zugong.cadres.models import Appointment

    post = factories.make_post(ct.unit_town_a, "镇长", level="142")
    Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2021, 1, 1))
    assert form_from_cadre(cadre, as_of=AS_OF).current_post == "甲镇镇长"


def test_lrmx_download_round_trips_and_is_audited(ct, cadre):
    response = client_for(ct.cadre_user).get(reverse("cadres:form_lrmx", args=[cadre.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "filename*=utf-8''%E5%B9%B2%E9%83%A8" in response["Content-Disposition"]
    form = read_lrmx(response.content)
    expected = form_from_cadre(cadre, as_of=dt.date.today(), user=ct.cadre_user)
    for name in ("name", "sex", "birth", "resume", "family", "full_time", "in_service", "party_joined", "other_party",
                 "photo", "id_number", "current_post", "filled_date", "age_reference_date"):
        assert getattr(form, name) == getattr(expected, name), name
    event = AuditEvent.objects.filter(kind="export", object_type="cadres.cadre", object_id=str(cadre.pk)).get()
    assert event.data["format"] == "lrmx" and event.data["plaintext"] is False


def test_docx_download(ct, cadre):
    response = client_for(ct.county_user).get(reverse("cadres:form_docx", args=[cadre.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "刘洋" in cells and "1980.03\n（45岁）" in cells
    assert any("2002.07--         甲镇干部" in c for c in cells)
    assert "陈静" in cells and "已去世" in cells
    assert AuditEvent.objects.filter(kind="export", object_id=str(cadre.pk)).get().data["plaintext"] is True


@pytest.mark.parametrize("url_name", ["cadres:form_lrmx", "cadres:form_docx"])
def test_downloads_are_scoped(ct, cadre, url_name):
    url = reverse(url_name, args=[cadre.pk])
    assert client_for(ct.cadre_b_user).get(url).status_code == 404  # another town's cadre worker
    assert client_for(ct.town_user).get(url).status_code in (403, 404)  # no cadre label
    assert not AuditEvent.objects.filter(kind="export", object_type="cadres.cadre").exists()


def test_buttons_on_the_cadre_page(ct, cadre):
    labels = [(a.label, a.url_name) for a in actions_for(ct.cadre_user, cadre) if a.url_name.startswith("cadres:form_")]
    assert labels == [("导出任免审批表", "cadres:form_lrmx"), ("打印任免审批表（Word）", "cadres:form_docx")]
    assert [a for a in actions_for(ct.cadre_b_user, cadre) if a.url_name.startswith("cadres:form_")] == []


def test_cli_export(ct, cadre, tmp_path):
    output = tmp_path / "form.lrmx"
    out = io.StringIO()
    call_command("export_lrmx", "--id-number", cadre.person.id_number.lower(), "--output", str(output),
                 "--user", ct.cadre_user.username, stdout=out)
    assert "已导出「刘洋」的干部任免审批表" in out.getvalue() and "身份证号已脱敏" in out.getvalue()
    assert read_lrmx(output.read_bytes()).name == "刘洋"
    assert oct(output.stat().st_mode & 0o777) == "0o600"
    word = tmp_path / "form.docx"
    call_command("export_lrmx", "--id-number", cadre.person.id_number, "--output", str(word), "--format", "docx",
                 "--user", ct.county_user.username, stdout=io.StringIO())
    assert any(p.text == "干部任免审批表" for p in Document(str(word)).paragraphs)


def test_cli_refuses_out_of_scope_with_exit_2(ct, cadre, tmp_path):
    output = tmp_path / "form.lrmx"
    for user in (ct.cadre_b_user, ct.town_user):
        with pytest.raises(CommandError) as failed:
            call_command("export_lrmx", "--id-number", cadre.person.id_number, "--output", str(output),
                         "--user", user.username, stdout=io.StringIO())
        assert failed.value.returncode == 2 and "不存在或不在您的导出权限范围内" in str(failed.value)
    with pytest.raises(CommandError) as failed:
        call_command("export_lrmx", "--id-number", "110101199001011234", "--output", str(output),
                     "--user", ct.cadre_user.username, stdout=io.StringIO())
    assert failed.value.returncode == 2
    assert not output.exists()
