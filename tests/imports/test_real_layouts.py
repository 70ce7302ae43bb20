"""Files in the real-world layouts of issue #9 go in whole through the CLI (``import_orgs`` /
``import_roster``): every person, organization and recognised column lands in the database; the
issue's bad inputs are refused with a clear Chinese message and nothing is written.

The files come from ``tests/imports/real_layouts.py`` (see its docstring for where the headers come from).
``test_builder_*`` check the builders themselves (each file opens with openpyxl / python-calamine / lxml
and holds the rows expected), independent of the importer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_user
from tests.imports import real_layouts as rl
from zugong.accounts.services import grant_role
from zugong.core import idnumber
from zugong.core.codes import OCCUPATION
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.services import organization_create, organization_set_unit
from zugong.orgs.unit_services import unit_create
from zugong.orgs.validators import check_credit_code
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

# --- fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture
def real(tree):
    """The factory tree plus the organizations the real files name:

    - 康驿镇党委 ``KY`` under 某县委 with 康驿镇第一党支部 ``KY-1``, 第二 ``KY-2``, 机关 ``KY-3``; user
      ``kangyi`` (党务工作者 at KY, and at KY's unit 汶上县康驿镇人民政府 ``U-KY``, a legal entity);
    - the group company root 中国共产党华源能源集团有限公司委员会 ``HY`` with three branches; user
      ``huayuan`` (党务工作者 at HY);
    - the university root 中共北方师范大学委员会 ``BNU`` (its 院系 come from the OWIP sheet); user ``bnu``
      (组织部门管理员 at BNU);
    - two organizations both named 第一党支部: ``C-A-9`` (甲镇) and ``C-B-9`` (乙镇).
    """
    t = tree
    t.ky = organization_create(code="KY", name=rl.KANGYI["KY"][0], org_type="committee", parent=t.county,
                               unit_category="township", founded_date=dt.date(1958, 1, 1))
    for code in ("KY-1", "KY-2", "KY-3"):
        organization_create(code=code, name=rl.KANGYI[code][0], org_type="branch", parent=t.ky,
                            unit_category="village" if code != "KY-3" else "government_organ",
                            founded_date=dt.date(1960, 1, 1))
    t.hy = organization_create(code="HY", name=rl.HUAYUAN["HY"][0], org_type="committee",
                               unit_category="enterprise", founded_date=dt.date(1995, 5, 1))
    for code in ("HY-1", "HY-2", "HY-3"):
        organization_create(code=code, name=rl.HUAYUAN[code][0], org_type="branch", parent=t.hy,
                            unit_category="enterprise", founded_date=dt.date(1996, 1, 1))
    t.bnu = organization_create(code="BNU", name=rl.UNIVERSITY["BNU"][0], org_type="committee",
                                unit_category="public_institution", founded_date=dt.date(1950, 10, 1))
    organization_create(code="C-A-9", name="第一党支部", org_type="branch", parent=t.town_a,
                        unit_category="village", founded_date=dt.date(1970, 1, 1))
    organization_create(code="C-B-9", name="第一党支部", org_type="branch", parent=t.town_b,
                        unit_category="village", founded_date=dt.date(1970, 1, 1))
    t.kangyi = make_user("kangyi", "party_affairs", t.ky)
    t.unit_ky = unit_create(code="U-KY", name="汶上县康驿镇人民政府", unit_category="township", legal_entity=True,
                            credit_code=rl.credit_code("11370830MB1234567"))
    t.ky = organization_set_unit(user=None, organization=t.ky, relation="legal_entity_unit", unit=t.unit_ky,
                                 expected_version=None)
    grant_role(user=t.kangyi, role_code="party_affairs", unit=t.unit_ky)
    t.huayuan = make_user("huayuan", "party_affairs", t.hy)
    t.bnu_user = make_user("bnu", "org_department", t.bnu)
    return t


def _write(tmp_path, built: rl.Built):
    path = tmp_path / built.filename
    path.write_bytes(built.content)
    return path


def run(command: str, built: rl.Built, tmp_path, user: str, *extra: str) -> str:
    """Run ``command`` on ``built`` as ``user``; the CLI's stdout + stderr (fails the test on error)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, str(_write(tmp_path, built)), "--no-progress", *extra, user=user, stdout=out,
                     stderr=err)
    except CommandError as exc:
        pytest.fail(f"{command} {built.filename} refused: {exc}\n{err.getvalue()}\n{out.getvalue()}")
    return out.getvalue() + err.getvalue()


def refused(command: str, built: rl.Built, tmp_path, user: str, *extra: str) -> str:
    """Run ``command`` expecting a refusal; the message plus the printed error table."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(command, str(_write(tmp_path, built)), "--no-progress", *extra, user=user, stdout=out,
                     stderr=err)
    return f"{exc.value}\n{err.getvalue()}\n{out.getvalue()}"


def counts() -> tuple[int, int, int, int]:
    return (Person.objects.count(), PartyMember.objects.count(), Membership.objects.count(),
            PartyOrganization.objects.count())


def person_of(m: rl.Member) -> Person:
    return Person.objects.get(id_number_hash=Person.hash_id_number(m.id_number))


def mentions_row(output: str, row: int) -> bool:
    """True if ``output`` names Excel row ``row`` (「第 8 行」 or a 行/列/说明 table line starting with it)."""
    return bool(re.search(rf"第\s*{row}\s*行", output)) or any(
        line.split() and line.split()[0] == str(row) for line in output.splitlines())


def assert_landed(members: list[rl.Member], *, forms: list[str] | None = None, date_form: str = "iso",
                  ethnicity: bool = True, education: bool = True, occupation: bool = True, phone: bool = True,
                  org_by_name: bool = False) -> None:
    """Every member of ``members`` is in the database with every column the file carried: name, sex,
    birth date (the ID number's), ethnicity, education, dates (month-only forms → the 1st), category,
    organization, 工作岗位 (公报 category and the 年报 row), phone."""
    from zugong.core.codes import occupation_label  # issue #9 part 3, #10

    for i, m in enumerate(members):
        form = forms[i] if forms else date_form
        person = person_of(m)
        assert person.name == m.name
        assert person.sex == m.sex, m.name
        assert person.birth_date == m.birth, m.name
        if ethnicity:
            assert person.ethnicity == m.ethnicity, m.name
        if education:
            assert person.education_level and person.education_level.startswith(m.education_prefix), (
                m.name, m.education_text, person.education_level)
        if phone and m.phone:
            assert person.phone == m.phone, m.name
        party = PartyMember.objects.get(person=person)
        assert party.admission_date == rl.stored_date(m.admission, form), m.name
        assert party.full_membership_date == rl.stored_date(m.full, form), m.name
        membership = Membership.objects.get(person=person, end_date__isnull=True)
        if org_by_name:
            assert membership.organization.name == m.org_text, m.name
        else:
            assert membership.organization.code == m.org_code, m.name
        assert person.organization_id == membership.organization_id
        if occupation:
            expected = rl.ANNUAL_OCCUPATIONS[m.occupation_text]
            assert membership.occupation in OCCUPATION.entries, m.name
            if expected:
                assert membership.occupation == expected, (m.name, m.occupation_text, membership.occupation)
            # the 年报 row is kept (shown as such; a row that is its 公报 category is implied by it); 农民工 and
            # 外出务工经商人员 are the 其中 flags of their rows (issue #10)
            shown = ("农民工" if membership.migrant_worker else "外出务工经商人员" if membership.migrant_business
                     else occupation_label(membership.occupation, membership.occupation_detail))
            assert shown == m.occupation_text, m.name
            assert membership.occupation_detail or OCCUPATION.label(membership.occupation) == shown.replace(
                "外出务工经商人员", "农牧渔民")
            if m.occupation_text == "农民工":
                assert (membership.occupation_detail, membership.migrant_worker) == ("skilled_worker", True)


# --- builders (pass before the engine exists) --------------------------------------------------------


def _xlsx_rows(built: rl.Built, sheet: str | None = None) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(built.content))
    ws = wb[sheet or built.sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _id_rows(rows: list[list[object]]) -> list[list[object]]:
    return [r for r in rows if any(isinstance(v, str) and idnumber.is_valid(v) for v in r)]


XLSX_BUILDERS = [rl.national_member_sheet, rl.group_platform_export, rl.instruction_sheet_first, rl.occupation_roster,
                 rl.minimal_roster, rl.owip_member_export, rl.owip_import_template, rl.group_dangling_group_cell]


@pytest.mark.parametrize("builder", XLSX_BUILDERS, ids=lambda b: b.__name__)
def test_builder_xlsx_rosters_hold_their_members(builder):
    built = builder()
    rows = _xlsx_rows(built)
    header_cells = {str(v) for r in rows[:5] for v in r if v}
    assert set(filter(None, built.header)) <= header_cells
    data = _id_rows(rows)
    assert len(data) == built.rows == len(built.members)
    assert [m.name for m in built.members] == [next(v for v in r if v in {m.name for m in built.members})
                                               for r in data]
    for m in built.members:
        assert idnumber.is_valid(m.id_number) and idnumber.parse(m.id_number).birth_date == m.birth
        assert m.admission >= m.birth.replace(year=m.birth.year + 18), m.name  # 党章: 年满十八岁
        if m.full:
            assert m.full >= m.admission.replace(year=m.admission.year + 1), m.name


def test_builder_handkept_has_hint_row_and_instruction_block():
    built, forms = rl.handkept_roster()
    wb = openpyxl.load_workbook(io.BytesIO(built.content))
    ws = wb["花名册"]
    assert ws["A1"].value == "康驿镇党委党员花名册" and ws["A2"].value.startswith("填报单位")
    assert [c.value for c in ws[3]] == rl.HANDKEPT_HEADER
    assert ws["B4"].value == "必填" and ws["K4"].value == "预备党员或正式党员"
    assert "A8:N10" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A8"].value.startswith("说明")
    assert [ws.cell(row=r, column=2).value for r in (5, 6, 7, 11, 12, 13)] == [m.name for m in built.members]
    assert ws["I5"].value == f"{built.members[0].admission:%Y.%m}" and ws["I6"].value.endswith("月")
    assert ws["I7"].value == f"{built.members[2].admission:%Y%m}" and forms[:3] == list(rl.MONTH_FORMS)


def test_builder_two_row_headers_are_merged_cells():
    ws = openpyxl.load_workbook(io.BytesIO(rl.group_platform_export().content))["党员名册"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B2:F2", "I2:J2", "K2:K3", "A1:M1"} <= merged
    assert ws["B2"].value == "基本信息" and ws["I2"].value == "入党情况"
    assert [ws["I3"].value, ws["J3"].value] == ["入党时间", "转正时间"]
    bad = openpyxl.load_workbook(io.BytesIO(rl.group_dangling_group_cell().content)).active
    assert "E1:F1" in {str(r) for r in bad.merged_cells.ranges} and bad["E2"].value is None


def test_builder_instruction_sheet_comes_first():
    wb = openpyxl.load_workbook(io.BytesIO(rl.instruction_sheet_first().content))
    assert wb.sheetnames == ["填表说明", "党员信息"]
    only = openpyxl.load_workbook(io.BytesIO(rl.instruction_sheet_only().content))
    assert only.sheetnames == ["填表说明"] and _id_rows([list(r) for r in only.active.iter_rows(values_only=True)]) == []
    empty = _xlsx_rows(rl.header_without_rows())
    assert empty[1] == rl.SIMPLE_HEADER and len(empty) == 3


def test_builder_legacy_xls_is_biff_and_readable_by_calamine():
    from python_calamine import CalamineWorkbook

    built = rl.legacy_xls()
    assert built.content[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file
    wb = CalamineWorkbook.from_filelike(io.BytesIO(built.content))
    assert wb.sheet_names == ["Sheet1"]
    rows = wb.get_sheet_by_name("Sheet1").to_python()
    assert rows[0][0] == "康驿镇党员花名册" and rows[1] == rl.SIMPLE_HEADER
    assert [r[0] for r in rows[2:]] == [m.name for m in built.members]
    assert [r[3] for r in rows[2:]] == [m.id_number for m in built.members]  # text, not 3.7e17
    assert isinstance(rows[2][7], dt.date) and rows[2][7] == built.members[0].admission


def test_builder_html_xls_is_a_plain_table():
    import lxml.html

    built = rl.html_xls()
    assert built.filename.endswith(".xls") and built.content.lstrip().startswith(b"<html")
    doc = lxml.html.fromstring(built.content)
    trs = doc.xpath("//table/tr")
    assert len(trs) == 3 + built.rows
    assert [th.text for th in trs[1].xpath("th")][-1] == "入党情况" and trs[1].xpath("th")[-1].get("colspan") == "2"
    assert [td.text for td in trs[3].xpath("td")][3] == built.members[0].id_number
    assert not lxml.html.fromstring(rl.html_xls_not_a_table().content).xpath("//table")


def test_builder_gbk_csv():
    built = rl.gbk_csv()
    with pytest.raises(UnicodeDecodeError):
        built.content.decode("utf-8")
    lines = built.content.decode("gbk").split("\r\n")
    assert lines[0].split(",") == rl.GBK_HEADER and len([line for line in lines if line]) == 1 + built.rows
    assert rl.KANGYI_FULL["KY-1"] in lines[1]


def test_builder_org_sheets():
    national = rl.national_org_sheet()
    rows = _xlsx_rows(national)
    assert rows[0] == rl.NATIONAL_ORG_HEADER and rows[0].count("成立日期") == 2
    assert len(rows) == 1 + len(national.orgs)
    for o in national.orgs:
        assert check_credit_code(o.credit_code) == []
    assert {o.external_id for o in national.orgs} == {r[3] for r in rows[1:]}
    dup = _xlsx_rows(rl.national_org_sheet_duplicate_id(), "Sheet")
    assert dup[2][3] == dup[3][3]
    group = _xlsx_rows(rl.group_org_sheet_no_parent())
    assert group[0] == rl.GROUP_ORG_HEADER and 30104 in [r[2] for r in group[1:]]
    owip = _xlsx_rows(rl.owip_org_sheet())
    assert owip[0] == rl.OWIP_ORGS_HEADER and all(isinstance(r[1], str) for r in owip[1:])
    template = _xlsx_rows(rl.owip_import_template())
    assert 10202 in [r[5] for r in template[1:]]  # a branch code typed as a number
    assert "学历" not in template[0] and "工作岗位" not in template[0]


_STANDARD_EDUCATION = {"14": "硕士研究生", "1": "研究生", "2": "大学本科", "3": "大学专科", "4": "中专", "6": "高中",
                       "7": "初中"}


def _standard_row(m: rl.Member) -> list[object]:
    """``m`` as a row of today's own template (codes, standard names): no layout feature involved."""
    code = rl.ANNUAL_OCCUPATIONS[m.occupation_text] or "other"
    education = _STANDARD_EDUCATION.get(m.education_prefix[:2]) or _STANDARD_EDUCATION[m.education_prefix[:1]]
    return [m.name, m.sex_text, m.ethnicity_text, m.id_number, m.birth.isoformat(), education, m.admission.isoformat(),
            m.full.isoformat() if m.full else "", m.category_text, OCCUPATION.label(code), m.org_code, "", m.phone, "否"]


@pytest.mark.parametrize(("members", "user"), [
    (lambda: rl.kangyi_members(), "kangyi"),
    (lambda: rl.huayuan_members(), "huayuan"),
    (lambda: rl.owip_members(), "bnu"),
    (lambda: rl.occupation_roster().members, "kangyi"),
], ids=["kangyi", "huayuan", "owip", "annual-rows"])
def test_builder_members_are_valid_data_for_todays_importer(real, tmp_path, members, user):
    """The builders' people are valid (ID numbers, ages, dates, organizations in the user's scope): written in
    today's own template they import, so a failure of a real layout is about the layout, not the data."""
    from tests.imports.helpers import ROSTER_HEADERS, xlsx

    bnu = real.bnu
    for code, name, parent in (("0102", "中共北方师范大学化学学院委员会", None), ("0103", "中共北方师范大学物理学院委员会", None),
                               ("010201", "化学学院教工第一党支部", "0102"), ("010202", "化学学院本科生第一党支部", "0102"),
                               ("010301", "物理学院教工党支部", "0103")):
        parent_org = PartyOrganization.objects.get(code=parent) if parent else bnu
        organization_create(code=code, name=name, org_type="branch" if parent else "committee", parent=parent_org,
                            unit_category="public_institution", founded_date=dt.date(1998, 9, 1))
    people = members()
    built = rl.Built(xlsx([ROSTER_HEADERS, *[_standard_row(m) for m in people]]), "standard.xlsx")
    out = run("import_roster", built, tmp_path, user)
    assert f"新增 {len(people)}" in out
    for m in people:
        membership = Membership.objects.get(person=person_of(m), end_date__isnull=True)
        assert membership.organization.code == m.org_code


# --- roster layouts through the CLI ------------------------------------------------------------------


def test_national_member_sheet_imports_whole(real, tmp_path):
    built = rl.national_member_sheet()
    before = counts()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 6" in out
    assert counts()[:3] == (before[0] + 6, before[1] + 6, before[2] + 6)
    assert_landed(built.members, forms=["cell" if i % 2 == 0 else "dots" for i in range(6)])
    # full official names (中共汶上县…支部委员会) matched the short stored names: accepted with a warning
    assert "中共汶上县康驿镇第一支部委员会" in out and "康驿镇第一党支部" in out
    for header in rl.NATIONAL_IGNORED:  # unused columns are listed, never silently dropped
        assert header in out


def test_national_member_sheet_incomplete_counts_are_reported(real, tmp_path):
    built = rl.national_member_sheet(rl.kangyi_members()[:3])
    from zugong.party.importers import import_roster

    path = _write(tmp_path, built)
    result = import_roster(path, user=real.kangyi)
    assert result.created == 3
    assert all(result.details["incomplete"].get(name, 0) == 0 for name in ("学历", "民族", "工作岗位"))
    assert result.layout.sheet_name == "党员信息" and result.layout.header_rows == (3,)
    assert {c.header for c in result.layout.ignored} >= set(rl.NATIONAL_IGNORED)


def test_group_platform_two_row_header(real, tmp_path):
    built = rl.group_platform_export()
    out = run("import_roster", built, tmp_path, "huayuan")
    assert "新增 5" in out
    assert_landed(built.members, date_form="slash")
    assert "入党情况 / 入党时间" in out or "入党情况/入党时间" in out


def test_handkept_roster_hint_row_instruction_block_date_forms(real, tmp_path):
    built, forms = rl.handkept_roster()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 6" in out
    assert_landed(built.members, forms=forms)
    assert mentions_row(out, 8)  # the merged 说明 block inside the data area: skipped with a warning
    assert "备注" in out and "序号" in out  # ignored columns are listed


def test_instruction_sheet_first(real, tmp_path):
    built = rl.instruction_sheet_first()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 6" in out
    assert_landed(built.members, date_form="cell")
    assert "党员信息" in out and "填表说明" in out  # which sheet was read, which skipped


def test_legacy_xls(real, tmp_path):
    built = rl.legacy_xls()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 6" in out
    assert_landed(built.members, date_form="cell")


def test_html_table_saved_as_xls(real, tmp_path):
    built = rl.html_xls()
    out = run("import_roster", built, tmp_path, "huayuan")
    assert "新增 5" in out
    assert_landed(built.members, date_form="iso", phone=False)


def test_gbk_csv(real, tmp_path):
    built = rl.gbk_csv()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 6" in out
    assert_landed(built.members, date_form="slash")
    assert "文化程度" in out  # the unknown column is listed as ignored


def test_annual_report_occupation_rows(real, tmp_path):
    built = rl.occupation_roster()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert f"新增 {len(built.members)}" in out
    assert_landed(built.members, date_form="iso")
    assert {m.occupation_text for m in built.members} == set(rl.ANNUAL_OCCUPATIONS)


def test_minimal_roster_birth_and_sex_from_id_and_incomplete_counts(real, tmp_path):
    built = rl.minimal_roster()
    out = run("import_roster", built, tmp_path, "kangyi")
    assert "新增 4" in out
    assert_landed(built.members, date_form="dots", ethnicity=False, education=False, occupation=False, phone=False)
    for m in built.members:
        person = person_of(m)
        assert person.ethnicity == "" and person.education_level == ""
        assert Membership.objects.get(person=person).occupation == ""
    # one summary line per missing recommended field, with the number of records
    for field_name in ("学历", "民族", "工作岗位"):
        assert re.search(rf"{field_name}[^\n\d]*4", out), field_name


def test_owip_org_sheet_then_export_and_template(real, tmp_path):
    orgs = rl.owip_org_sheet()
    out = run("import_orgs", orgs, tmp_path, "bnu")
    assert f"新增 {len(orgs.orgs)}" in out
    by_code = {o.code: PartyOrganization.objects.get(code=o.code) for o in orgs.orgs}
    for o in orgs.orgs:
        org = by_code[o.code]
        assert org.name == o.name and org.short_name == o.short_name and org.founded_date == o.founded
        parent = org.get_parent()
        assert parent.code == (o.parent_code or next(p.code for p in orgs.orgs if p.name == o.parent_name))
        if o.org_type:
            assert org.org_type == o.org_type
        else:  # 院系党组织: a committee or a general branch, never a branch
            assert org.org_type in ("committee", "general_branch")
    assert "联系电话" in out  # ignored column listed

    export = rl.owip_member_export()
    out = run("import_roster", export, tmp_path, "bnu")
    assert "新增 5" in out
    assert_landed(export.members, forms=["dots" if i % 2 == 0 else "cell" for i in range(5)], occupation=False)
    assert "人员类别" in out and "教职工" in out  # OWIP's 人员类别 is not 正式/预备: ignored with a note
    assert "学工号" in out

    # the import template of the same members, after the export: nothing changes, no 学历/工作岗位 columns
    template = rl.owip_import_template()
    again = run("import_roster", template, tmp_path, "bnu")
    assert "新增 0，更新 0，未变 5" in again
    # the branch is found by 党支部名称; its 所在党支部编码 (typed as 10202, leading 0 lost) is not needed then
    assert "F 列「所在党支部编码」→ 党组织唯一标识" in again


def test_owip_template_first_import_is_incomplete_not_invalid(real, tmp_path):
    run("import_orgs", rl.owip_org_sheet(), tmp_path, "bnu")
    template = rl.owip_import_template()
    out = run("import_roster", template, tmp_path, "bnu")
    assert "新增 5" in out
    assert_landed(template.members, date_form="dots", education=False, occupation=False, phone=False)
    assert re.search(r"学历[^\n\d]*5", out) and re.search(r"工作岗位[^\n\d]*5", out)


# --- organization sheets through the CLI -------------------------------------------------------------


def test_national_org_sheet_units_and_external_ids_then_member_export(real, tmp_path):
    built = rl.national_org_sheet()
    out = run("import_orgs", built, tmp_path, "kangyi")
    assert f"新增 {len(built.orgs)}" in out
    external = apps.get_model("orgs", "OrganizationExternalId")
    for o in built.orgs:
        org = PartyOrganization.objects.get(name=o.name)
        assert org.short_name == o.short_name and org.org_type == o.org_type
        assert org.founded_date == o.founded  # the FIRST 成立日期 (the organization's)
        assert org.unit_relation == o.relation
        expected_parent = o.parent_code or PartyOrganization.objects.get(name=o.parent_name).code
        assert org.get_parent().code == expected_parent
        assert external.objects.filter(organization=org, value=o.external_id).exists()
        if o.unit_name:
            unit = org.unit
            assert unit is not None and unit.name == o.unit_name and unit.credit_code == o.credit_code
            assert unit.unit_category == o.unit_category and unit.legal_entity
            assert unit.founded_date == o.unit_founded  # the SECOND 成立日期 (the unit's)
            assert unit.economic_control == o.economic_control and unit.enterprise_size == o.enterprise_size
    assert Unit.objects.filter(name__in=[o.unit_name for o in built.orgs if o.unit_name]).count() == 2
    assert "党组织书记" in out  # ignored column listed

    # the national member export names its organizations by 党组织唯一标识: they resolve next time
    members = rl.national_org_members(built.orgs)
    export = rl.national_member_export(members)
    out = run("import_roster", export, tmp_path, "kangyi")
    assert "新增 3" in out
    assert_landed(members, forms=["yyyymmdd", "dots", "yyyymmdd"], org_by_name=True)


def test_group_org_sheet_without_parent_goes_under_the_users_root(real, tmp_path):
    built = rl.group_org_sheet_no_parent()
    roots_before = PartyOrganization.get_root_nodes().count()
    out = run("import_orgs", built, tmp_path, "huayuan")
    assert f"新增 {len(built.orgs)}" in out
    assert PartyOrganization.get_root_nodes().count() == roots_before  # never new roots
    for o in built.orgs:
        org = PartyOrganization.objects.get(name=o.name)
        assert org.get_parent().code == "HY" and org.org_type == o.org_type and org.short_name == o.short_name
        assert org.founded_date == o.founded
    assert "前导" in out and "30104" in out  # the code typed as a number is flagged
    assert "党员人数" in out


# --- names instead of codes: scope ------------------------------------------------------------------


def _first_branch_members() -> list[rl.Member]:
    return [rl.member("侯德胜", "1", dt.date(1970, 2, 2), dt.date(1995, 7, 1), dt.date(1996, 7, 1),
                      org_text="第一党支部", org_code="C-A-9", education_text="高中及以下",
                      occupation_text="农牧渔民")]


def test_a_name_unique_within_the_scope_resolves(real, tmp_path):
    members = _first_branch_members()
    out = run("import_roster", rl.ambiguous_names(members), tmp_path, "town_a")
    assert "新增 1" in out
    assert_landed(members)
    assert "C-B-9" not in out and "乙镇" not in out  # nothing outside the scope is named


# --- bad input: clear Chinese message, nothing written -----------------------------------------------


def test_bad_name_matching_two_organizations(real, tmp_path):
    before = counts()
    message = refused("import_roster", rl.ambiguous_names(_first_branch_members()), tmp_path, "county")
    assert "第一党支部" in message and "C-A-9" in message and "C-B-9" in message
    assert counts() == before


def test_bad_foreign_identifier_on_two_organizations(real, tmp_path):
    built = rl.national_org_sheet_duplicate_id()
    before = counts()
    message = refused("import_orgs", built, tmp_path, "kangyi")
    assert built.orgs[1].external_id in message and "党组织唯一标识" in message
    assert counts() == before and not Unit.objects.filter(name=built.orgs[0].unit_name).exists()


def test_bad_instruction_sheet_only(real, tmp_path):
    before = counts()
    message = refused("import_roster", rl.instruction_sheet_only(), tmp_path, "kangyi")
    assert "表头" in message and "填表说明" in message
    assert counts() == before


def test_bad_header_without_data_rows(real, tmp_path):
    before = counts()
    message = refused("import_roster", rl.header_without_rows(), tmp_path, "kangyi")
    assert "没有数据行" in message
    assert counts() == before


def test_bad_group_cell_over_no_sub_header(real, tmp_path):
    before = counts()
    message = refused("import_roster", rl.group_dangling_group_cell(), tmp_path, "huayuan")
    assert "入党情况" in message
    assert counts() == before


def test_bad_layout_saved_by_another_scope(real, tmp_path):
    layout_model = apps.get_model("core", "ImportLayout")
    layout_model.objects.create(name="华源平台导出", kind="roster", mapping={"所属党支部": "organization"},
                                organization=real.hy, created_by=real.huayuan)
    before = counts()
    message = refused("import_roster", rl.national_member_sheet(), tmp_path, "kangyi", "--layout", "华源平台导出")
    assert "华源平台导出" in message
    assert counts() == before


def test_bad_html_xls_without_a_table(real, tmp_path):
    before = counts()
    message = refused("import_roster", rl.html_xls_not_a_table(), tmp_path, "kangyi")
    assert "HTML" in message.upper() or "网页" in message
    assert counts() == before


def test_bad_mapping_two_columns_to_one_field(real, tmp_path):
    built = rl.two_columns_one_field(rl.kangyi_members(names="short")[:2])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"曾用名": "name"}, ensure_ascii=False), encoding="utf-8")
    before = counts()
    message = refused("import_roster", built, tmp_path, "kangyi", "--mapping", str(mapping))
    assert "都对应字段" in message and "曾用名" in message and "姓名" in message
    assert counts() == before


def test_mapping_file_ignores_a_column(real, tmp_path):
    built = rl.gbk_csv(rl.kangyi_members(names="long")[:3])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"工作岗位": ""}, ensure_ascii=False), encoding="utf-8")
    out = run("import_roster", built, tmp_path, "kangyi", "--mapping", str(mapping))
    assert "新增 3" in out
    assert_landed(built.members, date_form="slash", occupation=False)
    assert all(Membership.objects.get(person=person_of(m)).occupation == "" for m in built.members)


# --- the same files through the browser's path: upload → mapping as detected → import -------------------

def _handkept():
    return rl.handkept_roster()[0]


WEB_FAMILIES = [(rl.national_member_sheet, "kangyi"), (rl.group_platform_export, "huayuan"), (_handkept, "kangyi"),
                (rl.instruction_sheet_first, "kangyi"), (rl.legacy_xls, "kangyi"), (rl.html_xls, "huayuan"),
                (rl.gbk_csv, "kangyi"), (rl.occupation_roster, "kangyi"), (rl.minimal_roster, "kangyi")]


@pytest.mark.parametrize(("builder", "username"), WEB_FAMILIES, ids=lambda v: getattr(v, "__name__", v))
def test_each_family_imports_whole_through_the_web_pages(real, client, settings, tmp_path, builder, username):
    """Upload page → 确认列映射 (confirmed as detected, nothing changed by hand) → job: every member of the
    file is created in the organization the file names, as through the CLI."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.imports.helpers import upload_and_confirm
    from zugong.core.models import ImportJob

    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    built = builder()
    client.force_login(getattr(real, username))
    before = counts()
    response = upload_and_confirm(client, reverse("party:import_roster"),
                                  {"file": SimpleUploadedFile(built.filename, built.content)})
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    assert job.status == "succeeded", (job.message, job.errors[:3])
    assert job.created_count == len(built.members) and counts()[0] == before[0] + len(built.members)
    for m in built.members:
        membership = Membership.objects.get(person__name=m.name, end_date__isnull=True)
        assert membership.organization.code == m.org_code, m.name
