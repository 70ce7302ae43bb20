"""党员花名册 export: the download (a generic ``core.generic.ExportView``) and its options page.

Export: ``GET party:export_roster`` with ``org`` (组织代码; default: the user's whole export scope),
``as_of`` (YYYY-MM-DD, default today), ``unmask=1`` for plaintext ID/phone numbers, and any roster
filter of ``MemberFilterSet`` (the member list's 「导出Excel」 link carries its filters). Needs
``party.export`` (403 without; an organization outside the export scope is a 404), a recent password
re-entry (``require_recent_reauth``) and, for plaintext, a ``basic.unmask`` grant (403 without any);
rows whose person the user may not unmask stay masked (``party.exporters``). Audited by the exporter.
The import pages come from the registered import kind ``roster`` (``core.import_views``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zugong.accounts.decorators import require_recent_reauth
from zugong.core import generic
from zugong.core.errors import ValidationFailed
from zugong.core.scoping import can
from zugong.orgs.selectors import organization_by_ref
from zugong.party.exporters import export_roster

FILTER_PARAMS = ("name", "sex", "ethnicity", "category", "education", "age_min", "age_max", "occupation",
                 "front_line", "sort")
NOT_FOUND = "组织不存在或不在您的数据范围内"


def _as_of(request) -> dt.date:
    text = request.GET.get("as_of", "").strip()
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed([], message=f"截至日期「{text[:20]}」无效，应为 YYYY-MM-DD")


class RosterExport(generic.ExportView):
    """Download the roster .xlsx (see the module docstring)."""

    url_name = "party:export_roster"
    model = "party.Membership"
    label = "party"
    not_found = NOT_FOUND
    denied_message = "您没有导出党员信息的权限。"

    def export_kwargs(self) -> dict:
        organization = None
        ref = self.request.GET.get("org", "").strip()
        if ref:
            organization = organization_by_ref(user=self.user, ref=ref, action="export")
            if organization is None:
                raise Http404(NOT_FOUND)
        return {"organization": organization, "as_of": _as_of(self.request),
                "unmask": self.request.GET.get("unmask") == "1",
                "filters": {k: self.request.GET[k] for k in FILTER_PARAMS if self.request.GET.get(k, "").strip()}}

    def export(self, **kwargs) -> bytes:
        return export_roster(**kwargs)

    def filename(self, params: dict) -> str:
        organization = params["organization"]
        return f"党员花名册_{organization.code if organization else '全部'}_{params['as_of'].isoformat()}.xlsx"

    def render_problems(self, exc: ValidationFailed):
        return render(self.request, "imports/export_roster.html",
                      {"errors": [exc.message, *map(str, exc.errors)], "can_unmask": can(self.user, "basic", "unmask"),
                       "today": timezone.localdate()}, status=400)


export_roster_view = login_required(require_GET(require_recent_reauth(RosterExport.as_view())))


@login_required
@require_GET
def export_roster_form(request):
    """The export options page: organization code, as-of date, plaintext checkbox (when allowed)."""
    if not can(request.user, "party", "export"):
        raise PermissionDenied("您没有导出党员信息的权限。")
    return render(request, "imports/export_roster.html",
                  {"errors": [], "can_unmask": can(request.user, "basic", "unmask"), "today": timezone.localdate(),
                   "org": request.GET.get("org", "")[:50]})
