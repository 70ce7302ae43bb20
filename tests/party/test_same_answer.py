"""The same bad values through the roster import, the 新增党员 page and ``POST /api/people/`` get the same
messages (one set of validators), and nothing is written by any of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.core.errors import ValidationFailed
from zugong.party.importers import import_roster
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date

CASES = {
    # name: (birth column, sex column, birth/sex in the ID number, 入党日期, 转正日期, phone)
    "ID number contradicts birth date and sex": (D(1992, 4, 6), "男", (D(1992, 4, 5), "2"), D(2016, 6, 28),
                                                 D(2017, 6, 28), "13800138000"),
    "admission before 18": (D(2000, 5, 1), "女", (D(2000, 5, 1), "2"), D(2018, 4, 30), D(2019, 4, 30), "13800138000"),
    "full membership before admission, bad phone": (D(1990, 1, 1), "女", (D(1990, 1, 1), "2"), D(2015, 6, 1),
                                                    D(2015, 5, 1), "12345"),
}


def counts():
    return Person.objects.count(), PartyMember.objects.count(), Membership.objects.count()


def via_import(tree, birth, sex, id_number, admission, full, phone) -> set[tuple[str, str]]:
    row = member_row("C-A-1", sex=sex, birth=birth, id_number=id_number, admission=admission, full=full, phone=phone,
                     work_start=D(birth.year + 20, 7, 1))
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx([ROSTER_HEADERS, row]), user=tree.town_user, filename="花名册.xlsx")
    return {(e.column, e.reason) for e in exc.value.errors}


def payload(tree, birth, sex, id_number, admission, full, phone) -> dict:
    return {"organization": tree.branch_a1.pk, "name": "赵敏", "sex": "1" if sex == "男" else "2", "ethnicity": "01",
            "id_number": id_number, "birth_date": birth.isoformat(), "education_level": "21", "category": "full",
            "admission_date": admission.isoformat(), "full_membership_date": full.isoformat(),
            "occupation": "government", "work_start_date": f"{birth.year + 20}-07-01", "phone": phone}


def via_api(client, tree, *values) -> set[tuple[str, str]]:
    response = client.post("/api/people/", payload(tree, *values), content_type="application/json")
    assert response.status_code == 400, response.content
    return {(e["column"], e["reason"]) for e in response.json()["errors"]}


def via_page(client, tree, *values) -> set[tuple[str, str]]:
    response = client.post("/party/members/new/", payload(tree, *values))
    assert response.status_code == 400
    html = response.content.decode()
    assert values[2] not in html and values[5] not in html  # the ID number and the phone are not echoed
    found = re.findall(r'<li class="msg-error" role="alert">「(.+?)」：(.+?)</li>', html)
    return {(column, reason.replace("&quot;", '"')) for column, reason in found}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_same_bad_values_same_messages_everywhere(tree, client, case):
    birth, sex, (id_birth, id_sex), admission, full, phone = CASES[case]
    id_number = make_id(id_birth, id_sex)
    values = (birth, sex, id_number, admission, full, phone)
    client.force_login(tree.town_user)
    before = counts()
    from_import = via_import(tree, *values)
    from_api = via_api(client, tree, *values)
    from_page = via_page(client, tree, *values)
    assert from_import and from_import == from_api == from_page, (from_import, from_api, from_page)
    assert counts() == before
