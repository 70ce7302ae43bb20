"""Roles, scopes and labels: a query is restricted by scope × label × action; default deny."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_user
from zugong.accounts.models import RoleGrant
from zugong.accounts.services import grant_revoke, grant_role
from zugong.core.scoping import can
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

ALL = {"张伟", "李娜", "王强", "阿依古丽"}


def _names(user, action="view", label=None):
    return set(Person.objects.restrict(user, action, label).values_list("name", flat=True))


@pytest.mark.django_db
def test_label_missing_from_role_sees_nothing_under_that_label(sec):
    assert _names(sec.county_nd) == ALL
    assert _names(sec.county_nd, label="discipline") == set()
    assert _names(sec.county_user, label="discipline") == ALL
    assert not can(sec.county_nd, "discipline", "view", sec.branch_a1)
    assert can(sec.county_user, "discipline", "view", sec.branch_a1)


@pytest.mark.django_db
def test_action_per_label(sec):
    # 支部书记: view/add/change/export on basic+party, no delete, import or unmask
    assert _names(sec.branch_user, "change") == {"张伟", "李娜"}
    for action in ("delete", "import", "unmask"):
        assert _names(sec.branch_user, action) == set()
    assert _names(sec.branch_user, "view", "cadre") == set()


@pytest.mark.django_db
def test_node_only_grant_excludes_the_subtree(sec):
    user = make_user("town_node_only", "viewer", sec.town_a, include_subtree=False)
    assert set(PartyOrganization.objects.restrict(user).values_list("code", flat=True)) == {"C-A"}
    assert _names(user) == set()  # every member sits in a branch below the town
    assert can(user, "party", "view", sec.town_a) and not can(user, "party", "view", sec.branch_a1)


@pytest.mark.django_db
def test_other_subtree_is_invisible(sec):
    assert _names(sec.branch_b_user) == {"阿依古丽"}
    assert not Membership.objects.restrict(sec.branch_b_user).filter(organization=sec.branch_a1).exists()
    assert not PartyMember.objects.restrict(sec.branch_b_user).filter(person__organization=sec.branch_a1).exists()


@pytest.mark.django_db
def test_revoked_and_expired_grants_give_nothing(sec):
    user = make_user("temp_viewer")
    grant = grant_role(user=user, role_code="viewer", organization=sec.county, granted_by=sec.secadm)
    assert _names(user) == ALL
    grant_revoke(grant=grant, revoked_by=sec.secadm)
    fresh = type(user).objects.get(pk=user.pk)
    assert _names(fresh) == set()
    RoleGrant.objects.create(user=user, role=grant.role, organization=sec.county,
                             expires_at=timezone.now() - dt.timedelta(minutes=1))
    fresh = type(user).objects.get(pk=user.pk)
    assert _names(fresh) == set()


@pytest.mark.django_db
def test_inactive_user_and_anonymous_see_nothing(sec):
    from django.contrib.auth.models import AnonymousUser

    sec.county_user.is_active = False
    assert _names(sec.county_user) == set()
    assert _names(AnonymousUser()) == set()
    assert _names(None) == set()


@pytest.mark.django_db
def test_superuser_flag_grants_no_data(sec):
    root = make_user("root")
    root.is_superuser = True
    root.is_staff = True
    root.save()
    assert _names(root) == set()
