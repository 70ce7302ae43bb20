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


def test_grant_picker_finds_organizations_and_units_for_the_security_admin_only(sec):
    """授权组织/授权单位 search on the grant form: the security administrator finds nodes of either tree by
    name or code (with the names above them), the chosen radio is what gets granted; nobody else may search
    (403), so the picker reveals nothing to business users."""
    factories.build_units(sec)
    client = Client()
    login(client, sec.secadm)
    url = reverse("accounts:grant_picker")
    orgs = client.get(url, {"tree": "organization", "q": "甲镇"}).content.decode()
    assert 'name="organization_pick" value="C-A"' in orgs and "某县委" in orgs  # the name above it
    assert "乙镇" not in orgs
    units = client.get(url, {"tree": "unit", "q": "U-A"}).content.decode()
    assert 'name="unit_pick" value="U-A"' in units and 'value="U-A-E"' in units and 'value="U-B' not in units
    assert "没有匹配的单位" in client.get(url, {"tree": "unit", "q": "不存在的单位"}).content.decode()

    target = factories.make_user("picked_viewer")
    role = Role.objects.get(code="viewer")
    ok = client.post(reverse("accounts:grant_create"), {"user": target.pk, "role": role.pk, "organization_code": "",
                                                         "organization_pick": "C-A", "include_subtree": "on"})
    assert ok.status_code == 302
    assert RoleGrant.objects.get(user=target).organization_id == sec.town_a.pk

    for user in (sec.county_user, sec.sysadm, sec.audadm):
        other = Client()
        login(other, user)
        assert other.get(url, {"q": "甲镇"}).status_code == 403
