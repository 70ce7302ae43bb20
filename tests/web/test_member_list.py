"""党员名册 page: scope, every filter, as-of dates, sorting, SQL pagination with constant queries, escaping."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from zugong.party import views as party_views
from zugong.party.models import Membership

URL = reverse("party:member_list")


def names(response) -> list[str]:
    """Member names in table order (the links to person pages)."""
    return re.findall(r'<a href="/people/\d+/">([^<]*)</a>', response.content.decode())


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_grant_sees_no_member(client, tree):
    response = get(client, tree.nogrant_user)
    assert response.status_code == 200
    assert names(response) == []
    assert "没有符合条件的党员" in response.content.decode()


def test_branch_user_sees_only_own_branch(client, tree):
    response = get(client, tree.branch_user)
    assert sorted(names(response)) == ["张伟", "李娜"]
    assert response.context["total"] == 2
    html = response.content.decode()
    assert "乙镇机关党支部" not in html  # not in the tree either


@pytest.mark.parametrize("ref", ["C-B-1", "C-B", "C-A", "C", "NOPE"])
def test_org_outside_scope_is_404_never_rows(client, tree, ref):
    # C-A and C are ancestors of the branch user's node: outside the scope as well
    response = get(client, tree.branch_user, org=ref)
    assert response.status_code == 404
    assert "阿依古丽" not in response.content.decode()


def test_org_outside_scope_by_id_is_404(client, tree):
    response = get(client, tree.branch_user, org=str(tree.branch_b1.pk))
    assert response.status_code == 404


def test_county_user_sees_all_and_org_filter_takes_subtree(client, tree):
    assert sorted(names(get(client, tree.county_user))) == sorted(["张伟", "李娜", "王强", "阿依古丽"])
    response = get(client, tree.county_user, org="C-A")
    assert sorted(names(response)) == ["张伟", "李娜", "王强"]
    assert response.context["selected_org"] == tree.town_a
    assert sorted(names(get(client, tree.county_user, org=str(tree.branch_b1.pk)))) == ["阿依古丽"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "阿依"}, ["阿依古丽"]),
        ({"sex": "2"}, ["李娜", "阿依古丽"]),
        ({"sex": "女"}, ["李娜", "阿依古丽"]),
        ({"ethnicity": "minority"}, ["阿依古丽"]),
        ({"ethnicity": "han"}, ["张伟", "李娜", "王强"]),
        ({"education": "graduate"}, ["李娜"]),
        ({"education": "研究生"}, ["李娜"]),
        ({"education": "bachelor"}, ["张伟", "阿依古丽"]),
        ({"education": "21"}, ["张伟", "阿依古丽"]),
        ({"education": "college_or_above"}, ["张伟", "李娜", "阿依古丽"]),
        ({"education": "high_school_or_below"}, ["王强"]),
        ({"category": "probationary"}, ["李娜"]),
        ({"category": "正式党员"}, ["张伟", "王强", "阿依古丽"]),
        ({"occupation": "farmer"}, ["王强"]),
        ({"occupation": "党政机关工作人员"}, ["李娜", "阿依古丽"]),
        ({"front_line": "true"}, ["王强"]),
        ({"front_line": "false"}, ["张伟", "李娜", "阿依古丽"]),
        ({"age_min": "60", "as_of": "2018-01-09"}, ["王强"]),  # 60th birthday that day
        ({"age_min": "60", "as_of": "2018-01-08"}, []),  # still 59
        ({"age_max": "59", "as_of": "2018-01-08"}, ["张伟", "王强", "阿依古丽"]),
        ({"age_max": "59", "as_of": "2018-01-09"}, ["张伟", "阿依古丽"]),
        ({"age_min": "25", "age_max": "35"}, ["李娜", "阿依古丽"]),  # 1998 and 1990 births, as of today
        ({"as_of": "2012-01-01"}, ["张伟", "王强"]),  # the others were admitted later
    ],
)
def test_filters(client, tree, params, expected, monkeypatch):
    if "as_of" not in params:
        # "today" pinned so ages do not drift with the calendar
        monkeypatch.setattr("zugong.party.filtersets.today", lambda: dt.date(2025, 6, 1))
    response = get(client, tree.county_user, **params)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(expected)


def test_category_is_as_of_the_date(client, tree):
    """A member who became full after ``as_of`` is a 预备党员 on that roster, without 转正日期."""
    factories.make_member(tree.branch_a2, "赵敏", admission_date=dt.date(2019, 7, 1),
                          full_membership_date=dt.date(2020, 7, 1))
    response = get(client, tree.county_user, as_of="2020-01-01", category="probationary")
    assert names(response) == ["赵敏"]
    row = response.context["rows"][0]
    assert row.category_label == "预备党员"
    assert row.full_membership_date is None
    assert "预备党员" in response.content.decode()
    response = get(client, tree.county_user, as_of="2020-07-01", category="probationary")
    assert names(response) == []
    response = get(client, tree.county_user, as_of="2020-07-01", name="赵敏")
    assert response.context["rows"][0].category_label == "正式党员"


def test_roster_as_of_follows_transfers(client, tree):
    """A member transferred from A1 to B1 is on A1's roster before the transfer and on B1's after."""
    person = tree.member_a1_1
    old = Membership.objects.get(person=person)
    old.end_date, old.end_reason = dt.date(2022, 3, 1), "transfer"
    old.save()
    Membership.objects.create(person=person, organization=tree.branch_b1, start_date=dt.date(2022, 3, 1),
                              occupation="professional")
    assert "张伟" in names(get(client, tree.branch_user, as_of="2022-02-28"))
    assert "张伟" not in names(get(client, tree.branch_user, as_of="2022-03-01"))
    assert "张伟" in names(get(client, tree.branch_b_user, as_of="2022-03-01"))
    assert "张伟" not in names(get(client, tree.branch_b_user, as_of="2022-02-28"))


def test_sorting(client, tree):
    rows = names(get(client, tree.county_user, sort="-birth_date"))
    assert rows == ["李娜", "阿依古丽", "张伟", "王强"]
    rows = names(get(client, tree.county_user, sort="birth_date"))
    assert rows == ["王强", "张伟", "阿依古丽", "李娜"]
    rows = names(get(client, tree.county_user, sort="admission_date"))
    assert rows[0] == "王强" and rows[-1] == "李娜"


def test_invalid_filter_shows_error_and_no_rows(client, tree):
    response = get(client, tree.county_user, education="博士后")
    assert response.status_code == 200
    assert names(response) == []
    assert "无法识别的学历" in response.content.decode()
    response = get(client, tree.county_user, as_of="2020-13-45")
    assert names(response) == []


def test_table_columns_and_masked_id(client, tree):
    response = get(client, tree.county_user, name="李娜", as_of="2025-06-01")
    html = response.content.decode()
    for header in ("姓名", "性别", "民族", "出生日期", "年龄", "学历", "人员类别", "入党日期", "转正日期", "工作岗位",
                   "所在党组织", "公民身份号码"):
        assert f">{header}" in html
    person = tree.member_a1_2
    assert person.id_number_masked in html
    assert person.id_number not in html
    row = response.context["rows"][0]
    assert (row.age, row.sex_label, row.education_label, row.organization) == (27, "女", "硕士研究生毕业", tree.branch_a1)


def test_pagination_in_sql_with_total(client, tree):
    for i in range(55):
        factories.make_member(tree.branch_a2, f"党员{i:02d}", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i))
    first = get(client, tree.county_user)
    assert first.context["total"] == 59
    assert len(names(first)) == 50
    second = get(client, tree.county_user, page="2")
    assert len(names(second)) == 9
    assert not set(names(first)) & set(names(second))
    assert "共 <strong>59</strong> 人" in second.content.decode()  # the total is exact (count table)
    small = get(client, tree.county_user, per_page="20", page="3")
    assert len(names(small)) == 19


def _count_queries(client, user, **params) -> tuple[int, int]:
    client.force_login(user)
    client.get(URL, params)  # warm-up (session, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(names(response))


def test_query_count_does_not_depend_on_rows(client, tree):
    for i in range(8):
        factories.make_member(tree.branch_a1, f"甲{i}")
    small, shown_small = _count_queries(client, tree.county_user, per_page="100", org="C-A-1")
    for i in range(40):
        factories.make_member(tree.branch_a1, f"乙{i}")
    large, shown_large = _count_queries(client, tree.county_user, per_page="100", org="C-A-1")
    assert (shown_small, shown_large) == (10, 50)
    assert small == large
    # session, user, grants (one query per label.action: view, export, import …), org, count, page keys,
    # page rows, tree roots and children
    assert large <= 15


def test_member_name_is_escaped(client, tree):
    evil = "<img src=x onerror=alert(1)>"
    factories.make_member(tree.branch_a1, evil)
    html = get(client, tree.branch_user).content.decode()
    assert evil not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_export_link_carries_org_and_as_of(client, tree, monkeypatch):
    real_reverse = party_views.reverse

    def fake_reverse(name, *args, **kwargs):
        if name == "party:export_roster":
            return "/party/roster/export/"
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(party_views, "reverse", fake_reverse)
    response = get(client, tree.county_user, org="C-A", as_of="2023-12-31", category="full")
    href = response.context["export_href"]
    assert href.startswith("/party/roster/export/?")
    assert "org=C-A" in href and "as_of=2023-12-31" in href and "category=full" in href
    assert "导出Excel" in response.content.decode()


def test_tree_beside_roster_links_filter_the_roster(client, tree):
    html = get(client, tree.town_user, as_of="2024-01-01").content.decode()
    assert "?org=C-A&amp;as_of=2024-01-01" in html
    assert "?org=C-A-1&amp;as_of=2024-01-01" in html
    assert "C-B" not in html


def test_filter_form_keeps_the_chosen_values(client, tree):
    html = get(client, tree.county_user, category="probationary", education="graduate", front_line="true",
               age_min="20", as_of="2025-01-31").content.decode()
    assert '<option value="probationary" selected>预备党员</option>' in html
    assert '<option value="graduate" selected>研究生</option>' in html
    assert '<option value="true" selected>是</option>' in html
    assert 'name="age_min" min="0" max="150" value="20"' in html
    assert 'name="as_of" value="2025-01-31"' in html
    assert "截至 2025-01-31" in html


def test_export_link_only_for_users_who_may_export(client, tree):
    from tests.factories import make_user

    viewer = make_user("viewer_only", "viewer", tree.county)
    assert get(client, viewer).context["export_href"] is None
    href = get(client, tree.branch_user, as_of="2024-12-31").context["export_href"]
    assert href == reverse("party:export_roster") + "?as_of=2024-12-31"
