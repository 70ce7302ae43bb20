"""党员状态 (``MemberStatus``, issue #10): 流动党员 (第三十三表), 失联党员 (第四十三表) and 出国（境） — services
and scoped selectors. Pages (``party.status_views``), the API (``party.api.statuses``) and scripts call
them; each service is keyword-only, atomic, audited (change log + a domain event) and raises the typed
errors of ``core.errors``.

- ``status_start(*, user, person_id, kind, start_date, …) -> MemberStatus``: a status opens on
  ``start_date`` (流出 / 失去联系 / 出国（境）之日).
- ``status_end(*, user, status_id, end_date, expected_version) -> MemberStatus``: it ends on ``end_date``
  (返回 / 恢复联系 / 回国（境）之日; on that day it no longer holds: ``[start_date, end_date)``).

Rules (every refusal names its field and, where there is one, the rule's source):

- the member must be a party member with a membership in force on ``start_date`` (``Membership.on``) — a
  status describes a member, not a former member or an applicant; the status is recorded at the
  organization of the member's open membership (else of the one in force on ``start_date``), which must
  lie in the user's ``party.change`` scope (``OutOfScope`` otherwise: the member "does not exist");
- one open status per kind (``MemberStatus`` constraint ``party_status_one_open_per_kind``), and no overlap
  with an earlier status of the same kind;
- dates are not in the future; ``end_date`` is not before ``start_date``;
- 流动党员: 流动范围 (跨省 / 省内跨市（地） / 市（地）内) and 外出流向 (第三十三表 rows; 「不掌握流向」 is a row
  of its own) are required; 原职业 (第三十三表 columns) defaults to the one the member's 工作岗位 gives
  (``original_occupation_of``); 失联党员: 失去联系情形 (第四十三表) is required; fields of another kind are
  refused.

《中国共产党党内统计年报》 第三十三表 (流动党员情况) counts the members flowing out on 31 December by 流动范围,
外出流向 and 原职业; 第四十三表 (失去联系党员情况) by 失去联系时间 (from six months: 《中国共产党党员教育管理
工作条例》(2019) treats a member out of contact for six months or more, not found by every means, as lost —
to be suspended, 停止党籍, and removed two years later) and 情形. The status records the facts from the day
contact was lost; the annual report and the lifecycle services (停止党籍) apply the thresholds.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.concurrency import save_with_version
from zugong.core.errors import ConcurrentEdit, OutOfScope
from zugong.party.choices import (
    FLOW_DESTINATION,
    FLOW_SCOPE,
    LOST_CONTACT_SITUATION,
    MOBILE_ORIGINAL_OCCUPATION,
    STATUS_KIND,
)
from zugong.party.models import Membership, MemberStatus, PartyMember
from zugong.people.services import parse_day, parse_yes_no, raise_problems
from zugong.people.validators import Problem

SOURCE_33 = "党内统计年报第三十三表"
SOURCE_43 = "党内统计年报第四十三表"

# The fields each kind takes (besides the dates and 备注): field → (Chinese name, code table or None, required).
KIND_FIELDS: dict[str, dict[str, tuple[str, object, bool]]] = {
    "mobile": {
        "flow_scope": ("流动范围", FLOW_SCOPE, True),
        "destination_type": ("外出流向", FLOW_DESTINATION, True),
        "destination": ("流入地（单位）", None, False),
        "original_occupation": ("原职业", MOBILE_ORIGINAL_OCCUPATION, False),
        "has_certificate": ("持流动党员活动证", None, False),
    },
    "lost_contact": {"lost_situation": ("失去联系情形", LOST_CONTACT_SITUATION, True)},
    "abroad": {"destination": ("前往国家（地区）", None, False)},
}
"""Which optional fields each status kind uses; the others must stay blank."""

ALL_FIELDS = ("flow_scope", "destination_type", "destination", "original_occupation", "has_certificate",
              "lost_situation")
START_LABEL = {"mobile": "外出日期", "lost_contact": "失去联系日期", "abroad": "出国（境）日期"}
END_LABEL = {"mobile": "返回日期", "lost_contact": "恢复联系日期", "abroad": "回国（境）日期"}


# ----- selectors ---------------------------------------------------------------------------------------


def member_status_list(*, user, action: str = "view") -> QuerySet[MemberStatus]:
    """Every status in ``user``'s ``party.<action>`` scope (through the organization it was recorded at),
    with person and organization joined, newest first."""
    return (MemberStatus.objects.restrict(user, action).select_related("person", "organization")
            .defer("person__id_number_encrypted", "person__phone_encrypted")
            .order_by("-start_date", "-pk"))


def member_status_get(*, user, pk: int, action: str = "view") -> MemberStatus | None:
    """The status ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``."""
    return member_status_list(user=user, action=action).filter(pk=pk).first()


def member_statuses_of(*, user, person_id: int, action: str = "view") -> list[MemberStatus]:
    """The statuses of person ``person_id`` in ``user``'s ``party.<action>`` scope, newest first (one query)."""
    return list(member_status_list(user=user, action=action).filter(person_id=person_id))


def statuses_on(day: dt.date) -> Q:
    """Condition of the statuses holding on ``day`` (``start_date <= day < end_date``, open end)."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


# ----- helpers -----------------------------------------------------------------------------------------


def original_occupation_of(membership: Membership | None) -> str:
    """第三十三表 原职业 of a member flowing out, from the 工作岗位 of ``membership``: 工勤技能人员 (工人) →
    ``skilled_worker``; 农牧渔民 → ``farmer``; 管理人员 / 专业技术人员 of a 公有制 unit (事业单位, 公有制企业)
    → ``public_staff``; anything else (学生, 离退休, 非公有制 staff, blank) → ``""`` (to be given: the
    columns 未就业的高校毕业生, 中介组织从业人员, 执业律师, 会计师, 其他 are not in the 工作岗位)."""
    if membership is None:
        return ""
    if membership.occupation == "worker":
        return "skilled_worker"
    if membership.occupation == "farmer":
        return "farmer"
    if membership.occupation in ("manager", "professional") and membership.ownership == "public":
        return "public_staff"
    return ""


def _anchor_membership(user, person_id: int, day: dt.date | None) -> tuple[Membership | None, Membership | None]:
    """``(the membership the status is recorded at, the membership in force on day)``: the open membership,
    else the one in force on ``day``, else the latest; the first is ``None`` when there is none or it lies
    outside the user's ``party.change`` scope (the caller raises ``OutOfScope``)."""
    periods = list(Membership.objects.filter(person_id=person_id).select_related("organization")
                   .order_by("-start_date", "-pk"))
    on_day = next((m for m in periods if day is not None and m.start_date <= day
                   and (m.end_date is None or m.end_date > day)), None)
    current = next((m for m in periods if m.end_date is None), None)
    anchor = current or on_day or (periods[0] if periods else None)  # a former member: the last period
    if anchor is None:
        return None, None
    if not Membership.objects.restrict(user, "change").filter(pk=anchor.pk).exists():
        return None, on_day
    return anchor, on_day


def _clean_fields(kind: str, values: dict, problems: list[Problem], *, membership: Membership | None) -> dict:
    """The kind's fields as codes (``KIND_FIELDS``); fields of another kind given → a problem each."""
    out: dict = {name: "" for name in ALL_FIELDS}
    out["has_certificate"] = False
    allowed = KIND_FIELDS.get(kind, {})
    for name in ALL_FIELDS:
        raw = values.get(name)
        given = raw not in (None, "", False)
        if name not in allowed:
            if given:
                label = next((f[0] for k in KIND_FIELDS.values() for n, f in k.items() if n == name), name)
                problems.append(Problem(label, f"「{label}」不适用于{STATUS_KIND.label(kind)}"))
            continue
        label, table, required = allowed[name]
        if name == "has_certificate":
            out[name] = parse_yes_no(raw, label, problems)
        elif table is None:
            out[name] = str(raw or "").strip()[:200]
        elif given:
            code = table.parse(raw)
            if code is None:
                problems.append(Problem(label, f"无法识别的{label}「{raw}」（{'、'.join(table.names)}）"))
            else:
                out[name] = code
        elif name == "original_occupation":
            out[name] = original_occupation_of(membership)
        elif required:
            source = SOURCE_33 if kind == "mobile" else SOURCE_43
            problems.append(Problem(label, f"必填项为空（{source}按{label}统计）"))
    return out


def _describe(status: MemberStatus) -> str:
    until = f"至 {status.end_date.isoformat()}" if status.end_date else "至今"
    return f"{STATUS_KIND.label(status.kind)}（{status.start_date.isoformat()} {until}）"


# ----- services ----------------------------------------------------------------------------------------


def status_start(*, user, person_id: int, kind: str, start_date, flow_scope: str = "", destination_type: str = "",
                 destination: str = "", original_occupation: str = "", has_certificate=False,
                 lost_situation: str = "", note: str = "", today: dt.date | None = None) -> MemberStatus:
    """Open a status of ``kind`` (``STATUS_KIND``: ``mobile`` 流动党员, ``lost_contact`` 失联党员, ``abroad``
    出国（境）; code or name) for member ``person_id`` from ``start_date`` (``dt.date`` or text). Codes as
    code or name (``FLOW_SCOPE``, ``FLOW_DESTINATION``, ``MOBILE_ORIGINAL_OCCUPATION``,
    ``LOST_CONTACT_SITUATION``); ``has_certificate``: 持《中国共产党流动党员活动证》 (是/否).

    Requires ``party.change`` on the member's organization (else ``OutOfScope``). Raises
    ``ValidationFailed`` (every problem by field, nothing written) for the rules of the module docstring:
    unknown kind or code, a missing required field, a field of another kind, a future date, no membership
    in force on ``start_date`` (「该人员在该日不是党员」), an open status of the same kind, an overlap with an
    earlier one. Audited: the change log of the new row and a ``member_status_start`` event. Returns the
    new status."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    code = STATUS_KIND.parse(kind) if kind not in (None, "") else None
    if code is None:
        problems.append(Problem("党员状态", "请选择党员状态" if kind in (None, "") else f"无法识别的党员状态「{kind}」"))
    start_name = START_LABEL.get(code or "", "起始日期")
    start = parse_day(start_date, start_name, problems, required=True, today=today)
    with transaction.atomic():
        if not PartyMember.objects.filter(pk=person_id).exists():
            anchor = None
        else:
            anchor, on_day = _anchor_membership(user, person_id, start)
        if anchor is None:
            raise OutOfScope("该党员不存在或不在您的数据范围内。")
        fields = _clean_fields(code, {"flow_scope": flow_scope, "destination_type": destination_type,
                                      "destination": destination, "original_occupation": original_occupation,
                                      "has_certificate": has_certificate, "lost_situation": lost_situation},
                               problems, membership=on_day or anchor) if code else {}
        if start is not None and on_day is None:
            problems.append(Problem(start_name, f"该人员在 {start.isoformat()} 不是党员（没有当日有效的组织关系），"
                                                f"不能登记为{STATUS_KIND.label(code) if code else '党员状态'}"))
        if code and start is not None:
            same = list(MemberStatus.objects.select_for_update().filter(person_id=person_id, kind=code)
                        .order_by("start_date"))
            open_one = next((s for s in same if s.end_date is None), None)
            if open_one is not None:
                problems.append(Problem("党员状态", f"该党员已有未结束的{_describe(open_one)}记录，"
                                                  f"请先登记其{END_LABEL[code]}（同一类状态只能有一条未结束的记录）"))
            else:
                overlap = next((s for s in same if s.end_date is not None and s.start_date <= start < s.end_date), None)
                if overlap is not None:
                    problems.append(Problem(start_name, f"{start_name} {start.isoformat()} 与已有的"
                                                        f"{_describe(overlap)}记录重叠"))
        raise_problems(problems)
        status = MemberStatus(person_id=person_id, organization=anchor.organization, kind=code, start_date=start,
                              note=str(note or "").strip()[:500], **fields)
        try:
            with transaction.atomic():
                status.save()
        except IntegrityError:  # a concurrent start of the same kind (party_status_one_open_per_kind)
            raise_problems([Problem("党员状态", f"该党员已有未结束的{STATUS_KIND.label(code)}记录")])
        record_event("member_status_start", user=user, object_type="party.memberstatus", object_id=status.pk,
                     summary=f"人员 #{person_id} 自 {start.isoformat()} 登记为{STATUS_KIND.label(code)}",
                     data={"person": person_id, "kind": code, "start_date": start,
                           "organization": anchor.organization.code})
    return status


def status_end(*, user, status_id: int, end_date, expected_version: int, today: dt.date | None = None) -> MemberStatus:
    """End the open status ``status_id`` on ``end_date`` (``dt.date`` or text: the day the member returned,
    was back in contact or came back; the status no longer holds on that day). ``expected_version``: the
    status's ``version`` as loaded.

    Requires ``party.change`` on the organization the status was recorded at (else ``OutOfScope``).
    Raises ``ValidationFailed`` when the status has already ended, the date is missing, in the future or
    before ``start_date``; ``ConcurrentEdit`` for a stale version. Audited (change log,
    ``member_status_end``). Returns the status."""
    today = today or timezone.localdate()
    with transaction.atomic():
        status = (MemberStatus.objects.restrict(user, "change").select_for_update(of=("self",))
                  .select_related("organization").filter(pk=status_id).first())
        if status is None:
            raise OutOfScope("该党员状态记录不存在或不在您的数据范围内。")
        if expected_version is not None and int(expected_version) != status.version:
            raise ConcurrentEdit(record=status)
        problems: list[Problem] = []
        end_name = END_LABEL.get(status.kind, "结束日期")
        if status.end_date is not None:
            problems.append(Problem(end_name, f"该记录已于 {status.end_date.isoformat()} 结束"))
        day = parse_day(end_date, end_name, problems, required=True, today=today)
        if day is not None and day < status.start_date:
            problems.append(Problem(end_name, f"{end_name} {day.isoformat()} 早于{START_LABEL[status.kind]} "
                                              f"{status.start_date.isoformat()}"))
        raise_problems(problems)
        status.end_date = day
        save_with_version(status, expected_version if expected_version is not None else status.version, ["end_date"])
        record_event("member_status_end", user=user, object_type="party.memberstatus", object_id=status.pk,
                     summary=f"人员 #{status.person_id} 的{STATUS_KIND.label(status.kind)}记录于 {day.isoformat()} 结束",
                     data={"person": status.person_id, "kind": status.kind, "end_date": day})
    return status
