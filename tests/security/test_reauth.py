"""Re-authentication before unmasking, exporting and changing grants (within 5 minutes)."""

from __future__ import annotations

import json
import time

import pytest

from tests.factories import PASSWORD
from tests.security.helpers import login, set_session
from zugong.accounts.services import REAUTH_SESSION_KEY
from zugong.audit.models import AuditEvent


@pytest.mark.django_db
def test_stale_reauth_redirects_get_to_reauth_and_back(sec, client):
    login(client, sec.secadm, reauth=False)
    set_session(client, **{REAUTH_SESSION_KEY: int(time.time()) - 301})
    response = client.get("/accounts/grants/new/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauth/?next=%2Faccounts%2Fgrants%2Fnew%2F"
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "/accounts/grants/new/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/grants/new/"
    assert client.get("/accounts/grants/new/").status_code == 200
    assert AuditEvent.objects.filter(kind="reauth", actor_id=sec.secadm.pk).exists()


@pytest.mark.django_db
def test_reauth_next_cannot_leave_the_site(sec, client):
    login(client, sec.secadm, reauth=False)
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "//evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_wrong_reauth_passwords_lock_and_log_out(sec, client):
    login(client, sec.county_user, reauth=False)
    for _ in range(4):
        response = client.post("/accounts/reauth/", {"password": "Not-The-Password-1"})
        assert response.status_code == 200 and "密码错误" in response.content.decode()
    response = client.post("/accounts/reauth/", {"password": "Not-The-Password-1"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    sec.county_user.refresh_from_db()
    assert sec.county_user.is_locked
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_htmx_post_without_reauth_gets_fragment(sec, client):
    login(client, sec.county_user, reauth=False)
    person = sec.member_a1_1
    response = client.post(f"/people/{person.pk}/unmask/", {"reason": "核对档案"}, HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL=f"http://testserver/people/{person.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/accounts/reauth/?next=%2Fpeople%2F" in html
    assert person.id_number not in html
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_api_without_reauth_gets_403_json(sec, client):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from zugong.accounts.decorators import require_recent_reauth

    view = require_recent_reauth(lambda request: HttpResponse("ok"))
    request = RequestFactory().post("/api/anything/")
    request.user = sec.county_user
    request.session = {}
    response = view(request)
    assert response.status_code == 403
    assert "重新验证" in json.loads(response.content)["detail"]
