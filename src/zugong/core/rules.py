"""The effective-dated rule table: thresholds and definitions as data with their source.

``design.md`` rule 4 ("Rules are data with a source"): every threshold or definition the code applies —
an age band, an era boundary, which 学历 codes are 大专及以上, when a member is 正式党员, how often a
branch meets — is one ``Rule`` row keyed by ``key`` and carrying the regulation, the article and the
date it takes effect. A new regulation is a new row with a later ``effective_from``, not a code hunt:
``rule(key, on=day)`` returns the row in force on ``day``, so a statistic or roster as of a past date
applies the definition that was in force then.

This module is framework only and names no domain: the apps register their rows at import time
(``zugong.party.rules``, ``zugong.reports.rules``), each with at most one function that turns the row's
``value`` into a Django ``Q`` or a Python predicate. Everything else reads the definition through them.

Dates: ``effective_from`` is the first day in force (``None``: an open start — the oldest row of a key
for which no earlier version is recorded, applying to every earlier day as well); ``effective_to`` is
the last day in force (``None``: until the next row of the same key starts, or still in force). Rows of
one key never overlap (checked when they are registered).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Rule", "RuleNotFound", "RuleNotInForce", "RuleTable", "RULES", "register", "rule"]


class RuleNotFound(LookupError):
    """No row is registered under the key (a programming error: a missing import or a typo)."""


class RuleNotInForce(LookupError):
    """The key has rows, but none in force on the requested day."""


@dataclass(frozen=True)
class Rule:
    """One row of the rule table.

    - ``key``: stable identifier, dotted (``"party.education_groups"``); rows of one key are versions.
    - ``name``: Chinese name shown to people (``"学历分组"``).
    - ``value``: the data the code interprets (a number, a tuple of bands, a mapping …); ``None`` for a
      definition that is text only (a counting convention implemented by one named function).
    - ``definition``: the definition in Chinese as printed on pages and exports (统计口径).
    - ``regulation`` and ``article``: the source (``"《中国共产党章程》"``, ``"第七条"``). A row without a
      regulation cannot be built.
    - ``effective_from`` / ``effective_to``: see the module docstring.
    - ``note``: why the row reads as it does where the source leaves room (optional)."""

    key: str
    name: str
    value: Any
    definition: str
    regulation: str
    article: str = ""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not self.key or not self.name or not self.definition:
            raise ValueError(f"rule {self.key!r}: key, name and definition are required")
        if not self.regulation.strip():
            raise ValueError(f"rule {self.key!r}: every rule names the regulation it comes from")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError(f"rule {self.key!r}: effective_to {self.effective_to} before effective_from "
                             f"{self.effective_from}")

    @property
    def source(self) -> str:
        """Regulation and article as one Chinese phrase (``《中国共产党章程》第七条``)."""
        return f"{self.regulation}{self.article}"

    @property
    def period(self) -> str:
        """The period in force in Chinese (``2018年10月28日起``, ``至2012年10月31日``, ``现行``)."""

        def fmt(day: dt.date) -> str:
            return f"{day.year}年{day.month}月{day.day}日"

        if self.effective_from and self.effective_to:
            return f"{fmt(self.effective_from)}至{fmt(self.effective_to)}"
        if self.effective_from:
            return f"{fmt(self.effective_from)}起"
        if self.effective_to:
            return f"至{fmt(self.effective_to)}"
        return "现行"

    def starts_on_or_before(self, day: dt.date) -> bool:
        return self.effective_from is None or self.effective_from <= day


def _start_key(row: Rule) -> dt.date:
    return row.effective_from or dt.date.min


class RuleTable:
    """Rows grouped by key, ordered by ``effective_from``. ``RULES`` is the product's table; tests may
    build their own."""

    def __init__(self, rows: Iterable[Rule] = ()) -> None:
        self._rows: dict[str, list[Rule]] = {}
        self.register(*rows)

    def register(self, *rows: Rule) -> None:
        """Add rows. Raises ``ValueError`` when a row would overlap another row of its key (same start,
        or an explicit ``effective_to`` reaching into the next row); registering an equal row again is a
        no-op (module reloads)."""
        for row in rows:
            versions = self._rows.setdefault(row.key, [])
            if row in versions:
                continue
            candidate = sorted([*versions, row], key=_start_key)
            for earlier, later in zip(candidate, candidate[1:], strict=False):
                if _start_key(earlier) == _start_key(later):
                    raise ValueError(f"rule {row.key!r}: two rows start on {later.effective_from or '(open)'}")
                if earlier.effective_to is not None and later.effective_from is not None \
                        and earlier.effective_to >= later.effective_from:
                    raise ValueError(f"rule {row.key!r}: the row from {earlier.effective_from or '(open)'} "
                                     f"runs to {earlier.effective_to}, past the next row's start "
                                     f"{later.effective_from}")
            versions[:] = candidate

    def rule(self, key: str, on: dt.date | None = None) -> Rule:
        """The row of ``key`` in force on ``on`` (default: today, Asia/Shanghai): the latest row starting
        on or before that day, unless its ``effective_to`` has passed. Raises ``RuleNotFound`` for an
        unknown key, ``RuleNotInForce`` when no row covers the day."""
        versions = self._rows.get(key)
        if not versions:
            raise RuleNotFound(f"no rule registered under {key!r}")
        day = on or _today()
        current = None
        for row in versions:  # a handful of rows per key: a scan beats bisect
            if not row.starts_on_or_before(day):
                break
            current = row
        if current is None or (current.effective_to is not None and day > current.effective_to):
            raise RuleNotInForce(f"「{versions[0].name}」（{key}）在 {day.isoformat()} 没有生效的规定")
        return current

    def history(self, key: str) -> list[Rule]:
        """Every row of ``key``, oldest first (``RuleNotFound`` for an unknown key)."""
        if key not in self._rows:
            raise RuleNotFound(f"no rule registered under {key!r}")
        return list(self._rows[key])

    def copy(self) -> RuleTable:
        """A new table with the same rows (to try a new row without touching this one)."""
        table = RuleTable()
        table._rows = {key: list(rows) for key, rows in self._rows.items()}
        return table

    def keys(self) -> list[str]:
        return sorted(self._rows)

    def __contains__(self, key: str) -> bool:
        return key in self._rows


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


RULES = RuleTable()


def register(*rows: Rule) -> None:
    """Add rows to the product's table (``RULES``); see ``RuleTable.register``."""
    RULES.register(*rows)


def rule(key: str, on: dt.date | None = None) -> Rule:
    """The row of ``key`` in force on ``on`` in the product's table; see ``RuleTable.rule``."""
    return RULES.rule(key, on)
