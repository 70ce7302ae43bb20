"""党组织届次 pages (``orgs.terms``): 登记换届 (``orgs:term_create``, on the organization: ``party.change``)
and 更正届次 (``orgs:term_edit``, on the term: ``party.change`` on its organization, optimistic ``version``).
The terms are listed on the organization page (tab 「换届」). Each write calls one service; bad input is a
400 listing every problem by field, a stale version a 409, anything outside the scope a 404."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from zugong.core import generic
from zugong.orgs import terms
from zugong.orgs.selectors import organization_ancestors, organization_get

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=_DATE)


class TermForm(forms.Form):
    """换届日期, 本届任期开始 (blank: the 换届日期), 届满日期 (blank: by the rule ``orgs.terms.TERM_RULE``)."""

    election_date = _date(terms.ELECTION, required=True, help_text="党员大会（代表大会）选举产生本届委员会或书记之日。")
    start_date = _date(terms.START, help_text="不填则为换届日期。")
    end_date = _date(terms.END, help_text="不填则按每届任期计算：村、社区党组织和党委5年，其他党总支、党支部3年。")


class TermEditForm(TermForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TermCreate(generic.ObjectActionView):
    """登记换届 of organization ``pk`` (``party.change``; else 404)."""

    url_name = "orgs:term_create"
    model = "orgs.OrganizationTerm"
    object_model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = "组织不存在或不在您的数据范围内"
    form_class = TermForm
    template_name = "orgs/form.html"
    context_object_name = "org"

    def get_initial(self, org) -> dict:
        return {}

    def get_notes(self, org) -> list[str]:
        if org.org_type not in terms.ELECTED_TYPES:
            return [f"「{org.name}」是{org.org_type_label}，不实行任期制，不登记届次。"]
        return []

    def perform(self, form, org):
        d = form.cleaned_data
        return terms.term_record(user=self.user, organization_id=org.pk, election_date=d["election_date"],
                                 start_date=d["start_date"], end_date=d["end_date"])

    def success_message(self, org, term, form) -> str:
        return f"已登记「{org.name}」的换届：本届任期 {term.start_date:%Y-%m-%d} 至 {term.end_date:%Y-%m-%d}。"

    def success_url(self, org, term) -> str:
        return reverse("orgs:detail", kwargs={"pk": org.pk}) + "#tab-terms"

    def get_extra_context(self, org, form, errors) -> dict:
        years = terms.default_years(org)
        return {"title": f"登记换届：{org.name}", "submit": "保存", "step": "登记换届",
                "ancestors": organization_ancestors(user=self.user, organization=org),
                "note": f"本组织每届任期 {years} 年（{terms.REGULATION}）。"}


class TermEdit(generic.ObjectEditView):
    """更正届次 (``party.change`` on the term's organization; stale version → 409)."""

    url_name = "orgs:term_edit"
    model = "orgs.OrganizationTerm"
    get_selector = terms.term_get
    not_found = "届次记录不存在或不在您的数据范围内"
    form_class = TermEditForm
    template_name = "orgs/form.html"
    context_object_name = "term"

    def get_initial(self, term) -> dict:
        return {"version": term.version, "election_date": term.election_date, "start_date": term.start_date,
                "end_date": term.end_date}

    def perform(self, form, term):
        d = form.cleaned_data
        return terms.term_update(user=self.user, term_id=term.pk, expected_version=d["version"],
                                 changes={k: d[k] for k in terms.TERM_FIELDS})

    def success_message(self, term, result, form) -> str:
        return "已更正届次。"

    def success_url(self, term, result) -> str:
        return reverse("orgs:detail", kwargs={"pk": term.organization_id}) + "#tab-terms"

    def get_extra_context(self, term, form, errors) -> dict:
        org = term.organization
        return {"org": org, "title": f"更正届次：{org.name}", "submit": "保存", "step": "更正届次",
                "ancestors": organization_ancestors(user=self.user, organization=org)}


term_create = TermCreate.as_view()
term_edit = TermEdit.as_view()
