"""组织关系转接 API (issue #10): ``/api/transfers/`` — the same selectors and services as the pages
(``party.transfer_selectors``, ``party.transfers``); 404 outside the scope, 400 with every problem by field,
409 on a stale ``version``.

- ``GET  /api/transfers/`` — transfers sent from or addressed to the user's scope (``?box=incoming|outgoing``,
  ``?state=``, ``?direction=``, ``?name=``), newest first;
- ``POST /api/transfers/`` — 发起转接 (``transfer_start``): ``person_id``, ``to_organization`` (id) or
  ``to_organization_code``, ``date``, ``note``; 201 with the pending transfer;
- ``GET  /api/transfers/{id}/`` — one transfer;
- ``POST /api/transfers/{id}/accept/`` (``date``, ``version``), ``…/return/`` (``reason``, ``version``) — the
  receiving side; ``…/cancel/`` (``version``) — the sending side;

The receiving organization may lie outside the caller's scope; the API takes its 组织代码
(``to_organization_code``, as on the 介绍信) or id. There is no API search of organizations outside the
scope: every API route is a declared, scoped view; the search is the page's picker (a deliberate, limited
disclosure, ``party.transfer_selectors``).

A transfer's member is shown as the 介绍信 shows them (name, sex, age, ethnicity, category, masked ID
number); the member's record stays out of the receiving side's scope until it accepts.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from zugong.core.api import (
    ScopedCreateMixin,
    ScopedListMixin,
    ScopedRetrieveMixin,
    ScopedViewSet,
    scoped_action,
)
from zugong.core.errors import RowError, ValidationFailed
from zugong.party import transfers
from zugong.party.choices import TRANSFER_DIRECTION, TRANSFER_STATE
from zugong.party.models import MembershipTransfer
from zugong.party.transfer_forms import TransferFilterSet
from zugong.party.transfer_selectors import (
    transfer_get,
    transfer_list,
    transfer_target_get,
)


class _OrgRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="组织代码")
    name = serializers.CharField(help_text="组织名称")


class TransferSerializer(serializers.Serializer):
    """一项组织关系转接。``person`` 为介绍信上的党员情况（公民身份号码只给出掩码）。"""

    id = serializers.IntegerField()
    direction = serializers.CharField(help_text="转接方向：internal 系统内 / out 转出本系统 / in 从系统外转入")
    direction_label = serializers.CharField()
    state = serializers.CharField(help_text="状态：pending 待接收 / accepted 已接收 / returned 已退回 / cancelled 已撤回 / "
                                            "issued 已开具介绍信")
    state_label = serializers.CharField()
    whole_unit = serializers.BooleanField(help_text="整建制")
    person = serializers.DictField(help_text="person_id、姓名、性别、民族、出生日期、人员类别（转出之日：full 正式 / "
                                             "probationary 预备）、公民身份号码（掩码）")
    from_organization = _OrgRef(allow_null=True, help_text="转出党组织（从系统外转入为空）")
    to_organization = _OrgRef(allow_null=True, help_text="接收党组织（转出本系统为空）")
    counterpart = serializers.CharField(help_text="系统外党组织（转出去向或转入来源）")
    sent_date = serializers.DateField(help_text="转出日期")
    decided_date = serializers.DateField(allow_null=True, help_text="接收、退回、撤回日期")
    return_reason = serializers.CharField()
    letter_number = serializers.CharField(help_text="介绍信编号")
    validity_days = serializers.IntegerField(allow_null=True, help_text="介绍信有效期（天）")
    dues_paid_through = serializers.CharField(allow_null=True, help_text="党费交至（YYYY-MM）")
    note = serializers.CharField()
    version = serializers.IntegerField(help_text="版本号（接收、退回、撤回时须带上）")

    def to_representation(self, t):
        person = t.person
        member = getattr(person, "party_member", None)
        data = {
            "id": t.pk, "direction": t.direction, "direction_label": TRANSFER_DIRECTION.label(t.direction),
            "state": t.state, "state_label": TRANSFER_STATE.label(t.state), "whole_unit": t.whole_unit,
            "person": {"person_id": person.pk, "name": person.name, "sex_label": person.sex_label,
                       "ethnicity_label": person.ethnicity_label, "birth_date": person.birth_date.isoformat(),
                       "category": member.category_on(t.sent_date) if member is not None else "",
                       "id_number_masked": person.id_number_masked},
            "from_organization": t.from_organization, "to_organization": t.to_organization,
            "counterpart": t.counterpart, "sent_date": t.sent_date, "decided_date": t.decided_date,
            "return_reason": t.return_reason, "letter_number": t.letter_number, "validity_days": t.validity_days,
            "dues_paid_through": f"{t.dues_paid_through:%Y-%m}" if t.dues_paid_through else None, "note": t.note,
            "version": t.version,
        }
        return super().to_representation(data)


class TransferStartSerializer(serializers.Serializer):
    """发起组织关系转接。"""

    person_id = serializers.IntegerField(label="人员", help_text="人员ID（须在您的数据范围内、有未结束的组织关系）")
    to_organization = serializers.IntegerField(label="接收党组织", required=False, allow_null=True,
                                               help_text="接收党组织ID（可在数据范围以外）")
    to_organization_code = serializers.CharField(label="接收党组织代码", required=False, allow_blank=True,
                                                 help_text="或接收党组织的组织代码（介绍信上的接收方，可在数据范围以外）")
    date = serializers.CharField(label="转接日期", help_text="YYYY-MM-DD，不晚于今天")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=500)


class TransferAcceptSerializer(serializers.Serializer):
    """接收。"""

    version = serializers.IntegerField(label="版本号", help_text="转接记录的版本号；不一致时返回 409")
    date = serializers.CharField(label="接收日期", help_text="YYYY-MM-DD（不早于转出日期，不晚于今天）")


class TransferReturnSerializer(serializers.Serializer):
    """退回。"""

    version = serializers.IntegerField(label="版本号", help_text="转接记录的版本号；不一致时返回 409")
    reason = serializers.CharField(label="退回原因", allow_blank=True, max_length=500)


class TransferCancelSerializer(serializers.Serializer):
    """撤回。"""

    version = serializers.IntegerField(label="版本号", help_text="转接记录的版本号；不一致时返回 409")


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="转接记录ID")


@extend_schema_view(
    list=extend_schema(summary="组织关系转接列表", description="由数据范围内党组织转出、或转往数据范围内党组织的转接；"
                       "box=incoming 只看转入，box=outgoing 只看转出。"),
    retrieve=extend_schema(summary="组织关系转接", parameters=[_ID], description="转出方或接收方可见；否则 404。"),
    create=extend_schema(summary="发起组织关系转接", description="转往系统内任一正常状态的基层党组织（可在数据范围以外），"
                         "状态为待接收；对方接收前该党员仍在原组织，对方看不到其党员记录。同一党员同一时间只能有一项转接。"),
)
class TransferViewSet(ScopedListMixin, ScopedCreateMixin, ScopedRetrieveMixin, ScopedViewSet):
    """Transfers of both sides of the user's scope (``transfer_list``), the start, and the decisions."""

    model = MembershipTransfer
    list_selector = transfer_list
    get_selector = transfer_get
    serializer_class = TransferSerializer
    create_serializer_class = TransferStartSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TransferFilterSet
    not_found = "组织关系转接不存在或不在您的数据范围内。"

    def create_object(self, data: dict):
        target_id = data.get("to_organization")
        code = (data.get("to_organization_code") or "").strip()
        if target_id is None and code:
            target = transfer_target_get(user=self.request.user, code=code)
            if target is None:
                raise ValidationFailed([RowError(0, "接收党组织", f"组织代码「{code[:50]}」不存在")])
            target_id = target.pk
        return transfers.transfer_start(user=self.request.user, person_id=data["person_id"],
                                        to_organization_id=target_id, date=data["date"], note=data.get("note", ""))

    @scoped_action(scope="change", input=TransferAcceptSerializer, parameters=[_ID], url_path="accept",
                   summary="接收组织关系", description="接收方（对接收党组织有新增权限）接收待接收的转接：自 date 起该党员在"
                   "接收党组织，转出方不再看到该党员。非接收方、已办结的转接返回 400。")
    def accept(self, request, obj, data):
        transfers.transfer_accept(user=request.user, transfer_id=obj.pk, date=data["date"],
                                  expected_version=data["version"])
        return obj

    @scoped_action(scope="change", input=TransferReturnSerializer, parameters=[_ID], url_path="return",
                   summary="退回组织关系转接", description="接收方退回待接收的转接，须填写原因；党员留在原组织。")
    def return_(self, request, obj, data):
        transfers.transfer_return(user=request.user, transfer_id=obj.pk, reason=data["reason"],
                                  expected_version=data["version"])
        return obj

    return_.url_name = "return"  # ``return`` is a keyword: the method is ``return_``, the route ``…-return``

    @scoped_action(scope="change", input=TransferCancelSerializer, parameters=[_ID], url_path="cancel",
                   summary="撤回组织关系转接", description="转出方撤回待接收的转接。")
    def cancel(self, request, obj, data):
        transfers.transfer_cancel(user=request.user, transfer_id=obj.pk, expected_version=data["version"])
        return obj

    def read_back(self, obj, action: str | None = None):
        """``obj`` fresh through the selectors, seen with ``party.view`` on either side (after an accept the
        sending side keeps seeing its transfer, not the member)."""
        return super().read_back(obj, action="view")
