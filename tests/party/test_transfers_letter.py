"""The 介绍信 (.docx, ``party.letters``): read back with python-docx — the three parts of the usual form
(存根, 介绍信, 回执) with the number, the member's particulars, 由…转到…, dues and validity in capital numerals,
the date and seal lines; the ID number in clear only with ``basic.unmask``; only the sending side prints it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.party import letters, transfers
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def issue(tree, *, day=None):
    return transfers.transfer_out_issue(user=tree.branch_user, person_id=tree.member_a1_2.pk,
                                        counterpart="中共某省某市某区某街道工作委员会", letter_number="2025-031",
                                        validity_days=30, dues_paid_through="2025-12", date=day or TODAY)


def test_capital_numerals():
    assert [letters.capital_number(n) for n in (1, 10, 12, 30, 90, 105, 110)] == [
        "壹", "壹拾", "壹拾贰", "叁拾", "玖拾", "壹佰零伍", "壹佰壹拾"]
    assert letters.capital_digits(2025) == "贰零贰伍"


def test_letter_has_the_three_parts_with_the_members_particulars(tree):
    transfer = issue(tree)
    person = Person.objects.get(pk=tree.member_a1_2.pk)  # 李娜, 女, born 1998-03-02, 汉族, 预备党员 (admitted 2024-06-20)
    letter = letters.transfer_letter(user=tree.branch_user, transfer_id=transfer.pk)
    text = paragraphs(letter.content)
    joined = "\n".join(text)
    # the three parts, in order, each numbered
    titles = ["党员组织关系介绍信存根", "中国共产党党员组织关系介绍信", "中国共产党党员组织关系介绍信回执"]
    assert [t for t in text if t in titles] == titles
    assert [t for t in text if "第 2025-031 号" in t] == ["第一联　　第 2025-031 号", "第二联　　第 2025-031 号",
                                                         "第三联　　第 2025-031 号"]
    age = TODAY.year - 1998 - ((TODAY.month, TODAY.day) < (3, 2))
    # 存根: 由…转到…
    assert " 李娜 同志系中共 预备 党员，组织关系由 甲镇机关党支部 转到 中共某省某市某区某街道工作委员会 。" in text
    # 正本: addressed to the receiving organization, with sex, age, ethnicity, category, ID number, dues, validity
    body = next(t for t in text if t.startswith(" 李娜 同志（"))
    assert body == (f" 李娜 同志（ 女 ）， {age} 岁， 汉族 ，系中共 预备 党员，身份证号码 {person.id_number_masked} ，"
                    "由 甲镇机关党支部 去 中共某省某市某区某街道工作委员会 ，请转接组织关系。该同志党费已交到 贰零贰伍 年 壹拾贰 月。")
    assert person.id_number not in joined  # a branch secretary holds no basic.unmask
    assert " 中共某省某市某区某街道工作委员会 ：" in text and "（有效期 叁拾 天）" in text
    assert text.count("（盖章）") == 2 and text.count(f"{TODAY.year} 年 {TODAY.month} 月 {TODAY.day} 日") == 2
    # 回执: addressed back to the sending organization
    assert " 甲镇机关党支部 ：" in text and " 李娜 同志的党员组织关系已转达我处，特此回复。" in text
    assert any(t.startswith("经办人：") for t in text)
    assert any("回执联由接收党员组织关系的基层党委在接收党员后一个月内" in t for t in text)
    assert text.count("┄┄┄┄┄┄┄┄┄┄┄┄（加盖骑缝章）┄┄┄┄┄┄┄┄┄┄┄┄") == 2
    assert letter.filename == "党员组织关系介绍信_2025-031.docx" and not letter.plaintext
    event = AuditEvent.objects.get(kind="transfer_letter", object_id=str(transfer.pk))
    assert event.data["plaintext"] is False and event.data["letter_number"] == "2025-031"


def test_letter_prints_the_id_number_in_clear_with_unmask(tree):
    transfer = issue(tree)
    letter = letters.transfer_letter(user=tree.county_user, transfer_id=transfer.pk)  # 组织部门: basic.unmask
    person = Person.objects.get(pk=tree.member_a1_2.pk)
    assert letter.plaintext and person.id_number in "\n".join(paragraphs(letter.content))


def test_letter_of_an_internal_transfer_and_who_may_print_it(tree):
    transfer = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                        to_organization_id=tree.branch_b1.pk, date=TODAY - dt.timedelta(days=1))
    text = paragraphs(letters.transfer_letter(user=tree.branch_user, transfer_id=transfer.pk).content)
    assert " 张伟 同志系中共 正式 党员，组织关系由 甲镇机关党支部 转到 乙镇机关党支部 。" in text
    assert "（有效期 ＿＿＿＿＿＿ 天）" not in text and "（有效期＿＿＿＿＿＿天）" in text  # blanks to fill by hand
    with pytest.raises(PermissionDeniedError):  # the receiving side does not issue the letter
        letters.transfer_letter(user=tree.branch_b_user, transfer_id=transfer.pk)
    with pytest.raises(OutOfScope):
        letters.transfer_letter(user=tree.nogrant_user, transfer_id=transfer.pk)


def test_no_letter_for_a_member_arriving_from_outside(tree):
    from tests.factories import make_id

    birth = dt.date(1991, 1, 1)
    arrived = transfers.transfer_in_register(
        user=tree.branch_b_user, organization_id=tree.branch_b1.pk, name="钱进", sex="1", ethnicity="01",
        birth_date=birth, id_number=make_id(birth, "1"), education_level="21", admission_date="2015-01-01",
        full_membership_date="2016-01-01", occupation="farmer", counterpart="中共某县某镇委员会", date=TODAY)
    with pytest.raises(ValidationFailed):
        letters.transfer_letter(user=tree.branch_b_user, transfer_id=arrived.pk)


def test_letter_page_downloads_the_docx(client, tree):
    transfer = issue(tree)
    client.force_login(tree.branch_user)
    response = client.get(reverse("party:transfer_letter", kwargs={"pk": transfer.pk}))
    assert response.status_code == 200 and response["Content-Type"] == letters.DOCX_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "中国共产党党员组织关系介绍信" in paragraphs(response.content)
    client.force_login(tree.branch_b_user)
    assert client.get(reverse("party:transfer_letter", kwargs={"pk": transfer.pk})).status_code == 404
