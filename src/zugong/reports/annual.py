"""The 党内统计年报 (``annual_report``) of an organization subtree for a year (issue #10): the tables of
``reports.annual_layout`` that Zugong's records can fill, their consistency checks (逻辑校验) and the
records behind every figure.

Stocks are as of 31 December of the year (``截至日期``), flows the events dated in the year
(``MembershipEvent``). Everything is counted in the database by group-bys (as the 公报,
``reports.services``); scoped like the 公报: the organization must be in the user's ``party.view`` scope,
and every table is fetched through ``restrict(user, "view")``.

Public API (contract of issue #10; implemented by the annual-report engine):

- ``annual_report(*, user, organization=None, year) -> AnnualReport``
- ``AnnualReport.to_json() -> dict`` (shape: ``reports.annual_layout`` docstring)
- ``AnnualReport.checks -> list[Check]`` (逻辑校验)
- ``annual_records(*, user, organization, year, table, row, column) -> QuerySet[Person]``: the people a
  figure counts (drill-down; ``table`` = number or title, ``row``/``column`` = keys of the layout).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordRef:
    """A record a failed check points at: ``person_id``, ``name``, ``organization`` (name) and Chinese
    ``reason`` (e.g. 「变动日期 2023-03-01 早于入党日期 2023-05-01」)."""

    person_id: int
    name: str
    organization: str
    reason: str


@dataclass
class Check:
    """One 逻辑校验: ``name`` (e.g. 「第一表本年底实有数 = 第二表总计总数」), ``ok``, ``expected`` and ``actual``
    figures, ``records`` (what to fix when it fails; may be empty when the cause is not a record)."""

    name: str
    ok: bool
    expected: int | None = None
    actual: int | None = None
    records: list[RecordRef] = field(default_factory=list)


@dataclass
class AnnualReport:
    """The filled tables: ``tables[title][row_key][column_key] = n | None`` (第一表: ``tables["党员数量变化情况"]``
    in the special shape of ``annual_layout``), for ``organization`` (the subtree root) and ``year``;
    ``as_of`` = 31 December of ``year``."""

    organization: object
    year: int
    as_of: dt.date
    tables: dict[str, dict]
    checks: list[Check] = field(default_factory=list)

    def to_json(self) -> dict:
        """``{"年度": year, "截至日期": "YYYY-12-31", **tables}``."""
        return {"年度": self.year, "截至日期": self.as_of.isoformat(), **self.tables}

    @property
    def ok(self) -> bool:
        """All consistency checks pass."""
        return all(c.ok for c in self.checks)


def annual_report(*, user, organization=None, year: int) -> AnnualReport:
    """The 年报 of ``organization``'s subtree (default: the user's top organization) for ``year``.
    Raises ``OutOfScope`` when the organization is not in the user's ``party.view`` scope."""
    raise NotImplementedError("issue #10: annual-report engine")


def annual_records(*, user, organization, year: int, table, row: str, column: str):
    """The ``Person`` queryset a figure of ``annual_report`` counts (same scope and definitions)."""
    raise NotImplementedError("issue #10: annual-report engine")
