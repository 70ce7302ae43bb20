"""The generic views (``core.generic``, ``core.import_views``): a list pages in SQL without counting and
shows only the scope's rows, a stale edit is refused with 409 naming who changed which fields, an export
answers 403/404/400 from the exporter's typed errors, a new import kind gets its pages from its
registration alone, and every generic page declares itself with ``register_view``."""

from __future__ import annotations

import datetime as dt

import django_filters
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.imports.helpers import confirm_mapping, xlsx
from zugong.core import generic
from zugong.core.errors import OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.core.importing import Column, ImportResult
from zugong.core.models import ImportJob
from zugong.core.registry import import_kind, register_import_kind, registry
from zugong.party.models import PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def _people(*, user, action):
    """A list selector for the test list: the people of ``user``'s ``basic.<action>`` scope."""
    return Person.objects.restrict(user, action)


class PersonFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="contains", label="姓名")

    class Meta:
        model = Person
        fields: list[str] = []


class PeopleList(generic.ObjectListView):
    """Not routed, not registered (no ``url_name``): driven through ``get_context_data``."""

    model = "people.Person"
    list_selector = _people
    filterset_class = PersonFilter
    sort_fields = {"name": ("name", "姓名"), "birth_date": ("birth_date", "出生日期")}
    default_ordering = ("name", "pk")
    page_sizes = (2, 50)
    default_page_size = 2
    carried_filters = ("name",)
    export_url_name = "party:export_roster"
    export_permission = "party.export"


def _context(view_class, user, **params):
    request = RequestFactory().get("/people/", params)
    request.user = user
    view = view_class()
    view.setup(request)
    return view.get_context_data()


def test_list_pages_in_sql_without_count_and_only_in_scope(tree):
    with CaptureQueriesContext(connection) as queries:
        first = _context(PeopleList, tree.town_user, sort="-birth_date")
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(queries) <= 4  # grants, the page's keys, its rows (and nothing per row)
    assert first["total"] is None and first["page"].paginator.count is None
    # 甲镇 holds three people; page size 2, newest birth date first
    assert [p.name for p in first["object_list"]] == ["李娜", "张伟"]
    assert first["page"].has_next() and not first["page"].has_previous()
    second = _context(PeopleList, tree.town_user, sort="-birth_date", page="2")
    assert [p.name for p in second["object_list"]] == ["王强"]
    assert not second["page"].has_next() and second["page"].start_index() == 3
    every = {p.pk for ctx in (first, second) for p in ctx["object_list"]}
    assert every == set(Person.objects.filter(organization__path__startswith=tree.town_a.path).values_list("pk", flat=True))
    assert tree.member_b1_1.pk not in every  # 乙镇's member is not in 甲镇's list


def test_list_sort_is_whitelisted_and_filters_are_carried_to_export(tree):
    ctx = _context(PeopleList, tree.county_user, sort="id_number_hash", per_page="50", name="伟")
    assert [p.name for p in ctx["object_list"]] == ["张伟"]  # unknown sort ignored: default order
    assert ctx["page_size"] == 50 and ctx["sorts"]["name"] == {"param": "name", "arrow": ""}
    assert ctx["export_href"] == reverse("party:export_roster") + "?name=%E4%BC%9F"
    nothing = _context(PeopleList, tree.nogrant_user)  # no grant: no rows, no export link
    assert nothing["object_list"] == [] and nothing["export_href"] is None


def test_list_can_opt_into_an_exact_count(tree):
    class Counted(PeopleList):
        counting = "exact"

    with CaptureQueriesContext(connection) as queries:
        ctx = _context(Counted, tree.county_user)
    assert ctx["total"] == 4 and ctx["page"].paginator.num_pages == 2
    assert sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries) == 1


def test_seek_paginator_past_the_end_and_bad_numbers(tree):
    queryset = Person.objects.order_by("pk")
    paginator = generic.SeekPaginator(queryset, 3)
    assert paginator.get_page("x").number == 1 and len(paginator.get_page(1)) == 3
    past = paginator.get_page(9)
    assert list(past) == [] and not past.has_next() and past.previous_page_number() == 8
    for keys_first, expected_queries in ((True, 2), (False, 1)):  # keys then rows, or whole rows: same page
        one = generic.SeekPaginator(queryset, 1)
        one.keys_first = keys_first
        with CaptureQueriesContext(connection) as queries:
            page = one.get_page(2)
        assert [p.pk for p in page] == [sorted(Person.objects.values_list("pk", flat=True))[1]] and page.has_next()
        assert len(queries) == expected_queries
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_roster_list_shows_memberships_of_the_scope_only(client, tree):
    client.force_login(tree.town_user)
    response = client.get(reverse("party:member_list"))
    rows = response.context["object_list"]
    assert {m.person.name for m in rows} == {"张伟", "李娜", "王强"}
    assert all(m.organization.path.startswith(tree.town_a.path) for m in rows)


def test_stale_edit_is_refused_with_409_naming_who_changed_which_fields(client, tree):
    person = tree.member_a1_1
    url = reverse("people:edit", args=[person.pk])
    other = Client()
    other.force_login(tree.county_user)
    client.force_login(tree.town_user)
    form = client.get(url).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "birth_date": "1985-06-15"}
    assert other.post(url, {**data, "name": "张卫", "work_start_date": "2005-07-01"}).status_code == 302
    response = client.post(url, {**data, "name": "张伟伟"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "该记录已被他人修改" in text and "被 county 修改（修改了 姓名、参加工作日期）" in text
    assert Person.objects.get(pk=person.pk).name == "张卫"  # nothing overwritten


def test_membership_action_conflict_names_the_party_record_change(client, tree):
    person = tree.member_a1_2  # probationary
    url = reverse("party:membership_full", args=[person.pk])
    other = Client()
    other.force_login(tree.county_user)
    client.force_login(tree.town_user)
    loaded = client.get(url).context["form"].initial["version"]
    assert other.post(url, {"version": loaded, "full_membership_date": "2025-06-20"}).status_code == 302
    response = client.post(url, {"version": loaded, "full_membership_date": "2025-06-21"})
    assert response.status_code == 409
    assert "被 county 修改（修改了 转正日期" in response.content.decode()
    assert PartyMember.objects.get(pk=person.pk).full_membership_date == dt.date(2025, 6, 20)


class ProbeExport(generic.ExportView):
    """Not routed: the exporter's typed errors become 403/404/400."""

    model = "party.Membership"
    label = "party"
    outcome = None

    def export_kwargs(self):
        return {"what": self.request.GET.get("what", "")}

    def export(self, *, user, what):
        if self.outcome is not None:
            raise self.outcome
        return f"{user.username}:{what}".encode()

    def filename(self, params):
        return f"名册_{params['what']}.xlsx"


def _export(user, outcome=None, **params):
    request = RequestFactory().get("/export/", params)
    request.user = user
    request.session = {}
    return type("P", (ProbeExport,), {"outcome": outcome}).as_view()(request)


def test_export_view_answers_from_the_exporters_errors(tree):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    ok = _export(tree.town_user, what="a", dl="abcdefgh12")
    assert ok.status_code == 200 and ok.content == b"town_a:a"
    assert "%E5%90%8D%E5%86%8C_a.xlsx" in ok["Content-Disposition"] and ok.cookies["zugong_dl"].value == "abcdefgh12"
    with pytest.raises(PermissionDenied):
        _export(tree.nogrant_user)  # no party.export anywhere: refused before the exporter runs
    with pytest.raises(PermissionDenied):
        _export(tree.town_user, PermissionDeniedError("不能导出明文"))
    with pytest.raises(Http404):
        _export(tree.town_user, OutOfScope())
    bad = _export(tree.town_user, ValidationFailed([RowError(0, "截至日期", "无效")]))
    assert bad.status_code == 400 and "「截至日期」：无效" in bad.content.decode()


PROBE_COLUMNS = (Column("code", "编码", required=True), Column("note", "备注"))


def probe_runner(path, *, user, filename, progress, dry_run=False, **options):
    """An importer that writes nothing: counts the rows of the sheet."""
    return ImportResult(kind="probe", filename=filename, total_rows=2, created=2, dry_run=dry_run)


def probe_template() -> bytes:
    return xlsx([["编码", "备注"]])


@pytest.fixture
def probe_kind(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    register_import_kind(code="probe", label="试验数据", runner=probe_runner, template=probe_template,
                         permission="party.import", columns=PROBE_COLUMNS, help_lines=("每行一个编码。",))
    yield import_kind("probe")
    registry.import_kinds.pop("probe", None)


def test_a_new_import_kind_gets_its_pages_from_its_registration_alone(client, tree, probe_kind):
    form_url = reverse("imports:import", args=["probe"])
    assert form_url == "/imports/probe/"
    client.force_login(tree.branch_user)  # no party.import
    assert client.get(form_url).status_code == 403
    client.force_login(tree.town_user)
    page = client.get(form_url).content.decode()
    assert "导入试验数据" in page and "每行一个编码。" in page and "编码" in page
    template = client.get(reverse("imports:import_template", args=["probe"]))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    response = client.post(form_url, {"file": SimpleUploadedFile("试验.xlsx", xlsx([["编码"], ["A1"], ["A2"]]))})
    job = ImportJob.objects.get(kind="probe")
    # the column-mapping page comes from the registration too (its columns, no importer class needed)
    assert response["Location"] == reverse("imports:import_job_mapping", args=["probe", job.pk])
    mapping = client.get(response["Location"]).content.decode()
    assert "确认列映射" in mapping and '<option value="code" selected>编码</option>' in mapping
    response = confirm_mapping(client, response)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.get_absolute_url() == reverse("imports:import_job", args=["probe", job.pk])
    result = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成" in result and job.filename in result
    assert client.get(reverse("imports:import_job_status", args=["probe", job.pk])).status_code == 200
    # another user's job, an unknown kind, and a kind served under its own app URLs are not found here
    client.force_login(tree.county_user)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("imports:import", args=["nope"])).status_code == 404
    assert client.get(reverse("imports:import", args=["roster"])).status_code == 404


def test_generic_pages_declare_themselves():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — import every views module
    views = registry.views
    assert views["orgs:edit"].kind == "edit" and views["orgs:edit"].action == "change"
    assert views["orgs:create_child"].kind == "create" and views["orgs:create_child"].object_arg == "pk"
    assert views["orgs:dissolve"].kind == "delete" and views["orgs:reactivate"].action == "delete"
    assert views["party:member_list"].kind == "list" and views["party:member_list"].model == "party.Membership"
    assert views["party:membership_full"].object_model == "party.PartyMember"
    assert views["people:detail"].kind == "detail" and views["people:edit"].methods == ("GET", "POST")
    assert views["party:export_roster"].kind == "export" and views["party:export_roster"].label == "party"
    assert views["party:import_roster"].kind == "import" and views["orgs:import"].model == "orgs.PartyOrganization"
