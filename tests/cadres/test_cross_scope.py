"""What a cadre worker sees of data outside the labels and units granted (issue #12 security review):
an appointment to a post of another unit's subtree, and the 年度考核结果 text of the appointment form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_cadre, make_post, make_user
from zugong.accounts.models import Role
from zugong.accounts.services import grant_role
from zugong.cadres.lrmx.mapping import form_from_cadre
from zugong.cadres.models import Appointment
from zugong.cadres.selectors import post_facts

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 30)


@pytest.fixture
def seconded(ct):
    """A 甲镇 cadre (U-A) holding, since 2022, a post of 乙镇 (U-B, outside ``cadre_user``'s scope)."""
    ct.cadre = make_cadre(ct.unit_town_a, "借调干部", current_post_title="甲镇农业服务中心主任",
                          assessment_summary="2023年度考核为优秀")
    foreign_post = make_post(ct.unit_town_b, "乙镇副镇长（挂职）", level="142")  # the unit name, then the post's
    Appointment.objects.create(cadre=ct.cadre, post=foreign_post, start_date=dt.date(2022, 1, 1))
    return ct


def test_post_facts_show_only_appointments_in_scope(seconded):
    t = seconded
    mine = post_facts([t.cadre], DAY, user=t.cadre_user)[t.cadre.pk]
    assert mine.post is None and mine.post_title == "甲镇农业服务中心主任" and mine.level == ""
    everything = post_facts([t.cadre], DAY, user=t.county_user)[t.cadre.pk]
    assert everything.post_title == "乙镇乙镇副镇长（挂职）" and everything.level == "142"


def test_pages_and_api_do_not_name_the_foreign_post(seconded, client):
    t = seconded
    client.force_login(t.cadre_user)
    for url in (reverse("cadres:cadre_list"), reverse("cadres:cadre_detail", args=[t.cadre.pk]),
                reverse("api:cadre-eligibility-eligibility", args=[t.cadre.pk]) + "?level=141&as_of=2024-06-30"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "挂职" not in response.content.decode(), url
    assert "挂职" not in form_from_cadre(t.cadre, as_of=DAY, user=t.cadre_user).current_post


def test_assessment_summary_needs_the_assessment_label(seconded, client):
    t = seconded
    viewer = make_user("cadre_viewer_only")
    Role.objects.create(code="cadre_view_only", name="干部信息查看", permissions=["cadre.view", "cadre.export"])
    grant_role(user=viewer, role_code="cadre_view_only", unit=t.unit_town_a)
    client.force_login(viewer)
    page = client.get(reverse("cadres:cadre_detail", args=[t.cadre.pk])).content.decode()
    assert "2023年度考核为优秀" not in page
    api = client.get(f"/api/cadres/{t.cadre.pk}/").json()
    assert api["assessment_summary"] is None
    assert form_from_cadre(t.cadre, as_of=DAY, user=viewer).assessment_results == ""
    client.force_login(t.cadre_user)  # 干部工作人员: assessment.view
    assert "2023年度考核为优秀" in client.get(reverse("cadres:cadre_detail", args=[t.cadre.pk])).content.decode()
    assert form_from_cadre(t.cadre, as_of=DAY, user=t.cadre_user).assessment_results == "2023年度考核为优秀"


def test_a_cadre_moved_out_of_scope_meanwhile_is_not_written(ct, monkeypatch):
    """The scope is checked again inside the write's transaction (design.md rule 1): a cadre moved to 乙镇
    between the first check and the write is refused and nothing is written."""
    from zugong.cadres.models import Cadre
    from zugong.cadres.record import services
    from zugong.core.errors import OutOfScope

    cadre = make_cadre(ct.unit_town_a, "调动干部", health="良好")
    real_clean = services.clean_profile

    def clean_then_moved(values, *, today):
        Cadre.objects.filter(pk=cadre.pk).update(unit=ct.unit_town_b)  # another session moves the cadre
        return real_clean(values, today=today)

    monkeypatch.setattr(services, "clean_profile", clean_then_moved)
    with pytest.raises(OutOfScope):
        services.cadre_update(user=ct.cadre_user, cadre_id=cadre.pk, expected_version=cadre.version,
                              changes={"health": "健康"})
    assert Cadre.objects.get(pk=cadre.pk).health == "良好"
