"""The 年报 definitions (``reports.annual_rules``): rows of the rule table with their sources, the SQL and
Python forms agreeing (工作岗位 rows, 党龄 / 失联 bands, month arithmetic), the 公报's eras being sums of
第三表's columns, and the set-based unit lookup agreeing with ``organization_unit``."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.db.models import BooleanField, CharField, DateField, Value

from tests.reports import annual_dataset as ds
from zugong.core import rules as core_rules
from zugong.core.codes import OCCUPATION, OCCUPATION_OF_DETAIL
from zugong.core.dates import age_on
from zugong.orgs.models import PartyOrganization
from zugong.orgs.unit_selectors import organization_unit, organization_unit_facts
from zugong.reports.annual_layout import OCCUPATION_ROWS, TABLES
from zugong.reports.annual_rules import (
    ANNUAL_DEFINITIONS,
    GROUP_FIELDS,
    annual_definitions,
    annual_rules,
    months_cutoff,
    standing_band_q,
    year_band_q,
)
from zugong.reports.rules import communique_rules

D = dt.date
RULES = annual_rules(D(2023, 12, 31))


def _groups():
    """Every plausible 工作岗位 group: each category with its own details (and the legacy 其中 details), each
    ownership, each flag."""
    details = {o: [""] for o in [*OCCUPATION.entries, ""]}
    for detail, category in OCCUPATION_OF_DETAIL.items():
        details[category].append(detail)
    for category, options in details.items():
        owners = ("public", "non_public", "") if category in RULES.occupation_rows.on_duty else ("",)
        for detail, owner, worker, business in itertools.product(options, owners, (False, True), (False, True)):
            yield {"occupation": category, "occupation_detail": detail, "ownership": owner, "migrant_worker": worker,
                   "migrant_business": business}


def test_occupation_rows_read_the_same_in_sql_and_python(db):
    rows = RULES.occupation_rows
    fields = {"occupation": CharField(), "occupation_detail": CharField(), "ownership": CharField(),
              "migrant_worker": BooleanField(), "migrant_business": BooleanField()}
    for group in _groups():
        values = {k: Value(group[k], output_field=f) for k, f in fields.items()}
        in_python = set(rows.keys_of(group))
        in_sql = {row.key for row in OCCUPATION_ROWS if rows.q(row.key).check(values)}
        assert in_sql == in_python, group
        leaves = [r.key for r in rows.leaves if r.contains(group)]
        assert len(leaves) <= 1, group  # the leaf rows never overlap
        assert rows.classified(group) == bool(leaves)


def test_occupation_rows_follow_the_layout():
    rows = RULES.occupation_rows
    keys = lambda **g: rows.keys_of({"occupation_detail": "", "ownership": "", "migrant_worker": False,  # noqa: E731
                                     "migrant_business": False, **g})
    assert keys(occupation="government") == ["总计", "一、在岗职工", "公有制单位·党政机关工作人员", "公有制单位·合计"]
    assert keys(occupation="manager", occupation_detail="nonprofit_manager", ownership="public") == [
        "总计", "一、在岗职工", "非公有制单位·民办非企业单位管理人员", "非公有制单位·合计"]  # always 非公有制
    assert keys(occupation="worker", ownership="non_public", migrant_worker=True) == [
        "总计", "一、在岗职工", "非公有制单位·工勤技能人员", "非公有制单位·合计", "非公有制单位·其中：农民工"]
    assert keys(occupation="worker") == ["总计", "一、在岗职工"]  # sector unknown
    assert keys(occupation="professional") == ["总计", "一、在岗职工"]  # only the 公报 category
    assert keys(occupation="worker", occupation_detail="migrant_worker", ownership="public") == [
        "总计", "一、在岗职工", "公有制单位·工勤技能人员", "公有制单位·合计", "公有制单位·其中：农民工"]  # legacy detail
    assert keys(occupation="other", occupation_detail="military") == ["总计", "三、军人、武警"]
    assert keys(occupation="") == ["总计"]
    assert keys(occupation="farmer", migrant_worker=True) == ["总计", "二、农牧渔民"]  # 农民工 only under 工勤技能人员


def _years(since: dt.date, on: dt.date) -> int:
    return age_on(since, on)


def _months(since: dt.date, on: dt.date) -> int:
    months = (on.year - since.year) * 12 + on.month - since.month
    if on.day < since.day and not (on.day == _last_day(on) and since.day > on.day):
        months -= 1
    return months


def _last_day(day: dt.date) -> int:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - dt.timedelta(days=1)).day


def test_month_cutoffs_count_whole_months():
    rng = random.Random(10)
    for on in (D(2023, 12, 31), D(2024, 2, 29), D(2024, 3, 31), D(2023, 6, 30), D(2023, 3, 1)):
        for _ in range(400):
            since = on - dt.timedelta(days=rng.randrange(0, 4000))
            for n in (1, 6, 12, 18, 24):
                assert (since <= months_cutoff(on, n)) == (_months(since, on) >= n), (since, on, n)


def test_year_bands_read_the_same_in_sql_and_python(db):
    on = D(2023, 12, 31)
    rng = random.Random(11)
    days = [on - dt.timedelta(days=rng.randrange(0, 30 * 366)) for _ in range(300)]
    days += [D(2022, 12, 31), D(2023, 1, 1), D(2022, 12, 30), D(2018, 12, 31), D(2019, 1, 1), D(2002, 12, 31),
             D(2023, 6, 30), D(2023, 7, 1), D(2020, 2, 29)]
    for day in days:
        value = {"full_membership_date": Value(day, output_field=DateField()),
                 "start_date": Value(day, output_field=DateField())}
        standing = [b.label for b in RULES.standing_bands if standing_band_q(b, on, "").check(value)]
        years = _years(day, on)
        assert len(standing) == 1 and standing[0] == next(
            b.label for b in RULES.standing_bands if (b.low is None or years >= b.low) and (b.high is None or years <= b.high))
        lost = [b.label for b in RULES.lost_bands if year_band_q(b, on, "start_date").check(value)]
        months = _months(day, on)
        assert len(lost) == (1 if months >= RULES.lost_min_months else 0), (day, lost)
    # a 预备党员 (no 转正日期) is in 1年以下 only: test_annual_engine's 第四十三表 (m7)


def test_the_communique_eras_are_sums_of_the_third_table():
    """The 公报's four eras (``reports.communique.admission_eras``) each start where a 第三表 column starts,
    so each 公报 figure is a sum of 第三表 columns (rules.md §1, issue #10 item 7)."""
    starts = {e.start for e in RULES.eras_3}
    for day in (D(2012, 12, 31), D(2023, 12, 31)):
        eras = communique_rules(day).admission_eras
        assert {e.start for e in eras} <= starts
        assert [e.start for e in eras] == [None, D(1949, 10, 1), D(1979, 1, 1), D(2012, 11, 1)]
    # 第十表's eras are the same columns, the first ones merged
    assert {e.start for e in RULES.eras_10} <= starts


def test_every_definition_is_a_sourced_row():
    rows = annual_definitions(D(2023, 12, 31))
    assert [r.key for r in rows] == list(ANNUAL_DEFINITIONS)
    for row in rows:
        assert row.regulation and row.definition and row.name
        assert core_rules.rule(row.key, D(1990, 12, 31)) == row  # open start: every year
    by_key = {r.key: r for r in rows}
    # the readings chosen where the form leaves room are written down
    for key in ("reports.annual.full_membership", "reports.annual.development", "reports.annual.party_standing_bands",
                "reports.annual.organization_unit_rows", "reports.annual.lost_contact_bands"):
        assert by_key[key].note, key
    assert "人次" in by_key["reports.annual.full_membership"].note
    assert "原组织" in by_key["reports.annual.development"].definition
    # the bands match the layout's columns
    labels = {c.key for t in TABLES for c in t.columns} | {r.key for t in TABLES for r in t.rows}
    for bands in (RULES.age_bands_2, RULES.age_bands_10, RULES.age_bands_16, RULES.age_bands_43, RULES.eras_3,
                  RULES.eras_10, RULES.standing_bands, RULES.lost_bands, RULES.education.columns):
        assert {b.label for b in bands} <= labels
    assert GROUP_FIELDS == ("occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business")


@pytest.fixture
def data(db):
    return ds.build()


def test_set_based_units_agree_with_organization_unit(data):
    organizations = PartyOrganization.objects.restrict(data.county_user, "view")
    facts = organization_unit_facts(organizations=organizations)
    assert set(facts) == set(organizations.values_list("pk", flat=True))
    for org in organizations:
        single = organization_unit(user=data.county_user, organization=org)
        unit = single["units"][0]["unit"] if single["units"] else None
        if unit is None:
            assert facts[org.pk].source in ("organization", ""), org.code
            assert facts[org.pk].unit_category == org.unit_category
        else:
            assert (facts[org.pk].unit_category, facts[org.pk].economic_control, facts[org.pk].organ_level) == (
                unit.unit_category, unit.economic_control, unit.organ_level), org.code
    # a branch of town A inherits from its committee even when the committee is outside the queryset
    only_branch = organization_unit_facts(organizations=organizations.filter(code="R-A-1"))
    assert only_branch[data.A1.pk].unit_category == "township"
    assert facts[data.A3.pk].source == "joint" and facts[data.A3.pk].economic_control == "non_public_controlled"
