"""三会一课台账 import (import kind ``meetings``, ``life.importers``): all or nothing with a row report, the same
file twice adds nothing, rows outside the scope are row errors, 缺席人员 matched to the roster of the date,
支委会 without a committee is a row warning; the command ``zugong import meetings``; the web pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.imports.helpers import upload_and_confirm, xlsx
from zugong.core.errors import PermissionDeniedError
from zugong.core.importing import ImportFailed
from zugong.core.registry import registry
from zugong.life.importers import import_meetings, meetings_template, split_absentees
from zugong.life.models import Meeting, MeetingAttendance

HEADERS = ["党组织", "会议类型", "日期", "主题", "主持人", "记录人", "应到", "实到", "缺席人员"]
TODAY = dt.date(2025, 6, 30)


def row(org="C-A-1", kind="支部党员大会", day="2025-01-10", topic="学习党章", expected="2", attended="1",
        absent="张伟（病假）", presenter="张伟", recorder="李娜"):
    return [org, kind, day, topic, presenter, recorder, expected, attended, absent]


def run(rows, user, **kw):
    return import_meetings(xlsx([HEADERS, *rows]), user=user, filename="台账.xlsx", today=TODAY, **kw)


def state():
    return (Meeting.objects.count(), MeetingAttendance.objects.count())


def test_import_records_meetings_and_matches_absentees(tree):
    result = run([row(), row(org="甲镇东村党支部", kind="党课", topic="讲党课", expected="1", attended="1", absent=""),
                  row(day=dt.date(2025, 2, 14), topic="二月", absent="张伟、王某某（外出）")], tree.town_user)
    assert (result.created, result.unchanged) == (3, 0)
    m = Meeting.objects.get(topic="学习党章")
    assert (m.source, m.expected_count, m.attended_count, m.absentee_note) == ("import", 2, 1, "")
    row_ = m.attendances.get()
    assert (row_.person_id, row_.status, row_.reason) == (tree.member_a1_1.pk, "absent", "病假")
    assert Meeting.objects.get(topic="讲党课").organization == tree.branch_a2
    feb = Meeting.objects.get(topic="二月")
    assert feb.absentee_note == "王某某（外出）" and feb.attendances.get().reason == "台账未注明原因"


def test_the_same_file_twice_adds_nothing(tree):
    rows = [row(), row(topic="第二次", day="2025/02/01", absent="")]
    assert run(rows, tree.town_user).created == 2
    before = state()
    again = run(rows, tree.town_user)
    assert (again.created, again.unchanged) == (0, 2) and state() == before


def test_one_bad_row_writes_nothing_and_every_error_is_reported(tree):
    before = state()
    with pytest.raises(ImportFailed) as info:
        run([row(),
             row(org="C-B-1", topic="乙镇"),                       # outside the scope
             row(day="2099-01-01", topic="未来"),                 # future
             row(expected="2", attended="3", topic="多于"),       # 实到 > 应到
             row(kind="党小组会", topic="小组"),                   # no groups
             row(kind="茶话会", topic="未知"),
             row(day="2025.03", topic="没有日")], tree.town_user)
    errors = {(e.row, e.column): e.reason for e in info.value.errors}
    assert "不存在或不在您的管理范围内" in errors[(3, "党组织")]
    assert "晚于今天" in errors[(4, "日期")]
    assert "实到人数 3 多于应到人数 2" in errors[(5, "实到")]
    assert "没有设立党小组" in errors[(6, "会议类型")]
    assert "无法识别的会议类型「茶话会」" in errors[(7, "会议类型")]
    assert "须精确到日" in errors[(8, "日期")]
    assert (2, "党组织") not in errors
    assert state() == before


def test_committee_meeting_without_committee_is_a_row_warning(tree):
    result = run([row(kind="支委会", topic="研究发展对象", absent="")], tree.town_user)
    assert result.created == 1
    assert any(w.row == 2 and "班子成员不足 3 人" in w.reason for w in result.warnings)


def test_dry_run_writes_nothing(tree):
    result = run([row()], tree.town_user, dry_run=True)
    assert result.created == 1 and state() == (0, 0)


def test_a_secretary_without_import_permission_is_refused(tree):
    with pytest.raises(PermissionDeniedError):
        run([row()], tree.branch_user)
    assert state() == (0, 0)


def test_split_absentees():
    assert split_absentees("张三（病假、住院）, 李四；王五 (出差)") == [("张三", "病假、住院"), ("李四", ""), ("王五", "出差")]


def test_template_has_the_columns():
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(meetings_template())).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["党组织*", "会议类型*", "日期*", "主题*"] and "缺席人员" in headers


def test_cli_import_meetings(tree, tmp_path):
    assert "meetings" in registry.import_kinds
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx([HEADERS, row(day="2025-01-10")]))
    out = io.StringIO()
    call_command("import_meetings", str(path), user="town_a", dry_run=True, no_progress=True, stdout=out)
    assert "试运行" in out.getvalue() and not Meeting.objects.exists()
    out = io.StringIO()
    call_command("import_meetings", str(path), user="town_a", no_progress=True, stdout=out)
    assert "导入完成：新增 1" in out.getvalue() and Meeting.objects.count() == 1
    path.write_bytes(xlsx([HEADERS, row(org="C-B-1")]))
    with pytest.raises(CommandError):
        call_command("import_meetings", str(path), user="town_a", no_progress=True, stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert Meeting.objects.count() == 1


def test_web_import(tree):
    client = Client()
    client.login(username="town_a", password=PASSWORD)
    url = reverse("life:meeting_import")
    assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload_and_confirm(client, url, {"file": SimpleUploadedFile("台账.xlsx", xlsx([HEADERS, row()]))})
    assert Meeting.objects.filter(topic="学习党章", source="import").exists()
