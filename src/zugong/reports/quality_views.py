"""数据质量 pages: the report of an organization subtree (``reports:quality``) and its xlsx
(``reports:quality_xlsx``).

GET parameters as the 党内统计 pages (``reports.views._request_params``): ``org`` (组织代码; default the
user's top granted organization) and ``as_of`` (截至日期; default today, or the demo's date); plus
``check`` (a check code: show all its items, ``PER_PAGE`` a page, ``page``). Without ``check`` each check
shows its first ``PREVIEW`` items. An organization outside the user's scope (or unknown) is a 404; no
``party.view`` grant at all is a 403. Both call ``reports.quality`` (``quality_report``, ``quality_xlsx``).

``context["object_list"]``: the people listed on the page (``Person`` instances, for the generated
scope tests); ``context["report"]`` the whole ``QualityReport``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zugong.core.errors import OutOfScope
from zugong.core.scoping import can
from zugong.reports.quality import people_listed, quality_report, quality_xlsx
from zugong.reports.views import _picker_organizations, _request_params, xlsx_download

PREVIEW = 20
PER_PAGE = 200


@login_required
@require_GET
def quality(request):
    """数据质量 page: organization picker and 截至日期, a summary of every check with its count, then the
    items of each check (name, organization, detail), each linked to its record's page."""
    organization, as_of, error, note = _request_params(request)
    try:
        report = quality_report(user=request.user, organization=organization, as_of=as_of)
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    params = {"org": organization.code, "as_of": as_of.isoformat()}
    selected = report.check(request.GET.get("check", ""))
    sections = []
    for check in [selected] if selected else report.checks:
        if selected:
            page = Paginator(check.items, PER_PAGE).get_page(request.GET.get("page"))
            items, page_obj = list(page.object_list), page
        else:
            items, page_obj = check.items[:PREVIEW], None
        sections.append({"check": check, "items": items, "page": page_obj,
                         "more": check.count - len(items) if not selected else 0,
                         "all_query": urlencode({**params, "check": check.code})})
    context = {
        "organization": organization,
        "as_of": as_of,
        "as_of_note": note,
        "error": error,
        "report": report,
        "sections": sections,
        "selected": selected,
        "object_list": people_listed(user=request.user, items=[i for s in sections for i in s["items"]]),
        "organizations": _picker_organizations(request.user, organization),
        "query": urlencode(params),
        "export_query": urlencode(params),
        "can_export": can(request.user, "party", "export", organization),
    }
    return render(request, "reports/quality.html", context, status=400 if error else 200)


@login_required
@require_GET
def quality_export(request):
    """The report as xlsx (``reports.quality.quality_workbook``). Needs ``party.export`` on the
    organization (403 otherwise); audited as an ``export`` event."""
    return xlsx_download(request, quality_xlsx)
