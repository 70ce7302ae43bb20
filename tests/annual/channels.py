"""How the story reaches Zugong: a page's form (Django test client: GET the page, keep what the form
carries — hidden ``version`` and the initial values —, fill the story's values, POST), an API call, an
.xlsx file. Each helper fails loudly, naming the URL and the answer, when the input is not accepted."""

from __future__ import annotations

import datetime as dt
import io
import json

from openpyxl import Workbook


def xlsx_bytes(rows: list[list]) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (text cells for ID numbers: they are strings here)."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _field_name(form, key: str) -> str:
    """The form's field for the story's ``key`` (``to_organization`` ↔ ``to_organization_id``)."""
    if form is None or key in form.fields:
        return key
    for other in (f"{key}_id", key.removesuffix("_id")):
        if other in form.fields:
            return other
    raise AssertionError(f"表单没有字段「{key}」；表单字段：{sorted(form.fields)}")


def form_errors(response) -> str:
    """The errors a re-rendered page shows (form errors and the page's error list), for assertion messages."""
    context = getattr(response, "context", None)
    parts = []
    if context is not None:
        form = context.get("form")
        if form is not None and form.errors:
            parts.append(json.dumps(form.errors.get_json_data(), ensure_ascii=False))
        for key in ("errors", "problems"):
            if context.get(key):
                parts.append(str(context.get(key)))
    if not parts:
        parts.append(response.content.decode(errors="replace")[:2000])
    return "；".join(parts)


def form_data(client, url: str, values: dict) -> dict:
    """The POST data of the form at ``url``: its bound initial values with ``values`` applied."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} → {page.status_code}: {page.content[:300]!r}"
    form = page.context.get("form") if page.context is not None else None
    data: dict[str, str] = {}
    if form is not None:
        for bound in form:
            value = bound.value()
            text = _text(value) if not isinstance(value, (list, tuple)) else None
            if text is not None and text != "":
                data[bound.html_name] = text
    for key, value in values.items():
        name = _field_name(form, key)
        text = _text(value)
        if text is None:
            data.pop(name, None)
        else:
            data[name] = text
    return data


def form_submit(client, url: str, values: dict, *, expect: int = 302):
    """Submit the form at ``url`` with ``values``; asserts the answer's status (a redirect on success)."""
    response = client.post(url, form_data(client, url, values))
    assert response.status_code == expect, f"POST {url} → {response.status_code}: {form_errors(response)}"
    return response


def api_post(client, url: str, body: dict, *, expect: tuple[int, ...] = (200, 201)):
    """``POST url`` with a JSON ``body``; asserts the status is one of ``expect``; returns the response."""
    response = client.post(url, json.dumps(body, default=str), content_type="application/json")
    assert response.status_code in expect, (
        f"POST {url} → {response.status_code}: {response.content[:1500].decode(errors='replace')}")
    return response
