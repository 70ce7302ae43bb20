"""党员变动 pages (``party:event_create``): one form per kind with that kind's fields, the kind-less form, the
buttons and the 党员变动 table on the person page; bad input is a 400 listing the problems with their
articles and nothing is written; a person outside the scope is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import make_user
from tests.party.test_lifecycle import snapshot
from zugong.party.models import Membership, MembershipEvent
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def page(person, kind: str | None = None) -> str:
    return f"/party/members/{person.pk}/events/{kind or 'new'}/"


def test_a_form_per_kind(client, tree):
    client.force_login(tree.town_user)
    member = tree.member_a1_2  # probationary
    html = client.get(page(member, "full_membership")).content.decode()
    assert "登记转正" in html and "转正情况" in html and "延长预备期（月）" in html and "延长预备期" in html
    assert "出党原因" not in html and "接收党组织" not in html
    html = client.get(page(member, "exit")).content.decode()
    assert "出党方式" in html and "劝而不退除名" in html and "出党原因" in html and "违反干部选拔任用规定" in html
    assert "延长预备期（月）" not in html
    html = client.get(page(member, "death")).content.decode()
    assert "变动日期" in html and "出党方式" not in html and "原因" not in html.split("<form")[1].split("</form>")[0]
    html = client.get(page(member)).content.decode()  # kind-less: a 变动类型 select and every field
    assert "变动类型" in html and "出党原因" in html and "接收党组织" in html
    assert client.get(page(member, "transfer_out")).status_code == 404  # the transfers part's pages
    assert client.get(page(member, "whatever")).status_code == 404


def test_extension_then_full_membership_through_the_pages(client, tree):
    client.force_login(tree.branch_user)
    member = tree.member_a1_2  # admitted 2024-06-20
    version = Person.objects.get(pk=member.pk).version
    response = client.post(page(member, "full_membership"), {"version": version, "kind": "full_membership",
                                                             "detail": "extended", "extension_months": "6",
                                                             "date": "2025-06-20"})
    assert response.status_code == 302 and response["Location"] == f"/people/{member.pk}/#tab-party"
    event = MembershipEvent.objects.get(person=member)
    assert (event.detail, event.extension_months) == ("extended", 6)
    before = snapshot()
    response = client.post(page(member, "full_membership"), {"version": version + 1, "kind": "full_membership",
                                                             "detail": "after_extension", "date": "2025-12-19"})
    html = response.content.decode()
    assert response.status_code == 400 and snapshot() == before
    assert "「变动日期」：延长的预备期（6 个月）至 2025-12-20 届满" in html and "《发展党员工作细则》第三十二条" in html
    response = client.post(page(member, "full_membership"), {"version": version + 1, "kind": "full_membership",
                                                             "detail": "after_extension", "date": "2025-12-20"},
                           follow=True)
    html = response.content.decode()
    assert "已登记「李娜」2025-12-20的转正。" in html
    assert "延长预备期后转正" in html and "延长预备期（6 个月）" in html  # the 党员变动 table and the history


def test_exit_page_with_reason_category(client, tree):
    client.force_login(tree.town_user)
    member = tree.member_a2_1
    response = client.post(page(member, "exit"), {"version": Person.objects.get(pk=member.pk).version,
                                                  "kind": "exit", "detail": "lapsed_removed",
                                                  "reason_category": "discipline_lax", "unreachable": "on",
                                                  "reason": "连续六个月不参加组织生活", "date": "2025-04-01"})
    assert response.status_code == 302
    event = MembershipEvent.objects.get(person=member)
    assert (event.kind, event.detail, event.reason_category, event.unreachable) == (
        "exit", "lapsed_removed", "discipline_lax", True)
    html = client.get(f"/people/{member.pk}/").content.decode()
    assert "自行脱党除名（经多方查找确实无法取得联系）" in html and "组织纪律散漫：连续六个月不参加组织生活" in html
    assert "群众" in html  # 政治面貌 after 出党
    # no longer a member: 出党 / 死亡 buttons gone, 恢复党籍 offered
    assert f"/party/members/{member.pk}/events/exit/" not in html
    assert f"/party/members/{member.pk}/events/reinstatement/" in html


def test_bad_input_lists_every_problem_and_writes_nothing(client, tree):
    client.force_login(tree.town_user)
    member = tree.member_a1_1
    before = snapshot()
    response = client.post(page(member, "reinstatement"), {"kind": "reinstatement", "date": "2025-01-02",
                                                           "to_organization": tree.branch_a2.pk})
    html = response.content.decode()
    assert response.status_code == 400 and snapshot() == before
    assert "「张伟」没有出党或停止党籍的记录，不能恢复党籍" in html and "《党员教育管理工作条例》第二十四条" in html
    response = client.post(page(member, "death"), {"kind": "exit", "date": "2025-01-02"})  # kind ≠ the page's
    assert response.status_code == 400 and snapshot() == before


def test_scope_and_buttons(client, tree):
    client.force_login(tree.branch_b_user)
    assert client.get(page(tree.member_a1_1, "death")).status_code == 404
    before = snapshot()
    response = client.post(page(tree.member_a1_1, "death"), {"kind": "death", "date": "2025-01-02"})
    assert response.status_code == 404 and snapshot() == before
    client.force_login(tree.branch_user)
    html = client.get(f"/people/{tree.member_a1_2.pk}/").content.decode()
    for kind in ("full_membership", "exit", "suspension", "death"):
        assert f"/party/members/{tree.member_a1_2.pk}/events/{kind}/" in html, kind
    assert "党员变动" in html and "没有登记党员变动" in html
    html = client.get(f"/people/{tree.member_a1_1.pk}/").content.decode()  # full member: no 转正情况
    assert f"/party/members/{tree.member_a1_1.pk}/events/full_membership/" not in html
    viewer = Client()
    viewer.force_login(make_user("viewer_a1", "viewer", tree.branch_a1))
    html = viewer.get(f"/people/{tree.member_a1_1.pk}/").content.decode()
    assert "/events/" not in html
    before = snapshot()
    response = viewer.post(page(tree.member_a1_1, "death"), {"kind": "death", "date": "2025-01-02"})
    assert response.status_code == 404 and snapshot() == before


def test_admission_page_for_a_person_without_party_record(client, tree):
    from tests.factories import make_id
    from zugong.people.services import person_create

    birth = D(2001, 1, 9)
    person = person_create(user=tree.town_user, organization_id=tree.branch_a1.pk, name="陆遥", sex="1",
                           ethnicity="01", birth_date=birth, id_number=make_id(birth, "1"), political_status="03")
    client.force_login(tree.town_user)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert f"/party/members/{person.pk}/events/admission/" in html
    form = client.get(page(person, "admission")).content.decode()
    assert "甲镇东村党支部" in form and "乙镇机关党支部" not in form  # receiving organizations in the scope
    response = client.post(page(person, "admission"), {"kind": "admission", "date": "2025-07-01",
                                                       "to_organization": tree.branch_a1.pk, "occupation": "worker"})
    assert response.status_code == 302
    membership = Membership.objects.get(person=person)
    assert (membership.start_date, membership.occupation) == (D(2025, 7, 1), "worker")
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert "发展党员：「甲镇机关党支部」" in html  # the history line of the event
