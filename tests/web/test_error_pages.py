"""Chinese 403/404/500 pages in every mode, the demo's ``DEBUG`` included (issue #8 item 9)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def client_in_mode(request, settings, tree):
    settings.DEBUG = request.param
    client = Client(raise_request_exception=False)
    assert client.login(username="branch_a1", password=PASSWORD)
    return client


def test_missing_page_is_chinese(client_in_mode):
    response = client_in_mode.get("/no-such-page/")
    text = response.content.decode()
    assert response.status_code == 404 and "未找到" in text
    assert "Page not found" not in text and "URLconf" not in text


def test_out_of_scope_object_is_chinese_404(client_in_mode, tree):
    response = client_in_mode.get(f"/people/{tree.member_b1_1.pk}/")
    text = response.content.decode()
    assert response.status_code == 404 and "不在您的数据范围内" in text and tree.member_b1_1.name not in text
    assert "Traceback" not in text and "Page not found" not in text


def test_server_error_is_chinese_without_traceback(client_in_mode, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("zugong.core.views.home_widgets_for", boom)
    response = client_in_mode.get("/")
    text = response.content.decode()
    assert response.status_code == 500 and "系统错误" in text
    assert "secret internals" not in text and "Traceback" not in text


def test_api_404_stays_json(client_in_mode):
    response = client_in_mode.get("/api/people/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
