"""后备干部 pages and API (issue #12 item 7): list contents and tabs, filters, export, detail, the forms,
the cadre-page tab, the API, scope (cadre_b_user sees none of U-A; town_user none at all), query counts."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_cadre, make_post
from tests.security.helpers import login
from zugong.cadres.models import Appointment, ReserveCadre, ReserveMeasure
from zugong.cadres.reserve import services, views

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def pool(ct):
    """张伟 (甲镇, 近期使用, 副镇长), 王芳 (甲镇农机厂, 蹲苗培养, young), 李四 (乙镇, 轮岗锻炼)."""
    zhang = make_cadre(ct.unit_town_a, "张伟", birth_date=dt.date(1980, 3, 15))
    Appointment.objects.create(cadre=zhang, post=make_post(ct.unit_town_a, "副镇长", level="142"),
                               start_date=dt.date(2019, 1, 1))
    wang = make_cadre(ct.unit_firm_a, "王芳", sex="2", birth_date=dt.date(1995, 5, 1))
    li = make_cadre(ct.unit_town_b, "李四")
    ct.zhang = services.reserve_enter(user=ct.county_user, cadre=zhang, list_kind="ready_now",
                                      entered_date=dt.date(2024, 1, 2), target_post="镇长", target_level="141",
                                      review_date=TODAY + dt.timedelta(days=10))
    ct.wang = services.reserve_enter(user=ct.county_user, cadre=wang, list_kind="long_term",
                                     entered_date=dt.date(2024, 3, 1), young_outstanding=True)
    ct.li = services.reserve_enter(user=ct.county_user, cadre=li, list_kind="rotation", entered_date=dt.date(2024, 1, 2))
    services.measure_add(user=ct.county_user, entry=ct.zhang, measure="到村挂职")
    return ct


def _client(user):
    return login(Client(), user)


def _names(response):
    return [e.cadre.person.name for e in response.context["object_list"]]


def test_list_shows_the_scope_with_contents(pool):
    response = _client(pool.cadre_user).get(reverse("cadres:reserve_list"))
    assert response.status_code == 200
    assert sorted(_names(response)) == ["张伟", "王芳"]
    html = response.content.decode()
    assert "李四" not in html and "乙镇" not in html
    row = next(r for r in response.context["rows"] if r["entry"].pk == pool.zhang.pk)
    assert row["post_title"] == "甲镇副镇长" and row["age"] == TODAY.year - 1980 - ((TODAY.month, TODAY.day) < (3, 15))
    assert row["entry"].measure_count == 1 and row["target_level"] == "正科级"
    tabs = {t["label"]: t["n"] for t in response.context["tabs"]}
    assert tabs == {"全部": 2, "近期使用": 1, "轮岗锻炼": 0, "蹲苗培养": 1}
    assert "优秀年轻干部" in html and 'id="young-counts"' in html and 'data-chart="young-chart"' in html
    chart = response.context["young_chart"]
    assert chart["xAxis"]["data"][0] == "正厅级" and [s["name"] for s in chart["series"]] == [
        "干部数", "年轻干部", "其中在后备干部库"]


def test_other_workers_see_nothing_of_town_a(pool):
    response = _client(pool.cadre_b_user).get(reverse("cadres:reserve_list"))
    assert _names(response) == ["李四"]
    assert "张伟" not in response.content.decode()
    response = _client(pool.town_user).get(reverse("cadres:reserve_list"))
    assert response.status_code in (403, 200)
    if response.status_code == 200:
        assert _names(response) == []
    assert _client(pool.cadre_b_user).get(reverse("cadres:reserve_detail", args=[pool.zhang.pk])).status_code == 404
    assert _client(pool.town_user).get(reverse("cadres:reserve_detail", args=[pool.zhang.pk])).status_code == 404


def test_tab_and_filters(pool):
    client = _client(pool.county_user)
    url = reverse("cadres:reserve_list")
    assert _names(client.get(url, {"list": "rotation"})) == ["李四"]
    assert sorted(_names(client.get(url, {"unit": "U-A"}))) == ["张伟", "王芳"]
    assert _names(client.get(url, {"unit": "U-A-E"})) == ["王芳"]
    assert _names(client.get(url, {"young": "true"})) == ["王芳"]
    assert _names(client.get(url, {"target_level": "141"})) == ["张伟"]
    assert _names(client.get(url, {"due": "true"})) == ["张伟"]
    assert _names(client.get(url, {"due": "1"})) == ["张伟"]  # the to-do's link
    assert sorted(_names(client.get(url, {"as_of": "2024-02-01"}))) == ["张伟", "李四"]  # 王芳 entered in March
    # a unit outside the scope is refused like an unknown one
    response = _client(pool.cadre_user).get(url, {"unit": "U-B"})
    assert _names(response) == [] and response.context["filter_errors"]


def test_export(pool):
    response = _client(pool.county_user).get(reverse("cadres:reserve_xlsx"), {"unit": "U-A"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["序号", "姓名", "单位", "现任职务"]
    body = {r[1]: r for r in rows[1:]}
    assert set(body) == {"张伟", "王芳"}
    assert body["张伟"][2:4] == ["甲镇", "甲镇副镇长"] and body["张伟"][5] == "近期使用" and body["张伟"][11] == 1
    assert body["王芳"][8] == "是"


def test_enter_page_and_refusal_of_a_second_entry(pool):
    cadre = make_cadre(pool.unit_town_a, "赵六")
    client = _client(pool.cadre_user)
    url = reverse("cadres:reserve_enter", args=[cadre.pk])
    assert "后备干部入库" in client.get(url).content.decode()
    response = client.post(url, {"list_kind": "rotation", "entered_date": "2025-01-02", "target_post": "副镇长",
                                 "target_level": "142", "young_outstanding": "on"})
    assert response.status_code == 302
    entry = ReserveCadre.objects.get(cadre=cadre)
    assert (entry.list_kind, entry.young_outstanding) == ("rotation", True)
    page = client.get(url).content.decode()
    assert "不能重复入库" in page
    response = client.post(url, {"list_kind": "ready_now", "entered_date": "2025-01-03"})
    assert response.status_code == 400 and "不能重复入库" in response.content.decode()
    assert ReserveCadre.objects.filter(cadre=cadre).count() == 1
    foreign = make_cadre(pool.unit_town_b, "外单位")
    assert client.post(reverse("cadres:reserve_enter", args=[foreign.pk]),
                       {"list_kind": "rotation", "entered_date": "2025-01-02"}).status_code == 404


def test_move_exit_review_measure_pages(pool):
    client = _client(pool.cadre_user)
    entry = pool.zhang
    response = client.post(reverse("cadres:reserve_move", args=[entry.pk]),
                           {"version": entry.version, "list_kind": "long_term", "date": TODAY.isoformat()})
    assert response.status_code == 302
    new = ReserveCadre.objects.get(cadre=entry.cadre, exited_date__isnull=True)
    assert new.list_kind == "long_term" and response["Location"] == reverse("cadres:reserve_detail", args=[new.pk])
    # a stale version: 409
    response = client.post(reverse("cadres:reserve_review", args=[new.pk]),
                           {"version": new.version + 5, "review_date": "2099-01-01"})
    assert response.status_code == 409
    response = client.post(reverse("cadres:reserve_review", args=[new.pk]),
                           {"version": new.version, "review_date": "2099-01-01", "note": "表现良好"})
    assert response.status_code == 302
    response = client.post(reverse("cadres:reserve_measure_add", args=[new.pk]), {"measure": "参加中青班"})
    measure = ReserveMeasure.objects.get(measure="参加中青班")
    response = client.post(reverse("cadres:reserve_measure_follow_up", args=[measure.pk]),
                           {"version": measure.version, "follow_up": "结业", "done_date": TODAY.isoformat()})
    assert response.status_code == 302
    detail = client.get(reverse("cadres:reserve_detail", args=[new.pk])).content.decode()
    assert "参加中青班" in detail and "结业" in detail and "表现良好" in detail
    assert "调整出库" in detail  # the history shows the earlier entry
    new.refresh_from_db()
    response = client.post(reverse("cadres:reserve_exit", args=[new.pk]),
                           {"version": new.version, "exited_date": TODAY.isoformat(), "reason": "appointed"})
    assert response.status_code == 302
    assert not ReserveCadre.objects.filter(cadre=entry.cadre, exited_date__isnull=True).exists()


def test_cadre_page_tab(pool):
    context = views.panel(pool.cadre_user, pool.zhang.cadre, None)
    assert context["current"].pk == pool.zhang.pk and context["may_change"] and not context["may_enter"]
    html = render_to_string("cadres/reserve/panel.html", {"p": context})
    assert "近期使用" in html and "调整类别" in html and "到村挂职" not in html and ">1<" in html
    fresh = make_cadre(pool.unit_town_a, "新人")
    context = views.panel(pool.cadre_user, fresh, None)
    assert context["may_enter"] and "列入后备干部" in render_to_string("cadres/reserve/panel.html", {"p": context})
    from zugong.cadres.panels import panels_for

    tabs = [p.name for p, _ in panels_for(pool.cadre_user, fresh, None)]
    assert "reserve" in tabs and "eligibility" in tabs
    assert panels_for(pool.town_user, fresh, None) == []


def test_candidates_search(pool):
    make_cadre(pool.unit_town_a, "张三丰")
    response = _client(pool.cadre_user).get(reverse("cadres:reserve_list"), {"q": "张"})
    names = [c.person.name for c in response.context["candidates"]]
    assert names == ["张三丰"]  # 张伟 is already in the pool


def test_list_query_count_does_not_grow_with_rows(pool, django_assert_max_num_queries):
    client = _client(pool.county_user)
    url = reverse("cadres:reserve_list")
    client.get(url)
    for i in range(8):
        services.reserve_enter(user=pool.county_user, cadre=make_cadre(pool.unit_town_a, f"批量{i}"),
                               list_kind="ready_now", entered_date=dt.date(2024, 1, 2))
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["object_list"]) == 11


def test_api_list_enter_exit(pool):
    client = _client(pool.cadre_user)
    body = client.get("/api/reserve-cadres/").json()
    assert sorted(r["name"] for r in body["results"]) == ["张伟", "王芳"]
    assert client.get(f"/api/reserve-cadres/{pool.li.pk}/").status_code == 404
    assert [r["name"] for r in client.get("/api/reserve-cadres/", {"list": "long_term"}).json()["results"]] == ["王芳"]
    cadre = make_cadre(pool.unit_town_a, "赵六")
    response = client.post(f"/api/cadres/{cadre.pk}/reserve-enter/",
                           {"list_kind": "轮岗锻炼", "entered_date": "2025-01-02", "target_level": "副科"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["list_kind"], data["target_level"], data["name"]) == ("rotation", "142", "赵六")
    again = client.post(f"/api/cadres/{cadre.pk}/reserve-enter/", {"list_kind": "近期使用", "entered_date": "2025-01-02"},
                        content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["column"] == "类别"
    response = client.post(f"/api/reserve-cadres/{data['id']}/exit/",
                           {"version": data["version"], "exited_date": "2025-02-01", "reason": "调整出库"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["exit_reason"] == "adjusted"
    stale = client.post(f"/api/reserve-cadres/{pool.zhang.pk}/review/", {"version": 99, "review_date": "2099-01-01"},
                        content_type="application/json")
    assert stale.status_code == 409
    foreign = make_cadre(pool.unit_town_b, "外单位")
    assert client.post(f"/api/cadres/{foreign.pk}/reserve-enter/", {"list_kind": "近期使用", "entered_date": "2025-01-02"},
                       content_type="application/json").status_code == 404
    assert _client(pool.town_user).get("/api/reserve-cadres/").json()["results"] == []


def test_home_page_to_do(pool):
    html = _client(pool.cadre_user).get(reverse("home")).content.decode()
    assert "后备干部复核到期：1 人" in html and reverse("cadres:reserve_list") + "?due=1" in html
    assert "后备干部复核到期" not in _client(pool.cadre_b_user).get(reverse("home")).content.decode()
