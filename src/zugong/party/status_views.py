"""党员状态 pages (流动党员, 失联党员, 出国（境）; ``party.statuses``) on the generic views (``core.generic``):

- ``party:member_statuses`` (``members/<pk>/statuses/``): a member's statuses — the section the person page
  loads (HTMX fragment, ``templates/people/_statuses.html``) and, without HTMX, a page of its own;
  ``party.view`` on the member (else 404);
- ``party:status_start`` (``members/<pk>/statuses/new/?kind=mobile|lost_contact|abroad``): 登记,
  ``party.change`` on the member;
- ``party:status_end`` (``statuses/<pk>/end/``): 结束, ``party.change`` on the status's organization.

Each write calls one service; bad input is a 400 listing every problem by field, a stale version a 409,
anything outside the scope a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zugong.core import generic
from zugong.core.scoping import can
from zugong.party import statuses
from zugong.party.choices import STATUS_KIND
from zugong.party.selectors import current_membership, party_member_get
from zugong.party.status_forms import StatusEndForm, StatusStartForm

NOT_FOUND = "党员不存在或不在您的数据范围内"


class MemberStatuses(generic.ObjectView):
    """A member's 党员状态 (``party.view``): the fragment of the person page, or a page of its own."""

    url_name = "party:member_statuses"
    model = "party.MemberStatus"
    object_model = "party.PartyMember"
    get_selector = party_member_get
    not_found = NOT_FOUND
    template_name = "party/statuses.html"
    fragment_template = "party/_statuses.html"
    context_object_name = "record"

    def get_extra_context(self, record) -> dict:
        rows = statuses.member_statuses_of(user=self.user, person_id=record.pk)
        current = current_membership(user=self.user, person_id=record.pk, action="change")
        return {"statuses": rows, "person": record.person, "may_start": current is not None,
                "kinds": STATUS_KIND.choices, "today": timezone.localdate(),
                "open_kinds": {s.kind for s in rows if s.end_date is None},
                "may_end": {s.pk for s in rows if s.end_date is None and can(self.user, "party", "change", s.organization)}}

    def get(self, request, *args, **kwargs):
        record = self.get_object()
        context = {"object": record, "record": record, **self.get_extra_context(record)}
        template = self.fragment_template if request.headers.get("HX-Request") else self.template_name
        return render(request, template, context)


class StatusStart(generic.ObjectActionView):
    """登记党员状态 (``party.change`` on the member); ``?kind=`` chooses the form (default 流动党员)."""

    url_name = "party:status_start"
    model = "party.MemberStatus"
    object_model = "party.PartyMember"
    get_selector = party_member_get
    not_found = NOT_FOUND
    form_class = StatusStartForm
    template_name = "party/status_form.html"
    context_object_name = "record"

    def status_kind(self) -> str:
        raw = self.request.POST.get("kind") or self.request.GET.get("kind") or "mobile"
        code = STATUS_KIND.parse(raw)
        if code is None:
            raise Http404("无此党员状态")
        return code

    def get_initial(self, record) -> dict:
        return {"start_date": timezone.localdate(), "kind": self.status_kind()}

    def get_form_kwargs(self, record) -> dict:
        return {"kind": self.status_kind()}

    def perform(self, form, record):
        return statuses.status_start(user=self.user, person_id=record.pk, **form.service_kwargs())

    def success_message(self, record, status, form) -> str:
        return f"已登记「{record.person.name}」为{STATUS_KIND.label(status.kind)}。"

    def success_url(self, record, status) -> str:
        return reverse("people:detail", kwargs={"pk": record.pk}) + "#tab-party"

    def get_extra_context(self, record, form, errors) -> dict:
        return {"person": record.person, "title": f"登记{STATUS_KIND.label(self.status_kind())}"}


class StatusEnd(generic.ObjectActionView):
    """结束党员状态 (``party.change`` on the status's organization)."""

    url_name = "party:status_end"
    model = "party.MemberStatus"
    get_selector = statuses.member_status_get
    not_found = "党员状态记录不存在或不在您的数据范围内"
    form_class = StatusEndForm
    template_name = "party/status_form.html"
    context_object_name = "status"

    def get_initial(self, status) -> dict:
        return {"version": status.version, "end_date": timezone.localdate()}

    def get_form_kwargs(self, status) -> dict:
        return {"kind": status.kind}

    def get_notes(self, status) -> list[str]:
        return [f"该记录已于 {status.end_date:%Y-%m-%d} 结束。"] if status.end_date else []

    def perform(self, form, status):
        d = form.cleaned_data
        return statuses.status_end(user=self.user, status_id=status.pk, end_date=d["end_date"],
                                   expected_version=d["version"])

    def success_message(self, status, result, form) -> str:
        return f"已结束「{status.person.name}」的{STATUS_KIND.label(status.kind)}记录。"

    def success_url(self, status, result) -> str:
        return reverse("people:detail", kwargs={"pk": status.person_id}) + "#tab-party"

    def get_extra_context(self, status, form, errors) -> dict:
        return {"person": status.person, "title": f"结束{STATUS_KIND.label(status.kind)}",
                "intro": f"{statuses.START_LABEL[status.kind]}：{status.start_date:%Y-%m-%d}"}


member_statuses = MemberStatuses.as_view()
status_start = StatusStart.as_view()
status_end = StatusEnd.as_view()
