"""Audit trail: automatic change log with masking, domain events, hash chain, append-only storage,
retention purge, the audit log page and its exports, no plaintext secrets in any row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.factories import make_id, make_member
from tests.security.helpers import login, set_session
from zugong.audit import checkpoint
from zugong.audit import services as audit_services
from zugong.audit.changelog import is_tracked, log_bulk_change
from zugong.audit.choices import EVENT_KINDS
from zugong.audit.models import AuditCheckpoint, AuditEvent
from zugong.audit.services import purge_expired, record_event, verify_chain
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                             reason="the append-only trigger exists on PostgreSQL only; SQLite relies on the hash chain")


def _changes(model_label, object_id):
    return [e.data for e in AuditEvent.objects.filter(kind="change", object_type=model_label, object_id=str(object_id))
            .order_by("id")]


@pytest.mark.django_db
def test_business_models_are_tracked():
    assert is_tracked(Person) and is_tracked(PartyMember) and is_tracked(Membership) and is_tracked(PartyOrganization)
    assert not is_tracked(AuditEvent)


@pytest.mark.django_db
def test_create_update_delete_logged_with_sensitive_fields_masked(tree):
    person = make_member(tree.branch_a2, "赵敏", sex="2")
    plain = person.id_number
    created = _changes("people.person", person.pk)[0]
    assert created["action"] == "create"
    assert created["changes"]["name"] == [None, "赵敏"]
    assert created["changes"]["id_number_encrypted"] == [None, "***"]
    assert created["changes"]["id_number_hash"] == [None, "***"]
    assert created["changes"]["id_number_masked"] == [None, person.id_number_masked]
    with transaction.atomic():
        person.name = "赵敏华"
        person.set_id_number(make_id(dt.date(1985, 6, 15), "2"))
        person.save()
    updated = _changes("people.person", person.pk)[-1]
    assert updated["action"] == "update"
    assert updated["changes"]["name"] == ["赵敏", "赵敏华"]
    assert updated["changes"]["id_number_encrypted"] == ["***", "***"]
    assert "birth_date" not in updated["changes"]  # unchanged fields are not listed
    membership = Membership.objects.get(person=person)
    membership_id = membership.pk
    with transaction.atomic():
        membership.delete()
    deleted = _changes("party.membership", membership_id)[-1]
    assert deleted["action"] == "delete" and deleted["changes"]["person_id"] == [person.pk, None]
    dump = json.dumps(list(AuditEvent.objects.values("summary", "data")), ensure_ascii=False, default=str)
    assert plain not in dump and person.id_number not in dump


@pytest.mark.django_db
def test_change_event_carries_request_id_and_user(sec, client):
    login(client, sec.county_user)
    person = sec.member_a1_1
    response = client.post(f"/people/{person.pk}/edit/", {
        "version": person.version, "name": "张伟民", "sex": "1", "ethnicity": "01", "birth_date": "1985-06-15",
        "education_level": "21", "political_status": "01"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(kind="change", object_type="people.person").latest("id")
    assert event.actor_username == "county"
    assert event.request_id and event.ip_address == "127.0.0.1"
    assert event.data["changes"]["name"] == ["张伟", "张伟民"]


@pytest.mark.django_db
def test_log_bulk_change(tree):
    event = log_bulk_change(Person, 250, "导入党员花名册 roster.xlsx", action="import", data={"file": "roster.xlsx"})
    assert event.kind == "change" and event.data == {"model": "people.person", "action": "import", "count": 250,
                                                     "file": "roster.xlsx"}


@pytest.mark.django_db
def test_audit_write_failure_rolls_back_the_business_change(tree):
    before = Person.objects.count()
    with mock.patch.object(AuditEvent, "save", side_effect=DatabaseError("disk full")):
        with pytest.raises(DatabaseError):
            make_member(tree.branch_a2, "钱多多")
    assert Person.objects.count() == before
    assert not Person.objects.filter(name="钱多多").exists()


@pytest.mark.django_db
def test_chain_intact_after_normal_activity(tree):
    report = verify_chain()
    assert report.first_broken_id is None and report.checked == AuditEvent.objects.count() > 10
    call_command("audit_verify", stdout=io.StringIO())


def _tamper(sql, params):
    """Run ``sql`` against the audit table, bypassing the PostgreSQL trigger (as a DBA could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_raw_update_is_flagged_by_the_chain(tree):
    """On SQLite anyone with the file can UPDATE; on PostgreSQL a DBA could disable the trigger. Either
    way ``zugong audit verify`` names the first modified row and exits non-zero."""
    target = AuditEvent.objects.order_by("id")[5]
    _tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["无事发生", target.pk])
    report = verify_chain()
    assert report.first_broken_id == target.pk and "修改" in report.reason
    with pytest.raises(CommandError, match=f"ID={target.pk}"):
        call_command("audit_verify", stdout=io.StringIO())


@pytest.mark.django_db
def test_deleted_row_is_flagged_by_the_chain(tree):
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [ids[3]])
    assert verify_chain().first_broken_id == ids[4]
    # deleting the oldest rows without a purge record is flagged too
    _tamper("DELETE FROM audit_auditevent WHERE id <= %s", [ids[4]])
    assert verify_chain().first_broken_id == ids[5]


@pg_only
@pytest.mark.django_db
@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent",
                                 "TRUNCATE audit_auditevent"])
def test_postgresql_trigger_blocks_raw_changes(tree, sql):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            # the test database switches the TRUNCATE trigger off for Django's flush (tests/conftest.py)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_no_truncate")
            cursor.execute(sql)
    assert AuditEvent.objects.count() == count


@pg_only
@pytest.mark.django_db
def test_postgresql_purge_variable_alone_does_not_allow_deleting_recent_rows(tree):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL zugong.audit_purge = 'on'")
            cursor.execute("DELETE FROM audit_auditevent")


def _old_events(days_ago: int, n: int):
    when = timezone.now() - dt.timedelta(days=days_ago)
    with mock.patch.object(audit_services.timezone, "now", return_value=when):
        return [record_event("login", object_type="user", summary=f"旧记录{i}") for i in range(n)]


@pytest.mark.django_db
def test_purge_removes_only_expired_rows_and_chain_stays_verifiable(settings):
    settings.ZUGONG_AUDIT_RETENTION_DAYS = 180
    old = _old_events(400, 3)
    older_than_retention_but_young = _old_events(100, 2)
    report = purge_expired()
    assert report.deleted == 3 and report.last_deleted_id == old[-1].pk
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert remaining[0] == older_than_retention_but_young[0].pk
    purge_event = AuditEvent.objects.get(kind="audit_purge")
    assert purge_event.data["count"] == 3 and purge_event.data["last_deleted_hash"] == old[-1].chain_hash
    assert verify_chain().first_broken_id is None
    # nothing else to purge
    assert purge_expired().deleted == 0


@pytest.mark.django_db
def test_purge_refuses_when_chain_broken():
    old = _old_events(400, 3)
    _tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["改", old[1].pk])
    with pytest.raises(CommandError, match="不清理"):
        call_command("audit_purge", stdout=io.StringIO())
    assert AuditEvent.objects.filter(pk=old[0].pk).exists()


@pytest.mark.django_db
def test_purge_dry_run_deletes_nothing():
    _old_events(400, 2)
    out = io.StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "2 条" in out.getvalue() and AuditEvent.objects.count() == 2


def test_retention_shorter_than_180_days_is_refused():
    import subprocess
    import sys

    env = {"ZUGONG_TESTING": "1", "ZUGONG_AUDIT_RETENTION_DAYS": "90", "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "zugong.settings"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode != 0 and "180" in done.stderr


# --- the audit log page -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_audit_page_lists_filters_and_audits_each_read(sec, client):
    login(client, sec.audadm)
    response = client.get("/audit/?kind=grant_change&actor=")
    assert response.status_code == 200
    html = response.content.decode()
    assert "授予 county 角色" in html and "新增人员" not in html
    read = AuditEvent.objects.filter(kind="audit_read").latest("id")
    assert read.actor_id == sec.audadm.pk and read.data == {"filters": {"kind": "grant_change"}, "page": 1}
    response = client.get("/audit/?q=县级&date_from=2000-01-01&date_to=bad")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_audit_export_needs_reauth_and_is_audited(sec, client, fmt):
    login(client, sec.audadm, reauth=False)
    set_session(client, reauth_at=0)
    response = client.get(f"/audit/export/?format={fmt}&kind=grant_change")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")
    login(client, sec.audadm)
    response = client.get(f"/audit/export/?format={fmt}&kind=grant_change")
    assert response.status_code == 200
    expected = AuditEvent.objects.filter(kind="grant_change").count()
    event = AuditEvent.objects.filter(kind="audit_export").latest("id")
    assert event.data == {"format": fmt, "rows": expected, "filters": {"kind": "grant_change"}}
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["序号", "时间", "操作人"]
    assert len(rows) == expected + 1


@pytest.mark.django_db
def test_export_neutralises_formulas_and_line_breaks(sec, client):
    record_event("login_failed", object_type="user", summary="=HYPERLINK(\"http://evil\")\r\nforged",
                 data={"username": "@SUM(1)"})
    login(client, sec.audadm)
    response = client.get("/audit/export/?format=csv&kind=login_failed")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
    assert rows[1][8].startswith("'=HYPERLINK") and "\n" not in rows[1][8]
    assert body.count("\r\n") == 2


@pytest.mark.django_db
def test_no_plaintext_id_numbers_phones_or_passwords_in_audit(sec, client):
    from tests.factories import PASSWORD

    person = sec.member_a1_1
    login(client, sec.county_user)
    new_id = make_id(dt.date(1985, 6, 15), "1")
    client.post(f"/people/{person.pk}/edit/", {"version": person.version, "name": "张伟", "sex": "1", "ethnicity": "01",
                                                "birth_date": "1985-06-15", "id_number": new_id,
                                                "phone": "13912345678", "education_level": "21"})
    client.post(f"/people/{person.pk}/unmask/", {"reason": "核对档案"})
    client.post("/accounts/login/", {"username": "county", "password": PASSWORD})
    assert AuditEvent.objects.filter(kind="unmask").exists()
    dump = json.dumps(list(AuditEvent.objects.values()), ensure_ascii=False, default=str)
    for secret in (new_id, "13912345678", PASSWORD, sec.member_a1_2.id_number):
        assert secret not in dump


# --- the keyed checkpoint of the chain head (the tail cannot be cut) ----------------------------------
def _tamper_checkpoint(sql, params=()):
    """Run ``sql`` against the checkpoint table, bypassing the PostgreSQL forward-only trigger (as a DBA could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")


def _events(n, kind="login"):
    return [record_event(kind, object_type="user", summary=f"事件{i}") for i in range(n)]


def _verify_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("audit_verify", stdout=io.StringIO())


@pytest.mark.django_db
def test_checkpoint_follows_every_event():
    events = _events(5)
    cp = AuditCheckpoint.objects.get()
    assert (cp.event_count, cp.last_id, cp.last_hash) == (5, events[-1].pk, events[-1].chain_hash)
    assert checkpoint.is_sealed(cp)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"最后一条 ID {events[-1].pk}" in out.getvalue()


@pytest.mark.django_db
def test_checkpoint_rolls_back_with_the_event(tree):
    before = AuditCheckpoint.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("login", object_type="user", summary="将回滚")
        raise RuntimeError
    after = AuditCheckpoint.objects.get()
    assert (after.event_count, after.last_id, after.mac) == (before.event_count, before.last_id, before.mac)
    assert verify_chain().ok


@pytest.mark.django_db
def test_deleting_the_newest_rows_is_reported_as_truncation():
    events = _events(6)
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[4].pk])
    report = verify_chain()
    assert report.first_broken_id is None  # the remaining links are intact ...
    assert not report.ok  # ... but the checkpoint knows the head
    expected = (f"审计日志被截断：检查点记录 6 条、最后一条 ID {events[5].pk}，"
                f"数据库中只有 4 条、最后一条 ID {events[3].pk}")
    assert expected in report.problems
    _verify_fails(expected)
    # events written after the cut link to the checkpoint's head, so the cut stays visible
    record_event("login", object_type="user", summary="截断之后")
    report = verify_chain()
    assert report.first_broken_id is not None and "删除" in report.reason


@pytest.mark.django_db
def test_deleting_all_rows_is_reported_as_truncation():
    events = _events(3)
    _tamper("DELETE FROM audit_auditevent", [])
    report = verify_chain()
    assert report.checked == 0
    assert f"审计日志被截断：检查点记录 3 条、最后一条 ID {events[-1].pk}，数据库中只有 0 条、最后一条 ID 无" \
        in report.problems
    _verify_fails("审计日志被截断")


@pytest.mark.django_db
def test_checkpoint_rewritten_for_the_shorter_chain_is_reported_as_forged():
    """A database writer without the field key cuts the tail and rewrites the checkpoint to match."""
    events = _events(5)
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    _tamper_checkpoint("UPDATE audit_auditcheckpoint SET event_count = %s, last_id = %s, last_hash = %s",
                       [3, events[2].pk, events[2].chain_hash])
    report = verify_chain()
    assert "审计检查点的校验码（HMAC-SM3）不符：检查点被篡改或伪造" in report.problems
    _verify_fails("篡改或伪造")
    # the next event does not launder the forgery: the rebuilt checkpoint carries the anomaly for good
    record_event("login", object_type="user", summary="之后")
    report = verify_chain()
    assert checkpoint.is_sealed(AuditCheckpoint.objects.get())
    assert any("校验码不符" in p and "重建" in p for p in report.problems)
    record_event("login", object_type="user", summary="再之后")
    assert any("重建" in p for p in verify_chain().problems)


@pytest.mark.django_db
def test_missing_checkpoint_is_reported():
    _events(3)
    _tamper_checkpoint("DELETE FROM audit_auditcheckpoint")
    assert any("检查点缺失" in p for p in verify_chain().problems)
    _verify_fails("检查点缺失")
    record_event("login", object_type="user", summary="之后")
    assert any("检查点缺失" in p and "重建" in p for p in verify_chain().problems)


@pytest.mark.django_db
def test_deleting_log_and_checkpoint_together_is_reported_on_sqlite():
    _events(3)
    _tamper("DELETE FROM audit_auditevent", [])
    _tamper_checkpoint("DELETE FROM audit_auditcheckpoint")
    report = verify_chain()
    if connection.vendor == "sqlite":
        assert any("一并删除" in p for p in report.problems)
    else:  # a PostgreSQL sequence also counts rolled-back inserts: an empty log proves nothing there
        assert report.checked == 0


@pytest.mark.django_db
def test_old_checkpoint_put_back_after_cutting_the_tail():
    """Replay: the attacker kept a validly sealed checkpoint and puts it back after deleting newer rows."""
    events = _events(3)
    old = AuditCheckpoint.objects.values().get()
    more = _events(3)
    if connection.vendor == "postgresql":
        # the forward-only trigger refuses the old checkpoint (only a superuser can switch it off)
        with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
            AuditCheckpoint.objects.filter(pk=1).update(last_id=old["last_id"])
        with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
            AuditCheckpoint.objects.filter(pk=1).delete()
        return
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [more[0].pk])
    _tamper_checkpoint("UPDATE audit_auditcheckpoint SET event_count = %s, last_id = %s, last_hash = %s, mac = %s",
                       [old["event_count"], old["last_id"], old["last_hash"], old["mac"]])
    report = verify_chain()
    assert report.first_broken_id is None and checkpoint.is_sealed(AuditCheckpoint.objects.get())
    assert any(f"已分配的最大审计记录 ID 为 {more[-1].pk}，大于检查点记录的最后一条 ID {events[-1].pk}" in p
               for p in report.problems)


@pytest.mark.django_db
def test_purge_moves_the_checkpoint_anchor(settings):
    settings.ZUGONG_AUDIT_RETENTION_DAYS = 180
    old = _old_events(400, 3)
    _events(2)
    purge_expired()
    cp = AuditCheckpoint.objects.get()
    assert cp.purged_through_id == old[-1].pk and cp.purge_anchor == old[-1].chain_hash
    assert cp.event_count == AuditEvent.objects.count() == 3  # 2 young + the audit_purge event
    report = verify_chain()
    assert report.ok, report
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "完整" in out.getvalue()
    # deleting the oldest remaining rows is not a purge: the chain no longer starts at the anchor
    first = AuditEvent.objects.order_by("id").first()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [first.pk])
    report = verify_chain()
    assert report.first_broken_id is not None and any("截断" in p for p in report.problems)


@pytest.mark.django_db
def test_purge_refuses_when_the_tail_was_cut(settings):
    settings.ZUGONG_AUDIT_RETENTION_DAYS = 180
    _old_events(400, 2)
    young = _events(2)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [young[-1].pk])
    with pytest.raises(CommandError, match="截断"):
        call_command("audit_purge", stdout=io.StringIO())


def test_backup_and_restore_keep_the_checkpoint_consistent(transactional_db, tmp_path):
    """A restore replaces the audit table and its checkpoint together; the restore event then extends
    the restored chain and ``audit verify`` passes."""
    from zugong.core import backup as backups

    _events(3)
    backups.backup(path=tmp_path / "a.bak")
    _events(4)
    report = backups.restore(path=tmp_path / "a.bak")
    assert report.ok, report.mismatches
    final = verify_chain()
    assert final.ok, final
    cp = AuditCheckpoint.objects.get()
    assert cp.event_count == AuditEvent.objects.count() and cp.last_id == AuditEvent.objects.latest("id").pk


# --- every event kind is linked into the chain --------------------------------------------------------
SRC = Path(__file__).resolve().parents[2] / "src" / "zugong"
# first argument of record_event(...) up to the first comma, and kinds handed to register_failure(kind=...)
_RECORD_CALL = re.compile(r"record_event\(\s*([^,]+?)\s*,", re.S)
_FAILURE_KIND = re.compile(r"register_failure\([^)]*?\bkind\s*=\s*\"(\w+)\"", re.S)
# calls whose first argument is a variable, and where that variable's values come from
_PASSED_THROUGH = {("accounts/services.py", "kind")}


def kinds_in_source() -> set[str]:
    """Every literal event kind the application can write, found by scanning ``src/zugong``. Fails on a
    ``record_event`` call whose kind is neither a literal nor a known pass-through."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC).as_posix()
        for match in _RECORD_CALL.finditer(text):
            expr = match.group(1)
            if expr.startswith(("kind: str", "*")):  # the definition itself
                continue
            literals = re.findall(r"(?<!== )\"(\w+)\"", expr)  # not the operand of a comparison
            if not literals and re.fullmatch(r"[A-Z_][A-Z0-9_]*", expr):  # a module constant: NAME = "kind"
                literals = re.findall(rf"^{expr}\s*=\s*\"(\w+)\"", text, re.M)
            assert literals or (rel, expr) in _PASSED_THROUGH, f"{rel}: record_event({expr}, …) — kind not a literal"
            found.update(literals)
        found.update(_FAILURE_KIND.findall(text))
    return found


def test_event_kind_list_is_complete():
    found = kinds_in_source()
    assert {"login", "unmask", "import", "change", "otp_failed", "user_deactivate", "demo_reset"} <= found
    assert found <= set(EVENT_KINDS), f"kinds without a name in audit/choices.py: {sorted(found - set(EVENT_KINDS))}"


class _Undo(Exception):
    pass


@pytest.mark.django_db
def test_every_event_kind_is_chained(sec):
    """One event of every kind in ``EVENT_KINDS`` (which the test above proves covers the sources): each
    row links to the one before, the chain and its checkpoint verify, and removing any one row — first,
    middle or last — is detected."""
    start = AuditEvent.objects.order_by("-id").first()
    events = [record_event(kind, user=sec.county_user, object_type="user", object_id=sec.county_user.pk,
                           summary=f"测试事件 {kind}", data={"kind": kind}) for kind in EVENT_KINDS]
    assert [e.kind for e in events] == list(EVENT_KINDS)
    rows = list(AuditEvent.objects.filter(pk__gte=events[0].pk).order_by("id"))
    assert [e.pk for e in rows] == [e.pk for e in events]
    prev = start.chain_hash
    for row in rows:
        assert row.prev_hash == prev, row.kind
        assert audit_services.compute_hash(prev, row) == row.chain_hash, row.kind
        prev = row.chain_hash
    assert verify_chain().ok
    for row in rows:
        with pytest.raises(_Undo), transaction.atomic():
            _tamper("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
            report = verify_chain()
            assert not report.ok, f"removing the {row.kind} row went unnoticed"
            raise _Undo
    assert verify_chain().ok


# --- the audit administrator sees who did what, not whose data -----------------------------------------
def _all_pages(client, query=""):
    html, page = "", 1
    while True:
        response = client.get(f"/audit/?page={page}{query}")
        assert response.status_code == 200
        html += response.content.decode()
        if page >= response.context["page"].paginator.num_pages:
            return html
        page += 1


def _export_text(client, fmt):
    response = client.get(f"/audit/export/?format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        rows = [["" if v is None else str(v) for v in r]
                for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    return rows


@pytest.mark.django_db
def test_audit_viewer_and_exports_pseudonymise_the_people_concerned(sec, client):
    from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
    from zugong.audit.presentation import person_label
    from zugong.party.importers import import_roster

    person = sec.member_a1_1
    old_masked = person.id_number_masked
    login(client, sec.county_user)
    new_id = make_id(dt.date(1985, 6, 15), "1")
    response = client.post(f"/people/{person.pk}/edit/", {
        "version": person.version, "name": "张伟民", "sex": "1", "ethnicity": "01", "birth_date": "1985-06-15",
        "id_number": new_id, "phone": "13912345678", "education_level": "21", "political_status": "01"})
    assert response.status_code == 302
    assert client.post(f"/people/{person.pk}/unmask/", {"reason": "核对档案"}).status_code == 200
    newcomer_id = make_id(dt.date(1992, 4, 5), "2")
    import_roster(xlsx([ROSTER_HEADERS, member_row(id_number=newcomer_id)]), user=sec.county_user, filename="花名册.xlsx")
    person.refresh_from_db()
    newcomer = Person.objects.get(name="赵敏")
    assert AuditEvent.objects.filter(kind="unmask", object_id=str(person.pk)).exists()
    assert AuditEvent.objects.filter(kind="import").exists()
    assert AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk),
                                     data__action="update").exists()

    forbidden = ["张伟", "赵敏", "李娜", "王强", "阿依古丽", old_masked, person.id_number_masked, new_id, newcomer_id,
                 newcomer.id_number_masked, "1985-06-15", "1992-04-05", "13912345678", "13800138000",
                 person.phone_masked, newcomer.phone_masked]
    forbidden = [f for f in forbidden if f]
    login(client, sec.audadm)
    html = _all_pages(client)
    exports = {fmt: _export_text(client, fmt) for fmt in ("csv", "xlsx")}
    for where, text in [("page", html)] + [(fmt, json.dumps(rows, ensure_ascii=False)) for fmt, rows in exports.items()]:
        leaked = [f for f in forbidden if f in text]
        assert not leaked, f"{where} shows {leaked}"

    # one stable pseudonym per person, on every event about him (his own row and his membership), with a link
    label = person_label(person.pk)
    assert label.startswith("人员#") and len(label) == len("人员#") + 10
    for rows in exports.values():
        header = rows[0]
        col = {name: header.index(name) for name in ("操作人", "对象类型", "对象", "摘要", "详情", "业务记录链接")}
        about = [r for r in rows[1:] if r[col["对象"]] == label]
        kinds = {(r[col["对象类型"]], r[col["摘要"]][:2]) for r in about}
        assert {("人员", "新增"), ("人员", "修改"), ("组织关系", "新增")} <= kinds, kinds
        assert any(r[col["摘要"]] == f"查看{label}的公民身份号码、手机号码明文" for r in about)
        assert all(r[col["业务记录链接"]] == f"/people/{person.pk}/" for r in about)
        update = next(r for r in about if r[col["摘要"]].startswith("修改人员"))
        assert update[col["操作人"]] == "county"  # who did it stays visible
        changes = json.loads(update[col["详情"]])["changes"]
        assert changes["name"] == "（已变更）" and changes["phone_masked"] == "（已变更）"
        unmask = next(r for r in about if r[col["摘要"]].startswith("查看"))
        assert unmask[col["操作人"]] == "county" and json.loads(unmask[col["详情"]])["reason"] == "核对档案"
        imported = [r for r in rows[1:] if r[col["摘要"]].startswith("导入")]
        assert imported and all(r[col["操作人"]] == "county" for r in imported)
        assert any("花名册.xlsx" in r[col["摘要"]] for r in imported)  # the import says what, not whom
    assert html.count(f'href="/people/{person.pk}/"') >= 4 and label in html
    # the link leads a business user with scope to the record; the audit administrator is refused there
    assert client.get(f"/people/{person.pk}/").status_code == 403
    login(client, sec.county_user)
    assert client.get(f"/people/{person.pk}/").status_code == 200


@pytest.mark.django_db
def test_audit_search_does_not_tie_names_to_pseudonyms(sec, client):
    """Older rows name people in their summaries; a search must not reveal which pseudonym a name has."""
    record_event("unmask", object_type="people.person", object_id=sec.member_a1_1.pk, summary="查看「张伟」的明文",
                 data={"reason": "核对", "id_number_masked": sec.member_a1_1.id_number_masked})
    login(client, sec.audadm)
    response = client.get("/audit/?q=张伟")
    assert response.status_code == 200 and list(response.context["rows"]) == []
    response = client.get("/audit/?kind=unmask")
    assert "查看「张伟」" not in response.content.decode()
    assert sec.member_a1_1.id_number_masked not in response.content.decode()


@pytest.mark.django_db
def test_stored_summaries_of_person_records_carry_no_name(tree):
    person = make_member(tree.branch_a2, "钱多多")
    event = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).latest("id")
    assert "钱多多" not in event.summary and event.summary == f"新增人员（ID {person.pk}）"
