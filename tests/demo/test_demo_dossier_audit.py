"""The dossier audit (``cadres.dossier``) over the demo (``demo.cadres``) finds exactly the inconsistencies the
generator planned — each of them, and nothing else (the rest of the demo's cadre data is consistent)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from zugong.cadres.dossier.services import dossier_audit_run
from zugong.cadres.models import DossierFinding
from zugong.demo.accounts import create_demo_accounts
from zugong.demo.generator import demo_root, generate
from zugong.demo.units import demo_unit_root


@pytest.mark.django_db
def test_dossier_audit_finds_the_planned_inconsistencies_only():
    summary = generate(scale=100_000, seed=2023, workers=0)
    create_demo_accounts(demo_root())
    from django.contrib.auth import get_user_model

    dossier_audit_run(user=get_user_model().objects.get(username="ganbu"), unit=demo_unit_root())
    found = defaultdict(set)
    for cadre, check in DossierFinding.objects.values_list("cadre_id", "check_code"):
        found[check].add(cadre)
    planned = {check: set(cadres) for check, cadres in summary.cadres["inconsistencies"].items()}
    assert all(planned.values())
    assert dict(found) == planned
