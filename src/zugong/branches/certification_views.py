"""书记持证上岗 pages (``branches.certification``), under ``/branches/certification/``:

- ``branches:certification`` (``?org=<组织代码>&on=YYYY-MM-DD``; default the user's top organization and
  today): the certified rate of the subtree, the secretaries without a valid certificate, the certificates
  expiring within 90 days, the vacant secretary posts and the latest training records (``party.view`` on
  the organization; outside the scope 404);
- ``branches:certification_xlsx`` (same parameters): the list as xlsx (``party.export``);
- ``branches:certification_person`` (``person/<pk>/``): a person's trainings, certificates and secretary
  posts (``party.view`` on the person);
- ``branches:training_create`` (``training/new/?org=``): 登记培训考试 (``party.add`` on the organization);
- ``branches:certificate_issue`` (``training/<pk>/certificate/``): 颁发证书 on a passed exam
  (``party.add`` on the training record's organization);
- ``branches:certificate_revoke`` / ``branches:certificate_renew`` (``certificates/<pk>/revoke|renew/``):
  撤销 / 换证 (``party.change`` on the certificate's organization).

Every write calls one service; bad input is a 400 listing every problem by field, out of scope a 404.
Reads go through the selectors of ``branches.certification``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.branches import certification as cert
from zugong.branches.certification_forms import CertificateForm, RevokeForm, TrainingForm
from zugong.core import generic
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import OutOfScope
from zugong.core.scoping import can
from zugong.orgs.selectors import requested_organization
from zugong.people.selectors import person_get
from zugong.reports.views import xlsx_answer

LIST_LIMIT = 200


def _params(request) -> tuple:
    """``(organization, on, error)`` from ``?org=`` and ``?on=``; 404 outside the scope, 403 without any
    ``party.view`` grant; a bad date falls back to today with an error message."""
    organization = requested_organization(request, what="书记持证上岗情况")
    text, error, on = request.GET.get("on", "").strip(), "", None
    if text:
        try:
            on, unknown = parse_date(text)
            if unknown:
                on, error = None, "统计日期应为完整日期（YYYY-MM-DD）"
        except DateParseError as exc:
            error = f"统计日期无效：{exc}"
    if on is None:
        on = timezone.localdate()
        if error:
            error += "；已按今天统计。"
    return organization, on, error


def _rows(rows, on: dt.date) -> list[dict]:
    return [{"org": r, "state": cert.row_state(r, on)} for r in rows[:LIST_LIMIT]]


class CertificationPage(generic.GenericView):
    """「书记持证上岗」 of a subtree on a date (``party.view``)."""

    url_name = "branches:certification"
    kind = "detail"
    model = "orgs.PartyOrganization"
    object_param = "org"
    template_name = "branches/certification.html"

    def get(self, request, *args, **kwargs):
        organization, on, error = _params(request)
        stats = cert.certified_rate(user=self.user, organization=organization, on=on)
        rows = cert.secretary_rows(user=self.user, organization=organization, on=on)
        f = cert.state_filters(on)
        query = {"org": organization.code, "on": on.isoformat()}
        trainings = list(cert.training_list(user=self.user).filter(organization__path__startswith=organization.path)[:30])
        context = {
            "organization": organization, "on": on, "error": error, "stats": stats,
            "uncertified": _rows(rows.filter(f["uncertified"]), on),
            "expiring": _rows(rows.filter(f["expiring"]).order_by("valid_until", "path"), on),
            "vacant": _rows(rows.filter(f["vacant"]), on),
            "trainings": trainings, "limit": LIST_LIMIT,
            "may_add": can(self.user, "party", "add", organization),
            "can_export": can(self.user, "party", "export", organization),
            "query": urlencode(query), "org_query": urlencode({"org": organization.code}),
        }
        return render(request, self.template_name, context, status=400 if error else 200)


class CertificationXlsx(generic.GenericView):
    """The 书记持证上岗 list as xlsx (``party.export`` on the organization; 403 otherwise)."""

    url_name = "branches:certification_xlsx"
    kind = "detail"
    action = "export"
    model = "orgs.PartyOrganization"
    object_param = "org"

    def get(self, request, *args, **kwargs):
        organization, on, error = _params(request)
        if error:
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        return xlsx_answer(request, lambda: cert.certification_xlsx(user=self.user, organization=organization, on=on))


class PersonCertification(generic.ObjectView):
    """A person's trainings, certificates and secretary posts (``party.view`` on the person)."""

    url_name = "branches:certification_person"
    model = "branches.SecretaryCertificate"
    object_model = "people.Person"
    get_selector = person_get
    not_found = "人员不存在或不在您的数据范围内"
    template_name = "branches/certification_person.html"
    context_object_name = "person"

    def get_extra_context(self, person) -> dict:
        history = cert.person_history(user=self.user, person_id=person.pk)
        return {**history, "today": timezone.localdate(),
                "may_change": {c.pk for c in history["certificates"]
                               if c.revoked_date is None and can(self.user, "party", "change", c.organization)},
                "may_issue": {t.pk for t in history["trainings"]
                              if t.passed and can(self.user, "party", "add", t.organization)}}


class TrainingCreate(generic.ObjectCreateView):
    """登记书记培训考试 (``party.add`` on the organization named in the form)."""

    url_name = "branches:training_create"
    model = "branches.TrainingRecord"
    form_class = TrainingForm
    template_name = "branches/certification_form.html"

    def _organization(self):
        code = (self.request.POST.get("organization") or self.request.GET.get("org") or "").strip()
        if not code:
            return None
        try:
            return cert.organization_in_scope(user=self.user, code=code, action="add")
        except OutOfScope:
            return None

    def get_initial(self, obj) -> dict:
        org = self._organization()
        return {"organization": org.code if org else "", "start_date": timezone.localdate()}

    def get_form_kwargs(self, obj) -> dict:
        org = self._organization()
        return {"members": cert.member_choices(user=self.user, organization=org, on=timezone.localdate()) if org else []}

    def perform(self, form, obj):
        return cert.training_record(user=self.user, **form.service_kwargs())

    def success_message(self, obj, record, form) -> str:
        return f"已登记「{record.person.name}」的培训考试记录。"

    def success_url(self, obj, record) -> str:
        return reverse("branches:certification_person", kwargs={"pk": record.person_id})

    def get_extra_context(self, obj, form, errors) -> dict:
        return {"title": "登记书记培训考试", "cancel": reverse("branches:certification")}


class CertificateIssue(generic.ObjectActionView):
    """颁发任职资格证书 on a passed exam (``party.add`` on the training record's organization)."""

    url_name = "branches:certificate_issue"
    model = "branches.SecretaryCertificate"
    object_model = "branches.TrainingRecord"
    action = "add"
    get_selector = cert.training_get
    not_found = cert.NOT_FOUND_TRAINING
    form_class = CertificateForm
    template_name = "branches/certification_form.html"
    context_object_name = "training"

    def get_initial(self, training) -> dict:
        return {"issued_date": timezone.localdate()}

    def get_notes(self, training) -> list[str]:
        return [] if training.passed else ["该培训考试未登记为合格，不能据此颁发证书。"]

    def perform(self, form, training):
        d = form.cleaned_data
        return cert.certificate_issue(user=self.user, person_id=training.person_id, organization=training.organization,
                                      training_id=training.pk, number=d["number"], issued_date=d["issued_date"],
                                      valid_until=d["valid_until"], issuer=d["issuer"], note=d["note"])

    def success_message(self, training, certificate, form) -> str:
        return f"已颁发党支部书记任职资格证书 {certificate.number}。"

    def success_url(self, training, certificate) -> str:
        return reverse("branches:certification_person", kwargs={"pk": training.person_id})

    def get_extra_context(self, training, form, errors) -> dict:
        return {"title": f"颁发任职资格证书：{training.person.name}",
                "intro": f"依据：{training.training_name}，考试日期 {training.exam_date or '—'}，成绩 {training.exam_score or '—'}",
                "cancel": reverse("branches:certification_person", kwargs={"pk": training.person_id})}


class CertificateRevoke(generic.ObjectActionView):
    """撤销任职资格证书 (``party.change`` on the certificate's organization)."""

    url_name = "branches:certificate_revoke"
    model = "branches.SecretaryCertificate"
    get_selector = cert.certificate_get
    not_found = cert.NOT_FOUND_CERTIFICATE
    form_class = RevokeForm
    template_name = "branches/certification_form.html"
    context_object_name = "certificate"

    def get_initial(self, certificate) -> dict:
        return {"version": certificate.version, "revoked_date": timezone.localdate()}

    def get_notes(self, certificate) -> list[str]:
        return [f"该证书已于 {certificate.revoked_date:%Y-%m-%d} 撤销。"] if certificate.revoked_date else []

    def perform(self, form, certificate):
        d = form.cleaned_data
        return cert.certificate_revoke(user=self.user, certificate_id=certificate.pk, revoked_date=d["revoked_date"],
                                       reason=d["reason"], expected_version=d["version"])

    def success_message(self, certificate, result, form) -> str:
        return f"已撤销证书 {certificate.number}。"

    def success_url(self, certificate, result) -> str:
        return reverse("branches:certification_person", kwargs={"pk": certificate.person_id})

    def get_extra_context(self, certificate, form, errors) -> dict:
        return {"title": f"撤销任职资格证书 {certificate.number}",
                "cancel": reverse("branches:certification_person", kwargs={"pk": certificate.person_id})}


class CertificateRenew(generic.ObjectActionView):
    """换发任职资格证书 (``party.change`` on the old certificate's organization)."""

    url_name = "branches:certificate_renew"
    model = "branches.SecretaryCertificate"
    get_selector = cert.certificate_get
    not_found = cert.NOT_FOUND_CERTIFICATE
    form_class = CertificateForm
    template_name = "branches/certification_form.html"
    context_object_name = "certificate"

    def get_initial(self, certificate) -> dict:
        return {"issued_date": timezone.localdate(), "issuer": certificate.issuer}

    def perform(self, form, certificate):
        d = form.cleaned_data
        return cert.certificate_renew(user=self.user, certificate_id=certificate.pk, number=d["number"],
                                      issued_date=d["issued_date"], valid_until=d["valid_until"], issuer=d["issuer"],
                                      note=d["note"])

    def success_message(self, certificate, new, form) -> str:
        return f"证书 {certificate.number} 已换发为 {new.number}。"

    def success_url(self, certificate, new) -> str:
        return reverse("branches:certification_person", kwargs={"pk": certificate.person_id})

    def get_extra_context(self, certificate, form, errors) -> dict:
        return {"title": f"换发任职资格证书 {certificate.number}",
                "intro": f"原证书有效期至 {certificate.valid_until:%Y-%m-%d}；须有原证书发证后的考试合格记录。",
                "cancel": reverse("branches:certification_person", kwargs={"pk": certificate.person_id})}
