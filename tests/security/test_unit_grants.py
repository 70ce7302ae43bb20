"""Grants anchored on units through the security administrator's page: one anchor per grant, the unit
grant scopes the unit subtree only, and the grant list shows it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.security.helpers import login
from zugong.accounts.models import Role, RoleGrant
from zugong.orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_security_admin_grants_on_a_unit(sec):
    factories.build_units(sec)
    target = factories.make_user("unit_viewer")
    client = Client()
    login(client, sec.secadm)
    role = Role.objects.get(code="viewer")
    both = client.post(reverse("accounts:grant_create"), {"user": target.pk, "role": role.pk, "organization_code": "C",
                                                           "unit_code": "U-A", "include_subtree": "on"})
    assert "只能指定授权组织或授权单位之一" in both.content.decode()
    unknown = client.post(reverse("accounts:grant_create"), {"user": target.pk, "role": role.pk, "unit_code": "NOPE"})
    assert "单位代码 NOPE 不存在" in unknown.content.decode()
    assert not RoleGrant.objects.filter(user=target).exists()
    ok = client.post(reverse("accounts:grant_create"), {"user": target.pk, "role": role.pk, "unit_code": "U-A",
                                                         "include_subtree": "on"})
    assert ok.status_code == 302
    grant = RoleGrant.objects.get(user=target)
    assert (grant.organization_id, grant.unit_id, grant.granted_by_id) == (None, sec.unit_town_a.pk, sec.secadm.pk)
    listing = client.get(reverse("accounts:grant_list")).content.decode()
    assert "甲镇" in listing and "U-A" in listing
    target.refresh_from_db()
    assert list(Unit.objects.restrict(target, "view").values_list("code", flat=True)) == ["U-A", "U-A-E"]
