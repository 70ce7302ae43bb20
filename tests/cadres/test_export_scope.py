"""Exports read with the ``export`` scope and the 干部名册 import's add/change checks (security review of
issue #12): ``cadre.export`` on a unit node alone does not export its child units' cadres (名册, 结构分析,
``zugong quota --format xlsx``, written 0600); ``cadre.import`` without ``cadre.change`` updates nothing."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_cadre, make_id, make_user
from tests.imports.helpers import xlsx
from zugong.accounts.models import Role
from zugong.accounts.services import grant_role
from zugong.cadres.models import Cadre, Education, RankRecord
from zugong.cadres.posts import services as post_services
from zugong.cadres.structure.exporters import ROSTER_HEADERS, roster_xlsx, structure_xlsx
from zugong.cadres.structure.importers import import_cadre_roster
from zugong.core.importing import ImportFailed
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def role(code: str, *permissions: str) -> str:
    Role.objects.create(code=code, name=code, permissions=list(permissions))
    return code


@pytest.fixture
def node_exporter(ct):
    """``cadre.view`` on 甲镇 and its subtree, ``cadre.export`` on the 甲镇 node only (not 甲镇农机厂 U-A-E);
    a cadre in each unit."""
    user = make_user("node_exporter")
    grant_role(user=user, role_code=role("cv", "cadre.view"), unit=ct.unit_town_a, include_subtree=True)
    grant_role(user=user, role_code=role("ce", "cadre.export"), unit=ct.unit_town_a, include_subtree=False)
    ct.node_exporter = user
    make_cadre(ct.unit_town_a, "甲镇干部")
    make_cadre(ct.unit_firm_a, "农机厂干部")
    return ct


def sheet_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)


def test_roster_and_structure_xlsx_hold_only_the_export_scope(node_exporter):
    t, today = node_exporter, timezone.localdate()
    content, _name = roster_xlsx(user=t.node_exporter, unit=t.unit_town_a, as_of=today)
    names = [row[2] for row in openpyxl.load_workbook(io.BytesIO(content))["干部名册"].iter_rows(min_row=2,
                                                                                             values_only=True)]
    assert names == ["甲镇干部"]  # not 农机厂干部 of U-A-E: export is held on the 甲镇 node only
    full, _name = roster_xlsx(user=t.county_user, unit=t.unit_town_a, as_of=today)
    assert "农机厂干部" in sheet_text(full)  # the export scope of the subtree does hold it
    content, _name = structure_xlsx(user=t.node_exporter, unit=t.unit_town_a, as_of=today)
    assert "共有干部 1 名" in sheet_text(content)
    full, _name = structure_xlsx(user=t.county_user, unit=t.unit_town_a, as_of=today)
    assert "共有干部 2 名" in sheet_text(full)


def test_quota_cli_xlsx_uses_the_export_scope_and_writes_0600(node_exporter, tmp_path, capsys):
    t = node_exporter
    for unit in (t.unit_town_a, t.unit_firm_a):
        post_services.quota_set(user=t.county_user, unit=unit, level="141", count=1, start_date="2020-01-01")
    target = tmp_path / "q.xlsx"
    old = os.umask(0o022)
    try:
        call_command("quota", "--org", "U-A", "--as-of", "2023-01-01", "--format", "xlsx", "--output", str(target),
                     "--user", t.node_exporter.username)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (tmp_path / "q.xlsx.part").exists()
    codes = [row[0] for row in openpyxl.load_workbook(target)["干部配备一览表"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["U-A"]
    # the JSON is the view-scoped table (as /api/cadres/quota-table/): both units, and its file is 0600 too
    call_command("quota", "--org", "U-A", "--as-of", "2023-01-01", "--user", t.node_exporter.username)
    assert '"U-A-E"' in capsys.readouterr().out
    out = tmp_path / "q.json"
    call_command("quota", "--org", "U-A", "--as-of", "2023-01-01", "--output", str(out),
                 "--user", t.node_exporter.username)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and '"U-A-E"' in out.read_text(encoding="utf-8")


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Person, Cadre, Education, RankRecord)}


def run(user, content: bytes):
    return import_cadre_roster(io.BytesIO(content), user=user, filename="名册.xlsx", today=dt.date(2025, 3, 1))


def test_roster_import_needs_change_to_update_and_add_to_create(ct):
    user = make_user("importer")
    grant_role(user=user, role_code=role("ci", "cadre.view", "cadre.import"), unit=ct.unit_town_a)
    cadre = make_cadre(ct.unit_town_a, "周明", birth_date=dt.date(1978, 11, 3), current_post_title="旧职务")
    row = [1, "甲镇", "周明", "甲镇党委书记", "男", "汉族", "", "1978.11", "", "", "", "", "", "", "", "", "", "", "备注"]
    before = counts()
    with pytest.raises(ImportFailed) as info:
        run(user, xlsx([list(ROSTER_HEADERS), row]))
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "姓名")]
    assert "不在您的干部信息修改范围内" in info.value.errors[0].reason
    cadre.refresh_from_db()
    assert cadre.current_post_title == "旧职务" and cadre.note == "" and counts() == before
    # an unchanged row needs only cadre.import
    same = [1, "甲镇", "周明", "旧职务", "", "", "", "1978.11"] + [""] * 11
    assert run(user, xlsx([list(ROSTER_HEADERS), same])).unchanged == 1
    # a new cadre needs cadre.add on the unit
    number = make_id(dt.date(1986, 5, 12), "2")
    with pytest.raises(ImportFailed) as info:
        run(user, xlsx([["单位", "姓名", "出生年月", "公民身份号码"], ["甲镇", "钱晓", "1986.05", number]]))
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "单位")]
    assert "新增干部的权限" in info.value.errors[0].reason and counts() == before
    # with cadre.change the same update goes through
    grant_role(user=user, role_code=role("cc", "cadre.change"), unit=ct.unit_town_a)
    assert run(user, xlsx([list(ROSTER_HEADERS), row])).updated == 1
    cadre.refresh_from_db()
    assert cadre.current_post_title == "甲镇党委书记" and cadre.note == "备注"
