"""Members API: ``/api/members/`` (the roster, list) and ``/api/members/{person_id}/`` (one member),
read-only; the member's record and memberships, and the membership actions (the same services as the
person page; 404 outside the scope, 400 with every problem by field, 409 on a stale ``version``):

- ``GET  /api/members/{person_id}/record/`` — 入党/转正日期 and every membership period, with versions;
- ``POST /api/members/{person_id}/transfer/`` — 组织关系转接 within the scope (``membership_transfer``);
- ``POST /api/members/{person_id}/full-membership/`` — 转正 (``membership_change_category``);
- ``POST /api/members/{person_id}/end/`` — 结束组织关系 (``membership_end``);
- ``GET  /api/members/{person_id}/events/`` — the 党员变动 of the person (``member_events``) and the person's
  ``version``; ``POST`` the same path records one (``event_record``: 201 with the event; 400 with every
  problem by field and article, as the page; 404 for a person or organization outside the scope; 409 on a
  stale ``version``). The person need not have a party record yet (发展党员 of someone visible);
- ``POST /api/members/{person_id}/events/{event_id}/revoke/`` — 撤销 the person's latest event entered by
  mistake (``event_revoke``; ``MemberEventViewSet``: the event in ``party.change`` scope, else 404).

A ``core.api.ScopedReadOnlyViewSet``: roster rows come from ``party.selectors.roster_base`` in the
request's scope and are filtered by the same ``MemberFilterSet`` as the roster page and export; a member
outside the scope, or not a member on ``as_of``, is a 404. The actions fetch the member's record
(``member_record_get``) with the scope they need (``party.view`` to read, ``party.change`` to act).

Pagination (``RosterPagination``): keyset pages by ``cursor`` (the ``next``/``previous``/``first``/``last``
links), ``page=N`` jumps and ``page=last``; ``count`` with ``count_exact`` (the total from the count table,
a capped exact count, or an estimate: ``party.paging``), unlike the other lists (``core.api.ScopedPagination``:
no ``COUNT`` unless asked). See ``docs/api.md`` and ``docs/members.md``."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from zugong.core.api import (
    ScopedReadOnlyViewSet,
    ScopedViewSet,
    parse_input,
    requested_page_size,
    scoped_action,
)
from zugong.core.errors import OutOfScope
from zugong.party import services
from zugong.party.api.serializers import (
    EndRequestSerializer,
    EventListSerializer,
    EventRequestSerializer,
    EventRevokeRequestSerializer,
    EventRevokeResultSerializer,
    EventSerializer,
    FullMembershipRequestSerializer,
    MemberRecordSerializer,
    MemberSerializer,
    TransferRequestSerializer,
    occupation_request,
)
from zugong.party.filtersets import MemberFilterSet
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.party.selectors import (
    RosterPaginator,
    member_events,
    member_record_get,
    membership_event_get,
    roster_base,
)
from zugong.people.selectors import person_get


class RosterFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` that also leaves the bound filter set on the view (``view.roster_filterset``)
    so that ``RosterPagination`` can count its rows (``party.paging.roster_count``)."""

    def get_filterset(self, request, queryset, view):
        """The bound filter set (as ``DjangoFilterBackend``), also stored as ``view.roster_filterset``."""
        filterset = super().get_filterset(request, queryset, view)
        view.roster_filterset = filterset
        return filterset


class RosterPagination(BasePagination):
    """The roster's pages (``party.paging.RosterPaginator``): ``?page=N`` (or ``page=last``) jumps,
    ``?cursor=`` follows the ``next``/``previous``/``first``/``last`` links (keyset pages), ``?page_size=``
    (1 … 500, default ``PAGE_SIZE``). Body: ``count`` (the total — exact, or an estimate when
    ``count_exact`` is false), ``count_exact``, ``page`` (``null`` when unknown), ``num_pages``
    (approximate with an estimated count), ``next``, ``previous``, ``first``, ``last``, ``results``.
    A forged, altered, expired or other-sort cursor is a 400 with a Chinese message."""

    page_query_param = "page"
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        """``?page_size=`` (1 … ``max_page_size``), else ``settings.REST_FRAMEWORK["PAGE_SIZE"]``."""
        return requested_page_size(request, self.page_size_query_param, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        """The rows of the page asked for. Raises ``ValidationError`` (400) for a bad cursor."""
        filterset = getattr(view, "roster_filterset", None)
        if filterset is not None and filterset.qs is not queryset:
            filterset = None  # not the filter set's rows: count them as they are
        self.request = request
        self.paginator = RosterPaginator(queryset, self.get_page_size(request), filterset=filterset,
                                         user=request.user)
        self.page = self.paginator.get_page(page=request.query_params.get(self.page_query_param),
                                            cursor=request.query_params.get(self.cursor_query_param))
        if self.page.notice:
            raise ValidationError({self.cursor_query_param: [self.page.notice.replace("，已回到第一页", "")]})
        return list(self.page.object_list)

    def _link(self, **params) -> str:
        url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        url = remove_query_param(url, self.page_query_param)
        for key, value in params.items():
            url = replace_query_param(url, key, value)
        return url

    def get_paginated_response(self, data):
        page, paginator = self.page, self.paginator
        previous = next_ = None
        if page.has_previous:
            if page.previous_page_number() == 1:
                previous = self._link()
            elif paginator.keyset and page.previous_cursor:
                previous = self._link(cursor=page.previous_cursor)
            elif page.previous_page_number():
                previous = self._link(page=page.previous_page_number())
        if page.has_next:
            if paginator.keyset and page.next_cursor:
                next_ = self._link(cursor=page.next_cursor)
            elif page.next_page_number():
                next_ = self._link(page=page.next_page_number())
        return Response({
            "count": paginator.count,
            "count_exact": paginator.count_exact,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "next": next_,
            "previous": previous,
            "first": self._link(),
            "last": self._link(page="last"),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {"type": "integer", "description": "总人数：count_exact 为 true 时精确，否则为估算值"},
                "count_exact": {"type": "boolean",
                                "description": "count 是否精确。未筛选（或只按组织、截至日期）时取自党员数统计表，精确；"
                                               "其他筛选条件下符合条件的不超过上限时精确计数，超过时为数据库统计信息的估算"},
                "page": {"type": "integer", "nullable": True,
                         "description": "本页页码（从 1 开始）；经 last 链接到达且总数为估算时为 null"},
                "num_pages": {"type": "integer", "description": "总页数（count 为估算时也是估算）"},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "下一页（带 cursor 的链接，按位置翻页，深页同样快）"},
                "previous": {"type": "string", "nullable": True, "format": "uri", "description": "上一页"},
                "first": {"type": "string", "format": "uri", "description": "首页"},
                "last": {"type": "string", "format": "uri", "description": "末页（page=last）"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "页码（从 1 开始）或 last（末页）；超出最后一页时返回末页",
             "schema": {"type": "string"}},
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "翻页位置（next/previous/first/last 链接中的值，不透明、已签名）；无效、被修改、"
                            "已过期或与当前排序不符时返回 400",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"每页条数（不超过 {self.max_page_size}）", "schema": {"type": "integer"}},
        ]


_PERSON_ID = OpenApiParameter("person_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="人员ID")


@extend_schema_view(
    list=extend_schema(summary="党员名册", description="当前用户数据范围内截至 as_of（默认今天）的党员，"
                       "筛选参数与党员名册页面、导出相同。分页给出总数 count 及其是否精确 count_exact（筛选结果较多时为估算），"
                       "翻页用 next/previous 链接（cursor）或 page=N 跳页。"),
    retrieve=extend_schema(summary="党员", parameters=[_PERSON_ID],
                           description="截至 as_of 在数据范围内的党员；否则返回 404。"),
)
class MemberViewSet(ScopedReadOnlyViewSet):
    """The roster (rows: ``Membership`` in force on ``as_of``, ``party.selectors.roster_base``) and one
    member's record and actions (object: the ``PartyMember`` of ``person_id``, ``member_record_get``)."""

    model = Membership
    object_model = PartyMember
    row_model = PartyMember  # a roster row names its member by person_id
    list_selector = roster_base
    get_selector = member_record_get
    serializer_class = MemberSerializer
    pagination_class = RosterPagination
    filter_backends = [RosterFilterBackend]
    filterset_class = MemberFilterSet
    lookup_field = "person_id"
    not_found = "党员不存在或不在您的数据范围内。"

    @scoped_action(scope="view", methods=("get",), url_path="record", output=MemberRecordSerializer,
                   parameters=[_PERSON_ID], summary="党员记录与组织关系",
                   description="入党、转正日期和全部组织关系（含版本号）；不在数据范围内返回 404。")
    def record(self, request, obj, data):
        return obj

    @scoped_action(scope="change", input=TransferRequestSerializer, output=MemberRecordSerializer,
                   url_path="transfer", parameters=[_PERSON_ID], summary="组织关系转接",
                   description="数据范围内转接：原组织关系于 date 结束，新组织关系自 date 开始。version 为未结束组织关系的"
                               "版本号，不一致返回 409；转入组织未成立、已撤销或不在范围内分别返回 400/404。")
    def transfer(self, request, obj, data):
        services.membership_transfer(user=request.user, person_id=obj.pk, to_organization_id=data["to_organization"],
                                     date=data["date"], expected_version=data["version"],
                                     occupation=occupation_request(data), front_line=data.get("front_line"))
        return obj

    @scoped_action(scope="change", input=FullMembershipRequestSerializer, output=MemberRecordSerializer,
                   url_path="full-membership", parameters=[_PERSON_ID], summary="转正",
                   description="预备党员转为正式党员；转正日期须在入党一年以后（《党章》第七条）。version 为党员记录版本号，"
                               "不一致返回 409。")
    def full_membership(self, request, obj, data):
        services.membership_change_category(user=request.user, person_id=obj.pk,
                                            full_membership_date=data["full_membership_date"],
                                            expected_version=data["version"])
        return obj

    @scoped_action(scope="change", input=EndRequestSerializer, output=MemberRecordSerializer, url_path="end",
                   parameters=[_PERSON_ID], summary="结束组织关系",
                   description="未结束的组织关系于 end_date 结束。version 为该组织关系的版本号，不一致返回 409。")
    def end(self, request, obj, data):
        services.membership_end(user=request.user, person_id=obj.pk, end_date=data["end_date"], reason=data["reason"],
                                expected_version=data["version"])
        return obj

    def get_object(self):
        """The ``PartyMember`` of the URL (``ScopedViewSet.get_object``), except for ``events/``: the
        person (``basic.view``), who may not have a party record yet."""
        if getattr(self, "action", None) != "events":
            return super().get_object()
        key = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        person = person_get(user=self.request.user, pk=int(key), action="view") if key.isdigit() and len(key) <= 18 \
            else None
        if person is None:
            raise OutOfScope("人员不存在或不在您的数据范围内。")
        self.scoped_object = person
        return person

    @extend_schema(methods=["POST"], request=EventRequestSerializer, responses={201: EventSerializer})
    @scoped_action(scope="view", methods=("get", "post"), url_path="events", output=EventListSerializer,
                   parameters=[_PERSON_ID], summary="党员变动",
                   description="GET：该人员的全部党员变动（按日期）和人员记录版本号 version。POST：登记一条党员变动"
                               "（kind、detail、date、to_organization、reason_category、extension_months 等，同人员页面），"
                               "返回 201 和该变动；校验失败返回 400（errors 逐项列出字段和依据的条款，未写入任何数据），"
                               "人员或党组织不在数据范围内返回 404，version 过期返回 409。减少类变动需要所在党组织的修改权限，"
                               "发展党员、恢复党籍需要接收党组织的新增权限。")
    def events(self, request, obj, data):
        if request.method == "POST":
            body = parse_input(EventRequestSerializer, request.data)
            event = services.event_record(
                user=request.user, person_id=obj.pk, kind=body["kind"], detail=body["detail"], date=body["date"],
                to_organization_id=body.get("to_organization"), counterpart=body["counterpart"],
                reason_category=body["reason_category"], reason=body["reason"], unreachable=body["unreachable"],
                extension_months=body["extension_months"] or None, document_number=body["document_number"],
                note=body["note"], expected_version=body.get("version"))
            [fresh] = [e for e in member_events(user=request.user, person_id=obj.pk) if e.pk == event.pk] or [event]
            return Response(EventSerializer(fresh).data, status=status.HTTP_201_CREATED)
        person = person_get(user=request.user, pk=obj.pk, action="view")
        return Response(EventListSerializer({"person_id": obj.pk, "version": person.version,
                                             "events": member_events(user=request.user, person_id=obj.pk)}).data)


_EVENT_ID = OpenApiParameter("event_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="党员变动ID")


class MemberEventViewSet(ScopedViewSet):
    """``/api/members/{person_id}/events/{event_id}/…``: one 党员变动 of a member (object: the
    ``MembershipEvent``, ``membership_event_get`` in the route's scope; one of another person, or outside
    the scope, is a 404). Only the 撤销 route (``revoke``)."""

    model = MembershipEvent
    get_selector = membership_event_get
    serializer_class = EventRevokeResultSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "event_id"
    not_found = "党员变动不存在或不在您的数据范围内。"
    pagination_class = None

    def get_object(self):
        """The event of the URL in scope (``ScopedViewSet.get_object``), which must be ``person_id``'s."""
        event = super().get_object()
        if str(event.person_id) != str(self.kwargs.get("person_id")):
            raise OutOfScope(self.not_found)
        return event

    @scoped_action(scope="change", input=EventRevokeRequestSerializer, output=EventRevokeResultSerializer,
                   url_path="revoke", parameters=[_PERSON_ID, _EVENT_ID], summary="撤销党员变动",
                   description="撤销该人员最近一次登记有误的党员变动：组织关系、转正日期和政治面貌恢复到登记之前，"
                               "该变动删除（记入审计日志）。version 为人员记录版本号，不一致返回 409；reason（撤销原因）必填。"
                               "不是最近一次变动、由组织关系转接产生（请在转接中撤回）、发展党员（请更正党员记录）"
                               "或组织关系与变动不一致时返回 400；变动不在数据范围内（所在党组织的修改权限）返回 404。")
    def revoke(self, request, obj, data):
        event = services.event_revoke(user=request.user, event_id=obj.pk, expected_version=data["version"],
                                      reason=data["reason"])
        person = person_get(user=request.user, pk=event.person_id, action="view")
        return Response(EventRevokeResultSerializer({"person_id": event.person_id, "event_id": event.pk,
                                                     "kind": event.kind, "date": event.date,
                                                     "version": person.version if person else None}).data)
