"""党支部达标 (branch standards), evaluated continuously as of a date: which branches of a subtree are not set up
as the regulations require, each finding with its source.

``standards_findings(*, user, root=None, as_of=None)`` evaluates every 党支部 and 联合党支部 of ``root``'s subtree
(default: the user's whole ``party.view`` scope) existing on ``as_of`` (default today) and returns a list of
``Finding(organization, code, severity, message, article, since, numbers)``. 临时党支部 are left out (set up
for a task; no term, no committee rule). A 党小组's members and officers count for its branch.

The facts come from six SQL group-bys over the scoped subtree, never a query per branch: the branches (with
the 届满日期 of the term in force, a subquery), the 党小组 (to fold them into their branch), the members in
force on the day by category (正式党员 / 预备党员, ``party.rules.member_category_q``), the officer posts held
(``BranchOfficer``), the sitting 书记 with his 转正日期 and the last 书记's 离任日期, and the open 失联党员 statuses.

The thresholds are one row of the rule table (``STANDARDS_RULE``, ``core.rules``):

=====================  ===========================================================  =======================================
code                   finding                                                      source
=====================  ===========================================================  =======================================
``few_full_members``   正式党员不足 3 人 → 应与邻近单位党员成立联合党支部             支部工作条例 第二章（组织设置）
``too_many_members``   党员超过 50 人 → 一般应分设党支部（或成立党总支）              支部工作条例 第二章（组织设置）
``no_committee``       正式党员 7 人以上而班子成员不足 3 人（未设支部委员会）          支部工作条例 第六章（支部委员会建设）
``committee_large``    支部委员会超过 5 人（一般 3 至 5 人，最多不超过 7 人）：提示    支部工作条例 第六章
``committee_too_large`` 支部委员会超过 7 人                                          支部工作条例 第六章
``secretary_vacant``   书记空缺（自上任书记离任之日起，未登记过书记则不知起始日期）    支部工作条例 第六章（设书记）
``secretary_standing`` 书记党龄不足 1 年（党龄自转正日期起算；预备党员无党龄）        支部工作条例 第二十三条
``term_expired``       本届任期已届满（届满日期不晚于当日）→ 应换届                    支部工作条例 第六章；基层组织选举工作条例
``term_expiring``      90 天内届满 → 换届提醒                                        同上
``lost_contact``       失联党员失去联系 6 个月以上                                   党员教育管理工作条例 第二十四条
=====================  ===========================================================  =======================================

Article numbers: 第二十三条 (secretary's 党龄) and 《中国共产党党员教育管理工作条例》(2019) 第二十四条 (失去联系6个月以上
… 予以停止党籍) were checked against published texts; the others are cited by chapter (第二章 组织设置, 第六章
党支部委员会建设) because the article numbers could not be verified here.

Boundaries (as of D): 3 正式党员 are enough, 2 are not; 50 members are allowed, 51 are not; a committee is
needed from 7 正式党员; 党龄 is 1 year when 转正日期 <= D minus one year (365 days in a common year: 365 days
of standing pass, 364 do not); a term ending within 90 days (届满日期 - D <= 90) is reminded, 91 is not; a
member is 失联 over 6 months when the status began on or before D minus 6 calendar months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from zugong.branches.models import BranchOfficer
from zugong.core.dates import add_years
from zugong.core.rules import Rule, register, rule
from zugong.orgs.models import OrganizationTerm, PartyOrganization

STANDARDS_RULE = "branches.standards"
REGULATION = "《中国共产党支部工作条例（试行）》"
EDUCATION_REGULATION = "《中国共产党党员教育管理工作条例》"
ELECTION_REGULATION = "《中国共产党基层组织选举工作条例》"
EVALUATED_TYPES = ("branch", "joint_branch")
"""Organizations the standards apply to (临时党支部 are left out: set up for a task, no term or committee)."""


@dataclass(frozen=True)
class BranchStandards:
    """The thresholds of ``STANDARDS_RULE``: ``min_full_members`` (正式党员 ≥ 3), ``max_members`` (党员 ≤ 50),
    ``committee_from_full_members`` (正式党员 ≥ 7 → 支部委员会), ``committee_min`` (3 posts make a committee,
    ``choices.COMMITTEE_MIN_OFFICERS``), ``committee_usual_max`` (一般不超过 5 人: a warning above),
    ``committee_max`` (最多不超过 7 人), ``secretary_standing_years`` (书记党龄 ≥ 1 年), ``term_warning_days``
    (换届提醒 90 天), ``lost_contact_months`` (失去联系 6 个月以上)."""

    min_full_members: int = 3
    max_members: int = 50
    committee_from_full_members: int = 7
    committee_min: int = 3
    committee_usual_max: int = 5
    committee_max: int = 7
    secretary_standing_years: int = 1
    term_warning_days: int = 90
    lost_contact_months: int = 6


register(Rule(
    key=STANDARDS_RULE,
    name="党支部设置达标要求",
    value=BranchStandards(),
    definition="正式党员3人以上成立党支部，不足3人的与邻近单位成立联合党支部；党支部党员一般不超过50人；"
               "正式党员7人以上设支部委员会，委员会由3至5人组成、一般不超过7人；党支部书记一般应具有1年以上党龄；"
               "任期届满按期换届（届满前90天提醒）；与党组织失去联系6个月以上的党员应予停止党籍",
    regulation=REGULATION,
    article="第二章、第六章、第二十三条；《中国共产党党员教育管理工作条例》第二十四条",
    note="换届提醒天数（90天）为本系统的提醒口径，不是条例规定；党龄自转正日期起算。2018年条例施行（2018-10-28）前的"
         "《中国共产党基层组织选举工作暂行条例》等规定了同样的3人、7人要求，故本行不设起始日期，适用于此前的日期。",
))


def standards(*, on: dt.date | None = None) -> BranchStandards:
    """The thresholds in force on ``on`` (``STANDARDS_RULE``; default today)."""
    return rule(STANDARDS_RULE, on).value


@dataclass(frozen=True)
class Kind:
    """One kind of finding: Chinese ``label`` (the list's group title), ``severity`` (``high`` / ``normal`` /
    ``low``, as the home-page to-dos) and ``article`` (the source printed beside every finding)."""

    code: str
    label: str
    severity: str
    article: str


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("few_full_members", "正式党员不足3人", "high", f"{REGULATION}第二章（组织设置）"),
    Kind("too_many_members", "党员超过50人", "normal", f"{REGULATION}第二章（组织设置）"),
    Kind("no_committee", "应设未设支部委员会", "high", f"{REGULATION}第六章（党支部委员会建设）"),
    Kind("committee_large", "支部委员超过5人", "low", f"{REGULATION}第六章（党支部委员会建设）"),
    Kind("committee_too_large", "支部委员超过7人", "normal", f"{REGULATION}第六章（党支部委员会建设）"),
    Kind("secretary_vacant", "书记空缺", "high", f"{REGULATION}第六章（党支部委员会建设）"),
    Kind("secretary_standing", "书记党龄不足1年", "normal", f"{REGULATION}第二十三条"),
    Kind("term_expired", "任届期满未换届", "high", f"{REGULATION}第六章；{ELECTION_REGULATION}"),
    Kind("term_expiring", "90天内任期届满", "normal", f"{REGULATION}第六章；{ELECTION_REGULATION}"),
    Kind("lost_contact", "失联党员超过6个月", "normal", f"{EDUCATION_REGULATION}第二十四条"),
)}
"""Every kind of finding, in the order the pages list them."""


@dataclass
class Finding:
    """One finding for one branch as of a date: ``organization`` (``PartyOrganization``), ``code`` (a key of
    ``KINDS``), ``severity``, ``message`` (Chinese, with the numbers), ``article`` (regulation and article),
    ``since`` (the day the situation began, when known: 书记空缺 since the last 离任日期, a term expired on its
    届满日期, the earliest day contact was lost), ``due`` (the 届满日期 of a term), ``numbers`` (the counts)."""

    organization: PartyOrganization
    code: str
    severity: str
    message: str
    article: str
    since: dt.date | None = None
    due: dt.date | None = None
    numbers: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The Chinese name of the finding's kind (``KINDS``)."""
        return KINDS[self.code].label


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months before ``day`` (the last day of that month when it is shorter)."""
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def held_on(day: dt.date, prefix: str = "") -> Q:
    """Condition: a dated row (``start_date``/``end_date``, ``[start, end)``) holds on ``day``."""
    return Q(**{f"{prefix}start_date__lte": day}) & (Q(**{f"{prefix}end_date__isnull": True})
                                                    | Q(**{f"{prefix}end_date__gt": day}))


def _scoped(model, user, root: PartyOrganization | None, org_field: str = "organization", action: str = "view"):
    rows = model.objects.restrict(user, action) if user is not None else model.objects.all()
    if root is not None:
        prefix = f"{org_field}__" if org_field else ""
        rows = rows.filter(**{f"{prefix}path__startswith": root.path})
    return rows


def branches_on(*, user, root: PartyOrganization | None, as_of: dt.date, action: str = "view"):
    """The 党支部 and 联合党支部 of the subtree (in ``user``'s ``party.view`` scope) existing on ``as_of``, in tree
    order, each annotated with ``term_end`` — the 届满日期 of the term in force (the latest started on or before
    ``as_of``; ``None`` when none is recorded). One query."""
    term = (OrganizationTerm.objects.filter(organization=OuterRef("pk"), start_date__lte=as_of)
            .order_by("-start_date", "-pk").values("end_date")[:1])
    return (_scoped(PartyOrganization, user, root, "", action).active_on(as_of).filter(org_type__in=EVALUATED_TYPES)
            .annotate(term_end=Subquery(term)).order_by("path"))


def standards_findings(*, user, root: PartyOrganization | None = None, as_of: dt.date | None = None,
                       codes: tuple[str, ...] | None = None, action: str = "view") -> list[Finding]:
    """Every finding for the branches of ``root``'s subtree as of ``as_of`` (default today), in tree order
    then ``KINDS`` order; ``codes``: only these kinds. ``user``: whose ``party.view`` scope bounds the subtree
    (``None``: no bound, for scripts; ``action``: ``view``, or ``export`` for the download). 7 queries whatever the number of branches (see the module docstring)."""
    from zugong.party.models import Membership, MemberStatus
    from zugong.party.rules import member_category_q

    as_of = as_of or timezone.localdate()
    limits = standards(on=as_of)
    branches = list(branches_on(user=user, root=root, as_of=as_of, action=action))
    if not branches:
        return []
    by_path = {b.path: b for b in branches}
    steplen = PartyOrganization.steplen
    # 党小组 → their branch (members and officers of a group count for the branch)
    owner: dict[int, int] = {b.pk: b.pk for b in branches}
    groups = _scoped(PartyOrganization, user, root, "", action).filter(org_type="party_group").values_list("pk", "path")
    for pk, path in groups:
        parent = by_path.get(path[:-steplen])
        if parent is not None:
            owner[pk] = parent.pk

    full_q = member_category_q("full", on=as_of, prefix="person__party_member__")
    members: dict[int, Counter] = defaultdict(Counter)
    for row in (_scoped(Membership, user, root, action=action).on(as_of).values("organization_id")
                .annotate(total=Count("person_id", distinct=True),
                          full=Count("person_id", filter=full_q, distinct=True)).order_by()):
        branch = owner.get(row["organization_id"])
        if branch is not None:
            members[branch]["total"] += row["total"]
            members[branch]["full"] += row["full"]

    officers: Counter = Counter()
    for row in (_scoped(BranchOfficer, user, root, action=action).filter(held_on(as_of)).values("organization_id")
                .annotate(n=Count("pk")).order_by()):
        branch = owner.get(row["organization_id"])
        if branch is not None and branch == row["organization_id"]:  # a group's 组长 is not a branch committee post
            officers[branch] += row["n"]

    secretaries: dict[int, dict] = {}
    for row in (_scoped(BranchOfficer, user, root, action=action).filter(held_on(as_of), role="secretary")
                .values("organization_id", "person__name", "start_date", "person__party_member__full_membership_date")
                .order_by("organization_id", "start_date")):
        secretaries[row["organization_id"]] = row  # the latest started wins (one open 书记 per organization)
    last_end = dict(_scoped(BranchOfficer, user, root, action=action).filter(role="secretary", end_date__lte=as_of)
                    .values("organization_id").annotate(last=Max("end_date")).order_by()
                    .values_list("organization_id", "last"))

    lost_since = months_before(as_of, limits.lost_contact_months)
    lost: dict[int, Counter] = defaultdict(Counter)
    earliest: dict[int, dt.date] = {}
    for row in (_scoped(MemberStatus, user, root, action=action).filter(held_on(as_of), kind="lost_contact",
                                                          start_date__lte=lost_since)
                .values("organization_id").annotate(n=Count("person_id", distinct=True), first=Min("start_date"))
                .order_by()):
        branch = owner.get(row["organization_id"])
        if branch is not None:
            lost[branch]["n"] += row["n"]
            earliest[branch] = min(earliest.get(branch, row["first"]), row["first"])

    wanted = set(codes) if codes else set(KINDS)
    standing_cutoff = add_years(as_of, -limits.secretary_standing_years)
    out: list[Finding] = []
    for branch in branches:
        found: list[Finding] = []

        def add(code: str, message: str, *, since=None, due=None, branch=branch, found=found, **numbers):
            if code in wanted:
                kind = KINDS[code]
                found.append(Finding(branch, code, kind.severity, message, kind.article, since, due, numbers))

        counts = members.get(branch.pk, Counter())
        full, total, posts = counts["full"], counts["total"], officers.get(branch.pk, 0)
        if full < limits.min_full_members:
            what = "联合党支部" if branch.org_type == "joint_branch" else "党支部"
            advice = ("应调整联合党支部的组成" if branch.org_type == "joint_branch"
                      else "应与邻近单位的党员成立联合党支部")
            add("few_full_members", f"正式党员 {full} 人，不足 {limits.min_full_members} 人，不具备单独成立{what}的条件，"
                                    f"{advice}", full=full)
        if total > limits.max_members:
            add("too_many_members", f"党员 {total} 人，超过 {limits.max_members} 人，一般应分设党支部或成立党总支",
                total=total)
        if full >= limits.committee_from_full_members and posts < limits.committee_min:
            add("no_committee", f"正式党员 {full} 人（{limits.committee_from_full_members} 人以上应设支部委员会），"
                                f"在任班子成员仅 {posts} 人，不足 {limits.committee_min} 人", full=full, posts=posts)
        if posts > limits.committee_max:
            add("committee_too_large", f"支部委员会 {posts} 人，超过 {limits.committee_max} 人"
                                       f"（一般 {limits.committee_min} 至 {limits.committee_usual_max} 人）", posts=posts)
        elif posts > limits.committee_usual_max:
            add("committee_large", f"支部委员会 {posts} 人，一般为 {limits.committee_min} 至 "
                                   f"{limits.committee_usual_max} 人，最多不超过 {limits.committee_max} 人", posts=posts)
        secretary = secretaries.get(branch.pk)
        if secretary is None:
            since = last_end.get(branch.pk)
            text = f"书记空缺（自 {since.isoformat()} 起）" if since else "书记空缺（未登记书记）"
            add("secretary_vacant", text + "，应及时选举或指定书记", since=since)
        else:
            full_date = secretary["person__party_member__full_membership_date"]
            if full_date is None or full_date > standing_cutoff:
                if full_date is None or full_date > as_of:
                    detail = "尚未转正（预备党员没有党龄）"
                else:
                    detail = f"转正日期 {full_date.isoformat()}，党龄 {(as_of - full_date).days} 天"
                add("secretary_standing", f"书记「{secretary['person__name']}」{detail}，"
                                          f"不足 {limits.secretary_standing_years} 年（党支部书记一般应具有1年以上党龄）",
                    since=secretary["start_date"])
        if branch.term_end is not None:
            left = (branch.term_end - as_of).days
            if left <= 0:
                add("term_expired", f"本届任期已于 {branch.term_end.isoformat()} 届满，超期 {-left} 天未换届，应按期换届",
                    since=branch.term_end, due=branch.term_end, days=-left)
            elif left <= limits.term_warning_days:
                add("term_expiring", f"本届任期将于 {branch.term_end.isoformat()} 届满（还有 {left} 天），请做好换届准备",
                    due=branch.term_end, days=left)
        if lost.get(branch.pk):
            n = lost[branch.pk]["n"]
            add("lost_contact", f"{n} 名党员失去联系已满 {limits.lost_contact_months} 个月（最早自 "
                                f"{earliest[branch.pk].isoformat()}），通过各种方式查找仍无法联系的应予停止党籍",
                since=earliest[branch.pk], lost=n)
        out.extend(found)
    return out


def summary_by_kind(findings: list[Finding]) -> list[tuple[Kind, int]]:
    """``[(kind, number of branches with it)]`` in ``KINDS`` order, kinds without findings left out."""
    counts = Counter(f.code for f in findings)
    return [(kind, counts[code]) for code, kind in KINDS.items() if counts[code]]


