"""Member counts of a subtree as of a date (issue #13: counts that do not scan).

The roster's totals and its deep-page windows read these functions, never ``COUNT(*)`` over every
membership in scope. Contract (shared by the roster, the API and the exports):

- ``member_total(user=, as_of=, path=, action=)``: the number of memberships in force on ``as_of``
  (``Membership.objects.on``) whose organization lies in ``user``'s ``party.<action>`` scope and whose
  path starts with ``path`` (``""`` = the whole scope). Exactly the rows of the unfiltered roster
  (``party.selectors.roster_base`` + ``MemberFilterSet`` with only ``as_of``/``org``).
- ``member_counts_by_organization(...)``: the same, per organization: ``[(organization path, n), …]`` in
  path order, organizations with ``n == 0`` left out; the sum equals ``member_total``.

This first version counts live (one ``COUNT``/``GROUP BY`` over the memberships); the count table
replaces the implementation without changing the contract.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from zugong.party.models import Membership


def _in_force(*, user, as_of: dt.date, path: str, action: str):
    queryset = Membership.objects.restrict(user, action).on(as_of)
    return queryset.filter(organization__path__startswith=path) if path else queryset


def member_total(*, user, as_of: dt.date, path: str = "", action: str = "view") -> int:
    """Memberships in force on ``as_of`` in ``user``'s ``party.<action>`` scope under ``path`` (module
    docstring). Raises nothing; an empty scope gives 0."""
    return _in_force(user=user, as_of=as_of, path=path, action=action).count()


def member_counts_by_organization(*, user, as_of: dt.date, path: str = "",
                                  action: str = "view") -> list[tuple[str, int]]:
    """``[(organization path, n), …]`` in path order for the memberships of ``member_total`` (organizations
    without any left out)."""
    return list(_in_force(user=user, as_of=as_of, path=path, action=action).order_by()
                .values("organization__path").annotate(n=Count("*")).order_by("organization__path")
                .values_list("organization__path", "n"))
