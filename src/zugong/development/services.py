"""发展党员 services (issue #11): every change of a pipeline goes through one function here — pages, the API
and scripts call the same code, so one input gets one answer everywhere.

- ``development_start(*, actor, person, organization, application_date)`` — 第1步 递交入党申请书: opens a
  ``party.DevelopmentRecord`` and its step 1.
- ``step_record(*, actor, record, step, date, …)`` — any later step, with the guards below; step 17 (上级党委
  审批) writes the 发展党员 membership event (``party.services.admit``: 入党日期 = the 支部大会 date of step
  15), step 24 the 转正 decision (``party.services.decide_full_membership``).
- ``mentors_assign`` / ``sponsors_assign`` — 培养联系人 (1–2 正式党员, 第十条) and 入党介绍人 (2 正式党员, 第十五条).
- ``development_close(*, actor, record, date, reason)`` — 终止培养 before admission.

Each is keyword-only, ``@transaction.atomic``, audited (the change log of every row — the models are
``BaseModel``s — and a domain event ``development_*``), and refuses with ``StepRefused`` (a
``ValidationFailed``: nothing written) whose message names the step, the reason and the article of
《中国共产党发展党员工作细则》; an organization, person or record outside the actor's ``party`` scope is
``OutOfScope`` (404).

Guards of ``step_record`` (``legal_next_steps`` is the state machine):

- steps in order, none skipped: a step needs every earlier one (the half-yearly assessment 6 and the
  probation assessment 21 at least once; they may repeat until the next step); 23/24 repeat once more after
  an extension (延长预备期); nothing after 25, nothing on a closed record;
- the date: not in the future, not before the latest recorded step (or the application);
- 2 谈话: within one month of the application; later only with a recorded reason (``special_reason``: the
  talk is a fact and is recorded, marked late, and stays on the overdue list's history) — 第七条;
- 5: 1–2 培养联系人 assigned on the date (第十条); 7: at least one year after step 3 (第十四条);
- 9: two 入党介绍人 assigned, both 正式党员 on the date (第十五条);
- 11: training ≥ 3 days or ≥ 24 class hours (第十八条);
- 15 and 23: 应到 = the full members of the branch on the date (computed; another figure needs
  ``votes_expected_reason``), 实到 > half of 应到, 赞成 > half of 应到, 赞成 ≤ 实到 ≤ 应到 (第二十四条);
- 17: within three months of the vote (15); up to six with ``special_reason`` (第二十七条);
- 23: not before the probation is full (入党日期 + 1 year, + the extension); outcome 按期转正 or 延长预备期
  (6–12 months, the lifecycle's rule); 24 takes the outcome of the vote it approves.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.concurrency import save_with_version
from zugong.core.dates import add_years, age_on
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.development import rules
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.orgs.models import PartyOrganization
from zugong.party.lifecycle import add_months
from zugong.party.models import DevelopmentRecord, Membership, PartyMember
from zugong.party.rules import member_category_q, probation_years
from zugong.people.models import Person

BRANCH_TYPES = ("branch", "joint_branch", "temporary_branch")


class StepRefused(ValidationFailed):
    """A pipeline move refused: ``step`` (1..25, or 0 for the record as a whole), ``article`` (of the 细则)
    and the Chinese ``message`` 「第N步「name」：reason（《…细则》第x条）」. Nothing was written."""

    def __init__(self, step: int, reason: str, *, article: str = "", field: str = ""):
        self.step, self.article = step, article
        where = rules.STEPS[step].label if step in rules.STEPS else "发展党员"
        source = "" if article == "-" else (article or (rules.STEPS[step].source if step in rules.STEPS else ""))
        message = f"{where}：{reason}" + (f"（依据：{source}）" if source else "")
        super().__init__([RowError(0, field or where, message)], message=message)


def _today(today):
    return today or timezone.localdate()


def _day(value, step: int, field: str = "日期") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise StepRefused(step, f"无法识别的{field}「{value}」（格式 YYYY-MM-DD）", field=field, article="-") from None


def _pk(value) -> int:
    return value.pk if hasattr(value, "pk") else int(value)


def _scoped_record(actor, record, action: str = "change") -> DevelopmentRecord:
    found = (DevelopmentRecord.objects.restrict(actor, action).select_for_update(of=("self",))
             .select_related("person", "organization").filter(pk=_pk(record)).first())
    if found is None:
        raise OutOfScope("发展党员记录不存在或不在您的数据范围内。")
    return found


def _steps_of(record) -> list[DevelopmentStep]:
    return list(DevelopmentStep.objects.filter(record=record).order_by("date", "pk"))


def is_full_member_on(person_id: int, day: dt.date) -> bool:
    """Whether ``person_id`` is a 正式党员 on ``day``: a membership in force and a 转正日期 on or before it."""
    return (Membership.objects.on(day).filter(person_id=person_id).exists()
            and PartyMember.objects.filter(member_category_q("full", on=day), pk=person_id).exists())


def full_members_on(organization_id: int, day: dt.date) -> int:
    """应到 of a branch meeting on ``day``: the 正式党员 of organization ``organization_id`` on that day (those
    with voting rights, 《党章》第七条：预备党员没有表决权). One query."""
    return (Membership.objects.on(day).filter(member_category_q("full", on=day, prefix="person__party_member__"),
                                              organization_id=organization_id)
            .values("person_id").distinct().count())


# ----- the state machine ----------------------------------------------------------------------------------

def done_numbers(record, steps) -> set[int]:
    """Step numbers recorded on ``record``; step 1 counts as done for a record without its row (a record
    imported with its stage dates only: its 递交入党申请书 is the ``application_date``)."""
    done = {s.step for s in steps}
    done.add(1)
    return done


def _latest(steps, number):
    rows = [s for s in steps if s.step == number]
    return max(rows, key=lambda s: (s.date, s.pk)) if rows else None


def legal_next_steps(record, steps) -> list[int]:
    """The steps that may be recorded next on ``record`` (``steps``: its rows), in order: the first step not
    yet recorded, plus the repeatable assessment before it (6 before 7, 21 before 22); in the 预备期 after a
    vote (23) its approval (24) only; after an approved extension 21 and 23 again; nothing on a closed
    record or after 25."""
    if record.closed_date is not None:
        return []
    done = done_numbers(record, steps)
    if 23 in done:
        last23, last24 = _latest(steps, 23), _latest(steps, 24)
        if last24 is None or (last24.date, last24.pk) < (last23.date, last23.pk):
            return [24]
        if last24.outcome == "extended":
            return [21, 23]
        return [] if 25 in done else [25]
    first = next((n for n in range(1, 26) if n not in done), None)
    if first is None:
        return []
    out = [first]
    if first in (7, 22):
        out.insert(0, first - 1)
    return out


def _missing(record, steps, number: int) -> str:
    done = done_numbers(record, steps)
    missing = [n for n in rules.STEPS[number].prerequisites if n not in done]
    if missing:
        first = rules.STEPS[missing[0]]
        return f"须先完成{first.label}（发展党员须按程序逐步进行，不得跳过步骤）"
    return "当前不能登记此步骤"


def probation_end(record, steps) -> dt.date | None:
    """The day the 预备期 is full: 入党日期 (the vote of step 15, or ``record.admission_date``) + one year
    (《党章》第七条), + the months of an approved extension (step 24 ``extended``)."""
    admission = record.admission_date
    if admission is None:
        return None
    end = add_years(admission, probation_years(on=admission))
    extension = next((s for s in steps if s.step == 24 and s.outcome == "extended"), None)
    if extension is not None and extension.extension_months:
        end = add_months(end, extension.extension_months)
    return end


# ----- services -------------------------------------------------------------------------------------------

@transaction.atomic
def development_start(*, actor, person, organization, application_date, note: str = "",
                      today: dt.date | None = None) -> DevelopmentRecord:
    """第1步 递交入党申请书: open a development record of ``person`` (``Person`` or id) at ``organization``
    (a 党支部 / 联合党支部 / 临时党支部, instance or id) from ``application_date`` (``dt.date`` or ISO text)
    and record its step 1.

    Scope: ``party.add`` on the organization and the person visible (``party.view``/``basic.view`` through
    ``Person.objects.restrict``) — else ``OutOfScope``. Refused (``StepRefused``, nothing written): a date in
    the future; an organization that is not a branch (党小组, 党委… do not develop members, 《党章》第五条:
    发展党员必须经过党的支部); under 18 on the application date (第五条); a person who is a party member
    (an open membership) or already has an open pipeline. Audited (``development_start``). Returns the record."""
    today = _today(today)
    org = PartyOrganization.objects.restrict(actor, "add", label="party").filter(pk=_pk(organization)).first()
    if org is None:
        raise OutOfScope("党组织不存在或不在您的数据范围内。")
    who = Person.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=_pk(person)).first()
    if who is None:
        raise OutOfScope("人员不存在或不在您的数据范围内。")
    day = _day(application_date, 1, "递交入党申请书日期")
    if day > today:
        raise StepRefused(1, f"日期 {day.isoformat()} 晚于今天", field="递交入党申请书日期", article="-")
    if org.org_type not in BRANCH_TYPES:
        raise StepRefused(1, f"「{org.name}」不是党支部，发展党员须经过党的支部（请选择党支部、联合党支部或临时党支部）",
                          article="《中国共产党章程》第五条", field="培养党组织")
    minimum = rules.threshold("min_age", day)
    if who.birth_date is None or age_on(who.birth_date, day) < minimum:
        born = who.birth_date.isoformat() if who.birth_date else "未填"
        raise StepRefused(1, f"递交入党申请书时未满{minimum}周岁（出生日期 {born}，申请日期 {day.isoformat()}）",
                          article=rules.source("min_age"), field="递交入党申请书日期")
    if Membership.objects.filter(person=who, end_date__isnull=True).exists():
        raise StepRefused(1, f"「{who.name}」已是党员，不能再登记入党申请", article="-", field="人员")
    if DevelopmentRecord.objects.filter(person=who, admission_date__isnull=True, closed_date__isnull=True).exists():
        raise StepRefused(1, f"「{who.name}」已有未结束的发展党员记录（同一时间只能在一个党组织申请入党）",
                          article=rules.STEPS[1].source, field="人员")
    record = DevelopmentRecord.objects.create(person=who, organization=org, application_date=day)
    DevelopmentStep.objects.create(record=record, step=1, date=day, actor=who.name, note=(note or "")[:500])
    record_event("development_start", user=actor, object_type="party.developmentrecord", object_id=record.pk,
                 summary=f"人员 #{who.pk} 于 {day.isoformat()} 向「{org.name}」递交入党申请书",
                 data={"person": who.pk, "organization": org.code, "application_date": day})
    return record


def _votes(record, number: int, day: dt.date, votes_expected, votes_expected_reason: str, votes_present,
           votes_in_favour) -> dict:
    computed = full_members_on(record.organization_id, day)
    expected = computed if votes_expected in (None, "") else int(votes_expected)
    reason = (votes_expected_reason or "").strip()
    if expected != computed and not reason:
        raise StepRefused(number, f"应到 {expected} 人与名册计算的 {day.isoformat()} 有表决权的正式党员 {computed} 人不一致，"
                                  "请填写调整原因（如已请假外出、受留党察看处分等）", field="应到人数调整原因")
    if votes_present in (None, "") or votes_in_favour in (None, ""):
        raise StepRefused(number, "请填写实到人数和赞成人数", field="实到")
    present, favour = int(votes_present), int(votes_in_favour)
    if expected <= 0:
        raise StepRefused(number, "应到有表决权的正式党员为 0 人，不能召开支部大会表决", field="应到")
    if present > expected:
        raise StepRefused(number, f"实到 {present} 人多于应到 {expected} 人", field="实到")
    if favour > present:
        raise StepRefused(number, f"赞成 {favour} 人多于实到 {present} 人", field="赞成")
    if present * 2 <= expected:
        raise StepRefused(number, f"到会有表决权的正式党员 {present} 人未超过应到 {expected} 人的半数，不足法定人数",
                          field="实到", article=f"{rules.REGULATION}第二十四条")
    if favour * 2 <= expected:
        raise StepRefused(number, f"赞成 {favour} 人未超过应到会有表决权的正式党员 {expected} 人的半数，决议未通过",
                          field="赞成", article=f"{rules.REGULATION}第二十四条")
    return {"votes_expected": expected, "votes_expected_computed": computed, "votes_expected_reason": reason,
            "votes_present": present, "votes_in_favour": favour}


def _active(record, role: str, day: dt.date) -> list[DevelopmentParticipant]:
    return list(DevelopmentParticipant.objects.filter(record=record, role=role, start_date__lte=day)
                .exclude(end_date__lte=day).select_related("person"))


def _refuse_event(number: int, exc: ValidationFailed):
    raise StepRefused(number, f"登记党员变动未通过：{exc.message}", article="-") from exc


@transaction.atomic
def step_record(*, actor, record, step: int, date, done_by: str = "", note: str = "", document: str = "",
                votes_expected=None, votes_expected_reason: str = "", votes_present=None, votes_in_favour=None,
                training_days=None, training_hours=None, outcome: str = "", extension_months=None,
                special_reason: str = "", today: dt.date | None = None) -> DevelopmentStep:
    """Record step ``step`` (2..25) of ``record`` (``DevelopmentRecord`` or id) done on ``date`` by
    ``done_by`` (text: 支部委员会, 谈话人姓名…), with ``note``, ``document`` (材料或文号) and the step's own
    fields (votes for 15/23, training for 11, ``outcome``/``extension_months`` for 23, ``special_reason``
    for a late 2 or 17). Requires ``party.change`` on the record's organization (else ``OutOfScope``);
    steps 17 and 24 also need what the lifecycle service needs (``party.add`` on the branch for 发展党员).
    Refuses with ``StepRefused`` for every guard of the module docstring (nothing written). Side effects:
    3 → ``activist_date``, 7 → ``candidate_date``, 17 → the 发展党员 event (入党日期 = step 15's date,
    ``admission_date``), 24 → the 转正 event (按期转正 dated the day the 预备期 is full, 《党章》第七条：党龄从
    预备期满转为正式党员之日算起; 延长预备期 dated the vote). Audited (``development_step``). Returns the row."""
    from zugong.party import services as party_services

    today = _today(today)
    record = _scoped_record(actor, record)
    number = int(step)
    if number not in rules.STEPS or number == 1:
        raise StepRefused(0, f"无效的步骤「{step}」（可登记第2至25步；第1步为登记入党申请）", article="-", field="步骤")
    info = rules.STEPS[number]
    steps = _steps_of(record)
    if record.closed_date is not None:
        raise StepRefused(number, f"该发展党员记录已于 {record.closed_date.isoformat()} 终止培养", article="-")
    allowed = legal_next_steps(record, steps)
    if number not in allowed:
        if number in done_numbers(record, steps) and not info.repeatable:
            reason = "此步骤已登记"
        elif number in (23, 24, 25) and 23 in done_numbers(record, steps):
            reason = "当前只能登记" + "、".join(rules.STEPS[n].label for n in allowed) if allowed else "预备期各步骤已完成"
        else:
            reason = _missing(record, steps, number)
        raise StepRefused(number, reason, field="步骤")
    day = _day(date, number)
    if day > today:
        raise StepRefused(number, f"日期 {day.isoformat()} 晚于今天", field="日期", article="-")
    floor = max([s.date for s in steps] + [record.application_date])
    if day < floor:
        raise StepRefused(number, f"日期 {day.isoformat()} 早于上一步骤的日期 {floor.isoformat()}（各步骤须按时间顺序）",
                          field="日期")
    special = (special_reason or "").strip()
    values: dict = {}

    if number == 2:
        due = add_months(record.application_date, rules.threshold("talk_months", day))
        if day > due and not special:
            raise StepRefused(2, f"谈话日期 {day.isoformat()} 已超过收到入党申请书后一个月（{due.isoformat()}）；"
                                 "逾期谈话请在「特殊情况说明」中写明原因", field="特殊情况说明")
    elif number == 5:
        low, high = rules.threshold("mentors", day)
        count = len(_active(record, "mentor", day))
        if not low <= count <= high:
            raise StepRefused(5, f"{day.isoformat()} 指定的培养联系人为 {count} 名，应为{low}至{high}名正式党员"
                                 "（请先指定培养联系人）", field="培养联系人")
    elif number == 7:
        activist = _latest(steps, 3).date
        ready = add_years(activist, rules.threshold("activist_years", day))
        if day < ready:
            raise StepRefused(7, f"确定为入党积极分子（{activist.isoformat()}）未满一年，{ready.isoformat()} 起方可列为发展对象",
                              field="日期")
    elif number == 9:
        needed = rules.threshold("sponsors", day)
        sponsors = _active(record, "sponsor", day)
        if len(sponsors) != needed:
            raise StepRefused(9, f"{day.isoformat()} 的入党介绍人为 {len(sponsors)} 名，应为{needed}名正式党员"
                                 "（请先确定入党介绍人）", field="入党介绍人")
        for p in sponsors:
            if not is_full_member_on(p.person_id, day):
                raise StepRefused(9, f"入党介绍人「{p.person.name}」在 {day.isoformat()} 不是正式党员", field="入党介绍人")
    elif number == 11:
        days_min, hours_min = rules.threshold("training", day)
        days_ = int(training_days) if training_days not in (None, "") else 0
        hours = int(training_hours) if training_hours not in (None, "") else 0
        if days_ < days_min and hours < hours_min:
            raise StepRefused(11, f"集中培训 {days_} 天、{hours} 学时，不足{days_min}天或{hours_min}学时", field="培训天数")
        values.update(training_days=days_ or None, training_hours=hours or None)
    elif number == 15:
        values.update(_votes(record, 15, day, votes_expected, votes_expected_reason, votes_present, votes_in_favour))
    elif number == 17:
        vote = _latest(steps, 15).date
        normal, longest = rules.threshold("approval_months", day)
        if day > add_months(vote, longest):
            raise StepRefused(17, f"审批日期 {day.isoformat()} 距支部大会（{vote.isoformat()}）已超过{longest}个月", field="日期")
        if day > add_months(vote, normal) and not special:
            raise StepRefused(17, f"审批日期 {day.isoformat()} 距支部大会（{vote.isoformat()}）已超过{normal}个月；"
                                  f"因特殊情况延长审批的（不超过{longest}个月）请填写特殊情况说明", field="特殊情况说明")
    elif number == 23:
        end = probation_end(record, steps)
        if end is None or day < end:
            raise StepRefused(23, f"预备期至 {end.isoformat() if end else '—'} 届满，支部大会讨论转正不得早于预备期满",
                              field="日期", article="《中国共产党章程》第七条")
        if outcome not in rules.OUTCOMES:
            raise StepRefused(23, "请选择转正意见（按期转正或延长预备期）", field="转正意见")
        if outcome == "extended":
            if any(s.step == 24 and s.outcome == "extended" for s in steps):
                raise StepRefused(23, "预备期只能延长一次", field="转正意见", article="《中国共产党发展党员工作细则》第三十二条")
            if extension_months in (None, ""):
                raise StepRefused(23, "请填写延长预备期的月数（6至12个月）", field="延长预备期（月）",
                                  article="《中国共产党发展党员工作细则》第三十二条")
            values["extension_months"] = int(extension_months)
        values["outcome"] = outcome
        values.update(_votes(record, 23, day, votes_expected, votes_expected_reason, votes_present, votes_in_favour))
    elif number == 24:
        vote = _latest(steps, 23)
        values.update(outcome=vote.outcome, extension_months=vote.extension_months)

    row = DevelopmentStep.objects.create(record=record, step=number, date=day, actor=(done_by or "").strip()[:100],
                                         note=(note or "").strip()[:500], document=(document or "").strip()[:200],
                                         special_reason=special[:300], **values)
    if info.sets in ("activist_date", "candidate_date"):
        setattr(record, info.sets, day)
        save_with_version(record, record.version, [info.sets])
    elif number == 17:
        vote = _latest(steps, 15).date
        occupation = None
        if record.occupation:
            occupation = {name: getattr(record, name) for name in (
                "occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business", "front_line",
                "front_line_kind")}
        try:
            # a former member (出党 on record) is admitted again as 重新入党 (the lifecycle checks the history)
            readmission = PartyMember.objects.filter(pk=record.person_id).exists()
            party_services.admit(user=actor, person_id=record.person_id, to_organization_id=record.organization_id,
                                 date=vote, occupation=occupation, today=today, readmission=readmission,
                                 note=f"发展党员：支部大会 {vote.isoformat()} 通过，上级党委 {day.isoformat()} 审批")
        except ValidationFailed as exc:
            _refuse_event(17, exc)
        record.refresh_from_db()
        if record.admission_date != vote:  # the lifecycle sets it on the open record; an old closed one not
            record.admission_date = vote
            save_with_version(record, record.version, ["admission_date"])
    elif number == 24:
        steps.append(row)
        try:
            if row.outcome == "extended":
                party_services.decide_full_membership(user=actor, person_id=record.person_id, outcome="extended",
                                                      date=_latest(steps, 23).date, today=today,
                                                      extension_months=row.extension_months)
            else:
                extended = any(s.step == 24 and s.outcome == "extended" for s in steps)
                party_services.decide_full_membership(user=actor, person_id=record.person_id,
                                                      outcome="after_extension" if extended else "on_time",
                                                      date=probation_end(record, steps), today=today)
        except ValidationFailed as exc:
            _refuse_event(24, exc)
    record_event("development_step", user=actor, object_type="party.developmentrecord", object_id=record.pk,
                 summary=f"人员 #{record.person_id} {day.isoformat()} {info.label}",
                 data={"person": record.person_id, "step": number, "date": day, "step_id": row.pk})
    return row


def _assign(*, actor, record, role: str, persons, start_date, today, step: int, count: tuple[int, int]):
    today = _today(today)
    record = _scoped_record(actor, record)
    steps = _steps_of(record)
    label = "培养联系人" if role == "mentor" else "入党介绍人"
    if record.closed_date is not None:
        raise StepRefused(step, f"该发展党员记录已于 {record.closed_date.isoformat()} 终止培养", article="-")
    needed = 3 if role == "mentor" else 7
    if needed not in done_numbers(record, steps):
        raise StepRefused(step, f"须先完成{rules.STEPS[needed].label}，才能指定{label}", field=label)
    if record.admission_date is not None:
        raise StepRefused(step, f"已接收为预备党员，不能再指定{label}", field=label, article="-")
    day = _day(start_date, step, "起始日期")
    if day > today:
        raise StepRefused(step, f"日期 {day.isoformat()} 晚于今天", field="起始日期", article="-")
    ids = list(dict.fromkeys(_pk(p) for p in persons))
    low, high = count
    if not low <= len(ids) <= high:
        want = f"{low}名" if low == high else f"{low}至{high}名"
        raise StepRefused(step, f"{label}应为{want}正式党员，现为 {len(ids)} 名", field=label)
    if record.person_id in ids:
        raise StepRefused(step, f"本人不能作为自己的{label}", field=label, article="-")
    people = {p.pk: p for p in Person.objects.restrict(actor, "view").filter(pk__in=ids)}
    for pk in ids:
        if pk not in people:
            raise OutOfScope("人员不存在或不在您的数据范围内。")
        if not is_full_member_on(pk, day):
            raise StepRefused(step, f"「{people[pk].name}」在 {day.isoformat()} 不是正式党员，不能作{label}", field=label)
    for current in DevelopmentParticipant.objects.filter(record=record, role=role, end_date__isnull=True):
        if current.start_date > day:
            raise StepRefused(step, f"已于 {current.start_date.isoformat()} 指定{label}，新的指定不能早于该日", field="起始日期",
                              article="-")
        current.end_date = day
        save_with_version(current, current.version, ["end_date"])
    rows = [DevelopmentParticipant.objects.create(record=record, person=people[pk], role=role, start_date=day)
            for pk in ids]
    record_event("development_mentors_assign" if role == "mentor" else "development_sponsors_assign", user=actor, object_type="party.developmentrecord", object_id=record.pk,
                 summary=f"人员 #{record.person_id} 自 {day.isoformat()} 的{label}：" + "、".join(people[pk].name for pk in ids),
                 data={"person": record.person_id, "role": role, "persons": ids, "start_date": day})
    return rows


@transaction.atomic
def mentors_assign(*, actor, record, persons, start_date, today: dt.date | None = None) -> list[DevelopmentParticipant]:
    """Assign the 培养联系人 of ``record`` from ``start_date``: ``persons`` (1–2 ``Person`` or ids), each a
    正式党员 on that day (《细则》第十条), not the applicant; the record must have its activist step (3) and not
    be admitted yet. Earlier mentors still assigned end on ``start_date``. ``party.change`` on the record,
    the persons visible (else ``OutOfScope``); refusals ``StepRefused`` (step 5). Audited."""
    return _assign(actor=actor, record=record, role="mentor", persons=persons, start_date=start_date, today=today,
                   step=5, count=rules.threshold("mentors"))


@transaction.atomic
def sponsors_assign(*, actor, record, persons, start_date, today: dt.date | None = None) -> list[DevelopmentParticipant]:
    """Assign the two 入党介绍人 of ``record`` from ``start_date``: exactly two ``persons``, each a 正式党员 on
    that day (《细则》第十五条, 《党章》第五条); the record must be a 发展对象 (step 7) not admitted yet. Earlier
    sponsors still assigned end on ``start_date``. Scope and errors as ``mentors_assign`` (step 9)."""
    needed = rules.threshold("sponsors")
    return _assign(actor=actor, record=record, role="sponsor", persons=persons, start_date=start_date, today=today,
                   step=9, count=(needed, needed))


@transaction.atomic
def development_close(*, actor, record, date, reason: str, today: dt.date | None = None) -> DevelopmentRecord:
    """终止培养: close ``record`` on ``date`` (not in the future, not before its latest step) for ``reason``
    (required). Only before admission (a 预备党员 leaves by 取消预备党员资格, a membership event of the
    lifecycle). ``party.change`` on the record (else ``OutOfScope``); refusals ``StepRefused`` (nothing
    written). Ends the assigned mentors and sponsors on ``date``. Audited (``development_close``)."""
    today = _today(today)
    record = _scoped_record(actor, record)
    if record.closed_date is not None:
        raise StepRefused(0, f"该记录已于 {record.closed_date.isoformat()} 终止培养", article="-")
    if record.admission_date is not None:
        raise StepRefused(0, "已接收为预备党员，不能终止培养；取消预备党员资格请在党员变动中登记出党",
                          article="《中国共产党章程》第七条")
    day = _day(date, 0, "终止日期")
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused(0, "请填写终止培养的原因", field="原因", article="-")
    if day > today:
        raise StepRefused(0, f"日期 {day.isoformat()} 晚于今天", field="终止日期", article="-")
    floor = max([s.date for s in _steps_of(record)] + [record.application_date])
    if day < floor:
        raise StepRefused(0, f"终止日期 {day.isoformat()} 早于最近步骤的日期 {floor.isoformat()}", field="终止日期", article="-")
    record.closed_date = day
    save_with_version(record, record.version, ["closed_date"])
    for p in DevelopmentParticipant.objects.filter(record=record, end_date__isnull=True):
        p.end_date = day
        save_with_version(p, p.version, ["end_date"])
    record_event("development_close", user=actor, object_type="party.developmentrecord", object_id=record.pk,
                 summary=f"人员 #{record.person_id} 于 {day.isoformat()} 终止培养：{reason[:100]}",
                 data={"person": record.person_id, "date": day, "reason": reason[:500]})
    return record
