"""The appointment-form exports of one cadre: ``.lrmx`` (``write_lrmx``) and Word (``render_docx``), used by
the views ``cadres:form_lrmx`` / ``cadres:form_docx`` and the CLI ``zugong export lrmx``.

Scope: the cadre must be in the user's ``cadre.export`` scope (``cadres.selectors.get_cadre`` with action
``export``; otherwise ``OutOfScope`` — the record does not exist for the user). The ID number is in clear
only for users who may unmask it (``mapping.id_number_in_clear``), else masked. Audited: one ``export``
event per file (format, cadre, whether the ID number was in clear)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.errors import OutOfScope

LRMX_TYPE = "application/xml; charset=utf-8"
FORMATS = ("lrmx", "docx")


@dataclass(frozen=True)
class FormFile:
    """One exported form: the bytes, the download name, the content type, and whether the ID number is
    written in clear."""

    content: bytes
    filename: str
    content_type: str
    plaintext: bool


def cadre_for_export(*, user, pk: int):
    """The cadre ``pk`` in ``user``'s ``cadre.export`` scope; ``OutOfScope`` otherwise."""
    from zugong.cadres.selectors import get_cadre

    try:
        return get_cadre(user, pk, "export")
    except Http404:
        raise OutOfScope("干部不存在或不在您的导出权限范围内。") from None


def cadre_by_id_number(*, user, number: str):
    """The cadre whose person has ID number ``number`` (normalised: full-width digits, lower-case x), in
    ``user``'s ``cadre.export`` scope; ``OutOfScope`` when there is none (unknown and out-of-scope are not
    told apart)."""
    from zugong.cadres.selectors import cadres_in_scope
    from zugong.core import idnumber
    from zugong.people.models import Person

    cadre = cadres_in_scope(user, "export").filter(
        person__id_number_hash=Person.hash_id_number(idnumber.normalize(number))).first()
    if cadre is None:
        raise OutOfScope("该身份证号的干部不存在或不在您的导出权限范围内。")
    return cadre


def export_form(*, user, cadre, fmt: str = "lrmx", as_of: dt.date | None = None) -> FormFile:
    """The appointment form of ``cadre`` (already read through ``cadre_for_export`` /
    ``cadre_by_id_number``) as ``fmt`` (``lrmx`` or ``docx``), 现任职务 as of ``as_of`` (default today).
    Records an ``export`` audit event."""
    from zugong.cadres.lrmx.docx import DOCX_TYPE, render_docx
    from zugong.cadres.lrmx.mapping import form_from_cadre, id_number_in_clear
    from zugong.cadres.lrmx.writer import write_lrmx

    if fmt not in FORMATS:
        raise ValueError(fmt)
    as_of = as_of or timezone.localdate()
    plaintext = id_number_in_clear(user, cadre)
    form = form_from_cadre(cadre, as_of=as_of, user=user)
    if fmt == "lrmx":
        content, content_type = write_lrmx(form), LRMX_TYPE
        filename = f"干部任免审批表_{cadre.person.name}.lrmx"
    else:
        content, content_type = render_docx(form, today=as_of), DOCX_TYPE
        filename = f"干部任免审批表_{cadre.person.name}.docx"
    record_event("export", user=user, object_type="cadres.cadre", object_id=cadre.pk,
                 summary=f"导出干部 #{cadre.pk} 的干部任免审批表（{fmt}，{'明文' if plaintext else '掩码'}身份证号码）",
                 data={"report": "appointment_form", "format": fmt, "cadre": cadre.pk, "as_of": as_of,
                       "plaintext": plaintext})
    return FormFile(content, filename, content_type, plaintext)
