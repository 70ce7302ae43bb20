"""发展党员 pages (issue #11), on the generic views (``core.generic``; each registers itself for the scope
tests):

- ``development:list`` (``/development/?org=<组织代码>&stage=&due=``): the pipeline of a subtree, stage,
  next step and its due date, overdue / due-soon marks; a search (``?q=``) for people to start a pipeline for;
- ``development:detail`` (``<pk>/``): a person's pipeline — the 25 steps with dates, actors, votes, the
  participants — and the form of the legal next steps (``party.change``);
- ``development:step`` (``<pk>/step/``): record a step (``services.step_record``);
- ``development:participants`` (``<pk>/participants/``): 指定培养联系人 / 入党介绍人;
- ``development:close`` (``<pk>/close/``): 终止培养;
- ``development:start`` (``start/<person pk>/``): 登记入党申请 (第1步, ``party.add`` on the branch).

Reads go through ``development.selectors``; each write is one service call (400 with the refusal's step,
reason and article; 404 outside the scope)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from zugong.core import generic
from zugong.core.scoping import can
from zugong.development import rules, selectors, services
from zugong.development.filtersets import DevelopmentFilterSet
from zugong.development.forms import CloseForm, ParticipantsForm, StartForm, StepForm
from zugong.orgs.selectors import organization_by_code

NOT_FOUND = "发展党员记录不存在或不在您的数据范围内"


def _pipeline(*, user, action="view"):
    return selectors.pipeline(user=user, action=action)


class PipelineList(generic.ObjectListView):
    """The pipeline of the user's scope (``party.view``), filtered by subtree, stage and deadline."""

    url_name = "development:list"
    model = "party.DevelopmentRecord"
    list_selector = _pipeline
    filterset_class = DevelopmentFilterSet
    default_ordering = ("organization__path", "-application_date", "-pk")
    carried_filters = ("org", "stage", "due", "name")
    template_name = "development/list.html"

    def get_rows(self, objects, filterset):
        today = timezone.localdate()
        return [{"record": r, "status": selectors.row_status(r, today)} for r in objects]

    def get_extra_context(self, filterset, page) -> dict:
        q = self.request.GET.get("q", "")
        may_start = can(self.user, "party", "add")
        org = None
        if filterset is not None and filterset.is_valid() and filterset.form.cleaned_data.get("org"):
            org = organization_by_code(user=self.user, code=filterset.form.cleaned_data["org"])
        counts = selectors.stage_counts(user=self.user, organization=org)
        stages = [{"key": k, "label": label, "n": counts[k]} for k, label in selectors.STAGE_FILTERS.items()]
        return {"q": q, "may_start": may_start,
                "candidates": selectors.start_candidates(user=self.user, q=q) if may_start else [],
                "counts": selectors.overdue_counts(user=self.user, organization=org), "deadlines": selectors.DEADLINES,
                "stages": stages}


class RecordDetail(generic.ObjectView):
    """A person's pipeline: the 25 steps, participants, and the next-step form."""

    url_name = "development:detail"
    model = "party.DevelopmentRecord"
    get_selector = selectors.record_get
    not_found = NOT_FOUND
    template_name = "development/detail.html"
    context_object_name = "record"

    def get_extra_context(self, record) -> dict:
        today = timezone.localdate()
        status = selectors.row_status(record, today)
        steps = sorted(record.steps.all(), key=lambda s: (s.date, s.pk))
        table = [{"info": info, "rows": [s for s in steps if s.step == n],
                  "stage_label": f"{rules.STAGE_NUMERALS[info.stage]}、{rules.STAGES[info.stage]}"
                  if n == 1 or rules.STEPS[n - 1].stage != info.stage else ""}
                 for n, info in rules.STEPS.items()]
        may_change = can(self.user, "party", "change", record.organization)
        return {"status": status, "table": table, "participants": selectors.participants_of(record),
                "may_change": may_change and bool(status.next_steps),
                "may_close": may_change and record.closed_date is None and record.admission_date is None,
                "form": StepForm(allowed=status.next_steps, trim=True, initial={"date": today}),
                "step_url": reverse("development:step", kwargs={"pk": record.pk})}


class StepRecord(generic.ObjectActionView):
    """登记一个发展步骤 (``party.change``): only the legal next steps are offered."""

    url_name = "development:step"
    model = "party.DevelopmentRecord"
    get_selector = selectors.record_get
    not_found = NOT_FOUND
    form_class = StepForm
    template_name = "development/form.html"
    context_object_name = "record"

    def get_initial(self, record) -> dict:
        return {"date": timezone.localdate()}

    def get_form_kwargs(self, record) -> dict:
        if self.request.method == "POST":  # any step number: the service refuses an illegal one with its article
            return {"allowed": [n for n in rules.STEPS if n > 1]}
        return {"allowed": services.legal_next_steps(record, list(record.steps.all())), "trim": True}

    def perform(self, form, record):
        data = form.service_kwargs()
        return services.step_record(actor=self.user, record=record.pk, step=data.pop("step"), date=data.pop("date"),
                                    **data)

    def success_message(self, record, row, form) -> str:
        return f"已登记「{record.person.name}」{rules.STEPS[row.step].label}。"

    def success_url(self, record, row) -> str:
        return reverse("development:detail", kwargs={"pk": record.pk})

    def get_extra_context(self, record, form, errors) -> dict:
        return {"title": "登记发展步骤", "person": record.person}


class Participants(generic.ObjectActionView):
    """指定培养联系人 / 入党介绍人 (``party.change``)."""

    url_name = "development:participants"
    model = "party.DevelopmentRecord"
    get_selector = selectors.record_get
    not_found = NOT_FOUND
    form_class = ParticipantsForm
    template_name = "development/form.html"
    context_object_name = "record"

    def get_initial(self, record) -> dict:
        return {"start_date": timezone.localdate(), "role": self.request.GET.get("role", "mentor")}

    def get_form_kwargs(self, record) -> dict:
        return {"people": selectors.full_members_of(user=self.user, organization=record.organization)}

    def perform(self, form, record):
        d = form.cleaned_data
        assign = services.mentors_assign if d["role"] == "mentor" else services.sponsors_assign
        return assign(actor=self.user, record=record.pk, persons=d["persons"], start_date=d["start_date"])

    def success_message(self, record, rows, form) -> str:
        return f"已指定「{record.person.name}」的{rows[0].get_role_display()}。"

    def success_url(self, record, rows) -> str:
        return reverse("development:detail", kwargs={"pk": record.pk})

    def get_extra_context(self, record, form, errors) -> dict:
        return {"title": "指定培养联系人或入党介绍人", "person": record.person}


class Close(generic.ObjectActionView):
    """终止培养 (``party.change``)."""

    url_name = "development:close"
    model = "party.DevelopmentRecord"
    get_selector = selectors.record_get
    not_found = NOT_FOUND
    form_class = CloseForm
    template_name = "development/form.html"
    context_object_name = "record"

    def get_initial(self, record) -> dict:
        return {"date": timezone.localdate()}

    def perform(self, form, record):
        d = form.cleaned_data
        return services.development_close(actor=self.user, record=record.pk, date=d["date"], reason=d["reason"])

    def success_message(self, record, result, form) -> str:
        return f"已终止「{record.person.name}」的培养。"

    def success_url(self, record, result) -> str:
        return reverse("development:detail", kwargs={"pk": record.pk})

    def get_extra_context(self, record, form, errors) -> dict:
        return {"title": "终止培养", "person": record.person}


class Start(generic.ObjectActionView):
    """登记入党申请 (第1步) for a person (``party.add`` on the branch chosen)."""

    url_name = "development:start"
    model = "party.DevelopmentRecord"
    object_model = "people.Person"
    action = "add"
    get_selector = selectors.person_for_start
    not_found = "人员不存在或不在您的数据范围内"
    form_class = StartForm
    template_name = "development/form.html"
    context_object_name = "person"

    def get_initial(self, person) -> dict:
        return {"application_date": timezone.localdate(),
                "organization": getattr(person.organization, "code", "")}

    def get_form_kwargs(self, person) -> dict:
        return {"branches": selectors.branches_for_start(user=self.user)}

    def perform(self, form, person):
        d = form.cleaned_data
        return services.development_start(actor=self.user, person=person.pk,
                                          organization=form.branches[d["organization"]],
                                          application_date=d["application_date"], note=d["note"])

    def success_message(self, person, record, form) -> str:
        return f"已登记「{person.name}」的入党申请。"

    def success_url(self, person, record) -> str:
        return reverse("development:detail", kwargs={"pk": record.pk})

    def get_extra_context(self, person, form, errors) -> dict:
        return {"title": "登记入党申请", "person": person}
