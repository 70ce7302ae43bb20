"""``zugong demo --no-serve``: end to end on a fresh database, idempotent, ``--reset`` regenerates."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zugong.audit.models import AuditEvent
from zugong.demo.accounts import DEMO_PASSWORD
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.people.models import Person


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--scale", "100000", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_demo_command_end_to_end_and_idempotent():
    output = run()
    assert "已生成：党员 992 名" in output
    assert "党员变动：2022–2023 年" in output and "zugong stats annual --org QS --year 2023" in output
    assert "组织生活：党支部班子成员" in output and "2023 年三会一课" in output
    assert "干部：" in output and "超职数配备" in output
    for username in ("zzb", "xiangzhen", "zhibu", "ganbu", "sysadmin", "secadmin", "auditadmin"):
        assert username in output
    assert DEMO_PASSWORD in output
    counts = (Person.objects.count(), Membership.objects.count(), PartyOrganization.objects.count())
    assert Membership.objects.current().count() == 992

    again = run()
    assert "跳过生成" in again and "已生成" not in again
    assert (Person.objects.count(), Membership.objects.count(), PartyOrganization.objects.count()) == counts
    assert AuditEvent.objects.filter(kind="demo_generate").count() == 1

    reset = run("--reset")
    assert "已删除原有演示数据" in reset and "已生成：党员 992 名" in reset
    assert (Person.objects.count(), Membership.objects.count(), PartyOrganization.objects.count()) == counts


@pytest.mark.django_db
def test_demo_command_rejects_bad_sizes():
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--scale", "0", stdout=StringIO())
