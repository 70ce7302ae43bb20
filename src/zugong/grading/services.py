"""Services of branch grading (达标晋级) and the 软弱涣散 list: every state change of the ``grading`` app.
Keyword-only, ``actor`` first, atomic, audited (the change log of each row written — ``BaseModel`` — plus
one domain event per call), raising the typed errors of ``core.errors`` with messages naming the field;
nothing is written when a check fails. Pages, the API and scripts call these.

- ``grading_record`` — 录入评定: a branch's scores under a scheme for a year; total and level computed;
- ``grading_edit`` — 修改评定 (optimistic ``version``);
- ``weak_branch_identify`` — 列入软弱涣散名单; ``weak_branch_rectify`` — 整改完成;
  ``weak_branch_verify`` — 验收.

Rules (``grading.validators`` and ``docs/grading.md``):

- a grading is of a branch (党支部, 联合党支部, 临时党支部: ``ORG_TYPES_BRANCH``) in the actor's
  ``party.add`` scope (editing: ``party.change``); one per branch × scheme × year;
- every criterion of the scheme is scored once, within 0 … its 满分 (one decimal); unknown criteria are
  refused by name; the year is not in the future nor outside the branch's lifetime; the 评定日期 is not in
  the future nor before the year;
- 示范党支部: only at the scheme's top level and not while on that year's 软弱涣散 list (and a branch
  designated 示范 that year cannot be listed 软弱涣散 without first withdrawing the designation);
- 软弱涣散 entries are for organizations holding members (党委, 党总支, 党支部…, not 党小组), one per
  organization and year; 整改完成 needs measures and a date not before the listing; 验收 follows 整改完成
  and is done by the **higher** organization: the actor must hold ``party.change`` on the parent
  organization (a branch does not verify its own rectification).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.codes import ORG_TYPES_BRANCH, ORG_TYPES_HOLDING_MEMBERS
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, fail
from zugong.core.scoping import can
from zugong.grading import validators as v
from zugong.grading.choices import WEAK_CATEGORY
from zugong.grading.models import BranchGrading, GradingScheme, GradingScore, WeakBranch
from zugong.grading.selectors import organization_in_scope, scheme_by_code
from zugong.orgs.models import PartyOrganization

ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内。"
GRADING_NOT_FOUND = "达标晋级评定不存在或不在您的数据范围内。"
WEAK_NOT_FOUND = "软弱涣散党组织记录不存在或不在您的数据范围内。"


# ----- helpers ------------------------------------------------------------------------------------


def _day(raw, field: str, problems: list[FieldProblem], *, today: dt.date, required: bool) -> dt.date | None:
    """``raw`` (date or text) as a date not after ``today``; problems under ``field``."""
    try:
        day, _ = parse_date(raw if raw not in ("",) else None)
    except DateParseError as exc:
        problems.append(FieldProblem(field, str(exc)))
        return None
    if day is None:
        if required:
            problems.append(FieldProblem(field, "必填项为空"))
        return None
    if day > today:
        problems.append(FieldProblem(field, f"{field} {day.isoformat()} 晚于今天"))
        return None
    return day


def _organization(actor, ref, action: str) -> PartyOrganization:
    org = organization_in_scope(user=actor, ref=ref, action=action)
    if org is None:
        raise OutOfScope(ORG_NOT_FOUND)
    return org


def _scheme(ref, problems: list[FieldProblem]) -> GradingScheme | None:
    if isinstance(ref, GradingScheme):
        ref = ref.code
    scheme = scheme_by_code(ref)
    if scheme is None:
        problems.append(FieldProblem("评定方案", "请选择评定方案" if not ref else f"无此评定方案「{ref}」"))
    elif not scheme.is_active:
        problems.append(FieldProblem("评定方案", f"评定方案「{scheme.name}」已停用"))
    return scheme


def _on_weak_list(org_id: int, year: int) -> bool:
    return WeakBranch.objects.filter(organization_id=org_id, year=year).exists()


def _lock_org(org: PartyOrganization) -> None:
    """Serialise writes about one organization (designation vs listing) for the transaction."""
    PartyOrganization.objects.select_for_update().filter(pk=org.pk).first()


def _save_scores(grading: BranchGrading, cleaned: dict, criteria: dict) -> None:
    existing = {s.criterion_id: s for s in grading.scores.all()} if grading.pk else {}
    for code, (score, evidence) in cleaned.items():
        criterion = criteria[code]
        row = existing.get(criterion.pk)
        if row is None:
            GradingScore(grading=grading, criterion=criterion, score=score, evidence=evidence).save()
        elif row.score != score or row.evidence != evidence:
            row.score, row.evidence = score, evidence
            save_with_version(row, row.version, ["score", "evidence"])


def _summary(grading: BranchGrading) -> str:
    level = grading.level.name if grading.level else "未达任何等次"
    mark = "，命名为示范党支部" if grading.designated_model else ""
    return f"「{grading.organization.name}」{grading.year} 年度{grading.scheme.name}评定：{v.fmt_score(grading.total)} 分，{level}{mark}"


# ----- gradings -----------------------------------------------------------------------------------


@transaction.atomic
def grading_record(*, actor, organization, scheme, year, scores: dict, designated_model: bool = False,
                   evaluated_on=None, evaluator: str = "", note: str = "", today: dt.date | None = None) -> BranchGrading:
    """录入评定: the grading of branch ``organization`` (instance, id or 组织代码) under ``scheme`` (instance,
    code or name) for ``year``, with ``scores`` = ``{criterion code: (score, evidence)}`` (or ``{"score",
    "evidence"}`` mappings); ``total`` is their sum and ``level`` the level it reaches (``validators.level_for``).
    ``evaluated_on`` (评定日期) defaults to today.

    Requires ``party.add`` on the organization (else ``OutOfScope``, 404). Raises ``ValidationFailed`` —
    every problem by field, nothing written — for: an organization that is not a branch; an unknown or
    inactive scheme; a year in the future, before 1921 or outside the branch's lifetime; a missing,
    unknown or out-of-range score (the message names the criterion); an 评定日期 in the future or before the
    year; a grading of the same branch, scheme and year already recorded; a 示范 designation below the top
    level or for a branch on that year's 软弱涣散 list. Audited: ``grading_record`` event. Returns the
    grading."""
    today = today or timezone.localdate()
    org = _organization(actor, organization, "add")
    _lock_org(org)
    problems: list[FieldProblem] = []
    if org.org_type not in ORG_TYPES_BRANCH:
        problems.append(FieldProblem("党支部", f"「{org.name}」是{org.org_type_label}，达标晋级评定只针对党支部"
                                               "（党支部、联合党支部、临时党支部）"))
    the_scheme = _scheme(scheme, problems)
    the_year = v.parse_year(year, problems)
    if the_year is not None:
        problems += v.check_year(the_year, today=today, founded=org.founded_date, dissolved=org.dissolved_date,
                                 org_name=org.name)
    day = _day(evaluated_on if evaluated_on not in (None, "") else today, "评定日期", problems, today=today,
               required=True)
    problems += v.check_day_in_year(day, the_year, "评定日期")
    criteria, cleaned = {}, {}
    if the_scheme is not None:
        criteria = {c.code: c for c in the_scheme.criteria.all()}
        if not criteria:
            problems.append(FieldProblem("评定方案", f"评定方案「{the_scheme.name}」没有评分项"))
        score_problems, cleaned = v.check_scores(criteria.values(), scores or {}, scheme_name=f"评定方案「{the_scheme.name}」")
        problems += score_problems
        if the_year is not None and BranchGrading.objects.filter(organization=org, scheme=the_scheme,
                                                                 year=the_year).exists():
            problems.append(FieldProblem("年度", f"「{org.name}」{the_year} 年度的{the_scheme.name}评定已录入，请修改原记录"))
    level = None
    total = sum((s for s, _ in cleaned.values()), Decimal("0.0"))
    if the_scheme is not None and not problems:
        levels = list(the_scheme.levels.all())
        level = v.level_for(levels, total)
        if designated_model:
            problems += v.check_designation(level=level, top=v.top_level(levels),
                                            on_weak_list=_on_weak_list(org.pk, the_year), year=the_year)
    fail(problems)
    grading = BranchGrading(organization=org, scheme=the_scheme, year=the_year, total=total, level=level,
                            designated_model=bool(designated_model), evaluated_on=day,
                            evaluator=str(evaluator or "").strip()[:100], note=str(note or "").strip()[:500])
    try:
        with transaction.atomic():
            grading.save()
    except IntegrityError:  # a concurrent record of the same branch, scheme and year
        fail([FieldProblem("年度", f"「{org.name}」{the_year} 年度的{the_scheme.name}评定已录入")])
    _save_scores(grading, cleaned, criteria)
    record_event("grading_record", user=actor, object_type="grading.branchgrading", object_id=grading.pk,
                 summary=_summary(grading),
                 data={"organization": org.code, "scheme": the_scheme.code, "year": the_year, "total": total,
                       "level": level.code if level else "", "designated_model": grading.designated_model,
                       "scores": {code: s for code, (s, _) in cleaned.items()}})
    return grading


GRADING_FIELDS = ("designated_model", "evaluated_on", "evaluator", "note")


@transaction.atomic
def grading_edit(*, actor, grading, expected_version: int, scores: dict | None = None,
                 designated_model: bool | None = None, evaluated_on=None, evaluator: str | None = None,
                 note: str | None = None, today: dt.date | None = None) -> BranchGrading:
    """修改评定 ``grading`` (instance or id): ``scores`` replaces the given criteria's score and evidence
    (the others keep theirs; ``None``: no change); the other arguments replace their field when not ``None``.
    Total and level are computed again, and the 示范 designation checked again against them.

    Requires ``party.change`` on the branch (else ``OutOfScope``); ``ConcurrentEdit`` for a stale
    ``expected_version``; ``ValidationFailed`` (nothing written) for an unknown criterion, a bad score, a
    bad 评定日期, or a designation the rules refuse (``grading_record``). Audited: change log of the grading
    and score rows, ``grading_edit`` event. Returns the grading."""
    today = today or timezone.localdate()
    pk = grading.pk if isinstance(grading, BranchGrading) else grading
    row = (BranchGrading.objects.restrict(actor, "change").select_related("organization", "scheme", "level")
           .filter(pk=pk).first())
    if row is None:
        raise OutOfScope(GRADING_NOT_FOUND)
    _lock_org(row.organization)
    if expected_version is None or int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)
    scheme = scheme_by_code(row.scheme.code)
    criteria = {c.code: c for c in scheme.criteria.all()}
    problems: list[FieldProblem] = []
    score_problems, cleaned = v.check_scores(criteria.values(), scores or {}, require_all=False,
                                             scheme_name=f"评定方案「{scheme.name}」")
    problems += score_problems
    day = row.evaluated_on
    if evaluated_on not in (None, ""):
        day = _day(evaluated_on, "评定日期", problems, today=today, required=True)
        problems += v.check_day_in_year(day, row.year, "评定日期")
    current = {s.criterion_id: s.score for s in row.scores.all()}
    merged = {c.code: current.get(c.pk) for c in criteria.values()}
    merged.update({code: s for code, (s, _) in cleaned.items()})
    missing = [criteria[code].name for code, s in merged.items() if s is None]
    problems += [FieldProblem(name, f"缺少评分项「{name}」的得分", v.RULE_SOURCE) for name in missing]
    designated = row.designated_model if designated_model is None else bool(designated_model)
    level, total = row.level, row.total
    if not problems:
        total = sum(merged.values(), Decimal("0.0"))
        levels = list(scheme.levels.all())
        level = v.level_for(levels, total)
        if designated:
            problems += v.check_designation(level=level, top=v.top_level(levels),
                                            on_weak_list=_on_weak_list(row.organization_id, row.year), year=row.year)
    fail(problems)
    new = {"total": total, "level": level, "designated_model": designated, "evaluated_on": day,
           "evaluator": row.evaluator if evaluator is None else str(evaluator).strip()[:100],
           "note": row.note if note is None else str(note).strip()[:500]}
    changed = [name for name, value in new.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, new[name])
    if changed:
        save_with_version(row, expected_version, changed)
    _save_scores(row, cleaned, criteria)
    if changed or cleaned:
        record_event("grading_edit", user=actor, object_type="grading.branchgrading", object_id=row.pk,
                     summary=f"修改{_summary(row)}",
                     data={"organization": row.organization.code, "year": row.year, "fields": changed,
                           "scores": {code: s for code, (s, _) in cleaned.items()}})
    return row


# ----- 软弱涣散 ---------------------------------------------------------------------------------------


def _categories(raw, problems: list[FieldProblem]) -> list[str]:
    values = raw if isinstance(raw, list | tuple) else [p for p in str(raw or "").replace("，", ",").replace("、", ",").split(",")]
    codes: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        code = WEAK_CATEGORY.parse(text)
        if code is None:
            problems.append(FieldProblem("软弱涣散情形", f"无法识别的软弱涣散情形「{text}」（{'、'.join(WEAK_CATEGORY.names)}）"))
        elif code not in codes:
            codes.append(code)
    if not codes and not any(p.field == "软弱涣散情形" for p in problems):
        problems.append(FieldProblem("软弱涣散情形", "请至少选择一种软弱涣散情形"))
    return codes


@transaction.atomic
def weak_branch_identify(*, actor, organization, year, identified_on, categories, reasons: str,
                         measures: str = "", responsible_person: str = "", deadline=None,
                         today: dt.date | None = None) -> WeakBranch:
    """列入软弱涣散名单: ``organization`` (instance, id or 组织代码) for ``year``, identified on
    ``identified_on`` (date or text), with ``categories`` (codes or names of ``choices.WEAK_CATEGORY``, a list
    or text separated by 、/,), ``reasons`` (具体问题, required), and optionally the planned ``measures``,
    ``responsible_person`` (整改责任人) and ``deadline`` (整改时限, not before ``identified_on``).

    Requires ``party.add`` on the organization (else ``OutOfScope``). Raises ``ValidationFailed`` (nothing
    written) for: a 党小组 or other organization holding no members; a bad year (future, before founding,
    after dissolution); a missing, future or pre-year date; no or unknown category; empty reasons; a deadline
    before the listing; an entry of the same organization and year already there; a grading of that year
    naming it 示范党支部. Audited: ``weak_branch_identify``."""
    today = today or timezone.localdate()
    org = _organization(actor, organization, "add")
    _lock_org(org)
    problems: list[FieldProblem] = []
    if org.org_type not in ORG_TYPES_HOLDING_MEMBERS:
        problems.append(FieldProblem("党组织", f"「{org.name}」是{org.org_type_label}，不列入软弱涣散基层党组织名单"))
    the_year = v.parse_year(year, problems)
    if the_year is not None:
        problems += v.check_year(the_year, today=today, founded=org.founded_date, dissolved=org.dissolved_date,
                                 org_name=org.name)
    day = _day(identified_on, "确定日期", problems, today=today, required=True)
    problems += v.check_day_in_year(day, the_year, "确定日期")
    codes = _categories(categories, problems)
    reasons = str(reasons or "").strip()
    if not reasons:
        problems.append(FieldProblem("具体问题", "必填项为空"))
    try:
        due, _ = parse_date(deadline if deadline not in ("",) else None)
    except DateParseError as exc:
        problems.append(FieldProblem("整改时限", str(exc)))
        due = None
    if due is not None and day is not None and due < day:
        problems.append(FieldProblem("整改时限", f"整改时限 {due.isoformat()} 早于确定日期 {day.isoformat()}"))
    if the_year is not None and not problems:
        if WeakBranch.objects.filter(organization=org, year=the_year).exists():
            problems.append(FieldProblem("年度", f"「{org.name}」已列入 {the_year} 年度软弱涣散基层党组织名单"))
        if BranchGrading.objects.filter(organization=org, year=the_year, designated_model=True).exists():
            problems.append(FieldProblem("党组织", f"「{org.name}」{the_year} 年度已命名为示范党支部，"
                                                  "须先撤销示范党支部命名才能列入软弱涣散名单", v.RULE_SOURCE))
    fail(problems)
    entry = WeakBranch(organization=org, year=the_year, identified_on=day, categories=codes, reasons=reasons[:4000],
                       measures=str(measures or "").strip()[:4000],
                       responsible_person=str(responsible_person or "").strip()[:100], deadline=due)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        fail([FieldProblem("年度", f"「{org.name}」已列入 {the_year} 年度软弱涣散基层党组织名单")])
    record_event("weak_branch_identify", user=actor, object_type="grading.weakbranch", object_id=entry.pk,
                 summary=f"「{org.name}」列入 {the_year} 年度软弱涣散基层党组织名单（{'、'.join(entry.category_labels)}）",
                 data={"organization": org.code, "year": the_year, "identified_on": day, "categories": codes})
    return entry


def _weak_entry(actor, weak_branch, action: str) -> WeakBranch:
    pk = weak_branch.pk if isinstance(weak_branch, WeakBranch) else weak_branch
    row = WeakBranch.objects.restrict(actor, action).select_related("organization").filter(pk=pk).first()
    if row is None:
        raise OutOfScope(WEAK_NOT_FOUND)
    return row


@transaction.atomic
def weak_branch_rectify(*, actor, weak_branch, expected_version: int, rectified_on, measures: str,
                        today: dt.date | None = None) -> WeakBranch:
    """整改完成: ``weak_branch`` (instance or id) rectified on ``rectified_on`` with ``measures`` (整改措施及
    成效, required; replaces the planned measures). Requires ``party.change`` on the organization (else
    ``OutOfScope``); ``ConcurrentEdit`` for a stale version; ``ValidationFailed`` (nothing written) when
    already verified, for a missing/future date or one before the listing, or empty measures. Audited:
    ``weak_branch_rectify``."""
    today = today or timezone.localdate()
    row = _weak_entry(actor, weak_branch, "change")
    if expected_version is None or int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)
    problems: list[FieldProblem] = []
    if row.verified_on is not None:
        problems.append(FieldProblem("整改完成日期", f"该记录已于 {row.verified_on.isoformat()} 验收，不能再修改整改情况"))
    day = _day(rectified_on, "整改完成日期", problems, today=today, required=True)
    if day is not None and day < row.identified_on:
        problems.append(FieldProblem("整改完成日期", f"整改完成日期 {day.isoformat()} 早于确定日期 {row.identified_on.isoformat()}"))
    text = str(measures or "").strip()
    if not text:
        problems.append(FieldProblem("整改措施", "必填项为空"))
    fail(problems)
    row.rectified_on, row.measures = day, text[:4000]
    save_with_version(row, expected_version, ["rectified_on", "measures"])
    record_event("weak_branch_rectify", user=actor, object_type="grading.weakbranch", object_id=row.pk,
                 summary=f"「{row.organization.name}」{row.year} 年度软弱涣散整改完成（{day.isoformat()}）",
                 data={"organization": row.organization.code, "year": row.year, "rectified_on": day})
    return row


@transaction.atomic
def weak_branch_verify(*, actor, weak_branch, expected_version: int, verified_on, verified_by: str,
                       note: str = "", today: dt.date | None = None) -> WeakBranch:
    """验收: ``weak_branch`` (instance or id) verified on ``verified_on`` by ``verified_by`` (验收单位或验收人,
    required), with an optional ``note`` (验收意见).

    Requires ``party.change`` on the organization (else ``OutOfScope``) and — the higher organization
    verifies — on its parent organization (else ``ValidationFailed`` naming the parent). ``ConcurrentEdit``
    for a stale version; ``ValidationFailed`` (nothing written) when not yet rectified or already verified,
    for a missing/future date or one before the rectification, or an empty 验收单位. Audited:
    ``weak_branch_verify``."""
    today = today or timezone.localdate()
    row = _weak_entry(actor, weak_branch, "change")
    if expected_version is None or int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)
    problems: list[FieldProblem] = []
    parent = PartyOrganization.objects.get_parent(row.organization)
    if parent is None or not can(actor, "party", "change", parent):
        where = f"上级党组织「{parent.name}」" if parent is not None else "上级党组织"
        problems.append(FieldProblem("验收", f"软弱涣散党组织的整改由上级党组织验收：您没有{where}的修改权限", v.RULE_SOURCE))
    if row.verified_on is not None:
        problems.append(FieldProblem("验收日期", f"该记录已于 {row.verified_on.isoformat()} 验收"))
    elif row.rectified_on is None:
        problems.append(FieldProblem("验收日期", "尚未登记整改完成，不能验收"))
    day = _day(verified_on, "验收日期", problems, today=today, required=True)
    if day is not None and row.rectified_on is not None and day < row.rectified_on:
        problems.append(FieldProblem("验收日期", f"验收日期 {day.isoformat()} 早于整改完成日期 {row.rectified_on.isoformat()}"))
    who = str(verified_by or "").strip()
    if not who:
        problems.append(FieldProblem("验收单位（人）", "必填项为空"))
    fail(problems)
    row.verified_on, row.verified_by, row.verification_note = day, who[:100], str(note or "").strip()[:500]
    save_with_version(row, expected_version, ["verified_on", "verified_by", "verification_note"])
    record_event("weak_branch_verify", user=actor, object_type="grading.weakbranch", object_id=row.pk,
                 summary=f"「{row.organization.name}」{row.year} 年度软弱涣散整改通过验收（{who}，{day.isoformat()}）",
                 data={"organization": row.organization.code, "year": row.year, "verified_on": day, "verified_by": who})
    return row
