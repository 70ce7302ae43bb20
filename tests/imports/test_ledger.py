"""党员变动台账 import (``zugong import changes``, the web page of the registered kind ``changes``): one event per
row through ``party.services.event_record``, all or nothing with a row-level report; 对方党组织 in the scope →
组织关系转接; the bad inputs of issue #10 each with its row, column and article, nothing written."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import make_id
from tests.imports.helpers import upload_and_confirm, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import RowError, ValidationFailed
from zugong.core.models import ImportJob
from zugong.orgs.services import organization_create, organization_dissolve
from zugong.party import services
from zugong.party.ledger import NOT_HELD_MESSAGE, changes_template, import_changes
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

HEADERS = ["公民身份号码", "姓名", "变动类型", "变动日期", "对方党组织", "出党方式", "原因"]
FULL_HEADERS = [*HEADERS, "所在党组织", "延长预备期时间", "转正情况", "文号"]


def line(person, kind, day, counterpart="", way="", reason="", org="", months="", outcome="", document=""):
    """A ledger row of ``FULL_HEADERS`` for ``person`` (a ``Person``; its ID number as text)."""
    return [person.id_number, person.name, kind, day.isoformat() if isinstance(day, dt.date) else day, counterpart,
            way, reason, org, months, outcome, document]


def run(rows, user, headers=FULL_HEADERS, **kwargs):
    return import_changes(xlsx([headers, *rows]), user=user, filename="变动台账.xlsx", **kwargs)


def state():
    return (sorted(MembershipEvent.objects.values_list("pk", "kind", "date")),
            sorted(Membership.objects.values_list("pk", "organization_id", "start_date", "end_date", "version")),
            sorted(Person.objects.values_list("pk", "version", "political_status")),
            sorted(PartyMember.objects.values_list("pk", "full_membership_date")),
            AuditEvent.objects.filter(kind__in=("import", "membership_event")).count())


def rejected(rows, user, headers=FULL_HEADERS) -> list[RowError]:
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(rows, user, headers)
    assert state() == before
    return exc.value.errors


def events(person) -> list[tuple]:
    return list(MembershipEvent.objects.filter(person=person).order_by("date", "pk").values_list(
        "kind", "detail", "date", "from_organization__code", "to_organization__code", "counterpart",
        "extension_months", "reason_category", "reason", "document_number"))


def periods(person) -> list[tuple]:
    return list(Membership.objects.filter(person=person).order_by("start_date", "pk").values_list(
        "organization__code", "start_date", "end_date", "end_reason"))


# --- every kind, end to end -----------------------------------------------------------------------------------


def test_a_year_of_changes_is_recorded_event_by_event(tree):
    zhang, li, wang = tree.member_a1_1, tree.member_a1_2, tree.member_a2_1
    rows = [  # deliberately not in date order: the file is applied by date
        line(li, "延长预备期后转正", "2025-12-20"),
        line(wang, "死亡", dt.date(2025, 3, 1)),
        line(zhang, "转出", dt.date(2025, 4, 1), counterpart="中共外省某县委组织部", document="外组转〔2025〕12号"),
        line(li, "延长预备期", dt.date(2025, 6, 20), months="半年"),
    ]
    result = run(rows, tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert result.details["events"] == {"死亡": 1, "转出组织关系": 1, "转正": 2}
    assert events(wang) == [("death", "", dt.date(2025, 3, 1), "C-A-2", None, "", None, "", "", "")]
    assert periods(wang) == [("C-A-2", dt.date(1980, 5, 4), dt.date(2025, 3, 1), "death")]
    assert events(zhang) == [("transfer_out", "", dt.date(2025, 4, 1), "C-A-1", None, "中共外省某县委组织部", None, "", "",
                              "外组转〔2025〕12号")]
    assert periods(zhang)[-1][2:] == (dt.date(2025, 4, 1), "transfer_out")
    assert [e[:3] + (e[6],) for e in events(li)] == [("full_membership", "extended", dt.date(2025, 6, 20), 6),
                                                     ("full_membership", "after_extension", dt.date(2025, 12, 20), None)]
    li.refresh_from_db()
    assert li.party_member.full_membership_date == dt.date(2025, 12, 20) and li.political_status == "01"
    # through the service: one audited domain event per row, and the import's own audit event
    assert AuditEvent.objects.filter(kind="membership_event").count() == 4
    audit = AuditEvent.objects.get(kind="import", object_type="changes")
    assert audit.data["created"] == 4 and audit.data["events"] == {"死亡": 1, "转出组织关系": 1, "转正": 2}


def test_exit_with_its_way_and_reason_category_then_reinstatement(tree):
    wang = tree.member_a2_1
    run([line(wang, "出党", dt.date(2024, 5, 6), way="开除党籍", reason="违反政治纪律")], tree.town_user)
    assert events(wang) == [("exit", "expelled", dt.date(2024, 5, 6), "C-A-2", None, "", None, "political", "", "")]
    wang.refresh_from_db()
    assert wang.political_status == "13"
    # 恢复党籍 (复查): without 所在党组织, back where he last was
    run([line(wang, "恢复党籍", dt.date(2025, 5, 6), reason="经复查予以恢复")], tree.town_user)
    assert events(wang)[-1][:5] == ("reinstatement", "", dt.date(2025, 5, 6), None, "C-A-2")
    assert periods(wang)[-1] == ("C-A-2", dt.date(2025, 5, 6), None, "")
    # 劝退 given as the 变动类型 itself, the reason as free text
    zhang = tree.member_a1_1
    run([line(zhang, "劝退", dt.date(2025, 7, 1), reason="经多次教育仍无转变")], tree.town_user)
    assert events(zhang)[-1][:2] == ("exit", "persuaded_to_leave") and events(zhang)[-1][7:9] == ("", "经多次教育仍无转变")


def test_suspension_then_restoration_after_suspension(tree):
    wang = tree.member_a2_1
    run([line(wang, "停止党籍", dt.date(2024, 1, 10)),
         line(wang, "停止党籍后恢复党籍", dt.date(2025, 1, 10), org="甲镇东村党支部")], tree.town_user)
    assert [e[:2] for e in events(wang)] == [("suspension", ""), ("reinstatement", "after_suspension")]
    assert periods(wang)[-2:] == [("C-A-2", dt.date(1980, 5, 4), dt.date(2024, 1, 10), "suspension"),
                                  ("C-A-2", dt.date(2025, 1, 10), None, "")]


def test_counterpart_in_the_scope_makes_a_transfer_between_the_two_organizations(tree):
    zhang = tree.member_a1_1
    run([line(zhang, "转出组织关系", dt.date(2025, 3, 1), counterpart="甲镇东村党支部")], tree.town_user)
    assert events(zhang) == [("transfer", "", dt.date(2025, 3, 1), "C-A-1", "C-A-2", "", None, "", "", "")]
    assert periods(zhang) == [("C-A-1", dt.date(2010, 7, 1), dt.date(2025, 3, 1), "transfer"),
                              ("C-A-2", dt.date(2025, 3, 1), None, "")]
    # back again, written from the receiving side: 转入 from C-A-2 (where he is) into 所在党组织 C-A-1
    run([line(zhang, "转入", dt.date(2025, 9, 1), counterpart="C-A-2", org="C-A-1")], tree.town_user)
    assert events(zhang)[-1][:5] == ("transfer", "", dt.date(2025, 9, 1), "C-A-2", "C-A-1")
    zhang.refresh_from_db()
    assert zhang.organization == tree.branch_a1
    # a name written the national way (中共…支部委员会) is matched after normalising, with a warning
    result = run([line(zhang, "组织关系转接", dt.date(2025, 10, 1), counterpart="中共甲镇东村支部委员会")], tree.town_user)
    assert events(zhang)[-1][:5] == ("transfer", "", dt.date(2025, 10, 1), "C-A-1", "C-A-2")
    assert any(w.column == "对方党组织" for w in result.warnings)


def test_same_file_twice_records_nothing_new_and_dry_run_records_nothing(tree):
    wang, zhang = tree.member_a2_1, tree.member_a1_1
    rows = [line(wang, "死亡", dt.date(2025, 3, 1)), line(zhang, "停止党籍", dt.date(2025, 4, 1))]
    before = state()
    dry = run(rows, tree.town_user, dry_run=True)
    assert dry.dry_run and (dry.created, dry.unchanged) == (2, 0) and state() == before
    run(rows, tree.town_user)
    after = state()
    again = run(rows, tree.town_user)
    assert (again.created, again.unchanged) == (0, 2)
    assert state()[:4] == after[:4]


def test_real_header_variants(tree):
    wang = tree.member_a2_1
    headers = ["序号", "身份证号码", "党员姓名", "变动情况", "变动时间", "转往党组织", "出党类型", "出党原因", "批准文号"]
    result = import_changes(xlsx([headers, [1, wang.id_number, wang.name, "出党", "2025.08.08", "", "开除党籍",
                                            "违反政治纪律", "县纪发〔2025〕3号"]]),
                            user=tree.town_user, filename="党员增减变动.xlsx")
    assert result.created == 1
    assert events(wang)[0][:2] == ("exit", "expelled") and events(wang)[0][7] == "political"
    assert events(wang)[0][9] == "县纪发〔2025〕3号"


# --- the bad inputs --------------------------------------------------------------------------------------------


def test_bad_id_number_outside_the_scope_same_answer_as_unknown(tree):
    outsider = tree.member_b1_1  # 乙镇: not in 甲镇's scope
    unknown = make_id(dt.date(1990, 1, 1), "1")
    errors = rejected([line(outsider, "死亡", dt.date(2025, 3, 1)),
                       [unknown, "无名", "死亡", "2025-03-01", "", "", "", "", "", "", ""]], tree.town_user)
    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "公民身份号码", NOT_HELD_MESSAGE),
                                                             (3, "公民身份号码", NOT_HELD_MESSAGE)]
    assert not MembershipEvent.objects.exists()


def test_bad_event_before_the_admission(tree):
    li = tree.member_a1_2  # admitted 2024-06-20
    errors = rejected([line(li, "停止党籍", dt.date(2024, 1, 1))], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "变动日期")]
    assert "早于入党日期 2024-06-20" in errors[0].reason and "《党章》第七条" in errors[0].reason


def test_bad_event_after_death(tree):
    wang = tree.member_a2_1
    errors = rejected([line(wang, "死亡", dt.date(2025, 3, 1)), line(wang, "停止党籍", dt.date(2025, 6, 1))],
                      tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(3, "变动日期")]
    assert "已于 2025-03-01 去世" in errors[0].reason


def test_bad_full_membership_before_one_year_without_extension(tree):
    li = tree.member_a1_2
    errors = rejected([line(li, "转正", dt.date(2025, 1, 10))], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "变动日期")]
    assert "不足一年" in errors[0].reason and "《党章》第七条" in errors[0].reason
    errors = rejected([line(li, "延长预备期后转正", dt.date(2025, 8, 1))], tree.town_user)
    assert errors[0].column == "变动类型" and "没有延长预备期的记录" in errors[0].reason
    errors = rejected([line(li, "延长预备期", dt.date(2025, 6, 20), months="3个月")], tree.town_user)
    assert errors[0].column == "延长预备期时间" and "第三十二条" in errors[0].reason


def test_bad_reinstatement_of_a_member_never_stopped(tree):
    errors = rejected([line(tree.member_a1_1, "恢复党籍", dt.date(2025, 3, 1))], tree.town_user)
    assert {e.column for e in errors} >= {"变动类型"}
    assert any("没有出党或停止党籍的记录" in e.reason and "第二十四条" in e.reason for e in errors)


def test_bad_decrease_for_someone_not_a_member_on_that_date(tree):
    zhang = tree.member_a1_1
    errors = rejected([line(zhang, "转出", dt.date(2025, 3, 1), counterpart="外省某党支部"),
                       line(zhang, "死亡", dt.date(2025, 5, 1))], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(3, "变动日期")]
    assert "不是本系统登记在册的党员" in errors[0].reason


def test_bad_transfer_to_a_dissolved_organization(tree):
    old = organization_create(code="C-A-3", name="甲镇老厂党支部", org_type="branch", parent=tree.town_a,
                              founded_date=dt.date(1990, 1, 1))
    organization_dissolve(user=tree.county_user, organization=old, date=dt.date(2024, 12, 31), reason="企业关闭",
                          expected_version=None)
    errors = rejected([line(tree.member_a1_1, "转出", dt.date(2025, 3, 1), counterpart="C-A-3")], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "对方党组织")]
    assert "撤销" in errors[0].reason


def test_bad_counterpart_held_in_zugong_outside_the_scope(tree):
    errors = rejected([line(tree.member_a1_1, "转出", dt.date(2025, 3, 1), counterpart="乙镇机关党支部")], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "对方党组织")]
    assert "本系统中的党组织" in errors[0].reason and "组织关系转接" in errors[0].reason


def test_bad_cells_are_named_by_column(tree):
    zhang, wang, li = tree.member_a1_1, tree.member_a2_1, tree.member_a1_2
    errors = rejected([
        line(zhang, "调动", dt.date(2025, 3, 1)),
        line(wang, "出党", dt.date(2025, 3, 1)),
        line(li, "死亡", dt.date(2025, 3, 1), way="开除党籍"),
        [zhang.id_number, "张三", "死亡", "2025-03-01", "", "", "", "", "", "", ""],
        line(wang, "转出", dt.date(2025, 3, 1)),
        line(li, "死亡", "2099-01-01"),
    ], tree.town_user)
    by_row = {(e.row, e.column): e.reason for e in errors}
    assert "无法识别的变动类型「调动」" in by_row[(2, "变动类型")]
    assert "须在出党方式中填写" in by_row[(3, "出党方式")] and "第十表" in by_row[(3, "出党方式")]
    assert "不应填写出党方式" in by_row[(4, "出党方式")]
    assert "与该公民身份号码登记的姓名不一致" in by_row[(5, "姓名")]
    assert "须填写对方党组织" in by_row[(6, "对方党组织")]
    assert "晚于今天" in by_row[(7, "变动日期")]


def test_failure_after_writing_started_rolls_everything_back(tree, monkeypatch):
    """The second row fails inside the transaction (a concurrent change seen by ``event_record``): the first
    row's event, period and audit are rolled back with it and the row is named."""
    real = services.event_record
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["kind"])
        if len(calls) == 2:
            assert MembershipEvent.objects.count() == 1  # the first one was written
            raise ValidationFailed([RowError(0, "变动日期", "该党员的记录刚被他人修改")])
        return real(**kwargs)

    monkeypatch.setattr(services, "event_record", flaky)
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run([line(tree.member_a2_1, "死亡", dt.date(2025, 3, 1)), line(tree.member_a1_1, "停止党籍", dt.date(2025, 4, 1))],
            tree.town_user)
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "变动日期")]
    assert state() == before and calls == ["death", "suspension"]


# --- the command and the web page ------------------------------------------------------------------------------


def test_cli_import_changes(tree, tmp_path):
    path = tmp_path / "变动.xlsx"
    path.write_bytes(xlsx([FULL_HEADERS, line(tree.member_a2_1, "死亡", dt.date(2025, 3, 1))]))
    out = io.StringIO()
    call_command("import_changes", str(path), user="town_a", dry_run=True, no_progress=True, stdout=out)
    assert "试运行（未写入任何数据）：新增 1" in out.getvalue() and not MembershipEvent.objects.exists()
    out = io.StringIO()
    call_command("import_changes", str(path), user="town_a", no_progress=True, stdout=out)
    assert "C 列「变动类型」→ 变动类型" in out.getvalue() and "导入完成：新增 1" in out.getvalue()
    assert MembershipEvent.objects.get().kind == "death"
    path.write_bytes(xlsx([FULL_HEADERS, line(tree.member_b1_1, "死亡", dt.date(2025, 3, 1))]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="导入党员变动失败"):
        call_command("import_changes", str(path), user="town_a", no_progress=True, stdout=io.StringIO(), stderr=err)
    assert "2   公民身份号码" in err.getvalue() and NOT_HELD_MESSAGE in err.getvalue()
    with pytest.raises(CommandError, match="--user"):
        call_command("import_changes", str(path), no_progress=True)


def test_zugong_cli_names_the_command():
    from zugong.cli import _zugong_commands

    assert "import changes" in _zugong_commands()  # `zugong import changes FILE …`


@pytest.fixture
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_web_page_imports_the_ledger(client, tree, private_tmp):
    url = reverse("party:import_changes")
    client.force_login(tree.branch_user)  # 支部书记: no import permission
    assert client.get(url).status_code == 403
    client.force_login(tree.town_user)
    page = client.get(url).content.decode()
    assert "党员变动" in page and "对方党组织" in page
    assert url in client.get(reverse("home")).content.decode()  # 数据导入 → 导入党员变动
    rows = [FULL_HEADERS, line(tree.member_a2_1, "死亡", dt.date(2025, 3, 1))]
    response = upload_and_confirm(client, url, {"file": SimpleUploadedFile("变动.xlsx", xlsx(rows))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == "changes" and job.status == "succeeded", job.errors
    assert "导入完成：新增 1" in client.get(response["Location"]).content.decode()
    assert MembershipEvent.objects.get().person == tree.member_a2_1
    # a bad file: the job page lists row / column / reason; nothing written
    rows = [FULL_HEADERS, line(tree.member_a1_1, "恢复党籍", dt.date(2025, 3, 1))]
    response = upload_and_confirm(client, url, {"file": SimpleUploadedFile("变动2.xlsx", xlsx(rows))})
    job = ImportJob.objects.latest("pk")
    assert job.status == "failed"
    page = client.get(response["Location"]).content.decode()
    assert "没有出党或停止党籍的记录" in page and "变动类型" in page
    assert MembershipEvent.objects.count() == 1


def test_template_download(client, tree):
    client.force_login(tree.town_user)
    response = client.get(reverse("party:import_changes_template"))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                           else response.content))
    assert [c.value for c in wb.worksheets[0][1]][:4] == ["公民身份号码*", "姓名*", "变动类型*", "变动日期*"]
    assert changes_template()[:2] == b"PK"
