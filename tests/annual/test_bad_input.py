"""The issue's bad-input list, end to end through the channel a user would use, each refused with a clear
Chinese message naming the row or field and the regulation, and NOTHING written (the whole lifecycle state
is compared before and after): an event dated before the member's admission or after their death; 转正
before one year of probation without an extension; two open transfers for one member; a transfer to a
dissolved organization; 恢复党籍 for a member never stopped; a decrease for someone who is not a member on
that date; a change-ledger row for an ID number outside the scope; a 离开日期 earlier than 进入日期.

Starts from the story's opening state (``story.build_opening``: tree, terms, opening roster)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.annual.channels import api_post, form_data, xlsx_bytes
from tests.annual.story import HISTORY_HEADERS, ROSTER_HEADERS, YEAR_ROSTER, clients, ledger_file, roster_row
from tests.factories import make_id
from zugong.core.errors import ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create, organization_dissolve
from zugong.party.importers import import_roster
from zugong.party.models import Membership, MembershipEvent, MembershipTransfer, MemberStatus, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
REGULATION = re.compile(r"《[^》]{2,}》")
"""A regulation named in the message (e.g. 《中国共产党章程》第七条, 《党章》第七条)."""


def lifecycle_state():
    """Everything a lifecycle change may write."""
    return (sorted(MembershipEvent.objects.values_list("pk", "person_id", "kind", "detail", "date")),
            sorted(Membership.objects.values_list("pk", "version", "organization_id", "start_date", "end_date",
                                                  "end_reason")),
            sorted(PartyMember.objects.values_list("pk", "version", "admission_date", "full_membership_date")),
            sorted(Person.objects.values_list("pk", "version", "organization_id", "political_status")),
            sorted(MembershipTransfer.objects.values_list("pk", "person_id", "state", "version")),
            sorted(MemberStatus.objects.values_list("pk", "end_date")),
            sorted(PartyOrganization.objects.values_list("pk", "version", "status")))


def api_refused(client, url: str, body: dict) -> list[dict]:
    """POST ``body``, expect 400 with errors and nothing written; returns the errors."""
    before = lifecycle_state()
    response = api_post(client, url, body, expect=(400,))
    assert lifecycle_state() == before
    errors = response.json()["errors"]
    assert errors and all(e["reason"] for e in errors), errors
    return errors


def says_all(reason: str, says: tuple) -> bool:
    """``reason`` contains every item of ``says`` (an item may be a tuple of alternatives)."""
    return all(any(t in reason for t in (item if isinstance(item, tuple) else (item,))) for item in says)


def one(errors: list[dict], *, columns: set[str], says: tuple, regulation: bool = True) -> dict:
    """The error naming one of ``columns`` whose reason says every text of ``says`` (and a regulation: the
    issue asks for "a clear Chinese message naming the row or field and the article")."""
    found = [e for e in errors if e["column"] in columns and says_all(e["reason"], says)]
    assert found, errors
    if regulation:
        assert REGULATION.search(found[0]["reason"]), found[0]
    return found[0]


DATE = {"变动日期", "日期"}


def test_event_before_admission(opening):
    s, c = opening, clients(opening)
    # 孙丽 was admitted on 2022-03-01: a death recorded for 2021-12-01 precedes it
    errors = api_refused(c.town_a, f"/api/members/{s.people['P05'].pk}/events/",
                         {"kind": "death", "date": "2021-12-01"})
    one(errors, columns=DATE, says=("2021-12-01", "入党"))


def test_event_after_death(opening):
    s, c = opening, clients(opening)
    url = f"/api/members/{s.people['P03'].pk}/events/"
    api_post(c.town_a, url, {"kind": "death", "date": "2023-02-14"})
    errors = api_refused(c.town_a, url, {"kind": "exit", "detail": "expelled", "date": "2023-03-01",
                                         "reason_category": "违反廉洁纪律"})
    one(errors, columns=DATE, says=(("死亡", "去世"),))


def test_full_membership_before_one_year_without_extension(opening):
    """On the person page's 转正 form: 孙丽 (入党 2022-03-01) cannot be made full on 2023-02-01."""
    s, c = opening, clients(opening)
    url = reverse("party:event_create", kwargs={"pk": s.people["P05"].pk, "kind": "full_membership"})
    data = form_data(c.town_a, url, {"detail": "on_time", "date": "2023-02-01"})
    before = lifecycle_state()
    response = c.town_a.post(url, data)
    assert response.status_code == 400
    assert lifecycle_state() == before
    text = response.content.decode()
    assert "第七条" in text and "一年" in text and REGULATION.search(text)
    # with an extension on record it would be 延长预备期后转正, and only after the extension ends:
    errors = api_refused(c.town_a, f"/api/members/{s.people['P05'].pk}/events/",
                         {"kind": "full_membership", "detail": "after_extension", "date": "2023-03-06"})
    one(errors, columns=DATE | {"转正情况", "变动情形"}, says=("延长",))


def test_two_open_transfers(opening):
    s, c = opening, clients(opening)
    person = s.people["P01"].pk
    api_post(c.town_a, "/api/transfers/", {"person": person, "person_id": person, "to_organization": s.orgs["X-B-1"].pk,
                                           "to_organization_id": s.orgs["X-B-1"].pk, "date": "2023-05-01"})
    errors = api_refused(c.town_a, "/api/transfers/", {
        "person": person, "person_id": person, "to_organization": s.orgs["X-C"].pk,
        "to_organization_id": s.orgs["X-C"].pk, "date": "2023-05-02"})
    assert any("转接" in e["reason"] for e in errors), errors
    assert MembershipTransfer.objects.filter(person_id=person, state="pending").count() == 1


def test_transfer_to_a_dissolved_organization(opening):
    s, c = opening, clients(opening)
    gone = organization_create(code="X-A-9", name="甲镇原供销社党支部", org_type="branch", parent=s.orgs["X-A"],
                               unit_category="enterprise", founded_date=D(1970, 1, 1), user=s.county)
    organization_dissolve(user=s.county, organization=gone, date=D(2022, 12, 31), reason="单位撤并",
                          expected_version=PartyOrganization.objects.get(pk=gone.pk).version)
    person = s.people["P01"].pk
    errors = api_refused(c.town_a, "/api/transfers/", {
        "person": person, "person_id": person, "to_organization": gone.pk, "to_organization_id": gone.pk,
        "date": "2023-05-01"})
    one(errors, columns={"接收党组织", "转入党组织", "to_organization"}, says=("撤销",))


def test_reinstatement_for_a_member_never_stopped(opening):
    s, c = opening, clients(opening)
    # 周文 is a member: there is nothing to restore
    errors = api_refused(c.town_a, f"/api/members/{s.people['P01'].pk}/events/",
                         {"kind": "reinstatement", "date": "2023-05-01", "to_organization_id": s.orgs["X-A-1"].pk,
                          "to_organization": s.orgs["X-A-1"].pk})
    one(errors, columns=DATE | {"变动类型"}, says=("恢复党籍",))
    # 曹复 was expelled (not stopped): 停止党籍后恢复党籍 needs a recorded 停止党籍
    url = f"/api/members/{s.people['P29'].pk}/events/"
    api_post(c.town_b, url, {"kind": "exit", "detail": "expelled", "date": "2022-08-01", "reason_category": "违反廉洁纪律"})
    errors = api_refused(c.town_b, url, {"kind": "reinstatement", "detail": "after_suspension", "date": "2023-04-18",
                                         "to_organization_id": s.orgs["X-B-1"].pk, "to_organization": s.orgs["X-B-1"].pk})
    one(errors, columns=DATE | {"变动类型", "变动情形"}, says=("停止党籍",))


def ledger_refused(path, username: str) -> dict[int, str]:
    """Run the ledger import, expect a refusal with nothing written; returns {row: printed error line}."""
    before = lifecycle_state()
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_changes", str(path), "--user", username, "--no-progress", stdout=io.StringIO(),
                     stderr=err)
    assert "未写入" in str(exc.value)
    assert lifecycle_state() == before
    lines = {}
    for line in err.getvalue().splitlines():
        head = line.split(maxsplit=1)
        if head and head[0].isdigit():
            lines[int(head[0])] = line
    return lines


def test_decrease_for_someone_not_a_member_that_day(opening, tmp_path):
    """The change ledger: 秦岭's death is fine, but 曹复 (expelled 2022-08-01) cannot die "as a member" on
    2023-01-05 — the whole file is refused."""
    s, c = opening, clients(opening)
    api_post(c.town_b, f"/api/members/{s.people['P29'].pk}/events/",
             {"kind": "exit", "detail": "expelled", "date": "2022-08-01", "reason_category": "违反廉洁纪律"})
    n = s.numbers
    path = ledger_file(s, tmp_path, [
        [n["P27"], "秦岭", "死亡", "2023-11-20", "", "", "病故", "", "", ""],
        [n["P29"], "曹复", "死亡", "2023-01-05", "", "", "病故", "", "", ""],
    ])
    lines = ledger_refused(path, "county")
    assert set(lines) == {3}, lines
    assert "变动" in lines[3] and REGULATION.search(lines[3]), lines[3]
    assert Membership.objects.get(person=s.people["P27"], end_date__isnull=True)


def test_ledger_row_outside_the_scope(opening, tmp_path):
    """甲镇's user submits a ledger with one 乙镇 member: that row is an error (without saying where the
    person is), and the valid 甲镇 row is not written either."""
    s = opening
    n = s.numbers
    path = ledger_file(s, tmp_path, [
        [n["P22"], "周预", "转正", "2023-05-22", "", "", "", "", "按期转正", ""],
        [n["P30"], "邓经理", "死亡", "2023-06-01", "", "", "", "", "", ""],
    ])
    lines = ledger_refused(path, "town_a")
    assert set(lines) == {3}, lines
    assert "公民身份号码" in lines[3]
    assert "乙镇" not in lines[3] and "食品公司" not in lines[3]  # never names where the person is
    assert PartyMember.objects.get(pk=s.people["P22"].pk).full_membership_date is None


def test_leave_date_before_entry_date(opening):
    """The roster import: a row entering on 2023-05-01 and leaving on 2023-03-01 is refused, the other
    (valid) rows too."""
    s = opening
    good = YEAR_ROSTER["P43"]
    bad = YEAR_ROSTER["P51"]
    rows = [roster_row(good, make_id(good.birth, good.sex_code), history=True),
            roster_row(bad, make_id(bad.birth, bad.sex_code), history=True)]
    headers = ROSTER_HEADERS + HISTORY_HEADERS
    rows[1][headers.index("进入日期")] = "2023-05-01"
    rows[1][headers.index("离开日期")] = "2023-03-01"
    before = lifecycle_state()
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx_bytes([headers, *rows]), user=s.county, filename="花名册.xlsx")
    assert lifecycle_state() == before
    errors = [e for e in exc.value.errors if e.row == 3]
    assert errors and all(e.row != 2 for e in exc.value.errors), [str(e) for e in exc.value.errors]
    error = next(e for e in errors if e.column in ("离开日期", "进入日期"))
    assert "2023-03-01" in error.reason and "2023-05-01" in error.reason, error
    assert not Person.objects.filter(name__in=[good.name, bad.name]).exists()
