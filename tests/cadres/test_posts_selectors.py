"""Reads as of a date (``cadres.posts.selectors``, ``cadres.selectors.post_facts``), the 干部配备一览表 against a
plain Python count on seeded random data, its ``.xlsx`` and the ``zugong quota`` command."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import openpyxl
import pytest
from django.core.management import call_command

from tests.factories import make_cadre, make_post
from zugong.cadres.choices import POST_LEVEL
from zugong.cadres.models import Appointment, PostQuota, RankRecord
from zugong.cadres.posts import selectors as sel
from zugong.cadres.posts import services as s
from zugong.cadres.posts.exporters import quota_table_xlsx
from zugong.cadres.selectors import post_facts
from zugong.orgs.unit_services import unit_create

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def town(ct):
    ct.mayor = make_post(ct.unit_town_a, "镇长", level="141")
    ct.deputy = make_post(ct.unit_town_a, "副镇长", level="142", max_holders=3)
    ct.zhang = make_cadre(ct.unit_town_a, "张明")
    ct.li = make_cadre(ct.unit_town_a, "李华")
    s.appointment_create(user=ct.cadre_user, cadre=ct.zhang, post=ct.mayor, start_date="2020-01-01",
                         end_date="2023-01-01")
    s.appointment_create(user=ct.cadre_user, cadre=ct.li, post=ct.mayor, start_date="2023-01-01")
    s.appointment_create(user=ct.cadre_user, cadre=ct.zhang, post=ct.deputy, start_date="2018-01-01",
                         end_date="2020-01-01")
    s.quota_set(user=ct.cadre_user, unit=ct.unit_town_a, level="141", count=1, start_date="2019-01-01")
    s.quota_set(user=ct.cadre_user, unit=ct.unit_town_a, level="142", count=2, start_date="2019-01-01")
    return ct


def test_holders_and_vacancies_across_boundaries(town):
    t = town
    def holders(day):
        return {p.name: [a.cadre.person.name for a in p.holders]
                for p in sel.posts_with_holders(user=t.cadre_user, day=day, units=sel.subtree_units(user=t.cadre_user))}
    assert holders(D(2019, 12, 31)) == {"镇长": [], "副镇长": ["张明"]}
    assert holders(D(2020, 1, 1)) == {"镇长": ["张明"], "副镇长": []}  # removal day is the successor's first day
    assert holders(D(2022, 12, 31)) == {"镇长": ["张明"], "副镇长": []}
    assert holders(D(2023, 1, 1)) == {"镇长": ["李华"], "副镇长": []}
    assert [p.name for p in sel.vacancies(user=t.cadre_user, day=D(2023, 1, 1))] == ["副镇长"]
    assert [p.name for p in sel.vacancies(user=t.cadre_user, day=D(2017, 1, 1))] == ["镇长", "副镇长"]
    assert sel.vacancies(user=t.cadre_b_user, day=D(2023, 1, 1)).count() == 0  # another scope sees none


def test_quota_table_as_of(town):
    t = town
    def cells(day):
        return sel.quota_table(user=t.cadre_user, day=day).as_json()["U-A"]
    assert cells(D(2018, 6, 1)) == {"副科级": {"职数": 0, "实配": 1, "超配": 1, "空缺": 0}}
    got = cells(D(2019, 6, 1))
    assert list(got) == ["正科级", "副科级"]  # highest level first
    assert got["正科级"] == {"职数": 1, "实配": 0, "超配": 0, "空缺": 1}
    assert got["副科级"] == {"职数": 2, "实配": 1, "超配": 0, "空缺": 1}
    assert cells(D(2023, 1, 1))["正科级"] == {"职数": 1, "实配": 1, "超配": 0, "空缺": 0}
    # a second non-concurrent holder at 正科级 (another post) is over quota; a concurrent one is not counted
    extra = make_post(t.unit_town_a, "人大主席", level="141")
    wang = make_cadre(t.unit_town_a, "王强")
    s.appointment_create(user=t.cadre_user, cadre=wang, post=extra, start_date="2023-06-01")
    s.appointment_create(user=t.cadre_user, cadre=t.li, post=make_post(t.unit_town_a, "党委副书记", level="141"),
                         start_date="2023-06-01", concurrent=True)
    assert cells(D(2023, 6, 1))["正科级"] == {"职数": 1, "实配": 2, "超配": 1, "空缺": 0}
    # a post not counting against the quota does not count
    free = make_post(t.unit_town_a, "四级调研员岗", level="141", counts_against_quota=False, leadership=False)
    s.appointment_create(user=t.cadre_user, cadre=make_cadre(t.unit_town_a, "钱多"), post=free, start_date="2023-06-01")
    assert cells(D(2023, 6, 1))["正科级"]["实配"] == 2
    table = sel.quota_table(user=t.cadre_user, day=D(2023, 6, 1))
    assert {u["code"] for u in table.units} == {"U-A", "U-A-E"}  # the scope: no 乙镇 unit
    assert table.as_json()["U-A-E"] == {}
    assert table.totals()["141"] == {"职数": 1, "实配": 2, "超配": 1, "空缺": 0}


def test_quota_table_matches_python_count_on_random_data(ct):
    """Random units, posts, quotas and appointments (seeded): the SQL table equals a plain count."""
    rng = random.Random(1207)
    t = ct
    units = [t.unit_town_a, t.unit_firm_a]
    for i in range(4):
        units.append(unit_create(code=f"U-A-{i}", name=f"甲镇单位{i}", unit_category="public_institution",
                                 parent=rng.choice(units)))
    levels = ["131", "132", "141", "142"]
    posts = [make_post(rng.choice(units), f"岗位{i}", level=rng.choice(levels), max_holders=rng.choice([1, 2, 3]),
                       leadership=rng.random() > 0.1, counts_against_quota=rng.random() > 0.15,
                       start_date=D(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 900)),
                       end_date=rng.choice([None, None, D(2024, 6, 1)])) for i in range(25)]
    cadres = [make_cadre(rng.choice(units), f"干部{i}") for i in range(30)]
    for unit in units:
        for level in levels:
            if rng.random() < 0.7:
                PostQuota.objects.create(unit=unit, level=level, count=rng.randrange(0, 3), start_date=D(2016, 1, 1),
                                         end_date=D(2022, 1, 1))
                PostQuota.objects.create(unit=unit, level=level, count=rng.randrange(0, 4), start_date=D(2022, 1, 1))
    for cadre in cadres:
        for _ in range(rng.randrange(1, 4)):
            post = rng.choice(posts)
            start = post.start_date + dt.timedelta(days=rng.randrange(0, 2500))
            end = rng.choice([None, start + dt.timedelta(days=rng.randrange(1, 900))])
            if post.end_date and (start >= post.end_date or end is None or end > post.end_date):
                continue
            Appointment.objects.create(cadre=cadre, post=post, start_date=start, end_date=end,
                                       concurrent=rng.random() < 0.2)
    # a foreign unit with data that must not show
    foreign = make_post(t.unit_town_b, "乙镇岗", level="141")
    Appointment.objects.create(cadre=make_cadre(t.unit_town_b, "乙干部"), post=foreign, start_date=D(2020, 1, 1))
    PostQuota.objects.create(unit=t.unit_town_b, level="141", count=1, start_date=D(2016, 1, 1))

    def holds(start, end, day):
        return start <= day and (end is None or end > day)

    for day in (D(2017, 3, 1), D(2021, 12, 31), D(2022, 1, 1), D(2024, 6, 1), D(2026, 1, 1)):
        expected: dict[str, dict[str, dict]] = {u.code: {} for u in units}
        quota = {}
        for q in PostQuota.objects.filter(unit__in=units):
            if holds(q.start_date, q.end_date, day):
                quota[(q.unit.code, q.level)] = quota.get((q.unit.code, q.level), 0) + q.count
        actual: dict[tuple, set] = {}
        for a in Appointment.objects.filter(post__unit__in=units).select_related("post__unit"):
            p = a.post
            if (holds(a.start_date, a.end_date, day) and holds(p.start_date, p.end_date, day) and not a.concurrent
                    and p.leadership and p.counts_against_quota):
                actual.setdefault((p.unit.code, p.level), set()).add(a.cadre_id)
        for key in set(quota) | set(actual):
            q, n = quota.get(key, 0), len(actual.get(key, ()))
            expected[key[0]][POST_LEVEL.label(key[1])] = {"职数": q, "实配": n, "超配": max(n - q, 0), "空缺": max(q - n, 0)}
        got = sel.quota_table(user=t.cadre_user, day=day).as_json()
        assert got == expected, day


def test_quota_table_query_count(town, django_assert_num_queries):
    with django_assert_num_queries(3):
        sel.quota_table(user=town.cadre_user, day=D(2023, 1, 1)).as_json()


def test_post_facts_same_level_runs(ct):
    t = ct
    a = make_post(t.unit_town_a, "副镇长甲", level="142")
    b = make_post(t.unit_town_a, "副镇长乙", level="142")
    c = make_post(t.unit_town_a, "镇长", level="141")
    zhou = make_cadre(t.unit_town_a, "周正", same_level_since=D(2010, 1, 1))
    s.appointment_create(user=t.cadre_user, cadre=zhou, post=a, start_date="2012-01-01", end_date="2015-01-01")
    s.appointment_create(user=t.cadre_user, cadre=zhou, post=b, start_date="2015-01-20", end_date="2017-01-01")
    facts = post_facts([zhou], D(2016, 1, 1))[zhou.pk]
    # a 19-day gap keeps the run; the run reaches the first record, so the earlier recorded date counts
    assert (facts.level, facts.current_post_since, facts.same_level_since) == ("142", D(2015, 1, 20), D(2010, 1, 1))
    s.appointment_create(user=t.cadre_user, cadre=zhou, post=a, start_date="2018-01-01")  # after a year's break
    facts = post_facts([zhou], D(2019, 1, 1))[zhou.pk]
    assert (facts.current_post_since, facts.same_level_since) == (D(2018, 1, 1), D(2018, 1, 1))
    # an equivalent rank (三级主任科员 ≈ 乡科级副职) bridging the break joins the run
    RankRecord.objects.create(cadre=zhou, rank="principal_clerk_3", start_date=D(2017, 1, 1), end_date=D(2018, 1, 1))
    facts = post_facts([zhou], D(2019, 1, 1))[zhou.pk]
    assert facts.same_level_since == D(2010, 1, 1)
    # promotion: the 正科级 run starts at the promotion; rank held on the day
    Appointment.objects.filter(cadre=zhou, end_date__isnull=True).update(end_date=D(2020, 1, 1))
    s.appointment_create(user=t.cadre_user, cadre=zhou, post=c, start_date="2020-01-01")
    RankRecord.objects.create(cadre=zhou, rank="principal_clerk_1", start_date=D(2021, 1, 1))
    facts = post_facts([zhou], D(2021, 6, 1))[zhou.pk]
    assert (facts.level, facts.current_post_since, facts.same_level_since) == ("141", D(2020, 1, 1), D(2020, 1, 1))
    assert (facts.rank, facts.rank_since, facts.rank_level) == ("principal_clerk_1", D(2021, 1, 1), "141")
    # before any appointment: the recorded values
    facts = post_facts([zhou], D(2011, 1, 1))[zhou.pk]
    assert (facts.post, facts.same_level_since) == (None, D(2010, 1, 1))


def test_quota_table_xlsx_contents(town):
    t = town
    make_post(t.unit_town_a, "人大主席", level="141")
    wang = make_cadre(t.unit_town_a, "王强")
    s.appointment_create(user=t.cadre_user, cadre=wang, post=make_post(t.unit_town_a, "副书记", level="141"),
                         start_date="2023-06-01")
    table = sel.quota_table(user=t.cadre_user, day=D(2023, 6, 1))
    book = openpyxl.load_workbook(io.BytesIO(quota_table_xlsx(user=t.cadre_user, table=table, title="甲镇")))
    sheet = book["干部配备一览表"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["单位代码", "单位名称", "正科级职数", "正科级实配", "正科级超配", "正科级空缺",
                       "副科级职数", "副科级实配", "副科级超配", "副科级空缺"]
    assert rows[1] == ["U-A", "甲镇", 1, 2, 1, 0, 2, 0, 0, 2]
    assert rows[2][:2] == ["U-A-E", "甲镇农机厂"] and rows[2][2:] == [None] * 8
    red, amber = sheet.cell(row=2, column=5).fill.fgColor.rgb, sheet.cell(row=2, column=10).fill.fgColor.rgb
    assert red.endswith("F8C7C9") and amber.endswith("FCE4B0")
    assert sheet.cell(row=2, column=3).fill.fgColor.rgb in ("00000000", None)
    totals = [[c.value for c in row] for row in book["合计"].iter_rows()]
    assert totals == [["职务级别", "职数", "实配", "超配", "空缺"], ["正科级", 1, 2, 1, 0], ["副科级", 2, 0, 0, 2]]


def test_cli_json_shape_and_errors(town, capsys, tmp_path):
    t = town
    call_command("quota", "--org", "U-A", "--as-of", "2023-01-01", "--format", "json", "--user", t.cadre_user.username)
    data = json.loads(capsys.readouterr().out)
    assert data == {"U-A": {"正科级": {"职数": 1, "实配": 1, "超配": 0, "空缺": 0},
                            "副科级": {"职数": 2, "实配": 0, "超配": 0, "空缺": 2}},
                    "U-A-E": {}}
    target = tmp_path / "q.xlsx"
    call_command("quota", "--org", "U-A", "--as-of", "2023-01-01", "--format", "xlsx", "--output", str(target),
                 "--user", t.cadre_user.username)
    assert openpyxl.load_workbook(target)["干部配备一览表"].cell(row=2, column=1).value == "U-A"
    for args, text in ((["--org", "U-B", "--user", t.cadre_user.username], "不在用户"),
                       (["--org", "NOPE", "--user", t.cadre_user.username], "不存在"),
                       (["--org", "U-A", "--user", "ghost"], "用户「ghost」不存在"),
                       (["--org", "U-A", "--user", t.town_user.username], "不在用户"),
                       (["--org", "U-A", "--as-of", "2023-02-30", "--user", t.cadre_user.username], "截至日期无效")):
        with pytest.raises(SystemExit) as info:
            call_command("quota", *args)
        assert info.value.code == 2
        assert text in capsys.readouterr().err


@pytest.mark.parametrize("unit, post, title", [
    ("青山县", "县委书记", "青山县委书记"), ("青山县", "县委常委", "青山县委常委"), ("龙场镇", "镇党委书记", "龙场镇党委书记"),
    ("城关街道", "街道党工委书记", "城关街道党工委书记"), ("青山县", "县长", "青山县县长"), ("甲镇", "副镇长", "甲镇副镇长"),
    ("青山县交通运输局", "局长", "青山县交通运输局局长"),
])
def test_post_title_writes_a_party_committee_overlap_once(unit, post, title):
    """现任职务 as forms write it (``cadres.selectors.post_title``)."""
    from zugong.cadres.selectors import post_title

    assert post_title(unit, post) == title
