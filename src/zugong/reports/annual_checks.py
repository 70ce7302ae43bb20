"""The consistency checks (逻辑校验) of the 党内统计年报, as the reviewing level runs them (issue #10 item 6),
each failed check listing the records to fix (``RecordRef``, at most ``annual.LIMIT``):

- 第一表本年底实有数 = 第二表总计总数 = 第三表总计总数 = 第四表总计总数. The engine fills all four from one
  grouped query, so these hold by construction; they are kept because the reviewing level runs them (and
  the hand-computed tests check each figure independently).
- 第一表本年底应有数 = 本年底实有数, person by person (``mismatched_people``, one grouped query over the year's
  changed periods and events): a member counts +1 at the
  year's end, −1 at its start and the year's events of the subtree must add up to the difference. Each
  person who does not balance is listed with the cause found in their records — a membership period
  that starts or ends in the year without the event that would explain it (a branch changed by a
  re-import, a period ended as 更正), an event whose period change is missing, an event dated before the
  入党日期, a 入党日期 later than the period it belongs to. The check fails on any such person, even when
  the totals happen to agree.
- Row sums equal the 合计 rows of every table with the shared 工作岗位 rows (第二、三、四、十六、十八、十九、
  二十表): 一、在岗职工 = 公有制单位合计 + 非公有制单位合计 (fails on an 在岗职工 with only a 公报 category or
  without 单位所有制) and 总计 = 一 + 二 + 三 + 四 + 五 + 六 (fails on a blank 工作岗位); the members of the
  groups that fall in no row are listed.
- Column groups that a record can miss: 第四表 and 第十六表 学历 (blank 学历), 第二十四表 企业 and 机关 其中
  (a unit without 经济控制类型 / 机关层级: the organizations are listed), 第三十三表 外出流向 and 原职业,
  第四十三表 学历 and 失去联系具体情形.
- 第十表总数 = 第一表出党; 第十六表总数 = 第一表发展党员 (an admission event whose membership period was
  not opened is listed).

Every query is scoped as the report's (``annual._Context``); the only Python loops are over the groups
of the report's queries and over the listed records.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL

from zugong.core.codes import EDUCATION, occupation_label
from zugong.party.choices import DECREASE_KINDS, EVENT_DETAIL, EVENT_KIND, INCREASE_KINDS
from zugong.party.models import Membership
from zugong.people.models import Person
from zugong.reports import annual as A
from zugong.reports.annual_layout import NON_PUBLIC, PUBLIC, TABLE_BY_NUMBER, number_text

OTHER_ROWS = ("二、农牧渔民", "三、军人、武警", "四、学生", "五、离退休人员", "六、其他")
END_REASONS = dict(Membership.END_REASONS)


def _equal(name: str, expected: int, actual: int, records: list | None = None) -> A.Check:
    records = records or []
    return A.Check(name=name, ok=expected == actual and not records, expected=expected, actual=actual,
                   records=records)


def _sum_check(name: str, expected: int, actual: int, records) -> A.Check:
    """A sum check: the records are looked up (a queryset's first rows) only when it fails."""
    ok = expected == actual
    return A.Check(name=name, ok=ok, expected=expected, actual=actual, records=[] if ok else records())


# --------------------------------------------------------------------------------------------------
# 应有数 = 实有数, person by person
# --------------------------------------------------------------------------------------------------


def _balance_sql(ctx) -> tuple[str, list]:
    """SQL of the per-person balance: one row per person of the year's changed periods (``annual.
    _changed_periods``, each row ``change`` = counted at the end − counted at the start) and of the year's
    events of the subtree (each ``flow`` = +1 increase, −1 decrease, 0 otherwise), ``UNION ALL``, grouped
    by person: ``who`` (the person id), ``change``, ``flow`` where the two differ. Both parts are the scoped Django
    querysets' own SQL; no per-person subquery, one pass over each."""
    conditions = A._flow_conditions(ctx)
    zero = Value(0, output_field=IntegerField())
    periods = (A._changed_periods(ctx).order_by()
               .annotate(who=F("person_id"), change=A._counted_on(ctx.as_of) - A._counted_on(ctx.prev), flow=zero)
               .values_list("who", "change", "flow"))
    events = (ctx.events.filter(ctx.touching).order_by()
              .annotate(who=F("person_id"), change=zero,
                        flow=Case(When(conditions["本年增加"], then=Value(1)), When(conditions["本年减少"], then=Value(-1)),
                                  default=zero, output_field=IntegerField()))
              .values_list("who", "change", "flow"))
    sql_periods, params_periods = periods.query.sql_with_params()
    sql_events, params_events = events.query.sql_with_params()
    # only the querysets' compiled SQL is composed here; every value is a parameter
    sql = (f"SELECT b.who, SUM(b.change) AS change, SUM(b.flow) AS flow FROM ({sql_periods} UNION ALL "  # noqa: S608  # nosec B608
           f"{sql_events}) b GROUP BY b.who HAVING SUM(b.change) <> SUM(b.flow)")
    return sql, [*params_periods, *params_events]


def unbalanced_rows(ctx, limit: int | None = None) -> list[dict]:
    """``[{"person_id", "change", "flow"}]`` of the people whose year does not balance (``_balance_sql``),
    by person id, at most ``limit``."""
    sql, params = _balance_sql(ctx)
    if limit is not None:
        sql, params = f"{sql} ORDER BY b.who LIMIT %s", [*params, limit]
    with connections[Membership.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [{"person_id": p, "change": int(c), "flow": int(f)} for p, c, f in cursor.fetchall()]


def mismatched_people(ctx):
    """The people whose year does not balance in the subtree: (member on 31 December) − (member on the
    previous 31 December) ≠ their increases − decreases of the year (``_balance_sql``). A ``Person``
    queryset."""
    sql, params = _balance_sql(ctx)
    return Person.objects.filter(pk__in=RawSQL(f"SELECT u.who FROM ({sql}) u", params))  # noqa: S608, S611  # nosec B608 B611


def _in_subtree(ctx, path: str | None) -> bool:
    return path is not None and path.startswith(ctx.root.path)


def _event_text(event: dict) -> str:
    """The Chinese name of an event's kind, with its detail when it has one (出党（开除党籍）)."""
    text = EVENT_KIND.label(event["kind"])
    return f"{text}（{EVENT_DETAIL.label(event['detail'])}）" if event["detail"] else text


def _mismatch_reasons(ctx, person: dict, events: list[dict], periods: list[dict], admission) -> list[str]:
    """Why one person's year does not balance, from their records (see the module docstring)."""
    start, end = ctx.prev, ctx.as_of
    reasons: list[str] = []
    for e in events:
        if admission and e["date"] < admission and e["kind"] != "admission":
            reasons.append(f"{_event_text(e)}的变动日期 {e['date']} 早于入党日期 {admission}")
        if e["kind"] == "admission" and admission and e["date"] != admission:
            reasons.append(f"发展党员的变动日期 {e['date']} 与入党日期 {admission} 不一致")
    for m in periods:
        if start < m["start_date"] <= end and not any(
                e["date"] == m["start_date"] and e["to_organization_id"] == m["organization_id"]
                and (e["kind"] in INCREASE_KINDS or e["kind"] == "transfer") for e in events):
            reasons.append(f"组织关系自 {m['start_date']} 起在「{m['organization__name']}」，但没有对应的增加变动"
                           "（发展党员、恢复党籍、转入组织关系或组织关系转接）")
        if m["end_date"] and start < m["end_date"] <= end and not any(
                e["date"] == m["end_date"] and (e["kind"] in DECREASE_KINDS or e["kind"] == "transfer")
                and m["organization_id"] in (e["from_organization_id"], e["organization_id"]) for e in events):
            reasons.append(f"组织关系于 {m['end_date']} 在「{m['organization__name']}」结束"
                           f"（{END_REASONS.get(m['end_reason'], m['end_reason']) or '未注明原因'}），但没有对应的减少变动"
                           "（出党、停止党籍、死亡、转出组织关系或组织关系转接）")
    for e in events:
        to_in, from_in = _in_subtree(ctx, e["to_organization__path"]), _in_subtree(ctx, e["from_organization__path"])
        anchor_in = _in_subtree(ctx, e["organization__path"])
        increase = (e["kind"] in INCREASE_KINDS and anchor_in) or (e["kind"] == "transfer" and to_in and not from_in)
        decrease = (e["kind"] in DECREASE_KINDS and anchor_in) or (e["kind"] == "transfer" and from_in and not to_in)
        if increase and not any(m["start_date"] == e["date"] and m["organization_id"] == e["to_organization_id"]
                                for m in periods):
            reasons.append(f"{_event_text(e)}（{e['date']}）已登记，但组织关系没有自该日起在接收组织")
        left_from = e["from_organization_id"] or e["organization_id"]
        if decrease and not any(m["end_date"] == e["date"] and m["organization_id"] == left_from for m in periods):
            reasons.append(f"{_event_text(e)}（{e['date']}）已登记，但组织关系没有在该日结束")
    if admission and start < admission <= end:
        for m in periods:
            if m["start_date"] <= start and (m["end_date"] is None or m["end_date"] > start):
                reasons.append(f"入党日期 {admission} 晚于组织关系起始日期 {m['start_date']}（上年底不计为党员）")
    if not reasons:
        reasons.append(f"本年底与上年底相比党员数变化 {person['change']:+d}，本年增减变动合计 {person['flow']:+d}，二者不符")
    return reasons


def mismatch_records(ctx, limit: int = A.LIMIT) -> list[A.RecordRef]:
    """The first ``limit`` people of ``mismatched_people`` (by id; listed by name), each with the reasons
    found in their scoped events and periods (the names are read by the ids those scoped records gave)."""
    found = {row["person_id"]: row for row in unbalanced_rows(ctx, limit)}
    ids = sorted(found)
    if not ids:
        return []
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    people = sorted(({**found[pk], "pk": pk, "name": names.get(pk, "")} for pk in ids),
                    key=lambda p: (p["name"], p["pk"]))
    events: dict[int, list[dict]] = {}
    for e in (ctx.events.filter(ctx.touching, person_id__in=ids).order_by("date", "pk")
              .values("person_id", "kind", "detail", "date", "organization_id", "to_organization_id",
                      "from_organization_id", "organization__path", "to_organization__path",
                      "from_organization__path")):
        events.setdefault(e["person_id"], []).append(e)
    periods: dict[int, list[dict]] = {}
    admissions: dict[int, object] = {}
    for m in (ctx.memberships.filter(ctx.s(), person_id__in=ids).order_by("start_date", "pk")
              .values("person_id", "organization_id", "organization__name", "start_date", "end_date", "end_reason",
                      f"{A.PM}admission_date")):
        periods.setdefault(m["person_id"], []).append(m)
        admissions[m["person_id"]] = m[f"{A.PM}admission_date"]
    refs = []
    for p in people:
        mine = periods.get(p["pk"], [])
        reasons = _mismatch_reasons(ctx, p, events.get(p["pk"], []), mine, admissions.get(p["pk"]))
        organization = mine[-1]["organization__name"] if mine else ""
        refs.append(A.RecordRef(p["pk"], p["name"], organization, "；".join(reasons)))
    return refs


# --------------------------------------------------------------------------------------------------
# 工作岗位 rows
# --------------------------------------------------------------------------------------------------


def _group_q(group: dict) -> Q:
    return Q(**{f: group[f] for f in A.OCCUPATION_FIELDS})


def _occupation_reason(group: dict, on_duty: tuple[str, ...]) -> str:
    label = occupation_label(group["occupation"], group["occupation_detail"])
    if not group["occupation"]:
        return "未登记工作岗位，只计入总计"
    if group["occupation"] in on_duty and not group["occupation_detail"] and group["occupation"] != "government" \
            and group["occupation"] != "worker":
        return f"工作岗位只登记了公报类别「{label}」，无法分入年报的在岗职工各行"
    if group["occupation"] in on_duty and not group["ownership"]:
        return f"工作岗位「{label}」未登记单位所有制（公有制单位/非公有制单位），无法分入两类单位"
    return f"工作岗位「{label}」无法归入年报的工作岗位行"


def _occupation_checks(ctx, number: int, table: dict, groups: list[dict], base, cache: dict) -> list[A.Check]:
    """The two row-sum checks of a table with the 工作岗位 rows; the records of the groups in no row are
    looked up once per ``base`` (第二、三、四表 share them, ``cache``)."""
    rows = ctx.rules.occupation_rows
    on_duty = rows.on_duty
    heading = number_text(number)

    def refs(duty: bool):
        def build():
            key = (id(base), duty)
            if key not in cache:
                wanted = [g for g in groups if not rows.classified(g) and (g["occupation"] in on_duty) == duty]
                condition = Q(pk__in=[])
                for g in wanted:
                    condition |= _group_q(g)
                cache[key] = A._person_refs(base.filter(condition), lambda r: _occupation_reason(r, on_duty),
                                            extra=A.OCCUPATION_FIELDS) if wanted else []
            return cache[key]
        return build

    def total(key: str) -> int:
        return table[key]["总数"]

    sectors = total(f"{PUBLIC}·合计") + total(f"{NON_PUBLIC}·合计")
    whole = total("一、在岗职工") + sum(total(k) for k in OTHER_ROWS)
    return [
        _sum_check(f"{heading}“一、在岗职工”= 公有制单位合计 + 非公有制单位合计", total("一、在岗职工"), sectors, refs(True)),
        _sum_check(f"{heading}“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和", total("总计"), whole,
                   refs(False)),
    ]


def _education_check(ctx, number: int, table: dict, base) -> A.Check:
    groups = ctx.rules.education.columns
    total = table["总计"]["总数"]
    found = sum(table["总计"][g.label] for g in groups)

    def build():
        recorded = Q(pk__in=[])
        for g in groups:
            recorded |= g.q("person__")
        return A._person_refs(base.exclude(recorded), lambda r: (
            f"学历「{EDUCATION.label(r['person__education_level'])}」无法归入学历各列"
            if r["person__education_level"] else "未登记学历"), extra=("person__education_level",))

    return _sum_check(f"{number_text(number)}总计：学历各栏之和 = 总数", total, found, build)


# --------------------------------------------------------------------------------------------------
# 第二十四表, 第三十三表, 第四十三表
# --------------------------------------------------------------------------------------------------


def _organization_checks(ctx, table: dict, organizations: list[dict]) -> list[A.Check]:
    heading = number_text(24)

    def orgs(category: str, attribute: str, reason: str):
        def build():
            out = []
            for o in organizations:
                facts = ctx.unit_facts.get(o["pk"])
                if facts and facts.unit_category == category and not getattr(facts, attribute):
                    out.append(A.RecordRef(None, o["name"], o["name"], reason, organization_id=o["pk"]))
            return out[:A.LIMIT]
        return build

    enterprise = sum(table[k]["总数"] for k in ("国有经济控制", "集体经济控制", "非公有经济控制"))
    organ = sum(table[k]["总数"] for k in ("中央一级", "省（区、市）一级", "市（地、州、盟）一级", "县（市、区、旗）一级"))
    return [
        _sum_check(f"{heading}“企业”= 国有、集体、非公有经济控制之和", table["企业"]["总数"], enterprise,
                   orgs("enterprise", "economic_control", "所在单位（企业）未登记经济控制类型")),
        _sum_check(f"{heading}“机关”= 中央、省、市、县各级之和", table["机关"]["总数"], organ,
                   orgs("government_organ", "organ_level", "所在单位（机关）未登记机关层级")),
    ]


def _mobile_checks(ctx, table: dict) -> list[A.Check]:
    from zugong.party.choices import FLOW_DESTINATION, MOBILE_ORIGINAL_OCCUPATION

    heading, total = number_text(33), table["流出党员总数"]["总数"]
    statuses = ctx.statuses("mobile")
    occupations = sum(table["流出党员总数"][label] for label in MOBILE_ORIGINAL_OCCUPATION.entries.values())
    return [
        _sum_check(f"{heading}“外出流向”各项之和 = 流出党员总数", total, table["外出流向"]["总数"],
                   lambda: A._person_refs(statuses.exclude(destination_type__in=list(FLOW_DESTINATION.entries)),
                                          "流动党员未登记外出流向")),
        _sum_check(f"{heading}原职业各栏之和 = 总数", total, occupations,
                   lambda: A._person_refs(statuses.exclude(
                       original_occupation__in=list(MOBILE_ORIGINAL_OCCUPATION.entries)), "流动党员未登记原职业")),
    ]


def _lost_checks(ctx, table: dict) -> list[A.Check]:
    from zugong.party.choices import LOST_CONTACT_SITUATION

    heading, row = number_text(43), table["总计"]
    lost = A._lost(ctx).filter(member_org__isnull=False)
    education = ctx.rules.education
    recorded = education.college.q("person__") | education.secondary.q("person__") | education.basic.q("person__")
    return [
        _sum_check(f"{heading}学历各栏之和 = 总数", row["总数"],
                   sum(row[g.label] for g in (education.college, education.secondary, education.basic)),
                   lambda: A._person_refs(lost.exclude(recorded), "失联党员未登记学历")),
        _sum_check(f"{heading}失去联系具体情形各栏之和 = 总数", row["总数"],
                   sum(row[label] for label in LOST_CONTACT_SITUATION.entries.values()),
                   lambda: A._person_refs(lost.exclude(lost_situation__in=list(LOST_CONTACT_SITUATION.entries)),
                                          "失联党员未登记失去联系具体情形")),
    ]


# --------------------------------------------------------------------------------------------------
# All checks
# --------------------------------------------------------------------------------------------------


def _unopened_admissions(ctx) -> list[A.RecordRef]:
    """Admission events of the year in the subtree whose membership period was not opened."""
    opened = ctx.memberships.filter(person_id=OuterRef("person_id"), start_date=OuterRef("date"),
                                    organization_id=OuterRef("to_organization_id"))
    events = ctx.events.filter(ctx.s(), kind="admission").exclude(Exists(opened))
    return A._person_refs(events, lambda r: f"发展党员（{r['date']}）已登记，但没有自该日起的组织关系", extra=("date",))


def consistency_checks(ctx, tables: dict, *, groups: dict, organizations: list[dict]) -> list[A.Check]:
    """Every 逻辑校验 of the report (module docstring), in the order the reviewing level reads them."""
    t = {n: tables[TABLE_BY_NUMBER[n].title] for n in TABLE_BY_NUMBER}
    first = t[1]
    total_2 = t[2]["总计"]["总数"]
    checks = [
        _equal("第一表本年底实有数 = 第二表总计总数", first["本年底实有数"], total_2),
        _equal("第二表总计总数 = 第三表总计总数", total_2, t[3]["总计"]["总数"]),
        _equal("第二表总计总数 = 第四表总计总数", total_2, t[4]["总计"]["总数"]),
    ]
    mismatches = mismatch_records(ctx)
    checks.append(A.Check(name="第一表本年底应有数 = 本年底实有数（逐人核对本年变动）",
                          ok=first["本年底应有数"] == first["本年底实有数"] and not mismatches,
                          expected=first["本年底应有数"], actual=first["本年底实有数"], records=mismatches))
    members = ctx.members_on(ctx.as_of)
    bases = {2: members, 3: members, 4: members, 16: A._developed(ctx)}
    for number in (18, 19, 20):
        stage = A._stage_q(ctx, number)
        bases[number] = A._pipeline(ctx).filter(stage) if stage is not None else A._pipeline(ctx)
    cache: dict = {}
    for number in (2, 3, 4, 16, 18, 19, 20):
        checks += _occupation_checks(ctx, number, t[number], groups[number], bases[number], cache)
    checks.append(_education_check(ctx, 4, t[4], members))
    checks.append(_education_check(ctx, 16, t[16], bases[16]))
    checks.append(_equal("第十表总计总数 = 第一表出党", first["本年减少"]["出党"], t[10]["总计"]["总数"]))
    checks.append(_equal("第十六表总计总数 = 第一表发展党员", first["本年增加"]["发展党员"], t[16]["总计"]["总数"],
                         _unopened_admissions(ctx)))
    checks += _organization_checks(ctx, t[24], organizations)
    checks += _mobile_checks(ctx, t[33])
    checks += _lost_checks(ctx, t[43])
    return checks


