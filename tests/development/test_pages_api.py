"""Pages and API of the pipeline: scope (no foreign rows, out of scope → 404), the forms call the services,
the API round-trip (start, steps, refused step → 400 with the article)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.development.helpers import start, walk
from tests.security.helpers import login
from zugong.development import selectors
from zugong.development.models import DevelopmentStep
from zugong.party.models import DevelopmentRecord


def _foreign(dev):
    from tests.factories import make_id
    from zugong.development import services
    from zugong.people.services import person_create

    # a non-member applicant of branch B1, recorded by the county user (whose scope covers both towns)
    birth = dt.date(1999, 5, 5)
    applicant = person_create(user=dev.t.county_user, organization_id=dev.t.branch_b1.pk, name="乙镇申请人", sex="2",
                              ethnicity="01", birth_date=birth, id_number=make_id(birth, "2"))
    return services.development_start(actor=dev.t.county_user, person=applicant, organization=dev.t.branch_b1,
                                      application_date=dt.date(2026, 1, 5), today=dev.today)


def test_list_shows_only_the_scope(dev):
    mine, foreign = start(dev), _foreign(dev)
    client = login(Client(), dev.t.town_user)
    response = client.get(reverse("development:list"))
    assert response.status_code == 200
    ids = {r.pk for r in response.context["object_list"]}
    assert mine.pk in ids and foreign.pk not in ids
    assert "乙镇申请人" not in response.content.decode()
    # a subtree filter, a stage filter, an out-of-scope organization code (no rows, an error)
    assert [r.pk for r in client.get(reverse("development:list"), {"org": "C-A-1", "stage": "applicant"})
            .context["object_list"]] == [mine.pk]
    stages = {s["key"]: s["n"] for s in client.get(reverse("development:list"), {"org": "C-A"}).context["stages"]}
    assert stages["applicant"] == 1 and stages["activist"] == 0  # the foreign applicant is not counted
    response = client.get(reverse("development:list"), {"org": "C-B-1"})
    assert response.context["object_list"] == [] and response.context["filter_errors"]


def test_detail_and_step_form(dev):
    record = start(dev, dt.date(2026, 11, 20))
    client = login(Client(), dev.t.town_user)
    page = client.get(reverse("development:detail", kwargs={"pk": record.pk}))
    assert page.status_code == 200
    fields = page.context["form"].fields
    assert [c[0] for c in fields["step"].choices] == [2]  # only the legal next step
    assert "special_reason" in fields and "votes_present" not in fields  # only the fields step 2 uses
    assert "第7条" not in page.content.decode() and "党组织派人谈话" in page.content.decode()
    response = client.post(reverse("development:step", kwargs={"pk": record.pk}),
                           {"step": 3, "date": "2026-11-25"})
    assert response.status_code == 400 and "须先完成第2步" in response.content.decode()
    assert not DevelopmentStep.objects.filter(record=record, step=3).exists()
    response = client.post(reverse("development:step", kwargs={"pk": record.pk}),
                           {"step": 2, "date": "2026-11-25", "done_by": "王书记"})
    assert response.status_code == 302
    assert DevelopmentStep.objects.get(record=record, step=2).actor == "王书记"


def test_out_of_scope_record_and_person_404(dev):
    foreign = _foreign(dev)
    client = login(Client(), dev.t.town_user)
    for name in ("development:detail", "development:step", "development:close", "development:participants"):
        assert client.get(reverse(name, kwargs={"pk": foreign.pk})).status_code == 404
    assert client.get(reverse("development:start", kwargs={"pk": foreign.person_id})).status_code == 404
    before = DevelopmentStep.objects.count()
    assert client.post(reverse("development:step", kwargs={"pk": foreign.pk}),
                       {"step": 2, "date": "2026-01-20"}).status_code == 404
    assert DevelopmentStep.objects.count() == before


def test_start_page(dev):
    client = login(Client(), dev.t.town_user)
    listing = client.get(reverse("development:list"), {"q": "周"})
    assert [p.pk for p in listing.context["candidates"]] == [dev.person.pk]
    response = client.post(reverse("development:start", kwargs={"pk": dev.person.pk}),
                           {"organization": "C-A-1", "application_date": "2026-11-02"})
    assert response.status_code == 302
    record = DevelopmentRecord.objects.get(person=dev.person)
    assert record.application_date == dt.date(2026, 11, 2)
    assert list(record.steps.values_list("step", flat=True)) == [1]


def test_api_round_trip(dev):
    foreign = _foreign(dev)
    client = login(Client(), dev.t.town_user)
    response = client.post(reverse("api:development-start-start", kwargs={"pk": dev.person.pk}),
                           {"organization": "C-A-1", "application_date": "2026-11-02"}, content_type="application/json")
    assert response.status_code == 201, response.content
    record_id = response.json()["id"]
    assert response.json()["next_steps"] == [2]
    url = reverse("api:development-steps", kwargs={"pk": record_id})
    bad = client.post(url, {"step": 4, "date": "2026-11-10"}, content_type="application/json")
    assert bad.status_code == 400 and "须先完成第2步" in bad.json()["detail"] and "第八条" in bad.json()["detail"]
    ok = client.post(url, {"step": 2, "date": "2026-11-10", "done_by": "王书记"}, content_type="application/json")
    assert ok.status_code == 200 and [s["step"] for s in ok.json()["steps"]] == [1, 2]
    rows = client.get(reverse("api:development-list")).json()["results"]
    assert {r["id"] for r in rows} == {record_id}
    assert client.get(reverse("api:development-detail", kwargs={"pk": foreign.pk})).status_code == 404
    assert client.post(reverse("api:development-steps", kwargs={"pk": foreign.pk}), {"step": 2, "date": "2026-01-20"},
                       content_type="application/json").status_code == 404


def test_overdue_lists_and_todos(dev):
    from zugong.development import todos

    record = start(dev, dt.date(2023, 1, 10))  # no talk: overdue since 2023-02-10
    counts = selectors.overdue_counts(user=dev.t.town_user, today=dev.today)
    assert counts["talk"] == 1
    qs = selectors.pipeline(user=dev.t.town_user, due="overdue", today=dev.today)
    assert [r.pk for r in qs] == [record.pk]
    status = selectors.row_status(qs[0], dev.today)
    assert (status.state, status.due_date) == ("overdue", dt.date(2023, 2, 10))
    items = todos.overdue(dev.t.town_user, today=dev.today)
    assert len(items) == 1 and "入党申请后一个月内未谈话" in items[0].text and "第七条" in items[0].text
    assert todos.overdue(dev.t.branch_b_user, today=dev.today) == []  # foreign user sees nothing
    _foreign(dev)  # overdue too (applied 2026-01-05, no talk): the county sees a summary of two branches
    summary = todos.overdue(dev.t.county_user, today=dev.today)
    assert len(summary) == 1 and "2 个党支部" in summary[0].text and "入党申请后一个月内未谈话 2 人" in summary[0].text
    assert len(todos.overdue(dev.t.town_user, today=dev.today)) == 1
    # a vote without approval for more than three months, an activist without assessment, probation over
    walk(dev, record, 15)
    counts = selectors.overdue_counts(user=dev.t.town_user, today=dev.today)
    assert counts == {"talk": 0, "assessment": 0, "approval": 1, "probation": 0}
    walk(dev, record, 22, start_at=16)
    assert selectors.overdue_counts(user=dev.t.town_user, today=dev.today)["probation"] == 1


def test_assessment_overdue(dev):
    record = walk(dev, start(dev), 5)  # activist since 2023-03-01, never assessed
    assert selectors.overdue_counts(user=dev.t.town_user, today=dev.today)["assessment"] == 1
    status = selectors.row_status(selectors.record_get(user=dev.t.town_user, pk=record.pk), dev.today)
    assert status.next_steps == [6] and status.due_date == dt.date(2023, 9, 1) and status.state == "overdue"
    assert status.stage_label == "入党积极分子"
    walk(dev, record, 6, start_at=6)
    status = selectors.row_status(selectors.record_get(user=dev.t.town_user, pk=record.pk), dev.today)
    assert status.next_steps == [6, 7] and status.stage_label == "入党积极分子"  # 7 is allowed, not yet done


def test_due_soon(dev):
    soon = start(dev, dt.date(2026, 11, 10))  # talk due 2026-12-10: within 30 days of 2026-11-30
    assert [r.pk for r in selectors.pipeline(user=dev.t.town_user, due="soon", today=dev.today)] == [soon.pk]
    assert list(selectors.pipeline(user=dev.t.town_user, due="overdue", today=dev.today)) == []
    status = selectors.row_status(selectors.record_get(user=dev.t.town_user, pk=soon.pk), dev.today)
    assert (status.state, status.due_date, status.stage_label) == ("soon", dt.date(2026, 12, 10), "入党申请人")


def test_stage_figures(dev):
    record = start(dev)
    _foreign(dev)
    f = selectors.stage_figures(user=dev.t.county_user, organization=dev.t.town_a, date_from=dt.date(2024, 1, 1),
                                date_to=dt.date(2024, 12, 31))
    assert (f["applicants"], f["activists"], f["candidates"], f["admitted"]) == (1, 0, 0, 0)
    walk(dev, record, 17)
    f = selectors.stage_figures(user=dev.t.county_user, organization=dev.t.town_a, date_from=dt.date(2024, 1, 1),
                                date_to=dt.date(2024, 12, 31))
    assert (f["applicants"], f["candidates"], f["admitted"], f["full_membership"]) == (0, 0, 1, 0)
    f = selectors.stage_figures(user=dev.t.county_user, organization=dev.t.town_a, date_from=dt.date(2024, 1, 1),
                                date_to=dt.date(2024, 3, 31))
    assert (f["applicants"], f["activists"], f["candidates"]) == (0, 0, 1)
    f = selectors.stage_figures(user=dev.t.county_user, organization=dev.t.county, date_from=dt.date(2026, 1, 1),
                                date_to=dt.date(2026, 12, 31))
    assert f["applicants"] == 1  # the applicant of town B (the subtree of the county)


def test_schema_documents_the_routes(dev):
    client = login(Client(), dev.t.county_user)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/development/{id}/steps/" in schema and "/api/development/people/{id}/start/" in schema
    assert "登记发展步骤" in schema


def test_list_page_and_api_query_counts(dev):
    """The page and the API list cost the same number of queries for 1 or 6 records (steps prefetched)."""
    from tests.factories import make_id
    from zugong.development import services
    from zugong.people.services import person_create

    walk(dev, start(dev), 9)
    client = login(Client(), dev.t.town_user)
    client.get(reverse("development:list"))

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    page, api = count(reverse("development:list")), count(reverse("api:development-list"))
    for i in range(5):
        birth = dt.date(1995, 1, 1 + i)
        person = person_create(user=dev.actor, organization_id=dev.t.branch_a1.pk, name=f"申请人{'一二三四五'[i]}",
                               sex="1", ethnicity="01", birth_date=birth, id_number=make_id(birth, "1"))
        record = services.development_start(actor=dev.actor, person=person, organization=dev.t.branch_a1,
                                            application_date=dt.date(2026, 10, 1), today=dev.today)
        services.step_record(actor=dev.actor, record=record, step=2, date=dt.date(2026, 10, 9), today=dev.today)
    assert count(reverse("development:list")) == page
    assert count(reverse("api:development-list")) == api


LEAVINGS = {
    "death": {"kind": "death"},
    "probation_cancelled": {"kind": "exit", "detail": "probation_cancelled"},
    "transfer_out": {"kind": "transfer_out", "counterpart": "中共某市某区委组织部"},
}


@pytest.mark.parametrize("leaving", list(LEAVINGS))
def test_member_who_left_during_probation_is_not_overdue(dev, leaving):
    """预备期已满未讨论转正 counts only 预备党员 still in scope: one who died, lost the 预备党员资格 or transferred
    out during the 预备期 is neither in the to-do, nor overdue / 预备党员 in the lists (已终止 instead)."""
    from zugong.development import todos
    from zugong.party.services import event_record

    record = walk(dev, start(dev), 22)  # admitted 2024-06-01, probation full on 2025-06-01, no 转正 vote
    user = dev.t.town_user
    assert selectors.overdue_counts(user=user, today=dev.today)["probation"] == 1
    assert selectors.stage_counts(user=user, today=dev.today)["probationary"] == 1
    event_record(user=user, person_id=dev.person.pk, date="2025-08-01", today=dev.today, **LEAVINGS[leaving])

    assert selectors.overdue_counts(user=user, today=dev.today)["probation"] == 0
    assert not any("预备期已满" in item.text for item in todos.overdue(user, today=dev.today))
    assert list(selectors.pipeline(user=user, due="overdue", today=dev.today)) == []
    assert list(selectors.pipeline(user=user, stage="probationary", today=dev.today)) == []
    assert [r.pk for r in selectors.pipeline(user=user, stage="closed", today=dev.today)] == [record.pk]
    counts = selectors.stage_counts(user=user, today=dev.today)
    assert (counts["probationary"], counts["closed"]) == (0, 1)
    status = selectors.row_status(selectors.pipeline(user=user, today=dev.today).get(pk=record.pk), dev.today)
    assert (status.stage_label, status.state, status.next_steps) == (selectors.LEFT_LABEL, "", [])
    status = selectors.row_status(selectors.record_get(user=user, pk=record.pk), dev.today)
    assert status.stage_label == selectors.LEFT_LABEL
    page = login(Client(), dev.t.town_user).get(reverse("development:list") + "?due=overdue")
    assert page.status_code == 200 and dev.person.name not in page.content.decode()
