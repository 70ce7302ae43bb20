"""The audit page and its exports name object types in Chinese (人员, 用户, 审计日志, 党组织 …): a model
label by its ``verbose_name``, the other recorded types by a small table; the pseudonymisation of
people stays as it was; the filter takes the Chinese name or the recorded code."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.security.helpers import login
from zugong.audit.presentation import object_type_label, person_label
from zugong.audit.services import record_event

pytestmark = pytest.mark.django_db

RAW = ("people.person", "orgs.partyorganization", "party.membership", "audit_event", "user #")


def test_object_type_labels():
    assert object_type_label("people.person") == "人员"
    assert object_type_label("orgs.partyorganization") == "党组织"
    assert object_type_label("party.membership") == "组织关系"
    assert object_type_label("core.importjob") == "导入任务"
    assert object_type_label("user") == "用户"
    assert object_type_label("audit_event") == "审计日志"
    assert object_type_label("party_organization") == "党组织"
    assert object_type_label("roster") == "党员花名册"  # an import kind
    assert object_type_label("no.such") == "no.such" and object_type_label("") == ""


def cells(html: str) -> str:
    """The table body's text, without the folded 详情 (the recorded data, model codes included)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r"<[^>]+>", " ", re.sub(r"<details>.*?</details>", "", body, flags=re.S))


def test_audit_page_and_csv_show_chinese_object_types(sec, client):
    person = sec.member_a1_1
    record_event("login", user=sec.county_user, object_type="user", object_id=sec.county_user.pk, summary="登录成功")
    record_event("org_change", user=sec.county_user, object_type="orgs.partyorganization",
                 object_id=sec.town_a.pk, summary="修改党组织")
    login(client, sec.audadm)
    client.get("/audit/")  # writes an audit_read event about the audit log itself
    html = client.get("/audit/").content.decode()
    text = cells(html)
    assert f"用户 #{sec.county_user.pk}" in text and f"党组织 #{sec.town_a.pk}" in text and "审计日志" in text
    assert person_label(person.pk) in text and "人员" in text  # people stay pseudonymised
    assert person.name not in text
    for raw in RAW:
        assert raw not in text, raw

    rows = list(csv.reader(io.StringIO(client.get("/audit/export/?format=csv").content.decode("utf-8-sig"))))
    header = rows[0]
    kind, obj, code = header.index("对象类型"), header.index("对象"), header.index("对象类型代码")
    pairs = {(r[kind], r[code]) for r in rows[1:]}
    assert {("用户", "user"), ("审计日志", "audit_event"), ("党组织", "orgs.partyorganization"),
            ("人员", "people.person")} <= pairs
    about = [r for r in rows[1:] if r[code] == "people.person"]
    assert about and all(r[obj].startswith("人员#") for r in about)
    assert not any(person.name in "".join(r) for r in rows[1:])
    assert f"用户 #{sec.county_user.pk}" in {r[obj] for r in rows[1:]}


@pytest.mark.parametrize("value", ["用户", "user"])
def test_filter_by_chinese_name_or_code(sec, client, value):
    record_event("login", user=sec.county_user, object_type="user", object_id=sec.county_user.pk, summary="登录成功")
    login(client, sec.audadm)
    rows = client.get("/audit/", {"object_type": value}).context["rows"]
    assert rows and {r.event.object_type for r in rows} == {"user"}
