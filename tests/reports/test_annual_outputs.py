"""The 党内统计年报's outputs — the ``.xlsx`` (official printed layout), the page, the records drill-down
and the API — on hand-made ``AnnualReport`` objects (``annual_sample``): the engine
(``reports.annual.annual_report`` / ``annual_records``) is replaced where the views call it, so these
tests prove where every figure goes, not how it is counted (``test_annual_engine*`` do that)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from tests.factories import PASSWORD
from tests.reports.annual_sample import FIRST_TABLE, NONE_ROWS, figure, sample_checks, sample_report
from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope
from zugong.people.models import Person
from zugong.reports import annual
from zugong.reports.annual_export import (
    COLUMN_GROUPS,
    UNITS,
    annual_json,
    annual_xlsx,
    column_label,
    heading,
    printed_table,
    sheet_title,
)
from zugong.reports.annual_layout import OCCUPATION_ROWS, TABLE_1, TABLE_BY_NUMBER, TABLES

PAGE = reverse("reports:annual")
XLSX = reverse("reports:annual_xlsx")
RECORDS = reverse("reports:annual_records")
API = reverse("api:annual-stats")
API_RECORDS = reverse("api:annual-records")

FIRST_TABLE_ROWS = {  # 第一表 row key → its figure in FIRST_TABLE
    "上年底总数": 100, "本年增加": 12, "发展党员": 5, "重新入党": 1, "恢复党籍": 2, "停止党籍后恢复党籍": 1,
    "转入组织关系": 5, "整建制转入": 3, "本年减少": 9, "出党": 2, "停止党籍": 1, "死亡": 3, "转出组织关系": 3,
    "整建制转出": 0, "本年底应有数": 103, "本年底实有数": 103, "实有数与应有数之差": 0,
}


def expected(table, r: int, c: int, row_key: str):
    """The sample's figure at 行次 ``r``, 栏 ``c`` of ``table``."""
    if table is TABLE_1:
        return FIRST_TABLE_ROWS[row_key]
    if row_key in NONE_ROWS.get(table.number, ()):
        return None
    return figure(table.number, r, c)


@pytest.fixture
def engine(monkeypatch):
    """The engine replaced: ``annual_report`` gives the sample report (scoped as the real one: the
    organization must be in ``party.view``), ``annual_records`` the people of the subtree in scope; every
    call is recorded in ``engine.calls``."""
    from zugong.orgs.models import PartyOrganization

    state = SimpleNamespace(calls=[], checks=None)

    def fake_report(*, user, organization=None, year):
        if not PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).exists():
            raise OutOfScope()
        state.calls.append(("report", organization.code, year))
        return sample_report(organization, year, checks=state.checks)

    def fake_records(*, user, organization, year, table, row, column):
        state.calls.append(("records", organization.code, year, table, row, column))
        return (Person.objects.restrict(user, "view", "party")
                .filter(memberships__organization__path__startswith=organization.path).distinct().order_by("name"))

    monkeypatch.setattr(annual, "annual_report", fake_report)
    monkeypatch.setattr(annual, "annual_records", fake_records)
    return state


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


# --- the printed layout ---------------------------------------------------------------------------------

def test_printed_layout_numbers_rows_and_columns_and_groups_the_occupation_rows():
    printed = printed_table(TABLE_BY_NUMBER[2], sample_report(None).tables)
    numbered = [r for r in printed.rows if not r.is_group]
    assert [r.number for r in numbered] == list(range(1, len(OCCUPATION_ROWS) + 1))
    labels = [(r.label, r.level, r.number) for r in printed.rows]
    # 公有制单位 / 非公有制单位: unnumbered group lines above their 合计, the group's rows one level deeper
    public = labels.index(("公有制单位", 1, None))
    assert labels[public - 1] == ("一、在岗职工", 0, 2)
    assert labels[public + 1] == ("合计", 2, 3)
    assert labels[public + 2] == ("党政机关工作人员", 2, 4)
    assert labels[public + 8] == ("其中：农民工", 3, 10)
    private = labels.index(("非公有制单位", 1, None))
    assert labels[private + 1] == ("合计", 2, 11)
    assert labels[labels.index(("二、农牧渔民", 0, 18)) + 1] == ("其中：外出务工经商人员", 1, 19)
    # header: 年龄 over ten columns; 补充资料 › 专业技术职务 › 高级/中级/初级 on three lines
    assert printed.depth == 3
    heads = {(h.label, h.line): h for h in printed.header}
    assert heads[("年龄", 0)].colspan == 10 and heads[("30岁及以下", 1)].rowspan == 2
    assert heads[("补充资料", 0)].colspan == 3 and heads[("专业技术职务", 1)].colspan == 3
    assert [heads[(x, 2)].column for x in ("高级", "中级", "初级")] == [15, 16, 17]
    assert heads[("总数", 0)].rowspan == 3
    assert printed.value("公有制单位·党政机关工作人员", "女") == figure(2, 4, 3)


def test_column_labels_drop_the_key_disambiguation():
    t43 = TABLE_BY_NUMBER[43]
    labels = [column_label(t43, c) for c in t43.columns]
    assert labels.count("1年至5年") == 2 and "1年至5年（失联）" not in labels
    groups = {g.label: len(g.keys) for g in COLUMN_GROUPS[43]}
    assert groups == {"年龄": 4, "党龄": 5, "学历": 3, "失去联系时间": 4, "失去联系具体情形": 7}
    assert sum(groups.values()) + 4 == len(t43.columns)  # + 总数 预备党员 女 少数民族


def test_blank_cells_get_a_note_naming_them():
    printed = printed_table(TABLE_BY_NUMBER[10], sample_report(None).tables)
    assert printed.notes == ["说明：第2行（厅局级）、第3行（县处级）本系统尚无可据以统计的记录，留空未填。"]
    tables = sample_report(None).tables
    tables["党员入党时间情况"]["四、学生"]["总数"] = None
    assert printed_table(TABLE_BY_NUMBER[3], tables).notes == ["说明：第21行第1栏本系统尚无可据以统计的记录，留空未填。"]
    assert printed_table(TABLE_BY_NUMBER[4], tables).notes == []


# --- the xlsx ---------------------------------------------------------------------------------------------

def _layout_of(ws):
    """(row of the 甲/乙 line, {行次: sheet row}) of a table sheet."""
    number_row = next(r for r in range(1, 12) if ws.cell(r, 1).value == "甲")
    rows = {ws.cell(r, 2).value: r for r in range(number_row + 1, ws.max_row + 1) if isinstance(ws.cell(r, 2).value, int)}
    return number_row, rows


def test_xlsx_has_every_table_in_the_printed_layout_with_each_figure_in_its_cell():
    org = SimpleNamespace(name="某县委", code="S")
    wb = load_workbook(io.BytesIO(annual_xlsx(sample_report(org, 2023))))
    assert wb.sheetnames == [sheet_title(t) for t in TABLES] + ["逻辑校验"]
    for table in TABLES:
        ws = wb[sheet_title(table)]
        assert ws["A1"].value == heading(table) == f"{table.heading.split()[0]}\u3000{table.title}"
        assert ws["A1"].alignment.horizontal == "center"
        assert f"A1:{get_column_letter(len(table.columns) + 2)}1" in {str(rng) for rng in ws.merged_cells.ranges}
        unit = UNITS.get(table.number, "名")  # 个 for 第二十四表, 人次 for 第九表 …
        assert ws["A2"].value == f"填报单位：某县委\u3000\u3000截至日期：2023年12月31日\u3000\u3000单位：{unit}"
        assert (ws["A3"].value, ws["B3"].value) == ("项目", "行次")
        number_row, rows = _layout_of(ws)
        assert [ws.cell(number_row, c).value for c in range(1, len(table.columns) + 3)] == \
            ["甲", "乙", *range(1, len(table.columns) + 1)]
        # every column head is printed above its number (on some header line)
        heads = {ws.cell(r, c).value for r in range(3, number_row) for c in range(3, len(table.columns) + 3)}
        assert {column_label(table, c) for c in table.columns} <= heads
        assert sorted(rows) == list(range(1, len(table.rows) + 1))
        for r, item in enumerate(table.rows, start=1):
            assert ws.cell(rows[r], 1).value == item.label
            for c in range(1, len(table.columns) + 1):
                assert ws.cell(rows[r], 2 + c).value == expected(table, r, c, item.key), (table.title, item.key, c)
        # print setup: A4 landscape, one page wide, the header repeated
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == f"$3:${number_row}"
        assert ws.cell(number_row + 1, 3).border.left.style == "thin"


def test_xlsx_indents_sub_rows_prints_group_lines_and_explains_blank_cells():
    wb = load_workbook(io.BytesIO(annual_xlsx(sample_report(SimpleNamespace(name="某县委", code="S")))))
    ws = wb[sheet_title(TABLE_BY_NUMBER[2])]
    _number_row, rows = _layout_of(ws)
    group = rows[3] - 1  # the line above 公有制单位·合计 (行次 3)
    assert (ws.cell(group, 1).value, ws.cell(group, 2).value, ws.cell(group, 3).value) == ("公有制单位", None, None)
    assert ws.cell(rows[11] - 1, 1).value == "非公有制单位"
    assert ws.cell(rows[1], 1).alignment.indent == 0
    assert ws.cell(rows[4], 1).alignment.indent == 4  # 党政机关工作人员, level 2
    assert ws.cell(rows[10], 1).alignment.indent == 6  # 其中：农民工
    assert ws["H3"].value == "年龄" and "H3:Q3" in {str(r) for r in ws.merged_cells.ranges}
    assert (ws["R3"].value, ws["R4"].value, ws["R5"].value) == ("补充资料", "专业技术职务", "高级")

    ws10 = wb[sheet_title(TABLE_BY_NUMBER[10])]
    _n, rows10 = _layout_of(ws10)
    assert all(ws10.cell(rows10[r], c).value is None for r in (2, 3) for c in range(3, 12))
    assert ws10.cell(rows10[4] - 1, 1).value == "年龄" and ws10.cell(rows10[8] - 1, 1).value == "入党时间"
    notes = [ws10.cell(r, 1).value for r in range(rows10[13] + 1, ws10.max_row + 1) if ws10.cell(r, 1).value]
    assert notes == ["说明：第2行（厅局级）、第3行（县处级）本系统尚无可据以统计的记录，留空未填。"]


def test_xlsx_reads_back_with_calamine_and_lists_the_checks():
    person = SimpleNamespace(pk=7, name="张伟")
    report = sample_report(SimpleNamespace(name="某县委", code="S"), checks=sample_checks(person))
    book = CalamineWorkbook.from_filelike(io.BytesIO(annual_xlsx(report)))
    first = book.get_sheet_by_name(sheet_title(TABLE_1)).to_python()
    assert first[0][0] == "第一表\u3000党员数量变化情况"
    assert [row[:3] for row in first[4:]] == [
        [item.label, float(n), float(FIRST_TABLE_ROWS[item.key])] for n, item in enumerate(TABLE_1.rows, start=1)]
    t43 = book.get_sheet_by_name(sheet_title(TABLE_BY_NUMBER[43])).to_python()
    numbers = next(i for i, row in enumerate(t43) if row[0] == "甲")
    assert t43[numbers + 1][:4] == ["总计", 1.0, float(figure(43, 1, 1)), float(figure(43, 1, 2))]
    assert t43[numbers + 9][-1] == float(figure(43, 9, 27))  # 其他 row, last (27th) column 其他
    checks = book.get_sheet_by_name("逻辑校验").to_python()
    assert checks[1][:4] == ["校验项", "结果", "应为", "实为"]
    assert checks[2][:2] == ["第一表本年底实有数 = 第二表总计总数", "通过"]
    assert checks[3][:2] == ["第十六表总数 = 第一表发展党员", "未通过"]
    assert checks[3][4:] == ["张伟（甲镇机关党支部）", "变动日期 2023-03-01 早于入党日期 2023-05-01"]


def test_json_is_the_contract_shape_plus_the_checks():
    org = SimpleNamespace(name="某县委", code="S")
    data = annual_json(sample_report(org, 2023))
    assert data["年度"] == 2023 and data["截至日期"] == "2023-12-31"
    assert data["组织代码"] == "S" and data["填报单位"] == "某县委"
    assert data["党员数量变化情况"] == FIRST_TABLE
    assert data["党员基本情况"]["总计"]["总数"] == figure(2, 1, 1)
    assert data["党员出党情况（一）"]["厅局级"]["开除党籍"] is None
    assert [c["ok"] for c in data["逻辑校验"]] == [True, False]
    assert data["逻辑校验"][1] == {"name": "第十六表总数 = 第一表发展党员", "ok": False, "expected": 5, "actual": 4,
                                "records": []}


def test_page_shows_every_table_with_its_figures_linked_to_their_records(client, stats_tree, engine):
    response = _client(client, stats_tree.county_user).get(PAGE, {"org": "S", "year": "2023"})
    assert response.status_code == 200
    assert engine.calls == [("report", "S", 2023)]
    html = response.content.decode()
    assert "党内统计年报 · 某县委" in html and "2023年度" in html
    for table in TABLES:
        assert f'id="table-{table.number}"' in html and heading(table) in html
    sections = {s["printed"].table.number: s for s in response.context["sections"]}
    rows = {r["row"].key: r for r in sections[2]["rows"] if not r["row"].is_group}
    cell = rows["公有制单位·党政机关工作人员"]["cells"][2]  # 女
    assert cell["value"] == figure(2, 4, 3)
    assert cell["url"] == (f"{RECORDS}?org=S&year=2023&table=2&row=%E5%85%AC%E6%9C%89%E5%88%B6%E5%8D%95%E4%BD%8D"
                           "%C2%B7%E5%85%9A%E6%94%BF%E6%9C%BA%E5%85%B3%E5%B7%A5%E4%BD%9C%E4%BA%BA%E5%91%98"
                           "&column=%E5%A5%B3")
    assert f'<a href="{cell["url"].replace("&", "&amp;")}" title="查看计入此数的记录">{figure(2, 4, 3)}</a>' in html
    # 第一表 in its special shape; a zero is not a link; a blank cell is empty
    first = {r["row"].key: r["cells"][0] for r in sections[1]["rows"]}
    assert first["发展党员"]["value"] == 5 and "table=1&row=%E5%8F%91%E5%B1%95%E5%85%9A%E5%91%98" in first["发展党员"]["url"]
    assert first["整建制转出"] == {"value": 0, "column": "人数", "url": None}
    blank = {r["row"].key: r for r in sections[10]["rows"] if not r["row"].is_group}["厅局级"]["cells"]
    assert all(c["value"] is None and c["url"] is None for c in blank)
    assert "说明：第2行（厅局级）、第3行（县处级）" in html
    # printed layout: 甲/乙 and numbered columns, group lines
    assert '<th class="item">甲</th><th class="rowno">乙</th><th>1</th>' in html
    assert '<th scope="rowgroup" class="item">公有制单位</th>' in html
    # the checks: summed up at the top, listed with the records to fix
    assert "逻辑校验未通过 1 项" in html and "第十六表总数 = 第一表发展党员" in html
    # the download button with the progress indicator (data-download), CSP: no inline script or style
    assert f'href="{XLSX}?org=S&amp;year=2023" data-download' in html
    assert "<script>" not in html and 'style="' not in html


def test_page_lists_the_records_of_failed_checks_with_links(client, stats_tree, engine):
    person = stats_tree.members["m1"]
    engine.checks = sample_checks(person)
    html = _client(client, stats_tree.county_user).get(PAGE, {"org": "S", "year": "2023"}).content.decode()
    assert f'<a href="{reverse("people:detail", args=[person.pk])}">m1</a>' in html
    assert "变动日期 2023-03-01 早于入党日期 2023-05-01" in html


def test_page_scope_defaults_and_bad_year(client, stats_tree, engine):
    branch = _client(client, stats_tree.branch_user)
    assert branch.get(PAGE, {"org": "S", "year": "2023"}).status_code == 404  # above its scope
    assert branch.get(PAGE, {"org": "O", "year": "2023"}).status_code == 404  # another tree
    assert branch.get(PAGE, {"org": "NOPE"}).status_code == 404
    response = branch.get(PAGE)
    assert response.status_code == 200 and response.context["organization"] == stats_tree.SA1
    assert engine.calls[-1][2] == response.context["year"]
    bad = branch.get(PAGE, {"org": "S-A-1", "year": "1900"})
    assert bad.status_code == 400 and "年度「1900」无效" in bad.content.decode()
    client.logout()
    assert _client(client, stats_tree.nogrant_user).get(PAGE).status_code == 403
    client.logout()
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_page_hides_the_export_without_the_permission(client, stats_tree, engine):
    html = _client(client, stats_tree.viewer).get(PAGE, {"org": "S", "year": "2023"}).content.decode()
    assert XLSX not in html


# --- the xlsx download ------------------------------------------------------------------------------------

def test_xlsx_download_is_scoped_audited_and_marks_the_download(client, stats_tree, engine):
    c = _client(client, stats_tree.county_user)
    response = c.get(XLSX, {"org": "S", "year": "2023", "dl": "abc12345XYZ"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E5%85%9A%E5%86%85%E7%BB%9F%E8%AE%A1%E5%B9%B4%E6%8A%A5_S_2023.xlsx" in \
        response["Content-Disposition"]
    assert response.cookies["zugong_dl"].value == "abc12345XYZ"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb[sheet_title(TABLE_BY_NUMBER[2])]["A2"].value.startswith("填报单位：某县委")
    event = AuditEvent.objects.filter(kind="export").latest("pk")
    assert event.data == {"report": "annual_report", "organization": "S", "year": 2023, "format": "xlsx",
                          "checks_failed": 1}
    assert c.get(XLSX, {"org": "O", "year": "2023"}).status_code == 404
    assert c.get(XLSX, {"org": "S", "year": "20x3"}).status_code == 400
    client.logout()
    before = AuditEvent.objects.filter(kind="export").count()
    assert _client(client, stats_tree.viewer).get(XLSX, {"org": "S", "year": "2023"}).status_code == 403
    assert AuditEvent.objects.filter(kind="export").count() == before


# --- the records behind a figure --------------------------------------------------------------------------

def test_records_page_lists_the_people_masked_and_paginated(client, stats_tree, engine, monkeypatch):
    from zugong.reports import annual_views

    monkeypatch.setattr(annual_views, "PER_PAGE", 5)
    c = _client(client, stats_tree.town_user)
    response = c.get(RECORDS, {"org": "S-A", "year": "2023", "table": "2", "row": "公有制单位·党政机关工作人员",
                               "column": "女"})
    assert response.status_code == 200
    assert engine.calls[-1] == ("records", "S-A", 2023, 2, "公有制单位·党政机关工作人员", "女")
    html = response.content.decode()
    assert "第二表 党员基本情况" in html and "党政机关工作人员 · 女" in html
    in_subtree = set(Person.objects.filter(memberships__organization__path__startswith=stats_tree.SA.path)
                     .values_list("pk", flat=True))
    listed = [p.pk for p in response.context["object_list"]]
    assert len(listed) == 5 and set(listed) <= in_subtree
    first = response.context["object_list"][0]
    assert first.id_number_masked in html and first.id_number_masked.startswith("*")
    assert f'<a href="{reverse("people:detail", args=[first.pk])}">{first.name}</a>' in html
    # the organization shown is the member's (in scope) at the year's end; never a foreign one
    names = {r["organization"].name for r in response.context["rows"] if r["organization"]}
    assert names and all("另一县" not in n for n in names)
    # page 2 carries the cell
    second = c.get(RECORDS, {"org": "S-A", "year": "2023", "table": "2", "row": "公有制单位·党政机关工作人员",
                             "column": "女", "page": "2"})
    assert not set(p.pk for p in second.context["object_list"]) & set(listed)
    assert "table=2&amp;row=" in second.content.decode()


def test_records_page_defaults_checks_the_cell_and_the_scope(client, stats_tree, engine):
    c = _client(client, stats_tree.branch_user)
    response = c.get(RECORDS, {"org": "S-A-1"})
    assert response.status_code == 200
    assert engine.calls[-1][3:] == (2, "总计", "总数")  # every member at the year's end
    assert c.get(RECORDS, {"org": "S-A-1", "table": "2", "row": "不存在", "column": "总数"}).status_code == 400
    assert c.get(RECORDS, {"org": "S-A-1", "table": "99"}).status_code == 400
    assert c.get(RECORDS, {"org": "S-A-1", "table": "1", "row": "发展党员", "column": "人数"}).status_code == 200
    assert engine.calls[-1][3:] == (1, "发展党员", "人数")
    assert c.get(RECORDS, {"org": "S", "table": "2"}).status_code == 404
    assert c.get(RECORDS, {"org": "O-1"}).status_code == 404


# --- the API ----------------------------------------------------------------------------------------------

def test_api_gives_the_report_json_with_the_checks(client, stats_tree, engine):
    c = _client(client, stats_tree.county_user)
    response = c.get(API, {"org": "S", "year": "2023"})
    assert response.status_code == 200
    body = response.json()
    assert body["年度"] == 2023 and body["截至日期"] == "2023-12-31" and body["组织代码"] == "S"
    assert body["党员数量变化情况"] == FIRST_TABLE
    assert set(body) == {"年度", "截至日期", "组织代码", "填报单位", "逻辑校验", *(t.title for t in TABLES)}
    assert body["失去联系党员情况"]["其他"]["居住地改变"] == figure(43, 9, 26)
    assert body["逻辑校验"][1]["ok"] is False
    assert c.get(API, {"org": "O", "year": "2023"}).status_code == 404
    bad = c.get(API, {"org": "S", "year": "abc"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "年度"
    assert c.get(API, {"year": "2023"}).json()["errors"][0]["column"] == "组织代码"
    client.logout()
    assert client.get(API, {"org": "S", "year": "2023"}).status_code == 403


def test_api_records_are_paginated_masked_and_scoped(client, stats_tree, engine):
    c = _client(client, stats_tree.county_user)
    response = c.get(API_RECORDS, {"org": "S", "year": "2023", "table": "3", "row": "总计", "column": "总数",
                                   "page_size": "4"})
    assert response.status_code == 200
    body = response.json()
    assert engine.calls[-1] == ("records", "S", 2023, 3, "总计", "总数")
    assert len(body["results"]) == 4 and body["next"] and body["count"] is None
    row = body["results"][0]
    person = Person.objects.get(pk=row["id"])
    assert row["name"] == person.name and row["id_number_masked"] == person.id_number_masked
    assert set(row) == {"id", "name", "sex", "sex_label", "birth_date", "id_number_masked", "admission_date",
                        "organization"}
    assert row["organization"]["code"].startswith("S")
    assert c.get(API_RECORDS, {"org": "S", "table": "3", "row": "无此行"}).status_code == 400
    assert c.get(API_RECORDS, {"org": "O"}).status_code == 404


def test_api_is_documented_in_the_schema(client, stats_tree):
    import json

    response = _client(client, stats_tree.county_user).get(reverse("api:schema"), {"format": "json"})
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/stats/annual/"]["get"]
    assert operation["summary"] == "党内统计年报"
    assert {p["name"] for p in operation["parameters"]} == {"org", "year"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"年度", "截至日期", "组织代码", "填报单位", "逻辑校验", *(t.title for t in TABLES)}
    assert set(body["properties"]["党员基本情况"]["properties"]) == {r.key for r in OCCUPATION_ROWS}
    records = schema["paths"]["/api/stats/annual/records/"]["get"]
    assert {"org", "year", "table", "row", "column", "page", "page_size"} <= {p["name"] for p in records["parameters"]}
