"""干部结构分析 page, its xlsx, the API and ``zugong stats cadres`` (issue #12 item 8), and the 干部名册 export."""

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

from tests.factories import make_cadre, make_post
from tests.security.helpers import login
from zugong.cadres.models import Appointment, Education, RankRecord
from zugong.cadres.structure.exporters import ROSTER_HEADERS

pytestmark = pytest.mark.django_db

AS_OF = "2024-06-30"


@pytest.fixture
def data(ct):
    """Town A: a 镇长 (正科, 1990 born → 34), a 副镇长 (副科, woman, 壮族, 1975) with education rows and a rank;
    town B: one 副镇长."""
    mayor_post = make_post(ct.unit_town_a, "镇长", level="141")
    deputy_post = make_post(ct.unit_town_a, "副镇长", level="142", max_holders=3)
    mayor = make_cadre(ct.unit_town_a, "甲镇长", birth_date=dt.date(1990, 1, 5), native_place="浙江杭州",
                       party_joined_date=dt.date(2012, 6, 1), current_post_title="甲镇镇长",
                       establishment_type="administrative", note="挂职")
    Appointment.objects.create(cadre=mayor, post=mayor_post, start_date=dt.date(2021, 3, 1))
    deputy = make_cadre(ct.unit_town_a, "甲副镇长", sex="2", birth_date=dt.date(1975, 8, 20),
                        professional_title="高级经济师")
    deputy.person.ethnicity = "08"
    deputy.person.save()
    Appointment.objects.create(cadre=deputy, post=deputy_post, start_date=dt.date(2018, 9, 1))
    Education.objects.create(cadre=deputy, category="full_time", education_text="大学本科", education_level="21",
                             degree_text="经济学学士", education_school_major="浙江大学经济学专业")
    Education.objects.create(cadre=deputy, category="in_service", education_text="研究生", education_level="10",
                             education_school_major="中央党校经济管理专业")
    RankRecord.objects.create(cadre=deputy, rank="principal_clerk_1", start_date=dt.date(2020, 1, 1))
    other = make_cadre(ct.unit_town_b, "乙副镇长")
    Appointment.objects.create(cadre=other, post=make_post(ct.unit_town_b, "副镇长", level="142"),
                               start_date=dt.date(2019, 1, 1))
    return ct


def test_page_shows_numbers_and_charts(data):
    client = login(Client(), data.cadre_user)
    response = client.get(reverse("cadres:structure"), {"unit": "U-A", "as_of": AS_OF})
    assert response.status_code == 200
    text = response.content.decode()
    assert "干部结构分析 · 甲镇" in text
    assert '<div class="big" id="cadre-total">2</div>' in text
    assert "35岁及以下" in text and "chart-age-table" in text and "echarts" in text
    assert "乙镇" not in text and "乙副镇长" not in text
    ctx = response.context
    assert ctx["data"]["干部总数"] == 2
    assert {r["级别"]: r["人数"] for r in ctx["data"]["职务层次"]} == {"正科级": 1, "副科级": 1}
    assert "女干部仅" not in ctx["data"]["摘要"][4]  # 1 of 2 = 50%
    assert any("女干部 1 名，占 50.0%" in line for line in ctx["data"]["摘要"])
    assert "甲镇" in text and "领导班子专业结构" in text
    assert reverse("cadres:roster_xlsx") in text


def test_page_scope(data):
    client = login(Client(), data.cadre_b_user)
    assert client.get(reverse("cadres:structure"), {"unit": "U-A"}).status_code == 404
    response = client.get(reverse("cadres:structure"), {"as_of": AS_OF})
    assert response.status_code == 200 and response.context["data"]["单位代码"] == "U-B"
    assert "甲副镇长" not in response.content.decode()
    town = login(Client(), data.town_user)
    assert town.get(reverse("cadres:structure")).status_code == 403
    assert town.get(reverse("cadres:structure"), {"unit": "U-A"}).status_code == 404


def test_bad_date_is_400(data):
    client = login(Client(), data.cadre_user)
    response = client.get(reverse("cadres:structure"), {"unit": "U-A", "as_of": "2024-13-01"})
    assert response.status_code == 400
    assert "截至日期无效" in response.content.decode()


def test_structure_xlsx(data):
    client = login(Client(), data.cadre_user)
    response = client.get(reverse("cadres:structure_xlsx"), {"unit": "U-A", "as_of": AS_OF})
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb["干部结构分析"].iter_rows(values_only=True))
    assert rows[0] == ("项目", "类别", "人数", "占比(%)", "平均年龄")
    assert rows[1][:3] == ("干部总数", None, 2) or rows[1][:3] == ("干部总数", "", 2)
    assert ("性别", "女", 1, 50.0, None) in rows
    assert any(r[0] == "民族" and r[1] == "少数民族" and r[2] == 1 for r in rows)
    notes = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert any("平均年龄" in (n or "") for n in notes)


def test_api(data):
    client = login(Client(), data.cadre_user)
    response = client.get("/api/stats/cadres/", {"org": "U-A", "as_of": AS_OF})
    assert response.status_code == 200
    body = response.json()
    assert body["干部总数"] == 2 and body["单位代码"] == "U-A"
    assert body["全日制学历"][1] == {"学历": "大学本科", "人数": 1, "占比": 50.0}
    assert client.get("/api/stats/cadres/", {"org": "U-B"}).status_code == 404
    assert client.get("/api/stats/cadres/", {"org": "U-A", "as_of": "2024.13"}).status_code == 400
    assert client.get("/api/stats/cadres/").status_code == 400


def test_cli_json_matches_api(data, capsys):
    call_command("stats_cadres", "--org", "U-A", "--as-of", AS_OF, "--user", data.cadre_user.username)
    printed = json.loads(capsys.readouterr().out)
    client = login(Client(), data.cadre_user)
    assert printed == client.get("/api/stats/cadres/", {"org": "U-A", "as_of": AS_OF}).json()
    call_command("stats_cadres", "--org", "U-A", "--as-of", AS_OF, "--user", data.cadre_user.username,
                 "--format", "text")
    assert "干部结构分析 — 甲镇" in capsys.readouterr().out


def test_cli_out_of_scope_exits_2(data):
    with pytest.raises(CommandError) as info:
        call_command("stats_cadres", "--org", "U-A", "--user", data.cadre_b_user.username)
    assert info.value.returncode == 2
    assert "不在您的干部信息管理范围内" in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("stats_cadres", "--org", "U-A", "--user", data.town_user.username)
    assert info.value.returncode == 2


def roster_rows(response) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(wb["干部名册"].iter_rows(values_only=True))


def test_roster_export_columns_and_values(data):
    client = login(Client(), data.cadre_user)
    response = client.get(reverse("cadres:roster_xlsx"), {"unit": "U-A", "as_of": AS_OF})
    assert response.status_code == 200
    rows = roster_rows(response)
    assert rows[0] == ROSTER_HEADERS
    assert len(rows) == 3
    mayor = dict(zip(range(19), rows[1], strict=True))
    assert [mayor[i] for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] == [
        1, "甲镇", "甲镇长", "甲镇镇长", "男", "汉族", "浙江杭州", "1990.01", "2012.06", "2012.07"]
    assert mayor[14] == "2021.03" and mayor[15] == "2021.03" and mayor[17] == "行政" and mayor[18] == "挂职"
    deputy = rows[2]
    assert deputy[2] == "甲副镇长" and deputy[3] == "甲镇副镇长" and deputy[5] == "壮族"
    assert deputy[10] == "大学本科\n经济学学士" and deputy[11] == "浙江大学经济学专业"
    assert deputy[12] == "研究生" and deputy[13] == "中央党校经济管理专业"
    assert deputy[14] == "2018.09" and deputy[16] == "一级主任科员"
    assert all("乙" not in (r[1] or "") for r in rows[1:])


def test_roster_export_scope(data):
    client = login(Client(), data.cadre_b_user)
    assert client.get(reverse("cadres:roster_xlsx"), {"unit": "U-A"}).status_code == 404
    rows = roster_rows(client.get(reverse("cadres:roster_xlsx"), {"as_of": AS_OF}))
    assert [r[2] for r in rows[1:]] == ["乙副镇长"]


def test_cadre_list_links_the_roster_export(data):
    client = login(Client(), data.cadre_user)
    text = client.get(reverse("cadres:cadre_list"), {"unit": "U-A"}).content.decode()
    assert f'href="{reverse("cadres:roster_xlsx")}?unit=U-A"' in text
