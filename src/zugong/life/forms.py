"""Forms of the meeting pages (``life.views``): the quick entry (记录会议, made for a phone) and the edit form
share ``MeetingForm``; the delete form asks for a reason; the attachment form takes one file.

Values are taken as text and checked by the services (``life.services.meeting_check``), so a bad value gets
the same message as in the API and the ledger import. The attendance part is one radio group per roster
member (``st_<person_id>``: 出席 / 请假 / 缺席, prefilled 出席) with a reason (``rs_<person_id>``)."""

from __future__ import annotations

from django import forms

from zugong.life.choices import ATTENDANCE_STATUS, MEETING_TYPE


class MeetingForm(forms.Form):
    """A meeting: type, date, topic, presenter, recorder (the quick-entry fields first), then the optional
    ones. ``roster``: the ``RosterEntry`` list whose attendance the form takes (``mode="roster"``), or
    ``mode="counts"`` for a record without names (应到 / 实到 / 缺席人员 as numbers and text).
    ``types``: the meeting types offered (those the organization holds)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    meeting_type = forms.ChoiceField(label="会议类型", choices=MEETING_TYPE.choices)
    date = forms.CharField(label="会议日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label="会议主题", max_length=200)
    presenter = forms.CharField(label="主持人", max_length=100, required=False)
    recorder = forms.CharField(label="记录人", max_length=100, required=False)
    lecturer = forms.CharField(label="主讲人（党课）", max_length=100, required=False)
    secretary_lecture = forms.BooleanField(label="书记讲党课", required=False)
    location = forms.CharField(label="会议地点", max_length=200, required=False)
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    expected_count = forms.IntegerField(label="应到人数", min_value=0, required=False)
    attended_count = forms.IntegerField(label="实到人数", min_value=0, required=False)
    absentee_note = forms.CharField(label="缺席人员", max_length=1000, required=False)

    def __init__(self, *args, roster=(), mode: str = "roster", types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        self.mode = mode
        if types is not None:
            self.fields["meeting_type"].choices = [(c, MEETING_TYPE.label(c)) for c in types]
        if mode == "roster":
            for name in ("expected_count", "attended_count", "absentee_note"):
                del self.fields[name]
            initial = self.initial.get("attendance", {})
            for entry in self.roster:
                status, reason = initial.get(entry.person_id, ("present", ""))
                self.fields[f"st_{entry.person_id}"] = forms.ChoiceField(
                    label=entry.name, choices=ATTENDANCE_STATUS.choices, initial=status, required=False,
                    widget=forms.RadioSelect)
                self.fields[f"rs_{entry.person_id}"] = forms.CharField(
                    label=f"{entry.name}的缺席原因", max_length=200, required=False, initial=reason)
        else:
            self.fields["expected_count"].required = True
            self.fields["attended_count"].required = True

    def member_rows(self) -> list[dict]:
        """The roster for the template: ``{"entry", "status" (bound field), "reason" (bound field)}``."""
        return [{"entry": e, "status": self[f"st_{e.person_id}"], "reason": self[f"rs_{e.person_id}"]}
                for e in self.roster]

    def attendance(self) -> list[tuple[int, str, str]] | None:
        """The members not present, as ``(person_id, status, reason)`` (``None`` in ``counts`` mode)."""
        if self.mode != "roster":
            return None
        out = []
        for entry in self.roster:
            status = self.cleaned_data.get(f"st_{entry.person_id}") or "present"
            if status != "present":
                out.append((entry.person_id, status, self.cleaned_data.get(f"rs_{entry.person_id}", "")))
        return out

    def service_kwargs(self) -> dict:
        """The cleaned form as ``meeting_record`` / ``meeting_edit`` keyword arguments."""
        d = self.cleaned_data
        out = {k: d.get(k) for k in ("meeting_type", "date", "topic", "presenter", "recorder", "lecturer",
                                      "secretary_lecture", "location", "minutes")}
        out = {k: ("" if v is None and k != "secretary_lecture" else v) for k, v in out.items()}
        if self.mode == "roster":
            out["attendance"] = self.attendance()
        else:
            out.update(attendance=None, expected_count=d.get("expected_count"), attended_count=d.get("attended_count"),
                       absentee_note=d.get("absentee_note") or "")
        return out


class MeetingDeleteForm(forms.Form):
    """删除会议记录: the reason is kept in the audit log."""

    reason = forms.CharField(label="删除原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="例如：重复录入、录错了党组织。删除原因记入审计日志。")


class AttachmentForm(forms.Form):
    """添加附件: one file (PDF、JPG、PNG、Word、Excel，不超过 20 MB)."""

    file = forms.FileField(label="附件", help_text="PDF、JPG、PNG、Word（.docx/.doc）、Excel（.xlsx/.xls），不超过 20 MB。")
