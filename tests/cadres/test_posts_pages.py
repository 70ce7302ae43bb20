"""Pages and API of posts, quotas and appointments: contents, scope (no foreign unit), forms through the
services, the quota table's download and the API's JSON equal to the CLI's."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import make_cadre, make_post
from tests.security.helpers import login
from zugong.cadres.models import Appointment, Post, PostQuota
from zugong.cadres.posts import services as s
from zugong.cadres.posts.views import appointments_panel

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def data(ct):
    ct.mayor = make_post(ct.unit_town_a, "镇长", level="141")
    ct.secretary = make_post(ct.unit_town_a, "党委书记", level="141")
    ct.zhang = make_cadre(ct.unit_town_a, "张明")
    ct.li = make_cadre(ct.unit_town_a, "李华")
    s.quota_set(user=ct.cadre_user, unit=ct.unit_town_a, level="141", count=1, start_date="2019-01-01")
    s.quota_set(user=ct.cadre_user, unit=ct.unit_town_a, level="142", count=2, start_date="2019-01-01")
    ct.appt = s.appointment_create(user=ct.cadre_user, cadre=ct.zhang, post=ct.mayor, start_date="2020-01-01")
    s.appointment_create(user=ct.cadre_user, cadre=ct.li, post=ct.secretary, start_date="2021-01-01")
    ct.b_post = make_post(ct.unit_town_b, "乙镇镇长", level="141")
    ct.b_cadre = make_cadre(ct.unit_town_b, "赵乙")
    s.quota_set(user=ct.cadre_b_user, unit=ct.unit_town_b, level="141", count=1, start_date="2019-01-01")
    ct.b_appt = s.appointment_create(user=ct.cadre_b_user, cadre=ct.b_cadre, post=ct.b_post, start_date="2020-01-01")
    return ct


def client(user) -> Client:
    return login(Client(), user)


def test_quota_table_page(data):
    t = data
    response = client(t.cadre_user).get(reverse("cadres:quota_table"), {"as_of": "2022-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    # by default the units with posts or quotas (甲镇农机厂 U-A-E has none); ?all=1 lists every unit
    assert [u.code for u in response.context["object_list"]] == ["U-A"]
    assert "乙镇" not in html and "U-B" not in html  # no foreign unit
    every = client(t.cadre_user).get(reverse("cadres:quota_table"), {"as_of": "2022-01-01", "all": "1"})
    assert [u.code for u in every.context["object_list"]] == ["U-A", "U-A-E"]
    row = response.context["rows"][0]
    assert (row["cells"][0].quota, row["cells"][0].actual, row["cells"][0].over) == (1, 2, 1)
    assert 'class="num over">2<' in html and 'class="num vacant">2<' in html  # 正科级 over, 副科级 vacant
    assert "存在超职数配备" in html and "导出 Excel" in html
    # a subtree and a foreign unit
    assert [u.code for u in client(t.cadre_user).get(reverse("cadres:quota_table"), {"org": "U-A-E", "all": "1"})
            .context["object_list"]] == ["U-A-E"]
    assert client(t.cadre_user).get(reverse("cadres:quota_table"), {"org": "U-B"}).status_code == 404
    # a user without the cadre label sees no unit
    response = client(t.town_user).get(reverse("cadres:quota_table"))
    assert response.status_code in (403, 200) and not list(response.context["object_list"] if response.context else [])


def test_quota_table_xlsx_download(data):
    t = data
    response = client(t.cadre_user).get(reverse("cadres:quota_table_xlsx"), {"org": "U-A", "as_of": "2022-01-01"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["干部配备一览表"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["U-A", "甲镇", 1, 2, 1, 0, 2, 0, 0, 2]
    assert [r[0] for r in rows[1:]] == ["U-A", "U-A-E"]
    assert sheet.cell(row=2, column=4).fill.fgColor.rgb.endswith("F8C7C9")
    assert client(t.cadre_user).get(reverse("cadres:quota_table_xlsx"), {"org": "U-B"}).status_code == 404


def test_unit_posts_page_and_forms(data):
    t = data
    c = client(t.cadre_user)
    html = c.get(reverse("cadres:unit_posts", args=[t.unit_town_a.pk]), {"as_of": "2022-01-01"}).content.decode()
    assert "镇长" in html and "张明" in html and "试用期12个月" in html and "现行" in html
    assert c.get(reverse("cadres:unit_posts", args=[t.unit_town_b.pk])).status_code == 404
    # 设立 a post, 任职 on it, 免职
    response = c.post(reverse("cadres:post_create", args=[t.unit_town_a.pk]),
                      {"name": "副镇长", "level": "142", "start_date": "2020-01-01", "max_holders": "2",
                       "leadership": "on", "counts_against_quota": "on", "position": "1"})
    assert response.status_code == 302
    deputy = Post.objects.get(name="副镇长")
    wang = make_cadre(t.unit_town_a, "王强")
    response = c.post(reverse("cadres:post_appoint", args=[deputy.pk]),
                      {"cadre": wang.pk, "start_date": "2022-03-01", "appointment_document": "甲委〔2022〕1号"})
    assert response.status_code == 302
    appt = Appointment.objects.get(cadre=wang)
    response = c.post(reverse("cadres:appointment_remove", args=[appt.pk]),
                      {"version": appt.version, "end_date": "2022-02-01", "removal_document": "x"})
    assert response.status_code == 400 and "免职日期" in response.content.decode()  # before the appointment
    response = c.post(reverse("cadres:appointment_remove", args=[appt.pk]),
                      {"version": appt.version, "end_date": "2023-02-01", "removal_document": "甲委〔2023〕2号",
                       "removal_reason": "调任"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appt.pk).end_date == D(2023, 2, 1)
    # a second holder on the single-holder post is refused with the field named
    response = c.post(reverse("cadres:post_appoint", args=[t.mayor.pk]), {"cadre": wang.pk, "start_date": "2023-03-01"})
    assert response.status_code == 400 and "单一职数" in response.content.decode()
    # the post form offers no foreign cadre; the cadre form no foreign post
    form_html = c.get(reverse("cadres:post_appoint", args=[t.mayor.pk])).content.decode()
    assert "王强" in form_html and "赵乙" not in form_html
    form_html = c.get(reverse("cadres:cadre_appoint", args=[wang.pk])).content.decode()
    assert "镇长" in form_html and "乙镇镇长" not in form_html
    # quota with a negative count: refused, nothing written
    before = PostQuota.objects.count()
    response = c.post(reverse("cadres:quota_set", args=[t.unit_town_a.pk]),
                      {"level": "141", "count": "-1", "start_date": "2024-01-01"})
    assert response.status_code == 400 and "不能小于零" in response.content.decode()
    assert PostQuota.objects.count() == before


def test_cadre_panel(data):
    t = data
    s.rank_set(user=t.cadre_user, cadre=t.zhang, rank="一级主任科员", start_date="2021-01-01")
    p = appointments_panel(t.cadre_user, t.zhang, None)
    assert [a.post.name for a in p["appointments"]] == ["镇长"]
    assert [r.rank for r in p["ranks"]] == ["principal_clerk_1"]
    assert p["facts"].current_post_since == D(2020, 1, 1) and p["may_change"]
    from django.template.loader import render_to_string

    html = render_to_string("cadres/posts/panel.html", {"p": p, "cadre": t.zhang})
    assert "镇长" in html and "一级主任科员" in html and "2020-01-01" in html


def test_api_quota_table_equals_cli(data, capsys):
    t = data
    api = client(t.cadre_user).get("/api/cadres/quota-table/", {"org": "U-A", "as_of": "2022-01-01"})
    assert api.status_code == 200
    call_command("quota", "--org", "U-A", "--as-of", "2022-01-01", "--user", t.cadre_user.username)
    assert api.json() == json.loads(capsys.readouterr().out)
    assert api.json()["U-A"]["正科级"] == {"职数": 1, "实配": 2, "超配": 1, "空缺": 0}
    assert client(t.cadre_user).get("/api/cadres/quota-table/", {"org": "U-B"}).status_code == 404
    assert client(t.cadre_user).get("/api/cadres/quota-table/", {"as_of": "2022-02-30"}).status_code == 400


def test_api_scope_and_writes(data):
    t = data
    c = client(t.cadre_user)
    names = {row["post_name"] for row in c.get("/api/cadres/appointments/").json()["results"]}
    assert names == {"镇长", "党委书记"}  # not 乙镇镇长
    assert {row["unit_code"] for row in c.get("/api/cadres/posts/").json()["results"]} == {"U-A"}
    assert {row["unit_code"] for row in c.get("/api/cadres/quotas/").json()["results"]} == {"U-A"}
    assert c.get(f"/api/cadres/appointments/{t.b_appt.pk}/").status_code == 404
    response = c.post(f"/api/cadres/appointments/{t.b_appt.pk}/remove/", {"version": 1, "end_date": "2023-01-01"},
                      content_type="application/json")
    assert response.status_code == 404 and Appointment.objects.get(pk=t.b_appt.pk).end_date is None
    response = c.post(f"/api/cadres/posts/{t.b_post.pk}/appoint/", {"cadre": t.zhang.pk, "start_date": "2023-01-01"},
                      content_type="application/json")
    assert response.status_code == 404
    response = c.post(f"/api/cadres/posts/{t.mayor.pk}/appoint/", {"cadre": t.b_cadre.pk, "start_date": "2023-01-01"},
                      content_type="application/json")
    assert response.status_code == 404  # a foreign cadre
    response = c.post(f"/api/cadres/appointments/{t.appt.pk}/remove/",
                      {"version": t.appt.version, "end_date": "2019-01-01"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "免职日期"
    response = c.post("/api/cadres/quotas/", {"unit": "U-A", "level": "正科级", "count": -2, "start_date": "2024-01-01"},
                      content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "职数"
    response = c.post("/api/cadres/quotas/", {"unit": "U-A", "level": "正科级", "count": 2, "start_date": "2024-01-01"},
                      content_type="application/json")
    assert response.status_code == 201 and response.json()["count"] == 2
    assert c.get("/api/cadres/posts/", {"as_of": "2019-01-01"}).json()["results"] != []


def test_page_and_api_query_counts_do_not_grow_with_rows(data):
    """The quota table, the post list and the API lists read in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zugong.orgs.unit_services import unit_create

    t = data
    c = client(t.cadre_user)
    urls = [reverse("cadres:quota_table"), reverse("cadres:post_list"),
            reverse("cadres:unit_posts", args=[t.unit_town_a.pk]), "/api/cadres/appointments/", "/api/cadres/posts/"]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url, {"as_of": "2022-01-01"}).status_code == 200
            out.append(len(ctx))
        return out

    c.get(urls[0])  # warm the session
    before = counts()
    for i in range(3):
        unit = unit_create(code=f"U-A-Q{i}", name=f"甲镇新单位{i}", unit_category="public_institution", parent=t.unit_town_a)
        post = make_post(t.unit_town_a, f"副镇长{i}", level="142")
        make_post(unit, f"主任{i}", level="142")
        s.appointment_create(user=t.cadre_user, cadre=make_cadre(t.unit_town_a, f"新干部{i}"), post=post,
                             start_date="2021-06-01")
    assert counts() == before
