"""``zugong setup``: the first installation, then everything works with no shell (issue #8 item 1)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_id
from tests.imports.helpers import ORG_HEADERS, ROSTER_HEADERS, member_row, xlsx
from zugong.accounts.models import RoleGrant
from zugong.accounts.setup import AlreadyInstalled, install
from zugong.audit.models import AuditEvent
from zugong.core.errors import ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership

pytestmark = pytest.mark.django_db

GOOD = "Xian-Zzb-2026!pw"
ARGS = ["setup", "--org-code", "X", "--org-name", "中共某某县委员会", "--org-type", "党委", "--admin", "zzbadmin",
        "--admin-name", "组织部管理员", "--unit-category", "机关", "--founded", "1949-10-01"]


def setup_cmd(*extra, env=None, monkeypatch=None):
    out = io.StringIO()
    call_command(*ARGS, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def state():
    User = get_user_model()
    return (PartyOrganization.objects.count(), User.objects.count(), RoleGrant.objects.count(),
            AuditEvent.objects.filter(kind="setup").count())


def test_setup_creates_root_and_first_account_then_imports_work(monkeypatch, tmp_path):
    monkeypatch.setenv("ZUGONG_SETUP_PASSWORD", GOOD)
    out = setup_cmd()
    assert "已初始化：根党组织 中共某某县委员会（组织代码 X）" in out
    assert "zugong import orgs 党组织.xlsx --user zzbadmin" in out and "zugong create_admin" in out
    root = PartyOrganization.objects.get(code="X")
    assert (root.depth, root.org_type, root.unit_category, root.founded_date) == (1, "committee", "government_organ",
                                                                                   dt.date(1949, 10, 1))
    user = get_user_model().objects.get(username="zzbadmin")
    assert user.check_password(GOOD) and user.must_change_password  # scripted password: changed at first login
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role.code, grant.organization_id, grant.include_subtree) == ("org_department", root.pk, True)
    event = AuditEvent.objects.get(kind="setup")
    assert event.data["org_code"] == "X" and GOOD not in str(event.data)

    # after it, the documented commands work with no shell
    orgs = tmp_path / "orgs.xlsx"
    orgs.write_bytes(xlsx([ORG_HEADERS, ["X-1", "某镇党委", "X", "党委", "乡镇", "1958-01-01"],
                           ["X-1-1", "某镇机关党支部", "X-1", "党支部", "机关", "1960-01-01"]]))
    call_command("import_orgs", str(orgs), "--user", "zzbadmin", "--no-progress", stdout=io.StringIO())
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx([ROSTER_HEADERS, member_row("X-1-1", id_number=make_id(dt.date(1992, 4, 5), "2"))]))
    call_command("import_roster", str(roster), "--user", "zzbadmin", "--no-progress", stdout=io.StringIO())
    assert Membership.objects.filter(organization__code="X-1-1", end_date__isnull=True).count() == 1


def test_setup_with_the_three_administrators(monkeypatch):
    for kind in ("", "_SYSTEM", "_SECURITY", "_AUDIT"):
        monkeypatch.setenv(f"ZUGONG_SETUP{kind}_PASSWORD", GOOD + kind)
    out = setup_cmd("--system-admin", "sys1", "--security-admin", "sec1", "--audit-admin", "aud1")
    User = get_user_model()
    roles = {u: set(RoleGrant.objects.filter(user__username=u).values_list("role__code", flat=True))
             for u in ("sys1", "sec1", "aud1")}
    assert roles == {"sys1": {"system_admin"}, "sec1": {"security_admin"}, "aud1": {"audit_admin"}}
    assert User.objects.get(username="sec1").check_password(GOOD + "_SECURITY")
    assert "zugong create_admin" not in out


def test_setup_refuses_to_run_twice(monkeypatch):
    monkeypatch.setenv("ZUGONG_SETUP_PASSWORD", GOOD)
    setup_cmd()
    before = state()
    with pytest.raises(CommandError, match="已初始化"):
        setup_cmd()
    with pytest.raises(AlreadyInstalled):
        install(org_code="Y", org_name="另一个", org_type="党委", admin_username="other", admin_password=GOOD)
    assert state() == before


def test_setup_without_password_and_terminal_is_refused(monkeypatch):
    monkeypatch.delenv("ZUGONG_SETUP_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="ZUGONG_SETUP_PASSWORD"):
        setup_cmd()
    assert state() == (0, 0, 0, 0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"org_type": "党小队"}, "组织类别：「党小队」不是有效的组织类别"),
    ({"org_code": " "}, "组织代码：必填"),
    ({"admin_password": "short"}, "密码长度至少"),
    ({"admin_password": "Zugong-Demo-2023"}, "演示密码"),
    ({"admin_username": "bad name!"}, "用户名"),
    ({"administrators": {"security": ("sec1", "weak")}}, "密码"),
])
def test_bad_input_names_the_field_and_writes_nothing(changes, message):
    kwargs = dict(org_code="X", org_name="中共某某县委员会", org_type="党委", admin_username="zzbadmin",
                  admin_password=GOOD)
    with pytest.raises(ValidationFailed) as exc:
        install(**{**kwargs, **changes})
    assert message in "；".join(f"{e.column}：{e.reason}" for e in exc.value.errors)
    assert state() == (0, 0, 0, 0)


def test_setup_with_a_root_unit_grants_both_trees_and_unit_import_works(monkeypatch, tmp_path):
    from zugong.orgs.models import Unit

    monkeypatch.setenv("ZUGONG_SETUP_PASSWORD", GOOD)
    out = setup_cmd("--unit-code", "XU", "--unit-name", "某某县")
    assert "已创建根单位 某某县（单位代码 XU）" in out and "zugong import units 单位.xlsx --user zzbadmin" in out
    unit = Unit.objects.get(code="XU")
    assert (unit.depth, unit.unit_category) == (1, "government_organ")
    grants = RoleGrant.objects.filter(user__username="zzbadmin").order_by("pk")
    assert [(g.role.code, g.organization_id is not None, g.unit_id) for g in grants] == [
        ("org_department", True, None), ("org_department", False, unit.pk)]
    assert AuditEvent.objects.get(kind="setup").data["unit_code"] == "XU"
    units = tmp_path / "units.xlsx"
    units.write_bytes(xlsx([["单位代码*", "单位名称*", "上级单位代码", "单位属性*", "是否法人单位", "统一社会信用代码"],
                            ["XU-1", "某镇", "XU", "乡镇", "否", ""],
                            ["XU-1-1", "某镇农机厂", "XU-1", "企业", "是", "91350100M000100Y43"]], sheet="单位"))
    call_command("import_units", str(units), "--user", "zzbadmin", "--no-progress", stdout=io.StringIO())
    assert Unit.objects.get(code="XU-1-1").path.startswith(unit.path)


def test_setup_unit_needs_name_and_category():
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        install(org_code="X", org_name="县委", org_type="党委", admin_username="zzbadmin", admin_password=GOOD,
                unit_code="XU")
    assert {e.column for e in exc.value.errors} == {"单位名称", "单位属性"}
    assert state() == before
