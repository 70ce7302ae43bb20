"""The story's records, checked without the report engine: what each channel (pages, API, roster import
with 进入/离开 columns, change ledger, statuses, 党组织 terms) must have written. When a 年报 figure is
wrong, these say whether the records or the counting are at fault. Literal expectations from
``story.py``."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.annual.story import TERMS
from zugong.orgs.models import OrganizationTerm, PartyOrganization
from zugong.party.models import (
    Membership,
    MembershipEvent,
    MembershipTransfer,
    MemberStatus,
    PartyMember,
)

pytestmark = pytest.mark.django_db
D = dt.date
D0, D1 = D(2022, 12, 31), D(2023, 12, 31)


def periods(s, key):
    return list(Membership.objects.filter(person=s.people[key]).order_by("start_date", "pk")
                .values_list("organization__code", "start_date", "end_date", "end_reason"))


def events(s, key):
    return list(MembershipEvent.objects.filter(person=s.people[key]).order_by("date", "pk")
                .values_list("kind", "detail", "date"))


@pytest.mark.parametrize(("code", "on_d0", "on_d1"), [("X", 46, 40), ("X-A", 27, 22), ("X-B", 16, 15), ("X-A-1", 10, 5),
                                                      ("X-C", 3, 3)])
def test_members_counted_on_both_days(year, code, on_d0, on_d1):
    path = PartyOrganization.objects.get(code=code).path
    for day, expected in ((D0, on_d0), (D1, on_d1)):
        assert Membership.objects.on(day).filter(organization__path__startswith=path).count() == expected, (code, day)


def test_events_of_the_year_by_kind(year):
    counts = {kind: MembershipEvent.objects.in_year(2023).filter(kind=kind).count()
              for kind in ("admission", "reinstatement", "transfer_in", "exit", "suspension", "death", "transfer_out",
                           "transfer")}
    assert counts == {"admission": 4, "reinstatement": 2, "transfer_in": 5, "exit": 8, "suspension": 1, "death": 3,
                      "transfer_out": 5, "transfer": 5}
    outcomes = sorted(MembershipEvent.objects.in_year(2023).filter(kind="full_membership")
                      .values_list("person__name", "detail"))
    assert outcomes == sorted([("孙丽", "on_time"), ("钱进", "extended"), ("周预", "on_time"), ("谢军", "on_time"),
                               ("财三", "postponed"), ("财三", "after_postponement"), ("林延", "after_extension")])
    assert MembershipEvent.objects.in_year(2022).filter(kind="exit").count() == 1  # 曹复


def test_each_channel_wrote_its_events_and_periods(year):
    s = year
    # pages: death, 停止党籍后恢复党籍, 延长预备期 (12 months), the cross-township transfer, 介绍信 out and in, 整建制
    assert periods(s, "P03") == [("X-A-1", D(1992, 5, 1), D(2023, 2, 14), "death")]
    assert periods(s, "P08") == [("X-A-1", D(1980, 6, 1), D(2023, 3, 1), "suspension"),
                                 ("X-A-1", D(2023, 10, 9), None, "")]
    assert events(s, "P08") == [("suspension", "", D(2023, 3, 1)), ("reinstatement", "after_suspension", D(2023, 10, 9))]
    assert MembershipEvent.objects.get(person=s.people["P06"], kind="full_membership").extension_months == 12
    assert periods(s, "P02") == [("X-A-1", D(2015, 7, 1), D(2023, 5, 15), "transfer"), ("X-B-1", D(2023, 5, 15), None, "")]
    transfer = MembershipTransfer.objects.get(person=s.people["P02"])
    assert (transfer.state, transfer.sent_date, transfer.decided_date) == ("accepted", D(2023, 5, 8), D(2023, 5, 15))
    assert transfer.events.get().kind == "transfer"
    letter = MembershipTransfer.objects.get(person=s.people["P26"])
    assert (letter.direction, letter.state, letter.letter_number) == ("out", "issued", "乙组转〔2023〕3号")
    assert periods(s, "P26")[-1][2:] == (D(2023, 4, 3), "transfer_out")
    assert periods(s, "P54") == [("X-B-1", D(2023, 5, 6), None, "")]
    assert events(s, "P54") == [("transfer_in", "", D(2023, 5, 6))]
    assert periods(s, "P53") == [("X-A-4", D(2023, 6, 1), None, "")]
    assert events(s, "P53") == [("admission", "", D(2023, 6, 1))]
    for key in ("P38", "P39"):
        assert periods(s, key)[-2:][0][2:] == (D(2023, 7, 1), "transfer") and periods(s, key)[-1][:3] == (
            "X-A-2", D(2023, 7, 1), None)
        assert events(s, key) == [("transfer", "whole_unit", D(2023, 7, 1))]
    for key in ("P23", "P24"):
        assert events(s, key) == [("transfer_out", "whole_unit", D(2023, 8, 15))]
    dissolved = dict(PartyOrganization.objects.filter(code__in=["X-A-5", "X-B-4"]).values_list("code", "dissolved_date"))
    assert dissolved == {"X-A-5": D(2023, 8, 15), "X-B-4": D(2023, 7, 1)}
    # API: last year's expulsion and this year's plain 恢复党籍; 自行脱党除名 with 无法取得联系; the internal transfer
    assert periods(s, "P29") == [("X-B-1", D(1991, 7, 1), D(2022, 8, 1), "exit"), ("X-B-1", D(2023, 4, 18), None, "")]
    assert events(s, "P29") == [("exit", "expelled", D(2022, 8, 1)), ("reinstatement", "", D(2023, 4, 18))]
    assert MembershipEvent.objects.get(person=s.people["P32"]).unreachable is True
    assert periods(s, "P04")[-1][:3] == ("X-A-4", D(2023, 9, 5), None)
    # the change ledger: 停止党籍, 转出 (outside, and to an organization in Zugong = a transfer), 出党, 转正, 死亡
    assert events(s, "P09") == [("transfer_out", "", D(2023, 6, 12))]
    assert MembershipEvent.objects.get(person=s.people["P09"]).counterpart == "中共某省某市某局机关委员会"
    assert periods(s, "P13")[-1][:3] == ("X-B-3", D(2023, 8, 1), None)
    assert events(s, "P13") == [("transfer", "", D(2023, 8, 1))]
    assert events(s, "P14") == [("exit", "probation_cancelled", D(2023, 6, 20))]
    assert events(s, "P19") == [("exit", "persuaded_to_leave", D(2023, 9, 18))]
    assert events(s, "P37") == [("exit", "not_recognized", D(2023, 3, 30))]
    assert events(s, "P27") == [("death", "", D(2023, 11, 20))]
    # the roster with 进入/离开: increases open at 进入日期, decreases close at 离开日期 (former members)
    assert events(s, "P43") == [("admission", "", D(2023, 3, 15))]
    assert events(s, "P45") == [("admission", "readmission", D(2023, 9, 10))]
    assert events(s, "P46") == [("transfer_in", "", D(2023, 4, 10))]
    assert [e[:2] for e in events(s, "P47")] == [("transfer_in", "whole_unit")]
    assert periods(s, "P49") == [("X-A-2", D(1958, 7, 1), D(2023, 5, 1), "death")]
    assert events(s, "P50") == [("exit", "removed_after_persuasion", D(2023, 10, 16))]
    assert periods(s, "P51") == [("X-B-3", D(2023, 2, 1), D(2023, 9, 30), "transfer_out")]
    assert events(s, "P52") == [("exit", "withdrawn_removed", D(2023, 12, 5))]


def test_full_membership_dates(year):
    s = year
    dates = {key: PartyMember.objects.get(pk=s.people[key].pk).full_membership_date
             for key in ("P05", "P06", "P07", "P22", "P28", "P42", "P56", "P45")}
    assert dates == {"P05": D(2023, 3, 6), "P06": None, "P07": None, "P22": D(2023, 5, 22), "P28": D(2023, 1, 12),
                     "P42": D(2023, 9, 1), "P56": D(2023, 9, 8), "P45": None}
    # 林延's extension came with the opening roster (延长预备期时间 一年), before her 延长预备期后转正
    extension = MembershipEvent.objects.get(person=s.people["P56"], kind="full_membership", detail="extended")
    assert extension.extension_months == 12 and extension.date < D(2023, 9, 8)


def test_attributes_statuses_and_terms(year):
    s = year
    p20 = s.people["P20"]
    p20.refresh_from_db()
    assert p20.taiwan_origin is True and p20.title_level == "senior"
    levels = {key: type(s.people[key]).objects.get(pk=s.people[key].pk).title_level for key in ("P02", "P15", "P01")}
    assert levels == {"P02": "intermediate", "P15": "junior", "P01": ""}

    def period(key):
        return Membership.objects.filter(person=s.people[key]).order_by("-start_date").first()

    # ownership from the unit where the value has none (集体 → 公有制, 非公有 → 非公有制), flags from 其中 rows
    assert (period("P15").occupation_detail, period("P15").ownership) == ("skilled_worker", "public")
    assert (period("P31").occupation_detail, period("P31").ownership) == ("skilled_worker", "non_public")
    assert (period("P16").migrant_worker, period("P48").migrant_worker, period("P48").ownership) == (True, True,
                                                                                                   "non_public")
    assert (period("P11").occupation, period("P11").migrant_business) == ("farmer", True)
    assert (period("P06").occupation_detail, period("P06").ownership) == ("skilled_worker", "public")
    assert (period("P30").occupation_detail, period("P30").ownership) == ("enterprise_manager", "non_public")
    assert period("P38").occupation == "farmer"  # carried over by the 整建制 transfer

    open_on = MemberStatus.objects.filter(start_date__lte=D1).exclude(end_date__lte=D1)
    assert sorted(open_on.filter(kind="mobile").values_list("person__name", flat=True)) == sorted(
        ["李二妹", "流动甲", "财一", "高明"])
    assert sorted(open_on.filter(kind="lost_contact").values_list("person__name", flat=True)) == sorted(
        ["张老三", "黄师傅", "潘工", "唐专"])
    assert MemberStatus.objects.filter(end_date__isnull=False).count() == 2  # 财二 (mobile), 李大山 (lost contact)

    terms = {t.organization.code: (t.election_date, t.start_date, t.end_date)
             for t in OrganizationTerm.objects.select_related("organization")}
    assert terms == TERMS
