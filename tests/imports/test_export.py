"""党员花名册 export (``party.exporters``): layout, masking, as-of semantics, round trip, audit."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from tests.factories import make_user
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.accounts.models import Role
from zugong.accounts.services import grant_role
from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.party.exporters import export_roster
from zugong.party.importers import import_roster

pytestmark = pytest.mark.django_db


def sheet_rows(data: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(data))["党员花名册"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    return ws, rows


def test_masked_export_in_import_layout(tree):
    data = export_roster(user=tree.town_user, organization=tree.town_a, as_of=timezone.localdate())
    ws, rows = sheet_rows(data)
    assert rows[0] == ROSTER_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张伟", "李娜", "王强"}  # 阿依古丽 is in 乙镇
    zhang = by_name["张伟"]
    assert zhang[1:3] == ["男", "汉族"] and "*" in zhang[3] and zhang[3] == tree.member_a1_1.id_number_masked
    assert zhang[4].date() == dt.date(1985, 6, 15) and zhang[8] == "正式党员" and zhang[10] == "C-A-1"
    assert zhang[9] == "企事业单位、社会组织专业技术人员" and zhang[13] == "否"
    li = by_name["李娜"]
    assert li[8] == "预备党员" and li[7] is None
    id_column = [c for c in ws["D"][1:]]
    assert all(c.data_type == "s" for c in id_column)


def test_masked_export_cannot_be_reimported(tree):
    data = export_roster(user=tree.county_user, organization=tree.town_a, as_of=timezone.localdate())
    with pytest.raises(Exception) as exc:
        import_roster(data, user=tree.county_user, filename="masked.xlsx")
    assert all("脱敏" in e.reason for e in exc.value.errors if e.column == "公民身份号码")


def test_unmask_needs_permission(tree):
    with pytest.raises(PermissionDeniedError):  # 党务工作者: no basic.unmask
        export_roster(user=tree.town_user, organization=tree.town_a, as_of=timezone.localdate(), unmask=True)
    data = export_roster(user=tree.county_user, organization=tree.town_a, as_of=timezone.localdate(), unmask=True)
    _, rows = sheet_rows(data)
    assert {r[3] for r in rows[1:]} == {tree.member_a1_1.id_number, tree.member_a1_2.id_number,
                                         tree.member_a2_1.id_number}


def test_out_of_scope_organization_refused(tree):
    with pytest.raises(OutOfScope):
        export_roster(user=tree.town_user, organization=tree.town_b, as_of=timezone.localdate())
    with pytest.raises(PermissionDeniedError):
        export_roster(user=tree.nogrant_user, organization=tree.town_a, as_of=timezone.localdate())


def test_category_and_full_membership_as_of_the_date(tree):
    # 张伟: admitted 2010-07-01, full 2011-07-01
    _, rows = sheet_rows(export_roster(user=tree.county_user, organization=tree.branch_a1, as_of=dt.date(2011, 1, 1)))
    assert [r[0] for r in rows[1:]] == ["张伟"]  # 李娜 was admitted in 2024
    assert rows[1][8] == "预备党员" and rows[1][7] is None
    _, rows = sheet_rows(export_roster(user=tree.county_user, organization=tree.branch_a1, as_of=dt.date(2011, 7, 1)))
    assert rows[1][8] == "正式党员" and rows[1][7].date() == dt.date(2011, 7, 1)
    _, rows = sheet_rows(export_roster(user=tree.county_user, organization=tree.branch_a1, as_of=dt.date(2009, 1, 1)))
    assert rows[1:] == []


def test_unmasked_export_round_trips_through_import(tree):
    import_roster(xlsx([ROSTER_HEADERS, member_row(), member_row("C-A-2", name="郑和", sex="男",
                                                                  birth=dt.date(1971, 7, 11), phone="")]),
                  user=tree.county_user, filename="a.xlsx")
    data = export_roster(user=tree.county_user, organization=tree.county, as_of=timezone.localdate(), unmask=True)
    result = import_roster(data, user=tree.county_user, filename="导出.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    # only the factory's 李娜 (预备党员 since 2024) may be flagged as probationary for over two years
    assert all(w.column == "人员类别" for w in result.warnings)


def test_formula_like_name_exported_as_text(tree):
    name = '=HYPERLINK("http://x","y")'
    import_roster(xlsx([ROSTER_HEADERS, member_row(name=name)]), user=tree.town_user, filename="a.xlsx")
    data = export_roster(user=tree.town_user, organization=tree.branch_a1, as_of=timezone.localdate())
    ws, rows = sheet_rows(data)
    cell = next(c for c in ws["A"] if c.value == name)
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_export_is_audited_without_id_numbers(tree):
    export_roster(user=tree.county_user, organization=tree.town_a, as_of=dt.date(2025, 1, 1), unmask=True,
                  filters={"category": "full"})
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.actor_username == "county" and event.object_id == "C-A"
    assert event.data == {"organization": "C-A", "as_of": "2025-01-01", "rows": 2, "unmask": True,
                          "plaintext_rows": 2, "filters": {"category": "full"}}
    assert tree.member_a1_1.id_number not in str(event.data) + event.summary


def _role(code: str, *permissions: str) -> str:
    Role.objects.create(code=code, name=code, permissions=list(permissions))
    return code


def test_roster_export_uses_the_export_scope(tree):
    """``party.view`` on the whole county, ``party.export`` only on 甲镇东村党支部 (C-A-2): the export of
    the county (or of everything) holds C-A-2's members only; asking for 甲镇 itself is refused."""
    user = make_user("viewer_exporter")
    grant_role(user=user, role_code=_role("county_viewer", "basic.view", "party.view"), organization=tree.county)
    grant_role(user=user, role_code=_role("a2_exporter", "party.export"), organization=tree.branch_a2)
    _, rows = sheet_rows(export_roster(user=user, organization=None, as_of=timezone.localdate()))
    assert [r[0] for r in rows[1:]] == ["王强"]
    _, rows = sheet_rows(export_roster(user=user, organization=tree.branch_a2, as_of=timezone.localdate()))
    assert [r[0] for r in rows[1:]] == ["王强"]
    with pytest.raises(OutOfScope):  # viewing is not exporting
        export_roster(user=user, organization=tree.town_a, as_of=timezone.localdate())
    assert AuditEvent.objects.filter(kind="export").latest("id").data["rows"] == 1


def test_plaintext_only_for_rows_the_user_may_unmask(tree):
    """``party.export`` on 甲镇 (C-A), ``basic.unmask`` only on its branch C-A-1: an export of 甲镇 with
    plaintext asked for has the numbers of C-A-1's members in plaintext and 王强 (C-A-2) masked, and says
    so in the 「说明」 sheet and the audit event."""
    user = make_user("a_exporter_a1_unmasker")
    grant_role(user=user, role_code=_role("town_exporter", "basic.view", "party.view", "party.export"),
               organization=tree.town_a)
    grant_role(user=user, role_code=_role("a1_unmasker", "basic.unmask"), organization=tree.branch_a1)
    data = export_roster(user=user, organization=tree.town_a, as_of=timezone.localdate(), unmask=True)
    _, rows = sheet_rows(data)
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张伟", "李娜", "王强"}
    assert by_name["张伟"][3] == tree.member_a1_1.id_number and by_name["李娜"][3] == tree.member_a1_2.id_number
    wang = tree.member_a2_1
    assert by_name["王强"][3] == wang.id_number_masked == "*" * 17 + wang.id_number[17]
    assert wang.id_number not in str(rows)
    notes = [c.value for r in openpyxl.load_workbook(io.BytesIO(data))["说明"].iter_rows() for c in r]
    assert any("其中 1 人不在您查看敏感信息明文的权限范围内" in str(n) for n in notes)
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert (event.data["rows"], event.data["plaintext_rows"], event.data["unmask"]) == (3, 2, True)
    with pytest.raises(PermissionDeniedError):  # no basic.unmask anywhere: refused, not silently masked
        export_roster(user=tree.town_user, organization=tree.town_a, as_of=timezone.localdate(), unmask=True)
