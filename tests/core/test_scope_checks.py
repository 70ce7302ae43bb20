# ruff: noqa: DJ008  (throw-away models built to exercise the checks)
"""Scoped by default: the ``zugong.E010``–``E013`` system checks (``core/scope_checks.py``)."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from zugong.core.scope_checks import (
    check_model_scope,
    models_declare_scope,
    scan_view_source,
    views_read_through_scope,
)
from zugong.core.scoping import BaseModel

PERSON = {"Person": {"zugong.people.models"}, "PartyOrganization": {"zugong.orgs.models"}}


def _ids(errors):
    return [e.id for e in errors]


def test_base_model_has_no_default_scope():
    assert not hasattr(BaseModel, "scope_org_field")
    assert not hasattr(BaseModel, "data_label")


def test_every_business_model_declares_its_scope_itself():
    declared = {m._meta.label: (m.__dict__["scope_org_field"], m.__dict__["data_label"])
                for m in apps.get_models() if "scope_org_field" in m.__dict__}
    # the anchors and labels chosen so far stay as they are; a new model declares a known label
    assert declared.items() >= {
        "orgs.PartyOrganization": ("", "party"),
        "orgs.Unit": ("", "basic"),
        "orgs.OrganizationExternalId": ("organization", "party"),
        "people.Person": ("organization", "basic"),
        "party.PartyMember": ("person__organization", "party"),
        "party.Membership": ("organization", "party"),
        "party.DevelopmentRecord": ("organization", "party"),
        "core.ImportLayout": ("organization", "party"),
        "orgs.OrganizationTerm": ("organization", "party"),
        "party.MembershipEvent": ("organization", "party"),
        "party.MembershipTransfer": ("from_organization", "party"),
        "party.MemberStatus": ("organization", "party"),
        "life.Meeting": ("organization", "party"),
        "life.MeetingAttendance": ("meeting__organization", "party"),
        "branches.BranchOfficer": ("organization", "party"),
        "development.DevelopmentStep": ("record__organization", "party"),
        "development.DevelopmentParticipant": ("record__organization", "party"),
        "life.MeetingAttachment": ("meeting__organization", "party"),
    }.items()
    from zugong.core.scoping import DATA_LABELS

    assert all(label in DATA_LABELS for _, label in declared.values())
    for model in apps.get_models():
        if model._meta.app_config.name.startswith("zugong.") and "scope_org_field" not in model.__dict__:
            assert model.__dict__.get("scope_exempt"), model._meta.label


def test_real_project_passes():
    assert models_declare_scope(None) == []
    assert views_read_through_scope(None) == []


@isolate_apps("zugong.people")
def test_undeclared_model_is_e010():
    class Undeclared(BaseModel):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "people"

    errors = check_model_scope(Undeclared)
    assert _ids(errors) == ["zugong.E010"]
    assert "scope_org_field and data_label" in errors[0].msg

    class HalfDeclared(models.Model):
        data_label = "basic"

        class Meta:
            app_label = "people"

    assert _ids(check_model_scope(HalfDeclared)) == ["zugong.E010"]

    class Exempt(models.Model):
        scope_exempt = "owner-scoped"

        class Meta:
            app_label = "people"

    assert check_model_scope(Exempt) == []

    class Both(models.Model):
        scope_exempt = "owner-scoped"
        scope_org_field = "organization"
        data_label = "basic"

        class Meta:
            app_label = "people"

    assert _ids(check_model_scope(Both)) == ["zugong.E010"]


@isolate_apps("zugong.people")
def test_scope_path_must_reach_the_organization_anchor():
    class Anchor(models.Model):
        scope_anchor = "organization"
        scope_org_field = ""
        data_label = "party"

        class Meta:
            app_label = "people"

    class Other(models.Model):
        scope_exempt = "not organization data"

        class Meta:
            app_label = "people"

    class Holder(models.Model):
        scope_org_field = "organization"
        data_label = "basic"
        organization = models.ForeignKey(Anchor, on_delete=models.PROTECT)
        other = models.ForeignKey(Other, on_delete=models.PROTECT)
        title = models.CharField(max_length=10)

        class Meta:
            app_label = "people"

    class Nested(models.Model):
        scope_org_field = "holder__organization"
        data_label = "party"
        holder = models.ForeignKey(Holder, on_delete=models.PROTECT)

        class Meta:
            app_label = "people"

    assert check_model_scope(Anchor) == []
    assert check_model_scope(Holder) == []
    assert check_model_scope(Nested) == []

    for bad_path in ("organisation", "title", "other", "holder__other", "holder__organization__code"):
        Nested.scope_org_field = bad_path
        errors = check_model_scope(Nested)
        assert _ids(errors) == ["zugong.E011"], bad_path
    Nested.scope_org_field = ""  # only the anchor itself may declare an empty path
    assert _ids(check_model_scope(Nested)) == ["zugong.E011"]


@isolate_apps("zugong.people")
def test_unknown_data_label_is_e012():
    class Anchor(models.Model):
        scope_anchor = "organization"
        scope_org_field = ""
        data_label = "secret"

        class Meta:
            app_label = "people"

    errors = check_model_scope(Anchor)
    assert _ids(errors) == ["zugong.E012"] and "'secret'" in errors[0].msg


UNSCOPED_VIEW = textwrap.dedent('''\
    from zugong.people.models import Person


    def roster(request):
        return Person.objects.filter(name__icontains=request.GET["q"])
''')

SCOPED_VIEW = textwrap.dedent('''\
    from django.shortcuts import get_object_or_404

    from zugong.orgs.models import PartyOrganization as Org
    from zugong.people.models import Person
    from zugong.people.selectors import person_get


    class PersonViewSet:
        queryset = Person.objects.none()  # schema generation only

        def get_queryset(self):
            return Person.objects.restrict(self.request.user, "view").select_related("organization")


    def detail(request, pk):
        return person_get(user=request.user, pk=pk), get_object_or_404(Org.objects.restrict(request.user), pk=pk)
''')


def test_unscoped_read_in_a_view_module_is_reported_with_line():
    assert scan_view_source(UNSCOPED_VIEW, "views.py", PERSON) == [
        (5, "Person.objects.filter… without .restrict(user, action)")]
    assert scan_view_source(SCOPED_VIEW, "views.py", PERSON) == []


def test_other_unscoped_forms_are_reported():
    source = textwrap.dedent('''\
        from django.shortcuts import get_object_or_404
        from zugong.orgs.models import PartyOrganization as Org


        def view(request, pk):
            a = Org.objects.get_parent(Org.objects.restrict(request.user).get(pk=pk))
            b = get_object_or_404(Org, pk=pk)
            c = Org._default_manager.all()
            manager = Org.objects
            return a, b, c, manager.restrict(request.user)
    ''')
    assert [line for line, _ in scan_view_source(source, "views.py", PERSON)] == [6, 7, 8, 9]


PAGE_VIEW = textwrap.dedent('''\
    from zugong.orgs.models import PartyOrganization
    from zugong.people.selectors import person_get


    def detail(request, pk):
        return person_get(user=request.user, pk=pk), PartyOrganization.objects.none()
''')


def test_page_view_module_may_not_use_a_business_manager_even_restricted():
    """Pages read through selectors only: ``.restrict(`` in a page view module is reported too (the
    generic views need none); ``.objects.none()`` stays allowed."""
    assert scan_view_source(PAGE_VIEW, "views.py", PERSON, strict=True) == []
    assert scan_view_source(SCOPED_VIEW, "views.py", PERSON, strict=True) == [
        (12, "Person.objects.restrict… in a page view module (read through a selector)"),
        (16, "Org.objects.restrict… in a page view module (read through a selector)")]


def test_check_reports_file_and_line(tmp_path):
    (tmp_path / "api").mkdir()
    (tmp_path / "views.py").write_text(PAGE_VIEW, encoding="utf-8")
    (tmp_path / "member_views.py").write_text(UNSCOPED_VIEW, encoding="utf-8")
    (tmp_path / "export_views.py").write_text(SCOPED_VIEW, encoding="utf-8")  # restrict: still refused here
    (tmp_path / "api" / "views.py").write_text(SCOPED_VIEW, encoding="utf-8")  # API: restrict is enough
    (tmp_path / "selectors.py").write_text(UNSCOPED_VIEW, encoding="utf-8")  # selectors may read freely
    fake = SimpleNamespace(name="zugong.fake", path=str(tmp_path))
    errors = views_read_through_scope([fake])
    assert [e.msg.split(": ", 1)[0] for e in errors] == [
        f"{tmp_path / 'export_views.py'}:12", f"{tmp_path / 'export_views.py'}:16", f"{tmp_path / 'member_views.py'}:5"]
    assert _ids(errors) == ["zugong.E013"] * 3
    assert "read through a selector" in errors[0].msg


def test_check_still_refuses_an_unscoped_read_in_an_api_module(tmp_path):
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "views.py").write_text(UNSCOPED_VIEW, encoding="utf-8")
    errors = views_read_through_scope([SimpleNamespace(name="zugong.fake", path=str(tmp_path))])
    assert _ids(errors) == ["zugong.E013"]
    assert errors[0].msg.startswith(f"{tmp_path / 'api' / 'views.py'}:5: Person.objects.filter… without .restrict")


@isolate_apps("zugong.people")
def test_a_path_ending_at_the_unit_anchor_is_scoped_by_unit_grants(units):
    """A model anchored on the unit tree (e.g. a future 职数 row) passes E011 and ``restrict`` filters it by
    the user's *unit* grants (the unit subtree's path), not by organization grants."""
    from zugong.core.scoping import ScopedQuerySet, anchor_kind
    from zugong.orgs.models import Unit

    class Quota(models.Model):
        scope_org_field = "unit"
        data_label = "cadre"
        unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
        objects = ScopedQuerySet.as_manager()

        class Meta:
            app_label = "people"

    class Unknown(models.Model):
        scope_anchor = "department"
        scope_org_field = ""
        data_label = "basic"

        class Meta:
            app_label = "people"

    assert check_model_scope(Quota) == []
    assert anchor_kind(Quota) == "unit"
    assert _ids(check_model_scope(Unknown)) == ["zugong.E011"]
    town = Quota.objects.restrict(units.town_user, "view", "basic")
    sql = str(town.query)
    where = sql.split("WHERE", 1)[1]
    assert '"orgs_unit"."path"' in where and "LIKE" in where and units.unit_town_a.path in where
    assert "orgs_partyorganization" not in sql
    # grants on the organization tree alone scope nothing anchored on units
    assert Quota.objects.restrict(units.branch_user, "view", "basic").query.is_empty()
    assert not Quota.objects.restrict(units.unit_only_user, "view", "basic").query.is_empty()
