"""The column-mapping step of the web import (issue #9 item 2 and 6), saved layouts (导入版式) and the CLI's
``--layout`` / ``--mapping``: what the page shows, a changed mapping taking effect, the bad-input cases
(two columns on one field, another scope's layout), privacy of the kept upload, expiry, the dry run."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, mapping_form, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.import_jobs import EXPIRED_MESSAGE, decrypt_report
from zugong.core.models import ImportJob, ImportLayout
from zugong.party.models import Membership
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

ROSTER_URL = "party:import_roster"
ID = make_id(dt.date(1992, 4, 5), "2")
# a real-world header: the organization column under a name the importer does not know, plus a remark column
HEADERS = [("支部代码" if h == "所在党组织*" else h) for h in ROSTER_HEADERS] + ["备注"]


@pytest.fixture(autouse=True)
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def row(org="C-A-1", **kw):
    return [*member_row(org, id_number=ID, **kw), "调入"]


def upload(client, rows=None, *, headers=HEADERS, **data):
    payload = xlsx([headers, *(rows or [row()])])
    response = client.post(reverse(ROSTER_URL), {"file": SimpleUploadedFile("花名册.xlsx", payload), **data})
    job = ImportJob.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == reverse("party:import_roster_job_mapping",
                                                                            args=[job.pk])
    return job, response["Location"], payload


def written():
    return Person.objects.count(), Membership.objects.count(), ImportLayout.objects.count()


def test_upload_waits_for_the_mapping_with_the_file_kept_encrypted(client, tree, private_tmp):
    client.force_login(tree.town_user)
    before = written()
    job, url, payload = upload(client)
    assert job.status == "mapping" and job.get_status_display() == "待确认列映射"
    assert written() == before  # nothing imported yet
    assert ID not in job.upload_encrypted and decrypt_report(job.upload_encrypted) == payload
    assert not any(private_tmp.iterdir())  # no plaintext file outlives the request
    page = client.get(url).content.decode()
    assert "确认列映射" in page and "第 1 行" in page  # the header row
    # a select per source column: the fields of the kind + 不导入, the detected field selected
    assert page.count("<select name=\"col-") == len(HEADERS)
    assert '<option value="name" selected>姓名</option>' in page
    # the unknown columns: listed as not imported; the required 所在党组织 is missing
    assert "不导入的列：" in page and "O 列「备注」" in page and "K 列「支部代码」" in page
    assert "缺少必填列「所在党组织」" in page
    # the first rows as they will be read, the ID number and phone masked
    assert "赵敏" in page and ID not in page and "*****************" + ID[-1] in page
    assert "13800138000" not in page and "138****8000" in page
    # the job page of a waiting job leads to the mapping, it does not poll
    job_page = client.get(reverse("party:import_roster_job", args=[job.pk])).content.decode()
    assert url in job_page and "hx-trigger" not in job_page


def test_changing_one_mapping_imports_that_column(client, tree, private_tmp):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    # preview with the change: the 所在党组织 column now reads the codes, 备注 stays ignored
    preview = client.post(url, mapping_form(client, url, action="preview", changes={"支部代码": "organization"}))
    page = preview.content.decode()
    assert preview.status_code == 200 and "缺少必填列" not in page and "<th>所在党组织</th>" in page
    assert "O 列「备注」" in page and "K 列「支部代码」" not in page.split("不导入的列：")[-1].split("</p>")[0]
    assert not Person.objects.filter(name="赵敏").exists()
    response = client.post(url, mapping_form(client, url, changes={"支部代码": "organization"}))
    assert response.status_code == 302 and response["Location"] == reverse("party:import_roster_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_count == 1, job.errors
    assert job.options["mapping"]["支部代码"] == "organization" and job.options["mapping"]["备注"] == ""
    assert not job.upload_encrypted  # purged when the job ran
    assert Membership.objects.get(person__name="赵敏").organization == tree.branch_a1
    # the job page says how the file was read, the ignored column included
    job_page = client.get(response["Location"]).content.decode()
    assert "读取方式" in job_page and "备注" in job_page
    # confirming again runs nothing more
    again = client.post(url, {"action": "confirm"})
    assert again.status_code == 302 and Person.objects.filter(name="赵敏").count() == 1


def test_without_the_change_the_import_fails_naming_the_missing_column(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    client.post(url, mapping_form(client, url))
    job.refresh_from_db()
    assert job.status == "failed" and "所在党组织" in str(job.errors)
    assert not Person.objects.filter(name="赵敏").exists()


def test_two_columns_on_one_field_are_refused_and_nothing_is_written(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    before = written()
    for action in ("preview", "save", "confirm"):
        data = mapping_form(client, url, action=action, changes={"支部代码": "organization", "备注": "name"},
                            layout_name="两列一字段")
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 400, action
        assert "第 A 列「姓名*」和第 O 列「备注」都对应字段「姓名」，请在列映射中只保留一个" in page
        # the page keeps the user's choices so they can fix them
        assert '<select name="col-14"' in page
    job.refresh_from_db()
    assert job.status == "mapping" and job.upload_encrypted and written() == before


def test_a_field_the_kind_has_not_is_refused(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    data = mapping_form(client, url, changes={"备注": "salary"})
    response = client.post(url, data)
    assert response.status_code == 400 and "不是可导入的字段" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "mapping"


def test_save_layout_then_reuse_it_on_the_next_upload(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    data = mapping_form(client, url, action="save", changes={"支部代码": "organization"}, layout_name="乡镇花名册")
    response = client.post(url, data)
    assert response.status_code == 200 and "已保存导入版式「乡镇花名册」" in response.content.decode()
    layout = ImportLayout.objects.get()
    assert (layout.name, layout.kind, layout.organization, layout.created_by) == (
        "乡镇花名册", "roster", tree.town_a, tree.town_user)
    assert layout.mapping["支部代码"] == "organization" and layout.mapping["备注"] == ""
    created = AuditEvent.objects.filter(kind="change", object_type="core.importlayout")
    assert created.count() == 1 and created.get().data["action"] == "create"
    # saving again under the same name replaces it (audited), it does not add a second one
    data = mapping_form(client, url, action="save", changes={"支部代码": "organization", "手机号码": ""},
                        layout_name="乡镇花名册")
    client.post(url, data)
    layout = ImportLayout.objects.get()
    assert layout.mapping["手机号码"] == ""
    update = AuditEvent.objects.filter(kind="change", object_type="core.importlayout").latest("id")
    assert update.data["action"] == "update" and "mapping" in update.data["changes"]
    # the job still waits; a new upload of the same layout: choose the saved layout, confirm
    job.refresh_from_db()
    assert job.status == "mapping"
    _, url2, _ = upload(client)
    page = client.get(url2).content.decode()
    assert f'<option value="{layout.pk}">乡镇花名册（甲镇党委）</option>' in page
    chosen = client.get(f"{url2}?layout={layout.pk}")
    assert chosen.status_code == 200 and "使用的版式" in chosen.content.decode()
    assert {i["col"].header: i["key"] for i in chosen.context["columns"]}["支部代码"] == "organization"
    assert client.get(reverse("imports:layouts") + "?kind=roster").context["object_list"] == [layout]


def test_layouts_are_shared_down_the_tree_but_not_with_sibling_scopes(client, tree):
    def save(org, name):
        return ImportLayout.objects.create(organization=org, kind="roster", name=name,
                                           mapping={"支部代码": "organization"})

    county, own, below, sibling = (save(tree.county, "县委版式"), save(tree.town_a, "甲镇版式"),
                                   save(tree.branch_a1, "支部版式"), save(tree.town_b, "乙镇版式"))
    save(tree.town_b, "甲镇版式")  # same name in the sibling scope
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    page = client.get(url)
    listed = {layout.pk for layout in page.context["layouts"]}
    assert listed == {county.pk, own.pk, below.pk}
    listed_page = client.get(reverse("imports:layouts"))
    assert {layout.pk for layout in listed_page.context["object_list"]} == {county.pk, own.pk, below.pk}
    assert "乙镇版式" not in listed_page.content.decode()
    # another scope's layout chosen by its id: a clear message, the same as a missing id, nothing written
    before = written()
    for pk in (sibling.pk, 999999, "x"):
        response = client.get(f"{url}?layout={pk}")
        assert response.status_code == 404
        assert "所选的导入版式不存在，或不在您的权限范围内" in response.content.decode()
    assert written() == before
    # a layout of another kind is not offered on the roster page
    ImportLayout.objects.create(organization=tree.town_a, kind="orgs", name="组织版式", mapping={})
    assert "组织版式" not in client.get(url).content.decode()


def test_mapping_page_and_kept_upload_are_the_submitters_only(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    for other in (tree.county_user,):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "confirm"}).status_code == 404
        assert client.get(reverse("party:import_roster_job", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "mapping" and not Person.objects.filter(name="赵敏").exists()
    client.force_login(tree.branch_user)  # no import permission at all
    assert client.get(url).status_code == 403


def test_confirm_post_needs_the_csrf_token(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.town_user)
    client.get(reverse(ROSTER_URL))
    token = client.cookies["csrftoken"].value
    payload = xlsx([ROSTER_HEADERS, member_row()])
    response = client.post(reverse(ROSTER_URL), {"file": SimpleUploadedFile("a.xlsx", payload),
                                                 "csrfmiddlewaretoken": token})
    url = response["Location"]
    data = mapping_form(client, url)
    assert client.post(url, data).status_code == 403
    assert client.post(url, {**data, "action": "save", "layout_name": "x"}).status_code == 403
    assert ImportJob.objects.get().status == "mapping" and not ImportLayout.objects.exists()
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert ImportJob.objects.get().status == "succeeded"


def test_kept_upload_expires_after_24_hours(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client)
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(hours=25))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("party:import_roster_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "failed" and job.message == EXPIRED_MESSAGE and not job.upload_encrypted
    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert not Person.objects.filter(name="赵敏").exists()
    assert EXPIRED_MESSAGE in client.get(reverse("party:import_roster_job", args=[job.pk])).content.decode()


def test_dry_run_chosen_at_upload_is_kept_and_can_be_changed(client, tree):
    client.force_login(tree.town_user)
    job, url, _ = upload(client, dry_run="1")
    page = client.get(url).content.decode()
    assert 'name="dry_run" value="1" checked' in page
    client.post(url, mapping_form(client, url, changes={"支部代码": "organization"}))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.is_dry_run and job.created_count == 1
    assert not Person.objects.filter(name="赵敏").exists()


def test_hostile_header_and_cell_are_escaped_on_the_mapping_page(client, tree):
    xss = "<img src=x onerror=alert(1)>"
    client.force_login(tree.town_user)
    job, url, _ = upload(client, [row(name=xss)], headers=[*HEADERS[:-1], xss])
    page = client.get(url).content.decode()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


# --- the CLI -----------------------------------------------------------------------------------------------

def _file(tmp_path, rows=None):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([HEADERS, *(rows or [row()])]))
    return path


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_mapping_file_with_chinese_field_names_prints_the_ignored_columns(tree, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"支部代码": "所在党组织", "备注": ""}, ensure_ascii=False), encoding="utf-8")
    out, _ = call("import_roster", str(_file(tmp_path)), "--user", "town_a", "--mapping", str(mapping))
    assert "导入完成：新增 1" in out
    assert "读取方式" in out and "K 列「支部代码」→ 所在党组织" in out
    assert "未导入的列：\n    O 列「备注」" in out
    assert out.index("读取方式") < out.index("导入完成")
    assert Membership.objects.get(person__name="赵敏").organization == tree.branch_a1


def test_cli_without_mapping_also_prints_the_ignored_columns(tree, tmp_path):
    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx([[*ROSTER_HEADERS, "备注"], [*member_row(), "无"]]))
    out, _ = call("import_roster", str(path), "--user", "town_a")
    assert "未导入的列：\n    O 列「备注」" in out and "导入完成：新增 1" in out


def test_cli_saved_layout_by_name(tree, tmp_path):
    ImportLayout.objects.create(organization=tree.county, kind="roster", name="县版式",
                                mapping={"支部代码": "organization", "备注": ""})
    out, _ = call("import_roster", str(_file(tmp_path)), "--user", "town_a", "--layout", "县版式")
    assert "使用导入版式「县版式」（某县委）" in out and "导入完成：新增 1" in out


def test_cli_refuses_another_scopes_layout_a_bad_mapping_and_both_options(tree, tmp_path):
    ImportLayout.objects.create(organization=tree.town_b, kind="roster", name="乙镇版式",
                                mapping={"支部代码": "organization"})
    path = _file(tmp_path)
    before = written()
    with pytest.raises(CommandError, match="没有名为「乙镇版式」的党员花名册导入版式，或它不在您的权限范围内"):
        call("import_roster", str(path), "--user", "town_a", "--layout", "乙镇版式")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"支部代码": "工资"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="不存在的字段：「支部代码」→「工资」"):
        call("import_roster", str(path), "--user", "town_a", "--mapping", str(bad))
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"支部代码": "organization", "备注": "姓名"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call("import_roster", str(path), "--user", "town_a", "--mapping", str(twice))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call("import_roster", str(path), "--user", "town_a", "--mapping", str(broken))
    with pytest.raises(CommandError, match="只能选一个"):
        call("import_roster", str(path), "--user", "town_a", "--mapping", str(bad), "--layout", "x")
    assert written() == before


def test_cli_mapping_two_columns_on_one_field_names_both(tree, tmp_path):
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"支部代码": "organization", "备注": "姓名"}, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(_file(tmp_path)), "--user", "town_a", "--no-progress", "--mapping",
                     str(twice), stdout=io.StringIO(), stderr=err)
    assert "都对应字段「姓名」，请在列映射中只保留一个" in err.getvalue()
    assert not Person.objects.filter(name="赵敏").exists()


@pytest.mark.parametrize("command", ["import_orgs", "import_units"])
def test_every_import_command_takes_layout_and_mapping(tree, tmp_path, command):
    with pytest.raises(CommandError, match="只能选一个"):
        call(command, str(_file(tmp_path)), "--user", "county", "--mapping", "x.json", "--layout", "y")
    with pytest.raises(CommandError, match="没有名为「无此版式」的"):
        call(command, str(_file(tmp_path)), "--user", "county", "--layout", "无此版式")


def test_importer_notes_are_shown_for_confirmation(client, tree, monkeypatch):
    """``Importer.mapping_notes(layout)`` (e.g. the organization sheet without a parent column) is shown on the
    mapping page for the user to confirm."""
    from zugong.party.importers import RosterImporter

    monkeypatch.setattr(RosterImporter, "mapping_notes", lambda self, layout: [f"共 {len(layout.columns)} 列，请确认"],
                        raising=False)
    client.force_login(tree.town_user)
    _, url, _ = upload(client)
    assert f"共 {len(HEADERS)} 列，请确认" in client.get(url).content.decode()


def test_an_organization_sheet_without_parent_column_names_where_new_organizations_go(client, tree):
    """The mapping page asks to confirm where the organizations of a sheet without any parent column will
    be created (the user's own root, ``orgs.importers.default_parent``), before anything is written."""
    client.force_login(tree.town_user)
    payload = xlsx([["党组织全称", "组织类别"], ["甲镇第九党支部", "党支部"]])
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("组织.xlsx", payload)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "文件没有上级党组织列：文件中的新组织将建在「甲镇党委」（C-A）之下" in page
    from zugong.orgs.models import PartyOrganization

    assert not PartyOrganization.objects.filter(name="甲镇第九党支部").exists()
    # with a parent column the note is not shown
    payload = xlsx([["党组织全称", "组织类别", "上级组织代码"], ["甲镇第九党支部", "党支部", "C-A"]])
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("组织.xlsx", payload)})
    assert "文件没有上级党组织列" not in client.get(response["Location"]).content.decode()


def test_missing_statistics_columns_are_named_apart_from_other_optional_ones(client, tree):
    """A file without 民族 (a 公报 statistics item) can be imported, and the page says the records will be
    incomplete; absent optional columns (参加工作日期 …) are listed separately."""
    client.force_login(tree.town_user)
    headers = [h for h in HEADERS if h not in ("民族*", "民族", "参加工作日期")]
    rows = [[v for h, v in zip(HEADERS, row(), strict=True) if h in headers]]
    _job, url, _payload = upload(client, rows, headers=headers)
    page = client.get(url).content.decode()
    recommended = page.split("文件中没有的统计项：")[1].split("</p>")[0]
    optional = page.split("文件中没有的可选列：")[1].split("</p>")[0]
    assert "民族" in recommended and "信息不完整" in recommended and "参加工作日期" not in recommended
    assert "参加工作日期" in optional and "民族" not in optional


def test_columns_only_other_systems_carry_are_offered_and_import(client, tree):
    """The mapping step offers every column the importer reads, not only the template's: a file naming
    the branch by 所在党支部编码 (another system's identifier column) maps it to 党组织唯一标识 and imports."""
    client.force_login(tree.town_user)
    headers = [("所在党支部编码" if h == "支部代码" else h) for h in HEADERS]
    _job, url, _payload = upload(client, [row()], headers=headers)
    page = client.get(url)
    assert ("organization_ref", "党组织唯一标识") in page.context["fields"]
    assert ("political_status", "政治面貌") in page.context["fields"]
    data = mapping_form(client, url)
    assert data["col-10"] == "organization_ref"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Membership.objects.get(person__name="赵敏", end_date__isnull=True).organization == tree.branch_a1
