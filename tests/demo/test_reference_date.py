"""While the demo dataset (as of 2023-12-31) is installed, the roster, the statistics and the home page
default their 截至日期 to that date, with a visible note; a date the user chooses is taken as given;
without the demo the default stays today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from zugong.demo import distributions as D
from zugong.demo.generator import demo_root, generate
from zugong.demo.reference import NOTE, default_as_of

NOTE_TEXT = "演示数据截至 2023-12-31"


@pytest.fixture
def demo_user(db):
    generate(scale=100_000, seed=2023, workers=0)
    return factories.make_user("demo_county", "org_department", demo_root())


def test_default_is_today_without_the_demo(tree):
    assert default_as_of() == (timezone.localdate(), "")


def test_roster_defaults_to_the_demo_date(client, demo_user):
    assert default_as_of() == (D.REFERENCE_DATE, NOTE) and NOTE_TEXT in NOTE
    client.force_login(demo_user)
    response = client.get(reverse("party:member_list"), {"category": "probationary"})
    assert response.context["as_of"] == dt.date(2023, 12, 31) and response.context["total"] > 0
    assert NOTE_TEXT in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.get(reverse("party:member_list"), {"as_of": today})
    assert response.context["as_of"].isoformat() == today and NOTE_TEXT not in response.content.decode()
    # the API shares the filter set: the same default
    data = client.get("/api/members/", {"category": "probationary"}).json()
    assert data["count"] == client.get(reverse("party:member_list"), {"category": "probationary"}).context["total"]


def test_statistics_default_to_the_demo_date(client, demo_user):
    client.force_login(demo_user)
    response = client.get(reverse("reports:party_stats"))
    assert response.status_code == 200 and response.context["as_of"] == dt.date(2023, 12, 31)
    assert response.context["stats"]["发展党员"]["合计"] > 0 and NOTE_TEXT in response.content.decode()
    response = client.get(reverse("reports:party_stats"), {"as_of": "2024-06-30"})
    assert response.context["as_of"] == dt.date(2024, 6, 30) and NOTE_TEXT not in response.content.decode()
    response = client.get(reverse("reports:party_stats"), {"as_of": "2024-02-31"})
    assert response.context["as_of"] == dt.date(2023, 12, 31) and "已按 2023-12-31 统计" in response.content.decode()


def test_home_figures_default_to_the_demo_date(client, demo_user):
    client.force_login(demo_user)
    html = client.get(reverse("home")).content.decode()
    assert NOTE_TEXT in html and "2023年发展党员" in html and "1月1日至12月31日入党" in html
    from zugong.reports.home import scope_figures

    figures = scope_figures(demo_user, None)
    assert figures["today"] == dt.date(2023, 12, 31)
    assert figures["figures"]["probationary"] > 0 and figures["figures"]["developed"] > 0
