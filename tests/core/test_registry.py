"""The app registries (``core.registry``): core names no domain app; the navigation each role sees, the API
routes, the audited models and the import kinds all come from the apps' registrations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zugong.core.models import ImportJob
from zugong.core.registry import import_kind, registry

CORE = Path(__file__).resolve().parents[2] / "src" / "zugong" / "core"
# Domain apps (design.md: core is framework code only). ``accounts`` and ``audit`` are framework-level:
# scoping reads the grants, every service writes audit events.
DOMAIN_APPS = ("orgs", "people", "party", "reports", "cadres", "assessment", "talent")


def _domain_imports(path: Path, root: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "zugong" and len(parts) > 1 and parts[1] in DOMAIN_APPS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def test_core_imports_no_domain_app():
    """Every module of ``zugong.core`` (lazy imports inside functions included)."""
    offenders = [hit for path in sorted(CORE.rglob("*.py")) if "migrations" not in path.parts
                 for hit in _domain_imports(path, CORE.parent)]
    assert not offenders, "core must not import domain apps (register through core.registry):\n" + "\n".join(offenders)


def test_scan_finds_domain_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import zugong.party.models\nfrom zugong import reports\n\n\ndef f():\n"
                     "    from zugong.orgs.models import PartyOrganization\n    from zugong.core import errors\n")
    hits = _domain_imports(probe, tmp_path)
    assert hits == ["probe.py:1 zugong.party.models", "probe.py:2 zugong.reports",
                    "probe.py:6 zugong.orgs.models", "probe.py:6 zugong.orgs.models.PartyOrganization"]


def test_api_routes_from_registry():
    assert {(v.prefix, v.basename) for v in registry.api_viewsets} >= {
        ("organizations", "organization"), ("members", "member"), ("people", "person")}
    assert reverse("api:organization-list") == "/api/organizations/"
    assert reverse("api:member-list") == "/api/members/"
    assert reverse("api:person-detail", args=[1]) == "/api/people/1/"
    assert reverse("api:party-stats") == "/api/stats/party/"
    assert reverse("api:schema") == "/api/schema/"


def test_audited_models_registered_by_their_apps():
    from django.apps import apps

    from zugong.audit.changelog import is_tracked

    assert "orgs.partyorganization" in registry.audited_models
    assert is_tracked(apps.get_model("orgs", "PartyOrganization"))
    assert is_tracked(apps.get_model("party", "Membership"))  # a BaseModel: tracked without registering


def test_import_kinds_registered():
    assert import_kind("orgs").label == "党组织" and import_kind("roster").label == "党员花名册"
    assert callable(import_kind("roster").get_runner()) and callable(import_kind("orgs").get_template())
    assert ImportJob._meta.get_field("kind").choices is None  # a new kind needs no core migration


@pytest.mark.django_db
def test_import_job_kind_validated_against_registry(tree):
    job = ImportJob(user=tree.town_user, kind="roster", filename="a.xlsx")
    job.full_clean()
    assert job.get_kind_display() == "党员花名册"
    job.kind = "nonsense"
    with pytest.raises(ValidationError, match="未登记的导入类型"):
        job.full_clean()


@pytest.mark.django_db
def test_submit_import_refuses_unregistered_kind(tree):
    from zugong.core.import_jobs import submit_import

    with pytest.raises(ValueError, match="unregistered import kind"):
        submit_import(user=tree.town_user, kind="nonsense", uploaded=None, runner=lambda *a, **k: None)
    assert not ImportJob.objects.exists()


def test_registration_is_idempotent():
    from django.apps import apps

    before = (len(registry.nav), len(registry.api_viewsets), len(registry.home_widgets), len(registry.todo_providers))
    for config in apps.get_app_configs():
        if config.name.startswith("zugong.") and config.name not in ("zugong.core", "zugong.audit"):
            config.ready()
    after = (len(registry.nav), len(registry.api_viewsets), len(registry.home_widgets), len(registry.todo_providers))
    assert before == after


@pytest.mark.parametrize("permission", ["party", "secret.import", "party.fly", ""])
def test_import_kind_permission_is_declared_and_known(permission):
    from zugong.core.registry import register_import_kind

    with pytest.raises(ValueError):
        register_import_kind(code="probe", label="试", runner="x.y", template="x.z", permission=permission)
    with pytest.raises(TypeError):  # no default label: the permission must be given
        register_import_kind(code="probe", label="试", runner="x.y", template="x.z")
    assert "probe" not in registry.import_kinds


def test_register_view_validates_and_refuses_conflicting_declarations():
    from zugong.core.registry import register_view

    spec = registry.views["orgs:detail"]
    assert (spec.kind, spec.model, spec.action, spec.methods, spec.object_arg) == (
        "detail", "orgs.PartyOrganization", "view", ("GET",), "pk")
    assert register_view(url_name="orgs:detail", kind="detail", model="orgs.PartyOrganization", action="view",
                         object_arg="pk") == spec  # the same declaration again: accepted
    bad = [dict(kind="detail", action="change", object_arg="pk"),  # conflicts with the app's declaration
           dict(kind="show", action="view"), dict(kind="detail", action="fly"),
           dict(kind="detail", action="view", object_arg="pk", object_param="org")]
    for kwargs in bad:
        with pytest.raises(ValueError):
            register_view(url_name="orgs:detail", model="orgs.PartyOrganization", **kwargs)
    assert registry.views["orgs:detail"] == spec
