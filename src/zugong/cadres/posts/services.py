"""Services of posts, quotas, establishment, appointments and ranks (干部职务与任免, issue #12 items 1–2).

Every service is keyword-only, takes the actor ``user``, runs in one transaction, checks the scope (the
unit tree, label ``cadre``: ``Model.objects.restrict(user, action)``), validates, writes the change log (the
saves) and a domain event (``record_event``), and raises typed errors (``zugong.core.errors``): a target
outside the scope is ``OutOfScope`` (it "does not exist"), a broken rule ``ValidationFailed`` naming the
field in Chinese, a stale ``expected_version`` ``ConcurrentEdit``. Nothing is written on a refusal.

- ``post_create`` / ``post_edit`` / ``post_close`` — 职务岗位 (``cadre.add`` / ``cadre.change``);
- ``quota_set`` — 领导职数 per unit and level, ``establishment_set`` — 编制 per unit and type: effective-dated,
  a new row from D ends the row in force on D (its ``end_date`` becomes D, the first day it no longer holds)
  and ends itself where a later row starts;
- ``appointment_create`` (任职), ``appointment_remove`` (免职), ``appointment_edit`` (更正);
- ``rank_set`` (职级): the new rank from D ends the open one on D.

Dates are ``[start_date, end_date)``: ``end_date`` is the first day no longer held (``cadres.models``).

Appointment rules (each a refusal naming its field):
- the post's unit lies in the actor's ``cadre.add`` scope and the cadre in its ``cadre.change`` scope (else
  ``OutOfScope``);
- 任职日期 given; 免职日期 not before it;
- the appointment lies within the post's existence (``[post.start_date, post.end_date)``);
- the same cadre does not hold the same post twice on any day;
- on no day would the post have more holders than ``post.max_holders`` (1 for a single-holder post);
- 试用期 defaults to ``rules.probation_for`` (12 months for a promotion to a non-elected post up to 厅局级).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zugong.audit.services import record_event
from zugong.cadres.choices import APPOINTMENT_METHOD, ESTABLISHMENT_TYPE, LEVEL_ORDER, POST_LEVEL, RANK
from zugong.cadres.models import Appointment, Cadre, Establishment, Post, PostQuota, RankRecord
from zugong.cadres.posts.rules import probation_for
from zugong.cadres.selectors import cadre_for_write
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, fail
from zugong.orgs.models import Unit

UNIT = "单位"
POST = "职务岗位"
CADRE = "干部"
NAME = "职务名称"
LEVEL = "职务级别"
MAX_HOLDERS = "可任职人数"
POST_START = "设立日期"
POST_END = "撤销日期"
COUNT_QUOTA = "职数"
COUNT_EST = "编制数"
EST_TYPE = "编制类型"
EFFECTIVE = "生效日期"
START = "任职日期"
END = "免职日期"
METHOD = "任职方式"
PROBATION = "试用期（月）"
RANK_FIELD = "职级"
RANK_START = "任职级时间"
NOT_FOUND_UNIT = "单位不存在或不在您的干部管理范围内。"
NOT_FOUND_POST = "职务岗位不存在或不在您的干部管理范围内。"
NOT_FOUND_CADRE = "干部不存在或不在您的干部管理范围内。"
NOT_FOUND_APPOINTMENT = "任免记录不存在或不在您的干部管理范围内。"

POST_FIELDS = ("name", "post_code", "level", "leadership", "counts_against_quota", "max_holders", "position",
               "start_date", "note")
APPOINTMENT_FIELDS = ("start_date", "end_date", "appointment_document", "removal_document", "appointment_reason",
                      "removal_reason", "method", "probation_months", "concurrent")


# ----- parsing helpers (pure) ----------------------------------------------------------------------------------


def _day(value, field: str, problems: list[FieldProblem], *, required: bool) -> dt.date | None:
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(FieldProblem(field, str(exc)))
        return None
    if day is None and required:
        problems.append(FieldProblem(field, "必填项为空"))
    return day


def _level(value, problems: list[FieldProblem]) -> str | None:
    if value in (None, ""):
        problems.append(FieldProblem(LEVEL, "必填项为空"))
        return None
    code = POST_LEVEL.parse(value)
    if code is None:
        problems.append(FieldProblem(LEVEL, f"无法识别的职务级别「{value}」（如：正处级、副科级、131）"))
    return code


def _count(value, field: str, problems: list[FieldProblem]) -> int | None:
    if value in (None, ""):
        problems.append(FieldProblem(field, "必填项为空"))
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems.append(FieldProblem(field, f"「{value}」不是整数"))
        return None
    if number < 0:
        problems.append(FieldProblem(field, f"{field}不能小于零（填写的是 {number}）"))
        return None
    return number


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "是", "y")
    return bool(value)


def _period(start: dt.date, end: dt.date | None) -> str:
    return f"{start.isoformat()} 至 {end.isoformat() if end else '今'}"


# ----- scoped fetches --------------------------------------------------------------------------------------------


def _unit(user, unit, action: str) -> Unit:
    pk = getattr(unit, "pk", unit)
    found = Unit.objects.restrict(user, action, "cadre").filter(pk=pk).first() if pk not in (None, "") else None
    if found is None:
        raise OutOfScope(NOT_FOUND_UNIT)
    return found


def _post(user, post, action: str, *, lock: bool = False) -> Post:
    pk = getattr(post, "pk", post)
    rows = Post.objects.restrict(user, action)
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.select_related("unit").filter(pk=pk).first() if pk not in (None, "") else None
    if found is None:
        raise OutOfScope(NOT_FOUND_POST)
    return found


def _cadre(user, cadre, action: str) -> Cadre:
    return cadre_for_write(user, cadre, action, message=NOT_FOUND_CADRE)


def _appointment(user, appointment, action: str) -> Appointment:
    pk = getattr(appointment, "pk", appointment)
    found = (Appointment.objects.restrict(user, action).select_for_update(of=("self",))
             .select_related("post", "post__unit", "cadre", "cadre__person").filter(pk=pk).first()
             if pk not in (None, "") else None)
    if found is None:
        raise OutOfScope(NOT_FOUND_APPOINTMENT)
    return found


def _check_version(obj, expected_version) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConcurrentEdit(record=obj)


# ----- posts -------------------------------------------------------------------------------------------------


def _post_values(values: dict, problems: list[FieldProblem]) -> dict:
    out = {}
    if "name" in values:
        out["name"] = _text(values["name"], 100)
        if not out["name"]:
            problems.append(FieldProblem(NAME, "必填项为空"))
    if "level" in values:
        out["level"] = _level(values["level"], problems)
    if "max_holders" in values:
        number = _count(values["max_holders"], MAX_HOLDERS, problems)
        if number is not None and number < 1:
            problems.append(FieldProblem(MAX_HOLDERS, "可任职人数至少为 1（单一职数的职务填 1）"))
        out["max_holders"] = number
    if "start_date" in values:
        out["start_date"] = _day(values["start_date"], POST_START, problems, required=True)
    for name in ("leadership", "counts_against_quota"):
        if name in values:
            out[name] = _bool(values[name])
    if "position" in values:
        out["position"] = _count(values["position"] or 0, "排序", problems)
    if "post_code" in values:
        out["post_code"] = _text(values["post_code"], 10)
    if "note" in values:
        out["note"] = _text(values["note"], 500)
    return out


@transaction.atomic
def post_create(*, user, unit, name, level, start_date, leadership: bool = True, counts_against_quota: bool = True,
                max_holders: int = 1, post_code: str = "", position: int = 0, note: str = "") -> Post:
    """设立职务岗位: a post ``name`` of ``unit`` (a ``Unit`` or its id; ``cadre.add`` on it, else
    ``OutOfScope``) at ``level`` (GB/T 12407 code or name: 正处级, 131 …) from ``start_date``;
    ``max_holders`` ≥ 1 (1 = single-holder). ``ValidationFailed`` for a blank name, an unknown level, a bad
    date or count. Audited (``cadre_post_create``). Returns the post."""
    target = _unit(user, unit, "add")
    problems: list[FieldProblem] = []
    values = _post_values({"name": name, "level": level, "start_date": start_date, "leadership": leadership,
                           "counts_against_quota": counts_against_quota, "max_holders": max_holders,
                           "post_code": post_code, "position": position, "note": note}, problems)
    fail(problems)
    post = Post(unit=target, **values)
    post.save()
    record_event("cadre_post_create", user=user, object_type="cadres.post", object_id=post.pk,
                 summary=f"设立职务岗位「{target.name}{post.name}」（{POST_LEVEL.label(post.level)}）",
                 data={"unit": target.code, "name": post.name, "level": post.level, "start_date": post.start_date,
                       "max_holders": post.max_holders})
    return post


def _appointments_of(post_id: int, *, exclude: int | None = None) -> list[Appointment]:
    rows = Appointment.objects.filter(post_id=post_id).select_related("cadre__person").order_by("start_date", "id")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows)


def _max_concurrent(periods: list[tuple[dt.date, dt.date | None]]) -> tuple[int, dt.date | None]:
    """The largest number of ``[start, end)`` periods holding on one day, and the first such day."""
    events: list[tuple[dt.date, int]] = []
    for start, end in periods:
        if end is not None and end <= start:
            continue
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # an end on D (−1) before a start on D: [start, end)
    best, current, when = 0, 0, None
    for day, delta in events:
        current += delta
        if current > best:
            best, when = current, day
    return best, when


@transaction.atomic
def post_edit(*, user, post, expected_version: int | None, changes: dict) -> Post:
    """更正职务岗位: ``changes`` maps any of ``POST_FIELDS`` to a new value. ``cadre.change`` on the post
    (else ``OutOfScope``); ``ConcurrentEdit`` for a stale version; ``ValidationFailed`` for an unknown field,
    a bad value, a 设立日期 after an appointment's start, or a 可任职人数 below the holders already on one
    day. Audited (``cadre_post_edit``, before/after). Returns the post."""
    target = _post(user, post, "change", lock=True)
    _check_version(target, expected_version)
    problems = [FieldProblem(name, "该字段不可修改") for name in sorted(set(changes) - set(POST_FIELDS))]
    fail(problems)
    values = _post_values(changes, problems)
    fail(problems)
    appointments = _appointments_of(target.pk)
    start = values.get("start_date", target.start_date)
    early = [a for a in appointments if a.start_date < start]
    if early:
        problems.append(FieldProblem(POST_START, f"设立日期 {start.isoformat()} 晚于「{early[0].cadre.person.name}」"
                                                 f"的任职日期 {early[0].start_date.isoformat()}"))
    if target.end_date is not None and start >= target.end_date:
        problems.append(FieldProblem(POST_START, f"设立日期须早于撤销日期 {target.end_date.isoformat()}"))
    holders = values.get("max_holders", target.max_holders)
    most, when = _max_concurrent([(a.start_date, a.end_date) for a in appointments])
    if most > holders:
        problems.append(FieldProblem(MAX_HOLDERS, f"{when.isoformat()} 该职务有 {most} 人在任，可任职人数不能少于 {most}"))
    fail(problems)
    fields = [name for name, value in values.items() if getattr(target, name) != value]
    if not fields:
        return target
    before = {name: getattr(target, name) for name in fields}
    for name in fields:
        setattr(target, name, values[name])
    save_with_version(target, target.version, fields)
    record_event("cadre_post_edit", user=user, object_type="cadres.post", object_id=target.pk,
                 summary=f"更正职务岗位「{target.unit.name}{target.name}」",
                 data={"unit": target.unit.code, "before": before, "after": {n: values[n] for n in fields}})
    return target


@transaction.atomic
def post_close(*, user, post, end_date, expected_version: int | None, reason: str = "") -> Post:
    """撤销职务岗位 from ``end_date`` (the first day it no longer exists). ``cadre.change`` on the post;
    ``ValidationFailed`` when already closed, the date is missing or not after 设立日期, or an appointment
    is still held on or after it (免职 first). Audited (``cadre_post_close``)."""
    target = _post(user, post, "change", lock=True)
    _check_version(target, expected_version)
    problems: list[FieldProblem] = []
    if target.end_date is not None:
        problems.append(FieldProblem(POST_END, f"该职务岗位已于 {target.end_date.isoformat()} 撤销"))
    end = _day(end_date, POST_END, problems, required=True)
    if end is not None and end <= target.start_date:
        problems.append(FieldProblem(POST_END, f"撤销日期 {end.isoformat()} 须晚于设立日期 {target.start_date.isoformat()}"))
    if end is not None and not problems:
        held = [a for a in _appointments_of(target.pk) if a.end_date is None or a.end_date > end]
        if held:
            names = "、".join(a.cadre.person.name for a in held[:5])
            problems.append(FieldProblem(POST_END, f"撤销日期 {end.isoformat()} 之后仍有人任该职务（{names}），请先办理免职"))
    fail(problems)
    target.end_date = end
    fields = ["end_date"]
    if reason:
        target.note = _text(f"{target.note}；撤销原因：{reason}" if target.note else f"撤销原因：{reason}", 500)
        fields.append("note")
    save_with_version(target, target.version, fields)
    record_event("cadre_post_close", user=user, object_type="cadres.post", object_id=target.pk,
                 summary=f"撤销职务岗位「{target.unit.name}{target.name}」（自 {end.isoformat()}）",
                 data={"unit": target.unit.code, "end_date": end, "reason": reason})
    return target


# ----- quotas and establishment (effective-dated per unit and key) -----------------------------------------------


def _set_dated(model, *, user, unit, key_field: str, key, count, start_date, document_number: str, count_field: str,
               key_label: str, what: str):
    """Insert the effective-dated row (see ``quota_set``); returns it and the audit event's keyword arguments."""
    target = _unit(user, unit, "add")
    problems: list[FieldProblem] = []
    number = _count(count, count_field, problems)
    start = _day(start_date, EFFECTIVE, problems, required=True)
    fail(problems)
    rows = model.objects.select_for_update().filter(unit=target, **{key_field: key})
    if rows.filter(start_date=start).exists():
        fail([FieldProblem(EFFECTIVE, f"「{target.name}」{key_label}已有 {start.isoformat()} 生效的{what}，"
                                      "同一日期只能有一条（如需更正请先撤销原记录）")])
    previous = rows.filter(start_date__lt=start).order_by("-start_date").first()
    following = rows.filter(start_date__gt=start).order_by("start_date").first()
    row = model(unit=target, count=number, start_date=start, document_number=_text(document_number, 100),
                end_date=following.start_date if following else None, **{key_field: key})
    ended = None
    if previous is not None and (previous.end_date is None or previous.end_date > start):
        ended = previous.end_date
        previous.end_date = start
        save_with_version(previous, previous.version, ["end_date"])
    row.save()
    event = {"user": user, "object_type": model._meta.label_lower, "object_id": row.pk,
             "summary": f"「{target.name}」{key_label}{what}自 {start.isoformat()} 起为 {number}",
             "data": {"unit": target.code, key_field: key, "count": number, "start_date": start,
                      "end_date": row.end_date, "document_number": row.document_number,
                      "previous": previous.pk if previous is not None else None, "previous_end_before": ended}}
    return row, event


@transaction.atomic
def quota_set(*, user, unit, level, count, start_date, document_number: str = "") -> PostQuota:
    """核定领导职数: ``unit`` (``cadre.add``, else ``OutOfScope``) may fill ``count`` (≥ 0) leadership posts
    of ``level`` from ``start_date``. The quota in force on that day ends on it (``end_date = start_date``);
    the new one runs until the next later quota of the same unit and level starts, if any. ``ValidationFailed``
    for a negative or non-integer count, an unknown level, a bad date or a second quota starting the same
    day. Audited (``cadre_quota_set``). Returns the new ``PostQuota``."""
    problems: list[FieldProblem] = []
    code = _level(level, problems)
    fail(problems)
    row, event = _set_dated(PostQuota, user=user, unit=unit, key_field="level", key=code, count=count,
                            start_date=start_date, document_number=document_number, count_field=COUNT_QUOTA,
                            key_label=POST_LEVEL.label(code), what="职数")
    record_event("cadre_quota_set", **event)
    return row


@transaction.atomic
def establishment_set(*, user, unit, establishment_type, count, start_date, document_number: str = "") -> Establishment:
    """核定编制: ``unit`` has ``count`` (≥ 0) posts of ``establishment_type`` (行政/参公/事业/企业/合同, code or
    name) from ``start_date``; effective-dated like ``quota_set``. Audited (``cadre_establishment_set``)."""
    problems: list[FieldProblem] = []
    code = ESTABLISHMENT_TYPE.parse(establishment_type) if establishment_type not in (None, "") else None
    if code is None:
        problems.append(FieldProblem(EST_TYPE, "必填项为空" if establishment_type in (None, "") else
                                     f"无法识别的编制类型「{establishment_type}」（{'、'.join(ESTABLISHMENT_TYPE.names)}）"))
    fail(problems)
    row, event = _set_dated(Establishment, user=user, unit=unit, key_field="establishment_type", key=code, count=count,
                            start_date=start_date, document_number=document_number, count_field=COUNT_EST,
                            key_label=ESTABLISHMENT_TYPE.label(code), what="编制")
    record_event("cadre_establishment_set", **event)
    return row


# ----- appointments ------------------------------------------------------------------------------------------------


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def check_appointment(*, post: Post, cadre: Cadre, start: dt.date, end: dt.date | None,
                      others: list[Appointment]) -> list[FieldProblem]:
    """The rules of an appointment ``[start, end)`` of ``cadre`` to ``post`` against the post's other
    appointments ``others`` (pure: no queries)."""
    problems: list[FieldProblem] = []
    if end is not None and end < start:
        problems.append(FieldProblem(END, f"免职日期 {end.isoformat()} 早于任职日期 {start.isoformat()}"))
        return problems
    if start < post.start_date or (post.end_date is not None and start >= post.end_date):
        problems.append(FieldProblem(START, f"任职日期 {start.isoformat()} 不在该职务岗位存续期间"
                                            f"（{_period(post.start_date, post.end_date)}）内"))
    elif post.end_date is not None and (end is None or end > post.end_date):
        problems.append(FieldProblem(END, f"该职务岗位于 {post.end_date.isoformat()} 撤销，免职日期不能为空或晚于撤销日期"))
    twice = [a for a in others if a.cadre_id == cadre.pk and _overlaps(start, end, a.start_date, a.end_date)]
    if twice:
        a = twice[0]
        problems.append(FieldProblem(START, f"「{cadre.person.name}」在 {_period(a.start_date, a.end_date)} 已任"
                                            f"「{post.name}」，同一人不能同时两次担任同一职务"))
    else:
        overlapping = [a for a in others if _overlaps(start, end, a.start_date, a.end_date)]
        clipped = [(max(a.start_date, start), a.end_date if end is None else min(a.end_date or end, end))
                   for a in overlapping]
        most, when = _max_concurrent([*clipped, (start, end)])
        if most > post.max_holders:
            sitting = [a for a in overlapping if a.start_date <= when and (a.end_date is None or a.end_date > when)]
            names = "、".join(a.cadre.person.name for a in sitting[:5])
            limit = "单一职数职务只能由一人担任" if post.max_holders == 1 else f"可任职人数为 {post.max_holders}"
            problems.append(FieldProblem(START, f"{when.isoformat()} 「{post.unit.name}{post.name}」已有在任人员（{names}），"
                                                f"{limit}，请先办理免职"))
    return problems


def _is_promotion(cadre_id: int, level: str, start: dt.date, *, exclude: int | None = None) -> bool:
    """Whether ``level`` is higher than every level of the cadre's appointments that began before ``start``."""
    rows = Appointment.objects.filter(cadre_id=cadre_id, start_date__lt=start)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    earlier = set(rows.values_list("post__level", flat=True))
    if not earlier:
        return True
    rank = LEVEL_ORDER.index
    return all(level in LEVEL_ORDER and (lv not in LEVEL_ORDER or rank(level) < rank(lv)) for lv in earlier)


def _method(value, problems: list[FieldProblem]) -> str:
    if value in (None, ""):
        return ""
    code = APPOINTMENT_METHOD.parse(value)
    if code is None:
        problems.append(FieldProblem(METHOD, f"无法识别的任职方式「{value}」（{'、'.join(APPOINTMENT_METHOD.names)}）"))
        return ""
    return code


def _probation(value, problems: list[FieldProblem]) -> int | None:
    if value in (None, ""):
        return None
    number = _count(value, PROBATION, problems)
    if number is not None and number > 24:
        problems.append(FieldProblem(PROBATION, "试用期不超过 24 个月"))
    return number


def _describe(appt: Appointment) -> str:
    return f"{appt.cadre.person.name} 任「{appt.post.unit.name}{appt.post.name}」（{_period(appt.start_date, appt.end_date)}）"


@transaction.atomic
def appointment_create(*, user, cadre, post, start_date, end_date=None, appointment_document: str = "",
                       appointment_reason: str = "", method: str = "", probation_months=None,
                       concurrent: bool = False) -> Appointment:
    """任职: ``cadre`` holds ``post`` from ``start_date`` (``end_date`` for a record of a past appointment).
    The post's unit must lie in the actor's ``cadre.add`` scope and the cadre in its ``cadre.change`` scope
    (else ``OutOfScope``). Refusals (``ValidationFailed``): the rules of the module docstring. ``probation_months``
    left empty gets the rule's default (``rules.probation_for``: 12 months for a promotion to a non-elected post
    up to 厅局级; none otherwise); ``concurrent`` marks a 兼任. Audited (``cadre_appointment_create``)."""
    target_post = _post(user, post, "add", lock=True)
    target_cadre = _cadre(user, cadre, "change")
    problems: list[FieldProblem] = []
    start = _day(start_date, START, problems, required=True)
    end = _day(end_date, END, problems, required=False)
    code = _method(method, problems)
    months = _probation(probation_months, problems)
    fail(problems)
    fail(check_appointment(post=target_post, cadre=target_cadre, start=start, end=end,
                           others=_appointments_of(target_post.pk)))
    concurrent = _bool(concurrent)
    if months is None and probation_months in (None, "") and not concurrent:
        months = probation_for(level=target_post.level, method=code, day=start,
                               promotion=_is_promotion(target_cadre.pk, target_post.level, start))
    appt = Appointment(cadre=target_cadre, post=target_post, start_date=start, end_date=end,
                       appointment_document=_text(appointment_document, 100),
                       appointment_reason=_text(appointment_reason, 300), method=code, probation_months=months,
                       concurrent=concurrent)
    appt.save()
    record_event("cadre_appointment_create", user=user, object_type="cadres.appointment", object_id=appt.pk,
                 summary=f"任职：{_describe(appt)}" + (f"，{appt.appointment_document}" if appt.appointment_document else ""),
                 data={"cadre": target_cadre.pk, "post": target_post.pk, "unit": target_post.unit.code,
                       "start_date": start, "end_date": end, "document": appt.appointment_document,
                       "probation_months": months, "concurrent": concurrent})
    return appt


@transaction.atomic
def appointment_remove(*, user, appointment, end_date, removal_document: str = "", removal_reason: str = "",
                       expected_version: int | None = None) -> Appointment:
    """免职: the open ``appointment`` ends on ``end_date`` (the first day no longer held) by
    ``removal_document`` (免职文号) for ``removal_reason``. ``cadre.change`` on the appointment's post (else
    ``OutOfScope``); ``ConcurrentEdit`` for a stale version; ``ValidationFailed`` when already removed, the
    date is missing, before the 任职日期 or after the post's 撤销日期. Audited (``cadre_appointment_remove``)."""
    appt = _appointment(user, appointment, "change")
    _check_version(appt, expected_version)
    problems: list[FieldProblem] = []
    if appt.end_date is not None:
        problems.append(FieldProblem(END, f"该任职已于 {appt.end_date.isoformat()} 免去"))
    end = _day(end_date, END, problems, required=True)
    fail(problems)
    if end < appt.start_date:
        fail([FieldProblem(END, f"免职日期 {end.isoformat()} 早于任职日期 {appt.start_date.isoformat()}")])
    if appt.post.end_date is not None and end > appt.post.end_date:
        fail([FieldProblem(END, f"免职日期晚于该职务岗位的撤销日期 {appt.post.end_date.isoformat()}")])
    appt.end_date = end
    appt.removal_document = _text(removal_document, 100)
    appt.removal_reason = _text(removal_reason, 300)
    save_with_version(appt, appt.version, ["end_date", "removal_document", "removal_reason"])
    record_event("cadre_appointment_remove", user=user, object_type="cadres.appointment", object_id=appt.pk,
                 summary=f"免职：{_describe(appt)}" + (f"，{appt.removal_document}" if appt.removal_document else ""),
                 data={"cadre": appt.cadre_id, "post": appt.post_id, "unit": appt.post.unit.code, "end_date": end,
                       "document": appt.removal_document, "reason": appt.removal_reason})
    return appt


@transaction.atomic
def appointment_edit(*, user, appointment, expected_version: int | None, changes: dict) -> Appointment:
    """更正任免记录: ``changes`` maps any of ``APPOINTMENT_FIELDS`` to a new value (``end_date`` blank: held
    again). ``cadre.change`` on the post (else ``OutOfScope``); ``ConcurrentEdit`` for a stale version;
    ``ValidationFailed`` for an unknown field or any appointment rule on the corrected record. Audited
    (``cadre_appointment_edit``, before/after)."""
    appt = _appointment(user, appointment, "change")
    _check_version(appt, expected_version)
    problems = [FieldProblem(name, "该字段不可修改") for name in sorted(set(changes) - set(APPOINTMENT_FIELDS))]
    fail(problems)
    new = {}
    if "start_date" in changes:
        new["start_date"] = _day(changes["start_date"], START, problems, required=True)
    if "end_date" in changes:
        new["end_date"] = _day(changes["end_date"], END, problems, required=False)
    if "method" in changes:
        new["method"] = _method(changes["method"], problems)
    if "probation_months" in changes:
        new["probation_months"] = _probation(changes["probation_months"], problems)
    if "concurrent" in changes:
        new["concurrent"] = _bool(changes["concurrent"])
    for name, limit in (("appointment_document", 100), ("removal_document", 100), ("appointment_reason", 300),
                        ("removal_reason", 300)):
        if name in changes:
            new[name] = _text(changes[name], limit)
    fail(problems)
    start, end = new.get("start_date", appt.start_date), new.get("end_date", appt.end_date)
    post = Post.objects.select_for_update().select_related("unit").get(pk=appt.post_id)
    fail(check_appointment(post=post, cadre=appt.cadre, start=start, end=end,
                           others=_appointments_of(post.pk, exclude=appt.pk)))
    fields = [name for name, value in new.items() if getattr(appt, name) != value]
    if not fields:
        return appt
    before = {name: getattr(appt, name) for name in fields}
    for name in fields:
        setattr(appt, name, new[name])
    save_with_version(appt, appt.version, fields)
    record_event("cadre_appointment_edit", user=user, object_type="cadres.appointment", object_id=appt.pk,
                 summary=f"更正任免记录：{_describe(appt)}",
                 data={"cadre": appt.cadre_id, "post": appt.post_id, "before": before,
                       "after": {n: new[n] for n in fields}})
    return appt


# ----- ranks -------------------------------------------------------------------------------------------------------


@transaction.atomic
def rank_set(*, user, cadre, rank, start_date, document_number: str = "") -> RankRecord:
    """确定职级: ``cadre`` (``cadre.change``, else ``OutOfScope``) holds ``rank`` (code or name: 一级调研员 …)
    from ``start_date``; the rank held then ends on that day. ``ValidationFailed`` for an unknown rank, a
    missing date, or a date not after the start of the cadre's latest rank. Audited (``cadre_rank_set``)."""
    target = _cadre(user, cadre, "change")
    problems: list[FieldProblem] = []
    code = RANK.parse(rank) if rank not in (None, "") else None
    if code is None:
        problems.append(FieldProblem(RANK_FIELD, "必填项为空" if rank in (None, "") else
                                     f"无法识别的职级「{rank}」（{'、'.join(RANK.names)}）"))
    start = _day(start_date, RANK_START, problems, required=True)
    fail(problems)
    latest = RankRecord.objects.select_for_update().filter(cadre=target).order_by("-start_date", "-id").first()
    if latest is not None and start <= latest.start_date:
        fail([FieldProblem(RANK_START, f"任职级时间 {start.isoformat()} 须晚于现职级「{RANK.label(latest.rank)}」的"
                                       f"任职级时间 {latest.start_date.isoformat()}")])
    if latest is not None and (latest.end_date is None or latest.end_date > start):
        latest.end_date = start
        save_with_version(latest, latest.version, ["end_date"])
    record = RankRecord(cadre=target, rank=code, start_date=start, document_number=_text(document_number, 100))
    record.save()
    record_event("cadre_rank_set", user=user, object_type="cadres.rankrecord", object_id=record.pk,
                 summary=f"{target.person.name} 自 {start.isoformat()} 起任{RANK.label(code)}",
                 data={"cadre": target.pk, "rank": code, "start_date": start, "document_number": record.document_number,
                       "previous": latest.pk if latest is not None else None})
    return record
