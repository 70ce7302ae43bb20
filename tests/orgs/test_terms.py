"""党组织届次 (``OrganizationTerm``, issue #10): the term rule (3 years; 5 for a 党委, a village or a
community), the services' checks (each naming its field), the organization page, the API and the 党组织
sheet's columns 本届任期开始 / 届满日期 / 换届日期 — bad input writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.imports.helpers import ORG_HEADERS, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.orgs.importers import import_organizations
from zugong.orgs.models import OrganizationTerm
from zugong.orgs.services import organization_create
from zugong.orgs.terms import default_years, term_in_force, term_record, term_state, term_update

D = dt.date
TERM_HEADERS = [*ORG_HEADERS, "换届日期", "本届任期开始", "届满日期"]


def _errors(caught) -> dict[str, str]:
    return {e.column: e.reason for e in caught.value.errors}


def test_default_term_lengths(tree):
    t = tree
    assert default_years(t.branch_a1) == 3  # a 机关 branch
    assert default_years(t.branch_a2) == 5  # a village branch
    assert default_years(t.town_a) == 5  # a 党委
    assert default_years(t.county) == 5


def test_record_with_defaults_and_audit(tree):
    t = tree
    term = term_record(user=t.town_user, organization_id=t.branch_a1.pk, election_date="2022-03-15")
    assert (term.election_date, term.start_date, term.end_date) == (D(2022, 3, 15), D(2022, 3, 15), D(2025, 3, 15))
    village = term_record(user=t.town_user, organization_id=t.branch_a2.pk, election_date=D(2021, 1, 10),
                          start_date=D(2021, 1, 12))
    assert (village.start_date, village.end_date) == (D(2021, 1, 12), D(2026, 1, 12))
    event = AuditEvent.objects.filter(kind="organization_term_record").latest("pk")
    assert event.data["organization"] == "C-A-2" and event.data["end_date"] == "2026-01-12"


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"election_date": ""}, "换届日期", "必填项为空"),
    ({"election_date": "2099-01-01"}, "换届日期", "晚于今天"),
    ({"election_date": "1950-01-01"}, "换届日期", "早于该组织的成立日期"),  # founded 1960
    ({"election_date": "2022-03-15", "start_date": "2022-03-01"}, "本届任期开始", "早于换届日期"),
    ({"election_date": "2022-03-15", "end_date": "2022-03-15"}, "届满日期", "应晚于本届任期开始"),
    ({"election_date": "2022-03-15", "end_date": "2029-01-01"}, "届满日期", "超过 6 年"),
    ({"election_date": "2022-13-45"}, "换届日期", ""),
])
def test_record_refuses_bad_terms_and_writes_nothing(tree, kwargs, field, words):
    with pytest.raises(ValidationFailed) as caught:
        term_record(user=tree.town_user, organization_id=tree.branch_a1.pk, **kwargs)
    assert words in _errors(caught)[field]
    assert not OrganizationTerm.objects.exists()


def test_only_elected_organizations_have_terms_and_one_term_per_start(tree):
    t = tree
    group = organization_create(parent=t.branch_a1, code="C-A-1-G", name="第一党小组", org_type="party_group",
                                founded_date=D(2000, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        term_record(user=t.town_user, organization_id=group.pk, election_date="2022-01-01")
    assert "不实行任期制" in _errors(caught)["换届日期"]
    term_record(user=t.town_user, organization_id=t.branch_a1.pk, election_date="2022-01-01")
    with pytest.raises(ValidationFailed) as caught:
        term_record(user=t.town_user, organization_id=t.branch_a1.pk, election_date="2022-01-01")
    assert "已登记 2022-01-01 开始的届次" in _errors(caught)["本届任期开始"]
    assert OrganizationTerm.objects.count() == 1


def test_scope(tree):
    t = tree
    with pytest.raises(OutOfScope):
        term_record(user=t.town_user, organization_id=t.branch_b1.pk, election_date="2022-01-01")
    term = term_record(user=t.county_user, organization_id=t.branch_b1.pk, election_date="2022-01-01")
    with pytest.raises(OutOfScope):
        term_update(user=t.town_user, term_id=term.pk, expected_version=term.version, changes={"end_date": "2025-06-01"})


def test_update_and_the_term_in_force(tree):
    t = tree
    first = term_record(user=t.town_user, organization_id=t.branch_a1.pk, election_date="2019-06-01")
    second = term_record(user=t.town_user, organization_id=t.branch_a1.pk, election_date="2022-05-20")  # early 换届
    terms = [first, second]
    assert term_in_force(terms, D(2019, 5, 31)) is None
    assert term_in_force(terms, D(2022, 5, 19)) == first
    assert term_in_force(terms, D(2022, 5, 20)) == second
    assert term_state(terms, D(2025, 5, 20)) == {"current": second, "expired": True, "days_left": 0, "days_overdue": 0}
    assert term_state(terms, D(2025, 5, 30))["days_overdue"] == 10
    changed = term_update(user=t.town_user, term_id=second.pk, expected_version=second.version,
                          changes={"end_date": "2026-05-20"})
    assert changed.end_date == D(2026, 5, 20) and changed.version == second.version + 1
    with pytest.raises(ConcurrentEdit):
        term_update(user=t.town_user, term_id=second.pk, expected_version=second.version, changes={"end_date": ""})
    with pytest.raises(ValidationFailed) as caught:
        term_update(user=t.town_user, term_id=second.pk, expected_version=changed.version,
                    changes={"election_date": "2019-06-01", "start_date": "2019-06-01", "end_date": ""})
    assert "已登记 2019-06-01" in _errors(caught)["本届任期开始"]
    # an empty 届满日期 takes the default again
    again = term_update(user=t.town_user, term_id=second.pk, expected_version=changed.version, changes={"end_date": ""})
    assert again.end_date == D(2025, 5, 20)


# --- pages ----------------------------------------------------------------------------------------------


def test_organization_page_and_forms(tree, client):
    t = tree
    client.login(username="town_a", password=PASSWORD)
    detail = reverse("orgs:detail", args=[t.branch_a2.pk])
    page = client.get(detail).content.decode()
    assert "换届（0）" in page and "未登记届次" in page and reverse("orgs:term_create", args=[t.branch_a2.pk]) in page
    response = client.post(reverse("orgs:term_create", args=[t.branch_a2.pk]), {"election_date": "2020-01-08"})
    assert response.status_code == 302
    term = OrganizationTerm.objects.get(organization=t.branch_a2)
    assert term.end_date == D(2025, 1, 8)  # a village: 5 years
    page = client.get(detail).content.decode()
    assert "2020-01-08 至 2025-01-08" in page and "任届期满" in page
    bad = client.post(reverse("orgs:term_create", args=[t.branch_a2.pk]),
                      {"election_date": "2024-01-08", "end_date": "2023-01-01"})
    assert bad.status_code == 400 and "应晚于本届任期开始" in bad.content.decode()
    edit = reverse("orgs:term_edit", args=[term.pk])
    response = client.post(edit, {"version": term.version, "election_date": "2020-01-08", "start_date": "2020-01-08",
                                  "end_date": "2025-06-30"})
    assert response.status_code == 302
    stale = client.post(edit, {"version": term.version, "election_date": "2020-01-08", "start_date": "2020-01-08",
                               "end_date": "2025-07-30"})
    assert stale.status_code == 409
    assert OrganizationTerm.objects.get(pk=term.pk).end_date == D(2025, 6, 30)
    client.logout()
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(edit).status_code == 404
    assert client.post(reverse("orgs:term_create", args=[t.branch_a2.pk]), {"election_date": "2021-01-08"}).status_code == 404


# --- API ------------------------------------------------------------------------------------------------


def test_api(tree, client):
    t = tree
    client.login(username="town_a", password=PASSWORD)
    url = reverse("api:organization-terms-terms", kwargs={"pk": t.branch_a1.pk})
    created = client.post(url, {"election_date": "2023-02-01"}, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["organization_code"], body["start_date"], body["end_date"]) == ("C-A-1", "2023-02-01", "2026-02-01")
    assert [r["id"] for r in client.get(url).json()] == [body["id"]]
    bad = client.post(url, {"election_date": "2023-02-01"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "本届任期开始"
    detail = reverse("api:organization-term-detail", kwargs={"pk": body["id"]})
    patched = client.patch(detail, {"version": body["version"], "end_date": "2026-03-01"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["end_date"] == "2026-03-01"
    assert client.patch(detail, {"version": body["version"], "end_date": "2026-04-01"},
                        content_type="application/json").status_code == 409
    listed = client.get(reverse("api:organization-term-list"), {"organization": "C-A-1"}).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    client.logout()
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(url).status_code == 404 and client.get(detail).status_code == 404
    assert client.post(url, {"election_date": "2024-02-01"}, content_type="application/json").status_code == 404
    assert OrganizationTerm.objects.count() == 1


# --- the 党组织 sheet ------------------------------------------------------------------------------------


def _import(rows, user, headers=TERM_HEADERS):
    return import_organizations(xlsx([headers, *rows]), user=user, filename="党组织.xlsx")


def test_import_records_terms_and_is_idempotent(tree):
    t = tree
    rows = [["C-A-1", "甲镇机关党支部", "C-A", "党支部", "机关", "1960-01-01", "2022-03-15", "", ""],
            ["C-A-2", "甲镇东村党支部", "C-A", "党支部", "行政村", "1960-01-01", "", "2021-01-10", ""],
            ["C-A-3", "甲镇西村党支部", "C-A", "党支部", "行政村", "2001-01-01", "2023-06-01", "2023-06-01", "2028-06-01"],
            ["C-A", "甲镇党委", "C", "党委", "乡镇", "1958-01-01", "", "", ""]]
    result = _import(rows, t.town_user)
    assert result.details["terms"] == 3
    terms = {(o.organization.code, o.election_date, o.start_date, o.end_date)
             for o in OrganizationTerm.objects.select_related("organization")}
    assert terms == {("C-A-1", D(2022, 3, 15), D(2022, 3, 15), D(2025, 3, 15)),
                     ("C-A-2", D(2021, 1, 10), D(2021, 1, 10), D(2026, 1, 10)),
                     ("C-A-3", D(2023, 6, 1), D(2023, 6, 1), D(2028, 6, 1))}  # the new organization too
    again = _import(rows, t.town_user)
    assert again.details["terms"] == 0 and OrganizationTerm.objects.count() == 3
    rows[0][8] = "2025-12-31"  # the same term (same start): corrected
    rows[1][6:9] = ["2026-01-05", "", ""]  # a new term of the village
    third = _import(rows, t.town_user)
    assert third.details["terms"] == 2
    assert OrganizationTerm.objects.get(organization__code="C-A-1").end_date == D(2025, 12, 31)
    assert OrganizationTerm.objects.filter(organization__code="C-A-2").count() == 2


def test_import_errors_name_the_row_and_column_and_write_nothing(tree):
    t = tree
    before = OrganizationTerm.objects.count()
    rows = [["C-A-1", "甲镇机关党支部", "C-A", "党支部", "机关", "1960-01-01", "2022-03-15", "", "2022-01-01"],
            ["C-A-9", "甲镇新支部", "C-A", "党支部", "", "2024-01-01", "2023-01-01", "", ""],
            ["C-A-G", "甲镇机关第一党小组", "C-A-1", "党小组", "", "2000-01-01", "2023-01-01", "", ""],
            ["C-A-2", "甲镇东村党支部", "C-A", "党支部", "行政村", "1960-01-01", "", "", "2027-01-01"]]
    with pytest.raises(ValidationFailed) as caught:
        _import(rows, t.town_user)
    found = {(e.row, e.column): e.reason for e in caught.value.errors}
    assert "应晚于本届任期开始" in found[(2, "届满日期")]
    assert "早于该组织的成立日期" in found[(3, "换届日期")]
    assert "不实行任期制" in found[(4, "换届日期")]
    assert "换届日期或本届任期开始至少填写一项" in found[(5, "换届日期")]
    assert OrganizationTerm.objects.count() == before
    assert not t.branch_a1.__class__.objects.filter(code__in=["C-A-9", "C-A-G"]).exists()
