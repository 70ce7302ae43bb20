"""Person pages on the generic views (``core.generic``): the detail page (tabs 基本信息 / 党员信息 / 历史)
and the edit page (人员信息修改, optimistic locking). Reads go through ``people.selectors`` (scoped): a
person outside the user's scope is a 404. The plaintext ("查看明文") action lives in ``sensitive_views``
(a special HTMX fragment behind re-authentication); its button is included from ``people/_unmask.html``
when present."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from zugong.core import generic
from zugong.core.dates import age_on
from zugong.party.member_views import member_actions
from zugong.party.selectors import member_events, revocable_event
from zugong.people.forms import PersonEditForm
from zugong.people.selectors import person_get, person_history, person_may_unmask, person_party_profile
from zugong.people.services import person_update

UNMASK_TEMPLATE = "people/_unmask.html"
NOT_FOUND = "人员不存在或不在您的数据范围内"


def _optional_template(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


class PersonDetail(generic.ObjectView):
    """人员详情: masked ID number and phone; party data only with ``party.view`` on the person."""

    url_name = "people:detail"
    model = "people.Person"
    get_selector = person_get
    not_found = NOT_FOUND
    template_name = "people/detail.html"
    context_object_name = "person"
    tabs = (generic.Tab("basic", "基本信息"), generic.Tab("party", "党员信息"), generic.Tab("history", "历史"))

    def get_extra_context(self, person) -> dict:
        today = timezone.localdate()
        profile = person_party_profile(user=self.user, person=person, as_of=today)
        events = member_events(user=self.user, person_id=person.pk)
        return {
            "age": age_on(person.birth_date, today),
            "today": today,
            "profile": profile,
            "history": person_history(person=person, profile=profile, events=events),
            "events": events,
            "revocable": revocable_event(user=self.user, events=events),
            "unmask_template": _optional_template(UNMASK_TEMPLATE),
            "member_actions": member_actions(self.user, person, profile),
        }


class PersonEdit(generic.ObjectEditView):
    """Edit a person (``basic.change``) through ``people.services.person_update``. Stale version → 409
    with「该记录已被他人修改」and who changed which fields; a new ID number without ``basic.unmask`` → 403
    with the reason on the field."""

    url_name = "people:edit"
    model = "people.Person"
    get_selector = person_get
    not_found = NOT_FOUND
    template_name = "people/edit.html"
    context_object_name = "person"

    def get_form(self, person):
        data = self.request.POST if self.request.method == "POST" else None
        return PersonEditForm.for_person(person, data,
                                         may_change_id_number=person_may_unmask(user=self.user, pk=person.pk))

    def perform(self, form, person):
        return person_update(user=self.user, person_id=person.pk, expected_version=form.cleaned_data["version"],
                             changes=form.changes())

    def permission_denied(self, form, exc):
        form.add_error("id_number", exc.message)  # an ID number change without basic.unmask
        return [], 403

    def success_message(self, person, result, form) -> str:
        return f"已保存「{person.name}」的信息。"

    def success_url(self, person, result) -> str:
        return reverse("people:detail", kwargs={"pk": person.pk})


person_detail = PersonDetail.as_view()
person_edit = PersonEdit.as_view()
