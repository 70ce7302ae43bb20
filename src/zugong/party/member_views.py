"""Member record pages: 新增党员 and, from the person page, the membership actions 转接 (调整到其他支部),
转正 and 结束组织关系. Each page calls one service (``party.services``); an object or organization
outside the scope is a 404, a stale version a 409 naming who changed what, bad input a 400 listing every
problem by field (the shared validators' messages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zugong.core.errors import ConcurrentEdit
from zugong.core.form_flow import run_service
from zugong.core.scoping import can
from zugong.orgs.models import PartyOrganization
from zugong.party import services
from zugong.party.forms import (
    EndForm,
    FullMembershipForm,
    MemberCreateForm,
    TransferForm,
    organization_choices,
)
from zugong.party.models import Membership, PartyMember
from zugong.people.editing import last_change
from zugong.people.models import Person

NOT_FOUND = "人员不存在或不在您的数据范围内"


def _conflict(exc: ConcurrentEdit, model, object_id) -> list[str]:
    detail = last_change(model, object_id)
    return [exc.message, detail] if detail else [exc.message]


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    """新增党员 (``basic.add`` and ``party.add`` on the organization). ``?org=<code>`` preselects an
    organization (from the roster or an organization page); one out of scope is a 404."""
    user = request.user
    organizations = organization_choices(user, labels=("basic", "party"), action="add")
    if not organizations:
        raise Http404("您没有新增党员的权限")
    initial = {}
    code = request.GET.get("org", "").strip()
    if code:
        org = PartyOrganization.objects.restrict(user, "add").filter(code=code).first()
        if org is None or org.pk not in {pk for pk, _ in organizations}:
            raise Http404("党组织不存在或不在您的数据范围内")
        initial["organization"] = org.pk
    form = MemberCreateForm(request.POST or None, initial=initial, organizations=organizations)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            person, errors, status = run_service(lambda: services.member_create(user=user, **form.service_kwargs()),
                                                 not_found="党组织不存在或不在您的数据范围内")
            if not errors:
                messages.success(request, f"已新增党员「{person.name}」。")
                return redirect("people:detail", pk=person.pk)
    return render(request, "party/member_create.html", {"form": form, "errors": errors}, status=status)


def _person(request, pk) -> Person:
    person = Person.objects.restrict(request.user, "view").select_related("organization").filter(pk=pk).first()
    if person is None:
        raise Http404(NOT_FOUND)
    return person


def _action_page(request, *, person, form, title, intro, errors, status, action_url):
    return render(request, "party/membership_action.html",
                  {"person": person, "form": form, "title": title, "intro": intro, "errors": errors,
                   "action_url": action_url}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def membership_transfer(request, pk):
    """转入/调整到其他支部: ``party.change`` on the member's organization and on the target (a plain
    select of the in-scope organizations holding members)."""
    person = _person(request, pk)
    current = Membership.objects.restrict(request.user, "change").select_related("organization").filter(
        person_id=pk, end_date__isnull=True).first()
    if current is None:
        raise Http404(NOT_FOUND)
    organizations = [(o, label) for o, label in organization_choices(request.user, labels=("party",), action="change")
                     if o != current.organization_id]
    form = TransferForm(request.POST or None, initial={"version": current.version, "date": timezone.localdate()},
                        organizations=organizations)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            _, errors, status = run_service(
                lambda: services.membership_transfer(
                    user=request.user, person_id=pk, to_organization_id=d["to_organization"], date=d["date"],
                    expected_version=d["version"], occupation=d["occupation"] or None),
                not_found=NOT_FOUND, conflict=lambda exc: _conflict(exc, Membership, current.pk))
            if not errors:
                messages.success(request, f"已办理「{person.name}」的组织关系转接。")
                return redirect("people:detail", pk=pk)
    return _action_page(request, person=person, form=form, title="组织关系转接（调整到其他党组织）",
                        intro=f"现所在党组织：{current.organization.name}（自 {current.start_date:%Y-%m-%d}）",
                        errors=errors, status=status, action_url=request.path)


@login_required
@require_http_methods(["GET", "POST"])
def membership_full(request, pk):
    """转正 (``party.change`` on the member)."""
    person = _person(request, pk)
    member = PartyMember.objects.restrict(request.user, "change").filter(pk=pk).first()
    if member is None:
        raise Http404(NOT_FOUND)
    form = FullMembershipForm(request.POST or None, initial={"version": member.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            _, errors, status = run_service(
                lambda: services.membership_change_category(
                    user=request.user, person_id=pk, full_membership_date=d["full_membership_date"],
                    expected_version=d["version"]),
                not_found=NOT_FOUND, conflict=lambda exc: _conflict(exc, PartyMember, pk))
            if not errors:
                messages.success(request, f"「{person.name}」已转为正式党员。")
                return redirect("people:detail", pk=pk)
    return _action_page(request, person=person, form=form, title="转为正式党员",
                        intro=f"入党日期：{member.admission_date:%Y-%m-%d}", errors=errors, status=status,
                        action_url=request.path)


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    """结束组织关系 (``party.change`` on the member's organization)."""
    person = _person(request, pk)
    current = Membership.objects.restrict(request.user, "change").select_related("organization").filter(
        person_id=pk, end_date__isnull=True).first()
    if current is None:
        raise Http404(NOT_FOUND)
    form = EndForm(request.POST or None, initial={"version": current.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            _, errors, status = run_service(
                lambda: services.membership_end(user=request.user, person_id=pk, end_date=d["end_date"],
                                                reason=d["reason"], expected_version=d["version"]),
                not_found=NOT_FOUND, conflict=lambda exc: _conflict(exc, Membership, current.pk))
            if not errors:
                messages.success(request, f"已结束「{person.name}」的组织关系。")
                return redirect("people:detail", pk=pk)
    return _action_page(request, person=person, form=form, title="结束组织关系",
                        intro=f"现所在党组织：{current.organization.name}（自 {current.start_date:%Y-%m-%d}）",
                        errors=errors, status=status, action_url=request.path)


def member_actions(user, person: Person, profile) -> dict[str, bool]:
    """Which membership actions the person page offers ``user`` (no query: ``can`` reads the cached
    grants): 转接 and 结束 need an open membership in ``party.change`` scope, 转正 a probationary record."""
    if profile is None:
        return {}
    current = profile.current.membership if profile.current else None
    may_change = current is not None and current.end_date is None and can(user, "party", "change", current.organization)
    return {"transfer": may_change, "end": may_change,
            "full": may_change and profile.record.full_membership_date is None}
