"""Records imported without 民族/学历/工作岗位 (issue #9): stored blank, shown as 「未填」 on the pages,
``""`` in the API and an empty cell in the export; the 年报 工作岗位 row shown where kept and carried by a
transfer; hand entry stays strict (the edit form does not pre-select a 民族)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zugong.party.exporters import export_roster
from zugong.party.models import Membership
from zugong.party.services import membership_transfer
from zugong.people.forms import PersonEditForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def blank(tree):
    """张伟 of C-A-1 with 民族, 学历 and 工作岗位 not recorded."""
    person = tree.member_a1_1
    type(person).objects.filter(pk=person.pk).update(ethnicity="", education_level="")
    Membership.objects.filter(person=person).update(occupation="", occupation_detail="")
    person.refresh_from_db()
    return person


def cells(html: str, name: str) -> str:
    """The text of the roster table row holding ``name``."""
    start = html.index(f">{name}<")
    return html[start:html.index("</tr>", start)]


def test_member_list_and_person_page_show_unfilled(client, tree, blank):
    client.force_login(tree.town_user)
    page = client.get(reverse("party:member_list")).content.decode()
    row = cells(page, "张伟")
    assert row.count("未填") == 3
    other = cells(page, "李娜")
    assert "未填" not in other and "党政机关工作人员" in other
    detail = client.get(reverse("people:detail", args=[blank.pk])).content.decode()
    assert "<dt>民族</dt><dd>未填</dd>" in detail and "<dt>学历</dt><dd>未填</dd>" in detail
    assert "<dt>工作岗位</dt><dd>未填</dd>" in detail


def test_api_gives_blank_codes_and_labels(client, tree, blank):
    client.force_login(tree.town_user)
    rows = client.get("/api/members/", {"page_size": 100}).json()["results"]
    mine = next(r for r in rows if r["name"] == "张伟")
    assert (mine["ethnicity"], mine["ethnicity_label"], mine["education_level"], mine["occupation"],
            mine["occupation_label"]) == ("", "", "", "", "")


def test_export_writes_empty_cells(tree, blank):
    data = export_roster(user=tree.county_user, organization=tree.branch_a1, as_of=timezone.localdate())
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [str(c.value).rstrip("*") for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "张伟")
    assert [row[header.index(h)] for h in ("民族", "学历", "工作岗位")] == [None, None, None]
    assert row[header.index("性别")] == "男"


def test_annual_report_row_shown_and_kept_by_a_transfer(client, tree):
    person = tree.member_a1_1
    Membership.objects.filter(person=person).update(occupation="professional",
                                                    occupation_detail="institution_professional")
    client.force_login(tree.town_user)
    assert "事业单位专业技术人员" in cells(client.get(reverse("party:member_list")).content.decode(), "张伟")
    current = Membership.objects.get(person=person)
    new = membership_transfer(user=tree.town_user, person_id=person.pk, to_organization_id=tree.branch_a2.pk,
                              date=timezone.localdate(), expected_version=current.version)
    assert (new.occupation, new.occupation_detail) == ("professional", "institution_professional")
    current = new
    other = membership_transfer(user=tree.town_user, person_id=person.pk, to_organization_id=tree.branch_a1.pk,
                                date=timezone.localdate(), expected_version=current.version, occupation="学生")
    assert (other.occupation, other.occupation_detail) == ("student", "")


def test_edit_form_does_not_preselect_an_ethnicity(tree, blank):
    form = PersonEditForm.for_person(blank)
    assert form.initial["ethnicity"] == ""
    assert form.fields["ethnicity"].choices[0] == ("", "—请选择—")
    html = str(form["ethnicity"])
    assert '<option value="" selected>' in html
    data = {"version": blank.version, "name": blank.name, "sex": "1", "ethnicity": "",
            "birth_date": blank.birth_date.isoformat(), "education_level": "", "political_status": "01"}
    bound = PersonEditForm.for_person(blank, data)
    assert not bound.is_valid() and "ethnicity" in bound.errors  # hand entry stays strict


def test_stats_do_not_count_a_blank_ethnicity_as_minority(tree, blank):
    from zugong.party.rules import ethnicity_groups
    from zugong.people.models import Person

    han, minority = ethnicity_groups(on=dt.date.today())
    assert not minority.contains("") and not han.contains("")
    assert not Person.objects.filter(minority.q(), pk=blank.pk).exists()
