"""后备干部 (reserve pool, issue #12 item 7): the services that enter, move, review and exit reserve cadres and
record their training measures. Keyword-only, ``@transaction.atomic``, audited (the change log of each row
plus an event), scoped by the cadre's unit with label ``cadre`` (``OutOfScope``: the record "does not
exist" for the user).

- ``reserve_enter(*, user, cadre, list_kind, entered_date, target_post="", target_level="",
  young_outstanding=False, review_date=None, note="")`` → the new entry (入库; ``cadre.add``);
- ``reserve_move(*, user, entry, list_kind, date, expected_version, ...)`` → the new entry: the open one ends
  on ``date`` (出库原因 「调整出库」, note 「调整至…」) and a new one opens the same day in the other list —
  the history keeps both (``cadre.change``);
- ``reserve_exit(*, user, entry, exited_date, reason, expected_version, note="")`` → the entry, ended
  (``cadre.change``);
- ``reserve_review(*, user, entry, review_date, expected_version, note="", reviewed_on=None)`` → the entry
  with its next review date; the review is kept in the audit log and appended to 备注 (``cadre.change``);
- ``measure_add(*, user, entry, measure, planned_date=None)`` → a ``ReserveMeasure`` (``cadre.change`` on
  the entry); ``measure_follow_up(*, user, measure, follow_up, done_date=None, expected_version)`` → the
  measure with its 跟踪情况 appended (dated) and its 完成时间.

Rules (``ValidationFailed`` by field; nothing written): one open entry per cadre (a second is refused
naming the open one and its list); dates not in the future (入库、出库、调整); 出库/调整 not before 入库;
a review date not before today's review; only an open entry is moved, reviewed or exited; the cadre is
serving (``status`` 在职). A stale ``expected_version`` is ``ConcurrentEdit``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.cadres.choices import POST_LEVEL, RESERVE_EXIT, RESERVE_LIST
from zugong.cadres.models import Cadre, ReserveCadre, ReserveMeasure
from zugong.cadres.selectors import cadre_for_write
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, fail

LIST = "类别"
ENTERED = "入库时间"
EXITED = "出库时间"
REASON = "出库原因"
REVIEW = "下次复核时间"
TARGET_POST = "拟任职务方向"
TARGET_LEVEL = "拟任职务级别"
NOTE = "备注"
MEASURE = "培养措施"
PLANNED = "计划时间"
DONE = "完成时间"
FOLLOW_UP = "跟踪情况"
MOVE_DATE = "调整时间"


# ----- parsing (pure) ---------------------------------------------------------------------------------------


def parse_day(value, field: str, problems: list[FieldProblem], *, today: dt.date | None, required: bool) -> dt.date | None:
    """``value`` (date or text) as a date; a problem under ``field`` when blank and required, unreadable,
    or (with ``today``) after today."""
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(FieldProblem(field, str(exc)))
        return None
    if day is None:
        if required:
            problems.append(FieldProblem(field, "必填项为空"))
        return None
    if today is not None and day > today:
        problems.append(FieldProblem(field, f"日期 {day.isoformat()} 晚于今天"))
        return None
    return day


def parse_list(value, problems: list[FieldProblem]) -> str | None:
    """The ``RESERVE_LIST`` code of ``value`` (近期使用 / 轮岗锻炼 / 蹲苗培养, or a code)."""
    if value in (None, ""):
        problems.append(FieldProblem(LIST, "必填项为空"))
        return None
    code = RESERVE_LIST.parse(value)
    if code is None:
        problems.append(FieldProblem(LIST, f"无法识别的类别「{value}」（{'、'.join(RESERVE_LIST.names)}）"))
    return code


def parse_level(value, problems: list[FieldProblem]) -> str:
    """The ``POST_LEVEL`` code of ``value`` (``""`` when blank)."""
    if value in (None, ""):
        return ""
    code = POST_LEVEL.parse(value)
    if code is None:
        problems.append(FieldProblem(TARGET_LEVEL, f"无法识别的职务级别「{value}」"))
        return ""
    return code


def _text(value, field: str, limit: int, problems: list[FieldProblem], *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        problems.append(FieldProblem(field, "必填项为空"))
    if len(text) > limit:
        problems.append(FieldProblem(field, f"不能超过 {limit} 个字"))
    return text[:limit]


# ----- scoped fetches ---------------------------------------------------------------------------------------


def _cadre(user, cadre, action: str) -> Cadre:
    return cadre_for_write(user, cadre, action, message="干部不存在或不在您的数据范围内。")


def _entry(user, entry, action: str = "change") -> ReserveCadre:
    pk = getattr(entry, "pk", entry)
    rows = ReserveCadre.objects.all() if user is None else ReserveCadre.objects.restrict(user, action)
    found = (rows.select_for_update(of=("self",)).select_related("cadre", "cadre__person").filter(pk=pk).first()
             if pk not in (None, "") else None)
    if found is None:
        raise OutOfScope("后备干部记录不存在或不在您的数据范围内。")
    return found


def _measure(user, measure, action: str = "change") -> ReserveMeasure:
    pk = getattr(measure, "pk", measure)
    rows = ReserveMeasure.objects.all() if user is None else ReserveMeasure.objects.restrict(user, action)
    found = (rows.select_for_update(of=("self",)).select_related("reserve", "reserve__cadre__person")
             .filter(pk=pk).first() if pk not in (None, "") else None)
    if found is None:
        raise OutOfScope("培养措施不存在或不在您的数据范围内。")
    return found


def _check_version(row, expected_version) -> None:
    if expected_version is not None and int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)


def open_entry_of(cadre_id: int, *, exclude: int | None = None, lock: bool = False) -> ReserveCadre | None:
    """The cadre's open entry (no 出库时间), if any (unscoped: the caller holds the cadre in scope)."""
    rows = ReserveCadre.objects.filter(cadre_id=cadre_id, exited_date__isnull=True)
    if lock:
        rows = rows.select_for_update()
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.first()


def describe(entry: ReserveCadre) -> str:
    """「张伟（近期使用，2024-01-02 入库）」."""
    return f"{entry.cadre.person.name}（{RESERVE_LIST.label(entry.list_kind)}，{entry.entered_date.isoformat()} 入库）"


def _open_problem(existing: ReserveCadre) -> FieldProblem:
    return FieldProblem(LIST, f"「{existing.cadre.person.name}」已在后备干部「{RESERVE_LIST.label(existing.list_kind)}」名单中"
                              f"（{existing.entered_date.isoformat()} 入库），不能重复入库；调整类别请用「调整」")


def _require_open(entry: ReserveCadre, problems: list[FieldProblem]) -> None:
    if entry.exited_date is not None:
        problems.append(FieldProblem(EXITED, f"该记录已于 {entry.exited_date.isoformat()} 出库"))


# ----- services ---------------------------------------------------------------------------------------------


@transaction.atomic
def reserve_enter(*, user, cadre, list_kind, entered_date, target_post: str = "", target_level="",
                  young_outstanding: bool = False, review_date=None, note: str = "",
                  today: dt.date | None = None) -> ReserveCadre:
    """入库: ``cadre`` (a ``Cadre`` or its id) enters the list ``list_kind`` (近期使用 / 轮岗锻炼 / 蹲苗培养,
    code or name) on ``entered_date`` (not in the future), aiming at ``target_post`` (拟任职务方向, text) of
    ``target_level`` (GB/T 12407 code or name, optional), ``young_outstanding`` (优秀年轻干部), next review on
    ``review_date`` (optional, not before the entry). Needs ``cadre.add`` on the cadre's unit (else
    ``OutOfScope``). Refused when the cadre already has an open entry or is not serving. Audited
    (``reserve_enter``)."""
    today = today or timezone.localdate()
    target = _cadre(user, cadre, "add")
    problems: list[FieldProblem] = []
    code = parse_list(list_kind, problems)
    entered = parse_day(entered_date, ENTERED, problems, today=today, required=True)
    review = parse_day(review_date, REVIEW, problems, today=None, required=False)
    level = parse_level(target_level, problems)
    post = _text(target_post, TARGET_POST, 300, problems)
    note = _text(note, NOTE, 500, problems)
    if entered and review and review < entered:
        problems.append(FieldProblem(REVIEW, f"下次复核时间 {review.isoformat()} 早于入库时间 {entered.isoformat()}"))
    if target.status != "serving":
        problems.append(FieldProblem("干部", f"「{target.person.name}」不是在职干部（{target.get_status_display()}），不能入库"))
    # the cadre's row is locked so two concurrent 入库 of one cadre run one after the other (one open entry)
    Cadre.objects.select_for_update().filter(pk=target.pk).values_list("pk", flat=True).first()
    existing = open_entry_of(target.pk, lock=True)
    if existing is not None:
        problems.append(_open_problem(existing))
    fail(problems)
    entry = ReserveCadre.objects.create(cadre=target, list_kind=code, target_post=post, target_level=level,
                                        young_outstanding=bool(young_outstanding), entered_date=entered,
                                        review_date=review, note=note)
    record_event("reserve_enter", user=user, object_type="cadres.reservecadre", object_id=entry.pk,
                 summary=f"后备干部入库：{describe(entry)}",
                 data={"cadre": target.pk, "list_kind": code, "entered_date": entered, "target_post": post,
                       "target_level": level, "young_outstanding": bool(young_outstanding)})
    return entry


@transaction.atomic
def reserve_move(*, user, entry, list_kind, date, expected_version: int | None, target_post=None,
                 target_level=None, young_outstanding=None, review_date=None, note: str = "",
                 today: dt.date | None = None) -> ReserveCadre:
    """调整类别: the open ``entry`` ends on ``date`` (出库原因 「调整出库」) and a new entry of the same cadre
    opens in ``list_kind`` (another list) on the same day, keeping the target, flag and review date unless
    given. History is kept: both rows stay. Needs ``cadre.change`` (else ``OutOfScope``); ``ConcurrentEdit``
    for a stale version. Audited (``reserve_move``). Returns the new entry."""
    today = today or timezone.localdate()
    old = _entry(user, entry)
    _check_version(old, expected_version)
    problems: list[FieldProblem] = []
    _require_open(old, problems)
    code = parse_list(list_kind, problems)
    day = parse_day(date, MOVE_DATE, problems, today=today, required=True)
    review = parse_day(review_date, REVIEW, problems, today=None, required=False) if review_date else old.review_date
    level = parse_level(target_level, problems) if target_level is not None else old.target_level
    post = _text(target_post, TARGET_POST, 300, problems) if target_post is not None else old.target_post
    note = _text(note, NOTE, 500, problems)
    if code and code == old.list_kind:
        problems.append(FieldProblem(LIST, f"已在「{RESERVE_LIST.label(code)}」名单中，无需调整"))
    if day and day < old.entered_date:
        problems.append(FieldProblem(MOVE_DATE, f"调整时间 {day.isoformat()} 早于入库时间 {old.entered_date.isoformat()}"))
    fail(problems)
    old.exited_date = day
    old.exit_reason = "adjusted"
    old.note = ((f"{old.note}；" if old.note else "") + f"调整至「{RESERVE_LIST.label(code)}」")[:500]
    save_with_version(old, old.version, ["exited_date", "exit_reason", "note"])
    new = ReserveCadre.objects.create(
        cadre=old.cadre, list_kind=code, target_post=post, target_level=level,
        young_outstanding=old.young_outstanding if young_outstanding is None else bool(young_outstanding),
        entered_date=day, review_date=review, note=note)
    record_event("reserve_move", user=user, object_type="cadres.reservecadre", object_id=new.pk,
                 summary=f"后备干部调整类别：{old.cadre.person.name} 由「{RESERVE_LIST.label(old.list_kind)}」调整至"
                         f"「{RESERVE_LIST.label(code)}」（{day.isoformat()}）",
                 data={"cadre": old.cadre_id, "from_entry": old.pk, "from": old.list_kind, "to": code, "date": day})
    return new


@transaction.atomic
def reserve_exit(*, user, entry, exited_date, reason, expected_version: int | None, note: str = "",
                 today: dt.date | None = None) -> ReserveCadre:
    """出库: the open ``entry`` ends on ``exited_date`` (not in the future, not before 入库) for ``reason``
    (``RESERVE_EXIT`` code or name: 已提拔使用, 调整出库, 超过年龄, 受到处理, 其他). Needs ``cadre.change``;
    ``ConcurrentEdit`` for a stale version. Audited (``reserve_exit``)."""
    today = today or timezone.localdate()
    row = _entry(user, entry)
    _check_version(row, expected_version)
    problems: list[FieldProblem] = []
    _require_open(row, problems)
    day = parse_day(exited_date, EXITED, problems, today=today, required=True)
    code = RESERVE_EXIT.parse(reason) if reason not in (None, "") else None
    if code is None:
        problems.append(FieldProblem(REASON, "必填项为空" if reason in (None, "")
                                     else f"无法识别的出库原因「{reason}」（{'、'.join(RESERVE_EXIT.names)}）"))
    note = _text(note, NOTE, 500, problems)
    if day and day < row.entered_date:
        problems.append(FieldProblem(EXITED, f"出库时间 {day.isoformat()} 早于入库时间 {row.entered_date.isoformat()}"))
    fail(problems)
    row.exited_date, row.exit_reason = day, code
    fields = ["exited_date", "exit_reason"]
    if note:
        row.note = ((f"{row.note}；" if row.note else "") + note)[:500]
        fields.append("note")
    save_with_version(row, row.version, fields)
    record_event("reserve_exit", user=user, object_type="cadres.reservecadre", object_id=row.pk,
                 summary=f"后备干部出库：{describe(row)}，{day.isoformat()} {RESERVE_EXIT.label(code)}",
                 data={"cadre": row.cadre_id, "exited_date": day, "reason": code, "note": note})
    return row


@transaction.atomic
def reserve_review(*, user, entry, review_date, expected_version: int | None, note: str = "",
                   reviewed_on=None, today: dt.date | None = None) -> ReserveCadre:
    """复核 (动态调整): record that the open ``entry`` was reviewed on ``reviewed_on`` (default today) with
    ``note`` (appended to 备注, dated) and set its next ``review_date`` (after the review). Needs
    ``cadre.change``; ``ConcurrentEdit`` for a stale version. Audited (``reserve_review``)."""
    today = today or timezone.localdate()
    row = _entry(user, entry)
    _check_version(row, expected_version)
    problems: list[FieldProblem] = []
    _require_open(row, problems)
    reviewed = parse_day(reviewed_on, "复核时间", problems, today=today, required=False) or today
    review = parse_day(review_date, REVIEW, problems, today=None, required=True)
    note = _text(note, NOTE, 200, problems)
    if review and review <= reviewed:
        problems.append(FieldProblem(REVIEW, f"下次复核时间 {review.isoformat()} 须晚于本次复核时间 {reviewed.isoformat()}"))
    fail(problems)
    row.review_date = review
    line = f"{reviewed.isoformat()} 复核" + (f"：{note}" if note else "")
    row.note = ((f"{row.note}；" if row.note else "") + line)[-500:]
    save_with_version(row, row.version, ["review_date", "note"])
    record_event("reserve_review", user=user, object_type="cadres.reservecadre", object_id=row.pk,
                 summary=f"后备干部复核：{describe(row)}，下次复核 {review.isoformat()}",
                 data={"cadre": row.cadre_id, "reviewed_on": reviewed, "review_date": review, "note": note})
    return row


@transaction.atomic
def measure_add(*, user, entry, measure, planned_date=None) -> ReserveMeasure:
    """A training measure (培养措施: 挂职、轮岗、培训、交流 …) for the open ``entry``, planned on
    ``planned_date`` (optional). Needs ``cadre.change`` on the entry. Audited (``reserve_measure_add``)."""
    row = _entry(user, entry)
    problems: list[FieldProblem] = []
    _require_open(row, problems)
    text = _text(measure, MEASURE, 300, problems, required=True)
    planned = parse_day(planned_date, PLANNED, problems, today=None, required=False)
    fail(problems)
    created = ReserveMeasure.objects.create(reserve=row, measure=text, planned_date=planned)
    record_event("reserve_measure_add", user=user, object_type="cadres.reservemeasure", object_id=created.pk,
                 summary=f"后备干部培养措施：{row.cadre.person.name} {text}",
                 data={"entry": row.pk, "measure": text, "planned_date": planned})
    return created


@transaction.atomic
def measure_follow_up(*, user, measure, follow_up, done_date=None, expected_version: int | None,
                      today: dt.date | None = None) -> ReserveMeasure:
    """跟踪了解: append ``follow_up`` (dated today) to the measure's 跟踪情况 and set its 完成时间 ``done_date``
    (optional, not in the future). Needs ``cadre.change``; ``ConcurrentEdit`` for a stale version. Audited
    (``reserve_measure_follow_up``)."""
    today = today or timezone.localdate()
    row = _measure(user, measure)
    _check_version(row, expected_version)
    problems: list[FieldProblem] = []
    text = _text(follow_up, FOLLOW_UP, 1000, problems, required=True)
    done = parse_day(done_date, DONE, problems, today=today, required=False)
    fail(problems)
    row.follow_up = (f"{row.follow_up}\n" if row.follow_up else "") + f"{today.isoformat()}：{text}"
    fields = ["follow_up"]
    if done is not None:
        row.done_date = done
        fields.append("done_date")
    save_with_version(row, row.version, fields)
    record_event("reserve_measure_follow_up", user=user, object_type="cadres.reservemeasure", object_id=row.pk,
                 summary=f"培养措施跟踪：{row.reserve.cadre.person.name} {row.measure}",
                 data={"measure": row.pk, "follow_up": text, "done_date": done})
    return row
