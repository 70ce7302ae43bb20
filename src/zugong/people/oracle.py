"""The ID-number existence oracle (公民身份号码「已在其他党组织登记」的查询限额).

Telling a user "this 公民身份号码 is already registered outside your scope" is needed (a transfer must go
through 组织关系转接, not a second record), but each such answer discloses that a citizen is on file
somewhere (PIPL Art. 10/51; GB/T 35273-2020 §7.3; GB/T 22239-2019 8.1.4.8 个人信息保护). So every path
that reveals it — the roster import (page and ``zugong import_roster``, dry runs included) and the person
edit form/API — goes through ``existence_answer``:

- **Audited.** Each answer is an ``id_exists_probe`` event naming the user, the context and *how many*
  numbers were answered; never a number, a mask or a hash of one.
- **Counted per number.** The daily budget (``settings.ZUGONG_ID_PROBE_DAILY_LIMIT``, default 20, per
  user and local calendar day) counts answered numbers, not requests: a file with 30 numbers held outside
  the scope is 30 answers. The same number asked twice is two answers (the events hold no number to
  compare). Numbers held inside the user's scope and numbers refused for other reasons are not answers.
- **Throttled, neutrally.** Beyond the budget nothing more is said: the numbers left over get
  ``THROTTLED_MESSAGE`` and an ``id_probe_throttled`` alert event is written (shown on the security
  administrator's console, ``throttled_today``). To keep the refusal itself from answering, it covers
  every number the user submitted that is *not* held inside the scope — new numbers too — because
  refusing only the existing ones would say which ones exist. Hence a user who has used up today's
  budget cannot register new people (import or ID-number change) until the next day; records already
  in the scope can still be updated. Per user and day the oracle thus tells at most ``limit`` answers,
  plus the single fact that the budget ran out.

The count is one indexed query over today's ``id_exists_probe`` events of the user (``kind`` and
``created_at`` are indexed; a user has a few such events a day), run once per import or edit and only when
some submitted number is not held inside the scope: an import of new people pays one query, not one per
row. On PostgreSQL the count and the event write hold the audit chain's advisory lock, so two concurrent
imports of one user cannot both spend the same budget.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from zugong.audit.models import AuditEvent
from zugong.audit.services import record_event

PROBE_KIND = "id_exists_probe"
THROTTLED_KIND = "id_probe_throttled"
DEFAULT_DAILY_LIMIT = 20
THROTTLED_MESSAGE = "今日公民身份号码查询次数已超过上限，本行未处理，请联系安全管理员"
AUDIT_LOCK = 7730001  # the audit chain's advisory lock (audit.services.record_event)


@dataclass(frozen=True)
class ExistenceAnswer:
    """What the caller may say. ``answered``: how many of the numbers held outside the scope (in the
    caller's order, the first ones) may be reported as such. ``throttled``: the budget ran out — every
    other submitted number not held inside the scope (new or not) must be refused with
    ``THROTTLED_MESSAGE`` and nothing else."""

    answered: int
    throttled: bool


def daily_limit() -> int:
    """``settings.ZUGONG_ID_PROBE_DAILY_LIMIT`` (default 20, at least 1)."""
    return max(int(getattr(settings, "ZUGONG_ID_PROBE_DAILY_LIMIT", DEFAULT_DAILY_LIMIT)), 1)


def _day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight of the current local day (``TIME_ZONE``) as an aware datetime."""
    today = timezone.localdate(now or timezone.now())
    return dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())


def answers_today(user, *, now: dt.datetime | None = None) -> int:
    """Numbers answered to ``user`` since local midnight (sum of today's ``id_exists_probe`` counts)."""
    rows = AuditEvent.objects.filter(kind=PROBE_KIND, actor_id=user.pk, created_at__gte=_day_start(now))
    return sum(int(d.get("count", 0) or 0) for d in rows.values_list("data", flat=True) if isinstance(d, dict))


def existence_answer(*, user, unknown: int, elsewhere: int, context: str, object_type: str = "",
                     object_id: object = "") -> ExistenceAnswer:
    """Decide how many "held outside your scope" answers ``user`` may get now, and audit them.

    ``unknown``: numbers the user submitted that are not held inside the user's scope (new ones and
    ``elsewhere`` together); ``elsewhere``: those among them held by a person outside the scope.
    ``context``: Chinese description of the path (「导入党员花名册「x.xlsx」」, 「修改人员信息」) for the
    audit row; ``object_type``/``object_id`` name the record concerned, if any.

    Writes ``id_exists_probe`` (``data.count`` = answered) when something is answered and
    ``id_probe_throttled`` (answered/refused counts, the limit) when the budget is exhausted. Call it
    outside any transaction that may roll back (the events must outlive the refusal); nothing is
    queried or written when ``unknown`` is 0."""
    if unknown <= 0:
        return ExistenceAnswer(0, False)
    with transaction.atomic():
        return _answer(user=user, unknown=unknown, elsewhere=max(0, min(elsewhere, unknown)), context=context,
                       object_type=object_type, object_id=object_id)


def _answer(*, user, unknown: int, elsewhere: int, context: str, object_type: str, object_id: object) -> ExistenceAnswer:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
    limit = daily_limit()
    used = answers_today(user)
    remaining = max(limit - used, 0)
    answered = min(elsewhere, remaining)
    throttled = elsewhere > remaining or remaining == 0
    if answered:
        record_event(PROBE_KIND, user=user, object_type=object_type, object_id=object_id,
                     summary=f"{context}：告知 {answered} 个公民身份号码已在本人管理范围以外登记",
                     data={"count": answered, "context": context, "answered_today": used + answered,
                           "limit": limit})
    if throttled:
        refused = unknown - answered
        record_event(THROTTLED_KIND, user=user, object_type=object_type, object_id=object_id,
                     summary=f"{context}：今日公民身份号码查询已达上限（{limit} 个），拒绝处理 {refused} 个号码",
                     data={"refused": refused, "answered": answered, "answered_today": used + answered,
                           "limit": limit, "context": context})
    return ExistenceAnswer(answered, throttled)


@dataclass
class ThrottledUser:
    """One line of the security administrator's dashboard item (``throttled_today``)."""

    user_id: int | None
    username: str
    full_name: str = ""
    alerts: int = 0
    refused: int = 0
    answered_today: int = 0
    last_at: dt.datetime | None = None


def throttled_today(*, now: dt.datetime | None = None) -> list[ThrottledUser]:
    """Users throttled since local midnight, most refused first: alerts (``id_probe_throttled`` events),
    numbers refused, numbers answered today, time of the last alert. Two queries."""
    events = (AuditEvent.objects.filter(kind=THROTTLED_KIND, created_at__gte=_day_start(now))
              .order_by("id").values_list("actor_id", "actor_username", "created_at", "data"))
    by_user: dict[object, ThrottledUser] = {}
    for actor_id, username, created_at, data in events:
        data = data if isinstance(data, dict) else {}
        line = by_user.setdefault(actor_id or username, ThrottledUser(actor_id, username))
        line.alerts += 1
        line.refused += int(data.get("refused", 0) or 0)
        line.answered_today = max(line.answered_today, int(data.get("answered_today", 0) or 0))
        line.last_at = created_at
    names: dict[int, str] = defaultdict(str)
    ids = [line.user_id for line in by_user.values() if line.user_id]
    if ids:
        names.update(get_user_model().objects.filter(pk__in=ids).values_list("pk", "full_name"))
    for line in by_user.values():
        line.full_name = names[line.user_id] if line.user_id else ""
    return sorted(by_user.values(), key=lambda line: (-line.refused, line.username))
