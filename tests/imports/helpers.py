"""Helpers for import tests: build .xlsx/.csv files in memory the way users' files look."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from tests.factories import make_id

ROSTER_HEADERS = ["姓名*", "性别", "民族", "公民身份号码*", "出生日期", "学历", "入党日期*", "转正日期", "人员类别*",
                  "工作岗位", "所在党组织*", "参加工作日期", "手机号码", "生产工作一线"]
"""The 党员花名册 template's headers (issue #9: only 姓名, 公民身份号码, 入党日期, 人员类别, 所在党组织 required)."""
ORG_HEADERS = ["组织代码*", "组织名称*", "上级组织代码", "组织类别*", "单位属性", "成立日期"]


def xlsx(rows: list[list[object]], *, title_rows: list[list[object]] = (), sheet: str = "Sheet1") -> bytes:
    """An .xlsx whose first sheet holds ``title_rows`` then ``rows`` (cell types kept: a float stays a
    number cell, a date a date cell)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in [*title_rows, *rows]:
        ws.append(list(r))
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula (typed as '=…), not a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def member_row(org_code: str = "C-A-1", *, name: str = "赵敏", sex: str = "女", birth=dt.date(1992, 4, 5),
               id_number: str | None = None, ethnicity: str = "汉族", education: str = "大学本科",
               admission=dt.date(2016, 6, 28), full=dt.date(2017, 6, 28), category: str = "正式党员",
               occupation: str = "党政机关工作人员", work_start=dt.date(2014, 7, 1), phone: str = "13800138000",
               front_line: str = "否") -> list[object]:
    """One valid roster row (dates as ISO text, like most files)."""
    sex_code = "2" if sex == "女" else "1"
    number = id_number if id_number is not None else make_id(birth, sex_code)
    return [name, sex, ethnicity, number, birth.isoformat(), education, admission.isoformat(),
            full.isoformat() if full else "", category, occupation, org_code,
            work_start.isoformat() if work_start else "", phone, front_line]
