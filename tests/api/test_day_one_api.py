"""Day one through the API (issue #8, "Done means"): on an empty database ``zugong setup``, log in with the
session (CSRF enforced, as a browser script would), change the scripted password, create a township
committee and two branches, add a member, import a roster into branch 1 (there is no import API: the
web import page takes the upload), transfer a member to branch 2 — the roster as of last month still
lists them in branch 1 — then dissolve an empty branch. Also: a stale PATCH is a 409 and a branch that
still holds members cannot be dissolved (the message names them)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, mapping_form, member_row, xlsx
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership

pytestmark = pytest.mark.django_db

SETUP_PASSWORD = "Setup-Passw0rd!2026"
NEW_PASSWORD = "Zg-first-day-7531"
ORGS = "/api/organizations/"


class Session:
    """A logged-in session client that sends the CSRF token the way a script must (SessionAuthentication
    enforces it for unsafe methods)."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    @property
    def token(self) -> str:
        return self.client.cookies["csrftoken"].value

    def form(self, url, data):
        return self.client.post(url, {**data, "csrfmiddlewaretoken": self.token})

    def get(self, url, params=None):
        return self.client.get(url, params or {})

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json", HTTP_X_CSRFTOKEN=self.token)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", HTTP_X_CSRFTOKEN=self.token)


def roster_names(s: Session, org_code: str, as_of: dt.date) -> list[str]:
    response = s.get("/api/members/", {"org": org_code, "as_of": as_of.isoformat()})
    assert response.status_code == 200, response.content
    return sorted(m["name"] for m in response.json()["results"])


def test_day_one_through_the_api(monkeypatch):
    today = dt.date.today()
    last_month = today - dt.timedelta(days=30)
    assert not PartyOrganization.objects.exists()

    # 1. zugong setup (password from the environment: must be changed at first login)
    monkeypatch.setenv("ZUGONG_SETUP_PASSWORD", SETUP_PASSWORD)
    out = io.StringIO()
    call_command("setup", "--org-code", "X01", "--org-name", "中共某某县委员会", "--org-type", "党委",
                 "--admin", "zzb", "--admin-name", "组织部", stdout=out)
    assert "已初始化" in out.getvalue() and "首次登录须修改密码" in out.getvalue()
    assert "新增下级组织" in out.getvalue()  # the next steps name the pages, not only the import commands
    root = PartyOrganization.objects.get()

    # 2. log in; the API refuses until the password is changed
    s = Session()
    assert s.get("/accounts/login/").status_code == 200
    response = s.form("/accounts/login/", {"username": "zzb", "password": SETUP_PASSWORD})
    assert response.status_code == 302
    response = s.get(ORGS)
    assert response.status_code == 403 and "修改密码" in response.json()["detail"]
    response = s.form("/accounts/password/", {"old_password": SETUP_PASSWORD, "new_password": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    listing = s.get(ORGS).json()
    assert [o["code"] for o in listing["results"]] == ["X01"]
    # without the CSRF token a write is refused
    assert s.client.post(ORGS, {}, content_type="application/json").status_code == 403

    # 3. a township committee and two branches by hand
    response = s.post(ORGS, {"parent_code": root.code, "code": "X01-01", "name": "中共甲镇委员会", "org_type": "党委",
                             "unit_category": "乡镇", "founded_date": "1998-03-01"})
    assert response.status_code == 201, response.json()
    town = response.json()
    assert town["org_type_label"] == "党委" and town["unit_category_label"] == "乡镇"
    branches = []
    for code, name in (("X01-01-01", "甲镇东村党支部"), ("X01-01-02", "甲镇西村党支部")):
        response = s.post(ORGS, {"parent_code": town["code"], "code": code, "name": name, "org_type": "党支部",
                                 "unit_category": "行政村", "founded_date": "2001-07-01"})
        assert response.status_code == 201, response.json()
        assert response.json()["parent_code"] == town["code"]
        branches.append(response.json())
    east, west = branches
    assert [o["code"] for o in s.get(ORGS, {"search": "甲镇"}).json()["results"]] == ["X01-01", "X01-01-01", "X01-01-02"]

    # 4. a member by hand in branch 1
    birth = dt.date(1985, 3, 12)
    response = s.post("/api/people/", {
        "organization": east["id"], "name": "孙立新", "sex": "男", "ethnicity": "汉族", "birth_date": birth.isoformat(),
        "id_number": make_id(birth, "1"), "education_level": "大学本科", "admission_date": "2010-06-20",
        "full_membership_date": "2011-06-20", "category": "full", "occupation": "农牧渔民"})
    assert response.status_code == 201, response.json()
    sun = response.json()
    assert sun["organization_code"] == east["code"] and sun["political_status_label"] == "中共党员"

    # 5. a roster file into branch 1 — no import API: the import page takes the upload
    rows = [member_row(east["code"], name="李春梅", sex="女", birth=dt.date(1990, 5, 6)),
            member_row(east["code"], name="王建国", sex="男", birth=dt.date(1978, 11, 2))]
    upload = io.BytesIO(xlsx([ROSTER_HEADERS, *rows]))
    upload.name = "东村花名册.xlsx"
    response = s.form("/party/roster/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()
    mapping_url = response["Location"]  # the column-mapping step: confirm what was detected
    response = s.form(mapping_url, mapping_form(s.client, mapping_url))
    assert response.status_code == 302, response.content.decode()
    job = s.get(response["Location"]).content.decode()
    assert "导入完成" in job and "新增 2" in job
    assert roster_names(s, east["code"], today) == ["孙立新", "李春梅", "王建国"]

    # 6. move 王建国 to branch 2 today; as of last month branch 1 is unchanged
    wang = Membership.objects.get(person__name="王建国").person_id
    record = s.get(f"/api/members/{wang}/record/").json()
    (open_period,) = [m for m in record["memberships"] if m["end_date"] is None]
    response = s.post(f"/api/members/{wang}/transfer/", {"to_organization": west["id"], "date": today.isoformat(),
                                                         "version": open_period["version"]})
    assert response.status_code == 200, response.content
    assert [(m["organization"]["code"], m["end_date"]) for m in response.json()["memberships"]] == [
        (east["code"], today.isoformat()), (west["code"], None)]
    assert roster_names(s, east["code"], last_month) == ["孙立新", "李春梅", "王建国"]
    assert roster_names(s, east["code"], today) == ["孙立新", "李春梅"]
    assert roster_names(s, west["code"], today) == ["王建国"]
    assert roster_names(s, west["code"], last_month) == []
    assert s.get(f"/api/members/{wang}/", {"as_of": last_month.isoformat()}).json()["organization"]["code"] == east["code"]
    # the same request again, with the version read before the transfer: 409, not a second transfer
    count = Membership.objects.count()
    response = s.post(f"/api/members/{wang}/transfer/", {"to_organization": east["id"], "date": today.isoformat(),
                                                         "version": open_period["version"]})
    assert response.status_code == 409 and Membership.objects.count() == count
    assert roster_names(s, west["code"], today) == ["王建国"]
    # 7. a stale PATCH is a 409 naming who changed what
    url = f"{ORGS}{west['id']}/"
    response = s.patch(url, {"version": west["version"], "name": "甲镇西村第一党支部"})
    assert response.status_code == 200 and response.json()["version"] == west["version"] + 1
    response = s.patch(url, {"version": west["version"], "founded_date": "2002-01-01"})
    assert response.status_code == 409
    assert "zzb" in response.json()["detail"] and "组织名称" in response.json()["detail"]
    assert s.get(url).json()["founded_date"] == "2001-07-01"

    # 8. a branch with members cannot be dissolved: the message names them
    response = s.post(f"{ORGS}{east['id']}/dissolve/", {"date": today.isoformat(), "reason": "撤并",
                                                         "version": east["version"]})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "孙立新" in detail and "李春梅" in detail and "王建国" not in detail
    assert s.get(f"{ORGS}{east['id']}/").json()["status"] == "active"

    # 9. a third, empty branch is dissolved
    response = s.post(ORGS, {"parent_code": town["code"], "code": "X01-01-03", "name": "甲镇南村党支部",
                             "org_type": "党支部", "founded_date": "2015-01-01"})
    assert response.status_code == 201, response.json()
    south = response.json()
    response = s.post(f"{ORGS}{south['id']}/dissolve/", {"date": today.isoformat(), "reason": "村庄合并",
                                                          "version": south["version"]})
    assert response.status_code == 200, response.content
    shown = s.get(f"{ORGS}{south['id']}/").json()
    assert shown["status"] == "dissolved" and shown["status_label"] == "已撤销"
    assert shown["dissolved_date"] == today.isoformat() and shown["dissolution_reason"] == "村庄合并"
    # nobody can be moved into it any more
    li = Membership.objects.get(person__name="李春梅").person_id
    record = s.get(f"/api/members/{li}/record/").json()
    version = [m for m in record["memberships"] if m["end_date"] is None][0]["version"]
    response = s.post(f"/api/members/{li}/transfer/", {"to_organization": south["id"], "date": today.isoformat(),
                                                       "version": version})
    assert response.status_code == 400
