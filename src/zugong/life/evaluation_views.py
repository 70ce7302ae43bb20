"""民主评议党员 result entry (issue #11): ``life:member_evaluation_entry`` (``meetings/<pk>/evaluation/``),
reached from a 民主评议党员 meeting's detail page (「登记评议结果」, ``party.add`` on its organization).

The page lists the meeting's roster (its attendance rows, else the organization's members on the meeting
date: ``selectors.meeting_roster``) with one 评议结果 select per member (default 合格) and the 组织处置 select
for 不合格; members whose result of the 评议年度 is already recorded are shown with it and get no select.
Saving is ONE call of ``evaluations.member_evaluation_record_all``: every row or nothing, the problems named
by member. A meeting outside the scope is a 404; one of another type shows why nothing can be entered (a
POST is a 400, nothing written). Made for a phone (single column,
like 记录会议).
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from zugong.core import generic
from zugong.core.errors import RowError, ValidationFailed
from zugong.life import evaluations, selectors
from zugong.life.choices import EVALUATION_HANDLING, EVALUATION_RESULT

NOT_FOUND = "民主评议党员会议不存在或不在您的数据范围内"
WRONG_TYPE = "该会议不是民主评议党员会议，不能登记评议结果（请在民主评议党员会议的记录中登记）。"


class EvaluationEntryForm(forms.Form):
    """``year`` (评议年度: the meeting's year or the one before) and, per member not yet evaluated,
    ``r_<person_id>`` (评议结果) and ``h_<person_id>`` (组织处置, for 不合格). Values are checked by the service
    (``life.evaluation_validators``), so a bad value is answered by member name."""

    year = forms.TypedChoiceField(label="评议年度", coerce=int)

    def __init__(self, data=None, *, initial=None, members=(), years=()):
        super().__init__(data, initial=initial)
        self.fields["year"].choices = [(y, f"{y} 年度") for y in years]
        self.members = list(members)
        for m in self.members:
            self.fields[f"r_{m.person_id}"] = forms.ChoiceField(label=m.name, choices=EVALUATION_RESULT.choices,
                                                                initial="qualified")
            self.fields[f"h_{m.person_id}"] = forms.ChoiceField(
                label=f"{m.name}的组织处置", required=False, choices=[("", "—"), *EVALUATION_HANDLING.choices])

    def service_rows(self) -> list[tuple[int, str, str, str]]:
        """``[(person_id, name, result, handling)]`` for ``member_evaluation_record_all``."""
        return [(m.person_id, m.name, self.cleaned_data[f"r_{m.person_id}"], self.cleaned_data[f"h_{m.person_id}"])
                for m in self.members]


class MemberEvaluationEntry(generic.ObjectActionView):
    """登记评议结果 of the 民主评议党员 meeting ``pk`` (``party.add`` on its organization; 404 outside the scope;
    a meeting of another type lists nobody and is refused with ``WRONG_TYPE``)."""

    url_name = "life:member_evaluation_entry"
    model = "life.Meeting"
    action = "add"
    get_selector = selectors.meeting_get
    not_found = NOT_FOUND
    form_class = EvaluationEntryForm
    template_name = "life/evaluation_entry.html"
    context_object_name = "meeting"

    def is_evaluation(self, meeting) -> bool:
        return meeting.meeting_type == "member_evaluation"

    def get_notes(self, meeting) -> list[str]:
        return [] if self.is_evaluation(meeting) else [WRONG_TYPE]

    def years(self, meeting) -> list[int]:
        """评议年度 choices: the meeting's year and the one before (January meetings evaluate last year)."""
        return [meeting.date.year, meeting.date.year - 1]

    def year(self, meeting) -> int:
        raw = self.request.POST.get("year") or self.request.GET.get("year") or ""
        return int(raw) if raw.isdigit() and int(raw) in self.years(meeting) else meeting.date.year

    def roster(self, meeting):
        """``(members to evaluate, already recorded)``: the roster (attendance rows, else the members on the
        meeting date) split by whether the year's result exists (``[(entry, MemberEvaluation)]``)."""
        if not self.is_evaluation(meeting):
            return [], []
        if not hasattr(self, "_roster"):
            rows = selectors.meeting_attendance(user=self.user, meeting=meeting)
            if rows:
                entries = [selectors.RosterEntry(person_id=r.person_id, name=r.person.name, mobile=r.mobile)
                           for r in sorted(rows, key=lambda r: (r.person.name, r.person_id))]
            else:
                entries = selectors.meeting_roster(user=self.user, organization=meeting.organization, day=meeting.date,
                                                   action="add")
            done = evaluations.member_evaluations_recorded(user=self.user, year=self.year(meeting),
                                                           person_ids=[e.person_id for e in entries])
            self._roster = ([e for e in entries if e.person_id not in done],
                            [(e, done[e.person_id]) for e in entries if e.person_id in done])
        return self._roster

    def get_initial(self, meeting) -> dict:
        return {"year": self.year(meeting)}

    def get_form_kwargs(self, meeting) -> dict:
        return {"members": self.roster(meeting)[0], "years": self.years(meeting)}

    def get_form(self, meeting):
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, initial=self.get_initial(meeting), **self.get_form_kwargs(meeting))

    def perform(self, form, meeting):
        if not self.is_evaluation(meeting):
            raise ValidationFailed([RowError(0, "民主评议党员会议", WRONG_TYPE)], message=WRONG_TYPE)
        return evaluations.member_evaluation_record_all(user=self.user, organization_id=meeting.organization_id,
                                                        year=form.cleaned_data["year"], rows=form.service_rows(),
                                                        meeting_id=meeting.pk)

    def success_message(self, meeting, result, form) -> str:
        return f"已登记 {len(result)} 名党员 {form.cleaned_data['year']} 年度的民主评议结果。"

    def success_url(self, meeting, result) -> str:
        return reverse("life:meeting_detail", kwargs={"pk": meeting.pk})

    def get_extra_context(self, meeting, form, errors) -> dict:
        todo, done = self.roster(meeting)
        members = [{"entry": m, "result": form[f"r_{m.person_id}"], "handling": form[f"h_{m.person_id}"]}
                   for m in todo]
        return {"title": "登记评议结果", "organization": meeting.organization, "members": members,
                "recorded": [{"entry": e, "label": EVALUATION_RESULT.label(ev.result),
                              "handling": EVALUATION_HANDLING.label(ev.handling) if ev.handling else ""}
                             for e, ev in done],
                "year": self.year(meeting), "cancel": reverse("life:meeting_detail", kwargs={"pk": meeting.pk})}


member_evaluation_entry = MemberEvaluationEntry.as_view()
