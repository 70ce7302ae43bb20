"""Member record pages: 新增党员 and, from the person page, the membership actions 转接 (调整到其他支部),
转正 and 结束组织关系 — generic form pages (``core.generic``): each calls one service (``party.services``);
an object or organization outside the scope is a 404, a stale version a 409 naming who changed what, bad
input a 400 listing every problem by field (the shared validators' messages)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zugong.core import generic
from zugong.core.scoping import can
from zugong.orgs.selectors import organization_by_code
from zugong.party import services
from zugong.party.choices import EVENT_KIND, INCREASE_KINDS
from zugong.party.forms import (
    PAGE_EVENT_KINDS,
    EndForm,
    EventForm,
    EventRevokeForm,
    FullMembershipForm,
    MemberCreateForm,
    TransferForm,
    organization_choices,
)
from zugong.party.occupations import occupation_initial
from zugong.party.selectors import current_membership, member_events, membership_event_get, party_member_get
from zugong.people.models import Person
from zugong.people.selectors import person_get

NOT_FOUND = "人员不存在或不在您的数据范围内"
ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内"


class MemberCreate(generic.ObjectCreateView):
    """新增党员 (``basic.add`` and ``party.add`` on the organization). ``?org=<code>`` preselects an
    organization (from the roster or an organization page); one out of scope is a 404."""

    url_name = "party:member_create"
    model = "party.PartyMember"
    form_class = MemberCreateForm
    template_name = "party/member_create.html"
    not_found = ORG_NOT_FOUND

    def get_form_kwargs(self, obj) -> dict:
        return {"organizations": self.organizations}

    def get_initial(self, obj) -> dict:
        code = self.request.GET.get("org", "").strip()
        if not code:
            return {}
        org = organization_by_code(user=self.user, code=code, action="add")
        if org is None or org.pk not in {pk for pk, _ in self.organizations}:
            raise Http404(ORG_NOT_FOUND)
        return {"organization": org.pk}

    def precheck(self, obj):
        self.organizations = organization_choices(self.user, labels=("basic", "party"), action="add")
        if not self.organizations:
            raise Http404("您没有新增党员的权限")
        return None

    def perform(self, form, obj):
        return services.member_create(user=self.user, **form.service_kwargs())

    def success_message(self, obj, person, form) -> str:
        return f"已新增党员「{person.name}」。"

    def success_url(self, obj, person) -> str:
        return reverse("people:detail", kwargs={"pk": person.pk})


class _MembershipAction(generic.ObjectActionView):
    """A membership action from the person page (URL ``pk`` = the person): the person (``basic.view``)
    and the record the action changes (``party.change``), else 404; back to the person page after."""

    model = "party.Membership"
    object_model = "party.PartyMember"  # the party record, whose primary key is the person's
    get_selector = person_get
    not_found = NOT_FOUND
    template_name = "party/membership_action.html"
    context_object_name = "person"
    title = ""

    def get_object(self):
        person = person_get(user=self.user, pk=self.object_pk(), action="view")
        self.record = self.get_record(person) if person is not None else None
        if person is None or self.record is None:
            raise Http404(NOT_FOUND)
        return person

    def get_record(self, person):
        return current_membership(user=self.user, person_id=person.pk, action="change")

    def get_initial(self, person) -> dict:
        return {"version": self.record.version}

    def conflict_object(self, person, result=None):
        return type(self.record), self.record.pk

    def success_url(self, person, result) -> str:
        return reverse("people:detail", kwargs={"pk": person.pk})

    def intro(self) -> str:
        return f"现所在党组织：{self.record.organization.name}（自 {self.record.start_date:%Y-%m-%d}）"

    def get_extra_context(self, person, form, errors) -> dict:
        return {"title": self.title, "intro": self.intro()}


class MembershipTransfer(_MembershipAction):
    """转入/调整到其他支部: ``party.change`` on the member's organization and on the target (a plain
    select of the in-scope organizations holding members)."""

    url_name = "party:membership_transfer"
    form_class = TransferForm
    title = "组织关系转接（调整到其他党组织）"

    def get_initial(self, person) -> dict:
        return {"version": self.record.version, "date": timezone.localdate(), **occupation_initial(self.record)}

    def get_form_kwargs(self, person) -> dict:
        return {"organizations": [(o, label) for o, label in
                                  organization_choices(self.user, labels=("party",), action="change")
                                  if o != self.record.organization_id]}

    def perform(self, form, person):
        d = form.cleaned_data
        return services.membership_transfer(
            user=self.user, person_id=person.pk, to_organization_id=d["to_organization"], date=d["date"],
            expected_version=d["version"], occupation=form.occupation_value())

    def success_message(self, person, result, form) -> str:
        return f"已办理「{person.name}」的组织关系转接。"


class MembershipFull(_MembershipAction):
    """转正 (``party.change`` on the member)."""

    url_name = "party:membership_full"
    model = "party.PartyMember"
    form_class = FullMembershipForm
    title = "转为正式党员"

    def get_record(self, person):
        return party_member_get(user=self.user, pk=person.pk, action="change")

    def perform(self, form, person):
        d = form.cleaned_data
        return services.membership_change_category(user=self.user, person_id=person.pk,
                                                   full_membership_date=d["full_membership_date"],
                                                   expected_version=d["version"])

    def success_message(self, person, result, form) -> str:
        return f"「{person.name}」已转为正式党员。"

    def intro(self) -> str:
        return f"入党日期：{self.record.admission_date:%Y-%m-%d}"


class MembershipEnd(_MembershipAction):
    """结束组织关系 (``party.change`` on the member's organization)."""

    url_name = "party:membership_end"
    form_class = EndForm
    title = "结束组织关系"

    def perform(self, form, person):
        d = form.cleaned_data
        return services.membership_end(user=self.user, person_id=person.pk, end_date=d["end_date"],
                                       reason=d["reason"], expected_version=d["version"])

    def success_message(self, person, result, form) -> str:
        return f"已结束「{person.name}」的组织关系。"


class EventCreate(generic.ObjectActionView):
    """登记党员变动 from the person page (URL ``pk`` = the person, ``kind`` = an ``EVENT_KIND`` code of
    ``PAGE_EVENT_KINDS``: 发展党员, 恢复党籍, 出党, 停止党籍, 死亡, 转正 — the form shows that kind's fields;
    without ``kind`` a 变动类型 select and every field). The person must be visible (``basic.view``), else
    404; the service (``party.services.event_record``) checks the rest — ``party.change`` on the member's
    organization for a decrease or a 转正 decision, ``party.add`` on the receiving organization for an
    increase (404 otherwise) — and its guards (400 with every problem by field and article); a stale
    ``version`` (the person's) is a 409 naming who changed what. Back to the person page after."""

    url_name = "party:event_create"
    model = "party.MembershipEvent"
    object_model = "people.Person"
    get_selector = person_get
    not_found = NOT_FOUND
    form_class = EventForm
    template_name = "party/event_form.html"
    context_object_name = "person"

    def get_object(self):
        kind = self.kwargs.get("kind")
        if kind is not None and kind not in PAGE_EVENT_KINDS:
            raise Http404("没有这种党员变动")
        self.event_kind = kind
        person = person_get(user=self.user, pk=self.object_pk(), action="view")
        if person is None:
            raise Http404(NOT_FOUND)
        return person

    def get_form_kwargs(self, person) -> dict:
        organizations = []
        if self.event_kind in (None, *INCREASE_KINDS):
            organizations = organization_choices(self.user, labels=("party",), action="add")
        return {"kind": self.event_kind, "organizations": organizations}

    def get_initial(self, person) -> dict:
        return {"version": person.version, "kind": self.event_kind or "", "date": timezone.localdate()}

    def perform(self, form, person):
        return services.event_record(user=self.user, person_id=person.pk, **form.service_kwargs())

    def success_message(self, person, event, form) -> str:
        return f"已登记「{person.name}」{event.date:%Y-%m-%d}的{EVENT_KIND.label(event.kind)}。"

    def success_url(self, person, event) -> str:
        return reverse("people:detail", kwargs={"pk": person.pk}) + "#tab-party"

    def get_extra_context(self, person, form, errors) -> dict:
        title = f"登记{EVENT_KIND.label(self.event_kind)}" if self.event_kind else "登记党员变动"
        events = member_events(user=self.user, person_id=person.pk)
        return {"title": title, "events": events[-5:], "kind": self.event_kind}


class EventRevoke(generic.ObjectActionView):
    """撤销党员变动 from the person page (URL ``pk`` = the person, ``event_id`` = the event): the person's
    latest event entered by mistake is undone (``party.services.event_revoke``). The event must be the
    person's and in the user's ``party.change`` scope (its organization), else 404; the service refuses
    (400, the reason on the field) an event that is not the latest, one from a 组织关系转接, a 发展党员,
    periods that do not match, or a missing 撤销原因; a stale ``version`` (the person's) is a 409 naming who
    changed what. Back to the person page after."""

    url_name = "party:event_revoke"
    model = "party.MembershipEvent"
    object_arg = "event_id"
    get_selector = membership_event_get
    not_found = "党员变动不存在或不在您的数据范围内"
    form_class = EventRevokeForm
    template_name = "party/event_revoke.html"
    context_object_name = "event"

    def get_object(self):
        event = membership_event_get(user=self.user, pk=self.object_pk(), action="change")
        if event is None or event.person_id != self.kwargs.get("pk"):
            raise Http404(self.not_found)
        self.person = person_get(user=self.user, pk=event.person_id, action="view")
        if self.person is None:
            raise Http404(self.not_found)
        return event

    def get_initial(self, event) -> dict:
        return {"version": self.person.version}

    def conflict_object(self, event, result=None):
        return Person, self.person.pk

    def perform(self, form, event):
        d = form.cleaned_data
        return services.event_revoke(user=self.user, event_id=event.pk, expected_version=d["version"],
                                     reason=d["reason"])

    def success_message(self, event, result, form) -> str:
        return f"已撤销「{self.person.name}」{result.date:%Y-%m-%d}的{EVENT_KIND.label(result.kind)}。"

    def success_url(self, event, result) -> str:
        return reverse("people:detail", kwargs={"pk": self.person.pk}) + "#tab-party"

    def get_extra_context(self, event, form, errors) -> dict:
        return {"person": self.person, "title": "撤销党员变动", "events": [event]}


member_create = MemberCreate.as_view()
event_create = EventCreate.as_view()
event_revoke = EventRevoke.as_view()
membership_transfer = MembershipTransfer.as_view()
membership_full = MembershipFull.as_view()
membership_end = MembershipEnd.as_view()


def member_actions(user, person: Person, profile) -> dict[str, bool]:
    """Which membership actions the person page offers ``user`` (no query: ``can`` reads the cached
    grants): 转接 and 结束 need an open membership in ``party.change`` scope, 转正 a probationary record.
    The 党员变动 (``party:event_create``): 出党, 停止党籍, 死亡 for an open membership in ``party.change``
    scope, 转正情况 (延长预备期 …) for a probationary one; 发展党员 (or 重新入党) and 恢复党籍 for a visible
    person without an open membership when ``user`` may add members somewhere (the service checks the
    receiving organization and every rule)."""
    current = profile.current.membership if profile and profile.current else None
    open_now = current is not None and current.end_date is None
    may_change = open_now and can(user, "party", "change", current.organization)
    may_add = not open_now and can(user, "party", "add")
    has_left = profile is not None and any(p.membership.end_date is not None for p in profile.periods)
    probationary = profile is not None and profile.record.full_membership_date is None
    return {"transfer": may_change, "end": may_change, "full": may_change and probationary,
            "exit": may_change, "suspension": may_change, "death": may_change,
            "full_membership": may_change and probationary,
            "admission": may_add, "reinstatement": may_add and has_left}

