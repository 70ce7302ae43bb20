"""Scoped reads of the branches app (``design.md`` rule 1: every read goes through ``restrict``).

- ``officer_list`` / ``officer_get`` / ``organization_officers``: 班子成员 (``BranchOfficer``) in the user's
  ``party.<action>`` scope (through the post's organization);
- ``organization_get`` / ``organization_by_code``: the organization a page or the API names (by id, or by
  组织代码 for ``?org=``), re-exported from ``orgs.selectors`` so the branches views read through this module.
"""

from __future__ import annotations

from django.db.models import QuerySet

from zugong.branches.models import BranchOfficer
from zugong.orgs.selectors import organization_by_code, organization_get

__all__ = ["officer_list", "officer_get", "organization_officers", "organization_get", "organization_by_code"]


def officer_list(*, user, action: str = "view") -> QuerySet[BranchOfficer]:
    """Every officer post in ``user``'s ``party.<action>`` scope (through its organization), with person and
    organization joined (the encrypted ID number and phone deferred), in tree order, open posts first, then
    newest start first."""
    return (BranchOfficer.objects.restrict(user, action).select_related("person", "organization")
            .defer("person__id_number_encrypted", "person__phone_encrypted")
            .order_by("organization__path", "end_date", "-start_date", "pk"))


def officer_get(*, user, pk: int, action: str = "view") -> BranchOfficer | None:
    """The officer post ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``."""
    return officer_list(user=user, action=action).filter(pk=pk).first()


def organization_officers(*, user, organization, action: str = "view") -> list[BranchOfficer]:
    """The officer posts of ``organization`` (fetched in scope by the caller), current ones first (by role
    order of ``OFFICER_ROLE``), then the past ones newest first; one query."""
    from zugong.branches.choices import OFFICER_ROLE

    order = {code: i for i, (code, _label) in enumerate(OFFICER_ROLE.choices)}
    rows = list(officer_list(user=user, action=action).filter(organization=organization))
    rows.sort(key=lambda o: (o.end_date is not None, order.get(o.role, 99) if o.end_date is None else 0,
                             -(o.end_date or o.start_date).toordinal(), o.pk))
    return rows


def organization_member_choices(*, user, organization) -> list[tuple[int, str]]:
    """``[(person_id, "姓名")]`` of everyone who has been a member of ``organization`` (for a 党小组: of it or its
    branch) in ``user``'s ``party.view`` scope, by name: the choices of the 任职 form (the service checks the
    membership on the 任职日期). One query ."""
    from zugong.branches.officers import member_org_paths
    from zugong.party.models import Membership

    rows = (Membership.objects.restrict(user, "view").filter(organization__path__in=member_org_paths(organization))
            .values_list("person_id", "person__name").distinct().order_by("person__name", "person_id"))
    return list(dict.fromkeys(rows))
