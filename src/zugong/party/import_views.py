"""党员花名册 import pages (generic views in ``core.import_views``) and the roster export download.

Export: ``GET party:export_roster`` with ``org`` (组织代码; default: the user's whole export scope),
``as_of`` (YYYY-MM-DD, default today), ``unmask=1`` for plaintext ID/phone numbers, and any roster
filter of ``MemberFilterSet`` (the member list's 「导出Excel」 link carries its filters). Needs
``party.export`` (403 without; an organization outside the export scope is a 404), a recent password
re-entry (``require_recent_reauth``) and, for plaintext, a ``basic.unmask`` grant (403 without any);
rows whose person the user may not unmask stay masked (``party.exporters``).
Audited by the exporter.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from zugong.accounts.decorators import require_recent_reauth
from zugong.core import import_views as generic
from zugong.core.downloads import mark_download
from zugong.core.errors import OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.core.scoping import can
from zugong.orgs.selectors import organization_by_ref
from zugong.party.exporters import export_roster, roster_template
from zugong.party.importers import ROSTER_COLUMNS, import_roster

PAGE = generic.ImportPage(
    kind="roster", title="党员花名册", runner=import_roster, columns=ROSTER_COLUMNS, namespace="party",
    url_prefix="import_roster", template=roster_template, done_url_name="party:member_list", done_label="查看党员名册",
    offers_bad_checksum=True,
    help_lines=(
        "公民身份号码已登记的人员按文件内容更新；所在党组织改变的，原组织关系于今天转出，并于今天转入新组织。",
        "同一文件重复导入不会产生重复数据。脱敏导出的文件（身份证号含 *）不能用于导入。",
        "所在党组织必须在您的导入权限范围内。",
        "已在您管理范围以外登记的公民身份号码，每人每天只提示有限个数（每次记入审计日志）；超过后当天暂停处理您范围内没有的号码（含新增人员）。",
    ),
)

import_form = generic.import_form(PAGE)
import_template = generic.template_download(PAGE)
import_job = generic.job_detail(PAGE)
import_job_status = generic.job_status(PAGE)
import_job_errors = generic.job_errors(PAGE)

FILTER_PARAMS = ("name", "sex", "ethnicity", "category", "education", "age_min", "age_max", "occupation",
                 "front_line", "sort")


def _as_of(request) -> dt.date:
    text = request.GET.get("as_of", "").strip()
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed([], message=f"截至日期「{text[:20]}」无效，应为 YYYY-MM-DD")


@login_required
@require_GET
@require_recent_reauth
def export_roster_view(request):
    """Download the roster .xlsx (see the module docstring)."""
    user = request.user
    if not can(user, "party", "export"):
        raise PermissionDenied("您没有导出党员信息的权限。")
    organization = None
    ref = request.GET.get("org", "").strip()
    if ref:
        organization = organization_by_ref(user=user, ref=ref, action="export")
        if organization is None:
            raise Http404("组织不存在或不在您的数据范围内")
    filters = {k: request.GET[k] for k in FILTER_PARAMS if request.GET.get(k, "").strip()}
    try:
        as_of = _as_of(request)
        data = export_roster(user=user, organization=organization, as_of=as_of,
                             unmask=request.GET.get("unmask") == "1", filters=filters)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message)
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    except ValidationFailed as exc:
        return render(request, "imports/export_roster.html",
                      {"errors": [exc.message, *map(str, exc.errors)], "can_unmask": can(user, "basic", "unmask"),
                       "today": timezone.localdate()}, status=400)
    response = HttpResponse(data, content_type=generic.XLSX_TYPE)
    name = f"党员花名册_{organization.code if organization else '全部'}_{as_of.isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return mark_download(request, response)


@login_required
@require_GET
def export_roster_form(request):
    """The export options page: organization code, as-of date, plaintext checkbox (when allowed)."""
    if not can(request.user, "party", "export"):
        raise PermissionDenied("您没有导出党员信息的权限。")
    return render(request, "imports/export_roster.html",
                  {"errors": [], "can_unmask": can(request.user, "basic", "unmask"), "today": timezone.localdate(),
                   "org": request.GET.get("org", "")[:50]})
