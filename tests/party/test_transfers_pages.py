"""组织关系转接 pages: from the person page (start, transfer out), the list of both sides (no foreign rows),
accept / return / cancel, 登记转入党员, 整建制转接 from an organization page, the receiving-organization picker
(outside the scope, names and codes only, at most 20) and the home page's to-do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_id, make_user
from zugong.orgs.services import organization_create, organization_dissolve
from zugong.party import transfers
from zugong.party.models import Membership, MembershipEvent, MembershipTransfer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(user, query: str = "") -> set[int]:
    response = client_for(user).get(reverse("party:transfer_list") + query)
    assert response.status_code == 200
    return {t.pk for t in response.context["object_list"]}


def test_person_page_offers_the_transfer_actions(tree):
    page = client_for(tree.branch_user).get(reverse("people:detail", kwargs={"pk": tree.member_a1_1.pk})).content.decode()
    assert reverse("party:transfer_start", kwargs={"pk": tree.member_a1_1.pk}) in page
    assert reverse("party:transfer_out", kwargs={"pk": tree.member_a1_1.pk}) in page


def test_start_from_the_person_page_with_the_picker(tree):
    client = client_for(tree.branch_user)
    url = reverse("party:transfer_start", kwargs={"pk": tree.member_a1_1.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"to_organization": "", "to_organization_pick": "C-B-1", "date": TODAY.isoformat(),
                                 "note": "调往乙镇"})
    transfer = MembershipTransfer.objects.get(person=tree.member_a1_1)
    assert response.status_code == 302 and response["Location"] == reverse("party:transfer_detail",
                                                                           kwargs={"pk": transfer.pk})
    assert (transfer.to_organization, transfer.state, transfer.note) == (tree.branch_b1, "pending", "调往乙镇")
    response = client.post(url, {"to_organization": "C-B-1", "date": TODAY.isoformat()})
    assert response.status_code == 400 and "已有一项未办结的组织关系转接" in response.content.decode()
    response = client.post(reverse("party:transfer_start", kwargs={"pk": tree.member_a1_2.pk}),
                           {"to_organization": "NOPE", "date": TODAY.isoformat()})
    assert response.status_code == 400 and "组织代码「NOPE」不存在" in response.content.decode()
    assert client.get(reverse("party:transfer_start", kwargs={"pk": tree.member_b1_1.pk})).status_code == 404


def test_list_shows_both_sides_and_no_foreign_rows(tree):
    day = TODAY - dt.timedelta(days=2)
    t1 = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                  to_organization_id=tree.branch_b1.pk, date=day)
    t2 = transfers.transfer_start(user=tree.town_user, person_id=tree.member_a2_1.pk,
                                  to_organization_id=tree.branch_a1.pk, date=day)
    t3 = transfers.transfer_start(user=tree.branch_b_user, person_id=tree.member_b1_1.pk,
                                  to_organization_id=tree.town_b.pk, date=day)
    assert listed(tree.branch_user) == {t1.pk, t2.pk}
    assert listed(tree.branch_user, "?box=outgoing") == {t1.pk}
    assert listed(tree.branch_user, "?box=incoming") == {t2.pk}
    assert listed(tree.branch_b_user) == {t1.pk, t3.pk}
    assert listed(tree.branch_b_user, "?box=incoming") == {t1.pk}
    assert listed(tree.town_user) == {t1.pk, t2.pk}
    assert listed(tree.county_user) == {t1.pk, t2.pk, t3.pk}
    assert listed(tree.nogrant_user) == set()
    page = client_for(tree.branch_b_user).get(reverse("party:transfer_list")).content.decode()
    assert reverse("party:transfer_accept", kwargs={"pk": t1.pk}) in page
    assert reverse("party:transfer_cancel", kwargs={"pk": t3.pk}) in page
    assert reverse("party:transfer_accept", kwargs={"pk": t3.pk}) not in page  # its own outgoing transfer
    assert "王强" not in page  # branch A2's transfer to A1 is neither side of branch B1


def test_receiver_sees_the_transfer_but_not_the_member_then_accepts(tree):
    transfer = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                        to_organization_id=tree.branch_b1.pk, date=TODAY)
    client = client_for(tree.branch_b_user)
    detail = client.get(reverse("party:transfer_detail", kwargs={"pk": transfer.pk}))
    assert detail.status_code == 200 and detail.context["person_visible"] is False
    text = detail.content.decode()
    person_url = reverse("people:detail", kwargs={"pk": tree.member_a1_1.pk})
    assert "张伟" in text and person_url not in text
    assert "1 项组织关系转接待本组织接收或退回" in client.get(reverse("home")).content.decode()
    # the sender may not accept (refused on its merits), the receiver may
    response = client_for(tree.branch_user).post(reverse("party:transfer_accept", kwargs={"pk": transfer.pk}),
                                                 {"version": transfer.version, "date": TODAY.isoformat()})
    assert response.status_code == 400 and "只有接收方「乙镇机关党支部」可以接收" in response.content.decode()
    url = reverse("party:transfer_accept", kwargs={"pk": transfer.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": transfer.version, "date": TODAY.isoformat()})
    assert response.status_code == 302 and response["Location"] == person_url
    assert client.get(person_url).status_code == 200
    assert client_for(tree.branch_user).get(person_url).status_code == 404
    response = client.post(url, {"version": transfer.version, "date": TODAY.isoformat()})
    assert response.status_code == 409  # the page's version is stale now


def test_return_and_cancel_pages(tree):
    transfer = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                        to_organization_id=tree.branch_b1.pk, date=TODAY)
    url = reverse("party:transfer_return", kwargs={"pk": transfer.pk})
    response = client_for(tree.branch_b_user).post(url, {"version": transfer.version, "reason": ""})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    response = client_for(tree.branch_b_user).post(url, {"version": transfer.version, "reason": "不属于本支部"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.state, transfer.return_reason) == ("returned", "不属于本支部")
    again = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                     to_organization_id=tree.branch_b1.pk, date=TODAY)
    response = client_for(tree.branch_user).post(reverse("party:transfer_cancel", kwargs={"pk": again.pk}),
                                                 {"version": again.version})
    assert response.status_code == 302 and MembershipTransfer.objects.get(pk=again.pk).state == "cancelled"


def test_transfer_out_page(tree):
    client = client_for(tree.branch_user)
    url = reverse("party:transfer_out", kwargs={"pk": tree.member_a1_1.pk})
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["dues_paid_through"] == f"{TODAY:%Y-%m}"
    response = client.post(url, {"counterpart": "中共某市某区委", "letter_number": "2025-7", "validity_days": "0",
                                 "dues_paid_through": f"{TODAY:%Y-%m}", "date": TODAY.isoformat()})
    assert response.status_code == 400 and "有效期 0 天超出范围" in response.content.decode()
    response = client.post(url, {"counterpart": "中共某市某区委", "letter_number": "2025-7", "validity_days": "10",
                                 "dues_paid_through": f"{TODAY:%Y-%m}", "date": TODAY.isoformat()})
    transfer = MembershipTransfer.objects.get(person=tree.member_a1_1)
    assert response.status_code == 302 and transfer.state == "issued"
    detail = client.get(reverse("party:transfer_detail", kwargs={"pk": transfer.pk})).content.decode()
    assert reverse("party:transfer_letter", kwargs={"pk": transfer.pk}) in detail


def test_transfer_in_page(tree):
    birth = dt.date(1993, 2, 3)
    data = {"organization": tree.branch_b1.pk, "name": "吴静", "sex": "2", "ethnicity": "01", "id_number": make_id(birth, "2"),
            "birth_date": birth.isoformat(), "education_level": "21", "category": "probationary",
            "admission_date": (TODAY - dt.timedelta(days=100)).isoformat(), "full_membership_date": "",
            "occupation": "professional", "counterpart": "中共某省某大学委员会", "letter_number": "外 9",
            "date": TODAY.isoformat()}
    client = client_for(tree.branch_b_user)
    assert client.get(reverse("party:transfer_in")).status_code == 200
    response = client.post(reverse("party:transfer_in"), data)
    transfer = MembershipTransfer.objects.get(direction="in")
    assert response.status_code == 302 and response["Location"] == reverse("people:detail",
                                                                           kwargs={"pk": transfer.person_id})
    assert MembershipEvent.objects.get(person_id=transfer.person_id).kind == "transfer_in"
    assert client_for(tree.branch_user).post(reverse("party:transfer_in"), data).status_code in (400, 404)


def test_whole_unit_page(tree):
    client = client_for(tree.county_user)
    org = reverse("orgs:detail", kwargs={"pk": tree.branch_a2.pk})
    assert reverse("party:whole_unit_transfer", kwargs={"org_pk": tree.branch_a2.pk}) in client.get(org).content.decode()
    url = reverse("party:whole_unit_transfer", kwargs={"org_pk": tree.branch_a2.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": tree.branch_a2.version, "to_organization": "C-B-1",
                                 "date": TODAY.isoformat(), "reason": "村党支部合并"})
    assert response.status_code == 302
    tree.branch_a2.refresh_from_db()
    assert (tree.branch_a2.status, tree.branch_a2.dissolution_reason) == ("dissolved", "村党支部合并")
    assert Membership.objects.get(person=tree.member_a2_1, end_date__isnull=True).organization == tree.branch_b1
    group = organization_create(parent=tree.branch_b1, code="C-B-1-G", name="乙镇第一党小组", org_type="party_group",
                                founded_date=dt.date(2000, 1, 1))
    page = client.get(reverse("party:whole_unit_transfer", kwargs={"org_pk": group.pk})).content.decode()
    assert "不直接管理党员组织关系，不能整建制转接" in page
    assert client_for(tree.branch_user).get(
        reverse("party:whole_unit_transfer", kwargs={"org_pk": tree.branch_b1.pk})).status_code == 404


def test_picker_lists_organizations_outside_the_scope_names_and_codes_only(tree):
    dissolved = organization_create(parent=tree.town_b, code="C-B-8", name="乙镇撤并党支部", org_type="branch",
                                    founded_date=dt.date(2000, 1, 1))
    organization_dissolve(user=tree.county_user, organization=dissolved, date=TODAY, reason="撤并",
                          expected_version=dissolved.version)
    organization_create(parent=tree.branch_b1, code="C-B-1-G", name="乙镇第一党小组", org_type="party_group",
                        founded_date=dt.date(2000, 1, 1))
    client = client_for(tree.branch_user)
    response = client.get(reverse("party:transfer_target_picker") + "?q=乙镇")
    codes = [o.code for o in response.context["results"]]
    assert codes == ["C-B", "C-B-1"]  # outside branch A1's scope; not the dissolved branch nor the party group
    text = response.content.decode()
    assert 'name="to_organization_pick" value="C-B-1"' in text and "阿依古丽" not in text
    for i in range(25):
        organization_create(parent=tree.town_b, code=f"C-B-T{i:02d}", name=f"乙镇测试党支部{i:02d}", org_type="branch",
                            founded_date=dt.date(2000, 1, 1))
    response = client.get(reverse("party:transfer_target_picker") + "?q=测试")
    assert len(response.context["results"]) == 20
    viewer = make_user("viewer_a", "viewer", tree.town_a)
    assert client_for(viewer).get(reverse("party:transfer_target_picker") + "?q=乙镇").status_code == 403
