"""The demo dataset: deterministic, internally consistent, and shaped like the 2023 公报 as of 2023-12-31.

Generated at 1:100,000 (992 members, 52 grassroots organizations, 210 applicants) — small enough for a
unit test, large enough for the shares to be checked to within one percentage point.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db.models import Count, F, Q
from django.urls import reverse

from zugong.core import idnumber
from zugong.core.codes import ETHNICITY_HAN, SEX_FEMALE
from zugong.core.dates import add_years, age_on
from zugong.core.errors import ZugongError
from zugong.demo import distributions as D
from zugong.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from zugong.demo.generator import ROOT_CODE, demo_reset, demo_root, generate
from zugong.orgs.models import PartyOrganization
from zugong.party.choices import FULL_OUTCOMES
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, MemberStatus, PartyMember
from zugong.people.models import Person

SCALE = 100_000
AS_OF = dt.date(2023, 12, 31)
TOLERANCE = 1.0  # percentage points


@pytest.fixture
def demo(db):
    return generate(scale=SCALE, seed=2023)


def _digest() -> str:
    """A digest of everything generated except primary keys and ciphertexts (random nonces)."""
    h = hashlib.sha256()
    root = demo_root()
    for row in PartyOrganization.objects.filter(path__startswith=root.path).order_by("path").values_list(
            "code", "name", "org_type", "unit_category", "founded_date", "depth", "numchild"):
        h.update(repr(row).encode())
    for row in Person.objects.order_by("pk").values_list(
            "name", "sex", "ethnicity", "birth_date", "id_number_hash", "phone_hash", "education_level",
            "political_status", "work_start_date", "organization__code"):
        h.update(repr(row).encode())
    for row in Membership.objects.order_by("pk").values_list(
            "person__id_number_hash", "organization__code", "start_date", "occupation", "front_line"):
        h.update(repr(row).encode())
    for row in DevelopmentRecord.objects.order_by("pk").values_list(
            "person__id_number_hash", "application_date", "activist_date", "candidate_date", "admission_date",
            "occupation_detail", "front_line_kind"):
        h.update(repr(row).encode())
    for row in MembershipEvent.objects.order_by("pk").values_list(
            "person__id_number_hash", "kind", "detail", "date", "organization__code", "counterpart"):
        h.update(repr(row).encode())
    for row in MemberStatus.objects.order_by("pk").values_list(
            "person__id_number_hash", "kind", "start_date", "end_date", "destination_type", "lost_situation"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_same_seed_gives_identical_data_and_another_seed_does_not(db):
    generate(scale=SCALE, seed=2023, workers=0)  # encryption in this process
    first = _digest()
    with pytest.raises(ZugongError):
        generate(scale=SCALE, seed=2023)  # never twice into one database
    assert demo_reset() > 0
    assert not Person.objects.exists() and not PartyOrganization.objects.exists()
    generate(scale=SCALE, seed=2023, workers=2)  # encryption in worker processes
    assert _digest() == first
    demo_reset()
    generate(scale=SCALE, seed=7)
    assert _digest() != first


def test_sizes_follow_the_scale(demo):
    assert demo.members == 992  # 9918.5万 / 100,000
    assert demo.organizations["committee"] == 3  # 29.8万 / 10万 rounded half up
    assert demo.organizations["general_branch"] == 3
    assert demo.organizations["branch"] + demo.organizations.get("joint_branch", 0) == 46
    assert Membership.objects.current().count() == 992
    assert PartyMember.objects.count() == 992 + demo.former_members  # who left in 2022–2023
    assert Person.objects.count() == demo.persons == (992 + demo.former_members + demo.applicants
                                                      + demo.cadres["new_people"])  # non-member cadres
    assert demo.applicants == round(992 * D.APPLICANTS / D.MEMBERS)


@pytest.mark.django_db
def test_members_override():
    summary = generate(members=1500, seed=1)
    assert summary.members == 1500
    grassroots = (summary.organizations["committee"] + summary.organizations["general_branch"]
                  + summary.organizations["branch"] + summary.organizations.get("joint_branch", 0))
    assert abs(grassroots - 1500 / 19.16) <= 2


@pytest.mark.parametrize("scale", [1_000_000, 3_000_000])
def test_tiny_scales_still_give_a_complete_tree(db, scale):
    """At 1:1,000,000 some kinds of branch have no fitting parent (no township, no community
    committee): they hang under the county committee instead of failing."""
    summary = generate(scale=scale, seed=2023)
    assert summary.members > 0
    root = demo_root()
    members = Membership.objects.filter(organization__path__startswith=root.path, end_date__isnull=True)
    assert members.count() == summary.members
    assert not Membership.objects.filter(organization__org_type__in=["committee", "working_committee"]).exists()


def test_tree_is_consistent(demo):
    problems = PartyOrganization.objects.find_problems()
    assert all(not ids for ids in problems), problems
    root = demo_root()
    assert root.code == ROOT_CODE and root.depth == 1 and root.org_type == "committee"
    orgs = list(PartyOrganization.objects.filter(path__startswith=root.path))
    assert len({o.code for o in orgs}) == len(orgs)
    by_path = {o.path: o for o in orgs}
    for org in orgs:
        if org.depth > 1:
            parent = by_path[org.path[:-PartyOrganization.steplen]]
            assert parent.founded_date <= org.founded_date, (parent.name, org.name)
            assert parent.org_type not in ("branch", "joint_branch")
    # memberships never start before their organization was founded nor run after it was dissolved; each
    # person's memberships run without overlap from the 入党日期 (an ended one where he was before his branch
    # existed) or from the day he came in (转入); a gap only between a decrease (停止党籍, 出党) and the
    # 恢复党籍 that ends it; former members' last membership ends with their decrease
    assert not Membership.objects.filter(organization__founded_date__gt=F("start_date")).exists()
    assert not Membership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=F("organization__dissolved_date")),
                                         organization__dissolved_date__isnull=False).exists()
    assert set(Membership.objects.values_list("organization__org_type", flat=True)) == {"branch", "joint_branch"}
    moved = 0
    history: dict[int, list] = {}
    for m in Membership.objects.order_by("start_date").values("person_id", "start_date", "end_date", "end_reason"):
        history.setdefault(m["person_id"], []).append(m)
    admissions = dict(PartyMember.objects.values_list("person_id", "admission_date"))
    entered = dict(MembershipEvent.objects.filter(kind="transfer_in").values_list("person_id", "date"))
    reinstated = set(MembershipEvent.objects.filter(kind="reinstatement").values_list("person_id", "date"))
    for person_id, rows in history.items():
        assert rows[0]["start_date"] in (admissions[person_id], entered.get(person_id))
        assert rows[-1]["end_date"] is None or rows[-1]["end_reason"] in ("death", "exit", "suspension", "transfer_out")
        for before, after in zip(rows, rows[1:], strict=False):
            if before["end_reason"] == "transfer":
                assert before["end_date"] == after["start_date"]
            else:
                assert before["end_reason"] in ("suspension", "exit") and before["end_date"] < after["start_date"]
                assert (person_id, after["start_date"]) in reinstated
        moved += any(r["end_reason"] == "transfer" for r in rows)
    assert 0 < moved < len(history)
    # a branch has at least 3 members
    sizes = Membership.objects.values("organization").annotate(n=Count("pk")).values_list("n", flat=True)
    assert min(sizes) >= 3


def test_people_are_internally_consistent(demo):
    today = dt.date.today()
    hashes = set()
    decisions_of: dict[int, list] = {}
    for person_id, day in MembershipEvent.objects.filter(kind="full_membership", detail__in=FULL_OUTCOMES).order_by(
            "date").values_list("person_id", "date"):
        decisions_of.setdefault(person_id, []).append(day)
    extended_or_left = set(MembershipEvent.objects.filter(
        Q(detail__in=("extended", "postponed")) | Q(kind__in=("exit", "transfer_out"))).values_list("person_id", flat=True))
    left_as_non_member = set(Membership.objects.filter(end_reason__in=("exit", "suspension")).exclude(
        person__memberships__end_date__isnull=True).values_list("person_id", flat=True))
    # the cadre stage's planned dossier problem (demo.cadres): recorded birth date ≠ the ID number's
    planned = set(Person.objects.filter(cadre__pk__in=demo.cadres["inconsistencies"]["birth_vs_id"])
                  .values_list("pk", flat=True))
    cadre_people = set(Person.objects.filter(cadre__isnull=False).values_list("pk", flat=True))
    for p in Person.objects.select_related("party_member"):
        info = idnumber.parse(p.id_number)  # valid checksum
        assert (info.birth_date == p.birth_date) != (p.pk in planned) and info.sex == p.sex, p.name
        assert p.id_number_masked == idnumber.mask(info.number)
        hashes.add(p.id_number_hash)
        if p.phone_encrypted:
            assert len(p.phone) == 11 and p.phone[0] == "1" and p.phone[1] in "3456789"
        if p.work_start_date:
            assert add_years(p.birth_date, 16) <= p.work_start_date <= AS_OF
            assert age_on(p.birth_date, p.work_start_date) <= 25
        member = getattr(p, "party_member", None)
        if member is None:  # 群众 / 共青团员; a non-member cadre (demo.cadres) may be in a democratic party or 无党派
            assert p.political_status in ("03", "13") or (p.pk in cadre_people and "04" <= p.political_status <= "12")
            continue
        assert member.admission_date >= add_years(p.birth_date, 18), p.name
        assert member.admission_date <= AS_OF
        # 转正: one year after admission, or the day of the recorded decision (延长预备期后 / 推迟讨论后转正);
        # none yet for those whose extended probation runs beyond today or who left during probation
        decisions = decisions_of.get(p.pk, [])
        if decisions:
            assert member.full_membership_date == decisions[-1]
        elif member.full_membership_date is None:
            assert p.pk in extended_or_left or add_years(member.admission_date, 1) > today, p.name
        else:
            assert member.full_membership_date == add_years(member.admission_date, 1)
        assert member.full_membership_date is None or member.full_membership_date <= today
        if p.pk in left_as_non_member:
            assert p.political_status == "13"  # 出党 or 停止党籍
        else:
            assert p.political_status == ("01" if member.full_membership_date else "02")
        if member.admission_date < dt.date(1949, 10, 1):
            assert age_on(p.birth_date, AS_OF) >= 92
    assert len(hashes) == Person.objects.count()


def test_occupations_fit_the_units(demo):
    current = Membership.objects.current()
    assert set(current.filter(occupation="farmer").values_list("organization__unit_category", flat=True)) == {
        "village"}
    assert set(current.filter(occupation="student").values_list("organization__unit_category", flat=True)) <= {
        "public_institution"}
    assert set(current.filter(occupation="government").values_list("organization__unit_category", flat=True)) == {
        "government_organ"}
    retired_ages = [age_on(b, AS_OF) for b in current.filter(occupation="retired").values_list(
        "person__birth_date", flat=True)]
    assert min(retired_ages) >= 46  # early retirement is rare but exists
    assert sum(a > 60 for a in retired_ages) / len(retired_ages) > 0.85
    student_ages = [age_on(b, AS_OF) for b in current.filter(occupation="student").values_list(
        "person__birth_date", flat=True)]
    assert sum(a <= 25 for a in student_ages) / len(student_ages) > 0.85  # a few graduate students are older
    assert max(student_ages) <= 40


def _share(part: int, total: int) -> float:
    return 100 * part / total


def _published(figure: float) -> float:
    return 100 * figure / D.MEMBERS


def test_distributions_match_the_2023_communique(demo):
    """Shares computed with plain ORM aggregates as of 2023-12-31, against the published figures."""
    members = Membership.objects.on(AS_OF).filter(person__party_member__admission_date__lte=AS_OF)
    total = members.count()
    assert total == 992
    person = members.values_list("person__sex", "person__ethnicity", "person__education_level",
                                 "person__birth_date", "person__party_member__admission_date", "occupation")
    rows = list(person)
    female = sum(r[0] == SEX_FEMALE for r in rows)
    minority = sum(r[1] != ETHNICITY_HAN for r in rows)
    college = sum(r[2][0] in "123" for r in rows)
    assert abs(_share(female, total) - _published(D.FEMALE)) < TOLERANCE
    assert abs(_share(minority, total) - _published(D.MINORITY)) < TOLERANCE
    assert abs(_share(college, total) - _published(D.COLLEGE)) < TOLERANCE

    bands = [(0, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 200)]
    ages = [age_on(r[3], AS_OF) for r in rows]
    for (lo, hi), figure in zip(bands, D.AGE_BANDS, strict=True):
        assert abs(_share(sum(lo <= a <= hi for a in ages), total) - _published(figure)) < TOLERANCE, (lo, hi)

    eras = [dt.date(1900, 1, 1), dt.date(1949, 10, 1), dt.date(1978, 12, 18), dt.date(2012, 11, 8),
            dt.date(2100, 1, 1)]
    for k, figure in enumerate(D.ADMISSION_ERAS):
        count = sum(eras[k] <= r[4] < eras[k + 1] for r in rows)
        assert abs(_share(count, total) - _published(figure)) < TOLERANCE, k

    for code, figure in zip(D.OCCUPATION_CODES, D.OCCUPATIONS, strict=True):
        assert abs(_share(sum(r[5] == code for r in rows), total) - _published(figure)) < TOLERANCE, code

    developed = [r for r in rows if r[4].year == 2023]
    n_dev = len(developed)
    assert n_dev == round(992 * D.DEVELOPED / D.MEMBERS)
    checks = (
        (sum(r[0] == SEX_FEMALE for r in developed), D.DEVELOPED_FEMALE),
        (sum(r[1] != ETHNICITY_HAN for r in developed), D.DEVELOPED_MINORITY),
        (sum(age_on(r[3], r[4]) <= 35 for r in developed), D.DEVELOPED_YOUNG),
        (sum(r[2][0] in "123" for r in developed), D.DEVELOPED_COLLEGE),
    )
    for count, figure in checks:  # shares of the developed; one person is 4 points at this size
        assert abs(count - n_dev * figure / D.DEVELOPED) <= 1
    # the 预备党员 on 2023-12-31: the 2023 admissions, and 2022 ones whose probation was extended or whose
    # discussion was postponed beyond the year; everyone else is a full member
    probationary = members.filter(Q(person__party_member__full_membership_date__gt=AS_OF)
                                  | Q(person__party_member__full_membership_date__isnull=True))
    late = probationary.exclude(person__party_member__admission_date__year=2023)
    assert probationary.count() - late.count() == n_dev
    assert not late.exclude(person__membership_events__detail__in=("extended", "postponed")).exists()

    open_records = DevelopmentRecord.objects.filter(application_date__lte=AS_OF).filter(
        Q(admission_date__isnull=True) | Q(admission_date__gt=AS_OF))
    assert open_records.count() == round(992 * D.APPLICANTS / D.MEMBERS)
    assert open_records.filter(activist_date__lte=AS_OF).count() == round(992 * D.ACTIVISTS / D.MEMBERS)
    # the pipeline keeps its order: 申请 → 积极分子 (≥ 1 month) → 发展对象 (≥ 1 year) → 接收
    for r in DevelopmentRecord.objects.select_related("person"):
        assert r.application_date >= add_years(r.person.birth_date, 18)
        if r.activist_date:
            assert r.activist_date >= r.application_date + dt.timedelta(days=30)
        if r.candidate_date:
            assert r.candidate_date >= r.activist_date + dt.timedelta(days=365)
        if r.admission_date:
            assert r.admission_date > r.candidate_date
            assert r.admission_date == r.person.party_member.admission_date


def test_statistics_service_reproduces_the_communique(demo):
    from zugong.reports.services import party_statistics

    accounts = {a.username: a for a in create_demo_accounts(demo_root())}
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=accounts["zzb"].username)
    stats = party_statistics(user=user, organization=demo_root(), as_of=AS_OF)
    assert stats["党员总数"] == 992
    assert stats["基层组织"] == {"基层党委": 3, "总支部": 3, "支部": 46}
    assert abs(stats["占比"]["女党员"] - _published(D.FEMALE)) < TOLERANCE
    assert abs(stats["占比"]["少数民族党员"] - _published(D.MINORITY)) < TOLERANCE
    assert abs(stats["占比"]["大专及以上学历党员"] - _published(D.COLLEGE)) < TOLERANCE
    for count, figure in zip(stats["年龄"].values(), D.AGE_BANDS, strict=True):
        assert abs(_share(count, 992) - _published(figure)) < TOLERANCE
    for count, figure in zip(stats["入党时间"].values(), D.ADMISSION_ERAS, strict=True):
        assert abs(_share(count, 992) - _published(figure)) < TOLERANCE
    for count, figure in zip(stats["职业"].values(), D.OCCUPATIONS, strict=True):
        assert abs(_share(count, 992) - _published(figure)) < TOLERANCE
    assert stats["发展党员"]["合计"] == demo.developed
    assert stats["入党申请人"] == demo.applicants
    assert stats["入党积极分子"] == demo.activists


def test_demo_accounts_log_in_and_see_their_scope_only(demo, client):
    root = demo_root()
    accounts = {a.username: a for a in create_demo_accounts(root)}
    assert set(accounts) == {"zzb", "xiangzhen", "zhibu", "ganbu", "sysadmin", "secadmin", "auditadmin"}
    assert [a.username for a in create_demo_accounts(root)] == list(accounts)  # idempotent
    from django.contrib.auth import get_user_model

    User = get_user_model()
    township = PartyOrganization.objects.get(code=accounts["xiangzhen"].organization_code)
    branch = PartyOrganization.objects.get(code=accounts["zhibu"].organization_code)
    assert township.unit_category == "township" and branch.path.startswith(township.path)
    assert branch.org_type == "branch"

    for username in ("zzb", "xiangzhen", "zhibu"):
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = client.get(reverse("home"), follow=True)
        assert page.status_code == 200 and page.wsgi_request.user.username == username

    zzb, town, sec = (User.objects.get(username=u) for u in ("zzb", "xiangzhen", "zhibu"))
    # everyone with a party organization (the non-member cadres of demo.cadres are kept by their unit: their
    # cadre record is in scope through the unit grant)
    assert Person.objects.restrict(zzb).count() == Person.objects.exclude(organization=None).count()
    assert Person.objects.restrict(town).count() == Person.objects.filter(
        organization__path__startswith=township.path).count()
    in_branch = Person.objects.filter(organization=branch)
    assert Person.objects.restrict(sec).count() == in_branch.count() > 0
    assert Membership.objects.restrict(sec).count() == Membership.objects.filter(organization=branch).count() >= 3
    assert not Person.objects.restrict(User.objects.get(username="sysadmin")).exists()


def test_demo_units_and_unit_grants(demo):
    """Every demo organization says which unit it is set up in: the 乡镇党委 / 街道党工委 their own 乡镇 / 街道
    under the county unit, companies, schools, hospitals, bureaus, villages and communities their own unit,
    a workshop or 教职工 branch the unit of its parent (与上级党组织相同), a 联合党支部 2–4 small businesses;
    companies have their 经济控制类型. The county and township accounts see units (the township its own
    subtree), the branch secretary none; reset removes the unit tree."""
    from django.contrib.auth import get_user_model

    from zugong.demo.units import UNIT_ROOT_CODE
    from zugong.orgs.models import Unit

    root = demo_root()
    county = Unit.objects.get(code=UNIT_ROOT_CODE)
    towns = PartyOrganization.objects.filter(depth=root.depth + 1, path__startswith=root.path,
                                             unit_category__in=("township", "subdistrict"))
    assert towns.exists()
    for org in towns.select_related("unit"):
        assert (org.unit_relation, org.unit.unit_category, org.unit.code) == (
            "legal_entity_unit", org.unit_category, f"{org.code}-U")
        assert org.unit.depth == county.depth + 1
        assert not org.unit.name.endswith("党委") and "中共" not in org.unit.name
    active = PartyOrganization.objects.filter(path__startswith=root.path, status="active")
    assert not active.filter(unit_relation="").exists()
    assert not active.filter(unit_relation="legal_entity_unit", unit__isnull=True).exists()
    assert not active.filter(unit_relation="same_as_parent", unit__isnull=False).exists()
    assert not active.filter(depth=root.depth).exclude(unit=county).exists()
    for org in active.filter(unit_relation="joint").prefetch_related("joint_units"):
        units = list(org.joint_units.all())
        assert org.org_type == "joint_branch" and 2 <= len(units) <= 4
        assert {(u.unit_category, u.economic_control) for u in units} == {("enterprise", "non_public_controlled")}
    companies = Unit.objects.filter(path__startswith=county.path, unit_category="enterprise")
    assert companies.exists() and not companies.filter(economic_control="").exists()
    assert set(Unit.objects.filter(organizations__unit_category="village").values_list("unit_category", flat=True)) == {
        "village"}
    category_at = dict(Unit.objects.values_list("path", "unit_category"))
    for path in Unit.objects.filter(unit_category__in=("village", "community")).values_list("path", flat=True):
        assert category_at[path[:-Unit.steplen]] in ("township", "subdistrict", "government_organ")
    accounts = {a.username: a for a in create_demo_accounts(root)}
    assert accounts["zzb"].organization_code == ROOT_CODE  # the organization grant is still the one shown
    User = get_user_model()
    zzb, town, secretary = (User.objects.get(username=u) for u in ("zzb", "xiangzhen", "zhibu"))
    assert Unit.objects.restrict(zzb).count() == Unit.objects.count()
    township = PartyOrganization.objects.get(code=accounts["xiangzhen"].organization_code)
    assert set(Unit.objects.restrict(town)) == set(Unit.objects.filter(path__startswith=township.unit.path))
    assert township.unit in set(Unit.objects.restrict(town)) and Unit.objects.restrict(town).count() > 1
    assert not Unit.objects.restrict(secretary).exists()
    demo_reset()
    assert not Unit.objects.exists()
