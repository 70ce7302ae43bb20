"""Scope tests generated from the view registry (``core.registry.registry.views``) and the case table
(``scope_cases.CASES``): every registered page and API route, every method it declares.

For each ``(view, method)`` and each scoped actor (``ACTORS``: the branch-A1 secretary, the town-A worker),
with a "mine" record in the actor's subtree and a "foreign" record in branch B1 (outside both). A subtree
(``scope_cases.Side``) has a node on each anchor tree — its party organization and its unit (单位: 甲镇农机厂
for town A's branches, 乙镇食品公司 for branch B1) — and a record goes under the node of the tree that scopes
its model; the actors hold grants on both trees over their own subtree (fixture ``scope_tree``):

- **list** (``GET``): every row (``context["object_list"]`` of a page, the JSON rows of an API route)
  lies in the actor's scope, the foreign row is absent and the actor's own row present (after the
  ``LIST_SEARCH`` query when the plain list does not show new rows, e.g. the tree's roots); a list naming
  its subtree (``object_arg``, or ``object_param`` as ``?org=``) of the foreign side is a 404. A report
  listing only some records of its model (数据质量) makes its rows with ``scope_cases.VIEW_CASES``;
- **detail / form pages** (``GET`` naming a record): the foreign record is a 404, the own one a 200 (when
  the actor holds the view's action there; else 403/404);
- **edit / delete / action / create under a parent** (``POST``/``PATCH`` naming a record): the foreign
  record is a 404 and nothing under branch B1 changed (every business model's rows compared before/after);
  an edit or create in the own subtree succeeds, an action on the own record is done (``ACTION_DONE``) or
  refused on its merits (400/409), never a 404 (unless the actor lacks the action there); an action naming a
  target (``FOREIGN_TARGET_REFUSED``: a new parent, the unit an organization is set up in) is refused on the
  own record when the target lies in the foreign subtree, with nothing changed on either side;
- **create** (``POST`` without a record: the target is in the body): refused for the foreign subtree
  with nothing written, done in the own one;
- **import**: a file naming the foreign organization fails with nothing written; one naming the own
  organization succeeds;
- **export**: every exported row names an anchor node (organization, or unit for a unit-anchored model)
  of the actor's export scope; the own row is in the file, the foreign one is not; ``?org=`` of a foreign
  organization is a 404;
- every ``GET`` answer the actor may read names neither the foreign record nor the foreign branch or unit.

Also per view: anonymous → the login page (API: 403), the three separated administrators → 403, for every
declared method; every method *not* declared → 405. The meta-tests fail, naming them, for a business
model without a scope case, a URL name neither registered nor in the hand matrix
(``test_scope_matrix.MATRIX``), and a declared method the generator cannot exercise.

An API route answering several methods registers the kind of its ``GET``: ``POST`` on a list is read
as a create, ``PATCH``/``PUT`` on a detail as an edit, ``DELETE`` as a delete.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import build_units
from tests.imports.helpers import upload_and_confirm, xlsx
from tests.security.helpers import login
from tests.security.scope_cases import CASES, MARKER, business_models, case_for, label_of, probe_name, side
from tests.security.test_scope_matrix import MATRIX, NOT_SCOPED, named_urls
from zugong.accounts.services import grant_role
from zugong.core.models import ImportJob
from zugong.core.registry import registry, view_methods, view_names
from zugong.core.scoping import anchor_kind, can, user_scope

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Scope-anchor models (``scope_anchor``) → the ``Side`` attribute holding a subtree's node of that tree. A page
# listing or creating *under* an anchor record gets the subtree's node (a second tree adds its entry).
ANCHOR_SIDES = {"orgs.PartyOrganization": "org", "orgs.Unit": "unit"}


@dataclass(frozen=True)
class Actor:
    name: str
    user: str  # attribute of the ``sec`` fixture
    home: str  # the fixture organization the actor's own records go to (inside its scope)


# Each actor holds grants on both anchor trees over its own subtree (the ``scope_tree`` fixture): the branch-A1
# secretary on branch A1 and on its unit 甲镇农机厂 (U-A-E), the town-A worker on town A and on 甲镇 (U-A).
ACTORS = (Actor("branch_a", "branch_user", "branch_a1"), Actor("town", "town_user", "branch_a2"))
FOREIGN = "branch_b1"  # outside both actors' scope
ADMINS = ("sysadm", "secadm", "audadm")

# List views that do not show a new row without a query (the tree shows its roots and their children; the
# picker shows nothing until typed into): the parameter that searches by the marker text.
LIST_SEARCH = {"orgs:tree": "q", "orgs:picker": "q", "orgs:unit_picker": "q", "api:organization-list": "search"}


def _version(record) -> int:
    return type(record).objects.get(pk=record.pk).version


def _open_membership(member):
    from zugong.party.models import Membership

    return Membership.objects.get(person_id=member.pk, end_date__isnull=True)


def _full_date(member) -> str:
    admitted = member.admission_date
    return (admitted.replace(year=admitted.year + 1) + dt.timedelta(days=1)).isoformat()


def _move(r, s):
    return {"version": _version(r), "new_parent": s.org.code}


def _dissolve(r, s):
    return {"version": _version(r), "date": "2024-12-31", "reason": "撤并"}


def _transfer(r, s):
    return {"version": _open_membership(r).version, "to_organization": s.org.pk, "date": "2025-01-02"}


def _full(r, s):
    return {"version": _version(r), "full_membership_date": _full_date(r)}


def _end(r, s):
    return {"version": _open_membership(r).version, "end_date": "2025-01-02", "reason": "death"}


def _event(r, s):
    """A 死亡 recorded for the member (党员变动, issue #10): the person's version is the lock."""
    from zugong.people.models import Person

    return {"version": Person.objects.get(pk=r.pk).version, "kind": "death", "date": "2025-01-02"}
def _revoke(r, s):
    """撤销 the event ``r`` (its person's version is the lock)."""
    from zugong.people.models import Person

    return {"version": Person.objects.get(pk=r.person_id).version, "reason": "登记有误"}


# URLs naming their record with more than ``object_arg`` (the event under its person): the keyword arguments.
URL_KWARGS: dict[str, Callable] = {
    "party:event_revoke": lambda r: {"pk": r.person_id, "event_id": r.pk},
    "api:member-event-revoke": lambda r: {"person_id": r.person_id, "event_id": r.pk},
}


def _status_start(r, s):
    return {"kind": "mobile", "start_date": dt.date.today().isoformat(), "flow_scope": "cross_province",
            "destination_type": "nonpublic_private", "destination": "深圳"}


def _status_end(r, s):
    return {"version": _version(r), "end_date": dt.date.today().isoformat()}


def _term_create(r, s):
    return {"election_date": "2024-01-05", "start_date": "2024-01-05", "end_date": "2027-01-05"}


def _set_unit(r, s):
    return {"version": _version(r), "unit_relation": "legal_entity_unit", "unit_code": s.unit.code}


def _officer_appoint(r, s):
    """任职 in organization ``r`` of a member of it or of its branch (a read: nothing written before the request)."""
    from zugong.party.models import Membership

    paths = [r.path, r.path[:-r.steplen]]
    person = Membership.objects.filter(organization__path__in=paths).values_list("person_id", flat=True).first()
    return {"person": person or "", "role": "committee_member", "start_date": "2024-01-02", "note": "委员"}


def _officer_end(r, s):
    return {"version": _version(r), "end_date": dt.date.today().isoformat(), "reason": "调离"}


def _weak_rectify(r, s):
    return {"version": _version(r), "rectified_on": dt.date.today().isoformat(), "measures": "整顿班子，恢复组织生活"}


def _weak_verify(r, s):
    return {"version": _version(r), "verified_on": dt.date.today().isoformat(), "verified_by": "甲镇党委"}


def _decide(*, date: bool = False, reason: str = ""):
    """The body of a decision on a transfer (accept / return / cancel) at its current version."""
    def body(r, s):
        data = {"version": _version(r)}
        if date:
            data["date"] = dt.date.today().isoformat()
        if reason:
            data["reason"] = reason
        return data
    return body


# POST bodies of the action and delete views, ``fn(record, actor_side) -> dict``: a valid request that would
# change the foreign record — move it, or transfer its member, into the actor's own subtree.
def _certificate_issue(r, s):
    """A certificate on the side's passed exam (``scope_cases._training_make``), a fresh number."""
    return {"number": f"GZ-S{r.pk}-{dt.date.today():%j}", "issued_date": "2024-04-01", "valid_until": "2027-03-31",
            "issuer": "中共某县委组织部"}


def _certificate_revoke(r, s):
    return {"version": _version(r), "revoked_date": "2024-06-01", "reason": "调离书记岗位"}


def _certificate_renew(r, s):
    """A renewal (refused on its merits without a later passed exam, or done)."""
    return {"number": f"GZ-R{r.pk}", "issued_date": "2025-01-02", "valid_until": "2028-01-01", "issuer": "中共某县委组织部"}


def _in_side(unit, s) -> bool:
    return unit.path.startswith(s.unit.path)


def _post_appoint(r, s):
    """任职 on post ``r``: a cadre of the side — made fresh only for the own post (the foreign request must write
    nothing before it is refused)."""
    from tests.factories import make_cadre

    cadre = make_cadre(s.unit, probe_name("任")).pk if _in_side(r.unit, s) else ""
    return {"cadre": cadre, "start_date": "2024-01-02", "appointment_document": "任字1号", "method": "commission"}


def _cadre_appoint(r, s):
    """任职 of cadre ``r``: a post of the side — made fresh only for the own cadre."""
    from tests.factories import make_post

    post = make_post(s.unit, probe_name("岗")).pk if _in_side(r.unit, s) else ""
    return {"post": post, "start_date": "2024-01-02", "appointment_document": "任字2号"}


def _appointment_remove(r, s):
    return {"version": _version(r), "end_date": "2024-06-01", "removal_document": "免字1号", "removal_reason": "调任"}
def _jpeg() -> bytes:
    """A small real JPEG (a cadre photo, 4:5)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 22, 29)).save(buf, "JPEG")
    return buf.getvalue()


ACTION_DATA: dict[str, Callable] = {
    "orgs:move": _move,
    "api:organization-move": lambda r, s: {"version": _version(r), "new_parent_code": s.org.code},
    "orgs:dissolve": _dissolve,
    "api:organization-dissolve": _dissolve,
    "orgs:reactivate": lambda r, s: {"version": _version(r)},
    "api:organization-reactivate": lambda r, s: {"version": _version(r)},
    "party:membership_transfer": _transfer,
    "api:member-transfer": _transfer,
    "party:membership_full": _full,
    "api:member-full-membership": _full,
    "party:membership_end": _end,
    "api:member-end": _end,
    "party:event_create": _event,
    "api:member-events": _event,
    # 撤销党员变动 (issue #10): the record is the event (the scope case's 死亡), undone on the own side
    "party:event_revoke": _revoke,
    "api:member-event-revoke": _revoke,
    "people:unmask": lambda r, s: {"reason": "核对档案"},
    "orgs:unit_move": lambda r, s: {"version": _version(r), "new_parent": s.unit.code},
    "api:unit-move": lambda r, s: {"version": _version(r), "new_parent_code": s.unit.code},
    "orgs:unit_dissolve": _dissolve,
    "api:unit-dissolve": _dissolve,
    "orgs:unit_reactivate": lambda r, s: {"version": _version(r)},
    "api:unit-reactivate": lambda r, s: {"version": _version(r)},
    # 党组织所在单位情况: set the organization in the side's unit (an edit page, but not a rename)
    "orgs:unit_set": _set_unit,
    "api:organization-unit": _set_unit,
    # 组织关系转接 (issue #10): the own record is the actor's outgoing transfer, so accepting or returning it is
    # refused on its merits (only the receiving side may), withdrawing it is done; a transfer is started from the
    # member's record (to 乙镇党委, outside the scope: allowed), a whole-unit transfer from an organization (the
    # generated one is a 党小组: refused on its merits)
    "party:transfer_accept": _decide(date=True),
    "api:transfer-accept": _decide(date=True),
    "party:transfer_return": _decide(reason="材料不全"),
    "api:transfer-return": _decide(reason="材料不全"),
    "party:transfer_cancel": _decide(),
    "api:transfer-cancel": _decide(),
    "party:transfer_start": lambda r, s: {"to_organization": "C-B", "date": dt.date.today().isoformat()},
    "party:transfer_out": lambda r, s: {"counterpart": "中共某省某市某区某街道工作委员会", "letter_number": "2025-001",
                                        "validity_days": "30", "dues_paid_through": f"{dt.date.today():%Y-%m}",
                                        "date": dt.date.today().isoformat()},
    "party:whole_unit_transfer": lambda r, s: {"version": _version(r), "to_organization": "C-B",
                                               "date": dt.date.today().isoformat(), "reason": "整建制转接"},
    # 党员状态 (issue #10): start one for the member, end an open one
    "party:status_start": _status_start,
    "api:member-statuses-statuses": _status_start,
    "party:status_end": _status_end,
    "api:member-status-end": _status_end,
    # 届次 (issue #10): record a term of the organization
    "orgs:term_create": _term_create,
    "api:organization-terms-terms": _term_create,
    # 书记持证上岗 (issue #11): issue a certificate on the own passed exam, revoke or renew the own certificate
    "branches:certificate_issue": _certificate_issue,
    "api:training-record-certificate": _certificate_issue,
    "branches:certificate_revoke": _certificate_revoke,
    "api:secretary-certificate-revoke": _certificate_revoke,
    "branches:certificate_renew": _certificate_renew,
    "api:secretary-certificate-renew": _certificate_renew,
    # 班子成员 (issue #11): appoint a member of the organization (the record is a 党小组: its branch's member),
    # end an open post
    "branches:officer_appoint": _officer_appoint,
    "branches:officer_end": _officer_end,
    "api:branch-officer-end": _officer_end,
    # 软弱涣散 (issue #11): 整改完成 of the entry; 验收 (refused on its merits for the branch secretary, who
    # holds no right on the parent organization, and for an entry not yet rectified)
    "grading:weak_rectify": _weak_rectify,
    "api:weak-branch-rectify": _weak_rectify,
    "grading:weak_verify": _weak_verify,
    "api:weak-branch-verify": _weak_verify,
    # 发展党员 (issue #11): the scope case's record applied 2020-03-01 with no step but its application, so the
    # talk (2) is the legal next step; a pipeline started for the scope case's person (a member: refused on its
    # merits); mentors before the activist step (refused on its merits); 终止培养
    "development:step": lambda r, s: {"step": 2, "date": "2020-03-20"},
    "api:development-steps": lambda r, s: {"step": 2, "date": "2020-03-20"},
    "development:participants": lambda r, s: {"role": "mentor", "start_date": dt.date.today().isoformat()},
    "development:close": lambda r, s: {"date": dt.date.today().isoformat(), "reason": "本人撤回申请"},
    "development:start": lambda r, s: {"organization": s.org.code, "application_date": "2024-01-05"},
    "api:development-start-start": lambda r, s: {"organization": s.org.code, "application_date": "2024-01-05"},
    # 组织生活记录 (issue #11): delete a meeting (with a reason), attach a PDF to it
    "life:meeting_delete": lambda r, s: {"reason": "重复录入"},
    "api:meeting-remove": lambda r, s: {"reason": "重复录入"},
    "life:attachment_add": lambda r, s: {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    # 干部信息 (issue #12, cadres.record): 状态, 照片 (a real JPEG), 删除照片 (none: refused on its merits), 上移
    # (the only row: refused on its merits), a child record added to the cadre, a child record deleted
    "cadres:cadre_status": lambda r, s: {"version": _version(r), "status": "retired"},
    "cadres:cadre_photo_set": lambda r, s: {"photo": SimpleUploadedFile("照片.jpg", _jpeg(), "image/jpeg")},
    "cadres:cadre_photo_remove": lambda r, s: {},
    "cadres:cadre_record_move": lambda r, s: {"kind": "resume", "record": "1", "direction": "up"},
    "cadres:education_add": lambda r, s: {"category": "full_time", "education_text": "大学本科", "school": "某大学"},
    "cadres:resume_add": lambda r, s: {"start_date": "2000.09", "end_date": "2004.07", "text": "某大学学习"},
    "cadres:family_add": lambda r, s: {"relation": "父亲", "name": "张某"},
    "cadres:assessment_add": lambda r, s: {"year": "2022", "grade": "优秀"},
    "cadres:education_delete": lambda r, s: {"version": _version(r)},
    "cadres:resume_delete": lambda r, s: {"version": _version(r)},
    "cadres:family_delete": lambda r, s: {"version": _version(r)},
    "cadres:assessment_delete": lambda r, s: {"version": _version(r)},
    # 登记评议结果 (issue #11): the scope case's meeting is a 支部党员大会, so the own one is refused on its merits
    "life:member_evaluation_entry": lambda r, s: {"year": str(r.date.year)},
    # 干部职务与任免 (issue #12, cadres.posts): 撤销 a post, 任职 from the post and from the cadre, 免职, 职级
    "cadres:post_close": lambda r, s: {"version": _version(r), "end_date": dt.date.today().isoformat(), "reason": "机构改革"},
    "api:cadre-post-close": lambda r, s: {"version": _version(r), "end_date": dt.date.today().isoformat()},
    "cadres:post_appoint": _post_appoint,
    "api:cadre-post-appoint": _post_appoint,
    "cadres:cadre_appoint": _cadre_appoint,
    "cadres:appointment_remove": _appointment_remove,
    "api:cadre-appointment-remove": _appointment_remove,
    "cadres:rank_set": lambda r, s: {"rank": "principal_clerk_4", "start_date": "2024-01-02", "document_number": "职字1号"},
    # 档案专项审核 (issue #12): 认定 the scope case's open finding; run the audit over a unit's subtree (the record
    # is the unit)
    "cadres:dossier_decide": lambda r, s: {"version": _version(r), "decision": "dismissed", "document": "1978年招工登记表"},
    "api:dossier-finding-decide": lambda r, s: {"version": _version(r), "decision": "dismissed",
                                                "document": "1978年招工登记表"},
    "cadres:dossier_run": lambda r, s: {},
    "api:dossier-run-audit": lambda r, s: {},
    # 后备干部 (issue #12): 入库 of the scope case's cadre (no entry yet), 调整 / 出库 / 复核 of its open entry,
    # a measure and its follow-up
    "cadres:reserve_enter": lambda r, s: {"list_kind": "ready_now", "entered_date": dt.date.today().isoformat()},
    "api:cadre-reserve-reserve-enter": lambda r, s: {"list_kind": "近期使用", "entered_date": dt.date.today().isoformat()},
    "cadres:reserve_move": lambda r, s: {"version": _version(r), "list_kind": "rotation", "date": dt.date.today().isoformat()},
    "api:reserve-cadre-move": lambda r, s: {"version": _version(r), "list_kind": "rotation",
                                            "date": dt.date.today().isoformat()},
    "cadres:reserve_exit": lambda r, s: {"version": _version(r), "exited_date": dt.date.today().isoformat(), "reason": "other"},
    "api:reserve-cadre-exit": lambda r, s: {"version": _version(r), "exited_date": dt.date.today().isoformat(),
                                            "reason": "其他"},
    "cadres:reserve_review": lambda r, s: {"version": _version(r), "review_date": "2099-01-01", "note": "复核"},
    "api:reserve-cadre-review": lambda r, s: {"version": _version(r), "review_date": "2099-01-01"},
    "cadres:reserve_measure_add": lambda r, s: {"measure": "到村挂职"},
    "cadres:reserve_measure_follow_up": lambda r, s: {"version": _version(r), "follow_up": "已完成"},
    # 处理处分记录 (issue #12, label discipline): 登记 on the cadre, 删除 with a reason
    "cadres:supervision_add": lambda r, s: {"kind": "admonishment", "decided_date": "2024-01-02", "reason": "登记"},
    "cadres:supervision_delete": lambda r, s: {"version": _version(r), "reason": "登记有误"},
}

# What a successful request on the own record did (checked instead of "done or refused on its merits" for an
# action, and instead of the rename for an edit whose body comes from ``ACTION_DATA``).
ACTION_DONE: dict[str, Callable] = {
    "orgs:unit_set": lambda r, s: (r.unit_relation, r.unit_id) == ("legal_entity_unit", s.unit.pk),
    "api:organization-unit": lambda r, s: (r.unit_relation, r.unit_id) == ("legal_entity_unit", s.unit.pk),
    # 更正届次: the 届满日期 of the body (scope_cases._term_edit)
    "orgs:term_edit": lambda r, s: r.end_date == dt.date(2027, 1, 5),
    "api:organization-term-detail": lambda r, s: r.end_date == dt.date(2027, 1, 5),
    # 后备干部 (issue #12): the cadre is in the pool; the entry moved (ended 调整出库) or ended
    "cadres:reserve_enter": lambda r, s: r.reserve_entries.filter(exited_date__isnull=True).exists(),
    "cadres:reserve_move": lambda r, s: r.exit_reason == "adjusted" and r.cadre.reserve_entries.filter(
        list_kind="rotation", exited_date__isnull=True).exists(),
    "cadres:reserve_exit": lambda r, s: (r.exit_reason, r.exited_date) == ("other", dt.date.today()),
    "api:reserve-cadre-exit": lambda r, s: (r.exit_reason, r.exited_date) == ("other", dt.date.today()),
    "cadres:reserve_review": lambda r, s: r.review_date == dt.date(2099, 1, 1),
    "api:reserve-cadre-review": lambda r, s: r.review_date == dt.date(2099, 1, 1),
    "cadres:reserve_measure_follow_up": lambda r, s: r.follow_up.endswith("已完成"),
}

# Actions whose body names a target in the actor's side (a new parent, the unit to set up in): on the own
# record, the same body naming the foreign subtree instead is refused (400/404) with nothing changed — a
# target outside the scope is as unknown as a missing one.
FOREIGN_TARGET_REFUSED = {"orgs:move", "api:organization-move", "orgs:unit_move", "api:unit-move",
                          "orgs:unit_set", "api:organization-unit", "party:membership_transfer", "api:member-transfer"}


def _prepare(url_name: str, record) -> None:
    """Put ``record`` in the state the action applies to (a reactivation needs a dissolved organization)."""
    if url_name in ("orgs:reactivate", "api:organization-reactivate", "orgs:unit_reactivate", "api:unit-reactivate"):
        type(record).objects.filter(pk=record.pk).update(status="dissolved", dissolved_date=dt.date(2024, 12, 31),
                                                         dissolution_reason="撤并")


# ----- what a (view, method) pair means ---------------------------------------------------------------------

def derived_kind(spec, method: str) -> str:
    """The test a method of ``spec`` gets: ``list``, ``detail``, ``export``, ``form`` (GET of a write page),
    ``create``, ``edit``, ``delete``, ``action`` or ``import``."""
    if method == "GET":
        return spec.kind if spec.kind in ("list", "detail", "export") else "form"
    if spec.kind == "list":
        return "create"
    if spec.kind == "detail":
        return {"PATCH": "edit", "PUT": "edit", "DELETE": "delete"}.get(method, "action")
    return spec.kind


WRITE_ACTION = {"create": "add", "edit": "change", "delete": "delete"}


def action_of(spec, kind: str) -> str:
    if spec.kind in ("list", "detail") and kind in WRITE_ACTION:
        return WRITE_ACTION[kind]
    return spec.action


def problems(spec, method: str) -> list[str]:
    """Why the generator cannot exercise ``method`` of ``spec`` (empty: it can)."""
    out = []
    kind = derived_kind(spec, method)
    if method not in METHODS:
        out.append(f"unknown method {method}")
    for model in {spec.model, spec.target_model}:
        if model not in CASES:
            out.append(f"no scope case for {model}")
    if out:
        return out
    case, target = CASES[spec.model], CASES[spec.target_model]
    if kind == "create" and case.create_data is None:
        out.append(f"{spec.model} has no create_data in its scope case")
    if kind == "edit" and target.edit_data is None:
        out.append(f"{spec.target_model} has no edit_data in its scope case")
    if kind == "import" and case.import_row is None and spec.url_name not in FILE_IMPORTS:
        out.append(f"{spec.model} has no import_row in its scope case")
    if kind in ("detail", "edit", "delete", "action") and not (spec.object_arg or spec.object_param):
        out.append(f"a {kind} names no record (object_arg / object_param)")
    if kind in ("delete", "action") and spec.url_name not in ACTION_DATA:
        out.append("no request body in ACTION_DATA")
    if (spec.object_arg or spec.object_param) and spec.kind in ("create", "list") \
            and spec.target_model not in ANCHOR_SIDES:
        out.append(f"a {spec.kind} under a {spec.target_model} (not a scope anchor: ANCHOR_SIDES)")
    if spec.object_param and not any(f.name == "code" for f in target.model_class._meta.fields):
        out.append(f"object_param names a {spec.target_model} by its code, which it has not")
    return out


PAIRS = [(spec, method) for spec in sorted(registry.views.values(), key=lambda s: s.url_name) for method in spec.methods]


def _id(pair) -> str:
    return f"{pair[1]} {pair[0].url_name}"


# ----- helpers ----------------------------------------------------------------------------------------------

def fresh(user):
    """The user re-read (the scope cache lives on the instance)."""
    return get_user_model().objects.get(pk=user.pk)


def client_for(user) -> Client:
    return login(Client(), user)


def url_for(spec, record=None) -> str:
    if spec.url_name in URL_KWARGS and record is not None:
        return reverse(spec.url_name, kwargs=URL_KWARGS[spec.url_name](record))
    if spec.object_arg:
        return reverse(spec.url_name, kwargs={spec.object_arg: record.pk})
    url = reverse(spec.url_name)
    if spec.object_param and record is not None:
        url += "?" + urlencode({spec.object_param: getattr(record, "code", record.pk)})
    return url


def send(client, spec, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    if spec.api or method in ("PUT", "PATCH", "DELETE"):
        return getattr(client, method.lower())(url, data or {}, content_type="application/json")
    return client.post(url, data or {})


def is_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def label(spec) -> str:
    return spec.label or apps.get_model(spec.target_model).data_label


def may(user, spec, action: str, org=None) -> bool:
    """Whether ``user`` holds ``action`` on the view's data label (on ``org``, or anywhere)."""
    labels = {label(spec), apps.get_model(spec.model).data_label}
    return all(can(fresh(user), lb, action, org) for lb in labels)


def snapshot(t, key: str = FOREIGN) -> dict:
    """Every business model's count and its rows (all fields) under the subtree ``key`` (default: the
    foreign one)."""
    subtree = side(t, key)
    return {name: (case.model_class.objects.count(),
                   [tuple(sorted(r.items())) for r in case.records_under(subtree).order_by("pk").values()])
            for name, case in CASES.items()}


def anchor_of(model: str) -> str:
    """The anchor model (a key of ``ANCHOR_SIDES``) whose grants scope ``model``: the one declaring the
    ``scope_anchor`` kind ``model``'s ``scope_org_field`` ends at."""
    kind = anchor_kind(apps.get_model(model))
    return next(a for a in ANCHOR_SIDES if apps.get_model(a).scope_anchor == kind)


def node(s, model: str):
    """The node of side ``s`` on the anchor tree that scopes ``model``: its party organization, or its unit
    for a unit-anchored model."""
    return getattr(s, ANCHOR_SIDES[anchor_of(model)])


def container(t, spec, s, record):
    """The object a record-naming URL gets: the subtree's node for a page creating or listing under an
    anchor record (``orgs:create_child``, ``orgs:children``), else the record itself."""
    if (spec.object_arg or spec.object_param) and spec.kind in ("create", "list"):
        return getattr(s, ANCHOR_SIDES[spec.target_model])
    return record


def body_text(response) -> str:
    if response.get("Content-Type", "").startswith(("text/", "application/json")):
        return response.content.decode()
    return ""


def assert_no_leak(response, t, foreign_record, case, where: str):
    text = body_text(response)
    foreign = side(t, FOREIGN)
    for secret in (case.marker_of(foreign_record), foreign.org.name, foreign.unit.name):
        assert secret not in text, f"{where}: the answer names 「{secret}」 of the foreign subtree"


def listed_pks(spec, response) -> list:
    if spec.api:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        pk_key = apps.get_model(spec.model)._meta.pk.attname
        return [row["id"] if "id" in row else row[pk_key] for row in rows]
    context = response.context
    assert context is not None and "object_list" in context, (
        f"{spec.url_name}: a list page must put its rows in context['object_list'] (model instances)")
    return [obj.pk for obj in context["object_list"]]


@pytest.fixture
def scope_tree(sec):
    """``sec`` with the unit tree (``factories.build_units``: the county holds a unit grant on U, town A on
    U-A) and a unit grant for the branch-A1 secretary (支部书记) on branch A1's unit 甲镇农机厂 (U-A-E), so both
    actors hold grants on their own subtree of each anchor tree. (The hand matrix keeps ``sec`` as is: there
    only the county and town A hold unit grants.)"""
    build_units(sec)
    grant_role(user=sec.branch_user, role_code="branch_secretary", unit=sec.unit_firm_a)
    # cadre records (issue #12, label cadre): each actor also works as 干部工作人员 on its own unit subtree
    grant_role(user=sec.branch_user, role_code="cadre_affairs", unit=sec.unit_firm_a)
    grant_role(user=sec.town_user, role_code="cadre_affairs", unit=sec.unit_town_a)
    return sec


@pytest.fixture
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")


# ----- the generated scope tests ----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("pair", PAIRS, ids=[_id(p) for p in PAIRS])
def test_scope(pair, scope_tree, otp_on, private_tmp):
    """``pair`` = (view, method): anonymous and the administrators refused, then each scoped actor."""
    spec, method = pair
    assert not problems(spec, method), problems(spec, method)
    refuse_anonymous_and_administrators(spec, method, scope_tree)
    kind = derived_kind(spec, method)
    run = RUNNERS[kind]
    for actor in ACTORS:
        run(spec, method, kind, actor, scope_tree)


def refuse_anonymous_and_administrators(spec, method, t):
    """Anonymous → the login page (API: 403); the three separated administrators → 403 (三权分立);
    nothing written."""
    url = _any_url(spec, t)
    before = snapshot(t, ANY_SIDE)
    response = send(Client(), spec, method, url)
    if spec.api:
        assert response.status_code == 403, f"anonymous {method} {url}: {response.status_code}"
    else:
        assert is_login(response), f"anonymous {method} {url}: {response.status_code}"
    for admin in ADMINS:
        response = send(client_for(getattr(t, admin)), spec, method, url)
        assert response.status_code == 403, f"{admin} {method} {url}: {response.status_code}"
    assert snapshot(t, ANY_SIDE) == before, f"{method} {url}: an anonymous or administrator request changed data"


def _records(spec, actor, t):
    case, target = case_for(spec), CASES[spec.target_model]
    mine_side, foreign_side = side(t, actor.home), side(t, FOREIGN)
    return case, target, mine_side, foreign_side


def run_list(spec, method, kind, actor, t):
    case, target, mine_side, foreign_side = _records(spec, actor, t)
    user = getattr(t, actor.user)
    client = client_for(user)
    mine, foreign = case.make(t, mine_side, probe_name("甲")), case.make(t, foreign_side, probe_name("乙"))
    where = f"{actor.name} {method} {spec.url_name}"
    base = url_for(spec, container(t, spec, mine_side, mine))
    if spec.object_arg or spec.object_param:
        foreign_target = container(t, spec, foreign_side, foreign)
        response = client.get(url_for(spec, foreign_target))
        assert response.status_code == 404, f"{where} of a foreign {spec.target_model}: {response.status_code}"
        assert_no_leak(response, t, foreign, case, where)
    response = client.get(base)
    if not may(user, spec, spec.action):
        assert response.status_code in (403, 404) or not listed_pks(spec, response), where
        return
    assert response.status_code == 200, f"{where}: {response.status_code}"
    assert_no_leak(response, t, foreign, case, where)
    searches = [(response, base)]
    if spec.url_name in LIST_SEARCH:
        url = f"{base}{'&' if '?' in base else '?'}{urlencode({LIST_SEARCH[spec.url_name]: MARKER})}"
        searches.append((client.get(url), url))
    seen = set()
    for answer, url in searches:
        assert answer.status_code == 200, f"{where} ({url}): {answer.status_code}"
        pks = listed_pks(spec, answer)
        allowed = set(case.model_class.objects.restrict(fresh(user), spec.action, spec.label or None)
                      .filter(pk__in=pks).values_list("pk", flat=True))
        outside = sorted(set(pks) - allowed)
        assert not outside, f"{where} ({url}) lists rows outside the scope: {outside}"
        assert foreign.pk not in pks, f"{where} ({url}) lists the foreign row {foreign.pk}"
        seen.update(pks)
    assert mine.pk in seen, (f"{where} does not list the actor's own row {mine.pk} — the test cannot tell a scoped "
                             "list from an empty one (add the view's search parameter to LIST_SEARCH?)")


def run_detail(spec, method, kind, actor, t):
    """GET naming a record: ``detail``, ``form`` (a write page) and the ``export`` of one organization."""
    case, target, mine_side, foreign_side = _records(spec, actor, t)
    user = getattr(t, actor.user)
    client = client_for(user)
    where = f"{actor.name} {method} {spec.url_name}"
    mine = target.make(t, mine_side, probe_name("甲"))
    foreign = target.make(t, foreign_side, probe_name("乙"))
    _prepare(spec.url_name, mine)
    _prepare(spec.url_name, foreign)
    if spec.object_arg or spec.object_param:
        response = client.get(url_for(spec, container(t, spec, foreign_side, foreign)))
        assert response.status_code == 404, f"{where} of a foreign {spec.target_model}: {response.status_code}"
        assert_no_leak(response, t, foreign, target, where)
    own = container(t, spec, mine_side, mine) if (spec.object_arg or spec.object_param) else None
    response = client.get(url_for(spec, own))
    if may(user, spec, spec.action, node(mine_side, spec.target_model)):
        assert response.status_code == 200, f"{where} of its own {spec.target_model}: {response.status_code}"
    else:
        assert response.status_code in (403, 404), f"{where} without {label(spec)}.{spec.action}: {response.status_code}"
    assert_no_leak(response, t, foreign, target, where)


def _export_rows(response) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)][1:]


def run_export(spec, method, kind, actor, t):
    if spec.object_param:
        run_detail(spec, method, kind, actor, t)  # ?org= of a foreign organization: 404; of its own: 200
    case, _target, mine_side, foreign_side = _records(spec, actor, t)
    user = getattr(t, actor.user)
    where = f"{actor.name} {method} {spec.url_name}"
    mine, foreign = case.make(t, mine_side, probe_name("甲")), case.make(t, foreign_side, probe_name("乙"))
    response = client_for(user).get(reverse(spec.url_name))
    if not may(user, spec, spec.action):
        assert response.status_code in (403, 404), where
        return
    assert response.status_code == 200, f"{where}: {response.status_code}"
    # every row names an anchor node (its code or name: an organization, or a unit for a unit-anchored model)
    # of the export scope on the tree that scopes the model
    anchor = apps.get_model(anchor_of(spec.model))
    scope = anchor.objects.restrict(fresh(user), spec.action, case.model_class.data_label)
    names = set(scope.values_list("code", flat=True)) | set(scope.values_list("name", flat=True))
    rows = _export_rows(response)
    outside = [row for row in rows if not names & set(row)]
    assert not outside, f"{where}: rows naming no {anchor._meta.verbose_name} of the export scope: {outside[:3]}"
    cells = {cell for row in rows for cell in row}
    assert case.marker_of(mine) in cells, f"{where}: the own row 「{case.marker_of(mine)}」 is not exported"
    assert case.marker_of(foreign) not in cells, f"{where}: the foreign row 「{case.marker_of(foreign)}」 is exported"


def run_create(spec, method, kind, actor, t):
    case = CASES[spec.model]
    mine_side, foreign_side = side(t, actor.home), side(t, FOREIGN)
    user = getattr(t, actor.user)
    client = client_for(user)
    where = f"{actor.name} {method} {spec.url_name}"
    action = action_of(spec, kind)
    for s, tag in ((foreign_side, "乙"), (mine_side, "甲")):
        name = probe_name(tag)
        parent = container(t, spec, s, None) if spec.object_arg else None
        before = snapshot(t)
        response = send(client, spec, method, url_for(spec, parent), case.create_data(t, s, name, spec.api))
        if s is foreign_side:
            expected = (404,) if spec.object_arg else (400, 403, 404)
            assert response.status_code in expected, f"{where} into the foreign subtree: {response.status_code}"
            assert snapshot(t) == before and not case.named(name).exists(), f"{where}: the foreign subtree changed"
        elif may(user, spec, action, node(s, spec.target_model)):
            assert response.status_code in (201, 302), f"{where} into its own subtree: {response.status_code}"
            assert case.named(name).exists(), f"{where}: nothing was created in its own subtree"


def run_write(spec, method, kind, actor, t):
    """POST/PATCH naming a record: edit, delete, action, and the POST of a create-under-parent page."""
    if kind == "create":
        return run_create(spec, method, kind, actor, t)
    case, target, mine_side, foreign_side = _records(spec, actor, t)
    user = getattr(t, actor.user)
    client = client_for(user)
    where = f"{actor.name} {method} {spec.url_name}"
    mine, foreign = target.make(t, mine_side, probe_name("甲")), target.make(t, foreign_side, probe_name("乙"))
    _prepare(spec.url_name, mine)
    _prepare(spec.url_name, foreign)

    new_name = probe_name("改")
    own_node = node(mine_side, spec.target_model)

    def body(record, s):
        if spec.url_name in ACTION_DATA:
            return ACTION_DATA[spec.url_name](record, s)
        return target.edit_data(record, new_name, spec.api)

    def row(record):
        return list(type(record).objects.filter(pk=record.pk).values())

    before = snapshot(t)
    response = send(client, spec, method, url_for(spec, foreign), body(foreign, mine_side))
    assert response.status_code == 404, f"{where} of a foreign {spec.target_model}: {response.status_code}"
    assert snapshot(t) == before, f"{where}: the foreign record changed"
    allowed = may(user, spec, action_of(spec, kind), own_node)
    if spec.url_name in FOREIGN_TARGET_REFUSED and allowed:
        # the own record, the target in the foreign subtree: refused, neither side changed
        before, own_before = snapshot(t), row(mine)
        response = send(client, spec, method, url_for(spec, mine), body(mine, foreign_side))
        assert response.status_code in (400, 404), f"{where} of its own record into the foreign subtree: " \
                                                     f"{response.status_code}"
        assert snapshot(t) == before and row(mine) == own_before, f"{where}: a foreign target changed data"
    response = send(client, spec, method, url_for(spec, mine), body(mine, mine_side))
    if not allowed:
        assert response.status_code in (403, 404), f"{where} without {label(spec)}.{action_of(spec, kind)}: " \
                                                   f"{response.status_code}"
    elif spec.url_name in ACTION_DONE:
        assert response.status_code in (200, 302), f"{where} of its own {spec.target_model}: {response.status_code}"
        assert ACTION_DONE[spec.url_name](type(mine).objects.get(pk=mine.pk), mine_side), f"{where}: not done"
    elif kind == "edit":
        assert response.status_code in (200, 302), f"{where} of its own {spec.target_model}: {response.status_code}"
        assert target.named(new_name).filter(pk=mine.pk).exists(), f"{where}: its own record was not changed"
    else:
        # the own record is found: done, or refused on its merits (400/409), never "not found"
        assert response.status_code in (200, 201, 302, 400, 409), (
            f"{where} of its own {spec.target_model}: {response.status_code}")


def _form_import(client, t, s, name):
    """干部任免审批表 (issue #12): upload a ``.lrmx`` of a new cadre ``name`` for the side's unit, then confirm
    its preview. Returns the last response."""
    from tests.factories import make_id
    from zugong.cadres.lrmx.data import AppointmentFormData, Month
    from zugong.cadres.lrmx.writer import write_lrmx

    data = write_lrmx(AppointmentFormData(name=name, sex="男", birth=Month(1980, 3), ethnicity="汉族",
                                          id_number=make_id(dt.date(1980, 3, 15), "1")))
    url = reverse("cadres:form_import")
    response = client.post(url, {"files": [SimpleUploadedFile("范围.lrmx", data)], "unit": s.unit.pk})
    if response.status_code != 302:
        return response
    return client.post(response["Location"], {"selected": ["1"], "unit": s.unit.pk})


# Imports of files that are not sheets: url name → ``runner(client, t, side, name)`` uploading a file that
# creates a record named ``name`` in ``side`` (confirming any preview); the foreign side must be refused with
# nothing written (with or without a job), the own one must create the record.
FILE_IMPORTS: dict[str, Callable] = {"cadres:form_import": _form_import}


def run_file_import(spec, method, kind, actor, t):
    case = CASES[spec.model]
    user = getattr(t, actor.user)
    client = client_for(user)
    where = f"{actor.name} {method} {spec.url_name}"
    allowed = may(user, spec, spec.action)
    for s, tag in ((side(t, FOREIGN), "乙"), (side(t, actor.home), "甲")):
        name = probe_name(tag)
        before = snapshot(t)
        response = FILE_IMPORTS[spec.url_name](client, t, s, name)
        if not allowed:
            assert response.status_code in (403, 404), f"{where} without the permission: {response.status_code}"
            assert snapshot(t) == before, f"{where}: something was written"
        elif s.key == FOREIGN:
            assert response.status_code in (400, 404), f"{where}: a file for the foreign subtree: {response.status_code}"
            assert snapshot(t) == before and not case.named(name).exists(), f"{where}: the foreign subtree changed"
        else:
            assert response.status_code in (200, 302), f"{where}: a file for its own subtree: {response.status_code}"
            assert case.named(name).exists(), f"{where}: nothing imported into its own subtree"


def run_import(spec, method, kind, actor, t):
    if spec.url_name in FILE_IMPORTS:
        return run_file_import(spec, method, kind, actor, t)
    case = CASES[spec.model]
    user = getattr(t, actor.user)
    client = client_for(user)
    where = f"{actor.name} {method} {spec.url_name}"
    allowed = may(user, spec, spec.action)
    for s, tag in ((side(t, FOREIGN), "乙"), (side(t, actor.home), "甲")):
        name = probe_name(tag)
        headers, row = case.import_row(t, s, name)
        before, jobs = snapshot(t), set(ImportJob.objects.values_list("pk", flat=True))
        # the upload, then the column-mapping page confirmed as detected (the import runs then)
        response = upload_and_confirm(client, reverse(spec.url_name),
                                      {"file": SimpleUploadedFile("范围.xlsx", xlsx([headers, row]))})
        job = ImportJob.objects.exclude(pk__in=jobs).first()
        if not allowed:
            assert response.status_code in (403, 404) and job is None, f"{where} without the permission"
            assert snapshot(t) == before, f"{where}: something was written"
            continue
        assert job is not None, f"{where}: no import job ({response.status_code})"
        if s.key == FOREIGN:
            assert job.status == "failed", f"{where}: a file naming the foreign subtree was {job.status}"
            assert snapshot(t) == before and not case.named(name).exists(), f"{where}: the foreign subtree changed"
        else:
            assert job.status == "succeeded", f"{where}: a file naming its own subtree {job.status}: {job.errors}"
            assert case.named(name).exists(), f"{where}: nothing imported into its own subtree"


def run_get(spec, method, kind, actor, t):
    if kind == "list":
        return run_list(spec, method, kind, actor, t)
    if kind == "export":
        return run_export(spec, method, kind, actor, t)
    return run_detail(spec, method, kind, actor, t)


RUNNERS: dict[str, Callable] = {
    "list": run_get, "detail": run_get, "export": run_get, "form": run_get,
    "create": run_write, "edit": run_write, "delete": run_write, "action": run_write, "import": run_import,
}


# ----- anonymous, administrators, undeclared methods -------------------------------------------------------

ANY_SIDE = "branch_a1"


def _any_url(spec, t) -> str:
    """The view's URL naming a fresh record in branch A1 (for requests whose answer does not depend on scope)."""
    record = CASES[spec.target_model].make(t, side(t, ANY_SIDE), probe_name("丙"))
    return url_for(spec, container(t, spec, side(t, ANY_SIDE), record))


SPECS = sorted(registry.views.values(), key=lambda s: s.url_name)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=[s.url_name for s in SPECS])
def test_undeclared_methods_answer_405(spec, scope_tree, otp_on):
    """Every method a view does not declare is refused with 405 (for a user holding every business label)."""
    url = _any_url(spec, scope_tree)
    client = client_for(scope_tree.county_user)
    declared = view_methods(spec.url_name)  # an API route's other kinds answer the other methods
    wrong = {m: send(client, spec, m, url).status_code for m in METHODS if m not in declared}
    assert all(code == 405 for code in wrong.values()), f"{spec.url_name} ({url}): {wrong}"


# ----- meta-tests -------------------------------------------------------------------------------------------

def test_every_business_model_has_a_scope_case():
    missing = sorted({label_of(m) for m in business_models()} - set(CASES))
    assert not missing, (f"Business models without a scope case: {', '.join(missing)}. Add one ScopeCase to CASES in "
                         "tests/security/scope_cases.py (how to make a record inside a subtree).")
    stale = sorted(set(CASES) - {label_of(m) for m in business_models()})
    assert not stale, f"Scope cases of models that are not business models: {', '.join(stale)}"


def test_every_url_is_registered_or_in_the_matrix():
    covered = view_names() | {row.name for row in MATRIX} | set(NOT_SCOPED)
    missing = sorted(set(named_urls()) - covered)
    assert not missing, (
        f"URL names neither registered nor in the hand matrix: {', '.join(missing)}. A business view registers "
        "itself (core.registry.register_view in its app's ready(), or a generic view); anything else gets a row in "
        "MATRIX of tests/security/test_scope_matrix.py.")
    stale = sorted(view_names() - set(named_urls()))
    assert not stale, f"Registered views whose URL name does not exist: {', '.join(stale)}"


def test_every_declared_method_is_exercised():
    unexercised = [f"{method} {spec.url_name}: {'; '.join(problems(spec, method))}"
                   for spec in registry.views.values() for method in spec.methods if problems(spec, method)]
    assert not unexercised, "Declared methods the generated scope tests cannot exercise:\n  " + "\n  ".join(unexercised)


def test_registered_views_and_matrix_rows_do_not_overlap_by_accident():
    """A registered view's hand-matrix rows are the actor-specific extras (``KEPT_BUSINESS_ROWS``)."""
    from tests.security.test_scope_matrix import KEPT_BUSINESS_ROWS

    extra = sorted({row.name for row in MATRIX if row.name in view_names()} - KEPT_BUSINESS_ROWS)
    assert not extra, f"Matrix rows of registered views not listed in KEPT_BUSINESS_ROWS: {', '.join(extra)}"


def test_scoped_actors_hold_grants_only_in_their_subtree(scope_tree):
    """The generator's premise: on each anchor tree, each actor's own records are in its scope, the foreign
    subtree is not."""
    foreign = side(scope_tree, FOREIGN)
    for actor in ACTORS:
        user = fresh(getattr(scope_tree, actor.user))
        home = side(scope_tree, actor.home)
        for anchor, attr in ANCHOR_SIDES.items():
            model = apps.get_model(anchor)
            nodes = user_scope(user, model.data_label, "view", model.scope_anchor)
            assert nodes and all(getattr(home, attr).path.startswith(n.path) for n in nodes), (actor.name, anchor)
            assert not can(user, model.data_label, "view", getattr(foreign, attr)), (actor.name, anchor)
