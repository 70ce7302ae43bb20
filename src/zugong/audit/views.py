"""Audit log pages for the audit administrator (审计管理员): the filtered list and its CSV/xlsx export.

Events about people are shown pseudonymised (``audit.presentation``: 人员#<pseudonym> with a link to the
record for business users with scope, summaries rebuilt without names, changed values hidden); the
acting user stays visible (PIPL Art. 51).

Every read is itself audited (``audit_read`` with the filter and page; ``audit_export`` with the format,
row count and filter). Exports need a password re-entry within 5 minutes. Cells are written as text with
control characters removed and formula-leading characters neutralised (CSV/Excel injection).
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zugong.accounts.decorators import admin_required, require_recent_reauth
from zugong.audit.choices import EVENT_KINDS
from zugong.audit.presentation import present
from zugong.audit.selectors import audit_events
from zugong.audit.services import record_event

EXPORT_MAX_ROWS = 200_000
HEADERS = ["序号", "时间", "操作人", "IP地址", "请求ID", "事件类型", "对象类型", "对象", "摘要", "详情", "链摘要",
           "业务记录链接", "对象类型代码"]


@admin_required("audit")
def event_list(request):
    qs, filters = audit_events(request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    record_event("audit_read", user=request.user, object_type="audit_event", summary="查阅审计日志",
                 data={"filters": filters, "page": page.number})
    rows = list(present(page.object_list))
    return render(request, "audit/event_list.html", {"page": page, "rows": rows, "filters": filters,
                                                     "kinds": EVENT_KINDS.items(), "params": request.GET})


def safe_cell(value) -> str:
    """Text for a CSV/xlsx cell: control characters (CR, LF …) become spaces, and a leading ``= + - @``
    is prefixed with ``'`` so spreadsheet programs do not run it as a formula."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value if value is not None else ""))
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


def _row(view) -> list[str]:
    event = view.event
    local = timezone.localtime(event.created_at)
    return [safe_cell(v) for v in (
        event.pk, local.strftime("%Y-%m-%d %H:%M:%S"), event.actor_username, event.ip_address, event.request_id,
        view.kind_label, view.type_label, view.object_text, view.summary, view.detail, event.chain_hash,
        view.object_link, event.object_type)]


@admin_required("audit")
@require_recent_reauth
def event_export(request):
    """``?format=csv`` (UTF-8 with BOM, opens in Excel) or ``?format=xlsx`` of the filtered events."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    qs, filters = audit_events(request.GET)
    count = qs.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(request, f"符合条件的记录有 {count} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请缩小时间范围。")
        return redirect("audit:event_list")
    record_event("audit_export", user=request.user, object_type="audit_event", summary=f"导出审计日志 {count} 条（{fmt}）",
                 data={"format": fmt, "rows": count, "filters": filters})
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for view in present(qs.iterator(chunk_size=2000)):
            writer.writerow(_row(view))
        response = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("审计日志")
        ws.append(HEADERS)
        for view in present(qs.iterator(chunk_size=2000)):
            ws.append(_row(view))
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
