"""Rule rows of posts and appointments (``design.md`` rule 4: thresholds are data with their source).

- ``cadres.probation`` (试用期): a **promotion** (提拔) to a **non-elected** post (任职方式 not 选任) of a
  level from 厅局级正职 down to 乡科级副职 carries a probation of 12 months — 《党政领导干部选拔任用工作条例》
  (2014) 第四十二条 [V: "提拔担任下列非选举产生的厅局级以下领导职务的，试用期为一年"], kept by the 2019 revision
  in its 第十章「任职」 (article number there 第五十三条 [K], to be checked against the official text;
  ``rules.md`` §4 [V] for the content). ``probation_for`` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from zugong.core.rules import Rule, register, rule

PROBATION_RULE = "cadres.probation"


@dataclass(frozen=True)
class ProbationRule:
    """``months`` of probation for a promotion to a non-elected post whose level is in ``levels``."""

    months: int = 12
    levels: tuple[str, ...] = ("121", "122", "131", "132", "141", "142")
    elected_method: str = "election"


register(Rule(
    key=PROBATION_RULE,
    name="任职试用期",
    value=ProbationRule(),
    definition="提拔担任非选举产生的厅局级以下领导职务的，试用期为一年（12个月）；选任制职务、平级转任不设试用期",
    regulation="《党政领导干部选拔任用工作条例》",
    article="2014年版第四十二条；2019年版第十章「任职」（条号第五十三条待核）",
    note="「提拔」按本系统记录判断：所任职务级别高于该干部此前（任职日期前）担任过的最高职务级别，或此前无任职记录。",
))


def probation_for(*, level: str, method: str, promotion: bool, day=None) -> int | None:
    """The default 试用期 in months for an appointment at ``level`` (GB/T 12407) by ``method``
    (``APPOINTMENT_METHOD``) that is (``promotion``) or is not a promotion, under the rule in force on
    ``day``; ``None`` when none applies (elected post, lateral move, level above 厅局级 or below 乡科级)."""
    row: ProbationRule = rule(PROBATION_RULE, on=day).value
    if not promotion or method == row.elected_method or level not in row.levels:
        return None
    return row.months
