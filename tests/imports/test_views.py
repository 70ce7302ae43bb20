"""Import and export pages: permissions, upload limit, job page with progress/result, error report
download, export download (ZUGONG_IMPORT_SYNC=True in test settings: jobs run inline)."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_id
from tests.imports.helpers import (
    ORG_HEADERS,
    ROSTER_HEADERS,
    member_row,
    upload_and_confirm,
    xlsx,
)
from zugong.accounts.services import REAUTH_SESSION_KEY
from zugong.audit.models import AuditEvent
from zugong.core.models import ImportJob
from zugong.orgs.models import PartyOrganization
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

ROSTER_URL = "party:import_roster"
ORGS_URL = "orgs:import"


@pytest.fixture(autouse=True)
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def upload(client, rows, *, url=ROSTER_URL, name="花名册.xlsx", headers=ROSTER_HEADERS, **data):
    """Upload ``rows`` and confirm the column mapping as detected (the import runs)."""
    payload = xlsx([headers, *rows])
    return upload_and_confirm(client, reverse(url), {"file": SimpleUploadedFile(name, payload), **data})


@pytest.mark.parametrize("url", [ROSTER_URL, ORGS_URL])
def test_import_pages_need_login_and_import_permission(client, tree, url):
    response = client.get(reverse(url))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    for user in (tree.nogrant_user, tree.branch_user):  # 支部书记 has no import permission
        client.force_login(user)
        assert client.get(reverse(url)).status_code == 403
        assert upload(client, [member_row()], url=url).status_code == 403
    assert not ImportJob.objects.exists() and Person.objects.count() == 4
    client.force_login(tree.town_user)
    page = client.get(reverse(url)).content.decode()
    assert 'enctype="multipart/form-data"' in page and "imports.js" in page
    assert ("accept_bad_checksum" in page) == (url == ROSTER_URL)


def test_successful_upload_shows_counts_and_link(client, tree, private_tmp):
    client.force_login(tree.town_user)
    response = upload(client, [member_row(), member_row("C-A-2", name="钱多多", sex="男", birth=dt.date(1979, 1, 1))])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("party:import_roster_job", args=[job.pk])
    assert job.status == "succeeded" and (job.created_count, job.updated_count) == (2, 0)
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 2，更新 0，未变 0" in page and reverse("party:member_list") in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert Person.objects.filter(name="钱多多").exists()
    assert list(private_tmp.iterdir()) == []  # the uploaded copy is gone


def test_rejected_upload_shows_error_table_and_annotated_file(client, tree, private_tmp):
    client.force_login(tree.town_user)
    bad = member_row(name="吴用")
    bad[3] = 1.10105199001011e17
    response = upload(client, [member_row(), bad, member_row("C-B-1", name="外人")])
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error_count == 2
    assert Person.objects.count() == 4 and not AuditEvent.objects.filter(kind="import").exists()
    page = client.get(response["Location"]).content.decode()
    assert "<th class=\"num\">行</th><th>列</th><th>原因</th>" in page
    assert "公民身份号码" in page and "所在党组织「C-B-1」不存在或不在您的管理范围内" in page
    errors_url = reverse("party:import_roster_job_errors", args=[job.pk])
    assert errors_url in page
    download = client.get(errors_url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(download.content)).active
    header = [c.value for c in ws[1]]
    assert header[-1] == "错误说明"
    assert ws.cell(row=2, column=len(header)).value in (None, "")
    assert "数字格式的单元格" in ws.cell(row=3, column=len(header)).value
    assert "管理范围" in ws.cell(row=4, column=len(header)).value
    assert job.error_report_encrypted.startswith("v1:")  # stored encrypted
    assert list(private_tmp.iterdir()) == []


def test_bad_checksum_checkbox(client, tree):
    client.force_login(tree.town_user)
    number = make_id(dt.date(1992, 4, 5), "2")
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    upload(client, [member_row(id_number=bad)])
    assert ImportJob.objects.get().status == "failed"
    upload(client, [member_row(id_number=bad)], accept_bad_checksum="1")
    job = ImportJob.objects.latest("id")
    assert job.status == "succeeded" and job.warning_count == 1
    assert "校验码错误" in client.get(reverse("party:import_roster_job", args=[job.pk])).content.decode()


def test_orgs_upload_with_cycle_is_rejected(client, tree):
    client.force_login(tree.county_user)
    response = upload(client, [["C-A", "甲镇党委", "C-A-1", "党委", "", ""]], url=ORGS_URL, headers=ORG_HEADERS)
    page = client.get(response["Location"]).content.decode()
    assert "循环" in page and ImportJob.objects.get().status == "failed"
    assert PartyOrganization.objects.get(code="C-A").depth == 2


def test_orgs_upload_success(client, tree):
    client.force_login(tree.town_user)
    upload(client, [["C-A-3", "西村党支部", "C-A", "党支部", "行政村", ""]], url=ORGS_URL, headers=ORG_HEADERS)
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.created_count == 1
    assert reverse("orgs:tree") in client.get(reverse("orgs:import_job", args=[job.pk])).content.decode()


def test_script_upload_gets_json(client, tree):
    client.force_login(tree.town_user)
    response = client.post(reverse(ROSTER_URL), {"file": SimpleUploadedFile("a.xlsx", xlsx([ROSTER_HEADERS, member_row()]))},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    job = ImportJob.objects.get()
    assert response.json() == {"redirect": reverse("party:import_roster_job_mapping", args=[job.pk])}
    assert job.status == "mapping" and Person.objects.count() == 4
    response = client.post(reverse(ROSTER_URL), {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 400 and "请选择要导入的文件" in response.json()["errors"][0]


def test_upload_size_limit(client, tree, settings):
    settings.ZUGONG_MAX_UPLOAD_BYTES = 2000
    client.force_login(tree.town_user)
    rows = [member_row(name=f"党员{i}") for i in range(40)]
    response = upload(client, rows)
    assert response.status_code == 400 and "文件超过大小上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_jobs_are_private_to_their_owner(client, tree):
    client.force_login(tree.town_user)
    upload(client, [member_row()])
    job = ImportJob.objects.get()
    client.force_login(tree.county_user)
    for name in ("party:import_roster_job", "party:import_roster_job_status", "party:import_roster_job_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(reverse("orgs:import_job", args=[job.pk])).status_code == 404  # another kind
    client.force_login(tree.town_user)
    assert client.get(reverse("party:import_roster_job", args=[job.pk])).status_code == 200


def test_running_job_is_polled_with_a_progress_element(client, tree):
    from zugong.core.import_jobs import LockedUpload

    job = ImportJob.objects.create(user=tree.town_user, kind="roster", filename="a.xlsx", status="running",
                                   phase="校验", progress=42)
    upload = LockedUpload(".xlsx")  # a live job holds its upload locked
    upload.attach_to_job(job.pk)
    client.force_login(tree.town_user)
    try:
        fragment = client.get(reverse("party:import_roster_job_status", args=[job.pk])).content.decode()
    finally:
        upload.discard()
    assert 'hx-trigger="every 1s"' in fragment and '<progress class="import-progress" max="100" value="42">' in fragment
    assert reverse("party:import_roster_job_status", args=[job.pk]) in fragment
    assert "style=" not in fragment


def test_template_download(client, tree):
    client.force_login(tree.town_user)
    response = client.get(reverse("party:import_roster_template"))
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["党员花名册"]
    assert [c.value for c in ws[1]] == ROSTER_HEADERS
    response = client.get(reverse("orgs:import_template"))
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).active[1]] == [*ORG_HEADERS, "所在单位代码", "换届日期",
                                                                                           "本届任期开始", "届满日期"]


# --- export -----------------------------------------------------------------------------------------

def reauthenticated(client, user):
    client.force_login(user)
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time())
    session.save()


def test_export_needs_recent_reauth_and_permission(client, tree):
    url = reverse("party:export_roster") + "?org=C-A&as_of=2025-01-01"
    client.force_login(tree.town_user)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:reauth") in response["Location"]
    reauthenticated(client, tree.nogrant_user)
    assert client.get(url).status_code == 403


def test_export_download(client, tree):
    reauthenticated(client, tree.town_user)
    response = client.get(reverse("party:export_roster") + "?org=C-A&as_of=2025-01-01")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["党员花名册"]
    assert [c.value for c in ws[1]] == ROSTER_HEADERS
    assert sorted(r[0].value for r in ws.iter_rows(min_row=2)) == ["张伟", "李娜", "王强"]
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.data["rows"] == 3 and event.data["as_of"] == "2025-01-01" and event.data["unmask"] is False


def test_export_out_of_scope_org_is_404_and_unmask_needs_permission(client, tree):
    reauthenticated(client, tree.town_user)
    assert client.get(reverse("party:export_roster") + "?org=C-B").status_code == 404
    assert client.get(reverse("party:export_roster") + "?org=C-A&unmask=1").status_code == 403
    reauthenticated(client, tree.county_user)
    response = client.get(reverse("party:export_roster") + "?org=C-B&unmask=1")
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["党员花名册"]
    assert ws["D2"].value == tree.member_b1_1.id_number


def test_export_bad_date_is_a_clear_error(client, tree):
    reauthenticated(client, tree.town_user)
    response = client.get(reverse("party:export_roster") + "?org=C-A&as_of=2023-02-30")
    assert response.status_code == 400 and "截至日期" in response.content.decode()


def test_export_options_page(client, tree):
    client.force_login(tree.county_user)
    page = client.get(reverse("party:export_roster_form")).content.decode()
    assert 'name="unmask"' in page
    client.force_login(tree.town_user)
    assert 'name="unmask"' not in client.get(reverse("party:export_roster_form")).content.decode()
    client.force_login(tree.nogrant_user)
    assert client.get(reverse("party:export_roster_form")).status_code == 403


@pytest.mark.parametrize(("name", "content", "message"), [
    ("花名册.xlsx", "姓名,性别\n张三,男\n".encode(), "不是有效的 Excel"),
    ("花名册.xlsx", b"", "文件为空"),
    ("花名册.xlsx", xlsx([ROSTER_HEADERS]), "文件中没有数据行"),
    ("花名册.xlsx", xlsx([[h for h in ROSTER_HEADERS if h != "入党日期*"], member_row()[:6] + member_row()[7:]]),
     "缺少必填列「入党日期」"),
    ("花名册.xlsm", xlsx([ROSTER_HEADERS, member_row()]), "宏"),
])
def test_file_level_rejections_on_the_page(client, tree, name, content, message):
    client.force_login(tree.town_user)
    response = client.post(reverse(ROSTER_URL), {"file": SimpleUploadedFile(name, content)})
    job = ImportJob.objects.get()
    # the mapping page already says why the file cannot be read; confirming records the failure on the job
    assert job.status == "mapping" and message in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {"action": "confirm"})
    job.refresh_from_db()
    assert job.status == "failed" and Person.objects.count() == 4 and not job.upload_encrypted
    assert message in client.get(response["Location"]).content.decode()


def test_export_download_answers_the_page_token_with_a_cookie(client, tree):
    """The page's "generating…" indicator (data-download, app.js) ends when the file arrives: the
    response sets zugong_dl to the page's token; malformed tokens are ignored."""
    from zugong.core.downloads import DOWNLOAD_COOKIE

    reauthenticated(client, tree.county_user)
    url = reverse("party:export_roster") + "?org=C-A&as_of=2025-01-01"
    response = client.get(url + "&dl=a1b2c3d4e5f6")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    cookie = response.cookies[DOWNLOAD_COOKIE]
    assert cookie.value == "a1b2c3d4e5f6" and cookie["samesite"] == "Strict" and not cookie["httponly"]
    for bad in ("short", "a1b2c3d4e5f6;x=1", "<script>alert(1)</script>", "x" * 40):
        assert DOWNLOAD_COOKIE not in client.get(url, {"dl": bad}).cookies
    assert DOWNLOAD_COOKIE not in client.get(url).cookies


def test_export_links_and_form_are_marked_for_the_indicator(client, tree):
    reauthenticated(client, tree.county_user)
    assert b"data-download" in client.get(reverse("party:export_roster_form")).content
    assert b'id="download-indicator"' in client.get(reverse("party:member_list")).content
