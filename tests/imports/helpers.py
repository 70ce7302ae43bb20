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


# --- the column-mapping step of the web import (issue #9) ---------------------------------------------------

def mapping_form(client, mapping_url: str, *, action: str = "confirm", changes: dict[str, str] | None = None,
                 **extra) -> dict:
    """The POST data of the mapping page at ``mapping_url`` as the page shows it (each source column's
    detected field, the upload page's 试运行 / 校验码 choices), with ``changes`` (``{source header: key or ""}``)
    applied and ``action`` (``confirm`` | ``preview`` | ``save``)."""
    page = client.get(mapping_url)
    assert page.status_code == 200, (mapping_url, page.status_code)
    context = page.context
    data: dict[str, str] = {"action": action}
    for item in context["columns"]:
        c = item["col"]
        key = item["key"]
        if changes and c.header in changes:
            key = changes[c.header]
        data |= {f"text-{c.position}": c.match_text, f"col-{c.position}": key, f"letter-{c.position}": c.letter,
                 f"header-{c.position}": c.header}
    if context["dry_run"]:
        data["dry_run"] = "1"
    if context["accept_bad_checksum"]:
        data["accept_bad_checksum"] = "1"
    return data | {k: v for k, v in extra.items() if v is not None}


def confirm_mapping(client, response, *, changes: dict[str, str] | None = None, **extra):
    """After an upload POST: when it was answered with the mapping page's redirect, confirm the mapping as
    detected (or with ``changes``) and return the confirmation's response (a redirect to the job page);
    any other answer (a refusal, the form with errors, a JSON answer) is returned unchanged."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    if not location.rstrip("/").endswith("/mapping"):
        return response
    return client.post(location, mapping_form(client, location, changes=changes, **extra))


def upload_and_confirm(client, url: str, data: dict, *, changes: dict[str, str] | None = None, **post_kwargs):
    """POST ``data`` (with its ``file``) to the upload page ``url``, then confirm the column mapping
    (``confirm_mapping``): the shared path of every test that expects an upload to run its import."""
    return confirm_mapping(client, client.post(url, data, **post_kwargs), changes=changes)


def confirm_mapping_in_browser(page, *, dry_run: bool | None = None) -> None:
    """Playwright: after submitting the upload form, wait for the column-mapping page and confirm it as
    detected (optionally setting 试运行), then wait for the job page."""
    page.wait_for_url("**/import/jobs/*/mapping/")
    if dry_run is not None:
        page.set_checked("input[name=dry_run]", dry_run)
    page.click("button[name=action][value=confirm]")
    page.wait_for_url("**/import/jobs/*/")
