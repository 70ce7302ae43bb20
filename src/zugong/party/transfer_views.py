"""组织关系转接 pages (issue #10). Generic pages (``core.generic``), each calling one service of
``party.transfers``; reads through ``party.transfer_selectors`` (both sides of a transfer), the people and
organization selectors. A record outside the scope is a 404, a stale version a 409, bad input a 400 listing
every problem by field.

- ``party:transfer_list`` — 转入/转出 of the user's scope (filters: 收发, 状态, 方向, 姓名);
- ``party:transfer_detail`` — one transfer, with the actions the user may take;
- ``party:transfer_start`` — from the person page: 发起转接 to an organization anywhere in Zugong (the
  receiving-organization picker ``party:transfer_target_picker`` is a deliberate, limited disclosure of
  the names and codes of active organizations holding members outside the scope, see
  ``party.transfer_selectors``);
- ``party:transfer_accept`` / ``party:transfer_return`` — the receiving side; ``party:transfer_cancel`` —
  the sending side;
- ``party:transfer_letter`` — the 介绍信 (.docx, ``party.letters``);
- ``party:transfer_out`` — from the person page: 转出本系统 with a 介绍信;
- ``party:transfer_in`` — 登记转入党员 arriving with a 介绍信;
- ``party:whole_unit_transfer`` — from an organization page: 整建制转接.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from zugong.core import generic
from zugong.core.downloads import mark_download
from zugong.core.errors import OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.core.form_flow import error_lines
from zugong.core.scoping import can
from zugong.orgs.selectors import organization_get
from zugong.party import letters, transfers
from zugong.party.choices import TRANSFER_DIRECTION, TRANSFER_STATE
from zugong.party.forms import organization_choices
from zugong.party.selectors import current_membership
from zugong.party.transfer_forms import (
    BOXES,
    TransferAcceptForm,
    TransferCancelForm,
    TransferFilterSet,
    TransferInForm,
    TransferOutForm,
    TransferReturnForm,
    TransferStartForm,
    WholeUnitForm,
)
from zugong.party.transfer_selectors import (
    may_receive,
    may_send,
    transfer_get,
    transfer_list,
    transfer_target_get,
    transfer_target_pick,
)
from zugong.people.selectors import person_get

NOT_FOUND = "组织关系转接不存在或不在您的数据范围内"
PERSON_NOT_FOUND = "人员不存在、没有未结束的组织关系或不在您的数据范围内"
ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内"
MODEL = "party.MembershipTransfer"


def _target_id(request, typed: str) -> int | None:
    """The receiving organization picked (the picker's radio ``to_organization_pick`` wins over the typed
    code): its id, ``None`` when nothing was given; an unknown code is a ``ValidationFailed``."""
    code = (request.POST.get("to_organization_pick") or typed or "").strip()
    if not code:
        return None
    target = transfer_target_get(user=request.user, code=code)
    if target is None:
        raise ValidationFailed([RowError(0, "接收党组织", f"组织代码「{code[:50]}」不存在")])
    return target.pk


def transfer_actions(user, transfer) -> dict[str, bool]:
    """Which actions ``user`` may take on ``transfer`` (no query: ``can`` reads the cached grants)."""
    pending = transfer.direction == "internal" and transfer.state == "pending"
    sender = may_send(user, transfer)
    return {
        "accept": pending and may_receive(user, transfer),
        "return": pending and may_receive(user, transfer),
        "cancel": pending and sender,
        "letter": transfer.direction != "in" and sender and can(user, "party", "export", transfer.from_organization),
        "sender": sender,
        "receiver": may_receive(user, transfer),
    }


# ----- list and detail ------------------------------------------------------------------------------------

class TransferList(generic.ObjectListView):
    """组织关系转接 of the user's scope: transfers sent from it and addressed to it (``transfer_list``),
    newest first, filtered by ``TransferFilterSet``. ``object_list``: the page's transfers; each row also
    carries the actions the user may take."""

    url_name = "party:transfer_list"
    model = MODEL
    list_selector = transfer_list
    filterset_class = TransferFilterSet
    default_ordering = ("-sent_date", "-pk")
    template_name = "party/transfer_list.html"
    carried_filters = ("box", "state", "direction", "name")

    def get_rows(self, objects, filterset):
        return [{"transfer": t, "actions": transfer_actions(self.user, t)} for t in objects]

    def get_extra_context(self, filterset, page) -> dict:
        return {"boxes": BOXES, "states": TRANSFER_STATE.choices, "directions": TRANSFER_DIRECTION.choices,
                "in_href": reverse("party:transfer_in")
                if can(self.user, "party", "add") and can(self.user, "basic", "add") else None}


class TransferDetail(generic.ObjectView):
    """One transfer (either side, ``party.view``): member (as the 介绍信 shows them: no link to the person
    page for the receiving side before acceptance), organizations, dates, letter data, state."""

    url_name = "party:transfer_detail"
    model = MODEL
    get_selector = transfer_get
    template_name = "party/transfer_detail.html"
    context_object_name = "transfer"
    not_found = NOT_FOUND

    def get_extra_context(self, transfer) -> dict:
        person = transfer.person
        return {"actions": transfer_actions(self.user, transfer),
                "person_visible": person_get(user=self.user, pk=person.pk) is not None,
                "age": person.age_on(transfer.sent_date)}


# ----- the receiving and sending sides' actions ------------------------------------------------------------

class _TransferAction(generic.ObjectActionView):
    """An action on one transfer (``party.change`` on either side to find it; the service decides whether
    the user is the side that may act and says why not)."""

    model = MODEL
    get_selector = transfer_get
    template_name = "party/transfer_form.html"
    context_object_name = "transfer"
    not_found = NOT_FOUND
    title = ""
    button = "确定"

    def get_notes(self, transfer) -> list[str]:
        if transfer.direction != "internal" or transfer.state != "pending":
            return [f"该转接{TRANSFER_STATE.label(transfer.state)}，不能再办理。"]
        return self.side_notes(transfer)

    def side_notes(self, transfer) -> list[str]:
        return []

    def success_url(self, transfer, result) -> str:
        return reverse("party:transfer_detail", kwargs={"pk": transfer.pk})

    def get_extra_context(self, transfer, form, errors) -> dict:
        return {"title": self.title, "button": self.button, "summary": transfer}


class TransferAccept(_TransferAction):
    """接收 (the receiving side: ``party.add`` on the receiving organization)."""

    url_name = "party:transfer_accept"
    form_class = TransferAcceptForm
    title = "接收组织关系"
    button = "接收"

    def get_initial(self, transfer) -> dict:
        return {"version": transfer.version, "date": timezone.localdate().isoformat()}

    def side_notes(self, transfer) -> list[str]:
        return [] if may_receive(self.user, transfer) else ["只有接收方党组织可以接收该转接。"]

    def perform(self, form, transfer):
        d = form.cleaned_data
        return transfers.transfer_accept(user=self.user, transfer_id=transfer.pk, date=d["date"],
                                         expected_version=d["version"])

    def success_message(self, transfer, event, form) -> str:
        return f"已接收「{transfer.person.name}」的组织关系，自 {event.date:%Y-%m-%d} 起在「{transfer.to_organization.name}」。"

    def success_url(self, transfer, event) -> str:
        return reverse("people:detail", kwargs={"pk": transfer.person_id})


class TransferReturn(_TransferAction):
    """退回 (the receiving side), with the reason."""

    url_name = "party:transfer_return"
    form_class = TransferReturnForm
    title = "退回组织关系转接"
    button = "退回"

    def side_notes(self, transfer) -> list[str]:
        return [] if may_receive(self.user, transfer) else ["只有接收方党组织可以退回该转接。"]

    def perform(self, form, transfer):
        d = form.cleaned_data
        return transfers.transfer_return(user=self.user, transfer_id=transfer.pk, reason=d["reason"],
                                         expected_version=d["version"])

    def success_message(self, transfer, result, form) -> str:
        return f"已退回「{transfer.person.name}」的组织关系转接。"


class TransferCancel(_TransferAction):
    """撤回 (the sending side)."""

    url_name = "party:transfer_cancel"
    form_class = TransferCancelForm
    title = "撤回组织关系转接"
    button = "撤回"

    def side_notes(self, transfer) -> list[str]:
        return [] if may_send(self.user, transfer) else ["只有转出方党组织可以撤回该转接。"]

    def perform(self, form, transfer):
        return transfers.transfer_cancel(user=self.user, transfer_id=transfer.pk,
                                         expected_version=form.cleaned_data["version"])

    def success_message(self, transfer, result, form) -> str:
        return f"已撤回「{transfer.person.name}」的组织关系转接。"


class TransferLetter(generic.ObjectMixin, generic.GenericView):
    """介绍信 (.docx) of one transfer, for the sending side (``party.export`` on the sending organization;
    the ID number in clear only with ``basic.unmask``; audited): ``party.letters.transfer_letter``."""

    url_name = "party:transfer_letter"
    kind = "detail"
    model = MODEL
    action = "export"
    object_arg = "pk"
    not_found = NOT_FOUND

    def get(self, request, *args, **kwargs):
        try:
            letter = letters.transfer_letter(user=self.user, transfer_id=self.object_pk())
        except OutOfScope:
            raise Http404(self.not_found) from None
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except ValidationFailed as exc:
            return HttpResponse("\n".join(error_lines(exc)), status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(letter.content, content_type=letters.DOCX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, letter.filename)
        return mark_download(request, response)


# ----- from the person page ---------------------------------------------------------------------------------

class _PersonTransfer(generic.ObjectActionView):
    """A transfer started from the person page (URL ``pk`` = the person): the person (``basic.view``) and
    their open membership (``party.change``), else 404; back to the person page after."""

    model = MODEL
    object_model = "party.PartyMember"  # the party record, whose primary key is the person's
    get_selector = person_get
    template_name = "party/transfer_form.html"
    context_object_name = "person"
    not_found = PERSON_NOT_FOUND
    title = ""
    button = "提交"
    picker = False

    def get_object(self):
        person = person_get(user=self.user, pk=self.object_pk(), action="view")
        self.record = current_membership(user=self.user, person_id=person.pk, action="change") if person else None
        if person is None or self.record is None:
            raise Http404(PERSON_NOT_FOUND)
        return person

    def get_initial(self, person) -> dict:
        return {"date": timezone.localdate().isoformat()}

    def conflict_object(self, person, result=None):
        return type(self.record), self.record.pk

    def success_url(self, person, result) -> str:
        return reverse("people:detail", kwargs={"pk": person.pk})

    def get_extra_context(self, person, form, errors) -> dict:
        return {"title": self.title, "button": self.button, "picker": self.picker,
                "intro": f"现所在党组织：{self.record.organization.name}（自 {self.record.start_date:%Y-%m-%d}）"}


class TransferStart(_PersonTransfer):
    """发起组织关系转接 to an organization anywhere in Zugong (pending until the receiving side accepts)."""

    url_name = "party:transfer_start"
    form_class = TransferStartForm
    title = "发起组织关系转接"
    picker = True

    def perform(self, form, person):
        d = form.cleaned_data
        return transfers.transfer_start(user=self.user, person_id=person.pk,
                                        to_organization_id=_target_id(self.request, d["to_organization"]),
                                        date=d["date"], note=d["note"])

    def success_message(self, person, transfer, form) -> str:
        return f"已向「{transfer.to_organization.name}」发出「{person.name}」的组织关系转接，待对方接收。"

    def success_url(self, person, transfer) -> str:
        return reverse("party:transfer_detail", kwargs={"pk": transfer.pk})


class TransferOut(_PersonTransfer):
    """转出本系统: the 介绍信's data; the membership ends on the date."""

    url_name = "party:transfer_out"
    form_class = TransferOutForm
    title = "转出本系统（开具介绍信）"

    def get_initial(self, person) -> dict:
        today = timezone.localdate()
        return {"date": today.isoformat(), "validity_days": "30", "dues_paid_through": f"{today:%Y-%m}"}

    def perform(self, form, person):
        d = form.cleaned_data
        return transfers.transfer_out_issue(
            user=self.user, person_id=person.pk, counterpart=d["counterpart"], letter_number=d["letter_number"],
            validity_days=d["validity_days"], dues_paid_through=d["dues_paid_through"], date=d["date"], note=d["note"])

    def success_message(self, person, transfer, form) -> str:
        return f"已办理「{person.name}」的组织关系转出，请打印介绍信。"

    def success_url(self, person, transfer) -> str:
        return reverse("party:transfer_detail", kwargs={"pk": transfer.pk})


# ----- 登记转入党员 -----------------------------------------------------------------------------------------------

class TransferIn(generic.ObjectCreateView):
    """登记转入党员 arriving with a 介绍信 (``basic.add`` and ``party.add`` on the organization)."""

    url_name = "party:transfer_in"
    model = MODEL
    form_class = TransferInForm
    template_name = "party/transfer_in.html"
    not_found = ORG_NOT_FOUND

    def precheck(self, obj):
        self.organizations = organization_choices(self.user, labels=("basic", "party"), action="add")
        if not self.organizations:
            raise Http404("您没有登记转入党员的权限")
        return None

    def get_form_kwargs(self, obj) -> dict:
        return {"organizations": self.organizations}

    def get_initial(self, obj) -> dict:
        return {"date": timezone.localdate().isoformat()}

    def perform(self, form, obj):
        return transfers.transfer_in_register(user=self.user, **form.service_kwargs())

    def success_message(self, obj, transfer, form) -> str:
        return f"已登记由「{transfer.counterpart}」转入的党员「{transfer.person.name}」。"

    def success_url(self, obj, transfer) -> str:
        return reverse("people:detail", kwargs={"pk": transfer.person_id})


# ----- 整建制转接 --------------------------------------------------------------------------------------------------

class WholeUnitTransfer(generic.ObjectActionView):
    """整建制转接 of an organization's members, then its dissolution (``party.change`` to open the page;
    the service also needs ``party.delete`` there and ``party.add`` on the receiving organization)."""

    url_name = "party:whole_unit_transfer"
    model = MODEL
    object_model = "orgs.PartyOrganization"
    object_arg = "org_pk"
    get_selector = organization_get
    form_class = WholeUnitForm
    template_name = "party/transfer_form.html"
    context_object_name = "org"
    not_found = ORG_NOT_FOUND

    def get_initial(self, org) -> dict:
        return {"version": org.version, "date": timezone.localdate().isoformat(), "reason": "整建制转接"}

    def get_notes(self, org) -> list[str]:
        from zugong.core.codes import ORG_TYPES_HOLDING_MEMBERS

        if org.org_type not in ORG_TYPES_HOLDING_MEMBERS:
            return [f"「{org.name}」不直接管理党员组织关系，不能整建制转接。"]
        if org.status != "active":
            return [f"「{org.name}」已撤销。"]
        return []

    def perform(self, form, org):
        d = form.cleaned_data
        return transfers.whole_unit_transfer(
            user=self.user, from_organization_id=org.pk, to_organization_id=_target_id(self.request, d["to_organization"]),
            counterpart=d["counterpart"], date=d["date"], reason=d["reason"], letter_number=d["letter_number"],
            validity_days=d["validity_days"], dues_paid_through=d["dues_paid_through"], expected_version=d["version"])

    def success_message(self, org, result, form) -> str:
        return f"「{org.name}」的 {len(result.events)} 名党员已整建制转接，原组织已撤销。"

    def success_url(self, org, result) -> str:
        return reverse("orgs:detail", kwargs={"pk": org.pk})

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": f"整建制转接：{org.name}", "button": "确认整建制转接", "picker": True,
                "intro": "本组织全体党员（不含下级组织）于转接日期转往接收党组织，每名党员记一条整建制转接；"
                         "随后本组织撤销。系统内转接须由同时管理双方的上级办理；转出本系统时每名党员开具介绍信。"}


# ----- the receiving-organization picker (hand-written HTMX fragment; in the scope matrix) ---------------------

@login_required
@require_GET
def transfer_target_picker(request):
    """接收党组织 search (HTMX fragment, ``?q=``): active organizations holding members, **inside or outside
    the user's scope** — names and codes only, at most 20 (``transfer_selectors.transfer_target_pick``: a
    deliberate, limited disclosure; users without ``party.change`` anywhere get 403). ``name`` is the
    radio input's name (default ``to_organization_pick``)."""
    if not can(request.user, "party", "change"):
        raise PermissionDenied("您没有办理组织关系转接的权限。")
    q = (request.GET.get("q") or "").strip()[:100]
    results = transfer_target_pick(user=request.user, text=q)
    name = request.GET.get("name", "to_organization_pick")
    name = name if name.replace("_", "").isalnum() else "to_organization_pick"
    return render(request, "orgs/_picker.html", {"results": results, "q": q, "name": name,
                                                 "none_text": f"未找到「{q}」：没有匹配的正常状态基层党组织。"})


transfer_list_view = TransferList.as_view()
transfer_detail = TransferDetail.as_view()
transfer_accept = TransferAccept.as_view()
transfer_return = TransferReturn.as_view()
transfer_cancel = TransferCancel.as_view()
transfer_letter = TransferLetter.as_view()
transfer_start = TransferStart.as_view()
transfer_out = TransferOut.as_view()
transfer_in = TransferIn.as_view()
whole_unit_transfer = WholeUnitTransfer.as_view()
