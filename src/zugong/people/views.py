"""Person pages: the person detail page (tabs 基本信息 / 党员信息 / 历史). Reads go through
``people.selectors`` (scoped): a person outside the user's scope is a 404. The plaintext ("查看明文")
action lives in ``sensitive_urls``; its button is included from ``people/_unmask.html`` when present."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_GET

from zugong.core.dates import age_on
from zugong.party.member_views import member_actions
from zugong.people.selectors import person_get, person_history, person_party_profile

UNMASK_TEMPLATE = "people/_unmask.html"


def _optional_template(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


@login_required
@require_GET
def person_detail(request, pk):
    """人员详情: masked ID number and phone; party data only with ``party.view`` on the person."""
    person = person_get(user=request.user, pk=pk)
    if person is None:
        raise Http404("人员不存在或不在您的数据范围内")
    today = timezone.localdate()
    profile = person_party_profile(user=request.user, person=person, as_of=today)
    context = {
        "person": person,
        "age": age_on(person.birth_date, today),
        "today": today,
        "profile": profile,
        "history": person_history(person=person, profile=profile),
        "unmask_template": _optional_template(UNMASK_TEMPLATE),
        "member_actions": member_actions(request.user, person, profile),
    }
    return render(request, "people/detail.html", context)
