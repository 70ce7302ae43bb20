"""Downloads of one cadre's 干部任免审批表: ``cadres:form_lrmx`` (``.lrmx``, for the official editor and other
units) and ``cadres:form_docx`` (Word, for printing). Both need ``cadre.export`` on the cadre's unit (a cadre
outside that scope is 404); the ID number is in clear only for users who may unmask it. Each download is
audited (``exports.export_form``). Buttons on the cadre page: ``hooks.register``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from zugong.cadres.lrmx import exports
from zugong.core import generic
from zugong.core.downloads import mark_download
from zugong.core.errors import OutOfScope, PermissionDeniedError

NOT_FOUND = "干部不存在或不在您的导出权限范围内"


def cadre_get(*, user, pk, action: str = "export"):
    """The cadre ``pk`` in ``user``'s ``cadre.<action>`` scope, else ``None``."""
    from zugong.cadres.selectors import cadres_in_scope

    return cadres_in_scope(user, action).filter(pk=pk).first()


class _FormDownload(generic.ObjectMixin, generic.GenericView):
    """GET → the file of ``fmt`` for the cadre named by the URL (kind ``detail`` with action ``export``, like
    the other per-record documents, so the generated scope tests check it: foreign → 404)."""

    kind = "detail"
    model = "cadres.Cadre"
    action = "export"
    object_arg = "pk"
    label = "cadre"
    not_found = NOT_FOUND
    get_selector = cadre_get
    fmt = "lrmx"

    def get(self, request, *args, **kwargs):
        cadre = self.get_object()
        try:
            result = exports.export_form(user=self.user, cadre=cadre, fmt=self.fmt)
        except OutOfScope:
            raise Http404(self.not_found) from None
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = content_disposition_header(True, result.filename)
        return mark_download(request, response)


class FormLrmx(_FormDownload):
    """导出任免审批表（.lrmx）."""

    url_name = "cadres:form_lrmx"
    fmt = "lrmx"


class FormDocx(_FormDownload):
    """打印任免审批表（Word .docx）."""

    url_name = "cadres:form_docx"
    fmt = "docx"


form_lrmx = FormLrmx.as_view()
form_docx = FormDocx.as_view()
