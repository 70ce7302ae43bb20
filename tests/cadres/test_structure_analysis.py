"""干部结构分析 (issue #12 item 8): SQL counts against a plain Python count, band boundaries, as-of, scope."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.factories import make_cadre, make_post
from zugong.cadres.choices import LEVEL_ORDER, RANK_LEVEL
from zugong.cadres.models import Appointment, Cadre, Education, RankRecord
from zugong.cadres.structure.analysis import (
    EDUCATION_BANDS,
    LEVEL_TIERS,
    MATCHING_BUCKETS,
    SPECIALTY_BUCKETS,
    age_bands_from,
    cadre_structure,
    young_ages,
)
from zugong.core.dates import age_on
from zugong.core.errors import OutOfScope, PermissionDeniedError

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)
TITLES = ["", "高级经济师", "工程师", "律师", "主治医师", "中学高级教师", "农艺师"]
SPECIALTIES = ["", "党建工作", "财务管理", "农村工作", "法律事务", "信息技术"]
MAJORS = ["", "汉语言文学", "土木工程", "会计学", "法学", "临床医学", "农学", "思想政治教育"]
EDU_CODES = ["", "11", "14", "21", "31", "41", "61"]


def _build_random(ct, n=60, seed=7):
    rng = random.Random(seed)
    units = [ct.unit_county, ct.unit_town_a, ct.unit_town_b, ct.unit_firm_a, ct.unit_firm_b]
    posts = {}
    for unit in units:
        for level in ("121", "122", "131", "132", "141", "142", "150"):
            posts[(unit.pk, level)] = make_post(unit, f"{level}岗", level=level, leadership=level != "150",
                                                max_holders=99)
    for i in range(n):
        unit = rng.choice(units)
        birth = dt.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
        if i == 0:
            birth = dt.date(1988, 6, 30)  # 36 on AS_OF exactly
        if i == 1:
            birth = dt.date(1988, 7, 1)  # still 35 on AS_OF
        cadre = make_cadre(unit, f"干部{i}", sex=rng.choice("12"), birth_date=birth,
                           professional_title=rng.choice(TITLES), specialty=rng.choice(SPECIALTIES),
                           other_party=rng.choice(["", "", "", "民盟"]),
                           status=rng.choice(["serving"] * 9 + ["retired"]))
        person = cadre.person
        person.ethnicity = rng.choice(["01", "01", "01", "03", "", "97"])
        person.political_status = rng.choice(["01", "02", "03", "05", "12", "13", ""])
        person.education_level = rng.choice(EDU_CODES)
        person.save()
        for _ in range(rng.randint(0, 2)):
            Education.objects.create(cadre=cadre, category=rng.choice(["full_time", "in_service"]),
                                     education_level=rng.choice(EDU_CODES), major=rng.choice(MAJORS))
        kind = rng.random()
        if kind < 0.6:
            for _ in range(rng.randint(1, 2)):
                level = rng.choice(["121", "122", "131", "132", "141", "142", "150"])
                start = rng.choice([dt.date(2015, 1, 1), dt.date(2024, 6, 30), dt.date(2024, 7, 1)])
                end = rng.choice([None, None, dt.date(2024, 6, 30), dt.date(2025, 1, 1)])
                if end is not None and end <= start:
                    end = None
                Appointment.objects.create(cadre=cadre, post=posts[(rng.choice(units).pk, level)], start_date=start,
                                           end_date=end, concurrent=rng.random() < 0.2)
        elif kind < 0.8:
            RankRecord.objects.create(cadre=cadre, rank=rng.choice(list(RANK_LEVEL)),
                                      start_date=rng.choice([dt.date(2019, 1, 1), dt.date(2025, 1, 1)]))
    return units


def _python_counts(user_units_path: str, as_of: dt.date, unit_path: str):
    """The plain Python count of what ``cadre_structure`` computes in SQL."""
    cadres = [c for c in Cadre.objects.select_related("person", "unit")
              if c.unit.path.startswith(unit_path) and c.unit.path.startswith(user_units_path) and c.status == "serving"]
    out = []
    for c in cadres:
        appts = list(Appointment.objects.filter(cadre=c).select_related("post"))
        ranks = list(RankRecord.objects.filter(cadre=c))
        held = [a for a in appts if a.start_date <= as_of and (a.end_date is None or a.end_date > as_of)]
        rank_held = [r for r in ranks if r.start_date <= as_of and (r.end_date is None or r.end_date > as_of)]
        if not held and not rank_held and (appts or ranks):
            continue
        if not held and not rank_held and c.created_at.date() > as_of:
            continue
        main = [a for a in held if not a.concurrent] or held
        if main:
            level = min((a.post.level for a in main), key=LEVEL_ORDER.index)
        elif rank_held:
            level = RANK_LEVEL[sorted(rank_held, key=lambda r: r.start_date)[-1].rank]
        else:
            level = ""
        out.append((c, level, held))
    return out


def _band(code):
    for label, low, high in EDUCATION_BANDS:
        if code and low <= code < high:
            return label
    return "未填"


def test_sql_counts_match_python_counts(ct):
    _build_random(ct)
    data = cadre_structure(user=ct.county_user, unit=ct.unit_county, as_of=AS_OF)
    counted = _python_counts(ct.unit_county.path, AS_OF, ct.unit_county.path)
    total = len(counted)
    assert data["干部总数"] == total > 20
    ages = [age_on(c.person.birth_date, AS_OF) for c, _l, _h in counted]
    assert data["平均年龄"] == round(sum(ages) / total, 1)
    for band, row in zip(age_bands_from(), data["年龄结构"], strict=True):
        expected = sum(1 for a in ages if (band.min_age is None or a >= band.min_age)
                       and (band.max_age is None or a <= band.max_age))
        assert row["人数"] == expected, band
    levels = {}
    for c, level, _h in counted:
        levels.setdefault(level, []).append(age_on(c.person.birth_date, AS_OF))
    assert {r["级别代码"]: r["人数"] for r in data["职务层次"]} == {k: len(v) for k, v in levels.items()}
    for row in data["职务层次"]:
        vals = levels[row["级别代码"]]
        assert row["平均年龄"] == pytest.approx(sum(vals) / len(vals), abs=0.051)
    limits = young_ages()
    for row in data["年轻干部"]:
        in_tier = [a for lv, vals in levels.items() if lv in LEVEL_TIERS[row["层级"]] for a in vals]
        assert row["干部数"] == len(in_tier)
        assert row["年轻干部数"] == sum(1 for a in in_tier if a <= limits[row["层级"]])
    ft = {}
    hi = {}
    for c, _l, _h in counted:
        rows = list(c.educations.all())
        codes = [e.education_level for e in rows if e.category == "full_time" and e.education_level]
        ft_band = _band(min(codes) if codes else "")
        ft[ft_band] = ft.get(ft_band, 0) + 1
        allc = [e.education_level for e in rows if e.education_level] + (
            [c.person.education_level] if c.person.education_level else [])
        hi_band = _band(min(allc) if allc else "")
        hi[hi_band] = hi.get(hi_band, 0) + 1
    assert {r["学历"]: r["人数"] for r in data["全日制学历"] if r["人数"]} == ft
    assert {r["学历"]: r["人数"] for r in data["最高学历"] if r["人数"]} == hi
    female = sum(1 for c, _l, _h in counted if c.person.sex == "2")
    assert data["性别"][1]["人数"] == female
    minority = sum(1 for c, _l, _h in counted if c.person.ethnicity not in ("", "01"))
    assert data["民族"][1]["人数"] == minority
    party = sum(1 for c, _l, _h in counted if c.person.political_status in ("01", "02"))
    assert data["政治面貌"][0]["人数"] == party
    democratic = sum(1 for c, _l, _h in counted if c.person.political_status in
                     {f"{i:02d}" for i in range(4, 12)} or (c.other_party and c.person.political_status not in ("01", "02")))
    assert data["政治面貌"][1]["人数"] == democratic
    # leadership teams: distinct holders of leadership posts per unit
    teams = {}
    for c, _l, held in counted:
        for a in held:
            if a.post.leadership:
                teams.setdefault(a.post.unit_id, set()).add(c.pk)
    # cadres not counted (retired) are not members either; appointments of counted cadres only matter here
    by_code = {u["单位代码"]: u for u in data["领导班子专业结构"]["单位"]}
    from zugong.orgs.models import Unit

    for unit_id, members in teams.items():
        unit = Unit.objects.get(pk=unit_id)
        row = by_code[unit.code]
        assert row["班子成员"] == len(members)
        for bucket, words in SPECIALTY_BUCKETS.items():
            def hit(c, words=words):
                texts = [c.professional_title, c.specialty] + [
                    t for e in c.educations.filter(category="full_time") for t in (e.major, e.education_school_major)]
                return any(w in t for w in words for t in texts)
            assert row["分布"][bucket] == sum(1 for pk in members if hit(Cadre.objects.get(pk=pk))), bucket
        matching = MATCHING_BUCKETS.get(unit.unit_category, ())
        assert row["对口专业"] == list(matching)
    assert data["摘要"][0].startswith("截至 2024-06-30")


def test_age_band_boundary_35_36(ct):
    post = make_post(ct.unit_town_a, "副镇长", level="142", max_holders=5)
    for name, birth in (("满三十六", dt.date(1988, 6, 30)), ("三十五", dt.date(1988, 7, 1))):
        cadre = make_cadre(ct.unit_town_a, name, birth_date=birth)
        Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2020, 1, 1))
    data = cadre_structure(user=ct.cadre_user, unit=ct.unit_town_a, as_of=AS_OF)
    bands = {r["年龄段"]: r["人数"] for r in data["年龄结构"]}
    assert bands["35岁及以下"] == 1 and bands["36—40岁"] == 1
    data = cadre_structure(user=ct.cadre_user, unit=ct.unit_town_a, as_of=AS_OF - dt.timedelta(days=1))
    bands = {r["年龄段"]: r["人数"] for r in data["年龄结构"]}
    assert bands["35岁及以下"] == 2 and bands["36—40岁"] == 0


def test_as_of_excludes_later_appointment(ct):
    post = make_post(ct.unit_town_a, "镇长", level="141")
    cadre = make_cadre(ct.unit_town_a, "后任")
    Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2024, 7, 1))
    before = cadre_structure(user=ct.cadre_user, unit=ct.unit_town_a, as_of=AS_OF)
    after = cadre_structure(user=ct.cadre_user, unit=ct.unit_town_a, as_of=dt.date(2024, 7, 1))
    assert before["干部总数"] == 0
    assert after["干部总数"] == 1
    assert after["职务层次"][0]["级别"] == "正科级"
    assert after["领导班子专业结构"]["合计"]["班子成员"] == 1


def test_scope(ct):
    make_cadre(ct.unit_town_a, "甲镇干部")
    make_cadre(ct.unit_town_b, "乙镇干部")
    today = dt.date.today()
    mine = cadre_structure(user=ct.cadre_b_user, as_of=today)
    assert mine["单位代码"] == "U-B" and mine["干部总数"] == 1
    with pytest.raises(OutOfScope):
        cadre_structure(user=ct.cadre_b_user, unit=ct.unit_town_a, as_of=today)
    with pytest.raises(OutOfScope):
        cadre_structure(user=ct.cadre_b_user, unit=ct.unit_county, as_of=today)
    with pytest.raises(PermissionDeniedError):
        cadre_structure(user=ct.town_user, as_of=today)
    with pytest.raises(OutOfScope):
        cadre_structure(user=ct.town_user, unit=ct.unit_town_a, as_of=today)
    assert cadre_structure(user=ct.county_user, unit=ct.unit_county, as_of=today)["干部总数"] == 2
