"""The 党内统计 page, its Excel export, the API endpoint and the ``zugong stats party`` command: each
calls the same service, is scoped, and renders the exact figures of the hand-built dataset."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import PASSWORD
from tests.reports.conftest import EXPECTED
from zugong import cli
from zugong.audit.models import AuditEvent

PAGE = reverse("reports:party_stats")
XLSX = reverse("reports:party_stats_xlsx")
API = reverse("api:party-stats")


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def _xlsx_cells(content: bytes) -> tuple[str, dict[str, tuple]]:
    ws = load_workbook(io.BytesIO(content)).active
    title = ws["A1"].value
    rows = {}
    for label, count, share in ws.iter_rows(min_row=2, max_col=3, values_only=True):
        if label:
            rows.setdefault(label.strip(), (count, share))  # first occurrence (职业 repeats under 发展党员)
    return title, rows


# --- page -----------------------------------------------------------------------------------------

def test_page_shows_the_table_and_charts(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(PAGE, {"org": "S", "as_of": "2024-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "党内统计 — 某县委（截至 2024年6月30日）" in html
    assert response.context["stats"] == EXPECTED
    rows = {item["row"].label: item["row"] for item in response.context["rows"]}
    assert rows["女党员"].count == 6 and rows["女党员"].share == 35.3
    assert rows["党的十八大以来"].count == 8
    assert "口径更正：公报的入党时间是党内统计年报第三表各整月列的合计" in html  # the era note under 统计口径
    # four charts, each with its ECharts option in a json_script block and its numbers beside it
    charts = {c["id"]: c for c in response.context["charts"]}
    assert set(charts) == {"chart-age", "chart-occupation", "chart-structure", "chart-era"}
    for chart_id in charts:
        assert f'data-chart="{chart_id}"' in html
        assert f'<script id="{chart_id}" type="application/json">' in html
    assert charts["chart-age"]["option"]["series"][0]["data"] == list(EXPECTED["年龄"].values())
    assert charts["chart-occupation"]["option"]["yAxis"]["data"] == list(EXPECTED["职业"])
    assert charts["chart-structure"]["option"]["series"][0]["data"] == [35.3, 17.6, 64.7]
    assert [d["value"] for d in charts["chart-era"]["option"]["series"][0]["data"]] == [1, 2, 6, 8]
    assert ("61岁及以上", 5, 29.4) in charts["chart-age"]["rows"]
    assert "vendor/echarts-5.6.0.min.js" in html
    # no inline script other than JSON data blocks, no inline styles (CSP)
    assert html.count("<script>") == 0 and 'style="' not in html and "onclick" not in html
    assert f'{XLSX}?org=S&amp;as_of=2024-06-30' in html
    # drill-down to the roster with the same filters
    assert "/party/members/?org=S&amp;as_of=2024-06-30&amp;sex=2" in html


def test_page_defaults_to_the_top_granted_organization_and_today(client, stats_tree):
    response = _client(client, stats_tree.town_user).get(PAGE)
    assert response.status_code == 200
    assert response.context["organization"] == stats_tree.SA
    assert response.context["as_of"] == dt.date.today()
    picker = [o["code"] for o in response.context["organizations"]]
    assert picker == ["S-A"]  # committees and granted nodes, not every branch
    html = response.content.decode()
    last_year_end = f"{dt.date.today().year - 1}-12-31"
    assert f"as_of={last_year_end}" in html


def test_page_picker_lists_committees_in_scope(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(PAGE, {"org": "S-A-1", "as_of": "2024-06-30"})
    picker = [(o["code"], o["selected"]) for o in response.context["organizations"]]
    assert [code for code, _ in picker] == ["S", "S-A", "S-A-1", "S-G", "S-W"]  # + the selected branch
    assert ("S-A-1", True) in picker
    assert response.context["stats"]["党员总数"] == 6


def test_page_scope(client, stats_tree):
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    branch = _client(client, stats_tree.branch_user)
    assert branch.get(PAGE, {"org": "S", "as_of": "2024-06-30"}).status_code == 404
    assert branch.get(PAGE, {"org": "NOPE"}).status_code == 404
    assert branch.get(PAGE, {"org": "S-A-1", "as_of": "2024-06-30"}).status_code == 200
    client.logout()
    assert _client(client, stats_tree.nogrant_user).get(PAGE).status_code == 403


def test_page_rejects_a_bad_date_clearly(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(PAGE, {"org": "S", "as_of": "2024-02-30"})
    assert response.status_code == 400
    assert "截至日期无效" in response.content.decode()


# --- xlsx -----------------------------------------------------------------------------------------

def test_xlsx_export_has_the_communique_layout_and_is_audited(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(XLSX, {"org": "S", "as_of": "2024-06-30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    title, rows = _xlsx_cells(response.content)
    assert title == "党内统计 — 某县委（截至 2024年6月30日）"
    assert rows["项目"] == ("人数", "占比(%)")
    assert rows["一、党员总数"] == (17, None)
    assert rows["预备党员"] == (5, 29.4)
    assert rows["支部"] == (4, 57.1)
    assert rows["大专及以上学历党员"] == (11, 64.7)
    assert rows["30岁及以下"] == (3, 17.6)
    assert rows["新中国成立前"] == (1, 5.9)
    assert rows["离退休人员"] == (4, 23.5)
    assert rows["七、发展党员（2024年）"] == (3, None)
    assert rows["生产工作一线"] == (2, 66.7)
    assert rows["入党积极分子"] == (3, None)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].font.bold and ws["A3"].font.bold and not ws["A4"].font.bold
    assert ws.column_dimensions["A"].width >= 40
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.object_id == "S"
    assert event.data["as_of"] == "2024-06-30" and event.data["organization"] == "S"
    assert event.actor_username == stats_tree.county_user.username


def test_xlsx_export_scope_and_permission(client, stats_tree):
    branch = _client(client, stats_tree.branch_user)
    assert branch.get(XLSX, {"org": "S", "as_of": "2024-06-30"}).status_code == 404
    client.logout()
    before = AuditEvent.objects.filter(kind="export").count()
    viewer = _client(client, stats_tree.viewer)  # 只读用户: may view, may not export
    assert viewer.get(PAGE, {"org": "S"}).status_code == 200
    assert "导出Excel" not in viewer.get(PAGE, {"org": "S"}).content.decode()
    assert viewer.get(XLSX, {"org": "S", "as_of": "2024-06-30"}).status_code == 403
    assert AuditEvent.objects.filter(kind="export").count() == before


# --- API ------------------------------------------------------------------------------------------

def test_api_returns_the_dict(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(API, {"org": "S", "as_of": "2024-06-30"})
    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_api_scope_and_errors(client, stats_tree):
    assert client.get(API, {"org": "S"}).status_code == 403  # anonymous
    branch = _client(client, stats_tree.branch_user)
    response = branch.get(API, {"org": "S", "as_of": "2024-06-30"})
    assert response.status_code == 404
    assert "不在您的数据范围内" in response.json()["detail"]
    assert branch.get(API, {"org": "S-A-1", "as_of": "2024-06-30"}).json()["党员总数"] == 6
    missing = branch.get(API, {"as_of": "2024-06-30"})
    assert missing.status_code == 400 and "org" in missing.json()
    bad_date = branch.get(API, {"org": "S-A-1", "as_of": "2024/13/01"})
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in json.dumps(bad_date.json(), ensure_ascii=False)
    today = branch.get(API, {"org": "S-A-1"}).json()
    assert today["截至日期"] == dt.date.today().isoformat()


def test_api_is_documented_in_the_schema(client, stats_tree):
    response = _client(client, stats_tree.county_user).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/stats/party/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"org", "as_of"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == list(EXPECTED)
    assert list(body["properties"]["年龄"]["properties"]) == list(EXPECTED["年龄"])
    assert "404" in operation["responses"]


# --- CLI ------------------------------------------------------------------------------------------

def _run(*args) -> str:
    out = io.StringIO()
    call_command("stats_party", *args, stdout=out)
    return out.getvalue()


def test_cli_json(stats_tree):
    out = _run("--org", "S", "--as-of", "2024-06-30", "--user", "stats_county", "--format", "json")
    assert json.loads(out) == EXPECTED
    assert "党员总数" in out  # ensure_ascii=False


def test_cli_text(stats_tree, tmp_path):
    out = _run("--org", "S", "--as-of", "2024-06-30", "--user", "stats_county")
    lines = out.splitlines()
    assert lines[0] == "党内统计 — 某县委（截至 2024年6月30日）"
    table = {line.split()[0]: line.split()[1:] for line in lines[2:] if line.strip() and not line.startswith("-")}
    assert table["项目"] == ["人数", "占比(%)"]
    assert table["一、党员总数"] == ["17"]
    assert table["女党员"] == ["6", "35.3"]
    assert table["31至35岁"] == ["3", "17.6"]
    assert table["入党申请人"] == ["5"]
    # CJK-aware alignment: every count column ends at the same display width
    target = tmp_path / "stats.txt"
    _run("--org", "S", "--as-of", "2024-06-30", "--user", "stats_county", "--output", str(target))
    assert target.read_text(encoding="utf-8") == out


def test_cli_xlsx(stats_tree, tmp_path):
    target = tmp_path / "党内统计.xlsx"
    out = _run("--org", "S-A", "--as-of", "2024-06-30", "--user", "stats_town", "--format", "xlsx",
               "--output", str(target))
    assert str(target) in out
    title, rows = _xlsx_cells(target.read_bytes())
    assert title == "党内统计 — 甲镇党委（截至 2024年6月30日）"
    assert rows["一、党员总数"] == (11, None)
    assert rows["二、基层组织"] == (4, None)
    assert AuditEvent.objects.filter(kind="export", object_id="S-A").exists()


@pytest.mark.parametrize("args, message", [
    (["--org", "S", "--as-of", "2024-06-30", "--user", "stats_branch"], "不存在或不在您的数据范围内"),
    (["--org", "NOPE", "--as-of", "2024-06-30", "--user", "stats_county"], "不存在或不在您的数据范围内"),
    (["--org", "S", "--as-of", "2024-06-30", "--user", "ghost"], "用户「ghost」不存在"),
    (["--org", "S", "--as-of", "2024-02-30", "--user", "stats_county"], "截至日期无效"),
    (["--org", "S", "--as-of", "2024.06", "--user", "stats_county"], "完整日期"),
    (["--org", "S", "--as-of", "2024-06-30", "--user", "stats_county", "--format", "xlsx"], "--output"),
    (["--org", "S", "--as-of", "2024-06-30", "--user", "stats_viewer", "--format", "xlsx", "--output", "x.xlsx"],
     "没有导出"),
])
def test_cli_errors(stats_tree, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_cli_entry_point_maps_stats_party_and_exits_non_zero(stats_tree, capsys, monkeypatch):
    # ``run_from_argv`` closes every connection when it finishes; keep the test transaction's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exc:
        cli.main(["zugong", "stats", "party", "--org", "S", "--as-of", "2024-06-30", "--user", "stats_branch"])
    assert exc.value.code != 0
    assert "不在您的数据范围内" in capsys.readouterr().err
    cli.main(["zugong", "stats", "party", "--org", "S-A-1", "--as-of", "2024-06-30", "--user", "stats_branch",
              "--format", "json"])
    assert json.loads(capsys.readouterr().out)["党员总数"] == 6


def test_xlsx_export_answers_the_download_token(client, stats_tree):
    from zugong.core.downloads import DOWNLOAD_COOKIE

    response = _client(client, stats_tree.county_user).get(XLSX, {"org": "S", "as_of": "2024-06-30",
                                                                   "dl": "0123456789abcdef"})
    assert response.status_code == 200 and response.cookies[DOWNLOAD_COOKIE].value == "0123456789abcdef"
    page = _client(client, stats_tree.county_user).get(PAGE, {"org": "S"}).content.decode()
    assert "data-download>导出Excel" in page
