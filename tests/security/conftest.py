"""Fixtures of the security tests: the standard tree plus the three separated administrators and a
county user holding every label except ``discipline``."""

from __future__ import annotations

import pytest

from tests import factories
from zugong.accounts.models import Role
from zugong.accounts.services import grant_role


@pytest.fixture
def sec(tree):
    """``tree`` + ``sysadm`` / ``secadm`` / ``audadm`` (system, security, audit administrators) and
    ``county_nd`` (all business permissions on the county except the ``discipline`` label)."""
    tree.sysadm = factories.make_user("sysadm")
    grant_role(user=tree.sysadm, role_code="system_admin")
    tree.secadm = factories.make_user("secadm")
    grant_role(user=tree.secadm, role_code="security_admin")
    tree.audadm = factories.make_user("audadm")
    grant_role(user=tree.audadm, role_code="audit_admin")
    labels = ["basic", "party", "cadre", "assessment", "personal_matters", "travel_documents"]
    actions = ["view", "add", "change", "delete", "import", "export", "unmask"]
    Role.objects.create(code="county_no_discipline", name="县级（无纪律处分标签）",
                        permissions=[f"{label}.{action}" for label in labels for action in actions])
    tree.county_nd = factories.make_user("county_nd")
    grant_role(user=tree.county_nd, role_code="county_no_discipline", organization=tree.county)
    return tree


@pytest.fixture
def otp_on(settings):
    """Production behaviour: TOTP mandatory for administrators and unmask/export holders."""
    settings.ZUGONG_REQUIRE_OTP = True
    return settings
