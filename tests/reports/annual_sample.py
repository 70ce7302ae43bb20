"""Hand-made ``AnnualReport`` objects for the tests of the 年报's outputs (xlsx, page, API), independent of
the engine: every figure of every table is distinct and tells where it belongs —
``figure(table, row, column) = table.number * 10000 + row * 100 + column`` (row and column numbers 1-based,
as the form numbers them) — except 第十表's 厅局级 / 县处级 rows (``None``: no cadre ranks yet) and 第一表,
which has the special shape of the issue with figures that reconcile."""

from __future__ import annotations

import datetime as dt

from zugong.reports.annual import AnnualReport, Check, RecordRef
from zugong.reports.annual_layout import TABLE_1, TABLES

FIRST_TABLE = {
    "上年底总数": 100,
    "本年增加": {"合计": 12, "发展党员": 5, "重新入党": 1, "恢复党籍": 2, "停止党籍后恢复党籍": 1, "转入组织关系": 5,
             "整建制转入": 3},
    "本年减少": {"合计": 9, "出党": 2, "停止党籍": 1, "死亡": 3, "转出组织关系": 3, "整建制转出": 0},
    "本年底应有数": 103,
    "本年底实有数": 103,
    "实有数与应有数之差": 0,
}
NONE_ROWS = {10: ("厅局级", "县处级")}


def figure(table_number: int, row: int, column: int) -> int:
    return table_number * 10000 + row * 100 + column


def sample_tables() -> dict:
    tables = {TABLE_1.title: FIRST_TABLE}
    for table in TABLES:
        if table is TABLE_1:
            continue
        blank = NONE_ROWS.get(table.number, ())
        tables[table.title] = {
            row.key: {col.key: None if row.key in blank else figure(table.number, r, c)
                      for c, col in enumerate(table.columns, start=1)}
            for r, row in enumerate(table.rows, start=1)
        }
    return tables


def sample_checks(person=None) -> list[Check]:
    records = []
    if person is not None:
        records = [RecordRef(person_id=person.pk, name=person.name, organization="甲镇机关党支部",
                             reason="变动日期 2023-03-01 早于入党日期 2023-05-01")]
    return [
        Check(name="第一表本年底实有数 = 第二表总计总数", ok=True, expected=103, actual=103),
        Check(name="第十六表总数 = 第一表发展党员", ok=False, expected=5, actual=4, records=records),
    ]


def sample_report(organization, year: int = 2023, *, checks=None, tables=None) -> AnnualReport:
    return AnnualReport(organization=organization, year=year, as_of=dt.date(year, 12, 31),
                        tables=sample_tables() if tables is None else tables,
                        checks=sample_checks() if checks is None else checks)
