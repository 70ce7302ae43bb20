"""A small 年报 dataset whose figures are worked out by hand (``tests/reports/test_annual_engine*.py``).

Written straight through the models and ``party.lifecycle.apply_event`` (the contract), so it does not
depend on the lifecycle services. Year 2023: P = 2022-12-31, D = 2023-12-31.

Organizations (``R`` is the report's root; ``O`` another county)::

    R    县委 (committee; unit 某县 机关 县级)
    ├── A    甲镇党委 (committee; unit 甲镇 乡镇)           term 2021-01-01..2023-12-31 (任届期满 on D)
    │   ├── A1  甲镇机关党支部 (branch; 与上级相同 → 乡镇)
    │   ├── A2  农机厂党支部 (branch; 法人单位: 国有经济控制企业)
    │   └── A3  甲镇联合党支部 (joint_branch; 联合: 非公有 企业 then 集体 企业 → 非公有)
    ├── B    乙镇党委 (committee; unit 乙镇 乡镇)
    │   ├── B1  东村党支部 (branch; unit 东村 行政村 → 其他)    elected 2023-03-01 (报告期内换届)
    │   └── B2  卫生院党总支 (general_branch; unit 卫生院 事业单位)
    │       └── B2a 卫生院第一党支部 (branch; 与上级相同 → 事业单位)
    ├── W    县直机关工委 (working_committee: never counted in 第二十四表)
    ├── X    原粮站党支部 (branch, dissolved 2023-05-01)
    └── Y    新区党支部 (branch, founded 2024-01-01)
    O    外县委 └── O1 外县党支部

Members on P in R (15): m1 m2 m8 m10 (A1), m3 m13 m14 m16 (A2), m4 (A3), m5 m6 m11 m12 m17 (B1), m7 (B2a).
The year's events in R:

- 发展党员: n1 (A1, 03-15), n2 (B2a, 07-01, 重新入党), n4 (A1, 12-31), n5 (B1, 01-01) → 4 (其中 1)
- 恢复党籍: m6 (B1, 10-01, 停止党籍后恢复) after 停止党籍 02-01 → 1 (1)
- 转入: n3 (A3, 09-09, 整建制 from outside Zugong); m9 O1 → A1 (05-05, a transfer from outside R) → 2 (1)
- 出党: m5 自行脱党除名 (无法联系) 07-01, m11 取消预备党员资格 05-01 (预备期未满), m12 取消预备党员资格 02-02
  (预备期已满), m13 开除党籍 12-31 → 4
- 停止党籍: m6 → 1; 死亡: m2 12-31 → 1; 转出: m10 (A1, 08-08, 整建制, out of Zugong) → 1 (1)
- m3 A2 → B1 (04-01): inside R, nothing for R; 转出 of A, 转入 of B
- 转正: m4 按期 (03-01), m16 延长后转正 (06-01, extended 12 months in 2022), m17 推迟讨论后转正 (03-01,
  推迟讨论 01-20), m7 延长预备期 6 months (10-15; running on D)

On D (15): m1 m8 m9 n1 n4 (A1), m14 m16 (A2), m4 n3 (A3), m3 m6 m17 n5 (B1), m7 n2 (B2a).
应有 = 15 + 7 − 7 = 15 = 实有.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tests.factories import make_id, make_user
from zugong.orgs.models import OrganizationTerm, PartyOrganization
from zugong.orgs.services import organization_create
from zugong.orgs.unit_services import unit_create
from zugong.party.lifecycle import apply_event
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, MemberStatus, PartyMember
from zugong.people.models import Person

D = dt.date
YEAR = 2023
FOUNDED, BORN, APPLICANT_BORN = D(1990, 1, 1), D(1985, 6, 15), D(2000, 1, 1)


def org(code, name, org_type, parent=None, founded=FOUNDED, dissolved=None):
    created = organization_create(code=code, name=name, org_type=org_type, parent=parent, founded_date=founded)
    if dissolved:
        PartyOrganization.objects.filter(pk=created.pk).update(status="dissolved", dissolved_date=dissolved)
        created.refresh_from_db()
    return created


def link(organization, relation, unit=None, joint=()):
    """Record 党组织所在单位情况 directly (the services' checks are not what this dataset tests)."""
    PartyOrganization.objects.filter(pk=organization.pk).update(unit_relation=relation, unit=unit)
    if joint:
        organization.joint_units.set(joint)


def person(name, where, *, sex="1", eth="01", birth=BORN, edu="21", title="", taiwan=False):
    p = Person(name=name, sex=sex, ethnicity=eth, birth_date=birth, education_level=edu, political_status="01",
               organization=where, title_level=title, taiwan_origin=taiwan)
    p.set_id_number(make_id(birth, "1" if sex == "1" else "2"))
    p.save()
    return p


def occ(occupation, detail="", ownership="", *, worker=False, business=False, front_line=False, kind=""):
    return {"occupation": occupation, "occupation_detail": detail, "ownership": ownership, "migrant_worker": worker,
            "migrant_business": business, "front_line": front_line, "front_line_kind": kind}


def opening(p, where, admitted, full=None, occupation=None):
    """A member before Zugong: PartyMember + a membership from the 入党日期 (no event)."""
    PartyMember.objects.create(person=p, admission_date=admitted, full_membership_date=full)
    Membership.objects.create(person=p, organization=where, start_date=admitted, **(occupation or {}))
    return p


def event(p, kind, date, *, to=None, frm=None, at=None, detail="", occupation=None, unreachable=False, months=None,
          counterpart="", apply=True):
    """A ``MembershipEvent`` (anchor: ``to`` or ``frm`` or ``at``) and its period changes (``apply_event``)."""
    e = MembershipEvent.objects.create(person=p, kind=kind, detail=detail, date=date, organization=to or frm or at,
                                       to_organization=to, from_organization=frm, unreachable=unreachable,
                                       extension_months=months, counterpart=counterpart)
    if apply:
        apply_event(e, occupation=occupation)
    return e


def admit(p, where, date, *, detail="", occupation=None, apply=True):
    PartyMember.objects.create(person=p, admission_date=date)
    return event(p, "admission", date, to=where, detail=detail, occupation=occupation, apply=apply)


def applicant(name, where, applied, *, activist=None, candidate=None, admitted=None, closed=None, sex="1", eth="01",
              birth=APPLICANT_BORN, edu="21", occupation=None):
    p = Person(name=name, sex=sex, ethnicity=eth, birth_date=birth, education_level=edu, political_status="13",
               organization=where)
    p.set_id_number(make_id(birth, sex))
    p.save()
    return DevelopmentRecord.objects.create(person=p, organization=where, application_date=applied,
                                            activist_date=activist, candidate_date=candidate, admission_date=admitted,
                                            closed_date=closed, **(occupation or {}))


def status(p, kind, start, end=None, **fields):
    return MemberStatus.objects.create(person=p, organization=p.organization, kind=kind, start_date=start,
                                       end_date=end, **fields)


def build() -> SimpleNamespace:  # noqa: PLR0915 (one dataset, written out)
    t = SimpleNamespace()
    t.R = org("R", "某县委", "committee")
    t.A = org("R-A", "甲镇党委", "committee", t.R)
    t.A1 = org("R-A-1", "甲镇机关党支部", "branch", t.A)
    t.A2 = org("R-A-2", "农机厂党支部", "branch", t.A)
    t.A3 = org("R-A-3", "甲镇联合党支部", "joint_branch", t.A)
    t.B = org("R-B", "乙镇党委", "committee", t.R)
    t.B1 = org("R-B-1", "东村党支部", "branch", t.B)
    t.B2 = org("R-B-2", "卫生院党总支", "general_branch", t.B)
    t.B2a = org("R-B-2-1", "卫生院第一党支部", "branch", t.B2)
    t.W = org("R-W", "县直机关工委", "working_committee", t.R)
    t.X = org("R-X", "原粮站党支部", "branch", t.R, dissolved=D(2023, 5, 1))
    t.Y = org("R-Y", "新区党支部", "branch", t.R, founded=D(2024, 1, 1))
    t.O = org("O", "外县委", "committee")
    t.O1 = org("O-1", "外县党支部", "branch", t.O)

    county = unit_create(code="U", name="某县", unit_category="government_organ", organ_level="county")
    town_a = unit_create(code="U-A", name="甲镇", unit_category="township", parent=county)
    town_b = unit_create(code="U-B", name="乙镇", unit_category="township", parent=county)
    factory = unit_create(code="U-A-1", name="农机厂", unit_category="enterprise", parent=town_a,
                          economic_control="state_controlled")
    shop = unit_create(code="U-A-2", name="甲镇商店", unit_category="enterprise", parent=town_a,
                       economic_control="non_public_controlled")
    coop = unit_create(code="U-A-3", name="甲镇合作社", unit_category="enterprise", parent=town_a,
                       economic_control="collective_controlled")
    village = unit_create(code="U-B-1", name="东村", unit_category="village", parent=town_b)
    clinic = unit_create(code="U-B-2", name="乙镇卫生院", unit_category="public_institution", parent=town_b)
    link(t.R, "legal_entity_unit", county)
    link(t.A, "legal_entity_unit", town_a)
    link(t.A1, "same_as_parent")
    link(t.A2, "legal_entity_unit", factory)
    link(t.A3, "joint", joint=(shop, coop))
    link(t.B, "legal_entity_unit", town_b)
    link(t.B1, "legal_entity_unit", village)
    link(t.B2, "legal_entity_unit", clinic)
    link(t.B2a, "same_as_parent")
    OrganizationTerm.objects.create(organization=t.A, election_date=D(2020, 12, 20), start_date=D(2021, 1, 1),
                                    end_date=D(2023, 12, 31))
    OrganizationTerm.objects.create(organization=t.B1, election_date=D(2020, 3, 1), start_date=D(2020, 3, 1),
                                    end_date=D(2023, 2, 28))
    OrganizationTerm.objects.create(organization=t.B1, election_date=D(2023, 3, 1), start_date=D(2023, 3, 1),
                                    end_date=D(2026, 2, 28))
    OrganizationTerm.objects.create(organization=t.R, election_date=D(2018, 12, 1), start_date=D(2019, 1, 1),
                                    end_date=D(2024, 1, 1))

    gov = occ("government", ownership="public")
    m = {}
    # --- the opening balance -------------------------------------------------------------------------
    m["m1"] = opening(person("m1", t.A1, sex="2", birth=D(1990, 6, 15), edu="21", title="intermediate"), t.A1,
                      D(2012, 11, 1), D(2013, 11, 1), gov)
    m["m2"] = opening(person("m2", t.A1, eth="05", birth=D(1955, 1, 1), edu="61"), t.A1, D(1978, 12, 31),
                      D(1979, 12, 31), occ("retired"))
    m["m3"] = opening(person("m3", t.A2, birth=D(1985, 3, 3), edu="31"), t.A2, D(2005, 5, 5), D(2006, 5, 5),
                      occ("professional", "enterprise_professional", "public"))
    m["m4"] = opening(person("m4", t.A3, sex="2", birth=D(1995, 12, 31), edu="41"), t.A3, D(2022, 3, 1), None,
                      occ("worker", "skilled_worker", "non_public", worker=True))
    m["m5"] = opening(person("m5", t.B1, birth=D(1950, 7, 1), edu="81"), t.B1, D(1966, 4, 30), D(1967, 4, 30),
                      occ("farmer", business=True))
    m["m6"] = opening(person("m6", t.B1, birth=D(1970, 1, 1), edu="14"), t.B1, D(1990, 1, 1), D(1991, 1, 1),
                      occ("other", "military"))
    m["m7"] = opening(person("m7", t.B2a, birth=D(2001, 5, 5), edu="21"), t.B2a, D(2022, 10, 10), None,
                      occ("student"))
    m["m8"] = opening(person("m8", t.A1, birth=D(1975, 8, 8), edu="61"), t.A1, D(2022, 6, 1), None, occ("other"))
    m["m9"] = opening(person("m9", t.O1, sex="2", eth="02", birth=D(1960, 12, 31), edu="11", taiwan=True), t.O1,
                      D(1985, 1, 1), D(1986, 1, 1), occ("retired"))
    m["m10"] = opening(person("m10", t.A1, birth=D(1980, 1, 1)), t.A1, D(2000, 7, 1), D(2001, 7, 1), gov)
    m["m11"] = opening(person("m11", t.B1, birth=D(1987, 5, 1), edu="31"), t.B1, D(2022, 9, 1), None, occ("farmer"))
    m["m12"] = opening(person("m12", t.B1, birth=D(1968, 2, 2), edu="61"), t.B1, D(2021, 11, 1), None, occ("farmer"))
    m["m13"] = opening(person("m13", t.A2, birth=D(1958, 12, 31), edu="61"), t.A2, D(1978, 12, 18), D(1979, 12, 18),
                       occ("worker", "skilled_worker", "public"))
    m["m14"] = opening(person("m14", t.A2, birth=D(1975, 2, 2), edu="21", title="senior"), t.A2, D(2000, 1, 1),
                       D(2001, 1, 1), occ("manager", "enterprise_manager", "public"))
    m["m16"] = opening(person("m16", t.A2, birth=D(1992, 2, 29), edu="31"), t.A2, D(2021, 6, 1), None,
                       occ("professional", "enterprise_professional", "public"))
    m["m17"] = opening(person("m17", t.B1, sex="2", birth=D(1990, 1, 1), edu="21"), t.B1, D(2022, 1, 10), None,
                       occ("farmer"))
    # m16 was extended in 2022 (12 months), a decision of last year
    event(m["m16"], "full_membership", D(2022, 6, 10), at=t.A2, detail="extended", months=12)

    # --- the year's events -------------------------------------------------------------------------------
    m["n5"] = person("n5", t.B1, birth=D(1993, 1, 1), edu="21")
    admit(m["n5"], t.B1, D(2023, 1, 1), occupation=occ("farmer", business=True))
    event(m["m17"], "full_membership", D(2023, 1, 20), at=t.B1, detail="postponed")
    event(m["m6"], "suspension", D(2023, 2, 1), frm=t.B1)
    event(m["m12"], "exit", D(2023, 2, 2), frm=t.B1, detail="probation_cancelled")
    event(m["m4"], "full_membership", D(2023, 3, 1), at=t.A3, detail="on_time")
    event(m["m17"], "full_membership", D(2023, 3, 1), at=t.B1, detail="after_postponement")
    m["n1"] = person("n1", t.A1, sex="2", birth=D(1998, 3, 15), edu="21")
    admit(m["n1"], t.A1, D(2023, 3, 15), occupation=gov)
    event(m["m3"], "transfer", D(2023, 4, 1), frm=t.A2, to=t.B1)
    event(m["m11"], "exit", D(2023, 5, 1), frm=t.B1, detail="probation_cancelled")
    event(m["m9"], "transfer", D(2023, 5, 5), frm=t.O1, to=t.A1)
    event(m["m16"], "full_membership", D(2023, 6, 1), at=t.A2, detail="after_extension")
    m["n2"] = person("n2", t.B2a, birth=D(1983, 7, 2), edu="11", title="junior")
    admit(m["n2"], t.B2a, D(2023, 7, 1), detail="readmission",
          occupation=occ("professional", "institution_professional", "public"))
    event(m["m5"], "exit", D(2023, 7, 1), frm=t.B1, detail="lapsed_removed", unreachable=True)
    event(m["m10"], "transfer_out", D(2023, 8, 8), frm=t.A1, detail="whole_unit", counterpart="外省某党委")
    m["n3"] = person("n3", t.A3, birth=D(1978, 9, 9), edu="31")
    PartyMember.objects.create(person=m["n3"], admission_date=D(2012, 10, 31), full_membership_date=D(2013, 10, 31))
    event(m["n3"], "transfer_in", D(2023, 9, 9), to=t.A3, detail="whole_unit", counterpart="邻县某企业党委",
          occupation=occ("manager", "enterprise_manager", "non_public"))
    event(m["m6"], "reinstatement", D(2023, 10, 1), to=t.B1, detail="after_suspension")
    event(m["m7"], "full_membership", D(2023, 10, 15), at=t.B2a, detail="extended", months=6)
    event(m["m2"], "death", D(2023, 12, 31), frm=t.A1)
    event(m["m13"], "exit", D(2023, 12, 31), frm=t.A2, detail="expelled")
    m["n4"] = person("n4", t.A1, eth="03", birth=D(1987, 12, 31), edu="41")
    admit(m["n4"], t.A1, D(2023, 12, 31), occupation=occ("worker", "skilled_worker", "public", worker=True))
    for p in m.values():
        p.refresh_from_db()
    t.m = m

    # --- member statuses ------------------------------------------------------------------------------
    status(m["m1"], "mobile", D(2023, 2, 1), flow_scope="cross_province", destination_type="nonpublic_private",
           original_occupation="public_staff", has_certificate=True)
    status(m["n3"], "mobile", D(2023, 10, 1), flow_scope="within_city", destination_type="public_organ",
           original_occupation="other")
    status(m["m9"], "mobile", D(2023, 6, 1), flow_scope="cross_city", destination_type="unknown",
           original_occupation="other")
    status(m["m6"], "mobile", D(2022, 5, 1), D(2023, 12, 31), flow_scope="cross_city", destination_type="village",
           original_occupation="farmer")  # ended on D: not counted
    status(m["m10"], "mobile", D(2023, 1, 1), flow_scope="cross_province", destination_type="other",
           original_occupation="other")  # transferred out: not a member on D
    status(m["m3"], "lost_contact", D(2023, 6, 30), lost_situation="job_change")  # exactly 6 months on D
    status(m["m14"], "lost_contact", D(2015, 3, 1), lost_situation="restructuring")
    status(m["m7"], "lost_contact", D(2022, 12, 1), lost_situation="graduate_unknown")
    status(m["m8"], "lost_contact", D(2023, 7, 1), lost_situation="other")  # under 6 months: not counted

    # --- the development pipeline ------------------------------------------------------------------------
    t.d = {
        "d1": applicant("d1", t.A1, D(2022, 1, 1), activist=D(2022, 6, 1), candidate=D(2023, 7, 1), sex="2",
                        birth=D(1999, 1, 1), edu="21", occupation=occ("government", ownership="public")),
        "d2": applicant("d2", t.B1, D(2023, 3, 1), activist=D(2023, 9, 1), birth=D(1980, 1, 1), edu="61",
                        occupation=occ("farmer", front_line=True, kind="rural_production")),
        "d3": applicant("d3", t.A2, D(2023, 11, 11), eth="03", birth=D(1988, 12, 31), edu="41",
                        occupation=occ("professional", "enterprise_professional", "public", front_line=True,
                                       kind="enterprise_production")),
        "d4": applicant("d4", t.A1, D(2021, 1, 1), activist=D(2021, 6, 1), candidate=D(2022, 6, 1),
                        admitted=D(2023, 3, 15)),
        "d5": applicant("d5", t.B1, D(2022, 1, 1), closed=D(2023, 5, 5)),
        "d6": applicant("d6", t.A1, D(2024, 1, 5)),
        "d7": applicant("d7", t.O1, D(2022, 1, 1), activist=D(2022, 6, 1)),
    }

    t.county_user = make_user("annual_county", "org_department", t.R)
    t.town_user = make_user("annual_town_a", "party_affairs", t.A)
    t.other_user = make_user("annual_other", "org_department", t.O)
    t.viewer = make_user("annual_viewer", "viewer", t.R)
    return t


# --- expected tables, summed from each member's hand-assigned rows and columns ---------------------------

PUB, NON = "公有制单位", "非公有制单位"
ON_DUTY = ["总计", "一、在岗职工"]


def pub(leaf, *extra):
    return [*ON_DUTY, f"{PUB}·合计", f"{PUB}·{leaf}", *extra]


def non(leaf, *extra):
    return [*ON_DUTY, f"{NON}·合计", f"{NON}·{leaf}", *extra]


def expected(table, contributions) -> dict:
    """``{row: {column: n}}`` of ``table`` with every cell 0 except the (rows × columns) of each
    contribution, each adding 1 (or the given weight)."""
    out = {r.key: {c.key: 0 for c in table.columns} for r in table.rows}
    for rows, columns in contributions:
        for row in rows:
            for column in columns:
                out[row][column] += 1
    return out
