"""The demo's cadre work (issue #12, ``zugong.demo.cadres``) at 1:100,000 (992 members, ~25 cadre units):
posts with GB/T 12407 levels, quotas for every cell, an over-quota cell and a vacancy, appointments that
respect the single-holder rule, cadres who are mostly demo members, continuous résumés, the deliberate
dossier inconsistencies, the 干部工作人员 demo account, and the same rows on every run."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db.models import F, Q

from zugong.accounts.models import RoleGrant
from zugong.cadres import models as M
from zugong.cadres.selectors import cadres_in_scope, held_on
from zugong.core.dates import add_years
from zugong.core.idnumber import parse as parse_id_number
from zugong.demo.accounts import create_demo_accounts
from zugong.demo.cadres import CADRE_MODELS, add_demo_cadres, write_cadres
from zugong.demo.checks import verify_cadres
from zugong.demo.generator import demo_reset, demo_root, generate
from zugong.demo.units import demo_unit_root
from zugong.people.models import Person

REF = dt.date(2023, 12, 31)


@pytest.fixture
def demo(db):
    return generate(scale=100_000, seed=2023, workers=0)


def _cells() -> dict[tuple[int, str], tuple[int, int]]:
    """(unit, level) → (职数, 实配 on REF: holders of posts that count against the quota)."""
    quotas = {(u, level): count for u, level, count in M.PostQuota.objects.filter(held_on(REF)).values_list(
        "unit_id", "level", "count")}
    held = Counter(M.Appointment.objects.filter(held_on(REF), post__counts_against_quota=True).values_list(
        "post__unit_id", "post__level"))
    return {cell: (quota, held.get(cell, 0)) for cell, quota in quotas.items()}


def test_structure(demo):
    """Posts per unit at county-realistic levels, a quota for every (unit, level) of the posts, at least one
    cell over quota by one and one vacant seat, establishment per unit, and the rows verify."""
    written = demo.cadres
    assert 80 <= written["cadres"] <= 400 and written["appointments"] >= 60
    assert verify_cadres(demo_unit_root()) == []
    posts = {(unit, name): level for unit, name, level in M.Post.objects.values_list("unit__name", "name", "level")}
    assert posts[("青山县", "县委书记")] == "131" and posts[("青山县", "副县长")] == "132"
    assert any(name == "局长" and level == "141" for (_, name), level in posts.items())
    assert any(name == "副局长" and level == "142" for (_, name), level in posts.items())
    assert any(name.startswith("党委副书记、") and level == "141" for (_, name), level in posts.items())
    cells = _cells()
    post_cells = set(M.Post.objects.filter(counts_against_quota=True).values_list("unit_id", "level"))
    assert post_cells <= set(cells)
    assert all(quota >= 0 for quota, _ in cells.values())
    assert any(actual == quota + 1 for quota, actual in cells.values())  # 超配
    assert any(actual < quota for quota, actual in cells.values())  # 空缺
    units_with_posts = set(M.Post.objects.values_list("unit_id", flat=True))
    assert units_with_posts == set(M.Establishment.objects.values_list("unit_id", flat=True))


def test_appointments_follow_the_services_rules(demo):
    """No post ever has more holders than ``max_holders`` (single-holder posts never overlap), removals
    follow appointments, concurrent posts exist, previous appointments were ended by 免职 with a 文号."""
    by_post = defaultdict(list)
    for post, holders, start, end in M.Appointment.objects.values_list("post_id", "post__max_holders", "start_date",
                                                                      "end_date"):
        assert end is None or end >= start
        by_post[post].append((start, end, holders))
    for rows in by_post.values():
        for start, _, holders in rows:
            assert sum(1 for s, e, _ in rows if s <= start and (e is None or e > start)) <= holders
    assert M.Appointment.objects.filter(concurrent=True).exists()
    ended = M.Appointment.objects.filter(end_date__isnull=False)
    assert ended.exists() and not ended.filter(removal_document="").exists()
    # one main post per cadre on REF
    mains = Counter(M.Appointment.objects.filter(held_on(REF), concurrent=False).values_list("cadre_id", flat=True))
    assert max(mains.values()) == 1
    for model in CADRE_MODELS:  # every row satisfies the model (a sample of each)
        for obj in model.objects.order_by("pk")[:25]:
            obj.full_clean(validate_unique=False)


def test_cadres_are_mostly_demo_members_with_full_records(demo):
    """Most cadres are demo party members (their party organization unchanged), 入党时间 their admission
    date; each has education, a résumé of 8–15 lines when older than 35 (continuous, the last line open, the
    planned gaps aside), 3–6 family members, three years of assessments (about 17 % 优秀), ranks for some."""
    root = demo_root()
    cadres = list(M.Cadre.objects.select_related("person", "person__party_member", "person__organization"))
    members = [c for c in cadres if c.person.organization_id is not None]
    assert len(members) >= 0.7 * len(cadres)
    # a party post held on the demo date (书记, 党委/党组 members, 县委常委) is held by a party member
    party_holders = set(M.Appointment.objects.filter(Q(post__name__contains="书记") | Q(post__name__contains="委"),
                                                     held_on(dt.date(2023, 12, 31)))
                        .values_list("cadre__person__political_status", flat=True))
    assert party_holders and party_holders <= {"01", "02"}, party_holders
    assert all(c.person.organization.path.startswith(root.path) for c in members)
    planned = demo.cadres["inconsistencies"]
    for c in members:
        if c.pk not in planned["admission_before_18"]:
            assert c.party_joined_date == c.person.party_member.admission_date
    gaps = set(planned["resume_gap"])
    lines = defaultdict(list)
    for cadre, start, end, study in M.ResumeEntry.objects.order_by("cadre_id", "position").values_list(
            "cadre_id", "start_date", "end_date", "in_service_study"):
        lines[cadre].append((start, end, study))
    assert set(lines) == {c.pk for c in cadres}
    long_enough = 0
    for c in cadres:
        main = [(s, e) for s, e, study in lines[c.pk] if not study]
        assert main[-1][1] is None and all(e is not None and e > s for s, e in main[:-1])
        continuous = all(a[1] == b[0] for a, b in zip(main, main[1:], strict=False))
        assert continuous != (c.pk in gaps), c.pk
        if add_years(c.person.birth_date, 35) <= REF:
            long_enough += 8 <= len(lines[c.pk]) <= 15
    assert long_enough >= 0.7 * sum(1 for c in cadres if add_years(c.person.birth_date, 35) <= REF)
    assert M.ResumeEntry.objects.filter(in_service_study=True).exists()
    assert M.Education.objects.filter(category="full_time").values("cadre_id").distinct().count() == len(cadres)
    assert M.Education.objects.filter(category="in_service").exists()
    family = Counter(M.FamilyMember.objects.values_list("cadre_id", flat=True))
    assert all(3 <= family[c.pk] <= 6 for c in cadres)
    assert M.FamilyMember.objects.filter(deceased=True).exists()
    grades = Counter(M.AnnualAssessment.objects.values_list("grade", flat=True))
    assert set(M.AnnualAssessment.objects.values_list("year", flat=True)) == {2021, 2022, 2023}
    assert 0.08 <= grades["excellent"] / sum(grades.values()) <= 0.28
    assert M.RankRecord.objects.filter(end_date__isnull=True).exists()


def test_reserve_pool_and_supervision(demo):
    lists = set(M.ReserveCadre.objects.values_list("list_kind", flat=True))
    assert lists == {"ready_now", "rotation", "long_term"}
    assert M.ReserveMeasure.objects.exists()
    assert set(M.SupervisionRecord.objects.values_list("kind", flat=True)) == {"admonishment", "party_warning"}
    warned = M.SupervisionRecord.objects.get(kind="party_warning").cadre
    assert warned.person.organization_id is not None  # a 党内警告 is for a party member


def test_deliberate_dossier_inconsistencies(demo):
    """The handful of planned dossier problems is there for the audit to find."""
    planned = demo.cadres["inconsistencies"]
    assert all(len(planned[code]) >= 1 for code in planned)
    for pk in planned["birth_vs_id"]:
        person = Person.objects.get(cadre__pk=pk)
        assert parse_id_number(person.id_number).birth_date != person.birth_date
    for pk in planned["admission_before_18"]:
        cadre = M.Cadre.objects.select_related("person").get(pk=pk)
        assert cadre.party_joined_date < add_years(cadre.person.birth_date, 18)
    for pk in planned["same_level_after_current"]:
        cadre = M.Cadre.objects.get(pk=pk)
        assert cadre.same_level_since > cadre.current_post_since
    # nobody else has them
    wrong_same = M.Cadre.objects.filter(same_level_since__gt=F("current_post_since"))
    assert set(wrong_same.values_list("pk", flat=True)) == set(planned["same_level_after_current"])


def test_demo_accounts_for_cadre_work(demo):
    """``ganbu`` (干部工作人员) holds cadre_affairs on the county unit only and sees every demo cadre; the
    组织部 account holds its grant on the unit root too."""
    accounts = {a.username: a for a in create_demo_accounts(demo_root())}
    assert accounts["ganbu"].role_code == "cadre_affairs" and accounts["ganbu"].organization == "青山县"
    unit_root = demo_unit_root()
    grants = RoleGrant.objects.active().filter(user__username="ganbu")
    assert list(grants.values_list("role__code", "unit_id", "organization_id")) == [("cadre_affairs", unit_root.pk,
                                                                                   None)]
    assert RoleGrant.objects.active().filter(user__username="zzb", role__code="org_department",
                                             unit=unit_root).exists()
    ganbu = grants.first().user
    assert cadres_in_scope(ganbu).count() == M.Cadre.objects.count()
    create_demo_accounts(demo_root())  # again: nothing added
    assert RoleGrant.objects.active().filter(user__username="ganbu").count() == 1


def test_lrmx_samples_command(demo, tmp_path):
    """``zugong demo_lrmx_samples`` writes N readable appointment forms of demo cadres in the user's scope,
    audited, ID numbers in clear for zzb (unmask) and masked for ganbu; no demo cadre in scope → error."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    from zugong.audit.models import AuditEvent
    from zugong.cadres.lrmx.reader import read_lrmx

    create_demo_accounts(demo_root())
    events = AuditEvent.objects.filter(kind="export").count()
    out = StringIO()
    call_command("demo_lrmx_samples", "--output", str(tmp_path / "zzb"), "--count", "4", "--user", "zzb", stdout=out)
    files = sorted((tmp_path / "zzb").glob("*.lrmx"))
    assert len(files) == 4 and "生成 4 份" in out.getvalue()
    names = set(M.Cadre.objects.values_list("person__name", flat=True))
    for path in files:
        form = read_lrmx(path.read_bytes(), source_name=path.name)
        assert form.name in names and path.name.endswith(f"-{form.name}.lrmx") and form.resume
        assert parse_id_number(form.id_number).birth_date.year > 1900  # in clear
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert AuditEvent.objects.filter(kind="export").count() == events + 4
    call_command("demo_lrmx_samples", "--output", str(tmp_path / "ganbu"), "--count", "2", "--user", "ganbu",
                 stdout=StringIO())
    masked = [read_lrmx(p.read_bytes()).id_number for p in sorted((tmp_path / "ganbu").glob("*.lrmx"))]
    assert len(masked) == 2 and all("*" in number for number in masked)
    with pytest.raises(CommandError, match="没有演示干部"):
        call_command("demo_lrmx_samples", "--output", str(tmp_path / "x"), "--count", "2", "--user", "zhibu",
                     stdout=StringIO())


@pytest.mark.django_db(transaction=False)
def test_idempotent_deterministic_and_reset(db):
    def snapshot():
        return (sorted(M.Post.objects.values_list("unit__code", "name", "level", "max_holders")),
                sorted(M.Appointment.objects.values_list("cadre__person__name", "post__name", "start_date", "end_date")),
                sorted(M.ResumeEntry.objects.values_list("cadre__person__name", "start_date", "text")),
                sorted(M.PostQuota.objects.values_list("unit__code", "level", "count")))

    first = generate(scale=100_000, seed=2023, workers=0)
    rows = snapshot()
    counts = {model: model.objects.count() for model in CADRE_MODELS}
    from django.db import transaction

    with transaction.atomic():
        assert write_cadres(seed=2023) == {}  # already there: nothing written
    assert add_demo_cadres(seed=2023) == {}
    assert {model: model.objects.count() for model in CADRE_MODELS} == counts
    people = Person.objects.count()
    demo_reset()
    assert all(model.objects.count() == 0 for model in CADRE_MODELS)
    assert Person.objects.count() == 0 and people > 0
    second = generate(scale=100_000, seed=2023, workers=0)
    assert snapshot() == rows
    assert second.cadres["over_quota"] == first.cadres["over_quota"]
    # a demo generated without the cadre stage gets it from ``add_demo_cadres`` (``zugong demo`` on an old database)
    demo_reset()
    generate(scale=100_000, seed=2023, workers=0, cadres=False)
    assert not M.Cadre.objects.exists()
    added = add_demo_cadres(seed=2023)
    assert added["cadres"] == first.cadres["cadres"] and snapshot() == rows


def test_cadre_counts_at_default_scale_are_in_range():
    """Cheap planning-level check (no database): the staffing templates give 600–1,500 cadres for the
    default 1:10,000 demo (~14 organs, ~16 乡镇 / 街道, ~6 schools and hospitals, a few companies)."""
    import random

    from zugong.demo.cadres import STAFF_COUNT, _templates

    rng = random.Random(1)
    seats = sum(t[2] for t in _templates("county", "", rng))
    seats += 14 * (sum(t[2] for t in _templates("organ", "教育局", rng)) + sum(STAFF_COUNT["organ"]) / 2)
    seats += 13 * (sum(t[2] for t in _templates("township", "马湖镇", rng)) + sum(STAFF_COUNT["township"]) / 2)
    seats += 3 * (sum(t[2] for t in _templates("subdistrict", "城关街道", rng)) + sum(STAFF_COUNT["subdistrict"]) / 2)
    seats += 6 * sum(t[2] for t in _templates("institution", "第一中学", rng))
    assert 600 <= seats <= 1500
