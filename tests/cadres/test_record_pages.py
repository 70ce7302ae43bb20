"""Pages of the cadre record (cadres.record.views): the roster shows mine and not foreign, a user without
the cadre label sees no cadre at all, the list's query count does not grow with the rows, the profile's
tabs (résumé lines and warnings, registered tabs and buttons), the photo, the edit pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from tests import factories
from zugong.cadres import panels
from zugong.cadres.models import Appointment, Cadre, CadrePhoto, ResumeEntry
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
LIST = reverse("cadres:cadre_list")


def detail(cadre) -> str:
    return reverse("cadres:cadre_detail", args=[cadre.pk])


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 50), (1, 2, 3)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def two(ct):
    ct.mine = factories.make_cadre(ct.unit_town_a, "甲镇干部", current_post_title="甲镇副镇长")
    ct.mine_firm = factories.make_cadre(ct.unit_firm_a, "农机厂干部", sex="2")
    ct.foreign = factories.make_cadre(ct.unit_town_b, "乙镇干部")
    return ct


def test_roster_shows_mine_not_foreign(client, two):
    client.force_login(two.cadre_user)
    response = client.get(LIST)
    assert response.status_code == 200
    listed = {c.pk for c in response.context["object_list"]}
    assert listed == {two.mine.pk, two.mine_firm.pk}
    html = response.content.decode()
    assert "甲镇干部" in html and "甲镇副镇长" in html and "乙镇干部" not in html and "乙镇" not in html
    # the unit tree: 甲镇 and its sub-unit, not 乙镇
    names = [n.unit.name for n in response.context["tree"]]
    assert names == ["甲镇"] and [c.unit.name for c in response.context["tree"][0].children] == ["甲镇农机厂"]


def test_roster_filters(client, two):
    client.force_login(two.county_user)
    assert {c.pk for c in client.get(LIST, {"unit": "U-A-E"}).context["object_list"]} == {two.mine_firm.pk}
    assert {c.pk for c in client.get(LIST, {"unit": "U-B"}).context["object_list"]} == {two.foreign.pk}
    assert {c.pk for c in client.get(LIST, {"sex": "2"}).context["object_list"]} == {two.mine_firm.pk}
    assert {c.pk for c in client.get(LIST, {"name": "乙镇"}).context["object_list"]} == {two.foreign.pk}
    assert {c.pk for c in client.get(LIST, {"education": "2"}).context["object_list"]} == {
        two.mine.pk, two.mine_firm.pk, two.foreign.pk}
    Cadre.objects.filter(pk=two.mine.pk).update(status="retired")
    assert {c.pk for c in client.get(LIST, {"status": "serving"}).context["object_list"]} == {
        two.mine_firm.pk, two.foreign.pk}
    # a unit outside the cadre scope is an invalid filter: nothing listed
    client.force_login(two.cadre_user)
    response = client.get(LIST, {"unit": "U-B"})
    assert response.context["object_list"] == [] and response.context["filter_errors"]
    assert "乙镇干部" not in response.content.decode()


def test_user_without_the_cadre_label_sees_no_cadre(client, two):
    """党务工作者 on 甲镇 (basic and party labels): no roster rows, no navigation entry, no profile."""
    client.force_login(two.town_user)
    response = client.get(LIST)
    assert response.status_code == 200 and response.context["object_list"] == []
    assert "甲镇干部" not in response.content.decode()
    assert "干部名册" not in client.get(reverse("home")).content.decode()
    assert client.get(detail(two.mine)).status_code == 404
    assert client.get(reverse("api:cadre-list")).json()["results"] == []
    client.force_login(two.cadre_user)
    assert "干部名册" in client.get(reverse("home")).content.decode()


def _roster_queries(client, user) -> int:
    client.force_login(user)
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


ROSTER_QUERIES = 13


def test_roster_query_count_is_pinned(client, ct):
    """No N+1: the query count is the same for 2 cadres and for 12 with posts held (post facts in 2 queries)."""
    post = factories.make_post(ct.unit_town_a, "镇长", level="141", max_holders=20)
    for i in range(2):
        cadre = factories.make_cadre(ct.unit_town_a, f"干部{i}")
        Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2020, 1, 1))
    small = _roster_queries(client, ct.cadre_user)
    for i in range(2, 12):
        cadre = factories.make_cadre(ct.unit_firm_a if i % 2 else ct.unit_town_a, f"干部{i}")
        Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2020, 1, 1))
    big = _roster_queries(client, ct.cadre_user)
    assert small == big == ROSTER_QUERIES


def test_profile_tabs_resume_lines_and_warnings(client, two):
    d = dt.date
    for i, (start, end, text, study) in enumerate([
        (d(1994, 9, 1), d(1998, 7, 1), "浙江大学经济系学习", False),
        (d(1998, 7, 1), d(2003, 1, 1), "甲镇党政办科员", False),
        (d(2000, 9, 1), d(2003, 7, 1), "中央党校函授学院本科班学习", True),
        (d(2003, 3, 1), None, "甲镇副镇长", False),  # a gap of two months
    ]):
        ResumeEntry.objects.create(cadre=two.mine, position=i, start_date=start, end_date=end, text=text,
                                   in_service_study=study)
    client.force_login(two.cadre_user)
    response = client.get(detail(two.mine))
    html = response.content.decode()
    assert response.status_code == 200
    for tab in ("基本信息", "学历", "简历", "家庭成员", "奖惩", "考核", "历史"):
        assert f'role="tab" class="tab">{tab}' in html
    lines = [line.period for line in response.context["profile"].resume]
    assert lines == ["1994.09--1998.07", "1998.07--2003.01", "2000.09--2003.07", "2003.03--       "]
    assert "（其间：中央党校函授学院本科班学习）" in html and 'class="study"' in html
    assert [w.kind for w in response.context["profile"].resume_warnings] == ["gap"]
    assert "简历不连续（断档）" in html
    assert "乙镇干部" not in html


def test_profile_of_a_foreign_cadre_is_not_found(client, two):
    client.force_login(two.cadre_user)
    assert client.get(detail(two.foreign)).status_code == 404
    client.force_login(two.cadre_b_user)
    assert client.get(detail(two.foreign)).status_code == 200


def test_assessment_tab_needs_the_assessment_label(client, two):
    from zugong.accounts.models import Role, RoleGrant
    from zugong.cadres.models import AnnualAssessment

    AnnualAssessment.objects.create(cadre=two.mine, year=2023, grade="excellent", note="考核备注甲")
    client.force_login(two.cadre_user)
    assert "考核备注甲" in client.get(detail(two.mine)).content.decode()
    user = factories.make_user("cadre_reader")
    RoleGrant.objects.create(user=user, role=Role.objects.create(code="cr", name="干部查看", permissions=["cadre.view"]),
                             unit=two.unit_town_a)
    client.force_login(user)
    html = client.get(detail(two.mine)).content.decode()
    assert "考核备注甲" not in html and "没有查看考核评议信息的权限" in html
    assert client.get(reverse("api:cadre-detail", args=[two.mine.pk])).json()["assessments"] is None


def _boom(user, cadre, request):
    raise RuntimeError("provider failed")


def test_registered_tabs_and_buttons(client, two):
    panels.register_panel(name="t_ok", label="测试栏目", template="cadres/record/_panel_table.html",
                          provider=lambda user, cadre, request: {"headers": ["项目"], "rows": [[f"关于{cadre.person.name}"]]},
                          order=900)
    # a template reading the provider's keys directly (accounts/_errors.html shows ``errors``)
    panels.register_panel(name="t_flat", label="平铺变量", template="accounts/_errors.html",
                          provider=lambda user, cadre, request: {"errors": ["直接用变量名也可以"]}, order=899)
    panels.register_panel(name="t_none", label="不显示", template="cadres/record/_panel_table.html",
                          provider=lambda user, cadre, request: None, order=901)
    panels.register_panel(name="t_boom", label="出错栏目", template="cadres/record/_panel_table.html",
                          provider=_boom, order=902)
    panels.register_panel(name="t_denied", label="纪律栏目", template="cadres/record/_panel_table.html",
                          provider=lambda user, cadre, request: {}, order=903, permission="discipline.change")
    panels.register_action(name="t_print", label="打印测试", url_name="cadres:cadre_edit", order=900)
    panels.register_action(name="t_broken", label="坏链接", url_name="cadres:no_such_page", order=901)
    try:
        client.force_login(two.cadre_user)
        response = client.get(detail(two.mine))
        html = response.content.decode()
        assert response.status_code == 200
        names = [p.name for p in response.context["panels"]]
        assert [n for n in names if n.startswith("t_")] == ["t_flat", "t_ok", "t_boom"]
        assert "直接用变量名也可以" in html
        assert "测试栏目" in html and "关于甲镇干部" in html
        assert "「出错栏目」暂时无法显示" in html and "不显示" not in html and "纪律栏目" not in html
        assert f'href="{reverse("cadres:cadre_edit", args=[two.mine.pk])}">打印测试' in html and "坏链接" not in html
    finally:
        for name in ("t_flat", "t_ok", "t_none", "t_boom", "t_denied"):
            panels._PANELS.pop(name, None)
        for name in ("t_print", "t_broken"):
            panels._ACTIONS.pop(name, None)


def test_create_edit_status_pages(client, two):
    client.force_login(two.cadre_user)
    assert client.get(reverse("cadres:cadre_create")).status_code == 200
    birth = dt.date(1979, 12, 1)
    number = factories.make_id(birth, "2")
    bad = client.post(reverse("cadres:cadre_create"), {"unit_code": "U-A", "name": "新干部", "id_number": number,
                                                      "sex": "2", "ethnicity": "01", "birth_date": "1979-12-02"})
    assert bad.status_code == 400 and "出生日期" in bad.content.decode()
    response = client.post(reverse("cadres:cadre_create"), {"unit_code": "U-A", "name": "新干部", "id_number": number,
                                                           "sex": "2", "ethnicity": "01", "birth_date": "1979-12-01",
                                                           "native_place": "江苏南京"})
    cadre = Cadre.objects.get(person__name="新干部")
    assert response.status_code == 302 and response["Location"] == detail(cadre) and cadre.native_place == "江苏南京"
    foreign = client.post(reverse("cadres:cadre_create"), {"unit_code": "U-B", "name": "越界", "id_number":
                                                          factories.make_id(birth, "1"), "sex": "1", "ethnicity": "01",
                                                          "birth_date": "1979-12-01"})
    assert foreign.status_code == 404 and not Person.objects.filter(name="越界").exists()
    edit = reverse("cadres:cadre_edit", args=[cadre.pk])
    assert client.get(edit).status_code == 200
    ok = client.post(edit, {"version": cadre.version, "health": "健康", "specialty": "经济管理"})
    assert ok.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.health, cadre.specialty, cadre.native_place) == ("健康", "经济管理", "江苏南京")
    stale = client.post(edit, {"version": cadre.version - 1, "health": "良好"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    status = client.post(reverse("cadres:cadre_status", args=[cadre.pk]), {"version": cadre.version, "status": "transferred"})
    assert status.status_code == 302 and Cadre.objects.get(pk=cadre.pk).status == "transferred"
    history = client.get(detail(cadre)).context["history"]
    assert [e.kind for e in history if e.kind.startswith("cadre_")] == ["cadre_status", "cadre_update", "cadre_create"]


def test_child_pages(client, two):
    client.force_login(two.cadre_user)
    add = reverse("cadres:resume_add", args=[two.mine.pk])
    assert client.get(add).status_code == 200
    bad = client.post(add, {"start_date": "1998.07", "end_date": "1998.07", "text": "某"})
    assert bad.status_code == 400 and "应晚于起始时间" in bad.content.decode()
    assert client.post(add, {"start_date": "1998.07", "text": "某镇科员", "in_service_study": "on"}).status_code == 302
    entry = ResumeEntry.objects.get(cadre=two.mine)
    assert entry.in_service_study and entry.end_date is None
    edit = reverse("cadres:resume_edit", args=[entry.pk])
    assert client.get(edit).status_code == 200
    # a page form: the unticked checkbox means "no"
    assert client.post(edit, {"_page": "1", "version": entry.version, "start_date": "1998.07",
                              "text": "某镇科员"}).status_code == 302
    entry.refresh_from_db()
    assert not entry.in_service_study
    delete = reverse("cadres:resume_delete", args=[entry.pk])
    assert client.post(delete, {"version": entry.version - 1}).status_code == 409
    assert client.post(delete, {"version": entry.version}).status_code == 302
    assert not ResumeEntry.objects.filter(pk=entry.pk).exists()


def test_photo_upload_view_and_refusals(client, two):
    client.force_login(two.cadre_user)
    url = reverse("cadres:cadre_photo_set", args=[two.mine.pk])
    png = io.BytesIO()
    Image.new("RGB", (40, 50)).save(png, "PNG")
    refused = client.post(url, {"photo": SimpleUploadedFile("照片.jpg", png.getvalue(), "image/jpeg")})
    assert refused.status_code == 400 and "JPEG" in refused.content.decode() and not CadrePhoto.objects.exists()
    big = client.post(url, {"photo": SimpleUploadedFile("大.jpg", b"\xff\xd8\xff" + b"0" * 3 * 1024 * 1024, "image/jpeg")})
    assert big.status_code == 400 and "超过 2 MB" in big.content.decode() and not CadrePhoto.objects.exists()
    data = jpeg()
    assert client.post(url, {"photo": SimpleUploadedFile("照片.jpg", data, "image/jpeg")}).status_code == 302
    photo = CadrePhoto.objects.get(cadre=two.mine)
    served = client.get(reverse("cadres:cadre_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg" and served.content == data
    assert reverse("cadres:cadre_photo", args=[photo.pk]) in client.get(detail(two.mine)).content.decode()
    client.force_login(two.cadre_b_user)
    assert client.get(reverse("cadres:cadre_photo", args=[photo.pk])).status_code == 404
    client.force_login(two.town_user)
    assert client.get(reverse("cadres:cadre_photo", args=[photo.pk])).status_code == 404


def test_edit_page_round_trip_keeps_what_is_not_shown(client, two):
    """The whole edit form posted back as shown (the page's own use) changes only what was edited: the
    stored phone number, never shown, stays."""
    person = two.mine.person
    person.set_phone("13800138000")
    person.save()
    client.force_login(two.cadre_user)
    url = reverse("cadres:cadre_edit", args=[two.mine.pk])
    form = client.get(url).context["form"]
    data = {name: ("" if form.initial.get(name) is None else form.initial.get(name, "")) for name in form.fields}
    data.update({"_page": "1", "specialty": "农业经济"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    two.mine.refresh_from_db()
    assert person.phone == "13800138000" and person.name == "甲镇干部" and person.education_level == "21"
    assert two.mine.specialty == "农业经济" and two.mine.current_post_title == "甲镇副镇长"


def test_profile_query_count_does_not_grow_with_rows(client, two):
    def count() -> int:
        client.get(detail(two.mine))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(detail(two.mine)).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(two.cadre_user)
    few = count()
    for i in range(8):
        ResumeEntry.objects.create(cadre=two.mine, position=i, start_date=dt.date(1990 + i, 1, 1), text=f"经历{i}")
    from zugong.cadres.models import AnnualAssessment, Education, FamilyMember

    for i in range(5):
        Education.objects.create(cadre=two.mine, category="in_service", education_text="大学", position=i)
        FamilyMember.objects.create(cadre=two.mine, relation="子女", name=f"子{i}", position=i)
        AnnualAssessment.objects.create(cadre=two.mine, year=2015 + i, grade="competent")
    assert count() == few
