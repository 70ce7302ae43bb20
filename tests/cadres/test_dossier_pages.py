"""Pages, export, API, CLI, the cadre-page tab and the to-do of the dossier audit: contents, scope (no
foreign row), and the forms calling the services."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.factories import make_cadre
from tests.security.helpers import login
from zugong.cadres.dossier.services import dossier_audit_run
from zugong.cadres.dossier.views import panel_context, todos
from zugong.cadres.models import DossierFinding
from zugong.core.registry import navigation_for
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def dz(ct):
    """A finding of 甲镇 (``a``, birth date differs from the ID) and one of 乙镇 (``b``, a résumé gap)."""
    from zugong.cadres.models import ResumeEntry

    ct.a = make_cadre(ct.unit_firm_a, "甲镇张三")
    Person.objects.filter(pk=ct.a.person_id).update(birth_date=dt.date(1981, 3, 15))
    ct.b = make_cadre(ct.unit_town_b, "乙镇李四")
    ResumeEntry.objects.create(cadre=ct.b, position=0, start_date=dt.date(1998, 9, 1), end_date=dt.date(2002, 7, 1),
                               text="某大学学习")
    ResumeEntry.objects.create(cadre=ct.b, position=1, start_date=dt.date(2003, 1, 1), text="乙镇科员")
    dossier_audit_run(user=ct.county_user)
    ct.fa = DossierFinding.objects.get(cadre=ct.a)
    ct.fb = DossierFinding.objects.get(cadre=ct.b)
    return ct


def test_list_shows_the_scope_with_counts_and_run_button(dz):
    client = login(Client(), dz.cadre_user)
    response = client.get(reverse("cadres:dossier_list"))
    assert response.status_code == 200
    assert [f.pk for f in response.context["object_list"]] == [dz.fa.pk]
    html = response.content.decode()
    assert "甲镇张三" in html and "乙镇李四" not in html and "乙镇" not in html.replace("甲镇", "")
    assert "出生日期与身份证号码不一致" in html and "信息前后不一致" in html
    assert "人员信息·出生日期：1981-03-15" in html
    counts = response.context["counts"]
    assert counts["total"] == 1
    assert dict((c, n) for c, _, n in counts["by_problem"])["inconsistent"] == 1
    assert dict((c, n) for c, _, n in counts["by_status"])["open"] == 1
    assert reverse("cadres:dossier_run", args=[dz.unit_town_a.pk]) in html
    assert reverse("cadres:dossier_xlsx") in html


def test_list_filters_and_a_foreign_unit_filter(dz):
    client = login(Client(), dz.county_user)
    url = reverse("cadres:dossier_list")
    assert {f.pk for f in client.get(url).context["object_list"]} == {dz.fa.pk, dz.fb.pk}
    assert [f.pk for f in client.get(url, {"check": "resume_gap"}).context["object_list"]] == [dz.fb.pk]
    assert [f.pk for f in client.get(url, {"problem_type": "missing_material"}).context["object_list"]] == [dz.fb.pk]
    assert [f.pk for f in client.get(url, {"unit": "U-A"}).context["object_list"]] == [dz.fa.pk]
    assert client.get(url, {"status": "dismissed"}).context["object_list"] == []
    response = client.get(url, {"unit": "U-A"})
    assert response.context["counts"]["total"] == 1  # the counts follow the unit filter
    foreign = login(Client(), dz.cadre_user).get(url, {"unit": "U-B"})
    assert foreign.context["object_list"] == [] and foreign.context["filter_errors"]
    assert "乙镇李四" not in foreign.content.decode()


def test_users_without_the_cadre_label_see_nothing(dz):
    client = login(Client(), dz.town_user)
    response = client.get(reverse("cadres:dossier_list"))
    assert response.status_code == 200 and response.context["object_list"] == []
    assert not response.context["may_run"]
    assert client.get(reverse("cadres:dossier_detail", args=[dz.fa.pk])).status_code == 404
    labels = [label for _, entries in navigation_for(dz.town_user) for label, _ in entries]
    assert "档案专项审核" not in labels
    assert ("档案专项审核", "cadres:dossier_list") in [e for _, entries in navigation_for(dz.cadre_user) for e in entries]


def test_detail_shows_evidence_form_and_history_and_decide_via_the_page(dz):
    client = login(Client(), dz.cadre_user)
    page = client.get(reverse("cadres:dossier_detail", args=[dz.fa.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "人员信息·出生日期" in html and "1981-03-15" in html and "1980-03-15" in html
    assert "身份证不作为认定依据" in html and "尚未认定" in html and 'name="document"' in html
    assert client.get(reverse("cadres:dossier_detail", args=[dz.fb.pk])).status_code == 404
    url = reverse("cadres:dossier_decide", args=[dz.fa.pk])
    blank = client.post(url, {"decision": "confirmed", "document": "", "version": dz.fa.version})
    assert blank.status_code == 400 and "请填写认定依据" in blank.content.decode()
    done = client.post(url, {"decision": "confirmed", "document": "1978年招工登记表", "note": "以档案为准",
                             "version": dz.fa.version})
    assert done.status_code == 302 and done["Location"] == reverse("cadres:dossier_detail", args=[dz.fa.pk])
    stale = client.post(url, {"decision": "dismissed", "document": "出生证明", "version": dz.fa.version})
    assert stale.status_code == 409
    html = client.get(reverse("cadres:dossier_detail", args=[dz.fa.pk])).content.decode()
    assert "1978年招工登记表" in html and "以档案为准" in html and "已认定（存在问题）" in html
    assert client.post(reverse("cadres:dossier_decide", args=[dz.fb.pk]),
                       {"decision": "dismissed", "document": "x", "version": dz.fb.version}).status_code == 404
    assert DossierFinding.objects.get(pk=dz.fb.pk).status == "open"


def test_run_via_the_page(dz):
    new = make_cadre(dz.unit_town_a, "甲镇新干部")
    Person.objects.filter(pk=new.person_id).update(work_start_date=dt.date(1990, 1, 2))
    client = login(Client(), dz.cadre_user)
    response = client.post(reverse("cadres:dossier_run", args=[dz.unit_town_a.pk]), {}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('cadres:dossier_list')}?unit=U-A"
    assert "档案专项审核完成" in response.content.decode()
    assert DossierFinding.objects.filter(cadre=new, check_code="work_before_16").exists()
    assert client.post(reverse("cadres:dossier_run", args=[dz.unit_town_b.pk]), {}).status_code == 404
    assert client.get(reverse("cadres:dossier_run", args=[dz.unit_town_a.pk])).status_code == 200


def test_xlsx_export_contents(dz):
    client = login(Client(), dz.cadre_user)
    response = client.get(reverse("cadres:dossier_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["单位代码", "单位", "姓名", "审核项目", "问题类型"]
    assert len(rows) == 2
    row = rows[1]
    assert row[:5] == ["U-A-E", "甲镇农机厂", "甲镇张三", "出生日期与身份证号码不一致", "信息前后不一致"]
    assert "人员信息·出生日期：1981-03-15" in row[6] and row[7] == "待认定"
    assert "乙镇李四" not in str(rows)
    county = openpyxl.load_workbook(io.BytesIO(login(Client(), dz.county_user).get(
        reverse("cadres:dossier_xlsx"), {"check": "resume_gap"}).content)).worksheets[0]
    assert [r[2] for r in county.iter_rows(min_row=2, values_only=True)] == ["乙镇李四"]
    from zugong.audit.models import AuditEvent

    event = AuditEvent.objects.filter(kind="export", object_type="cadres.dossierfinding").order_by("id").last()
    assert event.data == {"rows": 1, "filters": {"check": "resume_gap"}}


def test_api_list_decide_and_run(dz):
    client = login(Client(), dz.cadre_user)
    body = client.get("/api/dossier-findings/").json()
    assert [r["id"] for r in body["results"]] == [dz.fa.pk]
    row = body["results"][0]
    assert row["check_label"] == "出生日期与身份证号码不一致" and row["unit"] == "U-A-E"
    assert row["evidence"]["sources"][0] == {"source": "人员信息·出生日期", "value": "1981-03-15"}
    assert client.get(f"/api/dossier-findings/{dz.fb.pk}/").status_code == 404
    url = f"/api/dossier-findings/{dz.fa.pk}/decide/"
    blank = client.post(url, {"decision": "dismissed", "document": "", "version": dz.fa.version},
                        content_type="application/json")
    assert blank.status_code == 400 and blank.json()["errors"][0]["column"] == "认定依据"
    ok = client.post(url, {"decision": "dismissed", "document": "出生医学证明", "version": dz.fa.version},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"
    assert ok.json()["decisions"][0]["document"] == "出生医学证明"
    stale = client.post(url, {"decision": "confirmed", "document": "x", "version": dz.fa.version},
                        content_type="application/json")
    assert stale.status_code == 409
    run = client.post(f"/api/dossier-findings/units/{dz.unit_town_a.pk}/audit/", {}, content_type="application/json")
    assert run.status_code == 200 and run.json()["cadres"] == 1 and run.json()["existing"] == 1
    assert client.post(f"/api/dossier-findings/units/{dz.unit_town_b.pk}/audit/", {},
                       content_type="application/json").status_code == 404
    assert client.get("/api/dossier-findings/", {"status": "open"}).json()["results"] == []


def test_cadre_tab_and_todo(dz):
    context = panel_context(dz.cadre_user, dz.a, None)
    assert [r["finding"].pk for r in context["findings"]] == [dz.fa.pk] and context["open"] == 1
    assert panel_context(dz.cadre_user, dz.b, None)["findings"] == []  # not in scope
    from django.template.loader import render_to_string

    html = render_to_string("cadres/dossier/panel.html", {"p": context})
    assert "出生日期与身份证号码不一致" in html and "待认定" in html
    [item] = todos(dz.cadre_user)
    assert item.text == "档案专项审核：1 个问题待认定" and item.url.endswith("?status=open")
    assert todos(dz.town_user) == []
    [county] = todos(dz.county_user)
    assert county.text == "档案专项审核：2 个问题待认定"


def test_cli(dz, capsys):
    out = io.StringIO()
    call_command("dossier_audit", "--user", dz.cadre_b_user.username, "--unit", "U-B", "--format", "json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["unit"] == "U-B" and body["cadres"] == 1 and body["existing"] == 1
    with pytest.raises(CommandError, match="不存在或不在"):
        call_command("dossier_audit", "--user", dz.cadre_b_user.username, "--unit", "U-A")
    with pytest.raises(CommandError, match="必须用 --user"):
        call_command("dossier_audit")
    text = io.StringIO()
    call_command("dossier_audit", "--user", dz.cadre_user.username, stdout=text)
    assert "档案专项审核完成：审核干部 1 人" in text.getvalue()


def test_list_page_query_count_does_not_grow_with_the_rows(dz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(Client(), dz.county_user)
    url = reverse("cadres:dossier_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(4):
        cadre = make_cadre(dz.unit_town_a, f"新增{i}")
        Person.objects.filter(pk=cadre.person_id).update(birth_date=dt.date(1970, 1, 2))
    dossier_audit_run(user=dz.county_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["object_list"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)
