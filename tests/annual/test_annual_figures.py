"""Issue #10 "Done means": for a dataset whose true counts are known — an opening roster, then a year of
every kind of increase, decrease, transfer and 转正 entered through the pages, the API and both imports
(``story.py``) — every figure of the listed tables is exactly right for the whole tree, each township and a
branch, and every consistency check passes. The true figures are the hand-worked literals of
``expected.py``. Runs on SQLite, and on PostgreSQL with ``DATABASE_URL``."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.annual.expected import EXPECTED, SCOPE_USERS, T1, T2, T3, T4, T10, T15, T16, T24, T33, T43
from zugong.core.errors import OutOfScope
from zugong.orgs.models import PartyOrganization
from zugong.reports.annual import annual_records, annual_report
from zugong.reports.annual_layout import TABLES

pytestmark = pytest.mark.django_db
D = dt.date
TITLES = [T1, T2, T3, T4, T10, T15, T16, T24, T33, T43]
_cache: dict = {}


def user(username: str):
    return get_user_model().objects.get(username=username)


def report_of(year, scope: str):
    """The report of ``scope``'s subtree for 2023, run as the scope's user (cached per built story)."""
    key = (id(year), scope)
    if key not in _cache:
        _cache[key] = annual_report(user=user(SCOPE_USERS[scope]), organization=PartyOrganization.objects.get(code=scope),
                                    year=2023)
    return _cache[key]


def mismatches(actual, expected, path: str = "") -> list[str]:
    """Every cell of ``expected`` that ``actual`` lacks or holds differently, as 「path: 应为 x，实为 y」."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: 应为表格，实为 {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}/{key}: 缺少")
            else:
                found += mismatches(actual[key], value, f"{path}/{key}")
        return found
    return [] if actual == expected else [f"{path}: 应为 {expected!r}，实为 {actual!r}"]


def expected_table(scope: str, title: str) -> dict:
    """The literal figures of ``title`` for ``scope``; 第二、三、四表 also get the 总数 of every 工作岗位 row
    (the same people in each of the three tables)."""
    if title == T1:
        return EXPECTED[scope][T1]
    table = {row: dict(cells) for row, cells in EXPECTED[scope].get(title, {}).items()}
    if title in (T2, T3, T4):
        for row, cells in EXPECTED[scope]["第二表行合计"].items():
            table.setdefault(row, {}).update(cells)
    return table


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("scope", list(EXPECTED))
def test_every_figure(year, scope, title):
    report = report_of(year, scope)
    assert report.year == 2023 and report.as_of == D(2023, 12, 31)
    assert report.organization.code == scope
    expected = expected_table(scope, title)
    assert expected, (scope, title)
    wrong = mismatches(report.tables.get(title), expected, f"{scope} {title}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("scope", list(EXPECTED))
def test_every_consistency_check_passes(year, scope):
    report = report_of(year, scope)
    assert len(report.checks) >= 5  # 实有数 = 第二、三、四表总数; 应有数 = 实有数; row sums; 第十表; 第十六表
    failed = [f"{c.name}: 应为 {c.expected}，实为 {c.actual}；" + "、".join(f"{r.name}（{r.reason}）" for r in c.records)
              for c in report.checks if not c.ok]
    assert not failed, "\n".join(failed)
    assert report.ok


def test_json_has_every_table_in_the_contract_shape(year):
    data = report_of(year, "X").to_json()
    assert data["年度"] == 2023 and data["截至日期"] == "2023-12-31"
    assert {t.title for t in TABLES} <= set(data)
    assert data[T1] == EXPECTED["X"][T1]  # the special shape of 第一表, exactly (no extra keys)
    json.dumps(data, ensure_ascii=False)  # plain JSON


def test_cli_api_and_report_agree(year, tmp_path):
    """``zugong stats annual`` (json and xlsx) and ``GET /api/stats/annual/`` give the engine's figures."""
    report = report_of(year, "X").to_json()
    out = io.StringIO()
    call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format", "json",
                 stdout=out, stderr=io.StringIO())
    cli = json.loads(out.getvalue())
    client = Client()
    client.force_login(user("county"))
    response = client.get("/api/stats/annual/", {"org": "X", "year": 2023})
    assert response.status_code == 200, response.content[:500]
    api = response.json()
    for title in TITLES:
        assert cli[title] == report[title] == api[title], title
    assert cli[T1]["本年底实有数"] == 40

    path = tmp_path / "年报.xlsx"
    call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format", "xlsx",
                 "--output", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    assert len(workbook.sheetnames) >= len(TABLES)
    first = workbook[workbook.sheetnames[0]]
    rows = [list(r) for r in first.iter_rows(values_only=True)]
    assert any(any(str(v).startswith("第一表") for v in r if v) for r in rows[:3])  # the title line
    def figure(label):  # the 人数 of the row printed with ``label`` in column 甲 (the last number of the row)
        line = next(r for r in rows if r and str(r[0]).strip() == label)
        return [v for v in line if isinstance(v, (int, float))][-1]

    assert (figure("一、上年底总数"), figure("三、本年减少"), figure("五、本年底实有数")) == (46, 17, 40)


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_each_figure_links_to_the_people_it_counts(year):
    county, town_a = user("county"), user("town_a")
    x, b = PartyOrganization.objects.get(code="X"), PartyOrganization.objects.get(code="X-B")

    def records(who, org, table, row, column):
        return names(annual_records(user=who, organization=org, year=2023, table=table, row=row, column=column))

    assert records(county, x, 1, "死亡", "人数") == {"郑强", "秦岭", "故老"}
    assert records(county, x, 1, "上年底总数", "人数") >= {"故老", "除名", "退党"}
    assert "曹复" not in records(county, x, 1, "上年底总数", "人数")  # expelled in 2022
    assert records(county, b, 1, "转入组织关系", "人数") == {"物流一", "物流二", "过客", "入来", "吴芳", "赵四"}
    assert records(county, b, T1, "整建制转出", "人数") == {"老街一", "老街二"}  # by title too
    assert records(county, x, 10, "总计", "取消预备党员资格") == {"马兰", "蒋未满"}
    assert records(county, x, 15, "尚未讨论或审批", "人数") == {"冯雪"}
    assert records(county, x, 16, "总计", "总数") == {"新发一", "新发二", "重入", "小红"}
    assert records(county, x, 2, "公有制单位·工勤技能人员", "预备党员") == {"钱进", "新发二"}
    assert records(county, x, 43, "总计", "总数") == {"张老三", "黄师傅", "潘工", "唐专"}
    assert records(county, x, 33, "跨省流动", "总数") == {"李二妹", "高明"}
    with pytest.raises(OutOfScope):  # 甲镇's user cannot drill into 乙镇
        annual_records(user=town_a, organization=b, year=2023, table=1, row="死亡", column="人数")


def test_out_of_scope_report_is_refused(year):
    with pytest.raises(OutOfScope):
        annual_report(user=user("town_a"), organization=PartyOrganization.objects.get(code="X-B"), year=2023)
