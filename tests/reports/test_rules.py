"""The 党内统计 and member definitions as rows of the rule table (``zugong.party.rules``,
``zugong.reports.rules``): each written once, the SQL and Python forms agreeing, the 统计口径 text
rendered from the rows, and a new row taking effect on its date in the statistics and the roster."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db.models import CharField, Value
from django.urls import reverse

import zugong
from tests.factories import PASSWORD, make_member
from tests.reports.conftest import AS_OF, EXPECTED
from zugong.core import rules as core_rules
from zugong.core.codes import EDUCATION, ETHNICITY
from zugong.core.rules import Rule
from zugong.demo import distributions as demo_distributions
from zugong.demo import names as demo_names
from zugong.party.models import PartyMember
from zugong.party.rules import (
    EDUCATION_GROUPS,
    ETHNICITY_GROUPS,
    EducationGroup,
    education_group,
    education_groups,
    ethnicity_group,
    ethnicity_groups,
    member_categories,
)
from zugong.party.selectors import member_roster
from zugong.reports.rules import (
    ADMISSION_ERAS,
    AGE_BANDS,
    STATISTICS_DEFINITIONS,
    communique_rules,
    statistics_definitions,
)
from zugong.reports.services import COMMUNIQUE_RULES, party_statistics

D = dt.date
SRC = Path(zugong.__file__).resolve().parent
RULE_MODULES = {"core/rules.py", "party/rules.py", "reports/rules.py", "reports/annual_rules.py"}


# --- written once ---------------------------------------------------------------------------------

# Old literal encodings of the definitions; each may appear only in the rule modules (and, for the code of
# 汉族 itself, in the code table that defines it).
FORBIDDEN = {
    "大专及以上 as code prefixes 1/2/3": (re.compile(r"""[(\[]\s*["']1["']\s*,\s*["']2["']\s*,\s*["']3["']"""
                                                   r"""|\bin\s+["']123["']"""), set()),
    "学历 code classified by its first digit": (re.compile(r"""\[(?:0|:1)\]\s*(?:==|!=|in)\s*[("'\[]*["']?[1-9]"""),
                                              set()),
    "ETHNICITY_HAN outside the 民族 rule": (re.compile(r"\bETHNICITY_HAN\b"), {"core/codes.py"}),
    "汉族 code 01 compared by hand": (re.compile(r"""ethnicity\w*\s*(?:==|!=|=|__in\s*=)\s*[\[(]?\s*["']01["']"""),
                                    set()),
    "正式/预备 by a 转正日期 lookup": (re.compile(r"full_membership_date__(?:lte|lt|gte|gt)\s*=(?!\s*models\.F\()"),
                                 set()),
    # a 转正日期 compared with a reference day (as_of, day, today, on …) decides 正式/预备; compared with
    # the 入党日期 it is a validation of the probation (party/validators.py), not a category
    "正式/预备 by comparing a 转正日期": (re.compile(r"full_membership_date\s*(?:<=|<|>=|>)\s*(?!admission_date\b|add_years\()\w"),
                                  set()),
    "era boundaries as dates": (re.compile(r"date\(\s*(?:1949,\s*10,\s*1|1978,\s*12,\s*18|2012,\s*11,\s*8)\s*\)"
                                           r"|1978年12月18日|2012年11月8日"), set()),
}


def _sources():
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".py", ".html") or "migrations" in path.parts:
            continue
        yield path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("what", list(FORBIDDEN))
def test_each_definition_is_written_once(what):
    pattern, allowed = FORBIDDEN[what]
    found = []
    for rel, text in _sources():
        if rel in RULE_MODULES or rel in allowed:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#", 1)[0] if rel.endswith(".py") else line
            if pattern.search(code):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, f"{what} outside the rule modules:\n" + "\n".join(found)


def test_the_scan_would_catch_the_old_encodings():
    old = {
        "大专及以上 as code prefixes 1/2/3": 'college_education_prefixes=("1", "2", "3"),',
        "学历 code classified by its first digit": 'if code[0] == "1" and age < 24:',
        "ETHNICITY_HAN outside the 民族 rule": "return self._person(queryset, Q(ethnicity=ETHNICITY_HAN))",
        "汉族 code 01 compared by hand": 'if person.ethnicity != "01":',
        "正式/预备 by a 转正日期 lookup": 'full = Q(person__party_member__full_membership_date__lte=day)',
        "正式/预备 by comparing a 转正日期": "if self.full_membership_date and self.full_membership_date <= day:",
        "era boundaries as dates": 'AdmissionEra("党的十八大以来", dt.date(2012, 11, 8)),',
    }
    assert set(old) == set(FORBIDDEN)
    for what, line in old.items():
        assert FORBIDDEN[what][0].search(line), what
    # the model's own check constraint is not a category rule
    constraint = 'Q(full_membership_date__isnull=True) | Q(full_membership_date__gt=models.F("admission_date"))'
    assert not FORBIDDEN["正式/预备 by a 转正日期 lookup"][0].search(constraint)


# --- the rows and their two forms -----------------------------------------------------------------

def test_groups_read_the_same_in_sql_and_python(db):
    codes = [*EDUCATION.entries, ""]
    for group in education_groups():
        for code in codes:
            in_sql = group.q().check({"education_level": Value(code, output_field=CharField())})
            assert in_sql == group.contains(code), (group.key, code)
    college = education_group("college_or_above")
    assert [c for c in EDUCATION.entries if college.contains(c)] == [c for c in EDUCATION.entries if c[0] in "123"]
    assert education_group("本科").key == "bachelor" and education_group("大专").key == "associate"
    assert education_group("中专") is None  # a code name, not a group

    for group in ethnicity_groups():
        for code in [*ETHNICITY.entries, ""]:
            in_sql = group.q().check({"ethnicity": Value(code, output_field=CharField())})
            assert in_sql == group.contains(code), (group.key, code)
    minority = ethnicity_group("minority")
    assert minority.contains("97") and minority.contains("98") and minority.contains("05")
    assert not minority.contains("01") and not minority.contains("")  # 汉族, and not recorded
    assert ethnicity_group("汉").contains("01") and not ethnicity_group("han").contains("")


def test_member_category_reads_the_same_in_sql_and_python(tree):
    admitted = D(2019, 3, 1)
    people = {
        "甲预备": None,
        "乙转正": D(2020, 3, 1),
        "丙转正": D(2020, 3, 2),
    }
    for name, full in people.items():
        make_member(tree.branch_a1, name, admission_date=admitted, full_membership_date=full)
    categories = member_categories()
    records = list(PartyMember.objects.filter(person__name__in=people))
    for day in (D(2019, 2, 28), admitted, D(2020, 2, 29), D(2020, 3, 1), D(2020, 3, 2), D(2030, 1, 1)):
        for category in ("full", "probationary"):
            in_sql = set(PartyMember.objects.filter(person__name__in=people)
                         .filter(categories.q(category, day)).values_list("person__name", flat=True))
            in_python = {r.person.name for r in records if categories.of(r, day) == category}
            assert in_sql == in_python, (category, day)
        assert all(r.category_on(day) == categories.of(r, day) for r in records)
    assert {r.person.name: r.category_on(D(2020, 3, 1)) for r in records} == {
        "甲预备": "probationary", "乙转正": "full", "丙转正": "probationary"}
    assert records[0].category_on(D(2019, 2, 28)) == ""  # not yet admitted


def test_the_product_table_rows_name_their_sources():
    assert core_rules.RULES.keys(), "the product registers rules at import"
    for key in core_rules.RULES.keys():
        for row in core_rules.RULES.history(key):
            assert row.regulation.strip() and row.name and row.definition, key
            assert not key.startswith("test."), "test rows stay out of the product table"


def test_the_communique_rules_come_from_the_table():
    rules = communique_rules(AS_OF)
    assert rules == COMMUNIQUE_RULES  # no row has changed since AS_OF
    assert rules.age_bands == core_rules.rule(AGE_BANDS, AS_OF).value
    assert rules.admission_eras == core_rules.rule(ADMISSION_ERAS, AS_OF).value
    assert [b.label for b in rules.age_bands] == list(EXPECTED["年龄"])
    assert [e.label for e in rules.admission_eras] == list(EXPECTED["入党时间"])
    # every 口径 row is in force on any reference date (open starts) and names its source
    for day in (D(1950, 1, 1), AS_OF, D(2100, 1, 1)):
        rows = statistics_definitions(day)
        assert [r.key for r in rows] == list(STATISTICS_DEFINITIONS)
        assert all(r.source and r.definition for r in rows)


def test_definition_texts_are_rendered_from_the_values():
    by_key = {r.key: r for r in statistics_definitions(AS_OF)}
    eras = by_key[ADMISSION_ERAS].definition
    assert "新中国成立前（1949年9月30日及以前）" in eras
    assert "党的十一届三中全会后至党的十八大前（1979年1月1日至2012年10月31日）" in eras
    assert "党的十八大以来（2012年11月1日及以后）" in eras
    assert "口径更正" in by_key[ADMISSION_ERAS].note  # printed under 统计口径 on the page
    assert "30岁及以下" in by_key[AGE_BANDS].definition and "61岁及以上" in by_key[AGE_BANDS].definition
    education = by_key[EDUCATION_GROUPS]
    assert "GB/T 4658-2006" in education.definition
    assert "大专及以上为研究生、大学本科、大学专科（1x、2x、3x）" in education.definition
    assert "GB/T 4658-2006" in education.source and "党内统计公报" in education.source
    assert "GB 3304-1991" in by_key[ETHNICITY_GROUPS].source
    assert "《中国共产党章程》第七条" in by_key["party.member_category"].source
    assert "支部为党支部、联合党支部、临时党支部" in by_key["reports.communique.organization_kinds"].definition


# --- a new row takes effect on its date -----------------------------------------------------------

@pytest.fixture
def trial_table(monkeypatch):
    """The product table with room for a made-up row, restored after the test."""
    table = core_rules.RULES.copy()
    monkeypatch.setattr(core_rules, "RULES", table)
    return table


def _narrower_college_row(effective_from: dt.date) -> Rule:
    """A made-up revision: from ``effective_from`` 大专及以上 leaves out 大学专科 (3x)."""
    groups = tuple(
        EducationGroup(g.key, g.label, g.aliases, ("1", "2")) if g.key == "college_or_above" else g
        for g in education_groups(on=effective_from)
    )
    return Rule(key=EDUCATION_GROUPS, name="学历分组", value=groups, definition="（测试用）大专及以上不含大学专科",
                regulation="（测试用）某修订", article="第一条", effective_from=effective_from)


def test_a_new_row_applies_from_its_date_in_statistics_and_roster(stats_tree, trial_table):
    trial_table.register(_narrower_college_row(AS_OF))
    day_before = AS_OF - dt.timedelta(days=1)
    user = stats_tree.county_user

    stats = party_statistics(user=user, organization=stats_tree.S, as_of=AS_OF)
    assert stats["大专及以上学历党员"] == 8  # EXPECTED 11 minus the 3x holders m2 m11 m21
    assert stats["发展党员"]["大专及以上学历"] == 1  # m14; m11 holds 31
    assert {k: v for k, v in stats.items() if k not in ("大专及以上学历党员", "占比", "发展党员")} == \
        {k: v for k, v in EXPECTED.items() if k not in ("大专及以上学历党员", "占比", "发展党员")}
    before = party_statistics(user=user, organization=stats_tree.S, as_of=day_before)
    assert before["大专及以上学历党员"] == 11  # the old row still applies the day before

    def roster(day):
        return {m.person.name for m in member_roster(user=user, as_of=day, filters={"education": "大专及以上"})}

    assert "m21" not in roster(AS_OF) and "m21" in roster(day_before)
    assert statistics_definitions(AS_OF)[4].definition == "（测试用）大专及以上不含大学专科"


# --- the page prints the rows ---------------------------------------------------------------------

def test_the_page_prints_the_definitions_from_the_rows(client, stats_tree):
    client.login(username=stats_tree.county_user.username, password=PASSWORD)
    html = client.get(reverse("reports:party_stats"), {"org": "S", "as_of": AS_OF.isoformat()}).content.decode()
    block = html[html.index("统计口径"):html.index("</details>")]
    for row in statistics_definitions(AS_OF):
        assert f"{row.name}：{row.definition}。" in block
        assert row.source in block


def test_xlsx_note_lists_the_rows(stats_tree):
    from zugong.reports.exporters import statistics_notes

    lines = statistics_notes(AS_OF)
    assert "党内统计公报" in lines[0]
    assert len(lines) == 1 + len(STATISTICS_DEFINITIONS)
    assert any("1979年1月1日" in line for line in lines)


# --- the demo generator classifies by the same rows ----------------------------------------------

def test_demo_education_and_ethnicity_tables_agree_with_the_rows():
    college = education_group("college_or_above", on=demo_distributions.REFERENCE_DATE)
    for levels in demo_distributions.COLLEGE_LEVELS.values():
        assert all(college.contains(code) for code, _ in levels)
    for _, levels in demo_distributions.LOWER_LEVELS:
        assert not any(college.contains(code) for code, _ in levels)
    minority = ethnicity_group("minority", on=demo_distributions.REFERENCE_DATE)
    assert all(minority.contains(code) for code, _ in demo_names.MINORITY_POPULATION)
