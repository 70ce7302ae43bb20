"""The ID-number existence oracle (``people.oracle``): "already registered outside your scope" answers
are audited and limited per user and day; beyond the limit the refusal is neutral (new numbers too) and
the security administrator sees an alert. Changing an ID number needs ``basic.unmask``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_id, make_member, make_user
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.core.errors import PermissionDeniedError, ValidationFailed
from zugong.party.importers import ELSEWHERE_MESSAGE, import_roster
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, answers_today, existence_answer, throttled_today
from zugong.people.services import ID_NUMBER_RIGHT_MESSAGE, person_update

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1985, 6, 15)


@pytest.fixture
def outsiders(tree):
    """25 members of branch B1 (乙镇), outside the town A user's scope."""
    return [make_member(tree.branch_b1, f"乙镇党员{i}") for i in range(25)]


def probe_row(person, org="C-A-1"):
    return member_row(org, name=person.name, sex="男", birth=person.birth_date, id_number=person.id_number)


def new_row(i: int = 0, org="C-A-1"):
    return member_row(org, name=f"新党员{i}", sex="男", birth=BIRTH, id_number=make_id(BIRTH, "1"))


def import_errors(rows, user, **kwargs) -> list:
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx([ROSTER_HEADERS, *rows]), user=user, filename="花名册.xlsx", **kwargs)
    return exc.value.errors


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def dump(*kinds) -> str:
    rows = AuditEvent.objects.filter(kind__in=kinds).values("summary", "data", "object_id")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


# --- the import path --------------------------------------------------------------------------------
def test_each_out_of_scope_answer_is_an_audited_event_without_the_numbers(tree, outsiders):
    probed = outsiders[:3]
    errors = import_errors([probe_row(p) for p in probed], tree.town_user)
    assert [(e.row, e.column, e.reason) for e in errors] == [(r, "公民身份号码", ELSEWHERE_MESSAGE) for r in (2, 3, 4)]
    [event] = events("id_exists_probe")
    assert event.actor_id == tree.town_user.pk and event.actor_username == "town_a"
    assert event.data["count"] == 3 and event.data["answered_today"] == 3 and event.data["limit"] == 20
    assert "3 个" in event.summary
    text = dump("id_exists_probe")
    for p in probed:
        assert p.id_number not in text and p.id_number_masked not in text and p.id_number_hash not in text
        assert p.id_number[-4:] not in text and p.name not in text
    assert answers_today(tree.town_user) == 3
    assert not events("id_probe_throttled")


def test_dry_run_answers_count_too(tree, outsiders):
    import_errors([probe_row(outsiders[0])], tree.town_user, dry_run=True)
    [event] = events("id_exists_probe")
    assert event.data["count"] == 1 and "仅校验" in event.data["context"]


def test_numbers_inside_the_scope_and_new_numbers_are_not_answers(tree):
    known = tree.member_a1_1
    rows = [member_row("C-A-1", name=known.name, sex="男", birth=known.birth_date, id_number=known.id_number),
            new_row(1), new_row(2)]
    result = import_roster(xlsx([ROSTER_HEADERS, *rows]), user=tree.town_user, filename="花名册.xlsx")
    assert result.created == 2
    assert not events("id_exists_probe") and not events("id_probe_throttled")


def test_after_twenty_answers_the_twenty_first_is_refused_neutrally_and_alerted(tree, outsiders, client):
    user = tree.town_user
    import_errors([probe_row(p) for p in outsiders[:20]], user)
    assert answers_today(user) == 20 and not events("id_probe_throttled")
    before = Person.objects.count()
    # 21st: an existing number and a brand-new one get the very same neutral refusal
    errors = import_errors([probe_row(outsiders[20]), new_row(1)], user)
    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "公民身份号码", THROTTLED_MESSAGE),
                                                            (3, "公民身份号码", THROTTLED_MESSAGE)]
    assert "其他党组织" not in THROTTLED_MESSAGE and Person.objects.count() == before
    assert answers_today(user) == 20 and len(events("id_exists_probe")) == 1
    [alert] = events("id_probe_throttled")
    assert alert.actor_id == user.pk and alert.data["refused"] == 2 and alert.data["limit"] == 20
    assert outsiders[20].id_number not in dump("id_probe_throttled")
    # a file of new people only is refused too while throttled (else the refusal would tell which exist)
    errors = import_errors([new_row(2)], user)
    assert [e.reason for e in errors] == [THROTTLED_MESSAGE]
    assert len(events("id_probe_throttled")) == 2
    # updates of people inside the scope still work
    known = tree.member_a1_1
    row = member_row("C-A-1", name="张伟", sex="男", birth=known.birth_date, id_number=known.id_number, phone="13911112222")
    assert import_roster(xlsx([ROSTER_HEADERS, row]), user=user, filename="花名册.xlsx").updated == 1
    # the security administrator's console shows the user
    [line] = throttled_today()
    assert (line.username, line.alerts, line.refused, line.answered_today) == ("town_a", 2, 3, 20)
    secadm = make_user("secadm", "security_admin")
    page = login(client, secadm).get("/accounts/grants/").content.decode()
    assert "今日公民身份号码查询超限（1 人）" in page and "town_a" in page
    assert outsiders[20].id_number not in page


def test_a_file_crossing_the_limit_gets_answers_up_to_it_then_neutral_refusals(tree, outsiders, settings):
    settings.ZUGONG_ID_PROBE_DAILY_LIMIT = 5
    user = tree.town_user
    import_errors([probe_row(p) for p in outsiders[:3]], user)
    errors = import_errors([new_row(1), *(probe_row(p) for p in outsiders[3:7])], user)
    reasons = {e.row: e.reason for e in errors}
    assert reasons == {2: THROTTLED_MESSAGE, 3: ELSEWHERE_MESSAGE, 4: ELSEWHERE_MESSAGE, 5: THROTTLED_MESSAGE,
                       6: THROTTLED_MESSAGE}
    assert [e.data["count"] for e in events("id_exists_probe")] == [3, 2]
    [alert] = events("id_probe_throttled")
    assert alert.data["refused"] == 3 and alert.data["answered_today"] == 5


def test_the_counter_resets_the_next_day(tree, outsiders, monkeypatch):
    user = tree.town_user
    import_errors([probe_row(p) for p in outsiders[:20]], user)
    assert [e.reason for e in import_errors([probe_row(outsiders[20])], user)] == [THROTTLED_MESSAGE]
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    assert answers_today(user) == 0 and throttled_today() == []
    assert [e.reason for e in import_errors([probe_row(outsiders[20])], user)] == [ELSEWHERE_MESSAGE]
    assert answers_today(user) == 1


def test_the_limit_is_per_user(tree, outsiders):
    import_errors([probe_row(p) for p in outsiders[:20]], tree.town_user)
    county_od = make_user("other_town", "party_affairs", tree.town_b)  # 乙镇: outsiders are in scope
    # another user is not throttled by the first one's answers
    errors = import_errors([probe_row(tree.member_a1_1, org="C-B-1")], county_od)
    assert [e.reason for e in errors] == [ELSEWHERE_MESSAGE]


def test_existence_answer_queries_nothing_without_unknown_numbers(tree, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert existence_answer(user=tree.town_user, unknown=0, elsewhere=0, context="x").answered == 0


def test_web_import_is_counted(tree, outsiders, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    client.force_login(tree.town_user)
    payload = xlsx([ROSTER_HEADERS, probe_row(outsiders[0]), probe_row(outsiders[1])])
    from tests.imports.helpers import upload_and_confirm

    upload_and_confirm(client, reverse("party:import_roster"), {"file": SimpleUploadedFile("花名册.xlsx", payload)})
    [event] = events("id_exists_probe")
    assert event.data["count"] == 2 and event.actor_id == tree.town_user.pk


def test_cli_import_is_counted(tree, outsiders, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([ROSTER_HEADERS, probe_row(outsiders[0])]))
    with pytest.raises((CommandError, SystemExit)):
        call_command("import_roster", str(path), "--user", "town_a", "--no-progress")
    [event] = events("id_exists_probe")
    assert event.data["count"] == 1 and event.actor_username == "town_a"


# --- changing an ID number: form and API --------------------------------------------------------------
def _form(person, **overrides):
    data = {"version": person.version, "name": person.name, "sex": person.sex, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "education_level": person.education_level,
            "political_status": person.political_status}
    data.update(overrides)
    return data


def _snapshot(person):
    return Person.objects.filter(pk=person.pk).values_list("id_number_hash", "id_number_encrypted", "version").get()


def test_without_unmask_the_form_refuses_an_id_number_change(tree):
    person = tree.member_a1_1
    before = _snapshot(person)
    client = login(Client(), tree.town_user)  # 党务工作者: change, no unmask
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert "不能修改公民身份号码" in page
    response = client.post(f"/people/{person.pk}/edit/", _form(person, id_number=make_id(BIRTH, "1")))
    assert response.status_code == 403
    assert ID_NUMBER_RIGHT_MESSAGE in response.content.decode()
    assert _snapshot(person) == before
    [event] = events("id_number_change_denied")
    assert event.actor_id == tree.town_user.pk and event.object_id == str(person.pk)
    # even the person's own current number is refused (else the comparison would reveal it)
    response = client.post(f"/people/{person.pk}/edit/", _form(person, id_number=person.id_number))
    assert response.status_code == 403 and _snapshot(person) == before
    # other fields can still be changed
    assert client.post(f"/people/{person.pk}/edit/", _form(person, name="张伟伟")).status_code == 302


def test_without_unmask_the_api_refuses_an_id_number_change(tree):
    person = tree.member_a1_1
    before = _snapshot(person)
    api = login(Client(), tree.town_user)
    response = api.patch(f"/api/people/{person.pk}/", {"version": 1, "id_number": make_id(BIRTH, "1")},
                         content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == ID_NUMBER_RIGHT_MESSAGE
    assert _snapshot(person) == before and len(events("id_number_change_denied")) == 1
    with pytest.raises(PermissionDeniedError):
        person_update(user=tree.town_user, person_id=person.pk, expected_version=1,
                      changes={"id_number": make_id(BIRTH, "1")})


def test_with_unmask_form_and_api_change_the_id_number(tree):
    person = tree.member_a1_1
    client = login(Client(), tree.county_user)  # 组织部门: holds basic.unmask
    first = make_id(BIRTH, "1")
    response = client.post(f"/people/{person.pk}/edit/", _form(person, id_number=first))
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).id_number == first
    second = make_id(BIRTH, "1")
    response = client.patch(f"/api/people/{person.pk}/", {"version": 2, "id_number": second},
                            content_type="application/json")
    assert response.status_code == 200 and Person.objects.get(pk=person.pk).id_number == second
    assert not events("id_number_change_denied") and not events("id_exists_probe")


def test_edit_to_a_number_held_outside_the_scope_is_an_audited_answer(tree, settings):
    settings.ZUGONG_ID_PROBE_DAILY_LIMIT = 1
    town_od = make_user("town_od", "org_department", tree.town_a)  # unmask on 甲镇 only
    person = tree.member_a1_1
    # the birth date and sex go with the number (checked against it first, as the roster import does)
    other = {"id_number": tree.member_b1_1.id_number, "birth_date": tree.member_b1_1.birth_date, "sex": "2"}
    with pytest.raises(ValidationFailed) as exc:
        person_update(user=town_od, person_id=person.pk, expected_version=1, changes=other)
    assert "管理范围以外登记" in exc.value.errors[0].reason
    [event] = events("id_exists_probe")
    assert event.data["count"] == 1 and tree.member_b1_1.id_number not in dump("id_exists_probe")
    # the budget is spent: an existing and a new number now get the same neutral refusal, nothing written
    before = _snapshot(person)
    for changes in (other, {"id_number": make_id(BIRTH, "1")}):
        with pytest.raises(ValidationFailed) as exc:
            person_update(user=town_od, person_id=person.pk, expected_version=1, changes=changes)
        assert exc.value.errors[0].reason == THROTTLED_MESSAGE
    assert _snapshot(person) == before and len(events("id_probe_throttled")) == 2
    # a duplicate inside the scope is not an oracle answer
    with pytest.raises(ValidationFailed, match="该公民身份号码已登记"):
        person_update(user=tree.county_user, person_id=person.pk, expected_version=1, changes=other)
