"""党员名册: a full 公民身份号码 typed into the 姓名 search finds that person through the lookup hash, in
the roster's scope (page and API); a partial number finds nobody."""

import re

import pytest
from django.urls import reverse

from tests import factories
from zugong.people.models import Person

URL = reverse("party:member_list")
API = "/api/members/"


def page_names(client, user, value):
    client.force_login(user)
    response = client.get(URL, {"name": value})
    assert response.status_code == 200
    return sorted(re.findall(r'<a href="/people/\d+/">([^<]*)</a>', response.content.decode()))


def api_names(client, user, value):
    client.force_login(user)
    response = client.get(API, {"name": value})
    assert response.status_code == 200
    return sorted(item["name"] for item in response.json()["results"])


def spaced_fullwidth(number: str) -> str:
    """How a number pasted from a document may look: full-width digits, a space, lower-case x."""
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)
    return f" {wide[:6]} {wide[6:]} "


@pytest.mark.django_db
@pytest.mark.parametrize("search", [page_names, api_names], ids=["page", "api"])
def test_full_id_number_finds_the_person_in_scope(client, tree, search):
    number = tree.member_a1_1.id_number
    other = tree.member_b1_1.id_number
    assert search(client, tree.county_user, number) == [tree.member_a1_1.name]
    assert search(client, tree.county_user, spaced_fullwidth(number)) == [tree.member_a1_1.name]
    assert search(client, tree.town_user, number) == [tree.member_a1_1.name]
    assert search(client, tree.branch_user, number) == [tree.member_a1_1.name]
    # outside the roster's scope: nothing
    assert search(client, tree.branch_user, other) == []
    assert search(client, tree.nogrant_user, number) == []
    # a partial number, or the number with a wrong last character, finds nobody
    assert search(client, tree.county_user, number[:17]) == []
    assert search(client, tree.county_user, number[-6:]) == []
    assert search(client, tree.county_user, number[:17] + ("0" if number[-1] != "0" else "1")) == []
    # a view-only user (the roster shows him masked numbers) cannot test guesses against them
    viewer = factories.make_user("viewer", "viewer", tree.county)
    assert search(client, viewer, tree.member_a1_1.name) == [tree.member_a1_1.name]
    assert search(client, viewer, number) == []


@pytest.mark.django_db
def test_id_search_is_one_indexed_equality_never_decrypting(client, tree, monkeypatch):
    number = tree.member_a1_1.id_number

    def refuse(self):
        raise AssertionError("the search must not decrypt ID numbers")

    monkeypatch.setattr(Person, "id_number", property(refuse))
    assert api_names(client, tree.county_user, number) == [tree.member_a1_1.name]
