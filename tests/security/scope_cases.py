"""Scope cases: for each business model (every model declaring ``scope_org_field``), how to make a record
inside one subtree of the fixture tree, and valid form / JSON / import data to create or edit one there.

The generated scope tests (``test_scope_generated.py``) put a "mine" record in the subtree of each scoped
actor and a "foreign" record in another subtree, then check that every registered view
(``core.registry.register_view``) lists, shows, changes, imports and exports only what it should.

**Adding a model is one entry** of ``CASES``::

    ScopeCase("party.Commendation", marker="person__name",
              make=lambda t, side, name: Commendation.objects.create(person=make_member(side.org, name), ...),
              edit_data=lambda record, name, api: {"version": record.version, "title": name})

- ``make(t, side, name)``: a record whose scope anchor lies in ``side`` and whose ``marker`` (a lookup path
  to text the pages and files show, e.g. the person's name) is ``name``; ``t`` is the ``sec`` fixture tree.
- ``create_data(t, side, name, api)``: the POST body (form dict, or JSON dict when ``api``) creating a
  record named ``name`` in ``side`` (for a page whose URL names the parent, the parent is ``side.org``).
- ``edit_data(record, name, api)``: the POST/PATCH body renaming ``record`` to ``name`` (with its version).
- ``import_row(t, side, name)``: ``(headers, row)`` of an import file creating such a record in ``side``.
- ``under(side)``: the records of the model inside ``side`` (default: through ``scope_org_field`` on the
  party-organization tree path); a model anchored on another tree (单位) gives its own.

Every record's marker starts with ``MARKER`` so one search (``?q=范围探针``) would find the foreign record
too if a view forgot the scope. ``Side`` is one subtree: ``org`` its party organization (a second anchor
kind adds its node, e.g. ``unit``, as an attribute: ``UNIT_OF`` names the unit of each fixture subtree).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

from tests.factories import make_id, make_member
from tests.imports.helpers import ORG_HEADERS, ROSTER_HEADERS, member_row
from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY

MARKER = "范围探针"
_DIGITS = "〇一二三四五六七八九"
_seq = itertools.count(1)


def probe_name(tag: str) -> str:
    """A fresh marker name (``范围探针甲一二``): Chinese digits, valid as a person's or organization's name."""
    return MARKER + tag + "".join(_DIGITS[int(d)] for d in str(next(_seq)))


@dataclass(frozen=True)
class Side:
    """One subtree of the fixture tree: ``key`` (its fixture name) and ``org`` (its party organization)."""

    key: str
    org: object
    extra: dict = field(default_factory=dict, compare=False)

    def __getattr__(self, name):  # anchors of other kinds (e.g. ``side.unit``) live in ``extra``
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


# The unit subtree (``factories.build_units``) paired with each fixture organization's subtree: the branches of
# town A with 甲镇农机厂 (U-A-E, in 甲镇 U-A; branch A1 is set up in it), branch B1 with 乙镇食品公司 (U-B-E, in
# 乙镇 U-B) — outside U-A as branch B1 is outside town A. Both are legal-entity units, so an organization
# can be set up in either (党组织所在单位情况 法人单位) and a refusal of the foreign one is the scope's.
UNIT_OF = {"branch_a1": "unit_firm_a", "branch_a2": "unit_firm_a", "branch_b1": "unit_firm_b"}


def side(t, key: str) -> Side:
    """The subtree of fixture organization ``key`` (``"branch_a1"``, ``"branch_b1"`` …), with its unit
    (``side.unit``, ``UNIT_OF``) once ``t`` has the unit tree."""
    unit = getattr(t, UNIT_OF[key], None) if key in UNIT_OF else None
    return Side(key, getattr(t, key), {"unit": unit} if unit is not None else {})


@dataclass(frozen=True)
class ScopeCase:
    model: str
    marker: str
    make: Callable
    create_data: Callable | None = None
    edit_data: Callable | None = None
    import_row: Callable | None = None
    under: Callable | None = None

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def records_under(self, side: Side):
        """The model's records inside ``side`` (all of them, unscoped: for before/after snapshots)."""
        if self.under is not None:
            return self.under(side)
        model = self.model_class
        prefix = f"{model.scope_org_field}__" if model.scope_org_field else ""
        return model.objects.filter(**{f"{prefix}path__startswith": side.org.path})

    def named(self, name: str):
        """Records whose marker is ``name``."""
        return self.model_class.objects.filter(**{self.marker: name})

    def marker_of(self, record) -> str:
        value = record
        for part in self.marker.split("__"):
            value = getattr(value, part)
        return value


# ----- party organizations (the scope anchor) -------------------------------------------------------------

def _child_type(parent) -> str:
    return "party_group" if parent.org_type in ("branch", "joint_branch", "temporary_branch") else "branch"


def _org_make(t, side, name):
    from zugong.orgs.services import organization_create

    parent = side.org
    return organization_create(parent=parent, code=f"{parent.code}-S{next(_seq)}", name=name,
                               org_type=_child_type(parent), founded_date=dt.date(2000, 1, 1))


def _org_create(t, side, name, api):
    data = {"code": f"{side.org.code}-N{next(_seq)}", "name": name, "org_type": _child_type(side.org),
            "unit_category": "", "founded_date": "2001-01-01"}
    return {**data, "parent_code": side.org.code} if api else data


def _org_edit(record, name, api):
    record.refresh_from_db()
    if api:
        return {"version": record.version, "name": name}
    return {"version": record.version, "name": name, "org_type": record.org_type,
            "unit_category": record.unit_category, "founded_date": record.founded_date.isoformat()}


def _org_import(t, side, name):
    return ORG_HEADERS, [f"{side.org.code}-I{next(_seq)}", name, side.org.code,
                         ORG_TYPE.label(_child_type(side.org)), "", ""]


# ----- people and party members ---------------------------------------------------------------------------

def _member(side, name, *, probationary: bool = False):
    """A party member (person + record + open membership) in ``side``; probationary: admitted last year."""
    if probationary:
        admitted = dt.date.today().replace(month=1, day=1) - dt.timedelta(days=400)
        return make_member(side.org, name, admission_date=admitted, full_membership_date=None)
    return make_member(side.org, name)


def _person_create(t, side, name, api):
    birth = dt.date(1990, 1, 1)
    data = {"organization": side.org.pk, "name": name, "sex": "1", "ethnicity": "01",
            "birth_date": birth.isoformat(), "id_number": make_id(birth, "1")}
    return data if api else {**data, "education_level": "21"}


def _person_edit(record, name, api):
    record.refresh_from_db()
    if api:
        return {"version": record.version, "name": name}
    return {"version": record.version, "name": name, "sex": record.sex, "ethnicity": record.ethnicity,
            "birth_date": record.birth_date.isoformat(), "education_level": record.education_level,
            "political_status": record.political_status}


def _member_create(t, side, name, api):
    birth = dt.date(1988, 3, 3)
    data = {"organization": side.org.pk, "name": name, "sex": "1", "ethnicity": "01", "id_number": make_id(birth, "1"),
            "birth_date": birth.isoformat(), "education_level": "21", "category": "full",
            "admission_date": "2012-07-01", "full_membership_date": "2013-07-01", "occupation": "professional"}
    return data


def _roster_import(t, side, name):
    return ROSTER_HEADERS, member_row(side.org.code, name=name)


def _development_make(t, side, name):
    from zugong.party.models import DevelopmentRecord

    person = make_member(side.org, name)
    return DevelopmentRecord.objects.create(person=person, organization=side.org,
                                            application_date=dt.date(2020, 3, 1))


def _member_count_make(t, side, name):
    """A new organization named ``name`` under ``side`` with one member: its count row (the trigger's)."""
    from zugong.party.models import MemberCount

    org = _org_make(t, side, name)
    make_member(org, probe_name("计"))
    return MemberCount.objects.get(organization=org)


def _development_step_make(t, side, name):
    from zugong.development.models import DevelopmentStep

    record = _development_make(t, side, name)
    return DevelopmentStep.objects.create(record=record, step=2, date=dt.date(2020, 3, 20), actor="谈话人")


def _development_participant_make(t, side, name):
    from zugong.development.models import DevelopmentParticipant

    record = _development_make(t, side, name)
    mentor = make_member(side.org, probe_name("联"))
    return DevelopmentParticipant.objects.create(record=record, person=mentor, role="mentor",
                                                 start_date=dt.date(2020, 6, 1))


# ----- units (单位: the second anchor tree, scoped by unit grants) -------------------------------------------

def _unit_make(t, side, name):
    from zugong.orgs.unit_services import unit_create

    return unit_create(parent=side.unit, code=f"{side.unit.code}-S{next(_seq)}", name=name, unit_category="village")


def _unit_create(t, side, name, api):
    data = {"code": f"{side.unit.code}-N{next(_seq)}", "name": name, "unit_category": "village"}
    return {**data, "parent_code": side.unit.code} if api else data


def _unit_edit(record, name, api):
    record.refresh_from_db()
    if api:
        return {"version": record.version, "name": name}
    return {"version": record.version, "name": name, "unit_category": record.unit_category,
            "legal_entity": "on" if record.legal_entity else "", "credit_code": record.credit_code,
            "economic_control": record.economic_control, "enterprise_size": record.enterprise_size,
            "organ_level": record.organ_level,
            "founded_date": record.founded_date.isoformat() if record.founded_date else ""}


def _unit_import(t, side, name):
    return (["单位代码", "单位名称", "上级单位代码", "单位属性"],
            [f"{side.unit.code}-I{next(_seq)}", name, side.unit.code, UNIT_CATEGORY.label("village")])


def _units_under(side):
    from zugong.orgs.models import Unit

    return Unit.objects.filter(path__startswith=side.unit.path)


def _layout_make(t, side, name):
    """A saved 导入版式 (issue #9) anchored on the subtree's organization."""
    from zugong.core.models import ImportLayout

    return ImportLayout.objects.create(organization=side.org, kind="roster", name=name,
                                       mapping={"所在党支部": "organization", "备注": ""})


def _event_make(t, side, name):
    """A 党员变动 (issue #10): a 死亡 of a member of the subtree's organization, recorded as the services do."""
    from zugong.party.lifecycle import apply_event
    from zugong.party.models import MembershipEvent

    person = _member(side, name)
    event = MembershipEvent.objects.create(person=person, kind="death", date=dt.date.today(), organization=side.org,
                                           from_organization=side.org)
    apply_event(event)
    return event


def _changes_import(t, side, name):
    """A 党员变动台账 row (issue #10, ``party.ledger``): the 死亡 of a member of the subtree's organization."""
    person = _member(side, name)
    return (["公民身份号码", "姓名", "变动类型", "变动日期"],
            [person.id_number, name, "死亡", (dt.date.today() - dt.timedelta(days=1)).isoformat()])


def _transfer_make(t, side, name):
    """A pending 组织关系转接 (issue #10) of a member of the subtree's organization to 乙镇党委 (``town_b``:
    outside both actors' scope, and not the foreign branch whose name no answer may contain). The marker is
    the transfer's 备注 (also the member's name): the API's create starts a transfer of a member already
    there, so only the note can carry a fresh name without writing anything else."""
    from zugong.party.models import MembershipTransfer

    person = _member(side, name)
    return MembershipTransfer.objects.create(person=person, direction="internal", from_organization=side.org,
                                             to_organization=t.town_b, sent_date=dt.date.today(), note=name)


def _transfer_create(t, side, name, api):
    """API (``POST /api/transfers/``): start a transfer of a member already in ``side`` (the first without an
    open transfer; nothing else is written) to 乙镇党委. Page (``party:transfer_in``, 登记转入党员): a member
    arriving in ``side`` with a 介绍信 from outside Zugong."""
    from zugong.party.models import Membership

    today = dt.date.today().isoformat()
    if api:
        membership = (Membership.objects.filter(organization=side.org, end_date__isnull=True)
                      .exclude(person__membership_transfers__state="pending").order_by("pk").first())
        return {"person_id": membership.person_id, "to_organization": t.town_b.pk, "date": today, "note": name}
    birth = dt.date(1990, 5, 6)
    return {"organization": side.org.pk, "name": name, "sex": "1", "ethnicity": "01", "id_number": make_id(birth, "1"),
            "birth_date": birth.isoformat(), "education_level": "21", "category": "full",
            "admission_date": "2014-07-01", "full_membership_date": "2015-07-01", "occupation": "professional",
            "counterpart": "中共某省某市某区某街道工作委员会", "letter_number": "2025-017", "date": today, "note": name}


def _transfers_under(side):
    """Transfers sent from or addressed to ``side`` (the receiving side sees them too)."""
    from django.db.models import Q

    from zugong.party.models import MembershipTransfer

    return MembershipTransfer.objects.filter(Q(from_organization__path__startswith=side.org.path)
                                             | Q(to_organization__path__startswith=side.org.path))


def _status_make(t, side, name):
    """An open 流动党员 status (issue #10) of a member of the subtree's organization."""
    from zugong.party.models import MemberStatus

    person = _member(side, name)
    return MemberStatus.objects.create(person=person, organization=side.org, kind="mobile",
                                       start_date=dt.date(2023, 3, 1), flow_scope="cross_province")


def _term_make(t, side, name):
    """A term (届次, issue #10) of the subtree's organization; ``name`` goes nowhere visible but the marker
    is the organization's name."""
    from zugong.orgs.models import OrganizationTerm

    day = dt.date(2023, 1, 5) + dt.timedelta(days=next(_seq) % 700)  # one term per start: several records per side
    return OrganizationTerm.objects.create(organization=side.org, election_date=day, start_date=day,
                                           end_date=dt.date(2026, 1, 5))


def _term_edit(record, name, api):
    """A correction of the term's 届满日期 (a term has no text of its own to rename: the generated tests check
    the change through ``ACTION_DONE``)."""
    record.refresh_from_db()
    data = {"version": record.version, "end_date": "2027-01-05"}
    if api:
        return data
    return {**data, "election_date": record.election_date.isoformat(), "start_date": record.start_date.isoformat()}


def _side_member_id(side) -> int:
    """A member of the side's organization already in the fixture (read only: a create body writes nothing)."""
    from zugong.party.models import Membership

    return (Membership.objects.filter(organization=side.org, end_date__isnull=True, person__party_member__full_membership_date__isnull=False)
            .order_by("pk").values_list("person_id", flat=True).first())


def _training_make(t, side, name):
    """A passed secretary-training exam (2024-03-05) of a member of the side, named ``name``."""
    from zugong.branches.models import TrainingRecord

    person = _member(side, probe_name("训"))
    return TrainingRecord.objects.create(person=person, organization=side.org, training_name=name, start_date=dt.date(2024, 3, 1),
                                         end_date=dt.date(2024, 3, 5), exam_date=dt.date(2024, 3, 5), exam_score=88,
                                         passed=True)


def _training_create(t, side, name, api):
    data = {"organization": side.org.code, "training_name": name, "start_date": "2024-03-01", "end_date": "2024-03-05",
            "exam_date": "2024-03-05", "exam_score": "90"}
    member = _side_member_id(side)
    return {**data, "person_id": member, "passed": True} if api else {**data, "person": member, "passed": "on"}


def _certificate_make(t, side, name):
    """A 《党支部书记任职资格证书》 numbered ``name`` of a member of the side."""
    from zugong.branches.models import SecretaryCertificate

    person = _member(side, probe_name("证"))
    return SecretaryCertificate.objects.create(person=person, organization=side.org, number=name,
                                               issued_date=dt.date(2023, 1, 1), valid_until=dt.date(2026, 1, 1),
                                               issuer="中共某县委组织部")


def _officer_make(t, side, name):
    """A 委员 post (班子成员, issue #11) in the subtree's organization, held by a new member; marker: 备注."""
    from zugong.branches.models import BranchOfficer

    person = _member(side, name)
    return BranchOfficer.objects.create(organization=side.org, person=person, role="committee_member",
                                        start_date=dt.date(2020, 1, 1), note=name)


# The fixture member of each subtree's organization (created with the tree, so a request body naming one writes
# nothing before the "nothing changed" snapshot).
FIXTURE_MEMBER = {"branch_a1": "member_a1_1", "branch_a2": "member_a2_1", "branch_b1": "member_b1_1"}


def _officer_create(t, side, name, api):
    """任职 of the subtree's fixture member as 委员 (``POST /api/branch-officers/``)."""
    person = getattr(t, FIXTURE_MEMBER[side.key])
    return {"organization": side.org.code, "person": person.pk, "role": "committee_member",
            "start_date": "2024-01-02", "note": name}


def _officer_edit(record, name, api):
    """更正 the post's 备注 (the marker)."""
    record.refresh_from_db()
    if api:
        return {"version": record.version, "note": name}
    return {"version": record.version, "role": record.role, "start_date": record.start_date.isoformat(),
            "end_date": "", "note": name}
# ----- branch grading (达标晋级, issue #11) -------------------------------------------------------------------

def _probe_scheme():
    """A deployment's own grading scheme (one criterion of 10 points, one level from 6): each grading made gets a
    scheme of its own, so several gradings of one branch in the current year do not collide (one per branch ×
    scheme × year)."""
    from zugong.grading.models import GradingCriterion, GradingLevel, GradingScheme

    scheme = GradingScheme.objects.create(code=f"probe{next(_seq)}", name="探针方案")
    GradingCriterion.objects.create(scheme=scheme, code="probe", name="探针项", max_score=10, order=1)
    GradingLevel.objects.create(scheme=scheme, code="ok", name="合格", min_total=6, order=1)
    return scheme


def _grading_make(t, side, name):
    """A grading of the subtree's branch for the current year; the marker is its 评定意见."""
    from zugong.grading.models import BranchGrading, GradingScore

    scheme = _probe_scheme()
    grading = BranchGrading.objects.create(organization=side.org, scheme=scheme, year=dt.date.today().year, total=8,
                                           level=scheme.levels.first(), evaluated_on=dt.date.today(), note=name)
    GradingScore.objects.create(grading=grading, criterion=scheme.criteria.first(), score=8, evidence="探针依据")
    return grading


def _grading_score_make(t, side, name):
    score = _grading_make(t, side, probe_name("评")).scores.get()
    score.evidence = name
    score.save()
    return score


_FIVE_GOOD = ("leadership", "member_management", "rules", "conduct", "role")


def _grading_create(t, side, name, api):
    """录入 a 五好 grading of the subtree's branch for the current year (page: under the branch; API: its code)."""
    year = str(dt.date.today().year)
    if api:
        return {"organization": side.org.code, "scheme": "five_good", "year": year, "note": name,
                "scores": {code: {"score": 18, "evidence": "台账齐全"} for code in _FIVE_GOOD}}
    return {"scheme": "five_good", "year": year, "note": name, **{f"score_{code}": "18" for code in _FIVE_GOOD}}


def _grading_edit(record, name, api):
    record.refresh_from_db()
    if api:
        return {"version": record.version, "note": name}
    return {"version": record.version, "scheme": record.scheme.code, "note": name,
            "evaluated_on": record.evaluated_on.isoformat(),
            **{f"score_{s.criterion.code}": str(s.score) for s in record.scores.all()}}


def _weak_make(t, side, name):
    """An entry of the 软弱涣散 list (整改中) of the subtree's organization; one per organization and year, so
    each record made takes an earlier year. The marker is its 具体问题."""
    from zugong.grading.models import WeakBranch

    year = dt.date.today().year - 1 - next(_seq) % 40
    return WeakBranch.objects.create(organization=side.org, year=year, identified_on=dt.date(year, 3, 1),
                                     categories=["life_irregular"], reasons=name)


def _weak_create(t, side, name, api):
    today = dt.date.today()
    data = {"year": str(today.year), "identified_on": today.isoformat(), "categories": ["life_irregular"],
            "reasons": name}
    return {**data, "organization": side.org.code} if api else data


# ----- 组织生活 (issue #11): meetings, their attendance and attachments -----------------------------------------

def _meeting_make(t, side, name):
    """A meeting held by the subtree's organization, recorded with numbers (a ledger row: no attendance rows);
    the marker is its topic."""
    from zugong.life.models import Meeting

    return Meeting.objects.create(organization=side.org, meeting_type="general_meeting", date=dt.date(2024, 5, 10),
                                  topic=name, presenter="主持人", recorder="记录人", expected_count=3, attended_count=3)


def _meeting_create(t, side, name, api):
    """记录会议 (page: under the organization; API: the organization by code): everyone present."""
    data = {"meeting_type": "general_meeting", "date": "2024-06-01", "topic": name, "presenter": "书记",
            "recorder": "组织委员"}
    return {**data, "organization": side.org.code} if api else data


def _meeting_edit(record, name, api):
    record.refresh_from_db()
    if api:
        return {"version": record.version, "topic": name}
    return {"version": record.version, "meeting_type": record.meeting_type, "date": record.date.isoformat(),
            "topic": name, "presenter": record.presenter, "recorder": record.recorder,
            "expected_count": record.expected_count, "attended_count": record.attended_count}


def _meeting_import(t, side, name):
    return (["党组织", "会议类型", "日期", "主题", "应到", "实到"],
            [side.org.code, "支部党员大会", "2024-07-01", name, "3", "3"])


def _attendance_make(t, side, name):
    """An attendance row (缺席, with a reason) of a member named ``name`` at a meeting of the subtree."""
    from zugong.life.models import MeetingAttendance

    meeting = _meeting_make(t, side, probe_name("会"))
    return MeetingAttendance.objects.create(meeting=meeting, person=_member(side, name), status="absent", reason="出差")


def _attachment_make(t, side, name):
    """An attachment named ``name`` (a PDF) of a meeting of the subtree."""
    from zugong.life.models import MeetingAttachment, MeetingAttachmentContent

    meeting = _meeting_make(t, side, probe_name("会"))
    attachment = MeetingAttachment.objects.create(meeting=meeting, original_name=f"{name}.pdf", size=9,
                                                  content_type="application/pdf")
    MeetingAttachmentContent.objects.create(attachment=attachment, content=b"%PDF-1.4\n")
    return attachment


def _evaluation_make(t, side, name):
    """A 民主评议党员 result (issue #11) of a member named ``name`` of the subtree's organization (last year's
    评议年度); the marker is its 备注 (``note``, also ``name``: a created result names an existing member)."""
    from zugong.life.models import MemberEvaluation

    return MemberEvaluation.objects.create(person=_member(side, name), organization=side.org,
                                           year=dt.date.today().year - 1, result="qualified", note=name)


def _evaluation_create(t, side, name, api):
    """登记民主评议结果 (API), marked by its 备注: a member of the subtree's organization without a result this
    year (an existing one, so nothing is written before the request; one is made only when there is none)."""
    from zugong.party.models import Membership

    year = dt.date.today().year
    existing = (Membership.objects.filter(organization=side.org, end_date__isnull=True,
                                          person__party_member__admission_date__lte=dt.date(year, 1, 1))
                .exclude(person__member_evaluations__year=year).values_list("person_id", flat=True).first())
    person_id = existing if existing is not None else _member(side, f"{name}党员").pk
    return {"organization": side.org.code, "person_id": person_id, "year": str(year), "result": "合格", "note": name}


# ----- issue #12: cadre records, anchored on the unit tree (``side.unit``) ------------------------------------

def _cadre(side, name):
    from tests.factories import make_cadre

    return make_cadre(side.unit, name)


def _cadre_child(model_label: str, **fields):
    def make(t, side, name):
        model = apps.get_model(model_label)
        cadre = _cadre(side, f"{name}干部")
        values = {k: (name if v is _NAME else v) for k, v in fields.items()}
        return model.objects.create(cadre=cadre, **values)
    return make


_NAME = object()


def _post_make(t, side, name):
    from tests.factories import make_post

    return make_post(side.unit, name)


def _appointment_make(t, side, name):
    from zugong.cadres.models import Appointment

    post = _post_make(t, side, f"{name}岗位")
    return Appointment.objects.create(cadre=_cadre(side, f"{name}干部"), post=post, start_date=dt.date(2020, 1, 1),
                                      appointment_document=name)


def _finding_make(t, side, name):
    from django.utils import timezone

    from zugong.cadres.models import DossierFinding

    return DossierFinding.objects.create(cadre=_cadre(side, name), check_code="birth_vs_id",
                                         problem_type="inconsistent", evidence={"note": name}, fingerprint=name,
                                         detected_at=timezone.now())


def _decision_make(t, side, name):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zugong.cadres.models import FindingDecision

    finding = _finding_make(t, side, f"{name}问题")
    user = get_user_model().objects.order_by("pk").first()
    return FindingDecision.objects.create(finding=finding, decision="dismissed", document=name, decided_by=user,
                                          decided_at=timezone.now())


def _reserve_make(t, side, name):
    from zugong.cadres.models import ReserveCadre

    return ReserveCadre.objects.create(cadre=_cadre(side, f"{name}干部"), list_kind="ready_now", target_post=name,
                                       entered_date=dt.date(2022, 1, 1))


def _measure_make(t, side, name):
    from zugong.cadres.models import ReserveMeasure

    return ReserveMeasure.objects.create(reserve=_reserve_make(t, side, f"{name}后备"), measure=name)


def _post_create(t, side, name, api):
    """设立职务岗位 in the side's unit (the page's URL names the unit; the API body names it by code)."""
    data = {"name": name, "level": "141", "start_date": "2020-01-01", "max_holders": "1", "leadership": "on",
            "counts_against_quota": "on", "position": "0"}
    if api:
        return {"unit": side.unit.code, "name": name, "level": "141", "start_date": "2020-01-01"}
    return data


def _post_edit(record, name, api):
    if api:
        return {"version": record.version, "name": name}
    return {"version": record.version, "name": name, "level": record.level, "start_date": record.start_date.isoformat(),
            "max_holders": str(record.max_holders), "leadership": "on" if record.leadership else "",
            "counts_against_quota": "on" if record.counts_against_quota else "", "position": "0", "note": ""}


def _fresh_day() -> str:
    """A date no other create used (a unit has one quota / establishment row per level and start date)."""
    return (dt.date(2024, 1, 1) + dt.timedelta(days=next(_seq))).isoformat()


def _quota_create(t, side, name, api):
    data = {"level": "131", "count": "2", "start_date": _fresh_day(), "document_number": name}
    return {**data, "unit": side.unit.code, "count": 2} if api else data


def _establishment_create(t, side, name, api):
    return {"establishment_type": "administrative", "count": "12", "start_date": _fresh_day(), "document_number": name}


def _appointment_edit(record, name, api):
    if api:
        return {"version": record.version, "appointment_document": name}
    return {"version": record.version, "start_date": record.start_date.isoformat(), "end_date": "",
            "appointment_document": name, "appointment_reason": "", "removal_document": "", "removal_reason": "",
            "method": "", "probation_months": ""}
def _cadre_create(t, side, name, api):
    """新增干部 (cadres.record) in ``side``'s unit: a new person named ``name`` (页面 and API take the same keys)."""
    birth = dt.date(1981, 4, 2)
    return {"unit_code": side.unit.code, "name": name, "id_number": make_id(birth, "1"), "sex": "1",
            "ethnicity": "01", "birth_date": birth.isoformat()}


def _versioned(field: str):
    """``edit_data`` renaming ``field`` of a record at its stored version (pages and API alike)."""
    def edit(record, name, api):
        return {"version": type(record).objects.get(pk=record.pk).version, field: name}
    return edit
def _supervision_edit(record, name, api):
    """更正处理处分记录 (cadres.eligibility): the 事由 renamed, the other fields as they are."""
    return {"version": record.version, "kind": record.kind, "decided_date": record.decided_date.isoformat(),
            "document_number": record.document_number, "reason": name}


def _cadre_import(t, side, name):
    """A 干部名册 row (import kind ``cadre_roster``) creating a cadre named ``name`` in ``side.unit``."""
    return (["单位", "姓名", "性别", "出生年月", "公民身份号码"],
            [side.unit.code, name, "男", "1985.06", make_id(dt.date(1985, 6, 1), "1")])


def _cadre_case(label: str, marker: str, make, path: str, **kw) -> ScopeCase:
    """A scope case of a model anchored on the unit tree through ``path`` (``"cadre__unit"``): its records
    under a side are those whose unit lies in ``side.unit``'s subtree."""
    def under(side):
        return apps.get_model(label).objects.filter(**{f"{path}__path__startswith": side.unit.path})
    return ScopeCase(label, marker=marker, make=make, under=under, **kw)


CASES: dict[str, ScopeCase] = {c.model: c for c in [
    ScopeCase("orgs.PartyOrganization", marker="name", make=_org_make, create_data=_org_create,
              edit_data=_org_edit, import_row=_org_import),
    ScopeCase("people.Person", marker="name", make=lambda t, side, name: _member(side, name),
              create_data=_person_create, edit_data=_person_edit),
    ScopeCase("party.PartyMember", marker="person__name",
              make=lambda t, side, name: _member(side, name, probationary=True).party_member,
              create_data=_member_create),
    ScopeCase("party.Membership", marker="person__name",
              make=lambda t, side, name: _member(side, name).memberships.get(end_date__isnull=True),
              import_row=_roster_import),
    ScopeCase("party.DevelopmentRecord", marker="person__name", make=_development_make),
    # issue #13: the 党员计数 row of an organization (written by the triggers when a member is added to it)
    ScopeCase("party.MemberCount", marker="organization__name", make=_member_count_make),
    ScopeCase("orgs.Unit", marker="name", make=_unit_make, create_data=_unit_create, edit_data=_unit_edit,
              import_row=_unit_import, under=_units_under),
    ScopeCase("core.ImportLayout", marker="name", make=_layout_make),
    # 外部标识 (issue #9): shown on the organization page, resolved by orgs.matching — no view of its own
    ScopeCase("orgs.OrganizationExternalId", marker="value",
              make=lambda t, side, name: apps.get_model("orgs.OrganizationExternalId").objects.create(
                  organization=side.org, value=name)),
    # issue #10: the member lifecycle
    ScopeCase("party.MembershipEvent", marker="person__name", make=_event_make, import_row=_changes_import),
    ScopeCase("party.MembershipTransfer", marker="note", make=_transfer_make, create_data=_transfer_create,
              under=_transfers_under),
    ScopeCase("party.MemberStatus", marker="person__name", make=_status_make),
    ScopeCase("orgs.OrganizationTerm", marker="organization__name", make=_term_make, edit_data=_term_edit),
    # 书记持证上岗 (issue #11)
    ScopeCase("branches.TrainingRecord", marker="training_name", make=_training_make, create_data=_training_create),
    ScopeCase("branches.SecretaryCertificate", marker="number", make=_certificate_make),
    ScopeCase("branches.BranchOfficer", marker="note", make=_officer_make, create_data=_officer_create,
              edit_data=_officer_edit),
    # issue #11: 达标晋级 and the 软弱涣散 list
    ScopeCase("grading.BranchGrading", marker="note", make=_grading_make, create_data=_grading_create,
              edit_data=_grading_edit),
    ScopeCase("grading.GradingScore", marker="evidence", make=_grading_score_make),
    ScopeCase("grading.WeakBranch", marker="reasons", make=_weak_make, create_data=_weak_create),
    # issue #11: 发展党员 steps and participants (through the record's organization)
    ScopeCase("development.DevelopmentStep", marker="record__person__name", make=_development_step_make),
    ScopeCase("development.DevelopmentParticipant", marker="record__person__name", make=_development_participant_make),
    # issue #11: 组织生活记录
    ScopeCase("life.Meeting", marker="topic", make=_meeting_make, create_data=_meeting_create,
              edit_data=_meeting_edit, import_row=_meeting_import),
    ScopeCase("life.MeetingAttendance", marker="person__name", make=_attendance_make),
    ScopeCase("life.MeetingAttachment", marker="original_name", make=_attachment_make),
    # issue #11: 民主评议党员 results (第八表; entered on the meeting page and through /api/member-evaluations/)
    ScopeCase("life.MemberEvaluation", marker="note", make=_evaluation_make, create_data=_evaluation_create),
    # issue #12: cadre work, scoped by the unit tree with label cadre (assessment, discipline)
    _cadre_case("cadres.Cadre", "person__name", lambda t, side, name: _cadre(side, name), "unit",
                create_data=_cadre_create, edit_data=_versioned("name"), import_row=_cadre_import),
    _cadre_case("cadres.Post", "name", _post_make, "unit", create_data=_post_create, edit_data=_post_edit),
    _cadre_case("cadres.PostQuota", "document_number",
                lambda t, side, name: apps.get_model("cadres.PostQuota").objects.create(
                    unit=side.unit, level="131", count=1, start_date=dt.date(2020, 1, 1), document_number=name),
                "unit", create_data=_quota_create),
    _cadre_case("cadres.Establishment", "document_number",
                lambda t, side, name: apps.get_model("cadres.Establishment").objects.create(
                    unit=side.unit, establishment_type="administrative", count=10, start_date=dt.date(2020, 1, 1),
                    document_number=name),
                "unit", create_data=_establishment_create),
    _cadre_case("cadres.Appointment", "appointment_document", _appointment_make, "post__unit",
                edit_data=_appointment_edit),
    _cadre_case("cadres.CadrePhoto", "cadre__person__name",
                lambda t, side, name: apps.get_model("cadres.CadrePhoto").objects.create(
                    cadre=_cadre(side, name), content=b"\xff\xd8\xff", width=300, height=375, sha256="0" * 64),
                "cadre__unit"),
    _cadre_case("cadres.Education", "school",
                _cadre_child("cadres.Education", category="full_time", education_text="大学", school=_NAME),
                "cadre__unit", edit_data=_versioned("school")),
    _cadre_case("cadres.ResumeEntry", "text",
                _cadre_child("cadres.ResumeEntry", start_date=dt.date(2000, 9, 1), text=_NAME), "cadre__unit",
                edit_data=_versioned("text")),
    _cadre_case("cadres.FamilyMember", "name",
                _cadre_child("cadres.FamilyMember", relation="父亲", name=_NAME), "cadre__unit",
                edit_data=_versioned("name")),
    _cadre_case("cadres.AnnualAssessment", "note",
                _cadre_child("cadres.AnnualAssessment", year=2023, grade="competent", note=_NAME), "cadre__unit",
                edit_data=_versioned("note")),
    _cadre_case("cadres.RankRecord", "document_number",
                _cadre_child("cadres.RankRecord", rank="researcher_4", start_date=dt.date(2020, 1, 1),
                             document_number=_NAME), "cadre__unit"),
    _cadre_case("cadres.SupervisionRecord", "reason",
                _cadre_child("cadres.SupervisionRecord", kind="admonishment", decided_date=dt.date(2023, 1, 1),
                             reason=_NAME), "cadre__unit", edit_data=_supervision_edit),
    # the marker is the cadre's name: the dossier pages and the .xlsx show it (the fingerprint is a hash)
    _cadre_case("cadres.DossierFinding", "cadre__person__name", _finding_make, "cadre__unit"),
    _cadre_case("cadres.FindingDecision", "document", _decision_make, "finding__cadre__unit"),
    _cadre_case("cadres.ReserveCadre", "target_post", _reserve_make, "cadre__unit"),
    _cadre_case("cadres.ReserveMeasure", "measure", _measure_make, "reserve__cadre__unit"),
]}


# ----- report pages listing only some records of a model --------------------------------------------------

def _incomplete_member(t, side, name):
    """A member whose 学历 and 民族 are 未填 (as an import of a roster without those columns leaves them): a
    record the 数据质量 report lists (``reports.quality``), unlike the complete members of ``CASES``."""
    from zugong.people.models import Person

    person = _member(side, name)
    Person.objects.filter(pk=person.pk).update(education_level="", ethnicity="")
    return person


# Views whose rows are only some records of their model (a report of the records to fix): the case making a
# record the view shows. The generated tests use it instead of ``CASES[spec.model]`` (``case_for``).
VIEW_CASES: dict[str, ScopeCase] = {
    url_name: ScopeCase("people.Person", marker="name", make=_incomplete_member)
    for url_name in ("reports:quality", "reports:quality_xlsx")
}


def _branch_with_finding(t, side, name):
    """The subtree's branch itself: each fixture branch has fewer than 3 正式党员, a 达标 finding
    (``branches.standards``), so the 党支部达标情况 page, its export and its API list it."""
    return side.org


VIEW_CASES.update({url_name: ScopeCase("orgs.PartyOrganization", marker="name", make=_branch_with_finding)
                   for url_name in ("branches:standards", "branches:standards_xlsx", "api:branch-standards-list")})


def _unit_with_post(t, side, name):
    """A unit of the side with a post: the 干部配备一览表 page lists, by default, only units with posts or
    quotas (``cadres.posts.selectors.units_with_posts``)."""
    from tests.factories import make_post

    unit = _unit_make(t, side, name)
    make_post(unit, "主任", level="142")
    return unit


VIEW_CASES["cadres:quota_table"] = ScopeCase("orgs.Unit", marker="name", make=_unit_with_post, under=_units_under)


def case_for(spec) -> ScopeCase:
    """The scope case of a registered view's rows: ``VIEW_CASES`` for a report view, else its model's."""
    return VIEW_CASES.get(spec.url_name) or CASES[spec.model]


def business_models() -> list:
    """Every concrete model of the installed apps that declares ``scope_org_field`` (a business model)."""
    return [m for m in apps.get_models() if hasattr(m, "scope_org_field") and not m._meta.abstract]


def label_of(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"
