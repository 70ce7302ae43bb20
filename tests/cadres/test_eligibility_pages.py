"""任职资格 pages and API (issue #12 item 6): the tab, the HTMX conditions table, the supervision records
(label discipline: view for 干部工作人员, add/change/delete for the 组织部门管理员), scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import make_cadre, make_post
from tests.security.helpers import login
from zugong.cadres.eligibility import views
from zugong.cadres.models import Appointment, SupervisionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(ct):
    c = make_cadre(ct.unit_town_a, "张伟")
    Appointment.objects.create(cadre=c, post=make_post(ct.unit_town_a, "镇长", level="141"),
                               start_date=dt.date(2020, 1, 1))
    SupervisionRecord.objects.create(cadre=c, kind="party_serious_warning", decided_date=dt.date(2025, 1, 2),
                                     document_number="县纪发〔2025〕3号", reason="违反工作纪律")
    return c


def _client(user):
    return login(Client(), user)


def test_fragment_for_htmx_names_each_failing_condition_with_its_article(ct, cadre):
    url = reverse("cadres:eligibility", args=[cadre.pk])
    response = _client(ct.cadre_user).get(url, {"level": "132", "as_of": "2025-06-30"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-condition="bans" data-passed="no"' in html
    assert "党内严重警告处分" in html and "《中国共产党纪律处分条例》(2023)第十条" in html
    assert 'data-condition="years_below" data-passed="yes"' in html  # 正科 since 2020: 5 years
    assert "第八条第三项" in html


def test_page_default_level_and_supervision_section(ct, cadre):
    response = _client(ct.cadre_user).get(reverse("cadres:eligibility", args=[cadre.pk]), {"as_of": "2025-06-30"})
    html = response.content.decode()
    assert response.context["p"]["level"] == "132"  # the level above 正科
    assert 'id="supervision-records"' in html and "县纪发〔2025〕3号" in html
    assert "登记处理处分记录" not in html  # 干部工作人员: discipline.view only
    county = _client(ct.county_user).get(reverse("cadres:eligibility", args=[cadre.pk])).content.decode()
    assert "登记处理处分记录" in county and "更正" in county


def test_scope_and_labels(ct, cadre):
    url = reverse("cadres:eligibility", args=[cadre.pk])
    assert _client(ct.cadre_b_user).get(url).status_code == 404
    assert _client(ct.town_user).get(url).status_code == 404
    assert _client(ct.cadre_user).get(url, {"level": "大官"}).status_code == 404


def test_tab_hides_supervision_without_discipline_view(ct, cadre):
    context = views.panel(ct.cadre_user, cadre, None)
    html = render_to_string("cadres/eligibility/panel.html", {"p": context})
    assert "hx-get" in html and "县纪发〔2025〕3号" in html
    context.update(may_view_discipline=False, records=[])  # as for a role without discipline.view
    assert "处理处分记录" not in render_to_string("cadres/eligibility/panel.html", {"p": context})


def test_supervision_add_edit_delete_pages(ct, cadre):
    client = _client(ct.county_user)
    response = client.post(reverse("cadres:supervision_add", args=[cadre.pk]),
                           {"kind": "admonishment", "decided_date": "2025-05-01", "reason": "工作不力"})
    assert response.status_code == 302
    record = SupervisionRecord.objects.get(kind="admonishment")
    response = client.post(reverse("cadres:supervision_edit", args=[record.pk]),
                           {"version": record.version, "kind": "admonishment", "decided_date": "2025-05-02",
                            "document_number": "组通〔2025〕1号", "reason": "工作不力"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.decided_date, record.document_number) == (dt.date(2025, 5, 2), "组通〔2025〕1号")
    response = client.post(reverse("cadres:supervision_delete", args=[record.pk]), {"version": record.version, "reason": ""})
    assert response.status_code == 400 and SupervisionRecord.objects.filter(pk=record.pk).exists()
    response = client.post(reverse("cadres:supervision_delete", args=[record.pk]),
                           {"version": record.version, "reason": "登记有误"})
    assert response.status_code == 302 and not SupervisionRecord.objects.filter(pk=record.pk).exists()
    # 干部工作人员: the record is there to see but not to add
    assert _client(ct.cadre_user).post(reverse("cadres:supervision_add", args=[cadre.pk]),
                                       {"kind": "admonishment", "decided_date": "2025-05-01"}).status_code == 404


def test_api(ct, cadre):
    client = _client(ct.cadre_user)
    body = client.get(f"/api/cadres/{cadre.pk}/eligibility/", {"level": "正处级", "as_of": "2025-06-30"}).json()
    assert body["target_level"] == "131" and body["passed"] is False
    codes = {c["code"]: c["passed"] for c in body["conditions"]}
    assert codes["bans"] is False and codes["years_below"] is False  # never 副处
    assert any("第十条" in f for f in body["failing"])
    assert client.get(f"/api/cadres/{cadre.pk}/eligibility/", {"level": "x"}).status_code == 400
    assert _client(ct.cadre_b_user).get(f"/api/cadres/{cadre.pk}/eligibility/").status_code == 404
