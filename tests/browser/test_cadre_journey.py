"""Issue #12's "Done means", end to end in a browser (Playwright + headless Chromium) over the demo data
(``zugong.demo``, 1:100,000, with its cadre stage): "An organization cadre imports a folder of appointment
forms, reviews and confirms the diffs, fixes a dossier finding, sees the over-quota table and the structure
analysis change accordingly, and prints the appointment form to Word."

As ``ganbu`` (干部工作人员, granted on the county unit only), at 1366×768:

1. 档案专项审核: runs the audit over 青山县 and opens the finding 出生日期与身份证号码不一致 of the demo cadre the
   generator planned it for (``demo.cadres`` ``inconsistencies``): 待认定, the two disagreeing sources shown;
2. 导入干部任免审批表: uploads a ``.zip`` of three forms built from the record (``cadres.lrmx``): that cadre with
   the birth month of the ID number (the earliest archive material) and 健康状况 changed, another cadre with a
   changed 熟悉专业有何专长, and a new cadre; the preview shows each file's diff (原值 → 新值), the
   confirmation imports all three;
3. runs the audit again: the finding is 已更正 (the data were corrected); 认定 another finding (入党时未满18周岁)
   with its deciding document — the 认定记录 shows it;
4. 干部配备一览表: at least one cell is highlighted over quota (the demo staffs some 副科 cells one over);
5. 干部结构分析 as of today: the cadre total counts the new cadre (one more than before the import; a cadre
   without posts counts from the day its record was created);
6. the cadre's profile: 「打印任免审批表（Word）」 downloads a ``.docx``.

URL names relied on: ``cadres:dossier_list``, ``cadres:dossier_run`` (the list's run button),
``cadres:dossier_detail``, ``cadres:dossier_decide``, ``cadres:form_import`` (upload and batch),
``cadres:quota_table``, ``cadres:structure``, ``cadres:cadre_detail``, ``cadres:form_docx``.
Only explicit waits; screenshots go to ``$ZUGONG_SCREENSHOTS`` when set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from zugong.cadres.lrmx.data import Month
from zugong.cadres.lrmx.mapping import form_from_cadre
from zugong.cadres.lrmx.writer import write_lrmx
from zugong.cadres.models import Cadre, DossierFinding
from zugong.core import idnumber
from zugong.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from zugong.demo.generator import demo_root, generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REF = dt.date(2023, 12, 31)
WAIT = 30000  # ms: generous for 2 shared cores, bounded


def _shot(page, name: str) -> None:
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"cadres-{name}.png"), full_page=True)


def _login(page, username: str) -> None:
    base = page.base_url
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/", timeout=WAIT)


def _errors(page, step: str, seen: dict) -> None:
    """File the console errors so far under ``step`` (script errors, CSP refusals …) and clear them."""
    if page.console_errors:
        seen[step] = list(page.console_errors)
        page.console_errors.clear()


def _forms_zip(fixed: Cadre, other: Cadre) -> tuple[bytes, str]:
    """A zip of three appointment forms: ``fixed`` with the ID number's birth month and 健康状况 良好, ``other``
    with another 专长, and a new cadre. Returns (zip bytes, the new cadre's name)."""
    person = fixed.person
    id_birth = idnumber.parse(person.id_number).birth_date
    first = dataclasses.replace(form_from_cadre(fixed, as_of=REF), birth=Month(id_birth.year, id_birth.month),
                                health="良好", id_number=person.id_number)
    second = dataclasses.replace(form_from_cadre(other, as_of=REF), specialty="熟悉乡村振兴和基层治理工作",
                                 id_number=other.person.id_number)
    birth = dt.date(1988, 5, 16)
    new_name = "岳晓棠"
    third = dataclasses.replace(second, name=new_name, sex="女", birth=Month(1988, 5),
                                id_number=idnumber.make("510104", birth, 731, "2"), family=second.family[:3],
                                current_post="青山县财政局综合股股长", party_joined=None, party_joined_text="")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k, form in enumerate((first, second, third), start=1):
            archive.writestr(f"任免审批表/{k:02d}-{form.name}.lrmx", write_lrmx(form))
    return buffer.getvalue(), new_name


def _run_audit(page) -> None:
    page.goto(page.base_url + reverse("cadres:dossier_list"))
    page.locator("button[data-run-unit='QS-U']").click()
    page.wait_for_load_state("networkidle", timeout=WAIT)
    page.goto(page.base_url + reverse("cadres:dossier_list"))
    page.locator("table.dossier-counts").wait_for(timeout=WAIT)


def test_organization_cadre_journey(page, tmp_path):
    summary = generate(scale=100_000, seed=2023, workers=0)
    create_demo_accounts(demo_root())
    planned = summary.cadres["inconsistencies"]
    fixed = Cadre.objects.select_related("person", "unit").get(pk=planned["birth_vs_id"][0])
    other = (Cadre.objects.select_related("person", "unit").filter(person__organization__isnull=False)
             .exclude(pk__in=[pk for pks in planned.values() for pk in pks]).order_by("pk").first())
    archive, new_name = _forms_zip(fixed, other)
    zip_path = tmp_path / "任免审批表.zip"
    zip_path.write_bytes(archive)
    base = page.base_url
    errors: dict[str, list[str]] = {}
    _login(page, "ganbu")

    # 1. the dossier audit finds the planned problem
    _run_audit(page)
    finding = DossierFinding.objects.get(cadre=fixed, check_code="birth_vs_id")
    assert finding.status == "open"
    page.goto(base + reverse("cadres:dossier_detail", args=[finding.pk]))
    page.locator("h1", has_text="出生日期与身份证号码不一致").wait_for(timeout=WAIT)
    page.locator("h1 .tag", has_text="待认定").wait_for(timeout=WAIT)
    assert page.locator("table.dossier-evidence tbody tr").count() >= 2
    _shot(page, "1-finding")
    _errors(page, "1-finding", errors)

    # structure before the import, as of today (a cadre record created today counts from today)
    structure = base + reverse("cadres:structure") + f"?as_of={dt.date.today().isoformat()}"
    page.goto(structure)
    before = int(page.locator("#cadre-total").inner_text(timeout=WAIT).strip())

    # 2. import the zip: preview with the diffs, confirm
    page.goto(base + reverse("cadres:form_import"))
    page.locator("input[name=files]:not([webkitdirectory])").set_input_files(str(zip_path))
    page.locator("button[type=submit]", has_text="上传并预览差异").click()
    page.wait_for_url("**/cadres/form-import/*/", timeout=WAIT)
    page.locator("section.form-file").nth(2).wait_for(timeout=WAIT)
    assert page.locator("section.form-file").count() == 3
    own = page.locator("section.form-file", has_text=fixed.person.name)
    own.locator("table.diff-table td.new", has_text="良好").wait_for(timeout=WAIT)
    page.locator("section.form-file", has_text=other.person.name).locator(
        "td.new", has_text="熟悉乡村振兴和基层治理工作").wait_for(timeout=WAIT)
    page.locator("section.form-file", has_text=new_name).wait_for(timeout=WAIT)
    _shot(page, "2-preview")
    _errors(page, "2-preview", errors)
    page.locator("button[type=submit]", has_text="确认导入所选文件").click()
    page.locator("section.form-file .tag", has_text="已导入").nth(2).wait_for(timeout=WAIT)
    _shot(page, "3-imported")
    _errors(page, "3-imported", errors)
    fixed.refresh_from_db()
    fixed.person.refresh_from_db()
    assert fixed.health == "良好"
    assert Cadre.objects.filter(person__name=new_name).exists()

    # 3. the audit again: the corrected finding is 已更正; 认定 another one with its document
    _run_audit(page)
    page.goto(base + reverse("cadres:dossier_detail", args=[finding.pk]))
    page.locator("h1 .tag", has_text="已更正").wait_for(timeout=WAIT)
    young = DossierFinding.objects.get(cadre_id=planned["admission_before_18"][0], check_code="admission_before_18")
    page.goto(base + reverse("cadres:dossier_detail", args=[young.pk]))
    form = page.locator(f"form[action='{reverse('cadres:dossier_decide', args=[young.pk])}']")
    form.locator("select[name=decision]").select_option("confirmed")
    form.locator("input[name=document]").fill("入党志愿书及支部大会决议（原始材料）")
    form.locator("button[type=submit]").click()
    page.locator("table.dossier-decisions td", has_text="入党志愿书及支部大会决议").wait_for(timeout=WAIT)
    _shot(page, "4-decided")
    _errors(page, "4-decided", errors)

    # 4. the over-quota table
    page.goto(base + reverse("cadres:quota_table"))
    page.locator("table.quota-table").wait_for(timeout=WAIT)
    assert page.locator("table.quota-table tbody td.over").count() >= 1
    _shot(page, "5-quota")
    _errors(page, "5-quota", errors)

    # 5. the structure analysis counts the new cadre
    page.goto(structure)
    after = int(page.locator("#cadre-total").inner_text(timeout=WAIT).strip())
    assert after == before + 1
    _shot(page, "6-structure")
    _errors(page, "6-structure", errors)

    # 6. print the appointment form to Word
    page.goto(base + reverse("cadres:cadre_detail", args=[fixed.pk]))
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("link", name="打印任免审批表（Word）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK" and len(content) > 5000
    _errors(page, "7-word", errors)
    # known: the quota table indents units with an inline style, which the CSP refuses (style-src 'self'):
    # reported to cadres.posts; only that refusal is tolerated there
    if all("inline style" in e for e in errors.get("5-quota", ["-"])):
        errors.pop("5-quota", None)
    assert errors == {}
