"""达标晋级 pages, xlsx and API: lists of a subtree and year without foreign rows, entry and edit forms (one row
per criterion), the organization page's tab, the 软弱涣散 forms, downloads, and the API's create/PATCH/actions."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.grading.helpers import FIVE_GOOD, five_good, snapshot
from zugong.grading import services
from zugong.grading.models import BranchGrading, WeakBranch

TODAY = timezone.localdate()
YEAR = TODAY.year - 1


def record(t, org, values=(20, 18, 19, 17, 16), **kwargs):
    return services.grading_record(actor=t.county_user, organization=org, scheme="five_good", year=YEAR,
                                   scores=five_good(*values), **kwargs)


@pytest.fixture
def graded(tree):
    tree.g_a1 = record(tree, tree.branch_a1, (20, 20, 20, 20, 20), designated_model=True, note="甲一意见")
    tree.g_a2 = record(tree, tree.branch_a2, (15, 15, 15, 15, 15), note="甲二意见")
    tree.g_b1 = record(tree, tree.branch_b1, note="乙一意见")
    return tree


def login(client, user):
    client.force_login(user)
    return client


# ----- list ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_of_a_subtree_and_year(graded, client):
    login(client, graded.town_user)
    response = client.get(reverse("grading:list"), {"org": "C-A", "year": YEAR})
    assert response.status_code == 200
    assert {g.pk for g in response.context["object_list"]} == {graded.g_a1.pk, graded.g_a2.pk}
    html = response.content.decode()
    assert "乙镇机关党支部" not in html and "乙一意见" not in html
    assert "五好党支部 · 先进 1" in html and "五好党支部 · 达标 1" in html and "示范党支部 1" in html
    assert response.context["export_href"].endswith(f"org=C-A&year={YEAR}")
    # the default year is the latest graded one; another year lists nothing but the ungraded branches
    assert client.get(reverse("grading:list")).context["year"] == YEAR
    other = client.get(reverse("grading:list"), {"year": YEAR - 1})
    assert other.context["object_list"] == []
    assert [b.code for b in other.context["ungraded"]] == ["C-A-1", "C-A-2"]


@pytest.mark.django_db
def test_list_of_a_foreign_subtree_is_not_found(graded, client):
    login(client, graded.town_user)
    assert client.get(reverse("grading:list"), {"org": "C-B"}).status_code == 404
    assert client.get(reverse("grading:weak_list"), {"org": "C-B-1"}).status_code == 404
    assert client.get(reverse("grading:detail", args=[graded.g_b1.pk])).status_code == 404


@pytest.mark.django_db
def test_list_filters_designated(graded, client):
    login(client, graded.county_user)
    response = client.get(reverse("grading:list"), {"year": YEAR, "designated": "true"})
    assert [g.pk for g in response.context["object_list"]] == [graded.g_a1.pk]


# ----- entry and edit --------------------------------------------------------------------------------------


def form_data(values, **extra):
    return {"scheme": "five_good", "year": str(YEAR), **{f"score_{c}": str(v) for c, v in zip(FIVE_GOOD, values, strict=True)},
            **{f"evidence_{c}": f"{c}依据" for c in FIVE_GOOD}, **extra}


@pytest.mark.django_db
def test_entry_form_records_a_grading(tree, client):
    login(client, tree.branch_user)
    url = reverse("grading:create", args=[tree.branch_a1.pk])
    page = client.get(url + "?scheme=four_strong")
    assert page.status_code == 200
    html = page.content.decode()
    assert all(name in html for name in ("政治功能强", "支部班子强", "党员队伍强", "作用发挥强"))
    response = client.post(url, form_data((20, 19, 18, 17, 16), note="年度评定"))
    grading = BranchGrading.objects.get(organization=tree.branch_a1, year=YEAR)
    assert response.status_code == 302 and response["Location"] == reverse("grading:detail", args=[grading.pk])
    assert grading.total == 90 and grading.level.name == "先进" and grading.note == "年度评定"
    assert grading.scores.get(criterion__code="rules").evidence == "rules依据"
    detail = client.get(response["Location"]).content.decode()
    assert "先进" in detail and "rules依据" in detail


@pytest.mark.django_db
def test_entry_form_bad_score_names_the_criterion_and_writes_nothing(tree, client):
    login(client, tree.branch_user)
    before = snapshot()
    response = client.post(reverse("grading:create", args=[tree.branch_a1.pk]), form_data((25, 19, 18, 17, 16)))
    assert response.status_code == 400
    assert "评分项「班子好」的得分 25 超出范围（0–20 分）" in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_entry_for_a_foreign_branch_is_not_found(tree, client):
    login(client, tree.branch_user)
    before = snapshot()
    response = client.post(reverse("grading:create", args=[tree.branch_a2.pk]), form_data((20, 19, 18, 17, 16)))
    assert response.status_code == 404 and snapshot() == before


@pytest.mark.django_db
def test_edit_form_and_stale_version(graded, client):
    login(client, graded.town_user)
    g = graded.g_a2
    url = reverse("grading:edit", args=[g.pk])
    assert 'value="15"' in client.get(url).content.decode()
    data = {**form_data((18, 18, 18, 18, 18)), "version": g.version, "evaluated_on": g.evaluated_on.isoformat()}
    data.pop("year")
    assert client.post(url, data).status_code == 302
    g.refresh_from_db()
    assert g.total == 90 and g.level.code == "advanced"
    stale = client.post(url, {**data, "note": "迟到的修改"})  # the old version again
    assert stale.status_code == 409
    g.refresh_from_db()
    assert g.note != "迟到的修改" and "该记录已被他人修改" in stale.content.decode()


# ----- organization page tab -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_org_page_tab_shows_the_history(tree, client):
    record(tree, tree.branch_a1, (10, 10, 10, 10, 10))
    services.grading_record(actor=tree.county_user, organization=tree.branch_a1, scheme="five_good", year=YEAR - 1,
                            scores=five_good(19, 19, 19, 19, 19))
    login(client, tree.branch_user)
    response = client.get(reverse("orgs:detail", args=[tree.branch_a1.pk]))
    html = response.content.decode()
    assert 'href="#tab-grading"' in html and ">达标晋级<" in html
    history = [(g.year, g.level.name) for g in dict(response.context["panels"])
               [next(p for p, _ in response.context["panels"] if p.name == "grading")]["gradings"]]
    assert history == [(YEAR, "后进"), (YEAR - 1, "先进")]
    assert reverse("grading:create", args=[tree.branch_a1.pk]) in html


# ----- 软弱涣散 pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_weak_pages_lifecycle(tree, client):
    login(client, tree.branch_user)
    create = reverse("grading:weak_create", args=[tree.branch_a1.pk])
    bad = client.post(create, {"year": YEAR, "identified_on": f"{YEAR}-03-01", "reasons": "不开会"})
    assert bad.status_code == 400 and "请至少选择一种软弱涣散情形" in bad.content.decode()
    assert not WeakBranch.objects.exists()
    ok = client.post(create, {"year": YEAR, "identified_on": f"{YEAR}-03-01", "categories": ["life_irregular"],
                              "reasons": "不开会", "deadline": f"{YEAR}-09-30"})
    assert ok.status_code == 302
    entry = WeakBranch.objects.get()
    listing = client.get(reverse("grading:weak_list"))
    assert [w.pk for w in listing.context["object_list"]] == [entry.pk] and "整改中" in listing.content.decode()
    rectify = client.post(reverse("grading:weak_rectify", args=[entry.pk]),
                          {"version": entry.version, "rectified_on": f"{YEAR}-08-01", "measures": "按月开会"})
    assert rectify.status_code == 302
    entry.refresh_from_db()
    denied = client.post(reverse("grading:weak_verify", args=[entry.pk]),
                         {"version": entry.version, "verified_on": f"{YEAR}-09-01", "verified_by": "自己"})
    assert denied.status_code == 400 and "由上级党组织验收" in denied.content.decode()
    login(client, tree.town_user)
    done = client.post(reverse("grading:weak_verify", args=[entry.pk]),
                       {"version": entry.version, "verified_on": f"{YEAR}-09-01", "verified_by": "甲镇党委"})
    assert done.status_code == 302
    assert "已验收" in client.get(reverse("grading:weak_list"), {"status": "verified"}).content.decode()


# ----- downloads ------------------------------------------------------------------------------------------


def sheet_rows(response, index=0):
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in wb.worksheets[index].iter_rows(values_only=True)]


@pytest.mark.django_db
def test_grading_xlsx(graded, client):
    login(client, graded.town_user)
    response = client.get(reverse("grading:export"), {"org": "C-A", "year": YEAR})
    assert response.status_code == 200
    rows = sheet_rows(response)
    header = rows[0]
    assert header[:4] == ["组织代码", "党支部", "年度", "评定方案"] and "五好党支部·班子好（20分）" in header
    body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(body) == {"C-A-1", "C-A-2"}
    assert body["C-A-1"]["总分"] == 100 and body["C-A-1"]["等次"] == "先进" and body["C-A-1"]["示范党支部"] == "是"
    assert body["C-A-2"]["五好党支部·班子好（20分）"] == 15
    assert sheet_rows(response, 1)[1:] == [["五好党支部", "先进", 1], ["五好党支部", "达标", 1]]


@pytest.mark.django_db
def test_weak_xlsx(tree, client):
    for org in (tree.branch_a1, tree.branch_b1):
        services.weak_branch_identify(actor=tree.county_user, organization=org, year=YEAR, identified_on=dt.date(YEAR, 3, 1),
                                      categories=["role_weak"], reasons=f"{org.name}问题")
    login(client, tree.town_user)
    rows = sheet_rows(client.get(reverse("grading:weak_export")))
    assert [r[0] for r in rows[1:]] == ["C-A-1"] and rows[1][4] == "作用发挥不明显" and rows[1][9] == "整改中"


# ----- API ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_list_is_scoped_and_filtered(graded, client):
    login(client, graded.branch_user)
    body = client.get("/api/branch-gradings/").json()
    assert [r["id"] for r in body["results"]] == [graded.g_a1.pk]
    row = body["results"][0]
    assert row["total"] == 100 and row["level"] == {"code": "advanced", "name": "先进"} and row["designated_model"]
    assert [s["criterion_name"] for s in row["scores"]] == ["班子好", "党员管理好", "制度落实好", "思想作风好", "作用发挥好"]
    login(client, graded.town_user)
    assert client.get("/api/branch-gradings/", {"org": "C-B"}).status_code == 404
    assert {r["id"] for r in client.get("/api/branch-gradings/", {"year": YEAR}).json()["results"]} == {
        graded.g_a1.pk, graded.g_a2.pk}
    assert client.get("/api/branch-gradings/", {"year": YEAR - 1}).json()["results"] == []


@pytest.mark.django_db
def test_api_create_edit_and_bad_input(tree, client):
    login(client, tree.town_user)
    payload = {"organization": "C-A-2", "scheme": "four_strong", "year": str(YEAR),
               "scores": {"political": {"score": 24, "evidence": "学习记录"}, "team": 23, "members": [22, "结构合理"],
                          "role": 21}}
    bad = client.post("/api/branch-gradings/", {**payload, "scores": {**payload["scores"], "team": 26}},
                      content_type="application/json")
    assert bad.status_code == 400
    assert {"row": 0, "column": "支部班子强", "reason": "评分项「支部班子强」的得分 26 超出范围（0–25 分）"} in bad.json()["errors"]
    assert not BranchGrading.objects.exists()
    created = client.post("/api/branch-gradings/", payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["total"] == 90 and body["level"]["name"] == "先进"
    patched = client.patch(f"/api/branch-gradings/{body['id']}/", {"version": body["version"], "scores": {"role": 5}},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["total"] == 74 and patched.json()["level"]["name"] == "基本达标"
    stale = client.patch(f"/api/branch-gradings/{body['id']}/", {"version": body["version"], "note": "x"},
                         content_type="application/json")
    assert stale.status_code == 409
    foreign = client.post("/api/branch-gradings/", {**payload, "organization": "C-B-1"}, content_type="application/json")
    assert foreign.status_code == 404 and BranchGrading.objects.count() == 1


@pytest.mark.django_db
def test_api_weak_branch_lifecycle(tree, client):
    login(client, tree.town_user)
    created = client.post("/api/weak-branches/", {"organization": "C-A-1", "year": str(YEAR),
                                                  "identified_on": f"{YEAR}-03-01", "categories": ["班子不健全"],
                                                  "reasons": "支委缺额"}, content_type="application/json")
    assert created.status_code == 201, created.json()
    entry = created.json()
    assert entry["categories"] == ["team_incomplete"] and entry["status"] == "rectifying"
    rectified = client.post(f"/api/weak-branches/{entry['id']}/rectify/",
                            {"version": entry["version"], "rectified_on": f"{YEAR}-06-01", "measures": "补选支委"},
                            content_type="application/json").json()
    assert rectified["status"] == "rectified"
    verified = client.post(f"/api/weak-branches/{entry['id']}/verify/",
                           {"version": rectified["version"], "verified_on": f"{YEAR}-07-01", "verified_by": "甲镇党委"},
                           content_type="application/json").json()
    assert verified["status"] == "verified" and verified["status_label"] == "已验收"
    assert [r["id"] for r in client.get("/api/weak-branches/", {"status": "verified"}).json()["results"]] == [entry["id"]]
    assert client.get("/api/weak-branches/", {"status": "rectifying"}).json()["results"] == []


@pytest.mark.django_db
def test_list_and_api_queries_do_not_grow_with_rows(tree, client):
    """No query per row: the page and the API list cost the same with one or three gradings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, tree.county_user)

    def cost(url, params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    record(tree, tree.branch_a1)
    one = (cost(reverse("grading:list"), {"year": YEAR}), cost("/api/branch-gradings/", {"year": YEAR}))
    record(tree, tree.branch_a2)
    record(tree, tree.branch_b1)
    three = (cost(reverse("grading:list"), {"year": YEAR}), cost("/api/branch-gradings/", {"year": YEAR}))
    assert three == one


@pytest.mark.django_db
def test_org_panel_per_organization_type(tree):
    """A branch gets its history and the entry links; a committee links to its subtree's list; a 党小组 gets no tab."""
    from zugong.grading.panels import org_panel
    from zugong.orgs.services import organization_create

    record(tree, tree.branch_a1)
    branch = org_panel(tree.branch_user, tree.branch_a1, None)
    assert branch["is_branch"] and [g.year for g in branch["gradings"]] == [YEAR] and branch["may_add"]
    town = org_panel(tree.town_user, tree.town_a, None)
    assert not town["is_branch"] and town["gradings"] == []
    group = organization_create(code="C-A-1-G9", name="第九党小组", org_type="party_group", parent=tree.branch_a1,
                                founded_date=dt.date(2000, 1, 1))
    assert org_panel(tree.branch_user, group, None) is None
    assert org_panel(tree.branch_b_user, tree.branch_a1, None)["gradings"] == []  # read through the scope
