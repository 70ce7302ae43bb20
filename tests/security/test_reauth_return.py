"""After re-entering the password the user is back where he was going: a GET to that page, a POST to
the form page (as GET, with the message to submit again — the POST is never replayed); a ``next``
leaving the site goes home."""

from __future__ import annotations

import time

import pytest

from tests.factories import PASSWORD
from tests.security.helpers import login, set_session
from zugong.accounts.services import REAUTH_SESSION_KEY
from zugong.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

AGAIN = "身份已验证。刚才提交的操作尚未执行，请再次提交。"


def stale(client, user):
    login(client, user, reauth=False)
    set_session(client, **{REAUTH_SESSION_KEY: int(time.time()) - 301})


@pytest.mark.parametrize("referer", [None, "/people/{pk}/unmask/"], ids=["no-referer", "referer"])
def test_unmask_page_reauth_and_back_to_the_form(sec, client, referer):
    person = sec.member_a1_1
    page = f"/people/{person.pk}/unmask/"
    stale(client, sec.county_user)
    assert client.get(page).status_code == 200
    headers = {"HTTP_REFERER": "http://testserver" + referer.format(pk=person.pk)} if referer else {}
    response = client.post(page, {"reason": "核对档案"}, **headers)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauth/?next=%2Fpeople%2F{person.pk}%2Funmask%2F&resubmit=1"
    assert not AuditEvent.objects.filter(kind="unmask").exists()

    reauth_page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="/people/{person.pk}/unmask/"' in reauth_page
    assert 'name="resubmit" value="1"' in reauth_page and "尚未执行" in reauth_page

    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": page, "resubmit": "1"})
    assert response.status_code == 302 and response["Location"] == page
    back = client.get(page)
    html = back.content.decode()
    assert back.status_code == 200 and AGAIN in html
    assert person.id_number not in html and not AuditEvent.objects.filter(kind="unmask").exists()
    response = client.post(page, {"reason": "核对档案"})
    assert response.status_code == 200 and person.id_number in response.content.decode()


def test_get_comes_back_without_the_resubmit_message(sec, client):
    stale(client, sec.secadm)
    response = client.get("/accounts/grants/new/?role=viewer")
    assert response["Location"] == "/accounts/reauth/?next=%2Faccounts%2Fgrants%2Fnew%2F%3Frole%3Dviewer"
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "/accounts/grants/new/?role=viewer"})
    assert response["Location"] == "/accounts/grants/new/?role=viewer"
    assert AGAIN not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_unsafe_next_goes_home(sec, client, target):
    stale(client, sec.county_user)
    page = client.get("/accounts/reauth/", {"next": target}).content.decode()
    assert "evil.example" not in page and "javascript:" not in page
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_unsafe_referer_of_a_post_falls_back_to_the_form_page(sec, client):
    person = sec.member_a1_1
    stale(client, sec.county_user)
    response = client.post(f"/people/{person.pk}/unmask/", {"reason": "核对档案"},
                           HTTP_REFERER="https://evil.example/phish")
    assert response["Location"] == f"/accounts/reauth/?next=%2Fpeople%2F{person.pk}%2Funmask%2F&resubmit=1"
