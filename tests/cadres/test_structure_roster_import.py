"""干部名册 import (issue #12 item 8): header variants, position of the two 毕业院校及专业, bad rows, nothing
written on failure, idempotence, export → import round trip, the CLI."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_cadre, make_id, make_post
from tests.imports.helpers import xlsx
from zugong.cadres.models import Appointment, Cadre, Education, RankRecord
from zugong.cadres.structure.exporters import ROSTER_HEADERS, roster_xlsx
from zugong.cadres.structure.importers import import_cadre_roster
from zugong.core.importing import ImportFailed
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 1)


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Person, Cadre, Education, RankRecord)}


def run(ct, content: bytes, *, user=None, **kw):
    return import_cadre_roster(io.BytesIO(content), user=user or ct.cadre_user, filename="名册.xlsx", today=TODAY,
                               **kw)


def test_new_cadres_with_header_variants(ct):
    number = make_id(dt.date(1986, 5, 12), "2")
    headers = ["序号", "工作单位", "姓名", "现任职务", "性别", "民族", "籍贯", "出生日期", "入党日期", "参加工作日期",
               "全日制教育", "毕业院校系及专业", "在职学历", "毕业院校系及专业", "任现职务时间", "任同职级时间", "职级",
               "编制类型", "备注", "身份证号"]
    row = [1, "U-A", "钱晓", "甲镇副镇长", "女", "汉", "江苏南京", "1986.05", "2008.06", "2009.07",
           "大学本科 法学学士", "南京大学法学专业", "研究生", "中央党校法律专业", "2020.01", "2018.03", "二级主任科员",
           "行政编制", "", number]
    result = run(ct, xlsx([headers, row], title_rows=[["甲镇干部名册"]]))
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    cadre = Cadre.objects.get(person__name="钱晓")
    person = cadre.person
    assert cadre.unit == ct.unit_town_a and person.sex == "2" and person.ethnicity == "01"
    assert person.birth_date == dt.date(1986, 5, 12)  # from the ID number
    assert person.work_start_date == dt.date(2009, 7, 1) and person.political_status == "01"
    assert cadre.current_post_title == "甲镇副镇长" and cadre.native_place == "江苏南京"
    assert cadre.current_post_since == dt.date(2020, 1, 1) and cadre.same_level_since == dt.date(2018, 3, 1)
    assert cadre.party_joined_date == dt.date(2008, 6, 1) and cadre.establishment_type == "administrative"
    ft = cadre.educations.get(category="full_time")
    assert (ft.education_text, ft.education_level, ft.degree_text, ft.degree) == ("大学本科", "20", "法学学士", "4")
    assert ft.education_school_major == "南京大学法学专业"
    ins = cadre.educations.get(category="in_service")
    assert (ins.education_text, ins.education_level, ins.education_school_major) == ("研究生", "10", "中央党校法律专业")
    rank = cadre.ranks.get()
    assert (rank.rank, rank.start_date, rank.end_date) == ("principal_clerk_2", TODAY, None)


def test_school_columns_follow_their_education_column(ct):
    cadre = make_cadre(ct.unit_town_a, "孙立", birth_date=dt.date(1980, 3, 15))
    headers = ["单位", "姓名", "出生年月", "在职教育", "毕业院校及专业", "全日制学历", "毕业院校及专业"]
    run(ct, xlsx([headers, ["甲镇", "孙立", "1980.03", "研究生", "省委党校", "大学本科", "浙江大学"]]))
    assert cadre.educations.get(category="in_service").education_school_major == "省委党校"
    assert cadre.educations.get(category="full_time").education_school_major == "浙江大学"


def test_update_by_name_and_birth_month_and_idempotent(ct):
    cadre = make_cadre(ct.unit_town_a, "周明", birth_date=dt.date(1978, 11, 3), current_post_title="旧职务")
    content = xlsx([list(ROSTER_HEADERS),
                    [1, "甲镇", "周明", "甲镇党委书记", "男", "汉族", "", "1978.11", "", "", "", "", "", "", "2022.05",
                     "2019.06", "一级主任科员", "", "备注一"]])
    before = counts()
    first = run(ct, content)
    assert (first.created, first.updated, first.unchanged) == (0, 1, 0)
    cadre.refresh_from_db()
    assert cadre.current_post_title == "甲镇党委书记" and cadre.note == "备注一"
    assert cadre.person.birth_date == dt.date(1978, 11, 3)  # the exact stored date is kept
    assert cadre.current_post_since == dt.date(2022, 5, 1)
    after_first = counts()
    assert after_first["RankRecord"] == before["RankRecord"] + 1 and after_first["Cadre"] == before["Cadre"]
    second = run(ct, content)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert counts() == after_first


def test_bad_rows_reported_and_nothing_written(ct):
    make_cadre(ct.unit_town_a, "吴刚", birth_date=dt.date(1985, 1, 2))
    headers = list(ROSTER_HEADERS)
    good = [1, "甲镇", "吴刚", "甲镇副镇长", "男", "汉族", "", "1985.01", "", "", "", "", "", "", "2020.01", "", "", "",
            ""]
    bad = [2, "甲镇", "郑强", "", "男", "火星族", "", "1985.13", "", "", "", "", "", "", "", "", "", "", ""]
    bad_rank = [3, "乙镇", "吴刚", "", "", "", "", "1985.01", "", "", "", "", "", "", "", "", "三级科员", "", ""]
    before = counts()
    with pytest.raises(ImportFailed) as info:
        run(ct, xlsx([headers, good, bad, bad_rank]))
    errors = {(e.row, e.column): e.reason for e in info.value.errors}
    assert "不是有效日期" in errors[(3, "出生年月")]
    assert errors[(3, "民族")] == "未知的民族「火星族」"
    assert "不存在或不在您的干部信息导入范围内" in errors[(4, "单位")]
    assert errors[(4, "职级")] == "未知的职级「三级科员」"
    assert counts() == before
    assert Cadre.objects.get(person__name="吴刚").current_post_title == ""


def test_failure_after_writing_started_writes_nothing(ct, monkeypatch):
    make_cadre(ct.unit_town_a, "王一", birth_date=dt.date(1981, 1, 2))
    make_cadre(ct.unit_town_a, "王二", birth_date=dt.date(1982, 1, 2))
    rows = [[i, "甲镇", name, "新职务", "", "", "", birth, "", "", "", "", "", "", "", "", "一级科员", "", ""]
            for i, (name, birth) in enumerate((("王一", "1981.01"), ("王二", "1982.01")), start=1)]
    calls = []
    original = RankRecord.objects.create

    def fail_second(**kw):
        calls.append(kw)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")
        return original(**kw)

    monkeypatch.setattr(RankRecord.objects, "create", fail_second)
    before = counts()
    with pytest.raises(RuntimeError):
        run(ct, xlsx([list(ROSTER_HEADERS), *rows]))
    assert counts() == before
    assert set(Cadre.objects.values_list("current_post_title", flat=True)) == {""}


def test_same_name_and_birth_month_needs_id(ct):
    make_cadre(ct.unit_town_a, "陈红", birth_date=dt.date(1980, 3, 1))
    make_cadre(ct.unit_firm_a, "陈红", birth_date=dt.date(1980, 3, 20))
    with pytest.raises(ImportFailed) as info:
        run(ct, xlsx([["单位", "姓名", "出生年月"], ["甲镇", "陈红", "1980.03"]]))
    assert "公民身份号码" in info.value.errors[0].reason
    with pytest.raises(ImportFailed) as info:
        run(ct, xlsx([["单位", "姓名", "出生年月"], ["甲镇", "新人", "1980.03"]]))
    assert "新增干部须填写「公民身份号码」" in info.value.errors[0].reason


def test_out_of_scope_id_number_refused(ct):
    foreign = make_cadre(ct.unit_town_b, "外单位", birth_date=dt.date(1983, 4, 5))
    number = foreign.person.id_number
    with pytest.raises(ImportFailed) as info:
        run(ct, xlsx([["单位", "姓名", "出生年月", "公民身份号码"], ["甲镇", "外单位", "1983.04", number]]))
    assert info.value.errors[0].column == "公民身份号码"
    assert Cadre.objects.get(pk=foreign.pk).unit == ct.unit_town_b


def test_export_import_round_trip(ct):
    post = make_post(ct.unit_town_a, "镇长", level="141")
    cadre = make_cadre(ct.unit_town_a, "冯军", birth_date=dt.date(1979, 2, 14), native_place="安徽合肥",
                       party_joined_date=dt.date(2001, 7, 1), establishment_type="administrative", note="在岗")
    Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2020, 6, 1))
    Education.objects.create(cadre=cadre, category="full_time", education_text="大学本科", education_level="21",
                             degree_text="工学学士", degree="4", education_school_major="合肥工业大学土木工程专业")
    RankRecord.objects.create(cadre=cadre, rank="principal_clerk_1", start_date=dt.date(2021, 1, 1))
    other = make_cadre(ct.unit_firm_a, "蒋华", sex="2", birth_date=dt.date(1990, 9, 9))
    RankRecord.objects.create(cadre=other, rank="clerk_1", start_date=dt.date(2020, 1, 1))
    content, _name = roster_xlsx(user=ct.cadre_user, unit=ct.unit_town_a, as_of=TODAY)
    before = counts()
    result = run(ct, content)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert counts() == before
    with pytest.raises(ImportFailed):  # the foreign user may not import into 甲镇
        run(ct, content, user=ct.cadre_b_user)


def test_cli(ct, tmp_path, capsys):
    make_cadre(ct.unit_firm_a, "褚亮", birth_date=dt.date(1984, 6, 6))
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx([["姓名", "出生年月", "职务"], ["褚亮", "1984.06", "厂长"]]))
    call_command("import_cadres", str(path), "--user", ct.cadre_user.username, "--unit", "U-A-E", "--dry-run",
                 "--no-progress")
    assert "试运行" in capsys.readouterr().out
    assert Cadre.objects.get(person__name="褚亮").current_post_title == ""
    call_command("import_cadres", str(path), "--user", ct.cadre_user.username, "--unit", "U-A-E", "--no-progress")
    assert Cadre.objects.get(person__name="褚亮").current_post_title == "厂长"
    with pytest.raises(CommandError):
        call_command("import_cadres", str(path), "--user", ct.cadre_b_user.username, "--unit", "U-A-E",
                     "--no-progress")


def test_template_has_the_roster_columns():
    from zugong.cadres.structure.importers import roster_template

    wb = openpyxl.load_workbook(io.BytesIO(roster_template()))
    assert tuple(c.value for c in wb["干部名册"][1]) == ROSTER_HEADERS


def test_number_held_outside_the_scope_goes_through_the_oracle(ct, settings):
    """A 公民身份号码 held by a cadre of another unit (乙镇) is answered through ``people.oracle`` (audited,
    counted); once the daily budget is spent, that row and every new-cadre row get the same neutral refusal,
    so a roster cannot probe numbers beyond the budget. Nothing is written either way."""
    from zugong.audit.models import AuditEvent
    from zugong.people.oracle import THROTTLED_MESSAGE

    foreign = make_cadre(ct.unit_town_b, "外镇干部", birth_date=dt.date(1979, 2, 3))
    number = foreign.person.id_number
    new_number = make_id(dt.date(1990, 1, 2), "1")
    headers = ["单位", "姓名", "性别", "出生年月", "公民身份号码"]
    content = xlsx([headers, ["U-A", "外镇干部", "男", "1979.02", number], ["U-A", "新干部", "男", "1990.01", new_number]])
    before = counts()
    with pytest.raises(ImportFailed) as failed:
        run(ct, content)
    messages = {(e.row, e.reason) for e in failed.value.errors}
    assert any("已登记" in m for _, m in messages) and not any(THROTTLED_MESSAGE in m for _, m in messages)
    assert AuditEvent.objects.filter(kind="id_exists_probe", actor_id=ct.cadre_user.pk).count() == 1
    settings.ZUGONG_ID_PROBE_DAILY_LIMIT = 1  # the one answer above spent today's budget
    with pytest.raises(ImportFailed) as failed:
        run(ct, content)
    throttled = [e for e in failed.value.errors if THROTTLED_MESSAGE in e.reason]
    assert len(throttled) == 2 and not any("已登记" in e.reason for e in failed.value.errors)
    assert counts() == before
