"""The effective-dated rule table (``zugong.core.rules``): the row in force on a date, open starts and
ends, overlap and source checks — and that the table can hold the meeting frequencies to come (a test
row here, not in the product)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from zugong.core.rules import Rule, RuleNotFound, RuleNotInForce, RuleTable

D = dt.date
BRANCH_RULES = "《中国共产党支部工作条例（试行）》"


@dataclass(frozen=True)
class MeetingFrequency:
    """At least ``times`` meetings per ``period`` (``month``/``quarter``/``year``)."""

    times: int
    period: str


def lecture_rows() -> tuple[Rule, Rule]:
    """支委会 frequency: a made-up older row (open start) and the 2018 regulation's row (≥ 1 per month,
    ``rules.md`` §2) from the day it was published."""
    older = Rule(key="test.meetings.committee_meeting", name="支部委员会会议", value=MeetingFrequency(1, "quarter"),
                 definition="支委会每季度至少召开一次", regulation="（测试用）此前的规定", article="第三条")
    current = Rule(key="test.meetings.committee_meeting", name="支部委员会会议", value=MeetingFrequency(1, "month"),
                   definition="支委会一般每月召开一次", regulation=BRANCH_RULES, article="“三会一课”",
                   effective_from=D(2018, 11, 25))
    return older, current


def test_rule_in_force_is_chosen_by_date():
    older, current = lecture_rows()
    table = RuleTable([current, older])  # registration order does not matter
    key = "test.meetings.committee_meeting"
    assert table.rule(key, on=D(1990, 1, 1)) is older  # open start: every earlier day
    assert table.rule(key, on=D(2018, 11, 24)) is older
    assert table.rule(key, on=D(2018, 11, 25)) is current  # the first day in force
    assert table.rule(key, on=D(2030, 1, 1)) is current
    assert table.rule(key, on=D(2030, 1, 1)).value == MeetingFrequency(1, "month")
    assert table.history(key) == [older, current]
    assert key in table and table.keys() == [key]


def test_a_new_regulation_is_a_new_row():
    older, current = lecture_rows()
    table = RuleTable([older])
    assert table.rule(older.key, on=D(2024, 1, 1)).value.period == "quarter"
    table.register(current)
    assert table.rule(older.key, on=D(2024, 1, 1)).value.period == "month"
    assert table.rule(older.key, on=D(2017, 1, 1)).value.period == "quarter"


def test_effective_to_ends_a_row_and_leaves_a_gap():
    repealed = Rule(key="test.notice_days", name="公示天数", value=7, definition="公示不少于7天",
                    regulation="（测试用）某办法", article="第十条", effective_from=D(2010, 1, 1),
                    effective_to=D(2014, 12, 31))
    later = Rule(key="test.notice_days", name="公示天数", value=5, definition="公示不少于5个工作日",
                 regulation="（测试用）另一办法", article="第二条", effective_from=D(2019, 3, 3))
    table = RuleTable([repealed, later])
    assert table.rule("test.notice_days", on=D(2014, 12, 31)).value == 7  # effective_to is the last day
    with pytest.raises(RuleNotInForce, match="公示天数"):
        table.rule("test.notice_days", on=D(2015, 1, 1))
    with pytest.raises(RuleNotInForce):
        table.rule("test.notice_days", on=D(2009, 12, 31))  # before the first row's start
    assert table.rule("test.notice_days", on=D(2019, 3, 3)).value == 5
    assert repealed.period == "2010年1月1日至2014年12月31日" and later.period == "2019年3月3日起"


def test_unknown_keys_and_overlaps_are_refused():
    older, current = lecture_rows()
    table = RuleTable([older, current])
    with pytest.raises(RuleNotFound):
        table.rule("test.no_such_rule", on=D(2024, 1, 1))
    with pytest.raises(ValueError, match="two rows start"):
        table.register(Rule(key=current.key, name="支部委员会会议", value=None, definition="x", regulation="y",
                            effective_from=current.effective_from))
    with pytest.raises(ValueError, match="past the next row"):
        RuleTable([Rule(key="k", name="甲", value=1, definition="x", regulation="y", effective_to=D(2020, 1, 1)),
                   Rule(key="k", name="甲", value=2, definition="x", regulation="y", effective_from=D(2020, 1, 1))])
    table.register(older)  # the same row again: a no-op
    assert len(table.history(older.key)) == 2


def test_every_rule_carries_its_source():
    with pytest.raises(ValueError, match="regulation"):
        Rule(key="k", name="甲", value=1, definition="定义", regulation=" ")
    with pytest.raises(ValueError, match="required"):
        Rule(key="k", name="", value=1, definition="定义", regulation="某规定")
    with pytest.raises(ValueError, match="before effective_from"):
        Rule(key="k", name="甲", value=1, definition="定义", regulation="某规定",
             effective_from=D(2020, 1, 1), effective_to=D(2019, 1, 1))
    _, current = lecture_rows()
    assert current.source == "《中国共产党支部工作条例（试行）》“三会一课”"


def test_copy_leaves_the_original_alone():
    older, current = lecture_rows()
    table = RuleTable([older])
    trial = table.copy()
    trial.register(current)
    assert len(trial.history(older.key)) == 2 and len(table.history(older.key)) == 1
