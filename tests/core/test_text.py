"""Control and invisible format characters never reach stored text (issue #7 item 8)."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata

import pytest

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, csv_bytes, member_row
from zugong.core.codes import normalize_text
from zugong.core.text import strip_controls
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.party.importers import import_roster
from zugong.people.models import Person

HOSTILE = "张\x1b[31m三\u202egpj.exe\u200b\u2066x\u2069\x00\x7f\u0085"


def test_every_format_and_control_character_is_stripped_except_joiners():
    kept = {"\u200c", "\u200d"}
    missed = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        stripped = strip_controls(f"a{ch}b") != f"a{ch}b"
        if category in {"Cc", "Cf"} and ch not in kept and not stripped:
            missed.append(f"U+{code:04X}")
        elif stripped and category not in {"Cc", "Cf", "Cn"}:  # Cn: assigned in a newer Unicode than this Python's
            missed.append(f"U+{code:04X} wrongly stripped ({category})")
    assert missed == []
    assert strip_controls("a\u200db\u200cc") == "a\u200db\u200cc"
    assert strip_controls("\ue000生僻字") == "\ue000生僻字"  # private use (造字) kept


def test_single_and_multi_line_forms():
    assert strip_controls(HOSTILE) == "张[31m三gpj.exex "
    assert strip_controls("第一行\r\n第二行\r第三行\t\x1b", multiline=True) == "第一行\n第二行\n第三行\t"
    assert strip_controls("甲\n乙\t丙") == "甲 乙 丙"
    plain = "没有控制字符的文本"
    assert strip_controls(plain) is plain
    assert normalize_text(" 张\u202e三 \x1b ") == "张三"


@pytest.mark.django_db
def test_model_save_strips_controls_from_every_text_field(tree):
    org = organization_create(code="C-A-9", name="甲镇\u202e西村\x1b党支部", org_type="branch", parent=tree.town_a,
                              unit_category="village", founded_date=dt.date(1990, 1, 1))
    org.refresh_from_db()
    assert org.name == "甲镇西村党支部"
    person = Person.objects.get(pk=tree.member_a1_1.pk)
    person.name = "张\u2066伟\u2069\x1b"
    person.save()
    assert Person.objects.get(pk=person.pk).name == "张伟"


@pytest.mark.django_db
def test_import_strips_controls_from_cells(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    result = import_roster(csv_bytes([ROSTER_HEADERS, member_row(name="赵\x1b[2J\u202e敏", id_number=number)]),
                           user=tree.town_user, filename="花名册.csv")
    assert result.created == 1
    assert Person.objects.get(id_number_hash=Person.hash_id_number(number)).name == "赵[2J敏"
    assert not PartyOrganization.objects.filter(name__contains="\x1b").exists()
