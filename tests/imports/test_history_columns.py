"""党员花名册 import, issue #10 item 3 and item 4: the history columns (进入类型 / 进入日期 / 离开类型 / 离开日期 /
出党方式 / 延长预备期时间 / 对方党组织) write ``MembershipEvent``s consistent with the membership periods, checked by
the lifecycle guards (``party.lifecycle.check_event``); the 年报 attribute columns (台湾省籍, 专业技术职务, 一线类别,
工作岗位 with the sector of the organization's unit). Every bad input of the issue is refused with its row,
column and article, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_id
from tests.imports import real_layouts as rl
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import ValidationFailed
from zugong.orgs.services import organization_create, organization_set_unit
from zugong.party import lifecycle
from zugong.party.importers import import_roster
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.party.services import event_record
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

HISTORY_HEADERS = [*ROSTER_HEADERS, "进入类型", "进入日期", "离开类型", "离开日期", "出党方式", "延长预备期时间", "对方党组织"]


def history_row(org: str = "C-A-1", *, entry: str = "", entry_date: dt.date | str | None = None, exit: str = "",
                exit_date: dt.date | str | None = None, way: str = "", extension: str = "", counterpart: str = "",
                **member) -> list[object]:
    """A roster row (``member_row``) with the seven history cells."""
    def text(day):
        return day.isoformat() if isinstance(day, dt.date) else (day or "")

    return [*member_row(org, **member), entry, text(entry_date), exit, text(exit_date), way, extension, counterpart]


def run(rows, user, headers=HISTORY_HEADERS, **kwargs):
    return import_roster(xlsx([headers, *rows]), user=user, filename="花名册.xlsx", **kwargs)


def state():
    """Everything the import may write, to prove a refused file wrote nothing."""
    return (Person.objects.count(), PartyMember.objects.count(),
            sorted(Membership.objects.values_list("pk", "version", "start_date", "end_date")),
            sorted(MembershipEvent.objects.values_list("pk", "kind", "date")),
            AuditEvent.objects.filter(kind="import").count(), sorted(Person.objects.values_list("pk", "version")))


def rejected(rows, user, headers=HISTORY_HEADERS) -> list:
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(rows, user, headers)
    assert state() == before
    return exc.value.errors


def person(name: str) -> Person:
    return Person.objects.get(name=name)


def events_of(name: str) -> list[tuple]:
    return list(MembershipEvent.objects.filter(person__name=name).order_by("date", "pk").values_list(
        "kind", "detail", "date", "from_organization__code", "to_organization__code", "counterpart",
        "extension_months"))


def periods_of(name: str) -> list[tuple]:
    return list(Membership.objects.filter(person__name=name).order_by("start_date").values_list(
        "organization__code", "start_date", "end_date", "end_reason"))


def assert_periods_follow_events(name: str) -> None:
    """The stored periods are those ``lifecycle.periods_from_events`` derives from the stored events (and
    the opening balance: the periods no event opened)."""
    p = person(name)
    events = list(MembershipEvent.objects.filter(person=p))
    opened = {(e.to_organization_id, e.date) for e in events if e.to_organization_id}
    stored = list(Membership.objects.filter(person=p).order_by("start_date"))
    opening = [lifecycle.Period(m.organization_id, m.start_date) for m in stored
               if (m.organization_id, m.start_date) not in opened]
    derived = lifecycle.periods_from_events(opening, events)
    assert [(d.organization_id, d.start, d.end, d.end_reason) for d in derived] == [
        (m.organization_id, m.start_date, m.end_date, m.end_reason) for m in stored]


# --- increases ------------------------------------------------------------------------------------------------


def test_entry_kinds_open_the_membership_at_the_entry_date_with_their_event(tree):
    rows = [
        history_row(name="发展甲", birth=dt.date(2000, 1, 2), admission=dt.date(2025, 3, 1), full=None,
                    category="预备党员", entry="新发展", entry_date=""),  # 发展党员: the 进入日期 is the 入党日期
        history_row(name="转入乙", birth=dt.date(1980, 2, 3), entry="组织关系转入", entry_date=dt.date(2025, 4, 10),
                    counterpart="中共某市某区某街道工作委员会"),
        history_row("C-A-2", name="整建制丙", birth=dt.date(1975, 3, 4), entry="整建制转入", entry_date="2025.05.20"),
    ]
    result = run(rows, tree.town_user)
    assert result.created == 3
    assert result.details["events"] == {"发展党员": 1, "转入组织关系": 2}
    assert AuditEvent.objects.get(kind="import").data["events"] == {"发展党员": 1, "转入组织关系": 2}
    assert events_of("发展甲") == [("admission", "", dt.date(2025, 3, 1), None, "C-A-1", "", None)]
    assert periods_of("发展甲") == [("C-A-1", dt.date(2025, 3, 1), None, "")]
    assert events_of("转入乙") == [("transfer_in", "", dt.date(2025, 4, 10), None, "C-A-1",
                                   "中共某市某区某街道工作委员会", None)]
    # the member counts from the entry, not from the 入党日期 (2016-06-28)
    assert periods_of("转入乙") == [("C-A-1", dt.date(2025, 4, 10), None, "")]
    assert PartyMember.objects.get(person__name="转入乙").admission_date == dt.date(2016, 6, 28)
    assert events_of("整建制丙") == [("transfer_in", "whole_unit", dt.date(2025, 5, 20), None, "C-A-2", "", None)]
    for name in ("发展甲", "转入乙", "整建制丙"):
        assert_periods_follow_events(name)


def test_readmission_of_someone_zugong_never_held(tree):
    """重新入党 (其中 of 发展党员) of a person new to Zugong: the earlier 出党 lies before Zugong, so the row is
    accepted; the 入党日期 is the new one (党龄 counts anew)."""
    run([history_row(name="重入甲", birth=dt.date(1975, 1, 1), admission=dt.date(2025, 9, 10), full=None,
                     category="预备党员", entry="重新入党", entry_date=dt.date(2025, 9, 10))], tree.town_user)
    assert events_of("重入甲") == [("admission", "readmission", dt.date(2025, 9, 10), None, "C-A-1", "", None)]
    assert periods_of("重入甲") == [("C-A-1", dt.date(2025, 9, 10), None, "")]
    assert person("重入甲").political_status == "02"


def test_full_membership_after_the_entry_is_a_recorded_decision(tree):
    # admitted in Zugong on 2024-06-01, extended six months at the year's end, full on 2025-12-10
    run([history_row(name="延长丁", birth=dt.date(1999, 5, 5), admission=dt.date(2024, 6, 1), full=dt.date(2025, 12, 10),
                     entry="发展党员", entry_date=dt.date(2024, 6, 1), extension="半年")], tree.town_user)
    assert events_of("延长丁") == [
        ("admission", "", dt.date(2024, 6, 1), None, "C-A-1", "", None),
        ("full_membership", "extended", dt.date(2025, 6, 1), "C-A-1", None, "", 6),
        ("full_membership", "after_extension", dt.date(2025, 12, 10), "C-A-1", None, "", None),
    ]
    member = PartyMember.objects.get(person__name="延长丁")
    assert member.full_membership_date == dt.date(2025, 12, 10) and person("延长丁").political_status == "01"


def test_opening_member_with_an_extension_records_it_for_the_later_full_membership(tree):
    """An opening-balance row writes no increase; the extension it states is recorded (a later 延长预备期后转正
    needs it: 《发展党员工作细则》第三十二条), and the later 转正 goes through the service."""
    run([history_row(name="预备戊", birth=dt.date(1998, 1, 1), admission=dt.date(2025, 1, 15), full=None,
                     category="预备党员", extension="12个月")], tree.town_user)
    assert periods_of("预备戊") == [("C-A-1", dt.date(2025, 1, 15), None, "")]
    assert events_of("预备戊") == [("full_membership", "extended", dt.date(2026, 1, 15), "C-A-1", None, "", 12)]
    event_record(user=tree.town_user, person_id=person("预备戊").pk, kind="full_membership", detail="after_extension",
                 date=dt.date(2027, 1, 15), today=dt.date(2027, 1, 20))
    assert PartyMember.objects.get(person__name="预备戊").full_membership_date == dt.date(2027, 1, 15)


def test_extension_of_an_opening_full_member_is_history_with_a_warning(tree):
    result = run([history_row(name="老党员", extension="6个月", full=dt.date(2018, 1, 5))], tree.town_user)
    assert events_of("老党员") == []
    assert any("延长预备期" in w.reason and "以往的记录" in w.reason for w in result.warnings)


# --- decreases ------------------------------------------------------------------------------------------------


def test_leaving_rows_are_former_members_with_the_decrease_event(tree):
    rows = [
        history_row(name="出党甲", birth=dt.date(1970, 1, 1), exit="出党", way="开除党籍", exit_date=dt.date(2025, 8, 1)),
        history_row(name="劝退乙", birth=dt.date(1971, 1, 1), exit="劝退", exit_date=dt.date(2025, 8, 2)),
        history_row(name="去世丙", birth=dt.date(1940, 1, 1), exit="死亡", exit_date=dt.date(2025, 9, 3)),
        history_row(name="停党丁", birth=dt.date(1972, 1, 1), exit="停止党籍", exit_date=dt.date(2025, 9, 4)),
        history_row(name="转出戊", birth=dt.date(1973, 1, 1), entry="转入", entry_date=dt.date(2025, 2, 1),
                    exit="转出", exit_date=dt.date(2025, 10, 5), counterpart="中共外省某县委组织部"),
    ]
    result = run(rows, tree.town_user)
    assert result.created == 5
    assert result.details["events"] == {"出党": 2, "停止党籍": 1, "死亡": 1, "转入组织关系": 1, "转出组织关系": 1}
    assert events_of("出党甲") == [("exit", "expelled", dt.date(2025, 8, 1), "C-A-1", None, "", None)]
    assert periods_of("出党甲") == [("C-A-1", dt.date(2016, 6, 28), dt.date(2025, 8, 1), "exit")]
    assert person("出党甲").political_status == "13"  # 出党: 群众, as event_record
    assert events_of("劝退乙")[0][:2] == ("exit", "persuaded_to_leave")
    assert periods_of("去世丙") == [("C-A-1", dt.date(2016, 6, 28), dt.date(2025, 9, 3), "death")]
    assert person("去世丙").political_status == "01"  # died a member
    assert periods_of("停党丁")[0][3] == "suspension"
    assert periods_of("转出戊") == [("C-A-1", dt.date(2025, 2, 1), dt.date(2025, 10, 5), "transfer_out")]
    assert [e[0] for e in events_of("转出戊")] == ["transfer_in", "transfer_out"]
    assert events_of("转出戊")[1][5] == "中共外省某县委组织部"
    for name in ("出党甲", "去世丙", "转出戊"):
        assert_periods_follow_events(name)
    # nobody of them is counted after leaving
    assert not Membership.objects.on(dt.date(2025, 12, 1)).filter(person__name__in=["出党甲", "去世丙", "转出戊"]).exists()


def test_same_file_twice_adds_no_event_and_changes_nothing(tree):
    rows = [
        history_row(name="发展甲", birth=dt.date(2000, 1, 2), admission=dt.date(2025, 3, 1), full=None,
                    category="预备党员", entry="发展党员"),
        history_row(name="转出戊", birth=dt.date(1973, 1, 1), entry="转入", entry_date=dt.date(2025, 2, 1),
                    exit="转出", exit_date=dt.date(2025, 10, 5)),
        history_row(name="出党甲", birth=dt.date(1970, 1, 1), exit="开除党籍", exit_date=dt.date(2025, 8, 1)),
    ]
    run(rows, tree.town_user)
    before = state()
    again = run(rows, tree.town_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert state()[:4] == before[:4] and state()[5] == before[5]


def test_existing_member_entering_another_branch_is_a_transfer_on_the_entry_date(tree):
    """The national export's 进入当前支部类型 = 组织关系转入 with its date, for a member Zugong holds in another
    branch of the scope: a 组织关系转接 dated 进入日期 (not today), both periods exact."""
    zhang = tree.member_a1_1  # 张伟, C-A-1 since 2010-07-01
    row = history_row("C-A-2", name="张伟", sex="男", birth=zhang.birth_date, id_number=zhang.id_number,
                      education="大学本科毕业", admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1),
                      occupation="企事业单位、社会组织专业技术人员", work_start=None, phone="",
                      entry="组织关系转入", entry_date=dt.date(2025, 6, 30))
    result = run([row], tree.town_user)
    assert result.updated == 1 and result.details["events"] == {"组织关系转接": 1}
    assert events_of("张伟") == [("transfer", "", dt.date(2025, 6, 30), "C-A-1", "C-A-2", "", None)]
    assert periods_of("张伟") == [("C-A-1", dt.date(2010, 7, 1), dt.date(2025, 6, 30), "transfer"),
                                  ("C-A-2", dt.date(2025, 6, 30), None, "")]
    zhang.refresh_from_db()
    assert zhang.organization == tree.branch_a2
    assert_periods_follow_events("张伟")
    assert run([row], tree.town_user).unchanged == 1  # on record now: nothing more


def test_existing_member_leaving_by_the_roster_then_coming_back_needs_an_entry(tree):
    wang = tree.member_a2_1  # 王强, C-A-2
    base = dict(name="王强", sex="男", birth=wang.birth_date, id_number=wang.id_number, education="高中",
                admission=dt.date(1980, 5, 4), full=dt.date(1981, 5, 4), occupation="农牧渔民", work_start=None, phone="")
    run([history_row("C-A-2", exit="转出组织关系", exit_date=dt.date(2025, 3, 1), **base)], tree.town_user)
    assert periods_of("王强")[-1] == ("C-A-2", dt.date(1980, 5, 4), dt.date(2025, 3, 1), "transfer_out")
    # a later roster without the history columns: he is not silently back
    errors = rejected([member_row("C-A-2", **base)], tree.town_user, headers=ROSTER_HEADERS)
    assert [(e.row, e.column) for e in errors] == [(2, "所在党组织")]
    assert "转出组织关系" in errors[0].reason and "进入类型" in errors[0].reason
    # with 进入类型 转入 he is back from the entry date
    run([history_row("C-A-2", entry="转入", entry_date=dt.date(2025, 11, 1), **base)], tree.town_user)
    assert periods_of("王强")[-1] == ("C-A-2", dt.date(2025, 11, 1), None, "")
    assert [e[0] for e in events_of("王强")] == ["transfer_out", "transfer_in"]
    assert_periods_follow_events("王强")


# --- the bad inputs of the issue: a clear message naming the row and the column, nothing written --------------


def _only(errors):
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_bad_leaving_date_before_the_entry_date(tree):
    e = _only(rejected([history_row(entry="转入", entry_date=dt.date(2025, 5, 1), exit="死亡",
                                    exit_date=dt.date(2025, 4, 1))], tree.town_user))
    assert (e.row, e.column) == (2, "离开日期")
    assert "离开日期 2025-04-01 早于进入日期 2025-05-01" in e.reason


def test_bad_entry_before_the_admission(tree):
    e = _only(rejected([history_row(admission=dt.date(2016, 6, 28), entry="转入", entry_date=dt.date(2015, 1, 1))],
                       tree.town_user))
    assert (e.row, e.column) == (2, "进入日期")
    assert e.reason.startswith("转入组织关系：") and "早于入党日期 2016-06-28" in e.reason and "《党章》第七条" in e.reason


def test_bad_event_after_death(tree):
    wang = tree.member_a2_1
    base = dict(name="王强", sex="男", birth=wang.birth_date, id_number=wang.id_number, education="高中",
                admission=dt.date(1980, 5, 4), full=dt.date(1981, 5, 4), occupation="农牧渔民", work_start=None, phone="")
    run([history_row("C-A-2", exit="死亡", exit_date=dt.date(2025, 3, 1), **base)], tree.town_user)
    e = _only(rejected([history_row("C-A-2", exit="停止党籍", exit_date=dt.date(2025, 4, 1), **base)], tree.town_user))
    assert (e.row, e.column) == (2, "离开日期")
    assert "已于 2025-03-01 去世" in e.reason and "停止党籍" in e.reason


def test_bad_reinstatement_of_someone_never_stopped(tree):
    """王强 left by 转出 (on record): nothing to restore; 停止党籍后恢复党籍 needs a recorded 停止党籍."""
    wang = tree.member_a2_1
    base = dict(name="王强", sex="男", birth=wang.birth_date, id_number=wang.id_number, education="高中",
                admission=dt.date(1980, 5, 4), full=dt.date(1981, 5, 4), occupation="农牧渔民", work_start=None, phone="")
    run([history_row("C-A-2", exit="转出", exit_date=dt.date(2024, 3, 1), **base)], tree.town_user)
    e = _only(rejected([history_row("C-A-2", entry="恢复党籍", entry_date=dt.date(2025, 5, 1), **base)], tree.town_user))
    assert (e.row, e.column) == (2, "进入类型")
    assert "没有出党或停止党籍的记录" in e.reason and "第二十四条" in e.reason
    e = _only(rejected([history_row("C-A-2", entry="停止党籍后恢复党籍", entry_date=dt.date(2025, 5, 1), **base)],
                       tree.town_user))
    assert (e.row, e.column) == (2, "进入类型") and "没有停止党籍的记录" in e.reason


def test_entry_of_someone_without_history_here_is_not_checked_against_it(tree):
    """A person Zugong never held entering by 恢复党籍: the 出党 or 停止党籍 lies before Zugong
    (``MemberState.has_history``), so the row is accepted."""
    run([history_row(name="恢复甲", birth=dt.date(1970, 3, 3), entry="恢复党籍", entry_date=dt.date(2025, 5, 1))],
        tree.town_user)
    assert events_of("恢复甲") == [("reinstatement", "", dt.date(2025, 5, 1), None, "C-A-1", "", None)]


def test_reinstatement_after_a_recorded_suspension_is_accepted(tree):
    wang = tree.member_a2_1
    base = dict(name="王强", sex="男", birth=wang.birth_date, id_number=wang.id_number, education="高中",
                admission=dt.date(1980, 5, 4), full=dt.date(1981, 5, 4), occupation="农牧渔民", work_start=None, phone="")
    run([history_row("C-A-2", exit="停止党籍", exit_date=dt.date(2024, 3, 1), **base)], tree.town_user)
    run([history_row("C-A-2", entry="停止党籍后恢复党籍", entry_date=dt.date(2025, 3, 1), **base)], tree.town_user)
    assert [e[:2] for e in events_of("王强")] == [("suspension", ""), ("reinstatement", "after_suspension")]
    assert periods_of("王强")[-1] == ("C-A-2", dt.date(2025, 3, 1), None, "")


def test_bad_decrease_for_someone_not_a_member_on_that_date(tree):
    wang = tree.member_a2_1
    base = dict(name="王强", sex="男", birth=wang.birth_date, id_number=wang.id_number, education="高中",
                admission=dt.date(1980, 5, 4), full=dt.date(1981, 5, 4), occupation="农牧渔民", work_start=None, phone="")
    run([history_row("C-A-2", exit="转出", exit_date=dt.date(2025, 3, 1), **base)], tree.town_user)
    e = _only(rejected([history_row("C-A-2", exit="开除党籍", exit_date=dt.date(2025, 6, 1), **base)], tree.town_user))
    assert (e.row, e.column) == (2, "离开日期")
    assert "不是本系统登记在册的党员" in e.reason and e.reason.startswith("出党（开除党籍）：")


def test_bad_increase_for_someone_who_is_a_member(tree):
    zhang = tree.member_a1_1
    row = history_row("C-A-1", name="张伟", sex="男", birth=zhang.birth_date, id_number=zhang.id_number,
                      admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1), work_start=None, phone="",
                      entry="恢复党籍", entry_date=dt.date(2025, 6, 30))
    errors = rejected([row], tree.town_user)
    assert any(e.column == "进入日期" and "已是党员" in e.reason for e in errors)


def test_bad_full_membership_before_one_year_without_extension(tree):
    e = _only(rejected([history_row(name="早转正", birth=dt.date(2000, 1, 2), admission=dt.date(2025, 1, 10),
                                    full=dt.date(2025, 7, 10), entry="发展党员")], tree.town_user))
    assert (e.row, e.column) == (2, "转正日期")
    assert e.reason.startswith("按期转正：") and "不足一年" in e.reason and "《党章》第七条" in e.reason


def test_bad_kinds_and_dates_are_named_by_column(tree):
    errors = rejected([
        history_row(name="甲", birth=dt.date(1990, 1, 1), entry="调动", entry_date=dt.date(2025, 1, 1)),
        history_row(name="乙", birth=dt.date(1990, 1, 2), exit="出党", exit_date=dt.date(2025, 1, 1)),
        history_row(name="丙", birth=dt.date(1990, 1, 3), exit="死亡"),
        history_row(name="丁", birth=dt.date(1990, 1, 4), entry_date=dt.date(2025, 1, 1)),
        history_row(name="戊", birth=dt.date(1990, 1, 5), exit="死亡", exit_date=dt.date(2025, 1, 1), way="开除党籍"),
        history_row(name="己", birth=dt.date(2000, 1, 6), admission=dt.date(2025, 1, 1), full=None, category="预备党员",
                    entry="发展党员", entry_date=dt.date(2025, 2, 1)),
        history_row(name="庚", birth=dt.date(1990, 1, 7), extension="3个月", full=None, category="预备党员",
                    admission=dt.date(2025, 1, 1)),
        history_row(name="辛", birth=dt.date(1990, 1, 8), extension="很久"),
    ], tree.town_user)
    by_row = {(e.row, e.column): e.reason for e in errors}
    assert "无法识别的进入类型「调动」" in by_row[(2, "进入类型")]
    assert "须在出党方式中填写" in by_row[(3, "出党方式")] and "第十表" in by_row[(3, "出党方式")]
    assert "离开日期不能为空" in by_row[(4, "离开日期")]
    assert "须同时填写进入类型" in by_row[(5, "进入类型")]
    assert "不应填写出党方式" in by_row[(6, "出党方式")]
    assert "应与入党日期 2025-01-01 相同" in by_row[(7, "进入日期")]
    assert "3 个月不在 6 至 12 个月之间" in by_row[(8, "延长预备期时间")] and "第三十二条" in by_row[(8, "延长预备期时间")]
    assert "无法识别的延长预备期时间「很久」" in by_row[(9, "延长预备期时间")]
    assert len(errors) == 8


def test_bad_extension_before_the_year_is_full(tree):
    e = _only(rejected([history_row(name="新预备", birth=dt.date(2000, 1, 2), admission=dt.date(2026, 3, 1),
                                    full=None, category="预备党员", extension="6个月")], tree.town_user))
    assert e.column == "延长预备期时间" and e.reason.startswith("延长预备期：")


def test_bad_exit_from_another_branch_than_on_record(tree):
    zhang = tree.member_a1_1  # in C-A-1
    row = history_row("C-A-2", name="张伟", sex="男", birth=zhang.birth_date, id_number=zhang.id_number,
                      admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1), work_start=None, phone="",
                      exit="死亡", exit_date=dt.date(2025, 6, 30))
    e = _only(rejected([row], tree.town_user))
    assert e.column == "所在党组织" and "甲镇机关党支部" in e.reason and "不一致" in e.reason


def test_failure_after_writing_started_rolls_everything_back(tree, monkeypatch):
    """New people are inserted first, then the existing member's event goes through ``apply_event``; when
    that fails, the people, periods and events already written are rolled back with it."""
    zhang = tree.member_a1_1
    rows = [
        history_row(name="发展甲", birth=dt.date(2000, 1, 2), admission=dt.date(2025, 3, 1), full=None,
                    category="预备党员", entry="发展党员"),
        history_row("C-A-2", name="张伟", sex="男", birth=zhang.birth_date, id_number=zhang.id_number,
                    admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1), work_start=None, phone="",
                    entry="转入", entry_date=dt.date(2025, 6, 30)),
    ]
    calls = []

    def failing(event, **kwargs):
        calls.append(event.kind)
        assert Person.objects.filter(name="发展甲").exists()  # the writing had started
        raise ValueError("concurrent change")

    monkeypatch.setattr(lifecycle, "apply_event", failing)
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(rows, tree.town_user)
    assert calls == ["transfer"]
    assert "被他人修改" in exc.value.errors[0].reason
    assert state() == before


# --- the 年报 attributes ----------------------------------------------------------------------------------------

ATTRIBUTE_HEADERS = [*ROSTER_HEADERS, "台湾省籍", "专业技术职务", "一线类别"]


def test_attribute_columns(tree):
    rows = [
        [*member_row(name="台籍甲", birth=dt.date(1980, 1, 1), occupation="企业专业技术人员", front_line="是"),
         "是", "高级工程师", "企业生产一线"],
        [*member_row(name="讲师乙", birth=dt.date(1981, 1, 1), occupation="事业单位专业技术人员"), "否", "讲师", ""],
        [*member_row(name="农民丙", birth=dt.date(1950, 1, 1), occupation="农牧渔民", front_line="否"), "", "无", ""],
    ]
    run(rows, tree.town_user, headers=ATTRIBUTE_HEADERS)
    a, b, c = person("台籍甲"), person("讲师乙"), person("农民丙")
    assert (a.taiwan_origin, a.title_level) == (True, "senior")
    assert (b.taiwan_origin, b.title_level) == (False, "intermediate")
    assert (c.taiwan_origin, c.title_level) == (False, "")
    m = Membership.objects.get(person=a)
    assert (m.front_line, m.front_line_kind) == (True, "enterprise_production")
    assert Membership.objects.get(person=c).front_line_kind == ""
    # a kind written in the 是/否 column itself (the national layout's 生产工作一线情况)
    run([member_row(name="一线丁", birth=dt.date(1982, 1, 1), occupation="农牧渔民", front_line="在农村生产一线")],
        tree.town_user, headers=ROSTER_HEADERS)
    m = Membership.objects.get(person__name="一线丁")
    assert (m.front_line, m.front_line_kind) == (True, "rural_production")


def test_bad_attribute_values(tree):
    errors = rejected([
        [*member_row(name="甲", birth=dt.date(1980, 1, 1), front_line="否"), "台湾", "大师", "企业生产"],
    ], tree.town_user, headers=ATTRIBUTE_HEADERS)
    by_column = {e.column: e.reason for e in errors}
    assert "应填写「是」或「否」" in by_column["台湾省籍"]
    assert "无法识别的专业技术职务「大师」" in by_column["专业技术职务"]
    assert "生产工作一线填的是「否」" in by_column["一线类别"]


def test_occupation_sector_from_the_unit_of_the_organization(units):
    t = units  # C-A-1 is set up in 甲镇农机厂 (集体经济控制 → 公有制)
    branch_b2 = organization_create(code="C-B-2", name="乙镇食品公司党支部", org_type="branch", parent=t.town_b,
                                    founded_date=dt.date(2000, 1, 1))
    organization_set_unit(user=None, organization=branch_b2, relation="legal_entity_unit", unit=t.unit_firm_b,
                          expected_version=None)  # 非公有经济控制
    rows = [
        member_row("C-A-1", name="公有甲", birth=dt.date(1980, 1, 1), occupation="企业管理人员"),
        member_row("C-B-2", name="非公乙", birth=dt.date(1980, 1, 2), occupation="工勤技能人员"),
        member_row("C-B-2", name="农民工丙", birth=dt.date(1980, 1, 3), occupation="农民工"),
        member_row("C-B-2", name="前缀丁", birth=dt.date(1980, 1, 4), occupation="公有制单位企业专业技术人员"),
        member_row("C-B-1", name="机关戊", birth=dt.date(1980, 1, 5), occupation="工人（工勤技能人员）"),
        member_row("C-A-2", name="村里己", birth=dt.date(1980, 1, 6), occupation="企业管理人员"),
    ]
    run(rows, t.county_user, headers=ROSTER_HEADERS)

    def fields(name):
        return Membership.objects.filter(person__name=name).values_list(
            "occupation", "occupation_detail", "ownership", "migrant_worker").get()

    assert fields("公有甲") == ("manager", "enterprise_manager", "public", False)
    assert fields("非公乙") == ("worker", "skilled_worker", "non_public", False)
    assert fields("农民工丙") == ("worker", "skilled_worker", "non_public", True)
    assert fields("前缀丁") == ("professional", "enterprise_professional", "public", False)  # the value says it
    assert fields("机关戊") == ("worker", "", "public", False)  # 乙镇机关党支部: a 机关 without a unit link
    assert fields("村里己") == ("manager", "enterprise_manager", "", False)  # unknown: the quality report flags it


# --- the national system's export with its own headers, through the CLI ----------------------------------------


def test_national_export_with_history_headers_through_the_cli(tmp_path, tree):
    built = rl.national_history_export(tree)
    path = tmp_path / built.filename
    path.write_bytes(built.content)
    from io import StringIO

    out = StringIO()
    call_command("import_roster", str(path), user="town_a", no_progress=True, stdout=out)
    text = out.getvalue()
    for source, field in (("进入当前支部类型", "进入类型"), ("进入当前支部日期", "进入日期"), ("转离支部类型", "离开类型"),
                          ("转离支部日期", "离开日期"), ("从事专业技术职务", "专业技术职务"), ("台湾省籍", "台湾省籍")):
        assert source in text and field in text, (source, field)
    assert "新增 4" in text
    assert events_of("孔新发")[0][:3] == ("admission", "", dt.date(2025, 7, 1))
    assert events_of("刘转入")[0][:2] == ("transfer_in", "")
    assert periods_of("马出党") == [("C-A-2", dt.date(1990, 7, 1), dt.date(2025, 9, 12), "exit")]
    assert events_of("马出党")[0][:2] == ("exit", "lapsed_removed")
    assert person("张台籍").taiwan_origin and person("张台籍").title_level == "intermediate"
    # the same export again: nothing new
    out = StringIO()
    call_command("import_roster", str(path), user="town_a", no_progress=True, stdout=out)
    assert "新增 0，更新 0，未变 4" in out.getvalue()
    # a bad row in the same layout: the CLI prints row / column / reason and exits non-zero
    bad = rl.national_history_export(tree, leave_before_entry=True)
    path.write_bytes(bad.content)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), user="town_a", no_progress=True, stdout=StringIO(), stderr=err)
    table = err.getvalue().split("列映射", 1)[1]
    assert "P 列「转离支部日期」→ 离开日期" in table  # how the file was read, then the error by row and field
    assert any(line.split()[:2] == ["3", "离开日期"] and "离开日期 2025-01-01 早于进入日期 2025-04-15" in line
               for line in table.splitlines())
    assert not Person.objects.filter(name="刘转入", memberships__end_reason="death").exists()


def test_id_numbers_in_history_rows_are_not_reused(tree):
    number = make_id(dt.date(1990, 1, 1), "1")
    rows = [history_row(name="一", sex="男", birth=dt.date(1990, 1, 1), id_number=number, exit="死亡",
                        exit_date=dt.date(2025, 1, 1)),
            history_row(name="一", sex="男", birth=dt.date(1990, 1, 1), id_number=number)]
    errors = rejected(rows, tree.town_user)
    assert {(e.row, e.column) for e in errors} == {(2, "公民身份号码"), (3, "公民身份号码")}
