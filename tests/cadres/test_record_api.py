"""/api/cadres/ (cadres.record.api): scoped list and detail with the child records, create and PATCH through
the services (400 by field, 404 outside, 409 stale)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from zugong.cadres.models import AnnualAssessment, Cadre, Education, FamilyMember, ResumeEntry
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
LIST = reverse("api:cadre-list")


def one(cadre) -> str:
    return reverse("api:cadre-detail", args=[cadre.pk])


@pytest.fixture
def data(ct):
    ct.mine = factories.make_cadre(ct.unit_firm_a, "甲厂干部")
    ct.foreign = factories.make_cadre(ct.unit_town_b, "乙镇干部")
    Education.objects.create(cadre=ct.mine, category="full_time", education_text="大学本科", education_level="20",
                             school="某大学")
    ResumeEntry.objects.create(cadre=ct.mine, start_date=dt.date(2002, 7, 1), text="甲厂技术员")
    FamilyMember.objects.create(cadre=ct.mine, relation="父亲", name="某父", deceased=True)
    AnnualAssessment.objects.create(cadre=ct.mine, year=2023, grade="excellent")
    return ct


def test_list_is_scoped_and_filterable(client, data):
    client.force_login(data.cadre_user)
    rows = client.get(LIST).json()["results"]
    assert [r["name"] for r in rows] == ["甲厂干部"] and rows[0]["unit"] == "U-A-E"
    client.force_login(data.county_user)
    assert {r["name"] for r in client.get(LIST).json()["results"]} == {"甲厂干部", "乙镇干部"}
    assert [r["name"] for r in client.get(LIST, {"unit": "U-B"}).json()["results"]] == ["乙镇干部"]


def test_list_query_count_does_not_grow(client, data):
    client.force_login(data.county_user)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    for i in range(8):
        factories.make_cadre(data.unit_town_a, f"干部{i}")
    with CaptureQueriesContext(connection) as big:
        assert len(client.get(LIST).json()["results"]) == 10
    assert len(small.captured_queries) == len(big.captured_queries)


def test_detail_has_the_child_records(client, data):
    client.force_login(data.cadre_user)
    body = client.get(one(data.mine)).json()
    assert [e["school"] for e in body["educations"]] == ["某大学"]
    assert [(r["start_date"], r["end_date"], r["text"]) for r in body["resume"]] == [("2002-07-01", None, "甲厂技术员")]
    assert body["family"][0]["deceased"] is True
    assert [(a["year"], a["grade"]) for a in body["assessments"]] == [(2023, "excellent")]
    assert body["photo"] is None
    assert client.get(one(data.foreign)).status_code == 404
    client.force_login(data.town_user)  # no cadre label
    assert client.get(one(data.mine)).status_code == 404


def test_create_and_patch(client, data):
    client.force_login(data.cadre_user)
    birth = dt.date(1990, 1, 31)
    body = {"unit_code": "U-A", "name": "接口干部", "id_number": factories.make_id(birth, "1"), "sex": "1",
            "ethnicity": "汉族", "birth_date": "1990-01-31", "profile": {"native_place": "山东济南"}}
    response = client.post(LIST, body, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["name"], created["native_place"], created["unit"]) == ("接口干部", "山东济南", "U-A")
    bad = client.post(LIST, {**body, "id_number": factories.make_id(birth, "1"), "birth_date": "1990-02-01"},
                      content_type="application/json")
    assert bad.status_code == 400 and any(e["column"] == "出生日期" for e in bad.json()["errors"])
    foreign = client.post(LIST, {**body, "unit_code": "U-B", "id_number": factories.make_id(birth, "1")},
                          content_type="application/json")
    assert foreign.status_code == 404 and Person.objects.filter(name="接口干部").count() == 1
    url = reverse("api:cadre-detail", args=[created["id"]])
    patched = client.patch(url, {"version": created["version"], "health": "健康", "name": "接口改名"},
                           content_type="application/json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["health"], patched.json()["name"]) == ("健康", "接口改名")
    stale = client.patch(url, {"version": created["version"], "health": "一般"}, content_type="application/json")
    assert stale.status_code == 409
    assert Cadre.objects.get(pk=created["id"]).health == "健康"
    client.force_login(data.cadre_b_user)
    assert client.patch(url, {"version": patched.json()["version"], "health": "x"},
                        content_type="application/json").status_code == 404
