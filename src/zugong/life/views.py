"""Meeting pages (组织生活记录, issue #11) on the generic views (``core.generic``); every read goes through
``life.selectors``, every write through one ``life.services`` call:

- ``life:meeting_list`` (``meetings/``): the meetings of the user's scope, or of one organization's subtree
  (``?org=<组织代码>``, from the tree on the left), filtered by type and period (``?type=&date_from=&date_to=``);
  an ``org`` outside the scope is a 404; 「记录会议」 for the selected organization, or without ``?org=`` for
  the user's only branch (``selectors.default_record_organization``: a branch secretary sees it at once);
- ``life:meeting_record`` (``orgs/<pk>/record/``): 记录会议, the quick entry made for a phone (375×667): type,
  date, topic, presenter, recorder, then the roster with everyone 出席 — tap 请假 / 缺席 and give a reason;
  ``party.add`` on the organization;
- ``life:meeting_detail`` (``meetings/<pk>/``): the record with its attendance table and attachments;
- ``life:meeting_edit`` (``meetings/<pk>/edit/``): ``party.change``; a stale version is a 409;
- ``life:meeting_delete`` (``meetings/<pk>/delete/``): ``party.delete`` (a 支部书记 sees the record but gets
  a 403), with a reason;
- ``life:attachment_add`` (``meetings/<pk>/attachments/new/``) and ``life:attachment_download``
  (``attachments/<pk>/``): upload (``party.change``) and scoped download (``party.view``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from zugong.core import generic
from zugong.core.scoping import can
from zugong.life import selectors, services, validators
from zugong.life.choices import ATTENDANCE_STATUS, MEETING_TYPE
from zugong.life.filtersets import MeetingFilterSet
from zugong.life.forms import AttachmentForm, MeetingDeleteForm, MeetingForm
from zugong.orgs.selectors import organization_get, scope_tree

NOT_FOUND = "会议记录不存在或不在您的数据范围内"
ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内"


def record_href(user, org) -> str | None:
    """The 「记录会议」 link for ``org`` when ``user`` may record there (``party.add``, an active organization)."""
    if org is None or org.status != "active" or not can(user, "party", "add", org):
        return None
    return reverse("life:meeting_record", kwargs={"pk": org.pk})


class MeetingList(generic.ObjectListView):
    """组织生活记录: meetings of the scope (or of ``?org=``'s subtree), newest first. ``object_list``: the page's
    meetings."""

    url_name = "life:meeting_list"
    model = "life.Meeting"
    list_selector = selectors.meeting_list
    filterset_class = MeetingFilterSet
    template_name = "life/meeting_list.html"
    default_ordering = ("-date", "-pk")
    sort_fields = {"date": ("date", "会议日期"), "organization": ("organization__path", "党组织")}
    carried_filters = ("org", "type", "period", "date_from", "date_to")
    counting = "exact"

    def check_filters(self, filterset) -> None:
        if self.request.GET.get("org", "").strip() and filterset.selected_org is None:
            raise Http404(ORG_NOT_FOUND)

    def get_extra_context(self, filterset, page) -> dict:
        selected = filterset.selected_org if filterset is not None else None
        keep = {k: v for k, v in self.carried().items() if k != "org"}
        target = selected if selected is not None else selectors.default_record_organization(user=self.user)
        return {"selected_org": selected, "roots_nodes": scope_tree(user=self.user), "tree_query": urlencode(keep),
                "record_href": record_href(self.user, target), "record_org": target, "types": MEETING_TYPE.choices}


class MeetingDetail(generic.ObjectView):
    """One meeting: its fields, the attendance table (出席 / 请假 / 缺席 / 流动党员, reasons), the minutes and
    the attachments."""

    url_name = "life:meeting_detail"
    model = "life.Meeting"
    get_selector = selectors.meeting_get
    template_name = "life/meeting_detail.html"
    context_object_name = "meeting"
    not_found = NOT_FOUND

    def get_extra_context(self, meeting) -> dict:
        rows = selectors.meeting_attendance(user=self.user, meeting=meeting)
        org = meeting.organization
        return {"attendance": rows, "attachments": selectors.meeting_attachments(user=self.user, meeting=meeting),
                "absent": [r for r in rows if r.status != "present"],
                "mobile_count": sum(1 for r in rows if r.mobile),
                "may_evaluate": meeting.meeting_type == "member_evaluation" and can(self.user, "party", "add", org),
                "may_change": can(self.user, "party", "change", org), "may_delete": can(self.user, "party", "delete", org),
                "list_href": f"{reverse('life:meeting_list')}?{urlencode({'org': org.code})}"}


def _types_for(org, day):
    return validators.allowed_meeting_types(org.org_type, has_groups=selectors.has_groups_on(org, day))


class MeetingRecord(generic.ObjectCreateView):
    """记录会议 (quick entry) for the organization ``pk`` (``party.add``)."""

    url_name = "life:meeting_record"
    model = "life.Meeting"
    object_arg = "pk"
    object_model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = ORG_NOT_FOUND
    form_class = MeetingForm
    template_name = "life/meeting_form.html"
    context_object_name = "org"

    def roster_day(self):
        """The day whose roster the form lists: ``?date=`` (the date field asks again when it changes, and the
        page's roster is swapped in by HTMX) or the posted date when readable and not in the future, else today."""
        today = timezone.localdate()
        raw = self.request.POST.get("date") or self.request.GET.get("date") or ""
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            return today
        return day if day <= today else today

    def get_initial(self, org) -> dict:
        return {"date": self.roster_day().isoformat()}

    def get_form_kwargs(self, org) -> dict:
        day = self.roster_day()
        roster = selectors.meeting_roster(user=self.user, organization=org, day=day, action="add")
        return {"roster": roster, "mode": "roster" if roster else "counts", "types": _types_for(org, day)}

    def perform(self, form, org):
        return services.meeting_record(actor=self.user, organization=org, **form.service_kwargs())

    def success_message(self, org, result, form) -> str:
        m = result.meeting
        text = f"已记录{MEETING_TYPE.label(m.meeting_type)}「{m.topic}」：应到 {m.expected_count} 人，实到 {m.attended_count} 人。"
        return text + "".join(f" 注意：{w}" for w in result.warnings)

    def success_url(self, org, result) -> str:
        return f"{reverse('life:meeting_list')}?{urlencode({'org': org.code})}"

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": "记录会议", "organization": org, "members": form.member_rows() if form.mode == "roster" else [],
                "refresh_roster": True, "roster_day": self.roster_day(),
                "cancel": f"{reverse('life:meeting_list')}?{urlencode({'org': org.code})}", "statuses": ATTENDANCE_STATUS}


class MeetingEdit(generic.ObjectEditView):
    """修改会议记录 (``party.change``): the same form, the roster of the meeting date with the recorded
    attendance; a record without names (a ledger's numbers) keeps its counts form."""

    url_name = "life:meeting_edit"
    model = "life.Meeting"
    get_selector = selectors.meeting_get
    not_found = NOT_FOUND
    form_class = MeetingForm
    template_name = "life/meeting_form.html"
    context_object_name = "meeting"

    def _rows(self, meeting):
        if not hasattr(self, "_attendance"):
            self._attendance = selectors.meeting_attendance(user=self.user, meeting=meeting)
        return self._attendance

    def _mode(self, meeting) -> str:
        rows = self._rows(meeting)
        return "roster" if rows and len(rows) == meeting.expected_count else "counts"

    def get_initial(self, meeting) -> dict:
        initial = {k: getattr(meeting, k) for k in ("version", "meeting_type", "topic", "presenter", "recorder",
                                                    "lecturer", "secretary_lecture", "location", "minutes",
                                                    "expected_count", "attended_count", "absentee_note")}
        initial["date"] = meeting.date.isoformat()
        initial["attendance"] = {r.person_id: (r.status, r.reason) for r in self._rows(meeting)}
        return initial

    def get_form_kwargs(self, meeting) -> dict:
        mode = self._mode(meeting)
        roster = selectors.meeting_roster(user=self.user, organization=meeting.organization, day=meeting.date,
                                          action="change") if mode == "roster" else []
        return {"roster": roster, "mode": mode, "types": _types_for(meeting.organization, meeting.date)}

    def perform(self, form, meeting):
        kwargs = form.service_kwargs()
        if form.mode != "roster":
            kwargs.pop("attendance")  # keep the rows a ledger import matched
        return services.meeting_edit(actor=self.user, meeting=meeting, version=form.cleaned_data["version"], **kwargs)

    def success_message(self, meeting, result, form) -> str:
        return "已保存会议记录。" + "".join(f" 注意：{w}" for w in result.warnings)

    def success_url(self, meeting, result) -> str:
        return reverse("life:meeting_detail", kwargs={"pk": meeting.pk})

    def get_extra_context(self, meeting, form, errors) -> dict:
        return {"title": "修改会议记录", "organization": meeting.organization,
                "members": form.member_rows() if form.mode == "roster" else [],
                "cancel": reverse("life:meeting_detail", kwargs={"pk": meeting.pk}), "statuses": ATTENDANCE_STATUS}


class MeetingDelete(generic.ObjectDeleteView):
    """删除会议记录 (``party.delete``): the meeting is found in the ``view`` scope (404 outside), and a user
    without ``party.delete`` there (a 支部书记) gets a 403."""

    url_name = "life:meeting_delete"
    model = "life.Meeting"
    get_selector = selectors.meeting_get
    not_found = NOT_FOUND
    form_class = MeetingDeleteForm
    template_name = "life/meeting_delete.html"
    context_object_name = "meeting"

    def get_object(self):
        meeting = selectors.meeting_get(user=self.user, pk=self.object_pk(), action="view")
        if meeting is None:
            raise Http404(self.not_found)
        return meeting

    def get_initial(self, meeting) -> dict:
        return {}

    def precheck(self, meeting):
        if not can(self.user, "party", "delete", meeting.organization):
            raise PermissionDenied("您没有删除会议记录的权限。")
        return None

    def perform(self, form, meeting):
        return services.meeting_delete(actor=self.user, meeting=meeting, reason=form.cleaned_data["reason"])

    def success_message(self, meeting, result, form) -> str:
        return f"已删除会议记录「{meeting.topic}」。"

    def success_url(self, meeting, result) -> str:
        return f"{reverse('life:meeting_list')}?{urlencode({'org': meeting.organization.code})}"


class AttachmentAdd(generic.ObjectActionView):
    """添加附件 to a meeting (``party.change``)."""

    url_name = "life:attachment_add"
    model = "life.Meeting"
    get_selector = selectors.meeting_get
    not_found = NOT_FOUND
    form_class = AttachmentForm
    template_name = "life/attachment_form.html"
    context_object_name = "meeting"

    def get_form(self, meeting):
        if self.request.method == "POST":
            return self.form_class(self.request.POST, self.request.FILES)
        return self.form_class()

    def perform(self, form, meeting):
        upload = form.cleaned_data["file"]
        return services.attachment_add(actor=self.user, meeting=meeting, upload=upload, filename=upload.name)

    def success_message(self, meeting, result, form) -> str:
        return f"已添加附件「{result.original_name}」。"

    def success_url(self, meeting, result) -> str:
        return reverse("life:meeting_detail", kwargs={"pk": meeting.pk})


class AttachmentDownload(generic.ObjectView):
    """下载附件 (``party.view`` on the meeting): the stored bytes with the type found at upload, always as an
    attachment (never rendered inline), ``nosniff`` set by the security middleware."""

    url_name = "life:attachment_download"
    model = "life.MeetingAttachment"
    get_selector = selectors.attachment_get
    not_found = "附件不存在或不在您的数据范围内"

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        data = selectors.attachment_content(user=self.user, attachment=attachment)
        if data is None:
            raise Http404(self.not_found)
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
        return response


meeting_list = MeetingList.as_view()
meeting_detail = MeetingDetail.as_view()
meeting_record = MeetingRecord.as_view()
meeting_edit = MeetingEdit.as_view()
meeting_delete = MeetingDelete.as_view()
attachment_add = AttachmentAdd.as_view()
attachment_download = AttachmentDownload.as_view()
