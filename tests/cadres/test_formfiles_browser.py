"""导入干部任免审批表 in a real browser (issue #12 "Done means"): a 干部工作人员 uploads a folder's worth of forms
(a zip with sub-folders), reviews the diff of a changed cadre and the new ones, unticks one, confirms, and sees
the result. The preview fits a 1366×768 screen (no sideways scrolling of the page). Screenshots go to
``ZUGONG_SHOTS`` when set, else to the test's temporary directory."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from tests import factories
from tests.cadres.test_formfiles import form, lrmx
from tests.factories import PASSWORD
from zugong.cadres.models import Cadre
from zugong.core import idnumber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_review_confirm(page, ct, tmp_path):
    import datetime as dt

    shots = Path(os.environ.get("ZUGONG_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    cadre = factories.make_cadre(ct.unit_town_a, "张三", native_place="湖北孝感", health="良好")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("干部科/张三.lrmx", lrmx(form(id_number=cadre.person.id_number)))
        archive.writestr("干部科/新任/李四.lrmx",
                         lrmx(form("李四", idnumber.make("420102", dt.date(1980, 3, 15), 21, "1"))))
        archive.writestr("干部科/新任/王五.lrmx",
                         lrmx(form("王五", idnumber.make("420102", dt.date(1980, 3, 15), 23, "1"))))
    upload = tmp_path / "任免审批表.zip"
    upload.write_bytes(buffer.getvalue())

    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "cadre_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.btn[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("text=导入干部任免审批表")
    page.set_input_files("input[name=files] >> nth=0", str(upload))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/cadres/form-import/*/")
    main = page.locator("main").inner_text()
    assert "预览" in main and "有变化 1" in main and "新增 2" in main
    changed = page.locator("section.form-file[data-status=changed]")
    assert "湖北孝感" in changed.inner_text() and "湖北武汉" in changed.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(shots / "formfiles-preview.png"), full_page=False)
    # untick 王五, confirm the others
    page.locator("input[name=selected][aria-label$='王五.lrmx']").uncheck()
    page.click("text=确认导入所选文件")
    page.wait_for_load_state()
    assert "导入完成：新增干部 1 名，更新 1 名" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "formfiles-result.png"), full_page=False)
    assert Cadre.objects.get(pk=cadre.pk).native_place == "湖北武汉"
    assert Cadre.objects.filter(person__name="李四").exists() and not Cadre.objects.filter(person__name="王五").exists()
